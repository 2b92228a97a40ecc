"""Villages (and any points) in the new communes: through the mapping, the overlap of attached
polygons, or the nearest candidate in a split commune; the unresolved listed for the planner.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import units
from geo.units2025.polygons import attribute_polygons, build_communes_2025, wanted_codes
from geo.units2025.tables import (
    ASSIGNMENT_COLUMNS,
    NEW_MARK,
    OLD_MARK,
    _units_info,
    province_old_to_new,
    provinces_2025_table,
)


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
