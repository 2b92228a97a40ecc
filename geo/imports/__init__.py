"""Planners' own files: read, match, review, then commit to a store of imported layers.

An import goes through four steps; nothing is stored until the last:

1. :func:`stage` reads a file (Excel, CSV, zipped Shapefile, KML/KMZ, GeoJSON, GeoPackage,
   GeoTIFF for declared coverage; a table's header row is found, or given as ``header_row``),
   maps its columns (:mod:`geo.readers.columns`), reads its
   coordinates (:mod:`geo.readers.coords`), matches every row's names to the administrative
   units and the village register, and returns a :class:`Staged` import: the rows in the
   layer's schema (``frame``), one report row per file row (``report``), every problem
   (``problems``) and whether the planner must look at it (``needs_review``). A file that
   cannot be read raises :class:`~geo.errors.InputError` listing *every* bad row.
2. The planner reviews: :func:`confirm` sets or accepts a row's commune or village (and
   remembers it for the next file); :func:`confirm_file` confirms the column mapping and the
   CRS (the mapping is remembered for files of the same layout).
3. :func:`commit` writes the rows to the :class:`Store` in one transaction. A failed or
   abandoned import leaves the store as it was; the same file committed twice adds nothing
   (content hash), and rows are keyed (a site by operator, site id and technology; fibre and
   unserved rows by village and operator) so that a new version of a file updates them. Two
   rows of one file with the same key are reported when staging (the later one in review,
   naming the earlier); the counts committed are those the store holds. A column mapping or
   CRS that is only proposed must be confirmed before any commit, even a partial one.
4. :func:`load_layers` gives the pipeline the planner's layers; :func:`apply_layers` puts the
   imported village register and unserved list into a :class:`~geo.province.ProvinceData`,
   with the villages placed by hand (:mod:`geo.placements`) moved in both.

Kinds
-----
``sites``
    Station records: operator, technology (2G/3G/4G/5G; LTE → 4G, NR → 5G; "2G/3G/4G" gives
    one record per technology), site id, position, on-air date.
``villages``
    A full village register. It replaces the current one through the village aliases
    (:func:`geo.villages.link_register`): ids are kept, nothing attached to a village is
    dropped, and old villages the new register lacks are listed (``Staged.unlinked``).
``fibre``
    Villages with FTTH, per operator: by name (village, commune, district) or as areas
    (polygons: the register's villages inside get fibre).
``unserved``
    A list of villages without service and the operator assigned to each (as Phụ lục 2).
``coverage``
    An operator's declared coverage per technology: KML/GeoJSON/Shapefile polygons or a
    GeoTIFF (cells above 0 are covered).

The store
---------
One SQLite file (WAL mode; its SQL is in :mod:`geo.store.imports`) at ``$COVERAGE_IMPORTS_DB``
if set, else ``imports.sqlite`` in the user data folder (:func:`geo.paths.data_home`); or give
the path to :class:`Store`. Tables: ``imports`` (one row per committed file, with its mode and
who removed it, if anyone), ``layer_rows`` (the rows of each import, keyed per kind and row
key; attributes as JSON, geometry as WKB), ``confirmations`` (names the planner matched by
hand), ``column_mappings`` and ``placements`` (:mod:`geo.placements`).

Safety
------
Files are limited in size (:data:`MAX_BYTES`, 50 MB) and rows (:data:`MAX_ROWS`); a zip (.xlsx,
.ods, .kmz, a zipped Shapefile) is checked before it is opened against the limits of
:mod:`geo.readers.limits`: at most 200 MB unzipped in all (:data:`~geo.readers.limits.MAX_UNZIPPED_BYTES`),
150 MB per member, 100 times its compressed size per member above 1 MB, 10,000 members; a sheet
at most 250,000 rows, 200 columns and 2,000,000 cells. The uploaded name is only shown
(:func:`safe_name`), never used to write; strings are kept exactly as written (a ``<script>`` in
a name stays in the data: the app escapes what it shows).

Modules
-------
:mod:`~geo.imports.files` (name, size and type of an upload), :mod:`~geo.imports.reading` and
:mod:`~geo.imports.shapes` (tables; vector files and rasters), :mod:`~geo.imports.mapping` (the
column mapping), :mod:`~geo.imports.values` (cells and their issues),
:mod:`~geo.imports.matching` (units and villages), one module per kind
(:mod:`~geo.imports.sites`, :mod:`~geo.imports.villages`, :mod:`~geo.imports.fibre`,
:mod:`~geo.imports.unserved`, :mod:`~geo.imports.coverage`), :mod:`~geo.imports.review` (the
report), :mod:`~geo.imports.staging` (stage and confirm), :mod:`~geo.imports.committing`,
:mod:`~geo.imports.store` (the bridge to :mod:`geo.store.imports`, which holds the SQL) and
:mod:`~geo.imports.inspection` (inspect a file, export a staged one).
"""

from __future__ import annotations

from geo.errors import InputError
from geo.imports.committing import DEFAULT_MODES, CommitResult, commit
from geo.imports.files import KINDS, MAX_BYTES, MAX_ROWS, safe_name
from geo.imports.inspection import Inspection, export_frame, inspect
from geo.imports.model import REPORT_COLUMNS, STATUSES, Staged
from geo.imports.staging import confirm, confirm_file, stage
from geo.imports.store import Layers, Store, apply_layers, load_layers
from geo.readers import coords
from geo.store.imports import ENV_STORE, StoreFileError, default_store_path

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REPORT_COLUMNS",
    "STATUSES",
    "CommitResult",
    "Inspection",
    "InputError",
    "Layers",
    "Staged",
    "Store",
    "StoreFileError",
    "apply_layers",
    "commit",
    "confirm",
    "confirm_file",
    "coords",
    "DEFAULT_MODES",
    "ENV_STORE",
    "default_store_path",
    "export_frame",
    "inspect",
    "load_layers",
    "safe_name",
    "stage",
]
