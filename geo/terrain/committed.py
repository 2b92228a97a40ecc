"""Committing a province's DEM and finding the committed one.

``python -m geo import dem FILE --province P --commit`` calls :func:`import_dem`: the file is
read windowed to the province (:func:`geo.terrain.dem.read_dem`), written cropped as a
Cloud-Optimized GeoTIFF in the DEM folder beside the import store
(:func:`geo.store.dem.dem_folder`) and recorded (province, source file, sha256, CRS,
resolution, who, when) in the DEM store (:mod:`geo.store.dem`). :func:`committed_dems` gives the
workspace the DEM of each province that has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyproj import CRS

from geo.errors import InputError
from geo.store import dem as dem_store
from geo.terrain.dem import Dem, read_dem, sha256, write_cog

__all__ = ["committed_dem", "committed_dems", "dem_version", "import_dem", "province_bounds"]


def _imports_path(imports_path: str | Path | None) -> Path:
    if imports_path is not None:
        return Path(imports_path)
    from geo.store.imports import default_store_path

    return default_store_path()


def province_bounds(code: str) -> tuple[float, float, float, float]:
    """The (west, south, east, north) bounds in degrees of a pre-2025 province's communes."""
    from geo import units

    west, south, east, north = units.read_communes([code]).to_crs(4326).total_bounds
    return float(west), float(south), float(east), float(north)


def import_dem(
    path: str | Path,
    province: str,
    *,
    imports_path: str | Path | None = None,
    crs: str | int | None = None,
    commit: bool = False,
    who: str = "",
) -> tuple[Dem, dict]:
    """Read a DEM for a province and, with ``commit``, store its cropped copy and record it.

    Parameters
    ----------
    path
        The DEM file.
    province
        The province, a name in any spelling or a GSO code (units before 01/07/2025).
    imports_path
        The import store (``$COVERAGE_IMPORTS_DB`` by default); the DEM store and folder are
        beside it.
    crs
        The DEM's CRS when the file states none.
    commit
        Write and record it; otherwise only check it.
    who
        Who commits.

    Returns
    -------
    (Dem, dict)
        The metric DEM and its record (with ``dem_id`` when committed).
    """
    from geo import units

    path = Path(path)
    code, _name = units.resolve_province(province)
    try:
        source_crs = CRS.from_user_input(int(crs) if str(crs).isdigit() else crs) if crs else None
    except Exception as exc:  # pyproj.exceptions.CRSError
        raise InputError(
            f"Unknown CRS {crs!r}: give an EPSG code such as 9205 (VN-2000 TM-3 103°).",
            f"Hệ tọa độ {crs!r} không hợp lệ: hãy cho mã EPSG, ví dụ 9205 (VN-2000 TM-3 103°).",
            file=str(path),
            field="--crs",
        ) from exc
    digest = sha256(path) if path.is_file() else ""
    dem = read_dem(path, province_bounds(code), crs=source_crs)
    dx, dy = dem.cell_size
    info = {
        "province_code": code,
        "source_file": path.name,
        "sha256": digest,
        "source_crs": _crs_name(source_crs) if source_crs else _file_crs(path),
        "crs": _crs_name(dem.crs),
        "resolution_m": float(max(dx, dy)),
        "width": int(dem.elevation.shape[1]),
        "height": int(dem.elevation.shape[0]),
    }
    if not commit:
        return dem, info
    base = _imports_path(imports_path)
    out = dem_store.dem_folder(base) / f"dem_{code}_{digest[:12]}.tif"
    write_cog(
        dem.elevation,
        dem.transform,
        dem.crs,
        out,
        tags={"province_code": code, "source_file": path.name, "sha256": digest},
    )
    info["path"] = str(out)
    conn = dem_store.connect(dem_store.dem_store_path(base))
    try:
        info["dem_id"] = dem_store.record(conn, info, who=who)
    finally:
        conn.close()
    return dem, info


def _crs_name(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def _file_crs(path: Path) -> str:
    import rasterio

    with rasterio.open(path) as src:
        return _crs_name(CRS.from_wkt(src.crs.to_wkt())) if src.crs else ""


def _read_cog(path: Path) -> Dem:
    import numpy as np
    import rasterio

    with rasterio.open(path) as src:
        band = src.read(1, masked=True, out_dtype="float32")
        return Dem(
            np.ma.filled(band, np.nan).astype(np.float32),
            src.transform,
            CRS.from_wkt(src.crs.to_wkt()),
        )


def committed_dem(imports_path: str | Path | None, code: str) -> Dem | None:
    """The committed DEM of a pre-2025 province, or None (no store, no record, file gone)."""
    if imports_path is None:
        return None
    store_path = dem_store.dem_store_path(imports_path)
    if not store_path.is_file():
        return None
    conn = dem_store.connect(store_path)
    try:
        rec = dem_store.current(conn, code)
    finally:
        conn.close()
    if rec is None:
        return None
    path = Path(rec["path"])
    if not path.is_file():
        raise InputError(
            f"The committed DEM of province {code} is missing ({path}): import it again "
            "(python -m geo import dem FILE --province … --commit).",
            f"Thiếu tệp DEM đã lưu của tỉnh {code} ({path}): hãy nhập lại "
            "(python -m geo import dem TỆP --province … --commit).",
            file=str(path),
        )
    return _read_cog(path)


def committed_dems(imports_path: str | Path | None, codes: Sequence[str]) -> dict[str, Dem]:
    """The committed DEM of each province of ``codes`` that has one."""
    out = {}
    for code in codes:
        dem = committed_dem(imports_path, code)
        if dem is not None:
            out[code] = dem
    return out


def dem_version(imports_path: str | Path | None, codes: Sequence[str]) -> tuple:
    """What identifies the committed DEMs of these provinces (a cache key): the current
    ``dem_id`` of each (None without one); empty when there is no DEM store."""
    if imports_path is None:
        return ()
    store_path = dem_store.dem_store_path(imports_path)
    if not store_path.is_file():
        return ()
    conn = dem_store.connect(store_path)
    try:
        return tuple((dem_store.current(conn, c) or {}).get("dem_id") for c in codes)
    finally:
        conn.close()
