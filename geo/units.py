"""Administrative units of Vietnam before and after 01/07/2025.

Pre-2025 units are the default everywhere: provinces (``province_code``, 2 digits), districts
(``district_code``, 3 digits) and communes (``commune_code``, 5 digits), codes as strings with
their leading zeros, names from the official GSO list. Each commune also carries the unit it
belongs to from 01/07/2025 (``commune_2025_code``, ``commune_2025``, ``province_2025_code``).

Commune columns (:func:`read_communes`)
---------------------------------------
commune_code, commune, commune_type, district_code, district, province_code, province
    GSO codes and official names (GADM names re-spaced where GSO has none).
gid_3
    The GADM polygon id (unique; ``commune_code`` is missing for 614 polygons nationally).
code_status
    ``current`` (in the GSO list of 01/03/2025), ``retired`` (merged away before 2025) or
    ``missing`` (GADM polygon without a GSO code).
commune_2025_code, commune_2025, province_2025_code, province_2025
    The unit from 01/07/2025.
commune_2025_method
    ``mapping`` (the commune merged whole into one new commune), ``split`` (split between
    several new communes, listed in ``commune_2025_candidates``; no single code is set),
    ``overlap`` (code retired or missing: the new commune sharing most of the polygon's
    border, measured as the overlap of the polygon buffered by 100 m) or ``none``.
geometry
    MultiPolygon, EPSG:4326.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import names, registry
from geo.errors import AmbiguousUnitError, UnitNotFoundError

log = logging.getLogger(__name__)

METRIC_CRS = "EPSG:32648"  # UTM 48N: relative areas and distances in northern Vietnam
OVERLAP_BUFFER_M = 100.0

COMMUNE_COLUMNS = [
    "commune_code",
    "commune",
    "commune_type",
    "district_code",
    "district",
    "province_code",
    "province",
    "gid_3",
    "code_status",
    "commune_2025_code",
    "commune_2025",
    "province_2025_code",
    "province_2025",
    "commune_2025_method",
    "commune_2025_candidates",
    "geometry",
]

_GADM_TYPES = {"Thịtrấn": "Thị trấn", "Thịxã": "Thị xã", "Thànhphố": "Thành phố"}


def _respace(glued: pd.Series) -> pd.Series:
    """Re-insert the spaces GADM lost: a space before each capital ("NậmLoỏng" → "Nậm Loỏng")."""

    def one(s: str) -> str:
        return "".join(
            " " + ch if ch.isupper() and i and not s[i - 1].isspace() and s[i - 1] != "(" else ch
            for i, ch in enumerate(s)
        ).strip()

    return glued.fillna("").map(one)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def gso_units() -> pd.DataFrame:
    """The GSO code list of 01/03/2025 (10,047 communes), columns in the project's names."""
    df = pd.read_csv(registry.path("gso_units_pre2025"), dtype=str, keep_default_na=False)
    return df.rename(
        columns={
            "ma_tinh": "province_code",
            "ten_tinh": "province",
            "ma_huyen": "district_code",
            "ten_huyen": "district",
            "ma_xa": "commune_code",
            "ten_xa": "commune",
            "loai_xa": "commune_type",
            "loai_tinh": "province_type",
            "loai_huyen": "district_type",
        }
    )


@lru_cache(maxsize=1)
def mapping_2025() -> pd.DataFrame:
    """Old commune → new commune from 01/07/2025 (one row per pair; ``kind`` full/partial)."""
    df = pd.read_csv(registry.path("mapping_2025"), dtype=str, keep_default_na=False)
    return df.rename(
        columns={
            "ma_xa_cu": "commune_code",
            "ma_xa_moi": "commune_2025_code",
            "ten_xa_moi": "commune_2025",
            "ma_tinh_moi": "province_2025_code",
            "ten_tinh_moi": "province_2025",
            "kieu": "kind",
        }
    )


@lru_cache(maxsize=1)
def units_2025() -> pd.DataFrame:
    """The 3,321 communes and 34 provinces from 01/07/2025."""
    df = pd.read_csv(registry.path("units_2025"), dtype=str, keep_default_na=False)
    return df.rename(
        columns={
            "ma_tinh_moi": "province_2025_code",
            "ten_tinh_moi": "province_2025",
            "ma_xa_moi": "commune_2025_code",
            "ten_xa_moi": "commune_2025",
            "n_don_vi_cu": "n_old",
            "ma_xa_cu": "commune_codes_old",
            "kieu": "kinds",
        }
    )


def provinces_table() -> pd.DataFrame:
    """The 63 pre-2025 provinces: ``province_code``, ``province`` (official name)."""
    g = gso_units()
    return (
        g[["province_code", "province"]]
        .drop_duplicates("province_code")
        .sort_values("province_code")
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------------------------------------
# Communes
# ---------------------------------------------------------------------------------------------


def read_communes(province_codes: list[str] | str | None = None) -> gpd.GeoDataFrame:
    """Read the pre-2025 commune polygons with GSO codes and their 2025 unit.

    Parameters
    ----------
    province_codes
        Only these provinces (GSO codes); all Vietnam when ``None``.

    Returns
    -------
    GeoDataFrame
        The columns of the module docstring, EPSG:4326, index reset.
    """
    if isinstance(province_codes, str):
        province_codes = [province_codes]
    where = None
    if province_codes:
        codes = ",".join(f"'{c}'" for c in province_codes if re.fullmatch(r"\d{2}", c))
        where = f"ma_tinh IN ({codes})"
    raw = gpd.read_file(
        registry.path("communes_pre2025"),
        engine="pyogrio",
        where=where,
        columns=[
            "gid_3",
            "gid_2",
            "ma_tinh",
            "ma_huyen",
            "ma_xa",
            "ten_tinh_gso",
            "ten_huyen_gso",
            "ten_xa_gso",
            "loai_xa_gso",
            "ma_xa_con_hieu_luc_2025",
            "type_3",
            "name_3_gadm",
        ],
    )
    return _build_communes(raw)


def read_communes_bbox(bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Commune polygons of any province intersecting ``bbox`` (geometry and ids only)."""
    return gpd.read_file(
        registry.path("communes_pre2025"),
        engine="pyogrio",
        bbox=bbox,
        columns=["gid_3", "ma_tinh", "ma_xa"],
    ).rename(columns={"ma_tinh": "province_code", "ma_xa": "commune_code"})


def _build_communes(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    raw = raw.reset_index(drop=True)
    gadm_type = raw["type_3"].replace(_GADM_TYPES)
    gadm_name = _respace(raw["name_3_gadm"].str.replace(r"\(.*\)$", "", regex=True))
    df = pd.DataFrame(
        {
            "commune_code": raw["ma_xa"].astype("string"),
            "commune": raw["ten_xa_gso"].where(
                raw["ten_xa_gso"].notna(), gadm_type + " " + gadm_name
            ),
            "commune_type": raw["loai_xa_gso"].where(raw["loai_xa_gso"].notna(), gadm_type),
            "district_code": raw["ma_huyen"].astype("string"),
            "district": raw["ten_huyen_gso"],
            "province_code": raw["ma_tinh"].astype("string"),
            "province": raw["ten_tinh_gso"],
            "gid_3": raw["gid_3"],
        }
    )
    # Polygons without a GSO code take the district most of their GADM district's communes have.
    missing = df["district_code"].isna()
    if missing.any():
        known = df.loc[~missing].assign(gid_2=raw.loc[~missing, "gid_2"])
        majority = (
            known.groupby(["gid_2", "district_code", "district"])
            .size()
            .rename("n")
            .reset_index()
            .sort_values("n", ascending=False)
            .drop_duplicates("gid_2")
            .set_index("gid_2")
        )
        g2 = raw.loc[missing, "gid_2"]
        df.loc[missing, "district_code"] = g2.map(majority["district_code"]).to_numpy()
        df.loc[missing, "district"] = g2.map(majority["district"]).to_numpy()
    df["code_status"] = np.select(
        [df["commune_code"].isna(), raw["ma_xa_con_hieu_luc_2025"].eq("True")],
        ["missing", "current"],
        "retired",
    )
    gdf = gpd.GeoDataFrame(df, geometry=raw.geometry.values, crs=raw.crs).to_crs("EPSG:4326")
    return _attach_2025(gdf)


def _attach_2025(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add the 2025 unit: from the mapping where the code is in it, else by largest overlap."""
    m = mapping_2025()
    grouped = m.groupby("commune_code").agg(
        n=("commune_2025_code", "size"),
        commune_2025_code=("commune_2025_code", "first"),
        commune_2025=("commune_2025", "first"),
        province_2025_code=("province_2025_code", "first"),
        province_2025=("province_2025", "first"),
        candidates=("commune_2025_code", ";".join),
    )
    j = grouped.reindex(communes["commune_code"].astype(object))
    j.index = communes.index
    split = j["n"].gt(1).to_numpy()
    mapped = j["n"].eq(1).to_numpy()
    out = communes.copy()
    out["commune_2025_code"] = j["commune_2025_code"].where(mapped).astype("string")
    out["commune_2025"] = j["commune_2025"].where(mapped).astype("string")
    out["province_2025_code"] = j["province_2025_code"].astype("string")
    out["province_2025"] = j["province_2025"].astype("string")
    out["commune_2025_method"] = np.select([mapped, split], ["mapping", "split"], "none")
    out["commune_2025_candidates"] = j["candidates"].where(split, "").fillna("")
    orphan = out["commune_2025_method"].eq("none") & out["code_status"].ne("current")
    if orphan.any():
        out = _overlap_2025(out, orphan.to_numpy())
    return out[COMMUNE_COLUMNS]


def _overlap_2025(communes: gpd.GeoDataFrame, orphan: np.ndarray) -> gpd.GeoDataFrame:
    """Give polygons whose code was retired or is missing the new commune they share most with.

    The polygon is buffered by :data:`OVERLAP_BUFFER_M` and intersected with its neighbours that
    have a 2025 unit; the areas are summed by new commune and the largest wins. Old communes do
    not overlap, so this measures the length of shared border, vectorised over all orphans.
    """
    metric = communes.to_crs(METRIC_CRS)
    orphans = metric.loc[orphan]
    donors = metric.loc[metric["commune_2025_method"].eq("mapping")]
    grown = orphans.geometry.buffer(OVERLAP_BUFFER_M)
    tree = shapely.STRtree(donors.geometry.values)
    o_idx, d_idx = tree.query(grown.values, predicate="intersects")
    if len(o_idx) == 0:
        return communes
    area = shapely.area(shapely.intersection(grown.values[o_idx], donors.geometry.values[d_idx]))
    pairs = pd.DataFrame(
        {
            "orphan": orphans.index.to_numpy()[o_idx],
            "commune_2025_code": donors["commune_2025_code"].to_numpy()[d_idx],
            "area": area,
        }
    )
    best = (
        pairs.groupby(["orphan", "commune_2025_code"], as_index=False)["area"]
        .sum()
        .sort_values("area", ascending=False)
        .drop_duplicates("orphan")
        .set_index("orphan")["commune_2025_code"]
    )
    info = units_2025().drop_duplicates("commune_2025_code").set_index("commune_2025_code")
    out = communes.copy()
    idx = best.index
    out.loc[idx, "commune_2025_code"] = best.to_numpy()
    out.loc[idx, "commune_2025"] = best.map(info["commune_2025"]).to_numpy()
    out.loc[idx, "province_2025_code"] = best.map(info["province_2025_code"]).to_numpy()
    out.loc[idx, "province_2025"] = best.map(info["province_2025"]).to_numpy()
    out.loc[idx, "commune_2025_method"] = "overlap"
    return out


def districts(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """District polygons dissolved from ``communes`` by the GSO district code."""
    d = communes.dissolve(
        by="district_code",
        aggfunc={
            "district": "first",
            "province_code": "first",
            "province": "first",
            "commune_code": "count",
        },
    )
    return d.rename(columns={"commune_code": "communes"}).reset_index()


# ---------------------------------------------------------------------------------------------
# Names and codes
# ---------------------------------------------------------------------------------------------


def resolve_province(text: str) -> tuple[str, str]:
    """Resolve a province given by GSO code or by name in any spelling.

    Parameters
    ----------
    text
        "11", "Điện Biên", "Tỉnh Điện Biên", "dien bien", "DienBien" …

    Returns
    -------
    (province_code, province)

    Raises
    ------
    UnitNotFoundError, AmbiguousUnitError
    """
    table = provinces_table()
    t = (text or "").strip()
    if re.fullmatch(r"\d{1,2}", t):
        code = t.zfill(2)
        hit = table[table["province_code"] == code]
        if len(hit):
            return code, hit["province"].iloc[0]
        raise UnitNotFoundError(
            f"No province has GSO code {code!r}.",
            f"Không có tỉnh nào mang mã {code!r}.",
            field="province",
        )
    q = pd.DataFrame({"name": [t]})
    cand = table.rename(columns={"province": "name", "province_code": "id"})
    m = names.match_within(q, cand, level="province", query_group=None, cand_group=None)
    status = m["match_status"].iloc[0]
    if status in ("exact", "normalised", "fuzzy"):
        code = m["match_id"].iloc[0]
        return code, table.set_index("province_code").loc[code, "province"]
    if status == "ambiguous":
        raise AmbiguousUnitError(
            f"Province {t!r} matches several provinces ({m['match_candidates'].iloc[0]}); give its "
            "GSO code.",
            f"Tên tỉnh {t!r} khớp với nhiều tỉnh ({m['match_candidates'].iloc[0]}); hãy nhập mã tỉnh.",
            field="province",
        )
    raise UnitNotFoundError(
        f"No province matches {t!r}. Give a name such as 'Điện Biên' or a GSO code such as '11'.",
        f"Không tìm thấy tỉnh {t!r}. Nhập tên như 'Điện Biên' hoặc mã như '11'.",
        field="province",
    )


def commune_candidates(
    province_code: str, communes: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Communes a pre-2025 name can resolve to in a province: the GSO list of 01/03/2025 plus the
    polygons' codes retired before it (plans from 2020 name communes merged since)."""
    g = gso_units()
    g = g[g["province_code"] == province_code][
        ["commune_code", "commune", "district_code", "district", "province_code"]
    ]
    if communes is not None:
        extra = communes[
            (communes["province_code"] == province_code) & communes["commune_code"].notna()
        ][["commune_code", "commune", "district_code", "district", "province_code"]]
        extra = extra[~extra["commune_code"].isin(g["commune_code"])]
        g = pd.concat([g, pd.DataFrame(extra)], ignore_index=True)
    return g.reset_index(drop=True)


def resolve_communes(
    rows: pd.DataFrame,
    province_code: str,
    communes: gpd.GeoDataFrame | None = None,
    *,
    commune_col: str = "commune",
    district_col: str | None = "district",
) -> pd.DataFrame:
    """Match each row's commune (and district, when given) to pre-2025 GSO units.

    The district is matched first within the province, then the commune within that district
    (or within the province when the row names no district). Nothing is silently accepted:
    ``match_status`` is ``exact``, ``normalised``, ``fuzzy`` (with ``match_score``),
    ``ambiguous`` or ``none``, and only the first three set ``commune_code``.

    Returns
    -------
    DataFrame
        Aligned to ``rows.index``: ``district_code``, ``district_gso``, ``district_match_status``,
        ``commune_code``, ``commune_gso``, ``match_status``, ``match_score``,
        ``match_candidates``.
    """
    cand = commune_candidates(province_code, communes)
    out = pd.DataFrame(index=rows.index)
    accepted = ("exact", "normalised", "fuzzy")
    if district_col and district_col in rows:
        dcand = cand.drop_duplicates("district_code").rename(
            columns={"district": "name", "district_code": "id"}
        )
        dq = pd.DataFrame({"name": rows[district_col].fillna("").astype(str)}, index=rows.index)
        dm = names.match_within(dq, dcand, level="district", query_group=None, cand_group=None)
        ok = dm["match_status"].isin(accepted)
        out["district_code"] = dm["match_id"].where(ok).astype("string")
        out["district_gso"] = dm["match_name"].where(ok)
        out["district_match_status"] = dm["match_status"]
        group = out["district_code"].fillna("")
    else:
        out["district_code"] = pd.NA
        out["district_gso"] = pd.NA
        out["district_match_status"] = "none"
        group = pd.Series("", index=rows.index)
    q = pd.DataFrame({"name": rows[commune_col].fillna("").astype(str), "group": group})
    by_district = q[q["group"] != ""]
    whole = q[q["group"] == ""]
    parts = []
    if len(by_district):
        c = cand.rename(columns={"commune": "name", "district_code": "group", "commune_code": "id"})
        parts.append(names.match_within(by_district, c, level="commune"))
    if len(whole):
        c = cand.rename(columns={"commune": "name", "commune_code": "id"})
        parts.append(
            names.match_within(whole, c, level="commune", query_group=None, cand_group=None)
        )
    cm = pd.concat(parts).reindex(rows.index)
    ok = cm["match_status"].isin(accepted)
    out["commune_code"] = cm["match_id"].where(ok).astype("string")
    out["commune_gso"] = cm["match_name"].where(ok)
    out["match_status"] = cm["match_status"]
    out["match_score"] = cm["match_score"]
    out["match_candidates"] = cm["match_candidates"]
    # A commune found without a district gives the district.
    info = cand.drop_duplicates("commune_code").set_index("commune_code")
    fill = out["district_code"].isna() & out["commune_code"].notna()
    out.loc[fill, "district_code"] = out.loc[fill, "commune_code"].map(info["district_code"])
    out.loc[fill, "district_gso"] = out.loc[fill, "commune_code"].map(info["district"])
    return out
