"""Layers to files: GeoJSON (RFC 7946), GeoPackage, KML/KMZ, Shapefile, chosen by extension.

Codes stay strings with their leading zeros; names stay UTF-8. GeoJSON is always WGS84
(RFC 7946). GeoPackage and Shapefile can be written in VN-2000 (``crs="EPSG:9205"`` …) for
official submissions; PROJ applies the registered datum shift.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.errors import InputError

FORMATS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".kml": "LIBKML",
    ".kmz": "LIBKML",
    ".shp": "ESRI Shapefile",
}


def _prepare(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns a vector driver can write: dates as ISO text, objects as text."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d")
        elif s.dtype == object:
            out[col] = s.map(
                lambda v: (
                    None
                    if v is None or v is pd.NA or v != v
                    else v.isoformat()
                    if hasattr(v, "isoformat")
                    else str(v)
                )
            )
    return out


#: Longitude and latitude bounds of WGS84 (EPSG:4326), as shapely bounds.
WGS84_BOUNDS = (-180.0, -90.0, 180.0, 90.0)


def check_wgs84_bounds(gdf: gpd.GeoDataFrame, file: str | None = None) -> None:
    """Raise when a geometry of ``gdf`` (in EPSG:4326) lies outside the longitude/latitude range.

    GDAL's GeoJSON writer would otherwise fail with a traceback (latitude beyond ±90°) or
    silently wrap a longitude beyond ±180° to another place on Earth.

    Parameters
    ----------
    gdf
        Features in EPSG:4326.
    file
        The output file's name, for the message.

    Raises
    ------
    InputError
        Some coordinates are outside [-180, 180] × [-90, 90] or not finite (a transform from a
        projected CRS that failed); the message gives the first rows and how to fix it.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    b = np.full((len(geoms), 4), np.nan)
    if present.any():
        b[present] = shapely.bounds(geoms[present])
    lo, hi = np.asarray(WGS84_BOUNDS[:2]), np.asarray(WGS84_BOUNDS[2:])
    with np.errstate(invalid="ignore"):
        inside = (
            np.isfinite(b).all(axis=1) & (b[:, :2] >= lo).all(axis=1) & (b[:, 2:] <= hi).all(axis=1)
        )
    bad = np.flatnonzero(present & ~inside)
    if not len(bad):
        return
    rows = ", ".join(str(i + 1) for i in bad[:10]) + (" …" if len(bad) > 10 else "")
    raise InputError(
        f"{len(bad)} feature(s) have coordinates outside longitude -180..180 / latitude -90..90 "
        f"(rows {rows}, counted from 1): check that longitude and latitude are not swapped and "
        "that the file's CRS is right (VN-2000 metres read as degrees?), then export again.",
        f"{len(bad)} đối tượng có tọa độ ngoài kinh độ -180..180 / vĩ độ -90..90 "
        f"(dòng {rows}, đếm từ 1): hãy kiểm tra kinh độ và vĩ độ có bị đảo cột không và hệ tọa "
        "độ của tệp có đúng không (VN-2000 theo mét bị đọc thành độ?), rồi xuất lại.",
        file=file,
        row=int(bad[0]) + 1,
        field="geometry",
    )


def write_layer(
    gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str = "layer", crs: str | None = None
) -> Path:
    """Write ``gdf`` to ``path``; the format follows the extension.

    Parameters
    ----------
    crs
        Target CRS for GeoPackage and Shapefile (e.g. ``EPSG:9205``, VN-2000 TM-3 103°00').
        GeoJSON and KML are always written in WGS84.

    Raises
    ------
    InputError
        Unknown extension, a CRS for a format that must be WGS84, or coordinates outside
        longitude/latitude bounds (:func:`check_wgs84_bounds`).
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise InputError(
            f"Cannot write {path.name}: use one of {', '.join(sorted(FORMATS))}.",
            f"Không ghi được {path.name}: hãy dùng một trong các đuôi {', '.join(sorted(FORMATS))}.",
            file=path.name,
        )
    data = _prepare(gdf).to_crs("EPSG:4326")
    check_wgs84_bounds(data, path.name)
    if crs and ext in (".gpkg", ".shp"):
        data = data.to_crs(crs)
    elif crs and crs.upper() not in ("EPSG:4326", "4326", "WGS84"):
        raise InputError(
            f"{ext} files are always WGS84; write .gpkg or .shp for {crs}.",
            f"Tệp {ext} luôn dùng WGS84; hãy xuất .gpkg hoặc .shp để dùng {crs}.",
            file=path.name,
            field="crs",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    if ext in (".geojson", ".json"):
        pyogrio.write_dataframe(
            data, path, driver="GeoJSON", layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"}
        )
    elif ext == ".kmz":
        with tempfile.TemporaryDirectory() as tmp:
            kml = Path(tmp) / "doc.kml"
            pyogrio.write_dataframe(data, kml, driver="LIBKML", layer=layer)
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(kml, "doc.kml")
    elif ext == ".shp":
        pyogrio.write_dataframe(data, path, driver="ESRI Shapefile", encoding="UTF-8")
    else:
        pyogrio.write_dataframe(data, path, driver=FORMATS[ext], layer=layer)
    return path


def layer_bytes(
    gdf: gpd.GeoDataFrame, ext: str, *, layer: str = "layer", crs: str | None = None
) -> bytes:
    """The file :func:`write_layer` would write, as bytes (for download buttons)."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"{layer}{ext}"
        if ext == ".shp":
            write_layer(gdf, p, layer=layer, crs=crs)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for f in Path(tmp).iterdir():
                    z.write(f, f.name)
            return buf.getvalue()
        write_layer(gdf, p, layer=layer, crs=crs)
        return p.read_bytes()
