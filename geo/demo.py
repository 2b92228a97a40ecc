"""The SYNTHETIC demo layers (sites and fibre for Điện Biên and Lai Châu).

They are made by ``data/make_synthetic.py`` with a fixed seed and are not real data: every
layer built from them is labelled synthetic. The sites are in ``data/sites/`` beside the
template a planner fills; the fibre in ``data/synthetic/``. A planner's own files replace them.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import paths, sites

SITES_FILE = "data/sites/sites_dienbien_laichau_synthetic.csv"
FIBRE_FILE = "data/synthetic/fibre_dienbien_laichau_synthetic.csv"
LABEL_VI = "Dữ liệu mô phỏng (minh họa, không phải dữ liệu thật)"
"""How a synthetic layer is labelled (glossary: "mô phỏng", never "tổng hợp")."""
LABEL_EN = "Synthetic (demo, not real data)"


def synthetic_sites(province_code: str) -> gpd.GeoDataFrame:
    """The synthetic sites of a province (empty frame for provinces without any)."""
    df = pd.read_csv(
        paths.package_data() / SITES_FILE.removeprefix("data/"),
        dtype={"province_code": str, "site_id": str},
    )
    df = df[df["province_code"] == province_code]
    gdf = gpd.GeoDataFrame(
        {
            "site_id": df["site_id"].to_numpy(),
            "operator": df["operator"].to_numpy(),
            "technology": df["technology"].to_numpy(),
            "on_air_date": pd.to_datetime(df["on_air_date"]).to_numpy(),
        },
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs="EPSG:4326",
    )
    return sites.validate_sites(gdf, file=SITES_FILE) if len(gdf) else gdf


def synthetic_fibre(province_code: str) -> pd.DataFrame:
    """The synthetic FTTH villages of a province: ``village_id``, ``operator``, ``source``."""
    df = pd.read_csv(paths.package_data() / FIBRE_FILE.removeprefix("data/"), dtype=str)
    return df[df["province_code"] == province_code][["village_id", "operator", "source"]]
