"""The village register: villages (thôn, bản, tổ dân phố) with a stable ``village_id`` and aliases.

No official village list or code exists in Vietnam. The demo register is GeoNames' populated
places (real but partial: 40,858 points for all Vietnam), each placed in its commune by a
spatial join. Every village gets a ``village_id`` minted once from its source and source id;
the alias table records (source, source id, normalised name, commune) → ``village_id`` so that
a planner's full register can replace the demo one by re-linking through the aliases, or by
name within the commune, without dropping anything attached to a village.

Village columns
---------------
village_id
    Stable id, ``V`` + 10 hex digits of sha1("source:source_id").
village
    Name as the source writes it.
commune_code, commune, district_code, district, province_code, province, commune_2025_code, gid_3
    The pre-2025 commune the village lies in (and its 2025 unit).
location_precision
    ``point`` (the source gives coordinates) or ``commune`` (placed at the commune's
    representative point because the source gives none).
source, source_id
    Where the village comes from.
join_method
    ``within`` (point in polygon), ``nearest`` (outside every polygon, within 1 km of one),
    ``commune`` (no coordinates).
geometry
    Point, EPSG:4326.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import names, registry

log = logging.getLogger(__name__)

GEONAMES = "geonames"
NEAREST_MAX_M = 1000.0
METRIC_CRS = "EPSG:32648"

VILLAGE_COLUMNS = [
    "village_id",
    "village",
    "commune_code",
    "commune",
    "district_code",
    "district",
    "province_code",
    "province",
    "commune_2025_code",
    "gid_3",
    "location_precision",
    "source",
    "source_id",
    "join_method",
    "geometry",
]
ALIAS_COLUMNS = ["source", "source_id", "village_id", "name_key", "commune_code", "gid_3"]
_COMMUNE_ATTRS = [
    "commune_code",
    "commune",
    "district_code",
    "district",
    "province_code",
    "province",
    "commune_2025_code",
    "gid_3",
]
#: A village and its place (pre-2025 commune, district, province): the head of the export
#: schemas of the village layers.
PLACE_COLUMNS = [
    "village_id",
    "village",
    "commune",
    "commune_code",
    "district",
    "district_code",
    "province",
    "province_code",
]
#: The register's columns of the exported village layer (and of an imported register).
EXPORT_COLUMNS = [*PLACE_COLUMNS, "location_precision", "source", "source_id"]

REGISTER_NOTE_VI = (
    "Danh sách thôn/bản minh họa lấy từ GeoNames (geonames.org, CC BY 4.0, bản xuất 15/01/2020): "
    "dữ liệu thật nhưng KHÔNG đầy đủ, không phải danh mục thôn/bản chính thức."
)
REGISTER_NOTE_EN = (
    "Demo village register from GeoNames (geonames.org, CC BY 4.0, export of 15/01/2020): real "
    "but PARTIAL data, not an official village list."
)


@dataclass
class Register:
    """A village register and its aliases."""

    villages: gpd.GeoDataFrame
    aliases: pd.DataFrame
    note_vi: str = REGISTER_NOTE_VI
    note_en: str = REGISTER_NOTE_EN


def mint_ids(source: str | pd.Series, source_id: pd.Series) -> pd.Series:
    """Stable village ids from source and source id (the same input always gives the same id)."""
    src = source if isinstance(source, pd.Series) else pd.Series(source, index=source_id.index)
    keys = src.astype(str) + ":" + source_id.astype(str)
    return keys.map(lambda k: "V" + hashlib.sha1(k.encode()).hexdigest()[:10].upper())


def read_geonames(bbox: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """GeoNames populated places of Vietnam as points.

    Parameters
    ----------
    bbox
        (minx, miny, maxx, maxy) in degrees to keep only points inside it.

    Returns
    -------
    GeoDataFrame
        ``source_id`` (geonameid), ``village`` (GeoNames name), ``asciiname``, ``feature_code``,
        Point geometry in EPSG:4326.
    """
    df = pd.read_csv(registry.path("geonames_places"), dtype=str, keep_default_na=False)
    lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy()
    lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy()
    keep = np.isfinite(lon) & np.isfinite(lat)
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        keep &= (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
    df = df.loc[keep]
    return gpd.GeoDataFrame(
        {
            "source_id": df["geonameid"].to_numpy(),
            "village": df["name"].to_numpy(),
            "asciiname": df["asciiname"].to_numpy(),
            "feature_code": df["feature_code"].to_numpy(),
        },
        geometry=gpd.points_from_xy(lon[keep], lat[keep]),
        crs="EPSG:4326",
    )


def place_in_communes(
    points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *, max_distance_m: float = NEAREST_MAX_M
) -> pd.DataFrame:
    """Find the commune each point lies in.

    Points inside a polygon take it (``within``); points inside none but within
    ``max_distance_m`` of one take the nearest (``nearest``: border points where GADM's
    generalised lines cut off a settlement); the others get no commune.

    Returns
    -------
    DataFrame
        Aligned to ``points.index``: ``commune_index`` (label in ``communes.index`` or <NA>),
        ``join_method``, ``join_distance_m``.
    """
    pts = points[[points.geometry.name]]
    polys = communes[[communes.geometry.name]]
    hit = gpd.sjoin(pts, polys, how="left", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")]
    out = pd.DataFrame(index=points.index)
    out["commune_index"] = hit["index_right"].reindex(points.index).astype("Int64")
    out["join_method"] = np.where(out["commune_index"].notna(), "within", None)
    out["join_distance_m"] = np.where(out["commune_index"].notna(), 0.0, np.nan)
    rest = out["commune_index"].isna()
    if rest.any() and max_distance_m > 0:
        near = gpd.sjoin_nearest(
            pts.loc[rest].to_crs(METRIC_CRS),
            polys.to_crs(METRIC_CRS),
            how="inner",
            max_distance=max_distance_m,
            distance_col="dist",
        )
        near = near[~near.index.duplicated(keep="first")]
        out.loc[near.index, "commune_index"] = near["index_right"].astype("Int64")
        out.loc[near.index, "join_method"] = "nearest"
        out.loc[near.index, "join_distance_m"] = near["dist"].round(1)
    return out


def build_register(
    communes: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame | None = None,
    *,
    source: str = GEONAMES,
    neighbours: gpd.GeoDataFrame | None = None,
) -> Register:
    """The demo register: GeoNames points placed in ``communes``.

    Points inside a polygon of ``neighbours`` (communes of other provinces) belong there and
    are left out; points inside none but within 1 km of one of ``communes`` take the nearest
    (border settlements cut off by GADM's generalised lines); the others are left out.
    """
    if points is None:
        minx, miny, maxx, maxy = communes.total_bounds
        pad = 0.02
        points = read_geonames((minx - pad, miny - pad, maxx + pad, maxy + pad))
    if neighbours is not None and len(neighbours):
        # Points inside a commune of another province are that province's, not the nearest.
        outside = neighbours[~neighbours["gid_3"].isin(communes["gid_3"])]
        taken = gpd.sjoin(
            points[[points.geometry.name]], outside[[outside.geometry.name]], predicate="within"
        ).index
        points = points[~points.index.isin(taken)]
    placed = place_in_communes(points, communes)
    ok = placed["commune_index"].notna()
    pts = points.loc[ok]
    cidx = placed.loc[ok, "commune_index"].astype(int).to_numpy()
    attrs = communes.loc[cidx, _COMMUNE_ATTRS].reset_index(drop=True)
    v = gpd.GeoDataFrame(
        attrs.assign(
            village=pts["village"].to_numpy(),
            source=source,
            source_id=pts["source_id"].astype(str).to_numpy(),
            location_precision="point",
            join_method=placed.loc[ok, "join_method"].to_numpy(),
        ),
        geometry=pts.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    v["village_id"] = mint_ids(v["source"], v["source_id"])
    v = v[VILLAGE_COLUMNS]
    return Register(v, aliases_for(v))


def aliases_for(villages: pd.DataFrame) -> pd.DataFrame:
    """The alias rows of a register: one per village, its source id and normalised name."""
    return pd.DataFrame(
        {
            "source": villages["source"].to_numpy(),
            "source_id": villages["source_id"].to_numpy(),
            "village_id": villages["village_id"].to_numpy(),
            "name_key": names.name_keys(villages["village"], level="village").to_numpy(),
            "commune_code": villages["commune_code"].to_numpy(),
            "gid_3": (
                villages["gid_3"]
                if "gid_3" in villages
                else pd.Series(pd.NA, index=villages.index, dtype="string")
            ).to_numpy(),
        }
    )[ALIAS_COLUMNS]


def locate_at_commune(
    rows: pd.DataFrame, communes: gpd.GeoDataFrame, *, by: str = "commune_code"
) -> gpd.GeoSeries:
    """Points for rows without coordinates: their commune's representative point (EPSG:4326)."""
    reps = communes.drop_duplicates(by).set_index(by).geometry.representative_point()
    return gpd.GeoSeries(rows[by].map(reps), index=rows.index, crs="EPSG:4326")


def match_villages(
    rows: pd.DataFrame,
    villages: pd.DataFrame,
    *,
    name_col: str = "village",
    commune_col: str = "commune_code",
    score_cutoff: float = 85.0,
) -> pd.DataFrame:
    """Match village names to the register within their commune.

    Returns
    -------
    DataFrame
        Aligned to ``rows.index``: ``village_id`` and ``register_name`` (set only for
        exact/normalised/fuzzy matches), ``village_match_status``, ``village_match_score``,
        ``village_match_candidates``.
    """
    q = pd.DataFrame(
        {"name": rows[name_col].fillna("").astype(str), "group": rows[commune_col].fillna("")},
        index=rows.index,
    )
    cand = pd.DataFrame(
        {
            "name": villages["village"].to_numpy(),
            "group": villages["commune_code"].fillna("").to_numpy(),
            "id": villages["village_id"].to_numpy(),
        }
    )
    m = names.match_within(q, cand, level="village", score_cutoff=score_cutoff)
    # "Mường Toong 6" is not "Mường Tong": a fuzzy match must keep the village's numbers.
    fuzzy = m["match_status"] == "fuzzy"
    if fuzzy.any():
        digits_q = names.name_keys(q.loc[fuzzy, "name"], level="village").str.findall(r"\d+")
        digits_m = names.name_keys(m.loc[fuzzy, "match_name"].fillna(""), level="village")
        differ = digits_q.map(tuple) != digits_m.str.findall(r"\d+").map(tuple)
        bad = differ[differ].index
        m.loc[bad, ["match_status", "match_id", "match_name"]] = ["none", pd.NA, pd.NA]
    ok = m["match_status"].isin(["exact", "normalised", "fuzzy"])
    return pd.DataFrame(
        {
            "village_id": m["match_id"].where(ok),
            "register_name": m["match_name"].where(ok),
            "village_match_status": m["match_status"],
            "village_match_score": m["match_score"],
            "village_match_candidates": m["match_candidates"],
        },
        index=rows.index,
    )


@dataclass
class LinkReport:
    """What happened when a new register replaced an old one."""

    linked_by_alias: int
    linked_by_name: int
    new: int
    kept_unlinked: pd.DataFrame  # old villages not found in the new register (kept, flagged)
    review: pd.DataFrame  # new rows with ambiguous names, given new ids, to be reviewed


def link_register(
    new_rows: gpd.GeoDataFrame, current: Register, *, source: str
) -> tuple[Register, LinkReport]:
    """Replace ``current`` by a new register, keeping every ``village_id`` that can be kept.

    A new row takes an existing ``village_id`` through an alias (same source and source id),
    else through its name within its commune (exact, normalised or unambiguous fuzzy match);
    otherwise a new id is minted. Old villages that nothing links to are kept, with
    ``in_register=False``, so nothing attached to them (assignments, fibre) is dropped.

    Parameters
    ----------
    new_rows
        ``source_id``, ``village``, ``commune_code`` and a Point geometry (or none: then the
        village is located at its commune by the caller).
    """
    rows = new_rows.copy()
    rows["source"] = source
    al = current.aliases
    key = al["source"] + "\x1f" + al["source_id"].astype(str)
    by_alias = pd.Series(al["village_id"].to_numpy(), index=key.to_numpy())
    by_alias = by_alias[~by_alias.index.duplicated()]
    rkey = rows["source"] + "\x1f" + rows["source_id"].astype(str)
    rows["village_id"] = rkey.map(by_alias)
    n_alias = int(rows["village_id"].notna().sum())
    todo = rows["village_id"].isna()
    free = current.villages[~current.villages["village_id"].isin(rows["village_id"].dropna())]
    m = match_villages(rows.loc[todo], free)
    # One old village may take only one new row: the first (best) wins, the others are new.
    m = m[m["village_id"].notna() & ~m["village_id"].duplicated()]
    rows.loc[m.index, "village_id"] = m["village_id"]
    n_name = len(m)
    fresh = rows["village_id"].isna()
    rows.loc[fresh, "village_id"] = mint_ids(
        rows.loc[fresh, "source"], rows.loc[fresh, "source_id"]
    )
    review = rows.loc[fresh].join(
        match_villages(rows.loc[fresh], free)[["village_match_status", "village_match_candidates"]]
    )
    review = review[review["village_match_status"] == "ambiguous"]
    rows["in_register"] = True
    old = current.villages[~current.villages["village_id"].isin(rows["village_id"])].copy()
    old["in_register"] = False
    merged = pd.concat([rows, old], ignore_index=True)
    villages = gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326")
    aliases = pd.concat([current.aliases, aliases_for(rows)], ignore_index=True).drop_duplicates(
        ["source", "source_id", "village_id"]
    )
    report = LinkReport(n_alias, n_name, int(fresh.sum()), old.drop(columns="geometry"), review)
    return Register(villages, aliases, current.note_vi, current.note_en), report
