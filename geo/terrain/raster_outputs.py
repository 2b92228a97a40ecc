"""The terrain model's rasters for a province: path loss, covered/not, best server, and the
population covered per commune (census spread by WorldPop × the coverage raster).
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.terrain.committed import committed_dems
from geo.terrain.dem import Dem, write_cog
from geo.terrain.model import MAX_PATH_LOSS_DB, coverage_rasters

__all__ = ["population_covered", "province_rasters", "write_rasters"]


def province_rasters(
    sites: gpd.GeoDataFrame,
    dem: Dem,
    *,
    radii: Mapping[str, float],
    max_path_loss: Mapping[str, float] = MAX_PATH_LOSS_DB,
) -> dict[str, np.ndarray]:
    """Path loss, covered (uint8 1/0, 255 where nothing reaches) and best server of ``sites``
    (one operator and technology) on the DEM's grid.

    Returns
    -------
    dict
        :func:`geo.terrain.model.coverage_rasters`'s ``loss``, ``server``, ``visible`` and
        ``covered``.
    """
    out = coverage_rasters(sites, dem, radii=radii)
    limit = np.full(out["loss"].shape, np.inf, dtype=np.float32)
    if len(sites):
        tech = sites["technology"].astype(str).to_numpy()
        per_site = pd.Series(tech).map(dict(max_path_loss)).to_numpy(dtype=np.float32)
        has = out["server"] >= 0
        limit[has] = per_site[out["server"][has]]
    covered = np.full(out["loss"].shape, 255, dtype=np.uint8)
    reached = np.isfinite(out["loss"])
    covered[reached] = (out["loss"][reached] <= limit[reached]).astype(np.uint8)
    out["covered"] = covered
    return out


def population_covered(
    communes: gpd.GeoDataFrame, covered: np.ndarray, dem: Dem, raster_path: str | PathLike
) -> pd.Series:
    """The census population of each commune living in covered cells.

    Each commune's census count is spread over the population raster's pixels by its weights
    (WorldPop, as :func:`geo.population.population_within`), and each pixel counts by the share
    of its area the coverage raster marks covered (the coverage resampled to the population grid
    by averaging).

    Parameters
    ----------
    communes
        Communes with ``population`` (census), EPSG:4326.
    covered
        uint8 raster on ``dem``'s grid: 1 covered, 0 or 255 not.
    dem
        The grid.
    raster_path
        The population raster.

    Returns
    -------
    pandas.Series
        Float, named ``population_covered``, indexed like ``communes``.
    """
    from rasterio.warp import Resampling, reproject

    from geo import population

    grid = population._census_grid(communes, raster_path)
    share = np.zeros(grid.zones.shape, dtype=np.float32)
    reproject(
        (covered == 1).astype(np.float32),
        share,
        src_transform=dem.transform,
        src_crs=dem.crs.to_wkt(),
        dst_transform=grid.transform,
        dst_crs=(grid.crs.to_wkt() if grid.crs is not None else "EPSG:4326"),
        resampling=Resampling.average,
        src_nodata=None,
        dst_nodata=0.0,
    )
    share = np.nan_to_num(share, nan=0.0)
    sums = population.zone_sums(grid.zoned * share, grid.zones, len(communes))[1:]
    sums[grid.pixelless] = grid.totals[grid.pixelless] * share[grid.rows, grid.cols]
    return pd.Series(sums, index=communes.index, name="population_covered")


def write_rasters(
    model, imports_path, *, operator: str, technology: str, folder: Path
) -> tuple[list[Path], pd.DataFrame]:
    """Write the loss, covered and best-server rasters of one operator and technology for each
    province of the model with a committed DEM; return the files and the population covered
    per commune.

    Raises
    ------
    InputError
        No province of the model has a committed DEM.
    """
    from geo import registry

    codes = sorted(set(model.communes["province_code"].astype(str)))
    dems = committed_dems(imports_path, codes)
    if not dems:
        raise InputError(
            "No DEM is committed for this province: import one first "
            "(python -m geo import dem FILE.tif --province … --commit).",
            "Tỉnh chưa có DEM: hãy nhập trước "
            "(python -m geo import dem TỆP.tif --province … --commit).",
            field="--province",
        )
    synthetic = bool(model.sources.get("sites", {}).get("synthetic"))
    sites = model.sites[
        (model.sites["operator"] == operator) & (model.sites["technology"] == technology)
    ].reset_index(drop=True)
    written: list[Path] = []
    frames = []
    for code, dem in dems.items():
        out = province_rasters(sites, dem, radii=model.radii)
        tags = {
            "province_code": code,
            "operator": operator,
            "technology": technology,
            "model": "terrain: free space + Bullington (ITU-R P.526), k=4/3",
            "synthetic": str(synthetic).lower(),
        }
        stem = f"{code}_{operator}_{technology}" + ("_synthetic" if synthetic else "")
        folder.mkdir(parents=True, exist_ok=True)
        written.append(
            write_cog(
                out["loss"], dem.transform, dem.crs, folder / f"path_loss_{stem}.tif", tags=tags
            )
        )
        written.append(
            write_cog(
                out["covered"],
                dem.transform,
                dem.crs,
                folder / f"covered_{stem}.tif",
                nodata=255,
                tags=tags,
            )
        )
        written.append(
            write_cog(
                out["server"],
                dem.transform,
                dem.crs,
                folder / f"best_server_{stem}.tif",
                nodata=-1,
                tags=tags,
            )
        )
        key = folder / f"best_server_{stem}.csv"
        key_frame = pd.DataFrame(
            {
                "server": np.arange(len(sites)),
                "site_id": sites.get("site_id", pd.Series(dtype=str)),
                "synthetic": synthetic,
            }
        )
        key_frame.to_csv(key, index=False)
        written.append(key)
        communes = model.communes[model.communes["province_code"].astype(str) == code]
        communes = communes[communes["population"].notna()]
        pop = population_covered(communes, out["covered"], dem, registry.path("worldpop_2020"))
        frames.append(
            pd.DataFrame(
                {
                    "commune_code": communes["commune_code"].to_numpy(),
                    "commune": communes["commune"].to_numpy(),
                    "province_code": code,
                    "operator": operator,
                    "technology": technology,
                    "population": communes["population"].to_numpy(),
                    "population_covered": pop.round(0).to_numpy(),
                    "evidence": "terrain",
                    "synthetic_sites": synthetic,
                }
            )
        )
    return written, pd.concat(frames, ignore_index=True)
