"""Polygons of the new communes, built as unions of the pre-2025 polygons that make them, with how
far to trust each (``geometry_method``: exact, approximate, missing).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import names, units
from geo.units2025.tables import GEOMETRY_METHODS, _units_info, parts_2025, province_old_to_new


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
    stats = _part_counts(c, att, wanted)
    geo = gpd.GeoDataFrame(
        {"key": att["commune_2025_code"], "method": att["commune_2025_method"]},
        geometry=c.geometry.to_numpy(),
        crs=c.crs,
        index=c.index,
    )
    core, n_added, envelope = _unions(geo, att, wanted, c.crs)
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


def _part_counts(c: gpd.GeoDataFrame, att: pd.DataFrame, wanted: pd.Index) -> pd.DataFrame:
    """Per new commune: the old units it is made of (``n_old``), those split (``n_partial``)
    and those with a polygon here (``n_old_with_polygon``)."""
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
    return stats


def _unions(geo: gpd.GeoDataFrame, att: pd.DataFrame, wanted: pd.Index, crs):
    """The unions of the old polygons: of the parts merged whole (``core``, with how many
    retired-code polygons were added to each), and for the communes with no whole part, of the
    split communes they take a share of (``envelope``)."""
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
        else gpd.GeoSeries([], crs=crs)
    )
    return core, n_added, envelope


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
