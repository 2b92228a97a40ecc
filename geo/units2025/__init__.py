"""Both maps of Vietnam: the units before and after 01/07/2025.

On 01/07/2025 Vietnam went from 63 provinces to 34, abolished districts and merged its 10,047
communes into 3,321. Plans and lists name the old units; planners now report in the new ones.
This module turns one into the other from the same records, and never invents a boundary.

Polygons of the new communes (:func:`build_communes_2025`)
    No public polygon layer of the 3,321 new communes exists. Each is built at run time as the
    union of the pre-2025 polygons that make it, through the mapping (``units_2025``,
    ``mapping_2025``). ``geometry_method`` says how far to trust it:

    ``exact``
        Every old commune merged into it whole (``full``) and every one has a polygon: the
        union is the new commune, up to GADM's accuracy (2,542 of the 3,321: 2,539 through the
        mapping and 3 island special zones; 756 are ``approximate`` and 23 ``missing``).
    ``approximate``
        One of its old communes was split between several new ones (``partial``; no polygon
        of the split parts exists), or an old commune of it has no polygon. ``geometry_extent``
        says what is drawn: ``merged_parts`` (the union of the parts that merged whole: the
        commune is larger than drawn) or ``split_parts`` (it has no whole part, so the union of
        the split communes it takes a share of: the commune lies inside what is drawn).
    ``missing``
        None of its old units has a polygon; the geometry is empty (None).

    Polygons whose GSO code was retired before 2025 or is missing (``commune_2025_method`` =
    ``overlap`` in :mod:`geo.units`) are added to the new commune they were attached to;
    ``n_added`` counts them. The five island special zones (đặc khu) are made of old island
    districts without communes; their polygons are found by district code or by name.

Villages (:func:`assign_villages_2025`, :func:`to_2025`)
    A village takes the new commune of the old polygon it lies in (``mapping``, or ``overlap``
    for the attached polygons). In a split commune, a village with coordinates goes to the
    candidate new commune whose built polygon is nearest (``nearest``, with the distance);
    a village placed at its commune's point (no coordinates) stays ``unresolved`` and is listed
    for the planner with its candidates.

Names (:func:`resolve_units`, :func:`lookup`)
    A name in either system resolves. A row that names a district, or a document dated before
    01/07/2025, is read in pre-2025 units; a document dated from 01/07/2025 in 2025 units when
    the name fits them. Otherwise a name that fits both systems with different codes ("Xã Sín
    Chải, tỉnh Điện Biên": 03223 Xín Chải before, 03226 Sín Chải after) is ``ambiguous`` and
    shown both ways; nothing ambiguous gets a code. The planner sees both names:
    "Xã Ẳng Tở (cũ) → Xã Búng Lao (mới)".

Indicators (:func:`indicators_2025`, :func:`layer_2025`, :func:`crosswalk`)
    The same village records, aggregated by new commune and new province.

Modules
-------
:mod:`~geo.units2025.tables` (the reform's tables and shared words), :mod:`~geo.units2025.polygons`
(new communes' polygons), :mod:`~geo.units2025.villages` (points in the new communes),
:mod:`~geo.units2025.crosswalk`, :mod:`~geo.units2025.parsing` (names and dates as written),
:mod:`~geo.units2025.lookup` (names in either system) and :mod:`~geo.units2025.scope` (a
province's model in the 2025 units). Every public name is re-exported here.
"""

from __future__ import annotations

from geo.units2025.crosswalk import CROSSWALK_HEADERS, CROSSWALK_METHODS, crosswalk, crosswalk_xlsx
from geo.units2025.lookup import lookup, resolve_units
from geo.units2025.parsing import parse_unit_text
from geo.units2025.polygons import (
    attribute_polygons,
    build_communes_2025,
    communes_for_2025,
    geometry_counts,
    wanted_codes,
)
from geo.units2025.scope import Context, communes_2025_table, context, indicators_2025, layer_2025
from geo.units2025.tables import (
    ACCEPTED,
    ASSIGN_METHODS,
    ASSIGNMENT_COLUMNS,
    COMMUNE_2025_COLUMNS,
    CROSSWALK_COLUMNS,
    GEOMETRY_METHODS,
    NEW_MARK,
    OLD_MARK,
    REFORM_DATE,
    SYSTEMS,
    parts_2025,
    province_old_to_new,
    provinces_2025_table,
    resolve_province_2025,
)
from geo.units2025.villages import (
    assign_villages_2025,
    display_pair,
    names_of,
    to_2025,
    unresolved_villages,
)

__all__ = [
    "ACCEPTED",
    "ASSIGNMENT_COLUMNS",
    "ASSIGN_METHODS",
    "COMMUNE_2025_COLUMNS",
    "CROSSWALK_COLUMNS",
    "CROSSWALK_HEADERS",
    "CROSSWALK_METHODS",
    "GEOMETRY_METHODS",
    "NEW_MARK",
    "OLD_MARK",
    "REFORM_DATE",
    "SYSTEMS",
    "Context",
    "assign_villages_2025",
    "attribute_polygons",
    "build_communes_2025",
    "communes_2025_table",
    "communes_for_2025",
    "context",
    "crosswalk",
    "crosswalk_xlsx",
    "display_pair",
    "geometry_counts",
    "indicators_2025",
    "layer_2025",
    "lookup",
    "names_of",
    "parse_unit_text",
    "parts_2025",
    "province_old_to_new",
    "provinces_2025_table",
    "resolve_province_2025",
    "resolve_units",
    "to_2025",
    "unresolved_villages",
    "wanted_codes",
]
