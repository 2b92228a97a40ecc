"""The terrain model on frames: villages covered by sites over a DEM, and coverage rasters.

Thin wrappers over :mod:`geo.terrain.kernels`: sites and villages are projected to the DEM's
CRS, paired within each site's range (a shapely STRtree ``dwithin`` query, as the radius
model), and every pair's path loss (free space + Bullington diffraction, ITU-R P.526) is
computed in one parallel kernel call. A pair is covered when its loss is at most the
technology's maximum path loss (:data:`MAX_PATH_LOSS_DB`, a setting the planner can change).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError
from geo.terrain.dem import Dem
from geo.vocab import Evidence

__all__ = [
    "DEFAULT_ANTENNA_HEIGHT_M",
    "FREQUENCY_MHZ",
    "MAX_PATH_LOSS_DB",
    "RECEIVER_HEIGHT_M",
    "coverage_rasters",
    "effective_radius",
    "on_dem",
    "pair_table",
    "terrain_coverage",
]

DEFAULT_ANTENNA_HEIGHT_M = 30.0
"""Antenna height above ground of a site whose list gives none."""

RECEIVER_HEIGHT_M = 1.5
"""A handset's height above ground."""

FREQUENCY_MHZ: dict[str, float] = {"2G": 900.0, "3G": 2100.0, "4G": 1800.0, "5G": 3500.0}
"""Carrier frequency per technology, the bands Vietnam's operators use most (GSM 900, UMTS
2100, LTE band 3, NR n78)."""

MAX_PATH_LOSS_DB: dict[str, float] = {"2G": 150.0, "3G": 140.0, "4G": 140.0, "5G": 130.0}
"""Largest path loss (free space + diffraction, dB) at which a village counts as covered, per
technology. Assumed link budgets without clutter or building loss (about 140 dB for LTE
outdoors); the planner changes them in the settings."""


def effective_radius(k: float | None = None) -> float:
    """The effective Earth radius in metres, ``k · 6 371 km`` (k = 4/3 by default)."""
    from geo.terrain import kernels

    return (kernels.K_FACTOR if k is None else k) * kernels.EARTH_RADIUS_M


def _threads() -> int:
    import numba

    return max(int(numba.get_num_threads()), 1)


def _project(frame: gpd.GeoDataFrame, dem: Dem) -> tuple[np.ndarray, np.ndarray]:
    geo = frame.geometry
    if geo.crs is None:
        geo = geo.set_crs(4326)
    g = geo.to_crs(dem.crs)
    return shapely.get_x(g.values), shapely.get_y(g.values)


def _heights(sites: pd.DataFrame) -> np.ndarray:
    """Each site's antenna height: its ``antenna_height_m`` where given and positive, else
    :data:`DEFAULT_ANTENNA_HEIGHT_M`."""
    if "antenna_height_m" not in sites.columns:
        return np.full(len(sites), DEFAULT_ANTENNA_HEIGHT_M)
    h = pd.to_numeric(sites["antenna_height_m"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(h) & (h > 0), h, DEFAULT_ANTENNA_HEIGHT_M)


def on_dem(points: gpd.GeoDataFrame, dem: Dem) -> pd.Series:
    """Whether each point stands on the DEM (its elevation is known).

    Returns
    -------
    pandas.Series
        Bool, named ``on_dem``, indexed like ``points``.
    """
    ok = np.zeros(len(points), dtype=bool)
    has = ~(points.geometry.isna() | points.geometry.is_empty).to_numpy()
    if has.any():
        x, y = _project(points[has], dem)
        col, row = dem.grid_position(x, y)
        ok[has] = np.isfinite(_sample(dem.elevation, col, row))
    return pd.Series(ok, index=points.index, name="on_dem")


def _sample(z: np.ndarray, col: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Bilinear samples of ``z`` (NaN outside or next to no data), vectorised."""
    ny, nx = z.shape
    inside = (col >= 0) & (row >= 0) & (col <= nx - 1) & (row <= ny - 1)
    c = np.clip(col, 0, nx - 1)
    r = np.clip(row, 0, ny - 1)
    c0 = np.minimum(np.floor(c).astype(int), max(nx - 2, 0))
    r0 = np.minimum(np.floor(r).astype(int), max(ny - 2, 0))
    c1 = np.minimum(c0 + 1, nx - 1)
    r1 = np.minimum(r0 + 1, ny - 1)
    fc, fr = c - c0, r - r0
    top = z[r0, c0] * (1 - fc) + z[r0, c1] * fc
    bottom = z[r1, c0] * (1 - fc) + z[r1, c1] * fc
    out = top * (1 - fr) + bottom * fr
    return np.where(inside, out, np.nan)


def pair_table(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    dem: Dem,
    *,
    radii: Mapping[str, float],
    frequencies: Mapping[str, float] = FREQUENCY_MHZ,
    k: float | None = None,
) -> pd.DataFrame:
    """Every (village, site) pair within the site's range, with its path loss over the DEM.

    Parameters
    ----------
    villages
        Point geometry, EPSG:4326 (any CRS works).
    sites
        Sites with ``technology`` (and ``antenna_height_m``), of the technologies of ``radii``.
    dem
        The province's DEM.
    radii
        Range in metres per technology: a site's pairs are cropped to it.
    frequencies
        Carrier frequency per technology (MHz).
    k
        Effective Earth-radius factor (4/3 by default).

    Returns
    -------
    pandas.DataFrame
        ``village`` and ``site`` (positions in the inputs), ``distance_m``, ``loss_db`` (NaN
        when an end is off the DEM) and ``los`` (bool).
    """
    from geo.terrain import kernels

    columns = ["village", "site", "distance_m", "loss_db", "los"]
    vg = villages.geometry
    keep_v = np.flatnonzero(~(vg.isna() | vg.is_empty).to_numpy())
    sg = sites.geometry
    tech = sites["technology"].astype(str).to_numpy()
    radius = pd.Series(tech).map(dict(radii)).to_numpy(dtype=float)
    keep_s = np.flatnonzero(~(sg.isna() | sg.is_empty).to_numpy() & np.isfinite(radius))
    if not len(keep_v) or not len(keep_s):
        return pd.DataFrame({c: [] for c in columns})
    vx, vy = _project(villages.iloc[keep_v], dem)
    sx, sy = _project(sites.iloc[keep_s], dem)
    tree = shapely.STRtree(shapely.points(vx, vy))
    s_idx, v_idx = tree.query(shapely.points(sx, sy), predicate="dwithin", distance=radius[keep_s])
    vcol, vrow = dem.grid_position(vx[v_idx], vy[v_idx])
    scol, srow = dem.grid_position(sx[s_idx], sy[s_idx])
    site_pos = keep_s[s_idx]
    freq = pd.Series(tech[site_pos]).map(dict(frequencies)).to_numpy(dtype=float)
    if np.isnan(freq).any():
        raise InputError(
            "no frequency for some technologies",
            "Thiếu tần số cho một số công nghệ",
            field="frequencies",
        )
    dx, dy = dem.cell_size
    loss, los = kernels.pair_losses(
        dem.elevation,
        dx,
        dy,
        scol,
        srow,
        _heights(sites)[site_pos],
        vcol,
        vrow,
        np.full(len(v_idx), RECEIVER_HEIGHT_M),
        freq,
        min(dx, dy),
        effective_radius(k),
    )
    return pd.DataFrame(
        {
            "village": keep_v[v_idx],
            "site": site_pos,
            "distance_m": np.hypot(vx[v_idx] - sx[s_idx], vy[v_idx] - sy[s_idx]),
            "loss_db": loss,
            "los": los,
        }
    )


def terrain_coverage(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    dem: Dem,
    *,
    operators: Iterable[str],
    radii: Mapping[str, float],
    max_path_loss: Mapping[str, float] = MAX_PATH_LOSS_DB,
    frequencies: Mapping[str, float] = FREQUENCY_MHZ,
    k: float | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Which operators cover each village according to the terrain model.

    A village is covered by an operator when, for one of its sites within range, the path loss
    (free space + Bullington diffraction over the DEM's profile, with Earth curvature k = 4/3,
    from the antenna to a receiver 1.5 m above ground) is at most the technology's
    ``max_path_loss``. A pair with an end off the DEM keeps the radius model's answer
    (covered, since it is within range).

    Parameters
    ----------
    villages, sites, dem, radii, frequencies, k
        As in :func:`pair_table`; ``sites`` already filtered to the technologies that count.
    operators
        The operator columns of the result.
    max_path_loss
        Largest loss in dB per technology.

    Returns
    -------
    (pandas.DataFrame, pandas.Series)
        One bool column per operator, indexed like ``villages``; and the evidence per village
        (:class:`~geo.vocab.Evidence`: TERRAIN where the village stands on the DEM, RADIUS
        elsewhere), named ``evidence``.
    """
    operators = list(operators)
    pairs = pair_table(villages, sites, dem, radii=radii, frequencies=frequencies, k=k)
    covered = np.zeros((len(villages), len(operators)), dtype=bool)
    if len(pairs):
        site_pos = pairs["site"].to_numpy()
        tech = sites["technology"].astype(str).to_numpy()[site_pos]
        limit = pd.Series(tech).map(dict(max_path_loss)).to_numpy(dtype=float)
        loss = pairs["loss_db"].to_numpy()
        ok = np.where(np.isnan(loss), True, loss <= limit)
        op = pd.Categorical(sites["operator"].to_numpy()[site_pos], categories=operators).codes
        hit = ok & (op >= 0)
        covered[pairs["village"].to_numpy()[hit], op[hit]] = True
    out = pd.DataFrame(covered, index=villages.index, columns=operators)
    evidence = np.where(on_dem(villages, dem).to_numpy(), Evidence.TERRAIN, Evidence.RADIUS)
    return out, pd.Series(evidence, index=villages.index, name="evidence", dtype=object)


def coverage_rasters(
    sites: gpd.GeoDataFrame,
    dem: Dem,
    *,
    radii: Mapping[str, float],
    frequencies: Mapping[str, float] = FREQUENCY_MHZ,
    k: float | None = None,
    threads: int | None = None,
) -> dict[str, np.ndarray]:
    """Path loss, best server and line-of-sight count on the DEM's grid for a set of sites.

    Every site sweeps its window (its range) in parallel (:func:`geo.terrain.kernels.best_server`).

    Parameters
    ----------
    sites
        The sites (e.g. one operator's of one technology).
    dem, radii, frequencies, k
        As in :func:`pair_table`.
    threads
        Parallel groups of sites (numba's thread count by default).

    Returns
    -------
    dict
        ``loss`` (float32 dB, NaN where no site reaches), ``server`` (int32 position of the best
        site in ``sites``, -1 where none) and ``visible`` (uint8 number of sites in line of
        sight), each shaped like ``dem.elevation``.
    """
    from geo.terrain import kernels

    ny, nx = dem.elevation.shape
    if not len(sites):
        return {
            "loss": np.full((ny, nx), np.nan, dtype=np.float32),
            "server": np.full((ny, nx), -1, dtype=np.int32),
            "visible": np.zeros((ny, nx), dtype=np.uint8),
        }
    x, y = _project(sites, dem)
    col, row = dem.grid_position(x, y)
    tech = sites["technology"].astype(str)
    radius = tech.map(dict(radii)).to_numpy(dtype=float)
    freq = tech.map(dict(frequencies)).to_numpy(dtype=float)
    dx, dy = dem.cell_size
    n = threads or _threads()
    loss, server, visible = kernels.best_server(
        dem.elevation,
        dx,
        dy,
        col,
        row,
        _heights(sites),
        RECEIVER_HEIGHT_M,
        radius,
        freq,
        effective_radius(k),
        n,
    )
    return {"loss": loss, "server": server, "visible": visible}
