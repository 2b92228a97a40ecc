"""Commune population from the 2019 census, joined to the commune polygons by names.

The census table (``admin/vn_commune_population_2019.csv``) has no GSO codes and its names lost
their spaces ("ĐiệnBiên", "MườngChà"). It is joined on compact, diacritics-free keys of the
province, district and commune names: first on (province, commune) where that pair is unique
on both sides, then on (province, district, commune), then with the commune's type (Thị trấn Mường Tè and
Xã Mường Tè share a district) — communes that changed district between
2019 and 2025 (Mường Phăng moved to TP Điện Biên Phủ) still join by the first rule.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import names, registry


def read_census() -> pd.DataFrame:
    """The census table with keys: ``province_key``, ``district_key``, ``commune_key``,
    ``population`` (int), ``ward_id``."""
    df = pd.read_csv(registry.path("population_2019"), dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "ward_id": df["ward_id"],
            "province_key": names.ascii_keys(df["city"], level="province", compact=True),
            "district_key": names.ascii_keys(df["district"], level="district", compact=True),
            "commune_key": names.ascii_keys(df["ward"], level="commune", compact=True),
            "type_key": names.ascii_keys(df["ward_title"], compact=True),
            "population": pd.to_numeric(df["total"], errors="coerce").fillna(0).astype("int64"),
        }
    )


def _unique(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df[~df.duplicated(keys, keep=False)]


def census_population(communes: gpd.GeoDataFrame, census: pd.DataFrame | None = None) -> pd.Series:
    """The 2019 census population of each commune, aligned to ``communes.index``.

    Returns
    -------
    Series
        Named ``population``, Int64; <NA> where no census row joins (reported by the caller).
    """
    census = read_census() if census is None else census
    keys = pd.DataFrame(
        {
            "province_key": names.ascii_keys(communes["province"], level="province", compact=True),
            "district_key": names.ascii_keys(
                communes["district"].fillna(""), level="district", compact=True
            ),
            "commune_key": names.ascii_keys(communes["commune"], level="commune", compact=True),
            "type_key": names.ascii_keys(communes["commune_type"].fillna(""), compact=True),
        },
        index=communes.index,
    )
    out = pd.Series(pd.NA, index=communes.index, dtype="Int64", name="population")
    rules = (
        ["province_key", "commune_key"],
        ["province_key", "district_key", "commune_key"],
        ["province_key", "district_key", "type_key", "commune_key"],
    )
    for rule in rules:
        todo = out.isna()
        if not todo.any():
            break
        right = _unique(census, rule)[[*rule, "population"]]
        left = _unique(keys.loc[todo], rule)
        joined = left.reset_index().merge(right, on=rule, how="inner").set_index("index")
        out.loc[joined.index] = joined["population"].astype("int64")
    return out
