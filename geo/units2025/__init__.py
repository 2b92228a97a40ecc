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
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
import weakref
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import cells, names, registry, units
from geo.errors import InputError, UnitNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from geo.pipeline import Model

log = logging.getLogger(__name__)

REFORM_DATE = date(2025, 7, 1)
"""The day the 2025 units took effect."""

GEOMETRY_METHODS = ("exact", "approximate", "missing")
ASSIGN_METHODS = ("mapping", "overlap", "nearest", "unresolved")
SYSTEMS = ("pre2025", "2025", "both")
ACCEPTED = ("exact", "normalised", "fuzzy")

COMMUNE_2025_COLUMNS = [
    "commune_2025_code",
    "commune_2025",
    "province_2025_code",
    "province_2025",
    "geometry_method",
    "geometry_extent",
    "n_old",
    "n_old_with_polygon",
    "n_partial",
    "n_added",
    "commune_codes_old",
    "geometry",
]

ASSIGNMENT_COLUMNS = [
    "commune_2025_code",
    "commune_2025",
    "province_2025_code",
    "province_2025",
    "commune_2025_method",
    "commune_2025_candidates",
    "commune_2025_distance_m",
]

CROSSWALK_COLUMNS = [
    "province_code",
    "province",
    "district_code",
    "district",
    "commune_code",
    "commune",
    "commune_2025_code",
    "commune_2025",
    "province_2025_code",
    "province_2025",
    "commune_2025_method",
    "villages",
    "share_of_villages",
]

OLD_MARK = {"vi": "cũ", "en": "old"}
NEW_MARK = {"vi": "mới", "en": "new"}


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def parts_2025() -> pd.DataFrame:
    """One row per (new commune, old unit it is made of), from ``units_2025``.

    Returns
    -------
    DataFrame
        ``commune_2025_code``, ``province_2025_code``, ``old_code`` (a 5-digit commune code, or
        the 3-digit code of an island district without communes for the five special zones),
        ``kind`` (``full``: merged whole; ``partial``: a share of a split commune) and
        ``old_level`` (``commune`` / ``district``).
    """
    u = units.units_2025()
    codes = u["commune_codes_old"].str.split(";")
    kinds = u["kinds"].str.split(";")
    n = codes.str.len().to_numpy()
    if not np.array_equal(n, kinds.str.len().to_numpy()):
        raise InputError(
            "units_2025: the lists of old codes and kinds differ in length.",
            "units_2025: danh sách mã cũ và kiểu sáp nhập không cùng độ dài.",
            file=registry.DATASETS["units_2025"].relpath,
            field="ma_xa_cu",
        )
    out = pd.DataFrame(
        {
            "commune_2025_code": np.repeat(u["commune_2025_code"].to_numpy(), n),
            "province_2025_code": np.repeat(u["province_2025_code"].to_numpy(), n),
            "old_code": np.concatenate(codes.to_list()),
            "kind": np.concatenate(kinds.to_list()),
        }
    )
    out["old_level"] = np.where(out["old_code"].str.len() == 5, "commune", "district")
    return out


@lru_cache(maxsize=1)
def province_old_to_new() -> dict[str, str]:
    """Pre-2025 province code → 2025 province code (provinces merged whole)."""
    m = units.mapping_2025()
    return m.drop_duplicates("ma_tinh_cu").set_index("ma_tinh_cu")["province_2025_code"].to_dict()


@lru_cache(maxsize=1)
def provinces_2025_table() -> pd.DataFrame:
    """The 34 provinces from 01/07/2025: ``province_2025_code``, ``province_2025`` and the
    pre-2025 provinces each is made of (``province_codes_old``, ";"-joined)."""
    u = units.units_2025().drop_duplicates("province_2025_code")
    olds = pd.Series(province_old_to_new()).rename_axis("old").reset_index(name="new")
    joined = olds.sort_values("old").groupby("new")["old"].agg(";".join)
    out = u[["province_2025_code", "province_2025"]].sort_values("province_2025_code")
    out = out.assign(province_codes_old=out["province_2025_code"].map(joined).fillna(""))
    return out.reset_index(drop=True)


@lru_cache(maxsize=1)
def _units_info() -> pd.DataFrame:
    return units.units_2025().drop_duplicates("commune_2025_code").set_index("commune_2025_code")


@lru_cache(maxsize=1)
def _old_to_new() -> pd.DataFrame:
    """Per old commune code: its new communes (";"-joined) and how many."""
    m = units.mapping_2025()
    return m.groupby("commune_code").agg(
        new_codes=("commune_2025_code", ";".join), n_new=("commune_2025_code", "size")
    )


def resolve_province_2025(text: str) -> tuple[str, str]:
    """A 2025 province given by code, by its name, or by the name of a pre-2025 province in it.

    Returns
    -------
    (province_2025_code, province_2025)

    Raises
    ------
    UnitNotFoundError, AmbiguousUnitError
    """
    table = provinces_2025_table()
    t = (text or "").strip()
    if re.fullmatch(r"\d{1,2}", t) and t.zfill(2) in set(table["province_2025_code"]):
        code = t.zfill(2)
    else:
        cand = table.rename(columns={"province_2025": "name", "province_2025_code": "id"})
        m = names.match_within(
            pd.DataFrame({"name": [t]}), cand, level="province", query_group=None, cand_group=None
        )
        if m["match_status"].iloc[0] in ACCEPTED:
            code = str(m["match_id"].iloc[0])
        else:
            old_code, _ = units.resolve_province(t)
            code = province_old_to_new()[old_code]
    return code, table.set_index("province_2025_code").loc[code, "province_2025"]


# ---------------------------------------------------------------------------------------------
# Polygons
# ---------------------------------------------------------------------------------------------


def attribute_polygons(communes_pre2025: gpd.GeoDataFrame) -> pd.DataFrame:
    """The new commune each pre-2025 polygon belongs to.

    Takes :func:`geo.units.read_communes`' ``commune_2025_code``, ``commune_2025_method`` and
    ``commune_2025_candidates``, and adds the island districts without communes that became
    special zones (found by district code, or by name within the province when the polygon has
    no district: "Đảo Bạch Long Vĩ" → "Đặc khu Bạch Long Vĩ"), as ``mapping``.

    Returns
    -------
    DataFrame
        Aligned to ``communes_pre2025.index``: ``commune_2025_code``, ``commune_2025_method``
        (``mapping``, ``overlap``, ``split``, ``none``), ``commune_2025_candidates`` (";"-joined,
        for ``split``) and ``special_zone`` (bool).
    """
    c = communes_pre2025
    out = pd.DataFrame(
        {
            "commune_2025_code": c["commune_2025_code"].astype("string"),
            "commune_2025_method": c["commune_2025_method"].astype(str),
            "commune_2025_candidates": c["commune_2025_candidates"].fillna("").astype(str),
            "special_zone": False,
        },
        index=c.index,
    )
    none = out["commune_2025_method"].eq("none")
    if not none.any():
        return out
    p = parts_2025()
    sp = p[p["old_level"] == "district"]
    by_district = c.loc[none, "district_code"].map(
        dict(zip(sp["old_code"], sp["commune_2025_code"], strict=True))
    )
    info = _units_info().loc[sp["commune_2025_code"]]
    keys = pd.DataFrame(
        {
            "province_2025_code": info["province_2025_code"].to_numpy(),
            "key": names.ascii_keys(info["commune_2025"], "commune", compact=True).to_numpy(),
            "code": sp["commune_2025_code"].to_numpy(),
        }
    )
    q = pd.DataFrame(
        {
            "province_2025_code": c.loc[none, "province_code"].map(province_old_to_new()),
            "key": names.ascii_keys(
                c.loc[none, "commune"].str.replace(r"^\s*Đảo\s+", "", regex=True),
                "commune",
                compact=True,
            ),
        },
        index=c.index[none],
    )
    by_name = q.reset_index().merge(keys, on=["province_2025_code", "key"]).set_index("index")
    found = by_district.copy()
    found.loc[by_name.index] = found.loc[by_name.index].fillna(by_name["code"])
    found = found.dropna()
    out.loc[found.index, "commune_2025_code"] = found.astype(str)
    out.loc[found.index, "commune_2025_method"] = "mapping"
    out.loc[found.index, "special_zone"] = True
    return out


def _as_multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Polygons and MultiPolygons as MultiPolygons (None stays None), vectorised."""
    out = np.full(len(geoms), None, dtype=object)
    present = ~shapely.is_missing(geoms)
    if not present.any():
        return out
    parts, idx = shapely.get_parts(geoms[present], return_index=True)
    polys = shapely.get_type_id(parts) == 3
    multi = np.full(int(present.sum()), None, dtype=object)
    shapely.multipolygons(parts[polys], indices=idx[polys], out=multi)
    out[present] = multi
    return out


def build_communes_2025(
    communes_pre2025: gpd.GeoDataFrame,
    commune_2025_codes: list[str] | pd.Index | set[str] | None = None,
) -> gpd.GeoDataFrame:
    """Build the polygons of the new communes from the pre-2025 ones.

    Parameters
    ----------
    communes_pre2025
        Pre-2025 communes as :func:`geo.units.read_communes` returns them (all Vietnam, or the
        provinces whose new communes are wanted: see :func:`communes_for_2025`).
    commune_2025_codes
        Only these new communes; all 3,321 when ``None``. A new commune with no polygon in
        ``communes_pre2025`` is returned with ``geometry_method="missing"``.

    Returns
    -------
    GeoDataFrame
        :data:`COMMUNE_2025_COLUMNS`, one row per new commune sorted by code, MultiPolygons (None
        for ``missing``) in EPSG:4326. ``n_old`` counts the old units the commune is made of
        (``units_2025``), ``n_old_with_polygon`` those with a polygon here, ``n_partial`` those
        split, ``n_added`` the retired-code polygons attached to it, ``commune_codes_old`` the
        old codes (";"-joined).

    Notes
    -----
    The unions are one grouped :meth:`GeoDataFrame.dissolve` (``method="unary"``) over all the
    new communes at once. GADM's polygons are not a clean coverage (neighbours' shared edges
    are not noded alike), so :func:`shapely.coverage_union_all` refuses them.
    """
    c = communes_pre2025
    u = units.units_2025()
    if commune_2025_codes is not None:
        u = u[u["commune_2025_code"].isin(set(commune_2025_codes))]
    u = u.sort_values("commune_2025_code").set_index("commune_2025_code")
    wanted = u.index
    att = attribute_polygons(c)

    parts = parts_2025()
    parts = parts[parts["commune_2025_code"].isin(wanted)]
    have_commune = set(c["commune_code"].dropna())
    have_zone = set(att.loc[att["special_zone"], "commune_2025_code"])
    has_polygon = np.where(
        parts["old_level"].eq("commune"),
        parts["old_code"].isin(have_commune),
        parts["commune_2025_code"].isin(have_zone),
    )
    stats = (
        parts.assign(has_polygon=has_polygon, partial=parts["kind"].eq("partial"))
        .groupby("commune_2025_code")
        .agg(
            n_old=("old_code", "size"),
            n_partial=("partial", "sum"),
            n_old_with_polygon=("has_polygon", "sum"),
        )
        .reindex(wanted)
    )

    geo = gpd.GeoDataFrame(
        {"key": att["commune_2025_code"], "method": att["commune_2025_method"]},
        geometry=c.geometry.to_numpy(),
        crs=c.crs,
        index=c.index,
    )
    core_rows = geo[geo["method"].isin(["mapping", "overlap"]) & geo["key"].isin(wanted)]
    core = core_rows[["key", "geometry"]].dissolve(by="key", method="unary").geometry
    n_added = core_rows[core_rows["method"].eq("overlap")].groupby("key").size()

    split_rows = geo[geo["method"].eq("split")].assign(
        key=att.loc[geo["method"].eq("split"), "commune_2025_candidates"].str.split(";")
    )
    split_rows = split_rows.explode("key")
    split_rows = split_rows[split_rows["key"].isin(wanted) & ~split_rows["key"].isin(core.index)]
    envelope = (
        split_rows[["key", "geometry"]].dissolve(by="key", method="unary").geometry
        if len(split_rows)
        else gpd.GeoSeries([], crs=c.crs)
    )

    geoms = np.full(len(wanted), None, dtype=object)
    geoms[wanted.get_indexer(core.index)] = core.to_numpy()
    if len(envelope):
        geoms[wanted.get_indexer(envelope.index)] = envelope.to_numpy()
    present = ~shapely.is_missing(geoms)
    n_old = stats["n_old"].to_numpy()
    n_poly = stats["n_old_with_polygon"].to_numpy()
    n_partial = stats["n_partial"].to_numpy()
    exact = present & (n_partial == 0) & (n_poly == n_old)
    in_core = wanted.isin(core.index)
    out = pd.DataFrame(
        {
            "commune_2025_code": wanted.to_numpy(),
            "commune_2025": u["commune_2025"].to_numpy(),
            "province_2025_code": u["province_2025_code"].to_numpy(),
            "province_2025": u["province_2025"].to_numpy(),
            "geometry_method": np.select(
                [exact, present], ["exact", "approximate"], "missing"
            ).astype(object),
            "geometry_extent": np.select(
                [exact, present & in_core, present],
                ["union", "merged_parts", "split_parts"],
                "none",
            ).astype(object),
            "n_old": n_old.astype(int),
            "n_old_with_polygon": n_poly.astype(int),
            "n_partial": n_partial.astype(int),
            "n_added": n_added.reindex(wanted).fillna(0).astype(int).to_numpy(),
            "commune_codes_old": u["commune_codes_old"].to_numpy(),
        }
    )
    return gpd.GeoDataFrame(out, geometry=_as_multipolygons(geoms), crs=c.crs).to_crs("EPSG:4326")


def geometry_counts(communes_2025: pd.DataFrame) -> dict[str, int]:
    """How many new communes are ``exact``, ``approximate`` and ``missing`` (and the total)."""
    counts = communes_2025["geometry_method"].value_counts()
    out = {m: int(counts.get(m, 0)) for m in GEOMETRY_METHODS}
    out["total"] = len(communes_2025)
    return out


def communes_for_2025(communes_pre2025: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``communes_pre2025`` plus the polygons of other provinces its new communes need.

    Eight new communes are made of old communes of two provinces. To build every new commune
    the given communes belong to (or may belong to, when split), the polygons of the other old
    provinces those new communes draw from are read, and the ones that belong (or may belong)
    to these new communes are appended.
    """
    codes = wanted_codes(communes_pre2025)
    m = units.mapping_2025()
    need = set(m.loc[m["commune_2025_code"].isin(codes), "ma_tinh_cu"])
    extra = sorted(need - set(communes_pre2025["province_code"].dropna()))
    if not extra:
        return communes_pre2025
    more = units.read_communes(extra)
    cands = more["commune_2025_candidates"].fillna("").str.split(";").explode()
    may = cands.isin(codes).groupby(level=0).any().reindex(more.index, fill_value=False)
    more = more[more["commune_2025_code"].isin(codes) | may]
    both = pd.concat([communes_pre2025, more[communes_pre2025.columns.intersection(more.columns)]])
    return gpd.GeoDataFrame(both.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")


def wanted_codes(communes_pre2025: gpd.GeoDataFrame) -> set[str]:
    """The new communes the given pre-2025 communes belong to, or may belong to (split)."""
    att = attribute_polygons(communes_pre2025)
    split = att["commune_2025_candidates"].str.split(";").explode()
    return set(att["commune_2025_code"].dropna()) | set(split[split.ne("")])


# ---------------------------------------------------------------------------------------------
# Villages (and any points)
# ---------------------------------------------------------------------------------------------


def _locate(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Position in ``communes`` of the polygon each point belongs to (-1: none).

    By ``gid_3`` when the points carry it, else (and for the rest) by point in polygon.
    """
    pos = np.full(len(points), -1, dtype=np.int64)
    if "gid_3" in points.columns:
        lookup = pd.Series(np.arange(len(communes)), index=communes["gid_3"].to_numpy())
        lookup = lookup[~lookup.index.duplicated()]
        got = points["gid_3"].map(lookup).to_numpy(dtype=float)
        ok = np.isfinite(got)
        pos[ok] = got[ok].astype(np.int64)
    rest = np.flatnonzero(pos < 0)
    if len(rest):
        pts = points.geometry.to_numpy()[rest]
        valid = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
        if valid.any():
            tree = shapely.STRtree(communes.geometry.to_numpy())
            q, t = tree.query(pts[valid], predicate="within")
            first = pd.Series(t, index=q).groupby(level=0).first()
            pos[rest[np.flatnonzero(valid)[first.index.to_numpy()]]] = first.to_numpy()
    return pos


def _has_coordinates(villages: pd.DataFrame) -> np.ndarray:
    geom = villages.geometry.to_numpy()
    ok = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    if "location_precision" in villages.columns:
        ok &= villages["location_precision"].fillna("point").ne("commune").to_numpy()
    return ok


def assign_villages_2025(
    villages: gpd.GeoDataFrame,
    communes_pre2025: gpd.GeoDataFrame,
    communes_2025: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """The new commune of each village (or any point: sites too).

    Parameters
    ----------
    villages
        Points with ``gid_3`` (the pre-2025 polygon, as the register gives it) or without (then
        found by point in polygon), and ``location_precision`` (``commune`` = no coordinates of
        its own) when known.
    communes_pre2025
        The pre-2025 communes the villages lie in.
    communes_2025
        :func:`build_communes_2025` of (at least) the candidates of the split communes.

    Returns
    -------
    DataFrame
        Aligned to ``villages.index``: :data:`ASSIGNMENT_COLUMNS`. ``commune_2025_method`` is
        ``mapping`` (the old commune merged whole), ``overlap`` (its polygon's code was retired
        or is missing and the polygon was attached to the neighbouring new commune sharing most
        border), ``nearest`` (in a split commune: the candidate whose built polygon is nearest,
        ``commune_2025_distance_m`` from it; for a candidate drawn from split parts only, its
        polygon without this split commune) or ``unresolved`` (in a split commune without
        coordinates of its own, or in no known commune). ``commune_2025_candidates`` lists the
        candidates of a split commune (";"-joined).
    """
    att = attribute_polygons(communes_pre2025)
    pos = _locate(villages, communes_pre2025)
    found = pos >= 0
    safe = np.where(found, pos, 0)
    method = np.where(found, att["commune_2025_method"].to_numpy(dtype=object)[safe], "none")
    code = np.where(found, att["commune_2025_code"].to_numpy(dtype=object)[safe], None)
    cands = np.where(found, att["commune_2025_candidates"].to_numpy(dtype=object)[safe], "")
    mapped = np.isin(method, ["mapping", "overlap"]) & pd.notna(code)
    split = method == "split"
    near = split & _has_coordinates(villages)

    out_code = np.where(mapped, code, None).astype(object)
    out_method = np.where(mapped, method, "unresolved").astype(object)
    distance = np.full(len(villages), np.nan)
    if near.any():
        code_n, dist_n = _nearest_candidates(
            villages.geometry.to_numpy()[near],
            pos[near],
            cands[near],
            communes_pre2025,
            communes_2025,
        )
        ok = pd.notna(code_n)
        idx = np.flatnonzero(near)[ok]
        out_code[idx] = code_n[ok]
        out_method[idx] = "nearest"
        distance[idx] = dist_n[ok]

    info = _units_info()
    code_s = pd.Series(out_code, index=villages.index, dtype="string")
    province_code = code_s.map(info["province_2025_code"])
    # Unresolved villages still have their new province (no split crosses provinces).
    old_prov = (
        communes_pre2025["province_code"].to_numpy(dtype=object)[safe]
        if len(communes_pre2025)
        else np.full(len(villages), None, dtype=object)
    )
    fallback = pd.Series(np.where(found, old_prov, None), index=villages.index).map(
        province_old_to_new()
    )
    if "province_code" in villages.columns:
        fallback = fallback.fillna(villages["province_code"].map(province_old_to_new()))
    province_code = province_code.fillna(fallback)
    ptable = provinces_2025_table().set_index("province_2025_code")["province_2025"]
    return pd.DataFrame(
        {
            "commune_2025_code": code_s,
            "commune_2025": code_s.map(info["commune_2025"]).astype("string"),
            "province_2025_code": province_code.astype("string"),
            "province_2025": province_code.map(ptable).astype("string"),
            "commune_2025_method": out_method.astype(str),
            "commune_2025_candidates": np.where(split, cands, "").astype(str),
            "commune_2025_distance_m": np.round(distance, 1),
        },
        index=villages.index,
    )


def _nearest_candidates(
    points: np.ndarray,
    pos: np.ndarray,
    candidates: np.ndarray,
    communes_pre2025: gpd.GeoDataFrame,
    communes_2025: gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """For points in split communes: the candidate new commune whose built polygon is nearest.

    The reference polygon of a candidate is its built geometry; for a candidate drawn from split
    parts only (``geometry_extent="split_parts"``) it is that geometry minus the split commune
    the point lies in (which contains the point); a candidate left with no polygon then cannot
    be measured and is not chosen. Computed once per (split commune, candidate) pair, then one
    vectorised distance per (point, candidate) pair.
    """
    pairs = pd.DataFrame({"point": np.arange(len(points)), "pos": pos, "cand": candidates})
    pairs["cand"] = pairs["cand"].str.split(";")
    pairs = pairs.explode("cand", ignore_index=True)
    built = communes_2025.drop_duplicates("commune_2025_code").set_index("commune_2025_code")
    ref = pairs[["pos", "cand"]].drop_duplicates().reset_index(drop=True)
    geom = built.geometry.reindex(ref["cand"]).to_numpy()
    extent = built["geometry_extent"].reindex(ref["cand"]).to_numpy()
    own = communes_pre2025.geometry.to_numpy()[ref["pos"].to_numpy()]
    cut = extent == "split_parts"
    geom = geom.copy()
    if cut.any():
        geom[cut] = shapely.difference(geom[cut], own[cut])
    crs = units.METRIC_CRS
    ref_m = gpd.GeoSeries(geom, crs="EPSG:4326").to_crs(crs).to_numpy()
    pts_m = gpd.GeoSeries(points, crs="EPSG:4326").to_crs(crs).to_numpy()
    key = pd.MultiIndex.from_frame(ref[["pos", "cand"]])
    at = key.get_indexer(pd.MultiIndex.from_frame(pairs[["pos", "cand"]]))
    target = ref_m[at]
    usable = ~(shapely.is_missing(target) | shapely.is_empty(target))
    dist = np.full(len(pairs), np.inf)
    dist[usable] = shapely.distance(pts_m[pairs["point"].to_numpy()[usable]], target[usable])
    pairs["dist"] = dist
    best = pairs[np.isfinite(dist)].sort_values(["point", "dist", "cand"]).drop_duplicates("point")
    code = np.full(len(points), None, dtype=object)
    d = np.full(len(points), np.nan)
    code[best["point"].to_numpy()] = best["cand"].to_numpy()
    d[best["point"].to_numpy()] = best["dist"].to_numpy()
    return code, d


def to_2025(
    status: gpd.GeoDataFrame,
    communes_pre2025: gpd.GeoDataFrame,
    communes_2025: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Villages (a model's ``status``, a register) with their 2025 unit set by
    :func:`assign_villages_2025`, ready to aggregate by new commune or province.

    The pre-2025 columns are kept; :data:`ASSIGNMENT_COLUMNS` are set (replacing the
    register's ``commune_2025_code``) and ``units_display`` shows both names
    ("Xã Ẳng Tở (cũ) → Xã Búng Lao (mới)").
    """
    if communes_2025 is None:
        communes_2025 = build_communes_2025(communes_pre2025, wanted_codes(communes_pre2025))
    a = assign_villages_2025(status, communes_pre2025, communes_2025)
    out = status.copy()
    for col in ASSIGNMENT_COLUMNS:
        out[col] = a[col]
    old = out["commune"] if "commune" in out.columns else pd.Series("", index=out.index)
    out["units_display"] = display_pair(old, a["commune_2025"], a["commune_2025_candidates"])
    return out


def names_of(codes: pd.Series, names_by_code: pd.Series, sep: str = "; ") -> pd.Series:
    """Each row's ";"-joined codes as names (the code where no name is known), joined by ``sep``.

    Vectorised: one explode, one map, one grouped join.
    """
    exploded = codes.fillna("").astype(str).str.split(";").explode()
    exploded = exploded[exploded.ne("")]
    named = exploded.map(names_by_code).fillna(exploded).astype(str)
    return named.groupby(level=0).agg(sep.join).reindex(codes.index, fill_value="")


def unresolved_villages(villages_2025: pd.DataFrame) -> pd.DataFrame:
    """The villages left ``unresolved`` (split commune, no coordinates of their own), with their
    candidate new communes by name, for the planner to place."""
    info = _units_info()["commune_2025"]
    u = villages_2025[villages_2025["commune_2025_method"].eq("unresolved")]
    cols = [
        c
        for c in (
            "village_id",
            "village",
            "commune_code",
            "commune",
            "district_code",
            "district",
            "province_code",
            "location_precision",
            "province_2025_code",
        )
        if c in u.columns
    ]
    out = pd.DataFrame(u[cols])
    out["commune_2025_candidates"] = u["commune_2025_candidates"]
    out["candidate_names"] = names_of(u["commune_2025_candidates"], info).to_numpy()
    return out.reset_index(drop=True)


def display_pair(
    old: pd.Series, new: pd.Series, candidates: pd.Series | None = None, lang: str = "vi"
) -> pd.Series:
    """Both names: "Xã Ẳng Tở (cũ) → Xã Búng Lao (mới)".

    A split commune without a chosen new commune shows its candidates
    ("Xã A (cũ) → Xã B / Xã C (mới?)"); no new commune at all shows "?".
    """
    o, n = OLD_MARK[lang], NEW_MARK[lang]
    old_s = old.fillna("").astype(str).to_numpy(dtype=object)
    new_s = new.astype("string")
    has_new = new_s.notna().to_numpy()
    if candidates is None:
        cand_names = np.full(len(old_s), "", dtype=object)
    else:
        info = _units_info()["commune_2025"]
        cand_names = names_of(candidates, info, " / ").to_numpy(dtype=object)
    text = np.where(
        has_new,
        old_s + f" ({o}) → " + new_s.fillna("").to_numpy(dtype=object) + f" ({n})",
        np.where(
            cand_names != "",
            old_s + f" ({o}) → " + cand_names + f" ({n}?)",
            old_s + f" ({o}) → ?",
        ),
    )
    return pd.Series(text, index=old.index, dtype=object)


# ---------------------------------------------------------------------------------------------
# Crosswalk
# ---------------------------------------------------------------------------------------------


def crosswalk(villages: pd.DataFrame) -> pd.DataFrame:
    """Old commune → new commune, weighted by villages.

    Parameters
    ----------
    villages
        Villages with their pre-2025 commune (``commune_code``, ``commune``, ``district_code``,
        ``district``, ``province_code``, ``province``) and their 2025 commune as
        :func:`to_2025` sets it.

    Returns
    -------
    DataFrame
        :data:`CROSSWALK_COLUMNS`: one row per (old commune, new commune, method), with the
        number of villages and their share of the old commune's villages (0–1), by province
        code, then old district and commune in Vietnamese alphabetical order. Villages left
        unresolved form a row with an empty new commune. A GADM polygon without a GSO code
        keeps its name with an empty ``commune_code``.
    """
    v = pd.DataFrame(villages.drop(columns=villages.geometry.name, errors="ignore"))
    for col in CROSSWALK_COLUMNS[:-2]:
        if col not in v.columns:
            v[col] = pd.NA
    keys = CROSSWALK_COLUMNS[:-2]
    g = v[keys].astype("string").fillna("")
    counts = g.groupby(keys, sort=False).size().rename("villages").reset_index()
    old_unit = ["province_code", "district_code", "commune_code", "commune"]
    totals = counts.groupby(old_unit)["villages"].transform("sum")
    counts["share_of_villages"] = counts["villages"] / totals
    # Old units by name in Vietnamese alphabetical order, the largest share first within one.
    counts = counts.assign(
        _district=counts["district"].map(names.vietnamese_sort_key),
        _commune=counts["commune"].map(names.vietnamese_sort_key),
    ).sort_values(
        ["province_code", "_district", "_commune", "commune_code", "villages"],
        ascending=[True, True, True, True, False],
        kind="stable",
    )
    return counts[CROSSWALK_COLUMNS].reset_index(drop=True)


CROSSWALK_HEADERS: dict[str, dict[str, str]] = {
    "province_code": {"vi": "Mã tỉnh cũ", "en": "Old province code"},
    "province": {"vi": "Tỉnh cũ", "en": "Old province"},
    "district_code": {"vi": "Mã huyện cũ", "en": "Old district code"},
    "district": {"vi": "Huyện cũ", "en": "Old district"},
    "commune_code": {"vi": "Mã xã cũ", "en": "Old commune code"},
    "commune": {"vi": "Xã cũ", "en": "Old commune"},
    "commune_2025_code": {"vi": "Mã xã mới", "en": "New commune code"},
    "commune_2025": {"vi": "Xã mới", "en": "New commune"},
    "province_2025_code": {"vi": "Mã tỉnh mới", "en": "New province code"},
    "province_2025": {"vi": "Tỉnh mới", "en": "New province"},
    "commune_2025_method": {"vi": "Cách xác định xã mới", "en": "How the new commune was found"},
    "villages": {"vi": "Số thôn/bản", "en": "Villages"},
    "share_of_villages": {"vi": "Tỷ lệ thôn/bản", "en": "Share of villages"},
    "village_id": {"vi": "Mã thôn/bản", "en": "Village ID"},
    "village": {"vi": "Thôn/bản", "en": "Village"},
    "location_precision": {"vi": "Vị trí", "en": "Location"},
    "commune_2025_candidates": {
        "vi": "Mã các xã mới có thể",
        "en": "Candidate new communes (codes)",
    },
    "candidate_names": {"vi": "Các xã mới có thể", "en": "Candidate new communes"},
}
"""The column headers of :func:`crosswalk_xlsx` (crosswalk and unresolved villages) by language."""

CROSSWALK_METHODS: dict[str, dict[str, str]] = {
    "mapping": {"vi": "sáp nhập nguyên xã", "en": "merged whole"},
    "overlap": {"vi": "mã cũ gắn theo ranh giới chung", "en": "retired code, by shared border"},
    "nearest": {"vi": "xã bị chia: vùng gần nhất", "en": "split commune: nearest polygon"},
    "unresolved": {"vi": "chưa xác định", "en": "unresolved"},
}
"""How each village's new commune was found (``commune_2025_method``), as the workbook says it."""

_CROSSWALK_SHEETS = {
    "vi": ("Bảng chuyển đổi", "Thôn chưa xác định", "Ghi chú"),
    "en": ("Crosswalk", "Unresolved villages", "Notes"),
}
_CROSSWALK_NOTES = {
    "vi": (
        "Ghi chú",
        [
            "Đơn vị hành chính trước 01/07/2025: danh mục của Tổng cục Thống kê ngày 01/03/2025. "
            "Đơn vị từ 01/07/2025: dvhcvn/20250701 (Nghị quyết 1654–1687/NQ-UBTVQH15), giấy "
            "phép MIT.",
            "Tỷ lệ thôn/bản: số thôn/bản của xã cũ nằm trong xã mới / tổng số thôn/bản của xã cũ "
            "trong danh sách thôn/bản (GeoNames, chưa đầy đủ).",
            "Cách xác định xã mới: sáp nhập nguyên xã; mã cũ gắn theo ranh giới chung (mã xã đã "
            "bỏ); xã bị chia: vùng gần nhất (thôn/bản có tọa độ); chưa xác định (xã bị chia, "
            'thôn/bản không có tọa độ riêng: xem trang "Thôn chưa xác định").',
        ],
    ),
    "en": (
        "Note",
        [
            "Units before 01/07/2025: GSO list of 01/03/2025. Units from 01/07/2025: "
            "dvhcvn/20250701 (Resolutions 1654–1687/NQ-UBTVQH15), MIT.",
            "Share of villages: villages of the old commune in the new one / all villages of the "
            "old commune in the register (GeoNames, partial).",
            "How the new commune was found: merged whole; retired code, by shared border; split "
            "commune: nearest polygon (villages with coordinates); unresolved (split commune, "
            'village without coordinates: see the "Unresolved villages" sheet).',
        ],
    ),
}


def crosswalk_xlsx(
    table: pd.DataFrame, unresolved: pd.DataFrame | None = None, *, lang: str = "vi"
) -> bytes:
    """The crosswalk (and the unresolved villages) as an .xlsx workbook in ``lang``.

    Sheets, headers (:data:`CROSSWALK_HEADERS`), the method of each row
    (:data:`CROSSWALK_METHODS`) and the notes are in Vietnamese ("Bảng chuyển đổi", "Mã xã cũ",
    "Xã cũ", …) or English (``lang="en"``: "Crosswalk", "Old commune code", …). Codes stay text;
    the share of villages is a number shown as a percentage.

    Raises
    ------
    InputError
        ``lang`` is neither "vi" nor "en".
    """
    import io

    from openpyxl.utils import get_column_letter

    if lang not in _CROSSWALK_SHEETS:
        raise InputError(
            f"lang must be 'vi' or 'en', not {lang!r}",
            f"lang phải là 'vi' hoặc 'en', không phải {lang!r}",
            field="lang",
        )
    main_sheet, unresolved_sheet, notes_sheet = _CROSSWALK_SHEETS[lang]

    def localised(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame(frame).copy()
        if "commune_2025_method" in out:
            out["commune_2025_method"] = out["commune_2025_method"].map(
                lambda m: CROSSWALK_METHODS.get(m, {}).get(lang, m)
            )
        return out.rename(columns={c: h[lang] for c, h in CROSSWALK_HEADERS.items()})

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        localised(table).to_excel(xl, sheet_name=main_sheet, index=False)
        ws = xl.sheets[main_sheet]
        if "share_of_villages" in table:
            col = get_column_letter(list(table.columns).index("share_of_villages") + 1)
            for cell in ws[col][1:]:
                cell.number_format = "0.0%"
        if unresolved is not None:
            localised(unresolved).to_excel(xl, sheet_name=unresolved_sheet, index=False)
        header, notes = _CROSSWALK_NOTES[lang]
        pd.DataFrame({header: notes}).to_excel(xl, sheet_name=notes_sheet, index=False)
        for sheet in xl.sheets.values():  # names stay text, never formulas
            cells.openpyxl_text_cells(sheet)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Names in either system
# ---------------------------------------------------------------------------------------------


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.lower()).replace("đ", "d")
    return "".join(ch for ch in s if not unicodedata.combining(ch))


_COMMUNE_RE = re.compile(r"^(xa|phuong|thi tran|dac khu|x\.|p\.|tt\.?)\s")
_DISTRICT_RE = re.compile(r"^(huyen|quan|thi xa|h\.|q\.|tx\.?)\s")
_PROVINCE_RE = re.compile(r"^(tinh|t\.)\s")
_CITY_RE = re.compile(r"^(thanh pho|tp\.?)\s")


def _is_province_name(text: str) -> bool:
    old = units.provinces_table().rename(columns={"province": "name", "province_code": "id"})
    new = provinces_2025_table().rename(
        columns={"province_2025": "name", "province_2025_code": "id"}
    )
    cand = pd.concat([old[["name", "id"]], new[["name", "id"]]], ignore_index=True)
    m = names.match_within(
        pd.DataFrame({"name": [text]}), cand, level="province", query_group=None, cand_group=None
    )
    return m["match_status"].iloc[0] in (*ACCEPTED, "ambiguous")


def parse_unit_text(text: str) -> dict[str, str | None]:
    """Split "Xã …, Huyện …, Tỉnh …" (or "Xã …, tỉnh …") into commune, district and province.

    The first part is the commune. The others are classed by their prefix (Huyện / Quận /
    Thị xã → district; Tỉnh → province); "Thành phố" and parts without a prefix are the
    province when last and a province's name, else the district.
    """
    parts = [p.strip() for p in re.split(r"[,;]", text or "") if p.strip()]
    out: dict[str, str | None] = {"commune": None, "district": None, "province": None}
    if not parts:
        return out
    out["commune"] = parts[0]
    rest = parts[1:]
    for i, p in enumerate(rest):
        f = _fold(p)
        last = i == len(rest) - 1
        if _DISTRICT_RE.match(f):
            out["district"] = p
            continue
        positional = len(rest) > 1 and not _CITY_RE.match(f)
        if _PROVINCE_RE.match(f) or (last and (positional or _is_province_name(p))):
            out["province"] = p
        else:
            out["district"] = p
    return out


def _parse_date(value: Any) -> date | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    if not s:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise InputError(
        f"Cannot read the date {s!r}: write it as dd/mm/yyyy or yyyy-mm-dd.",
        f"Không đọc được ngày {s!r}: hãy ghi dạng dd/mm/yyyy hoặc yyyy-mm-dd.",
        field="document_date",
    )


def _match_provinces(texts: pd.Series) -> pd.DataFrame:
    """Each distinct province text in both systems: ``p_old`` and ``p_new`` (or <NA>)."""
    q = pd.DataFrame({"name": texts.drop_duplicates().to_numpy()})
    q = q[q["name"] != ""]
    old = units.provinces_table().rename(columns={"province": "name", "province_code": "id"})
    new = provinces_2025_table().rename(
        columns={"province_2025": "name", "province_2025_code": "id"}
    )
    kw = {"level": "province", "query_group": None, "cand_group": None}
    mo = names.match_within(q, old, **kw)
    mn = names.match_within(q, new, **kw)
    return pd.DataFrame(
        {
            "p_old": mo["match_id"].where(mo["match_status"].isin(ACCEPTED)),
            "p_new": mn["match_id"].where(mn["match_status"].isin(ACCEPTED)),
        }
    ).set_index(q["name"].to_numpy())


def _old_reading(
    rows: pd.DataFrame, p_old: pd.Series, communes: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    """Pre-2025 reading of each row (``resolve_communes`` within its province; the province
    from the district, nationally, when the row names none)."""
    out = pd.DataFrame(
        {
            "commune_code": pd.array([pd.NA] * len(rows), dtype="string"),
            "commune_gso": pd.NA,
            "district_code": pd.NA,
            "district_gso": pd.NA,
            "province_code": p_old.astype("string"),
            "status": "none",
            "score": 0.0,
            "candidates": "",
        },
        index=rows.index,
    )
    g = units.gso_units()
    # Province from a district named without its province.
    nop = out["province_code"].isna() & rows["district"].ne("")
    if nop.any():
        dcand = g.drop_duplicates("district_code").rename(
            columns={"district": "name", "district_code": "id"}
        )
        dm = names.match_within(
            pd.DataFrame({"name": rows.loc[nop, "district"]}),
            dcand,
            level="district",
            query_group=None,
            cand_group=None,
        )
        ok = dm["match_status"].isin(ACCEPTED)
        dist_prov = g.drop_duplicates("district_code").set_index("district_code")["province_code"]
        out.loc[ok[ok].index, "province_code"] = dm.loc[ok, "match_id"].map(dist_prov)
    for code, idx in out.groupby("province_code", dropna=True).groups.items():
        sub = rows.loc[idx]
        res = units.resolve_communes(
            sub, str(code), communes, commune_col="commune", district_col="district"
        )
        out.loc[idx, "commune_code"] = res["commune_code"]
        out.loc[idx, "commune_gso"] = res["commune_gso"]
        out.loc[idx, "district_code"] = res["district_code"]
        out.loc[idx, "district_gso"] = res["district_gso"]
        out.loc[idx, "status"] = res["match_status"]
        out.loc[idx, "score"] = res["match_score"]
        out.loc[idx, "candidates"] = res["match_candidates"]
    nowhere = out["province_code"].isna() & rows["district"].eq("") & rows["commune"].ne("")
    if nowhere.any():
        cand = g.rename(columns={"commune": "name", "commune_code": "id"})
        m = names.match_within(
            pd.DataFrame({"name": rows.loc[nowhere, "commune"]}),
            cand,
            level="commune",
            query_group=None,
            cand_group=None,
        )
        ok = m["match_status"].isin(ACCEPTED)
        info = g.set_index("commune_code")
        out.loc[nowhere, "commune_code"] = m["match_id"].where(ok)
        out.loc[nowhere, "commune_gso"] = m["match_name"].where(ok)
        out.loc[nowhere, "status"] = m["match_status"]
        out.loc[nowhere, "score"] = m["match_score"]
        out.loc[nowhere, "candidates"] = m["match_candidates"]
        hit = ok[ok].index
        codes = m.loc[hit, "match_id"]
        out.loc[hit, "district_code"] = codes.map(info["district_code"])
        out.loc[hit, "district_gso"] = codes.map(info["district"])
        out.loc[hit, "province_code"] = codes.map(info["province_code"])
    return out


def _new_reading(rows: pd.DataFrame, p_new: pd.Series) -> pd.DataFrame:
    """2025 reading of each row: the commune among the new communes of its new province (all
    of Vietnam when the row names no province)."""
    out = pd.DataFrame(
        {
            "commune_2025_code": pd.array([pd.NA] * len(rows), dtype="string"),
            "status": "none",
            "score": 0.0,
            "candidates": "",
        },
        index=rows.index,
    )
    u = units.units_2025().rename(columns={"commune_2025": "name", "commune_2025_code": "id"})
    group = p_new.fillna("").astype(str)
    named = rows["province"].ne("")
    # A province that matches nothing gives no 2025 reading; no province at all: all Vietnam.
    todo = ~named | group.ne("")
    if not todo.any():
        return out
    q = pd.DataFrame({"name": rows.loc[todo, "commune"], "group": group[todo]})
    parts = []
    grouped = q[q["group"] != ""]
    if len(grouped):
        parts.append(
            names.match_within(
                grouped, u.rename(columns={"province_2025_code": "group"}), level="commune"
            )
        )
    whole = q[q["group"] == ""]
    if len(whole):
        parts.append(
            names.match_within(whole, u, level="commune", query_group=None, cand_group=None)
        )
    m = pd.concat(parts).reindex(q.index)
    ok = m["match_status"].isin(ACCEPTED)
    out.loc[q.index, "commune_2025_code"] = m["match_id"].where(ok)
    out.loc[q.index, "status"] = m["match_status"]
    out.loc[q.index, "score"] = m["match_score"]
    out.loc[q.index, "candidates"] = m["match_candidates"]
    return out


def resolve_units(
    rows: pd.DataFrame,
    *,
    commune_col: str = "commune",
    district_col: str | None = "district",
    province_col: str | None = "province",
    date_col: str | None = "document_date",
    document_date: str | date | None = None,
    communes: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Resolve each row's commune in whichever system it names.

    Rules, in order:

    1. A row that names a district, or whose document is dated before 01/07/2025, is read in
       pre-2025 units (``units_reason`` ``district`` / ``dated_before``).
    2. A row dated from 01/07/2025 is read in 2025 units when its name fits them, else in
       pre-2025 units (``dated_after``).
    3. Otherwise both readings are tried: one that fits alone wins (``only_pre2025`` /
       ``only_2025``); both fitting with the same code is ``both`` (``same_code``); both
       fitting with different codes is ``ambiguous`` (``different_codes``): no pre-2025 code
       is set, and ``display`` and ``match_candidates`` show both readings. The 2025 commune is
       set only when both readings lead to it (the old commune merged whole into the new one
       the name reads as), since then it is certain.

    Parameters
    ----------
    rows
        One unit per row.
    commune_col, district_col, province_col
        Column names (district and province may be absent or empty).
    date_col
        Column with each row's document date (dd/mm/yyyy or yyyy-mm-dd), when present.
    document_date
        The date of the whole file, used where ``date_col`` gives none.
    communes
        Pre-2025 polygons, to also find communes whose code was retired before 2025.

    Returns
    -------
    DataFrame
        Aligned to ``rows.index``: ``units_status`` (exact, normalised, fuzzy, ambiguous,
        none), ``units_system`` (pre2025, 2025, both, ""), ``units_reason``, the pre-2025 unit
        (``commune_code``, ``commune_gso``, ``district_code``, ``district_gso``,
        ``province_code``), the 2025 unit (``commune_2025_code``, ``commune_2025``,
        ``province_2025_code``, ``province_2025``), ``commune_2025_candidates`` (an old commune
        split between several), ``commune_codes_old`` (the old codes the new commune is made
        of), ``match_score``, ``match_candidates`` and ``display``.
    """
    if commune_col not in rows.columns:
        raise InputError(
            f"The table has no column {commune_col!r}.",
            f"Bảng không có cột {commune_col!r}.",
            field=commune_col,
        )

    def text(col: str | None) -> pd.Series:
        if col is None or col not in rows.columns:
            return pd.Series("", index=rows.index)
        return rows[col].fillna("").astype(str).str.strip()

    r = pd.DataFrame(
        {
            "commune": text(commune_col),
            "district": text(district_col),
            "province": text(province_col),
        },
        index=rows.index,
    )
    default = _parse_date(document_date)
    if date_col and date_col in rows.columns:
        dates = rows[date_col].map(_parse_date)
        dates = dates.where(dates.notna(), default)
    else:
        dates = pd.Series([default] * len(rows), index=rows.index, dtype=object)
    before = dates.map(lambda d: d is not None and d < REFORM_DATE).astype(bool)
    after = dates.map(lambda d: d is not None and d >= REFORM_DATE).astype(bool)

    prov = _match_provinces(r["province"])
    p_old = r["province"].map(prov["p_old"]).astype("string")
    p_new = r["province"].map(prov["p_new"]).astype("string")
    p_new = p_new.fillna(p_old.map(province_old_to_new()))

    old = _old_reading(r, p_old, communes)
    pre_only = r["district"].ne("") | before
    new = _new_reading(r[~pre_only], p_new[~pre_only]).reindex(r.index)
    new["status"] = new["status"].fillna("none")
    new["candidates"] = new["candidates"].fillna("")
    new["score"] = new["score"].fillna(0.0)

    old_ok = old["status"].isin(ACCEPTED)
    new_ok = new["status"].isin(ACCEPTED) & ~pre_only
    same = old_ok & new_ok & (old["commune_code"] == new["commune_2025_code"]).fillna(False)
    use_new = ~pre_only & new_ok & (after | ~old_ok)
    use_old = old_ok & (pre_only | (after & ~new_ok) | (~after & ~new_ok))
    both = ~pre_only & ~after & same
    amb = ~pre_only & ~after & old_ok & new_ok & ~same
    use_new &= ~both & ~amb
    use_old &= ~both & ~amb

    system = np.select([both, use_new, use_old], ["both", "2025", "pre2025"], "")
    fits = both | use_new | use_old | amb
    reason = np.select(
        [
            ~fits,
            r["district"].ne("") & pre_only,
            before,
            after,
            amb,
            both,
            use_old,
        ],
        [
            "no_match",
            "district",
            "dated_before",
            "dated_after",
            "different_codes",
            "same_code",
            "only_pre2025",
        ],
        "only_2025",
    )
    status = np.select(
        [amb, use_new, use_old | both],
        ["ambiguous", new["status"], old["status"]],
        "none",
    ).astype(object)
    # A reading ambiguous within its own system stays ambiguous.
    none_yet = system == ""
    within_amb = none_yet & (
        old["status"].eq("ambiguous") | (new["status"].eq("ambiguous") & ~pre_only)
    )
    status[within_amb.to_numpy()] = "ambiguous"

    keep_old = pd.Series(use_old | both, index=r.index)
    out = pd.DataFrame(index=r.index)
    out["units_status"] = status.astype(str)
    out["units_system"] = system.astype(str)
    out["units_reason"] = reason.astype(str)
    for col in ("commune_code", "commune_gso", "district_code", "district_gso", "province_code"):
        out[col] = old[col].where(keep_old).astype("string")
    # 2025 unit: read directly, or the old commune's new commune through the mapping.
    o2n = _old_to_new()
    via_old = out["commune_code"].map(o2n["new_codes"])
    n_new = out["commune_code"].map(o2n["n_new"])
    # Ambiguous between the systems, but both readings give the same new commune ("Sín Chải":
    # Xín Chải 03223 merged whole into Sín Chải 03226): the 2025 unit is certain, the old is not.
    amb_via = old["commune_code"].map(o2n["new_codes"])
    agree = amb & (amb_via == new["commune_2025_code"]).fillna(False)
    code_2025 = new["commune_2025_code"].where(use_new | both | agree).astype("string")
    code_2025 = code_2025.fillna(via_old.where(n_new.eq(1)).astype("string"))
    out["commune_2025_code"] = code_2025
    info = _units_info()
    out["commune_2025"] = code_2025.map(info["commune_2025"]).astype("string")
    prov_2025 = code_2025.map(info["province_2025_code"]).fillna(
        out["province_code"].map(province_old_to_new())
    )
    out["province_2025_code"] = prov_2025.astype("string")
    ptable = provinces_2025_table().set_index("province_2025_code")["province_2025"]
    out["province_2025"] = prov_2025.map(ptable).astype("string")
    out["commune_2025_candidates"] = via_old.where(n_new.gt(1)).fillna("").astype(str)
    out["commune_codes_old"] = code_2025.map(info["commune_codes_old"]).fillna("").astype(str)
    out["match_score"] = np.where(use_new, new["score"], old["score"]).astype(float)
    cands = np.where(
        amb,
        "pre2025:"
        + old["commune_code"].fillna("").astype(str)
        + "|2025:"
        + new["commune_2025_code"].fillna("").astype(str),
        np.where(old["status"].eq("ambiguous"), old["candidates"], new["candidates"]),
    )
    out["match_candidates"] = np.where(out["units_status"].eq("ambiguous"), cands, "")
    out["display"] = _display_rows(out, old, new, amb)
    return out


def _display_rows(
    out: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame, amb: pd.Series
) -> pd.Series:
    info = _units_info()
    gso = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")["commune"]

    text = pd.Series("", index=out.index, dtype=object)
    sys_ = out["units_system"]
    pre = sys_.isin(["pre2025", "both"])
    text[pre] = display_pair(
        out.loc[pre, "commune_gso"],
        out.loc[pre, "commune_2025"],
        out.loc[pre, "commune_2025_candidates"],
    )
    n25 = sys_.eq("2025")
    text[n25] = (
        out.loc[n25, "commune_2025"].astype(str)
        + " (mới) ← "
        + names_of(out.loc[n25, "commune_codes_old"], gso, ", ")
        + " (cũ)"
    )
    if amb.any():
        at = out.index[amb.to_numpy()]
        o_code = old.loc[at, "commune_code"].astype(str)
        n_code = new.loc[at, "commune_2025_code"].astype(str)
        via = o_code.map(_old_to_new()["new_codes"]).fillna("")
        text[at] = (
            "trước 01/07/2025: "
            + old.loc[at, "commune_gso"].astype(str)
            + " "
            + o_code
            + " (cũ) → "
            + names_of(via, info["commune_2025"], " / ")
            + " "
            + via
            + " (mới) | từ 01/07/2025: "
            + n_code.map(info["commune_2025"]).fillna("")
            + " "
            + n_code
            + " (mới) ← "
            + names_of(n_code.map(info["commune_codes_old"]).fillna(""), gso, ", ")
            + " (cũ)"
        )
    return text


def lookup(
    text: str,
    *,
    document_date: str | date | None = None,
    communes: gpd.GeoDataFrame | None = None,
) -> dict:
    """Resolve "Xã …, Huyện …, Tỉnh …" or "Xã …, tỉnh …" in both systems.

    Parameters
    ----------
    text
        A commune with its district and/or province, comma-separated.
    document_date
        The date of the document it comes from (before 01/07/2025: pre-2025 units).
    communes
        Pre-2025 polygons, to also find communes whose code was retired before 2025.

    Returns
    -------
    dict
        ``text``, ``parsed`` (commune, district, province), ``status``, ``system``, ``reason``,
        ``display`` and ``readings``: one reading per system the text is read in (two when
        ``ambiguous``), each with ``system``, ``old`` (pre-2025 communes with codes, district
        and province) and ``new`` (2025 communes with codes, province and ``kind``: ``full``
        merged whole, ``partial`` a share of a split commune).

    Raises
    ------
    InputError
        If the text names no commune.
    """
    parsed = parse_unit_text(text)
    if not parsed["commune"]:
        raise InputError(
            "Give a commune: 'Xã …, Huyện …, Tỉnh …' or 'Xã …, tỉnh …'.",
            "Hãy nhập xã: 'Xã …, Huyện …, Tỉnh …' hoặc 'Xã …, tỉnh …'.",
            field="text",
        )
    row = pd.DataFrame({k: [v or ""] for k, v in parsed.items()})
    res = resolve_units(row, document_date=document_date, communes=communes).iloc[0]
    readings: list[dict] = []
    system = res["units_system"]
    if res["units_status"] == "ambiguous" and res["match_candidates"].startswith("pre2025:"):
        o, n = res["match_candidates"].split("|")
        readings.append(_reading_old(o.removeprefix("pre2025:"), "pre2025"))
        readings.append(_reading_new(n.removeprefix("2025:")))
    elif system in ("pre2025", "both"):
        readings.append(_reading_old(str(res["commune_code"]), system))
    elif system == "2025":
        readings.append(_reading_new(str(res["commune_2025_code"])))
    return {
        "text": text,
        "parsed": parsed,
        "document_date": None if document_date is None else str(document_date),
        "status": res["units_status"],
        "system": system,
        "reason": res["units_reason"],
        "score": float(res["match_score"]),
        "candidates": res["match_candidates"],
        "display": res["display"],
        "readings": readings,
    }


def _old_unit(code: str) -> dict:
    g = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")
    if code not in g.index:
        return {"commune_code": code}
    r = g.loc[code]
    return {
        "commune_code": code,
        "commune": r["commune"],
        "district_code": r["district_code"],
        "district": r["district"],
        "province_code": r["province_code"],
        "province": r["province"],
    }


def _new_unit(code: str, kind: str | None = None) -> dict:
    info = _units_info()
    r = info.loc[code]
    d = {
        "commune_2025_code": code,
        "commune_2025": r["commune_2025"],
        "province_2025_code": r["province_2025_code"],
        "province_2025": r["province_2025"],
    }
    if kind:
        d["kind"] = kind
    return d


def _reading_old(code: str, system: str) -> dict:
    m = units.mapping_2025()
    rows = m[m["commune_code"] == code]
    return {
        "system": system,
        "old": [_old_unit(code)],
        "new": [
            _new_unit(c, k) for c, k in zip(rows["commune_2025_code"], rows["kind"], strict=True)
        ],
    }


def _reading_new(code: str) -> dict:
    p = parts_2025()
    rows = p[p["commune_2025_code"] == code]
    return {
        "system": "2025",
        "old": [
            _old_unit(c) | {"kind": k} for c, k in zip(rows["old_code"], rows["kind"], strict=True)
        ],
        "new": [_new_unit(code)],
    }


# ---------------------------------------------------------------------------------------------
# A province's model in the 2025 units
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Context:
    """What a model needs to be read in 2025 units (computed once per model)."""

    communes_pre2025: gpd.GeoDataFrame
    communes_2025: gpd.GeoDataFrame
    status: gpd.GeoDataFrame
    province_2025_code: str
    province_2025: str


_CONTEXTS: dict[int, tuple[weakref.ref, Context]] = {}


def context(model: Model) -> Context:
    """The model's villages assigned to new communes, and the new communes' polygons (cached
    per model object)."""
    hit = _CONTEXTS.get(id(model))
    if hit is not None and hit[0]() is model:
        return hit[1]
    base = communes_for_2025(model.data.communes)
    built = build_communes_2025(base, wanted_codes(model.data.communes))
    status = to_2025(model.status, base, built)
    code = province_old_to_new()[model.province_code]
    name = provinces_2025_table().set_index("province_2025_code").loc[code, "province_2025"]
    ctx = Context(base, built, status, code, name)
    _CONTEXTS[id(model)] = (weakref.ref(model), ctx)
    weakref.finalize(model, _CONTEXTS.pop, id(model), None)
    return ctx


def _commune_weights(model: Model, ctx: Context) -> pd.DataFrame:
    """(old polygon ``gid_3``, new commune, weight): 1 for a commune merged whole (or attached),
    the share of its located villages for a split commune."""
    att = attribute_polygons(model.communes)
    whole = pd.DataFrame(
        {
            "gid_3": model.communes["gid_3"].to_numpy(),
            "commune_2025_code": att["commune_2025_code"].to_numpy(),
            "weight": 1.0,
        }
    )[att["commune_2025_method"].isin(["mapping", "overlap"]).to_numpy()]
    s = ctx.status
    near = s[s["commune_2025_method"].eq("nearest")]
    shares = (
        (
            near.groupby(["gid_3", "commune_2025_code"]).size()
            / s[s["commune_2025_candidates"].ne("")].groupby("gid_3").size()
        )
        .rename("weight")
        .reset_index()
    )
    return pd.concat([whole, shares], ignore_index=True)


def communes_2025_table(model: Model) -> gpd.GeoDataFrame:
    """The new communes of the model's province with its indicators aggregated.

    Columns: :data:`COMMUNE_2025_COLUMNS` plus ``communes_old`` (names), ``population`` and
    ``population_covered`` (sums over the old communes; a split commune's by the share of its
    villages), ``villages``, ``villages_mobile``, ``villages_fibre`` and
    ``villages_mobile_share``.
    """
    ctx = context(model)
    built = ctx.communes_2025[ctx.communes_2025["province_2025_code"] == ctx.province_2025_code]
    w = _commune_weights(model, ctx)
    pops = model.communes[["gid_3", "population", "population_covered"]].merge(w, on="gid_3")
    pop = (
        pops.assign(
            population=pops["population"].astype(float) * pops["weight"],
            population_covered=pops["population_covered"].astype(float) * pops["weight"],
        )
        .groupby("commune_2025_code")[["population", "population_covered"]]
        .sum(min_count=1)
    )
    s = ctx.status
    per = s.groupby("commune_2025_code").agg(
        villages=("village_id", "size"),
        villages_mobile=("mobile_broadband", "sum"),
        villages_fibre=("fibre", "sum"),
    )
    out = built.join(pop.round(), on="commune_2025_code").join(per, on="commune_2025_code")
    cnt = ["villages", "villages_mobile", "villages_fibre"]
    out[cnt] = out[cnt].fillna(0).astype(int)
    out["villages_mobile_share"] = out["villages_mobile"] / out["villages"].where(
        out["villages"] > 0
    )
    gso = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")["commune"]
    out["communes_old"] = names_of(out["commune_codes_old"], gso)
    return out.reset_index(drop=True)


def indicators_2025(
    model: Model,
    province_2025_code: str | None = None,
    *,
    commune_2025_code: str | None = None,
    year: int | None = None,
) -> dict:
    """The plan's indicators of the model's villages, by new province (or one new commune).

    The same keys as :func:`geo.indicators.compute`, from the same village records, with
    ``units="2025"`` and: ``province_2025_code``, ``province_2025``, ``provinces_pre2025`` (the
    old provinces of the new one), ``provinces_in_model`` (the old provinces the model was
    built from: those of its communes, several for a merged
    :class:`~geo.province.ProvinceData`), ``complete`` (the model holds all the old provinces
    of the new one), and for a commune
    ``commune_2025_code``, ``commune_2025``, ``geometry_method``; ``villages_by_method`` (how
    the villages were placed), ``villages_unresolved`` and, for the province,
    ``population_unallocated``: the census population of split communes none of whose villages
    has coordinates, counted in the province but in no new commune.

    A split commune's population goes to its new communes in the share of its located villages.

    Parameters
    ----------
    model
        A province's model (:func:`geo.pipeline.build`).
    province_2025_code
        The new province (code or name), the one the model's province is in by default.
    commune_2025_code
        One new commune of it.
    year
        As in :func:`geo.indicators.compute`.

    Raises
    ------
    InputError
        The model's province is not in that new province.
    UnitNotFoundError
        The commune is not one of the province's new communes.
    """
    from geo import indicators

    ctx = context(model)
    if province_2025_code is not None:
        code, _ = resolve_province_2025(str(province_2025_code))
        if code != ctx.province_2025_code:
            raise InputError(
                f"The model holds {model.province}, which is in {ctx.province_2025} "
                f"({ctx.province_2025_code}) from 01/07/2025, not in province {code}.",
                f"Mô hình là {model.province}, từ 01/07/2025 thuộc {ctx.province_2025} "
                f"({ctx.province_2025_code}), không thuộc tỉnh {code}.",
                field="province_2025_code",
            )
    status = ctx.status
    communes = model.communes
    site_frame = model.sites
    declared = model.declared
    scope: dict[str, Any] = {}
    if commune_2025_code is not None:
        table = communes_2025_table(model)
        row = table[table["commune_2025_code"] == str(commune_2025_code)]
        if row.empty:
            raise UnitNotFoundError(
                f"{commune_2025_code!r} is not a 2025 commune of {ctx.province_2025}.",
                f"{commune_2025_code!r} không phải xã (từ 01/07/2025) của {ctx.province_2025}.",
                field="commune_2025_code",
            )
        status = status[status["commune_2025_code"] == str(commune_2025_code)]
        w = _commune_weights(model, ctx)
        w = w[w["commune_2025_code"] == str(commune_2025_code)]
        sub = communes.merge(w[["gid_3", "weight"]], on="gid_3")
        communes = sub.assign(
            population=(sub["population"].astype(float) * sub["weight"]).round(),
            population_covered=sub["population_covered"].astype(float) * sub["weight"],
        )
        if len(site_frame):
            sa = assign_villages_2025(site_frame, ctx.communes_pre2025, ctx.communes_2025)
            site_frame = site_frame[
                sa["commune_2025_code"].eq(str(commune_2025_code)).fillna(False)
            ]
        if declared is not None:
            declared = declared[declared["village_id"].isin(status["village_id"])]
        scope = {
            "commune_2025_code": str(commune_2025_code),
            "commune_2025": row["commune_2025"].iloc[0],
            "geometry_method": row["geometry_method"].iloc[0],
        }
    data = dataclasses.replace(model.data, declared=declared)
    scoped = dataclasses.replace(
        model, data=data, status=status, communes=communes, sites=site_frame
    )
    result = indicators.compute(scoped, year=year)
    olds = (
        provinces_2025_table()
        .set_index("province_2025_code")
        .loc[ctx.province_2025_code, "province_codes_old"]
        .split(";")
    )
    held = sorted(set(model.data.communes["province_code"].dropna().astype(str)))
    methods = status["commune_2025_method"].value_counts()
    shared = _commune_weights(model, ctx).groupby("gid_3")["weight"].sum()
    left = 1.0 - shared.reindex(model.communes["gid_3"]).fillna(0.0).clip(0.0, 1.0).to_numpy()
    unallocated = float((model.communes["population"].astype(float).fillna(0.0) * left).sum())
    result.update(
        {
            "units": "2025",
            "province_2025_code": ctx.province_2025_code,
            "province_2025": ctx.province_2025,
            "provinces_pre2025": olds,
            "provinces_in_model": held,
            "complete": set(olds) <= set(held),
            **scope,
            "villages_by_method": {m: int(methods.get(m, 0)) for m in ASSIGN_METHODS},
            "villages_unresolved": int(methods.get("unresolved", 0)),
            "population_unallocated": int(round(unallocated))
            if commune_2025_code is None
            else None,
        }
    )
    return result


def layer_2025(model: Model, name: str) -> gpd.GeoDataFrame:
    """A layer of the model in the 2025 units.

    ``communes`` is :func:`communes_2025_table` (the new communes' built polygons with their
    ``geometry_method``); ``villages``, ``unserved``, ``sites`` and ``fibre`` are the
    pre-2025 layers of :func:`geo.pipeline.layer` with :data:`ASSIGNMENT_COLUMNS` and
    ``units_display`` added (old names kept beside the new).
    """
    from geo import pipeline

    ctx = context(model)
    if name == "communes":
        return communes_2025_table(model)
    base = pipeline.layer(model, name)
    if name in ("villages", "fibre", "unserved"):
        s = ctx.status.drop_duplicates("village_id").set_index("village_id")
        extra = pd.DataFrame(
            {c: base["village_id"].map(s[c]) for c in [*ASSIGNMENT_COLUMNS, "units_display"]}
        )
        missing = extra["commune_2025_method"].isna()
        if missing.any():  # declared villages not in the status: assign them by themselves
            a = assign_villages_2025(base.loc[missing], ctx.communes_pre2025, ctx.communes_2025)
            a["units_display"] = display_pair(
                base.loc[missing, "commune"], a["commune_2025"], a["commune_2025_candidates"]
            )
            extra.loc[missing] = a[extra.columns]
    elif name == "sites":
        extra = assign_villages_2025(base, ctx.communes_pre2025, ctx.communes_2025)
    else:
        raise ValueError(f"unknown layer {name!r}")
    out = base.copy()
    for col in extra.columns:
        out[col] = extra[col].to_numpy()
    return out
