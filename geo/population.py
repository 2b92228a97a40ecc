"""Population: census counts per commune, spread over a population raster.

The census (GSO 2019) gives the count per commune; WorldPop's 1 km raster gives where people
live inside it. :func:`population_within` spreads each commune's census count over its pixels
in proportion to the raster (dasymetric mapping) and sums the pixels inside an area, e.g. the
mobile-broadband coverage of :func:`geo.coverage.coverage_buffers`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from os import PathLike

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import rasterio.windows
import shapely
from affine import Affine
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, ProblemList

__all__ = [
    "masked_sum",
    "population_within",
    "raster_sum_within",
    "rasterize_zones",
    "read_window",
    "spread_census",
    "spread_counts",
    "zone_sums",
]

# ---------------------------------------------------------------------------------------------
# Raster part: pure kernels on numpy arrays, then thin rasterio wrappers.
# ---------------------------------------------------------------------------------------------


def _clean(values: np.ndarray, nodata: float | None = None) -> np.ndarray:
    """``values`` as float64 with NaN, ±inf and ``nodata`` set to 0."""
    out = np.array(values, dtype=np.float64, copy=True)
    bad = ~np.isfinite(out)
    if nodata is not None and not math.isnan(nodata):
        bad |= out == nodata
    out[bad] = 0.0
    return out


def _check_zones(zones: np.ndarray, shape: tuple[int, ...], n_zones: int) -> np.ndarray:
    zones = np.asarray(zones)
    if zones.shape != shape:
        raise InputError(
            f"zones have shape {zones.shape}, values {shape}",
            f"Mảng vùng có kích thước {zones.shape}, mảng giá trị {shape}",
        )
    if not np.issubdtype(zones.dtype, np.integer):
        raise InputError("zones must be integers", "Mã vùng phải là số nguyên")
    if zones.size and (zones.min() < 0 or zones.max() > n_zones):
        raise InputError(
            f"zone ids must lie in 0..{n_zones}, found {zones.min()}..{zones.max()}",
            f"Mã vùng phải trong khoảng 0..{n_zones}, có {zones.min()}..{zones.max()}",
        )
    return zones.ravel().astype(np.intp, copy=False)


def zone_sums(
    values: np.ndarray, zones: np.ndarray, n_zones: int, *, nodata: float | None = None
) -> np.ndarray:
    """Sum ``values`` per zone.

    Parameters
    ----------
    values
        A raster (any shape).
    zones
        Integer zone ids of the same shape, 0 for outside every zone, 1..``n_zones`` inside.
    n_zones
        The number of zones (the largest id).
    nodata
        A value of ``values`` meaning "no data". NaN, ±inf and ``nodata`` count as 0.

    Returns
    -------
    numpy.ndarray
        Float64 of length ``n_zones + 1``, indexed by zone id: ``out[0]`` is the sum outside
        every zone, ``out[z]`` the sum in zone ``z``.
    """
    clean = _clean(values, nodata)
    z = _check_zones(zones, clean.shape, n_zones)
    return np.bincount(z, weights=clean.ravel(), minlength=n_zones + 1)


def spread_counts(weights: np.ndarray, zones: np.ndarray, zone_totals: np.ndarray) -> np.ndarray:
    """Spread each zone's total over its pixels in proportion to ``weights``.

    Each pixel of zone ``z`` gets ``zone_totals[z] * w / sum_w(z)``. A zone whose weights sum
    to 0 (no data, water, an empty raster) gets its total spread evenly over its pixels.
    Pixels outside every zone (id 0) get 0. A zone with no pixel at all cannot be placed: its
    total is missing from the result (the wrappers put it in the pixel of the zone's
    representative point, see :func:`spread_census`).

    Parameters
    ----------
    weights
        A raster of non-negative weights; NaN, ±inf and negative values count as 0.
    zones
        Integer zone ids of the same shape (0 = outside).
    zone_totals
        Totals indexed by zone id, of length ``n_zones + 1``; ``zone_totals[0]`` is ignored.

    Returns
    -------
    numpy.ndarray
        Float64, shaped like ``weights``; its sum over zone ``z`` equals ``zone_totals[z]`` for
        every zone with at least one pixel.
    """
    totals = np.array(zone_totals, dtype=np.float64, copy=True).ravel()
    n_zones = len(totals) - 1
    w = np.maximum(_clean(weights), 0.0)
    z = _check_zones(zones, w.shape, n_zones)
    totals[0] = 0.0
    weight_sum = np.bincount(z, weights=w.ravel(), minlength=n_zones + 1)
    pixel_count = np.bincount(z, minlength=n_zones + 1)
    per_weight = np.divide(totals, weight_sum, out=np.zeros_like(totals), where=weight_sum > 0)
    per_pixel = np.divide(
        totals, pixel_count, out=np.zeros_like(totals), where=(weight_sum <= 0) & (pixel_count > 0)
    )
    out = w.ravel() * per_weight[z] + per_pixel[z]
    return out.reshape(w.shape)


def masked_sum(values: np.ndarray, mask: np.ndarray) -> float:
    """Sum ``values`` where ``mask`` is True (NaN and ±inf count as 0).

    Parameters
    ----------
    values
        A raster.
    mask
        A boolean raster of the same shape.

    Returns
    -------
    float
    """
    clean = _clean(values)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != clean.shape:
        raise InputError(
            f"mask has shape {mask.shape}, values {clean.shape}",
            f"Mặt nạ có kích thước {mask.shape}, mảng giá trị {clean.shape}",
        )
    return float(clean[mask].sum())


def rasterize_zones(
    polygons: gpd.GeoSeries, transform: Affine, shape: tuple[int, int]
) -> np.ndarray:
    """Burn polygons into a grid of zone ids.

    A pixel belongs to a polygon when its centre lies inside it (``all_touched=False``), so a
    polygon smaller than a pixel may get no pixel. Where polygons overlap the later one wins
    (communes do not overlap).

    Parameters
    ----------
    polygons
        Polygons in the grid's CRS; polygon ``i`` (by position) gets id ``i + 1``. Empty or
        missing geometries keep their id and get no pixel.
    transform
        The grid's affine transform.
    shape
        The grid's (rows, columns).

    Returns
    -------
    numpy.ndarray
        int32 of ``shape``: 0 outside every polygon, else the polygon's id.
    """
    geoms = np.asarray(polygons.array if hasattr(polygons, "array") else polygons, dtype=object)
    ids = np.arange(1, len(geoms) + 1)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any() or 0 in shape:
        return np.zeros(shape, dtype=np.int32)
    return rasterio.features.rasterize(
        zip(geoms[valid], ids[valid].tolist(), strict=True),
        out_shape=shape,
        transform=transform,
        fill=0,
        all_touched=False,
        dtype="int32",
    )


def read_window(
    raster_path: str | PathLike, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, Affine]:
    """Read band 1 of a raster over ``bounds`` only.

    Parameters
    ----------
    raster_path
        A north-up single-band raster (e.g. WorldPop GeoTIFF).
    bounds
        (minx, miny, maxx, maxy) in the raster's CRS. The window is widened to whole pixels
        and clipped to the raster.

    Returns
    -------
    array : numpy.ndarray
        Float64, nodata, NaN and ±inf set to 0.
    transform : affine.Affine
        The window's transform.

    Raises
    ------
    InputError
        ``bounds`` do not overlap the raster, or the raster is rotated.
    """
    with rasterio.open(raster_path) as src:
        t = src.transform
        if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
            raise InputError(
                f"{raster_path}: only north-up rasters are supported",
                f"{raster_path}: chỉ hỗ trợ raster hướng bắc lên trên",
                file=str(raster_path),
            )
        minx, miny, maxx, maxy = bounds
        col0 = max(math.floor((minx - t.c) / t.a), 0)
        col1 = min(math.ceil((maxx - t.c) / t.a), src.width)
        row0 = max(math.floor((maxy - t.f) / t.e), 0)
        row1 = min(math.ceil((miny - t.f) / t.e), src.height)
        if col1 <= col0 or row1 <= row0:
            raise InputError(
                f"{raster_path}: the area {tuple(bounds)} lies outside the raster {tuple(src.bounds)}",
                f"{raster_path}: vùng {tuple(bounds)} nằm ngoài raster {tuple(src.bounds)}",
                file=str(raster_path),
            )
        window = rasterio.windows.Window(col0, row0, col1 - col0, row1 - row0)
        array = _clean(src.read(1, window=window), src.nodata)
        transform = Affine(t.a, 0.0, t.c + col0 * t.a, 0.0, t.e, t.f + row0 * t.e)
        return array, transform


def _raster_crs(raster_path: str | PathLike):
    with rasterio.open(raster_path) as src:
        return src.crs


def _validate_raster_communes(communes: gpd.GeoDataFrame, *, population: bool) -> None:
    """Check the communes' geometry (and census ``population``); raise one InputError."""
    problems = ProblemList()
    if population and "population" not in communes.columns:
        problems.add("column 'population' is missing", "Thiếu cột 'population'", field="population")
        problems.raise_if_any("The communes are not valid", "Dữ liệu xã không hợp lệ")
    rows = np.arange(1, len(communes) + 1)
    geoms = np.asarray(communes.geometry.array, dtype=object)
    for row in rows[shapely.is_missing(geoms) | shapely.is_empty(geoms)]:
        problems.add(
            "the commune has no boundary", "Xã không có ranh giới", row=int(row), field="geometry"
        )
    if population:
        raw = communes["population"]
        count = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(count) | (count < 0)
        for row, value in zip(rows[bad], raw.to_numpy(dtype=object)[bad], strict=True):
            problems.add(
                "population must be a non-negative number",
                "Dân số phải là số không âm",
                row=int(row),
                field="population",
                value=value,
            )
    problems.raise_if_any("The communes have errors", "Dữ liệu xã có lỗi")


def _in_raster_crs(communes: gpd.GeoDataFrame, crs) -> gpd.GeoSeries:
    geo = communes.geometry
    if geo.crs is None:
        geo = geo.set_crs(4326)
    return geo if crs is None or geo.crs.equals(crs) else geo.to_crs(crs)


@dataclass(frozen=True)
class _CensusGrid:
    """The census counts spread over the communes' raster window."""

    zoned: np.ndarray  # float64: counts spread over each commune's pixels
    zones: np.ndarray  # int32: commune position + 1, 0 outside
    transform: Affine
    crs: object
    totals: np.ndarray  # census count per commune (by position)
    pixelless: np.ndarray  # positions of communes without a pixel centre
    rows: np.ndarray  # their representative point's pixel
    cols: np.ndarray


def _census_grid(communes: gpd.GeoDataFrame, raster_path: str | PathLike) -> _CensusGrid:
    _validate_raster_communes(communes, population=True)
    crs = _raster_crs(raster_path)
    geoms = _in_raster_crs(communes, crs)
    weights, transform = read_window(raster_path, tuple(geoms.total_bounds))
    zones = rasterize_zones(geoms, transform, weights.shape)
    totals = pd.to_numeric(communes["population"]).to_numpy(dtype=np.float64)
    zoned = spread_counts(weights, zones, np.concatenate([[0.0], totals]))

    n_pixels = np.bincount(zones.ravel(), minlength=len(communes) + 1)[1:]
    pixelless = np.flatnonzero(n_pixels == 0)
    points = shapely.point_on_surface(np.asarray(geoms.array, dtype=object)[pixelless])
    # North-up grid (checked by read_window): the pixel holding (x, y).
    cols = np.floor((shapely.get_x(points) - transform.c) / transform.a).astype(np.intp)
    rows = np.floor((shapely.get_y(points) - transform.f) / transform.e).astype(np.intp)
    outside = (rows < 0) | (rows >= zones.shape[0]) | (cols < 0) | (cols >= zones.shape[1])
    if outside.any():
        problems = ProblemList(file=str(raster_path))
        for position in pixelless[outside]:
            problems.add(
                "the commune lies outside the population raster",
                "Xã nằm ngoài raster dân số",
                row=int(position) + 1,
                field="geometry",
            )
        problems.raise_if_any(
            "The raster does not cover the communes", "Raster không phủ hết các xã"
        )
    return _CensusGrid(zoned, zones, transform, crs, totals, pixelless, rows, cols)


def spread_census(
    communes: gpd.GeoDataFrame, raster_path: str | PathLike
) -> tuple[np.ndarray, Affine]:
    """Spread each commune's census count over the raster's pixels.

    Each commune's ``population`` is shared among the pixels whose centre lies in it, in
    proportion to the raster's values (:func:`spread_counts`; evenly when they are all 0 or
    nodata). A commune containing no pixel centre (small urban wards on a 1 km grid) puts its
    whole count in the pixel containing its representative point
    (:func:`shapely.point_on_surface`), so the grid's total equals the census total.

    Parameters
    ----------
    communes
        Commune polygons with a ``population`` column (census count), EPSG:4326.
    raster_path
        The population raster (weights), e.g. WorldPop 1 km.

    Returns
    -------
    counts : numpy.ndarray
        Float64 people per pixel over the communes' bounding box.
    transform : affine.Affine
        Its transform, in the raster's CRS.

    Raises
    ------
    InputError
        A commune has no boundary or no valid population, or lies outside the raster.
    """
    grid = _census_grid(communes, raster_path)
    counts = grid.zoned.copy()
    np.add.at(counts, (grid.rows, grid.cols), grid.totals[grid.pixelless])
    return counts, grid.transform


def _coverage_mask(coverage: BaseGeometry | None, grid: _CensusGrid) -> np.ndarray:
    """True for the pixels whose centre lies in ``coverage`` (EPSG:4326)."""
    if coverage is None or coverage.is_empty:
        return np.zeros(grid.zones.shape, dtype=bool)
    geom = gpd.GeoSeries([coverage], crs=4326)
    if grid.crs is not None and not geom.crs.equals(grid.crs):
        geom = geom.to_crs(grid.crs)
    return rasterio.features.geometry_mask(
        geom.array, out_shape=grid.zones.shape, transform=grid.transform, invert=True
    )


def population_within(
    communes: gpd.GeoDataFrame, coverage: BaseGeometry | None, raster_path: str | PathLike
) -> pd.Series:
    """The census population of each commune living inside ``coverage``.

    Spreads each commune's census count over its pixels (:func:`spread_census`) and sums the
    pixels whose centre lies inside ``coverage``. A commune with no pixel centre counts as
    wholly covered or not by the pixel holding its representative point. With a coverage
    holding every commune the result equals the census ``population``.

    Parameters
    ----------
    communes
        Commune polygons with ``population`` (census count), EPSG:4326.
    coverage
        The covered area in EPSG:4326, e.g. :func:`geo.coverage.coverage_buffers`; None or
        empty for nothing covered.
    raster_path
        The population raster giving where people live (e.g. WorldPop 1 km).

    Returns
    -------
    pandas.Series
        Float, named ``population_covered``, aligned to ``communes.index``.
    """
    grid = _census_grid(communes, raster_path)
    mask = _coverage_mask(coverage, grid)
    covered = zone_sums(np.where(mask, grid.zoned, 0.0), grid.zones, len(communes))[1:]
    covered[grid.pixelless] = grid.totals[grid.pixelless] * mask[grid.rows, grid.cols]
    return pd.Series(covered, index=communes.index, name="population_covered")


def raster_sum_within(communes: gpd.GeoDataFrame, raster_path: str | PathLike) -> pd.Series:
    """The raster's own total per commune (pixels whose centre lies in it).

    A diagnostic only, to compare with the census: WorldPop 2020 (UN-adjusted, 1 km)
    overstates Lai Châu by about half versus the 2019 census, so population figures use
    :func:`population_within`, which keeps the census totals. A commune with no pixel centre
    gets 0.

    Parameters
    ----------
    communes
        Commune polygons, EPSG:4326.
    raster_path
        The population raster.

    Returns
    -------
    pandas.Series
        Float, named ``worldpop_sum``, aligned to ``communes.index``.
    """
    _validate_raster_communes(communes, population=False)
    geoms = _in_raster_crs(communes, _raster_crs(raster_path))
    values, transform = read_window(raster_path, tuple(geoms.total_bounds))
    zones = rasterize_zones(geoms, transform, values.shape)
    sums = zone_sums(values, zones, len(communes))[1:]
    return pd.Series(sums, index=communes.index, name="worldpop_sum")
