"""A planner's digital elevation model (DEM): read windowed to a province, bounded, metric.

A DEM is any raster GDAL reads (GeoTIFF, IMG, ASC, …) in any CRS, VN-2000 TM-3 zones
(EPSG:9205–9218, 5896–5899) included, with the EPSG definitions PROJ ships (never a
``+towgs84`` string). :func:`read_dem` checks the file's size and the window's number of cells
*before* reading a pixel (as :mod:`geo.readers.limits` does for tables), reads only the window
covering the province (its bounds, widened by a margin, transformed into the DEM's CRS), turns
no-data into NaN and keeps the grid when its CRS is projected in metres, else reprojects it
(bilinear) to the province's UTM zone (:func:`geo.sites.metric_crs`). :func:`write_cog` writes
it as a Cloud-Optimized GeoTIFF.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from pathlib import Path

import numpy as np
from affine import Affine
from pyproj import CRS

from geo.errors import InputError

__all__ = [
    "MAX_DEM_CELLS",
    "MAX_DEM_FILE_BYTES",
    "Dem",
    "read_dem",
    "sha256",
    "write_cog",
]

MAX_DEM_FILE_BYTES = 4_000_000_000
"""Largest DEM file accepted (4 GB): a whole-country 30 m GeoTIFF is about 1 GB compressed."""

MAX_DEM_CELLS = 80_000_000
"""Most cells read from a DEM's window (320 MB as float32): a province at 30 m is 10–20 million
cells; a 10 m DEM of the largest province (Nghệ An, 16,500 km²) is 165 million and must be
resampled to 20–30 m first (``gdalwarp -tr 30 30``)."""

MARGIN_M = 15_000.0
"""The province's bounds are widened by this many metres, so that sites just across the border
(within the largest default range, 12 km for 2G) stand on the DEM."""


@dataclasses.dataclass(frozen=True)
class Dem:
    """Elevations on a north-up metric grid.

    Attributes
    ----------
    elevation
        (rows, cols) float32 metres above sea level, NaN where unknown.
    transform
        Affine transform of the grid (north-up: no rotation, ``e`` negative).
    crs
        A projected CRS in metres.
    """

    elevation: np.ndarray
    transform: Affine
    crs: CRS

    @property
    def cell_size(self) -> tuple[float, float]:
        """(dx, dy) in metres."""
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in the grid's CRS."""
        ny, nx = self.elevation.shape
        left, top = self.transform.c, self.transform.f
        return left, top + ny * self.transform.e, left + nx * self.transform.a, top

    def grid_position(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (col, row) of points in the grid's CRS, cell centres at integers."""
        col = (np.asarray(x, dtype=float) - self.transform.c) / self.transform.a - 0.5
        row = (np.asarray(y, dtype=float) - self.transform.f) / self.transform.e - 0.5
        return col, row


def sha256(path: str | Path) -> str:
    """The file's SHA-256, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(path: Path, en: str, vi: str, field: str | None = None) -> InputError:
    return InputError(en, vi, file=str(path), field=field)


def _is_metric(crs: CRS) -> bool:
    if not crs.is_projected:
        return False
    units = {axis.unit_name.lower() for axis in crs.axis_info}
    return units <= {"metre", "meter", "m"}


def read_dem(
    path: str | Path,
    bounds_4326: tuple[float, float, float, float] | None = None,
    *,
    crs: str | int | None = None,
    margin_m: float = MARGIN_M,
    max_cells: int = MAX_DEM_CELLS,
) -> Dem:
    """Read a DEM, windowed to ``bounds_4326``, as a metric :class:`Dem`.

    Parameters
    ----------
    path
        A raster GDAL reads; band 1 holds elevations in metres.
    bounds_4326
        (west, south, east, north) in degrees, e.g. a province's communes' total bounds; the
        window covers them widened by ``margin_m``. None reads the whole raster.
    crs
        The raster's CRS when the file does not say (e.g. ``9205``); a CRS the file states
        wins unless this is given.
    margin_m, max_cells
        See :data:`MARGIN_M` and :data:`MAX_DEM_CELLS`.

    Raises
    ------
    InputError
        The file is missing, too large, not a raster, has no CRS, is rotated, does not cover
        the bounds, or its window holds too many cells (the message names the file and field
        and says the fix).
    """
    import rasterio
    from rasterio.errors import RasterioIOError
    from rasterio.windows import Window, from_bounds

    path = Path(path)
    if not path.is_file():
        raise _fail(path, f"File {path} does not exist.", f"Không có tệp {path}.")
    size = path.stat().st_size
    if size > MAX_DEM_FILE_BYTES:
        raise _fail(
            path,
            f"The DEM is {size / 1e9:.1f} GB, more than {MAX_DEM_FILE_BYTES / 1e9:.0f} GB: crop "
            "it to the province first (gdalwarp -te …).",
            f"Tệp DEM {size / 1e9:.1f} GB, quá {MAX_DEM_FILE_BYTES / 1e9:.0f} GB: hãy cắt theo "
            "tỉnh trước (gdalwarp -te …).",
            "size",
        )
    try:
        src = rasterio.open(path)
    except RasterioIOError as exc:
        raise _fail(
            path,
            f"The file is not a raster GDAL can read ({exc}); give a GeoTIFF of elevations.",
            f"Tệp không phải ảnh raster GDAL đọc được ({exc}); hãy dùng GeoTIFF độ cao.",
        ) from exc
    with src:
        src_crs = (
            CRS.from_user_input(crs)
            if crs is not None
            else (CRS.from_wkt(src.crs.to_wkt()) if src.crs else None)
        )
        if src_crs is None:
            raise _fail(
                path,
                "The DEM states no CRS: give it with --crs (e.g. --crs 9205 for VN-2000 TM-3 "
                "103°, 4326 for degrees).",
                "DEM không ghi hệ tọa độ: hãy cho bằng --crs (ví dụ --crs 9205 cho VN-2000 TM-3 "
                "103°, 4326 cho độ).",
                "crs",
            )
        t = src.transform
        if t.b != 0 or t.d != 0 or t.e >= 0:
            raise _fail(
                path,
                "The DEM's grid is rotated or south-up: warp it north-up first (gdalwarp).",
                "Lưới DEM bị xoay hoặc ngược chiều bắc: hãy chuyển về hướng bắc (gdalwarp).",
                "transform",
            )
        window = Window(0, 0, src.width, src.height)
        if bounds_4326 is not None:
            window = _window(src, src_crs, bounds_4326, margin_m, path, from_bounds)
        cells = int(window.width) * int(window.height)
        if cells > max_cells:
            raise _fail(
                path,
                f"The DEM's window over the province holds {cells:,} cells, more than "
                f"{max_cells:,}: resample it to 30 m first (gdalwarp -tr 30 30).",
                f"Vùng DEM phủ tỉnh có {cells:,} ô, quá {max_cells:,}: hãy lấy mẫu lại về 30 m "
                "trước (gdalwarp -tr 30 30).",
                "size",
            )
        band = src.read(1, window=window, masked=True, out_dtype="float32")
        elevation = np.ma.filled(band, np.nan).astype(np.float32)
        elevation[~np.isfinite(elevation)] = np.nan
        transform = src.window_transform(window)
    if not np.isfinite(elevation).any():
        raise _fail(
            path,
            "The DEM has no elevation over the province (only no-data).",
            "DEM không có giá trị độ cao nào trong tỉnh (toàn ô không dữ liệu).",
            "nodata",
        )
    dem = Dem(elevation, transform, src_crs)
    return dem if _is_metric(src_crs) else _to_metric(dem, bounds_4326)


def _window(src, src_crs, bounds_4326, margin_m, path, from_bounds):
    """The window of ``src`` covering the bounds widened by the margin, clipped to the raster."""
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window

    west, south, east, north = bounds_4326
    lat = math.radians((south + north) / 2)
    pad_lat = margin_m / 111_320.0
    pad_lon = margin_m / (111_320.0 * max(math.cos(lat), 0.1))
    box = transform_bounds(
        "EPSG:4326",
        src_crs.to_wkt(),
        west - pad_lon,
        south - pad_lat,
        east + pad_lon,
        north + pad_lat,
        densify_pts=21,
    )
    win = from_bounds(*box, transform=src.transform)
    col0 = max(int(math.floor(win.col_off)), 0)
    row0 = max(int(math.floor(win.row_off)), 0)
    col1 = min(int(math.ceil(win.col_off + win.width)), src.width)
    row1 = min(int(math.ceil(win.row_off + win.height)), src.height)
    if col1 <= col0 or row1 <= row0:
        raise _fail(
            path,
            "The DEM does not cover the province (check its CRS, or give it with --crs).",
            "DEM không phủ tỉnh (hãy kiểm tra hệ tọa độ, hoặc cho bằng --crs).",
            "bounds",
        )
    return Window(col0, row0, col1 - col0, row1 - row0)


def _to_metric(dem: Dem, bounds_4326) -> Dem:
    """Reproject a DEM in degrees (or feet) to the UTM zone of its centre, bilinear, at about
    its own resolution in metres."""
    import geopandas as gpd
    from rasterio.warp import Resampling, calculate_default_transform, reproject
    from shapely.geometry import box

    from geo.sites import metric_crs

    left, bottom, right, top = dem.bounds
    ny, nx = dem.elevation.shape
    centre = gpd.GeoSeries([box(left, bottom, right, top).centroid], crs=dem.crs).to_crs(4326)
    target = metric_crs(centre)
    transform, width, height = calculate_default_transform(
        dem.crs.to_wkt(), target.to_wkt(), nx, ny, left, bottom, right, top
    )
    out = np.full((height, width), np.nan, dtype=np.float32)
    reproject(
        dem.elevation,
        out,
        src_transform=dem.transform,
        src_crs=dem.crs.to_wkt(),
        dst_transform=transform,
        dst_crs=target.to_wkt(),
        src_nodata=np.nan,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    return Dem(out, transform, CRS.from_user_input(target))


def write_cog(
    array: np.ndarray,
    transform: Affine,
    crs: CRS,
    path: str | Path,
    *,
    nodata=None,
    tags: dict | None = None,
) -> Path:
    """Write one band as a Cloud-Optimized GeoTIFF (DEFLATE, internal overviews).

    Parameters
    ----------
    array
        (rows, cols) values; float NaN or ``nodata`` where empty.
    transform, crs
        The grid.
    path
        The output file (its folder is created).
    nodata
        The no-data value (NaN for floats when None).
    tags
        Metadata written in the file (e.g. ``{"synthetic": "true"}``).
    """
    import rasterio
    import rasterio.shutil
    from rasterio.io import MemoryFile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if nodata is None and np.issubdtype(array.dtype, np.floating):
        nodata = np.nan
    profile = {
        "driver": "GTiff",
        "height": array.shape[0],
        "width": array.shape[1],
        "count": 1,
        "dtype": array.dtype.name,
        "crs": crs.to_wkt(),
        "transform": transform,
        "nodata": nodata,
    }
    with MemoryFile() as mem:
        with mem.open(**profile) as tmp:
            tmp.write(array, 1)
            if tags:
                tmp.update_tags(**{k: str(v) for k, v in tags.items()})
        with mem.open() as tmp:
            rasterio.shutil.copy(tmp, path, driver="COG", compress="DEFLATE")
    return path
