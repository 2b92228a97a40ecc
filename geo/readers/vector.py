"""Vector and raster files: zipped Shapefiles, KML/KMZ, GeoJSON, GeoPackage, GeoTIFF.

Everything is read through pyogrio (GDAL) from a private temporary folder, under a fixed
name (``upload.zip``, ``upload.kml`` …): the uploaded name is never used to write anything,
and the members of a zip are read in place through GDAL's ``/vsizip/`` (never extracted).

* ``.zip``: every Shapefile inside (with its ``.prj``, ``.dbf`` and ``.cpg``, or without a
  ``.prj``: the CRS is then decided from the coordinates, see :mod:`geo.readers.coords`), or
  a KML, GeoJSON or GeoPackage inside; a ``.dbf`` without ``.cpg`` is read as UTF-8, else
  Windows-1258;
* ``.kml`` and ``.kmz``: every folder (a ``_layer`` column names it); the field names GDAL's
  LIBKML driver mangles ("Xã" → "X__") are restored from the file;
* ``.geojson``/``.json`` and ``.gpkg`` (every layer);
* ``.tif``/``.tiff`` (declared coverage): cells with a value above 0 become polygons.

Projected CRSs are matched to the EPSG code PROJ ships (VN-2000 TM-3 and UTM are recognised
by their parameters even when a .prj writes them with its own ``TOWGS84``), so PROJ applies the
registered datum shift.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo.errors import InputError
from geo.readers import archives, coords

__all__ = [
    "RASTER_EXTS",
    "VECTOR_EXTS",
    "VectorTable",
    "epsg_of",
    "list_layers",
    "read_raster",
    "read_vector",
]

VECTOR_EXTS = (".zip", ".kml", ".kmz", ".geojson", ".json", ".gpkg")
RASTER_EXTS = (".tif", ".tiff")
_KML_NOISE = [
    "id",
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
]
_INNER_EXTS = (".shp", ".kml", ".geojson", ".json", ".gpkg")
#: What pyogrio raises for a file GDAL cannot read (its DataSourceError and DataLayerError
#: are RuntimeErrors; a broken encoding or value surfaces as ValueError).
_GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError)


@dataclass
class VectorTable:
    """Features read from a vector file, before any field is interpreted.

    Attributes
    ----------
    file
        The (sanitised) file name.
    layers
        The layers (folders, Shapefiles, GeoPackage tables) read, in order.
    frame
        The attributes as the file writes them, ``_layer`` (which layer), ``_row`` (the
        feature's number in its layer, from 1) and the geometry in the file's coordinates.
    epsg
        The file's CRS as an EPSG code, or None when the file has none (a Shapefile without
        .prj) or it is not one PROJ ships (``crs_text`` then says what it was).
    notes
        (en, vi) notes on how the file was read.
    """

    file: str
    layers: list[str]
    frame: gpd.GeoDataFrame
    epsg: int | None
    crs_text: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)


def epsg_of(crs_text: str | None) -> int | None:
    """The EPSG code of a CRS definition (WKT, "EPSG:n"), or None.

    A VN-2000 Transverse Mercator is matched by its central meridian and scale to the TM-3
    (k = 0.9999) or UTM (k = 0.9996) code, whatever datum shift the definition carries.
    """
    if not crs_text:
        return None
    try:
        crs = CRS.from_user_input(crs_text)
    except CRSError:
        return None
    if crs.is_bound:  # a definition carrying its own TOWGS84: keep the projection only
        crs = crs.source_crs
    names = " ".join(
        str(x) for x in (crs.name, getattr(crs.datum, "name", ""), crs_text[:400])
    ).lower()
    if crs.is_projected and ("2000" in names and ("vn" in names or "vietnam" in names)):
        params = {p.name.lower(): p.value for p in crs.coordinate_operation.params}
        lon0 = next((v for k, v in params.items() if "longitude" in k and "origin" in k), None)
        k0 = next((v for k, v in params.items() if "scale" in k), None)
        fe = next((v for k, v in params.items() if "false easting" in k), None)
        if lon0 is not None and k0 is not None and fe in (None, 500000, 500000.0):
            if abs(k0 - 0.9999) < 1e-9 and float(lon0) in coords.VN2000_TM3:
                return coords.VN2000_TM3[float(lon0)]
            if abs(k0 - 0.9996) < 1e-9 and float(lon0) in (105.0, 111.0):
                return coords.VN2000_UTM[48 if float(lon0) == 105.0 else 49]
    if crs.is_geographic and "2000" in names and ("vn" in names or "vietnam" in names):
        return coords.VN2000_GEOGRAPHIC
    code = crs.to_epsg(min_confidence=90)
    return int(code) if code else None


def _unsupported(file: str) -> InputError:
    return InputError(
        f"{file}: a map layer must be a .zip of a Shapefile (.shp, .shx, .dbf, .prj), .kml, "
        ".kmz, .geojson or .gpkg.",
        f"{file}: lớp bản đồ phải là tệp .zip chứa Shapefile (.shp, .shx, .dbf, .prj), .kml, "
        ".kmz, .geojson hoặc .gpkg.",
        file=file,
    )


def _zip_members(data: bytes, file: str, max_unzipped: int | None) -> list[str]:
    infos = archives.check_zip(
        data,
        file,
        max_total=max_unzipped,
        not_zip=(
            "zip the Shapefile's .shp, .shx, .dbf and .prj together.",
            "hãy nén các tệp .shp, .shx, .dbf và .prj của Shapefile.",
        ),
    )
    names = [
        i.filename
        for i in infos
        if not i.is_dir()
        and not PurePosixPath(i.filename).name.startswith(".")
        and "__MACOSX" not in i.filename
    ]
    members = [n for n in names if PurePosixPath(n).suffix.lower() in _INNER_EXTS]
    if not members:
        shown = ", ".join(names[:10]) or "nothing"
        raise InputError(
            f"{file} holds no map layer (found: {shown}); it must hold a Shapefile (.shp with "
            ".shx, .dbf, .prj) or a .kml, .geojson or .gpkg.",
            f"{file} không chứa lớp bản đồ nào (có: {shown}); tệp phải chứa Shapefile (.shp kèm "
            ".shx, .dbf, .prj) hoặc .kml, .geojson, .gpkg.",
            file=file,
        )
    shp = [n for n in members if n.lower().endswith(".shp")]
    missing = []
    lower = {n.lower() for n in names}
    for n in shp:
        stem = n[:-4].lower()
        for ext in (".shx", ".dbf"):
            if stem + ext not in lower:
                missing.append(PurePosixPath(n[:-4] + ext).name)
    if missing:
        raise InputError(
            f"{file}: the Shapefile lacks {', '.join(missing)}; zip all its parts together.",
            f"{file}: Shapefile thiếu {', '.join(missing)}; hãy nén đủ các tệp đi kèm.",
            file=file,
        )
    return members


def _read_member_text(data: bytes, member: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(member)


def _kml_names(kml: bytes) -> dict[str, str]:
    """The field names of a KML's ExtendedData as GDAL's LIBKML driver mangles them →
    their real names ("X__" → "Xã")."""
    text = kml.decode("utf-8", errors="replace")
    out: dict[str, str] = {}
    clashes: set[str] = set()
    for name in set(re.findall(r"<(?:\w+:)?Data\s+name=\"([^\"]+)\"", text)):
        mangled = re.sub(r"[^A-Za-z0-9_]", lambda m: "_" * len(m.group().encode()), name)
        if mangled == name:
            continue
        if mangled in out:
            clashes.add(mangled)
        out[mangled] = name
    for m in clashes:
        out.pop(m, None)
    return out


_TD_PAIR_RE = re.compile(
    r"<t[dh][^>]*>\s*([^<]{1,80}?)\s*</t[dh]>\s*<td[^>]*>\s*([^<]*?)\s*</td>", re.IGNORECASE
)


def _description_fields(frame: pd.DataFrame) -> pd.DataFrame:
    """Attribute tables that exports write into the KML description (``<td>Xã</td><td>…``)."""
    if (
        "description" not in frame
        or not frame["description"]
        .astype("string")
        .str.contains("<td", case=False, regex=False)
        .fillna(False)
        .any()
    ):
        return frame
    pairs = frame["description"].astype("string").fillna("").str.findall(_TD_PAIR_RE)
    extra = pd.DataFrame([dict(p) for p in pairs], index=frame.index)
    extra = extra[[c for c in extra.columns if c and c not in frame.columns]]
    return frame.join(extra) if len(extra.columns) else frame


def _prepare(
    data: bytes, file: str, tmp: Path, max_unzipped: int | None
) -> tuple[list[tuple[str, str, str]], bytes | None]:
    """(GDAL path, layer, display name) of every layer; and the KML text for .kml/.kmz."""
    ext = Path(file).suffix.lower()
    if ext not in VECTOR_EXTS:
        raise _unsupported(file)
    target = tmp / f"upload{ext}"
    target.write_bytes(data)
    kml_text = None
    sources: list[tuple[str, str | None, str]] = []
    if ext == ".zip":
        for member in _zip_members(data, file, max_unzipped):
            sources.append((f"/vsizip/{target}/{member}", None, PurePosixPath(member).stem))
            if member.lower().endswith(".kml"):
                kml_text = _read_member_text(data, member)
    elif ext == ".kmz":
        # The KML inside is read on its own, under a fixed name, once the zip is checked.
        infos = archives.check_zip(
            data,
            file,
            max_total=max_unzipped,
            not_zip=(
                "save it again as .kmz (a zipped KML) from Google Earth, or upload the .kml.",
                "hãy lưu lại thành .kmz (KML nén) từ Google Earth, hoặc tải lên tệp .kml.",
            ),
        )
        inner = sorted(
            (i.filename for i in infos if i.filename.lower().endswith(".kml")),
            key=lambda n: (PurePosixPath(n).name.lower() != "doc.kml", n),
        )
        if not inner:
            raise InputError(
                f"{file} holds no .kml file: save it again as .kmz from Google Earth, or upload "
                "the .kml.",
                f"{file} không chứa tệp .kml nào: hãy lưu lại thành .kmz từ Google Earth, hoặc "
                "tải lên tệp .kml.",
                file=file,
            )
        kml_text = _read_member_text(data, inner[0])
        target = tmp / "upload.kml"
        target.write_bytes(kml_text)
        sources.append((str(target), None, Path(file).stem))
    else:
        sources.append((str(target), None, Path(file).stem))
        if ext == ".kml":
            kml_text = data
    out = []
    for path, _, display in sources:
        try:
            layers = pyogrio.list_layers(path)
        except _GDAL_ERRORS as exc:
            raise InputError(
                f"{file} cannot be read as a map layer ({exc}).",
                f"Không đọc được {file} như một lớp bản đồ ({exc}).",
                file=file,
            ) from None
        for name, _geom in layers:
            out.append((path, str(name), str(name) if len(layers) > 1 else display))
    return out, kml_text


def list_layers(data: bytes, file: str) -> list[str]:
    """The layers a vector file holds (KML folders, Shapefiles of a zip, GeoPackage tables)."""
    with tempfile.TemporaryDirectory(prefix="geo-import-") as tmp:
        sources, _ = _prepare(data, file, Path(tmp), None)
        return [display for _, _, display in sources]


def _dbf_encoding(data: bytes, file: str, path: str) -> str | None:
    """UTF-8 for a Shapefile whose .dbf has no .cpg and is valid UTF-8, else Windows-1258."""
    if not path.startswith("/vsizip/") or not path.lower().endswith(".shp"):
        return None
    member = path.split(".zip/", 1)[1]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = {n.lower(): n for n in z.namelist()}
        stem = member[:-4].lower()
        if stem + ".cpg" in names:
            return None
        dbf = names.get(stem + ".dbf")
        if dbf is None:
            return None
        raw = z.read(dbf)
    try:
        raw.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "CP1258"


def _redecode(df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns and text read as Latin-1 decoded again as the UTF-8 they are."""

    def fix(v, errors="replace"):
        if not isinstance(v, str):
            return v
        try:
            return v.encode("latin1").decode("utf-8", errors=errors)
        except UnicodeEncodeError:
            return v

    out = df.rename(columns={c: fix(c, "ignore") for c in df.columns if c != df.geometry.name})
    for c in out.columns:
        if c != out.geometry.name and out[c].dtype == object:
            out[c] = out[c].map(fix)
    return out


def read_vector(
    data: bytes,
    file: str,
    *,
    layer: str | None = None,
    max_rows: int | None = None,
    max_unzipped: int | None = None,
) -> VectorTable:
    """Read every layer of a vector file (or one).

    Parameters
    ----------
    data
        The file's bytes.
    file
        Its (sanitised) name; the extension chooses the reader.
    layer
        Read only this layer (a name from :func:`list_layers`).
    max_rows
        Refuse files with more features than this.
    max_unzipped
        Refuse zip files that unzip to more bytes than this.

    Returns
    -------
    VectorTable

    Raises
    ------
    InputError
        The file is not what its extension says, a Shapefile lacks a part, the layer does
        not exist, the layers use different CRSs, or there are too many features.
    """
    notes: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="geo-import-") as tmp:
        sources, kml_text = _prepare(data, file, Path(tmp), max_unzipped)
        if layer is not None:
            chosen = [s for s in sources if s[2] == layer or s[1] == layer]
            if not chosen:
                raise InputError(
                    f"{file} has no layer {layer!r}; its layers: "
                    f"{', '.join(s[2] for s in sources)}.",
                    f"{file} không có lớp {layer!r}; các lớp: {', '.join(s[2] for s in sources)}.",
                    file=file,
                    sheet=layer,
                )
            sources = chosen
        frames = []
        crs_texts = set()
        for path, name, display in sources:
            encoding = _dbf_encoding(data, file, path)
            try:
                try:
                    info = pyogrio.read_info(path, layer=name, encoding=encoding)
                except UnicodeDecodeError:
                    # A .dbf field name cut at 10 bytes in the middle of a letter ("Công nghệ"):
                    # read bytes as Latin-1 and decode the UTF-8 again, dropping the broken end.
                    encoding = "latin1"
                    info = pyogrio.read_info(path, layer=name, encoding=encoding)
                    notes.append(
                        (
                            f"Some field names of layer {display!r} were cut at 10 bytes in the "
                            "middle of a letter (a Shapefile limit); check the column mapping.",
                            f"Một số tên trường của lớp {display!r} bị cắt ở 10 byte giữa một "
                            "chữ (giới hạn của Shapefile); hãy kiểm tra cách gán cột.",
                        )
                    )
            except _GDAL_ERRORS as exc:
                raise InputError(
                    f"{file}, layer {display!r} cannot be read ({exc}). Save it again from the "
                    "GIS program and upload it.",
                    f"Không đọc được lớp {display!r} của {file} ({exc}). Hãy lưu lại từ phần mềm "
                    "GIS rồi tải lên.",
                    file=file,
                    sheet=display,
                ) from None
            if max_rows is not None and info["features"] > max_rows:
                raise InputError(
                    f"{file} has {info['features']:,} features in layer {display!r}; the limit "
                    f"is {max_rows:,}. Split it and import the parts.",
                    f"{file} có {info['features']:,} đối tượng trong lớp {display!r}; giới hạn "
                    f"là {max_rows:,}. Hãy chia tệp rồi nhập từng phần.",
                    file=file,
                    sheet=display,
                )
            if info["features"] == 0:
                continue
            try:
                df = pyogrio.read_dataframe(path, layer=name, encoding=encoding)
            except _GDAL_ERRORS as exc:
                raise InputError(
                    f"{file}, layer {display!r} cannot be read ({exc}).",
                    f"Không đọc được lớp {display!r} của {file} ({exc}).",
                    file=file,
                    sheet=display,
                ) from None
            if encoding == "latin1":
                df = _redecode(df)
            if df.crs is not None:
                crs_texts.add(df.crs.to_wkt())
            df = df.drop(columns=[c for c in _KML_NOISE if c in df.columns and kml_text])
            if kml_text is not None:
                df = df.rename(columns=_kml_names(kml_text))
                df = _description_fields(df)
            plain = pd.DataFrame(df.drop(columns=df.geometry.name))
            plain.insert(0, "_layer", display)
            plain.insert(1, "_row", np.arange(1, len(df) + 1))
            plain["geometry"] = np.asarray(df.geometry.array, dtype=object)
            frames.append(plain)
    if not frames:
        raise InputError(
            f"{file} holds no features: there is nothing to import.",
            f"{file} không có đối tượng nào: không có gì để nhập.",
            file=file,
        )
    if len(crs_texts) > 1:
        codes = {epsg_of(t) for t in crs_texts}
        if len(codes) > 1:
            raise InputError(
                f"The layers of {file} use different CRSs; import them one at a time.",
                f"Các lớp của {file} dùng các hệ tọa độ khác nhau; hãy nhập từng lớp.",
                file=file,
            )
    crs_text = next(iter(crs_texts)) if crs_texts else None
    epsg = epsg_of(crs_text)
    if crs_text and epsg is None:
        notes.append(
            (
                f"The file's CRS ({CRS.from_user_input(crs_text).name}) is not one PROJ ships "
                "as an EPSG code; choose the CRS (e.g. EPSG:9205).",
                f"Hệ tọa độ của tệp ({CRS.from_user_input(crs_text).name}) không phải mã EPSG "
                "mà PROJ có; hãy chọn hệ tọa độ (ví dụ EPSG:9205).",
            )
        )
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry")
    return VectorTable(file, [s[2] for s in sources], frame, epsg, crs_text, notes)


def geometry_to_wgs84(geoms: np.ndarray, epsg: int, *, swap: bool = False) -> np.ndarray:
    """Geometries in ``epsg`` (x, y exchanged first when ``swap``) as EPSG:4326, through
    :func:`geo.readers.coords.to_wgs84` (PROJ's registered datum shift)."""

    def func(xy: np.ndarray) -> np.ndarray:
        x, y = (xy[:, 1], xy[:, 0]) if swap else (xy[:, 0], xy[:, 1])
        lon, lat = coords.to_wgs84(x, y, epsg)
        return np.column_stack([lon, lat])

    return shapely.transform(np.asarray(geoms, dtype=object), func)


def read_raster(data: bytes, file: str, *, max_cells: int = 50_000_000) -> gpd.GeoDataFrame:
    """The covered area of a coverage raster: cells with a value above 0, as one polygon.

    Parameters
    ----------
    data
        A GeoTIFF's bytes; the file must carry its CRS.
    file
        Its (sanitised) name.
    max_cells
        Refuse rasters with more cells than this.

    Returns
    -------
    GeoDataFrame
        One row (``_layer``, ``_row``) with the MultiPolygon of covered cells, EPSG:4326.
    """
    import rasterio
    import rasterio.features
    from rasterio.errors import RasterioIOError

    try:
        with rasterio.MemoryFile(data) as mem, mem.open() as src:
            if src.width * src.height > max_cells:
                raise InputError(
                    f"{file} has {src.width * src.height:,} cells; the limit is {max_cells:,}. "
                    "Resample or clip it to the province.",
                    f"{file} có {src.width * src.height:,} ô; giới hạn là {max_cells:,}. Hãy "
                    "lấy mẫu lại hoặc cắt theo tỉnh.",
                    file=file,
                )
            if src.crs is None:
                raise InputError(
                    f"{file} does not say its CRS; save it as a GeoTIFF with its CRS.",
                    f"{file} không ghi hệ tọa độ; hãy lưu thành GeoTIFF có hệ tọa độ.",
                    file=file,
                )
            band = src.read(1, masked=True)
            covered = (band.filled(0) > 0).astype("uint8")
            shapes = [
                shapely.geometry.shape(geom)
                for geom, value in rasterio.features.shapes(
                    covered, mask=covered.astype(bool), transform=src.transform
                )
                if value == 1
            ]
            crs_text = src.crs.to_wkt()
    except RasterioIOError as exc:
        raise InputError(
            f"{file} is not a readable GeoTIFF ({exc}).",
            f"{file} không phải tệp GeoTIFF đọc được ({exc}).",
            file=file,
        ) from None
    epsg = epsg_of(crs_text)
    area = shapely.union_all(np.asarray(shapes, dtype=object)) if shapes else shapely.Polygon()
    if epsg is None:
        gs = gpd.GeoSeries([area], crs=crs_text).to_crs(4326)
        geom = gs.to_numpy()
    else:
        geom = geometry_to_wgs84(np.asarray([area], dtype=object), epsg)
    return gpd.GeoDataFrame(
        {"_layer": [Path(file).stem], "_row": [1]}, geometry=list(geom), crs="EPSG:4326"
    )
