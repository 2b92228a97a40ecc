"""Reading a file into :class:`~geo.imports.model._Parsed` rows: tables (the header found or
given, sections filling the rows below them, formulas without a saved result, coordinates in any
of the columns' layouts); vector files and rasters are read by :mod:`geo.imports.shapes`.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.imports.mapping import _provided, _require_columns
from geo.imports.model import _Context, _Parsed
from geo.imports.shapes import _read_raster, _read_vector
from geo.imports.values import _issue, _text
from geo.readers import columns as cols
from geo.readers import coords, tables, vector
from geo.readers.coords import CrsChoice


def _read(
    data: bytes,
    file: str,
    ext: str,
    kind: str,
    ctx: _Context,
    opts: dict,
) -> _Parsed:
    """Read a file into rows: a raster, a vector file (:mod:`geo.imports.shapes`) or a table."""
    content_hash = hashlib.sha256(data).hexdigest()
    memory = ctx.store.mappings if ctx.store is not None else None
    planner_epsg = coords.parse_crs(opts.get("crs"))
    if ext in vector.RASTER_EXTS:
        return _read_raster(data, file, kind, content_hash, opts)
    if ext in vector.VECTOR_EXTS:
        return _read_vector(data, file, kind, ctx, opts, memory, planner_epsg, content_hash)
    return _read_table(data, file, ext, kind, ctx, opts, memory, planner_epsg, content_hash)


def _read_table(
    data: bytes,
    file: str,
    ext: str,
    kind: str,
    ctx: _Context,
    opts: dict,
    memory,
    planner_epsg: int | None,
    content_hash: str,
) -> _Parsed:
    """Read a table (a sheet of a workbook, or a CSV file): its header found or given, its
    columns mapped, its rows and coordinates read."""
    sheets = tables.sheet_names(data, file) if ext in tables.SPREADSHEET_EXTS else []
    sheet = opts.get("sheet")
    if sheets and sheet is None:
        sheet = _best_sheet(data, file, sheets, kind, opts)
    raw = tables.read_table(
        data,
        file,
        sheet=sheet,
        fields=cols.KIND_FIELDS[kind],
        max_rows=opts["max_rows"],
        header_row=opts.get("header_row"),
    )
    proposal = cols.propose_mapping(raw.labels, kind, memory=memory, given=opts.get("mapping"))
    proposal.provided = _provided(opts)
    _require_columns(proposal, file, raw.sheet)
    if proposal.source == "planner" and memory is not None:
        memory.put(proposal)
    rows, labels = _table_rows(raw, proposal)
    issues = _formula_issues(rows, raw)
    hint = coords.crs_hint([*raw.title, *raw.labels])
    lon, lat, crs, notes, loc_issues = _locate_fields(rows, labels, ctx, planner_epsg, hint)
    rows["lon"], rows["lat"] = lon, lat
    rows["geometry"] = None
    if raw.encoding:
        notes = [
            *notes,
            (
                f"Read as {raw.encoding} text, separated by {raw.delimiter!r}.",
                f"Đọc theo bảng mã {raw.encoding}, phân cách bằng {raw.delimiter!r}.",
            ),
        ]
    return _Parsed(
        kind,
        file,
        raw.sheet,
        sheets,
        rows,
        labels,
        issues + loc_issues,
        raw.skipped,
        proposal,
        crs,
        notes,
        content_hash,
        raw.header_rows,
    )


def _table_rows(raw, proposal) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table's rows under the fields' names (``source_row``, ``sheet``, the fields), units
    written once per block ("I. Huyện Điện Biên") filled into the rows below them; and the
    field → header labels."""
    d = raw.data
    rows = pd.DataFrame(index=pd.RangeIndex(len(d)))
    rows["source_row"] = d.index.to_numpy(dtype=np.int64)
    rows["sheet"] = raw.sheet
    labels = dict(proposal.mapping)
    for f, label in labels.items():
        rows[f] = d[label].to_numpy(dtype=object)
    # Units written once per block ("I. Huyện Điện Biên") fill the rows below them.
    if raw.sections is not None:
        for level in ("district", "commune"):
            sec = raw.sections[level].to_numpy(dtype=object)
            if pd.notna(sec).any():
                if level in rows:
                    blank = _text(rows[level]).isna().to_numpy()
                    rows[level] = np.where(blank, sec, rows[level].to_numpy(dtype=object))
                else:
                    rows[level] = sec
                    labels[level] = level
    return rows, labels


def _formula_issues(rows: pd.DataFrame, raw) -> list[pd.DataFrame]:
    """The issues of cells holding a formula whose result the file does not save."""
    issues: list[pd.DataFrame] = []
    if raw.formula_cells:
        where = {r: i for i, r in enumerate(rows["source_row"].tolist())}
        fc = pd.DataFrame(raw.formula_cells, columns=["row", "label", "formula"])
        fc = fc[fc["row"].isin(where)]
        for label, group in fc.groupby("label", sort=False):
            mask = np.zeros(len(rows), dtype=bool)
            mask[[where[r] for r in group["row"]]] = True
            values = pd.Series(None, index=rows.index, dtype=object)
            values[mask] = group["formula"].to_numpy()
            issues.append(
                _issue(
                    rows,
                    mask,
                    "error",
                    label,
                    "the cell holds a formula whose result is not saved in the file: open the "
                    "file in Excel or LibreOffice, save it, and import it again",
                    "ô chứa công thức nhưng tệp không lưu kết quả: hãy mở tệp bằng Excel hoặc "
                    "LibreOffice, lưu lại rồi nhập lại",
                    values,
                )
            )
    return issues


def _locate_fields(
    rows: pd.DataFrame,
    labels: dict[str, str],
    ctx: _Context,
    planner_epsg: int | None,
    hint_epsg: int | None,
) -> tuple[np.ndarray, np.ndarray, CrsChoice | None, list, list[pd.DataFrame]]:
    """The rows' positions in WGS 84 from whichever coordinate columns the file has (longitude
    and latitude, easting and northing, x and y, or both in one cell), the CRS they were read
    in, notes, and the issues of cells that are not coordinates."""
    n = len(rows)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    found = _coordinate_columns(rows)
    if found is None:
        return lon, lat, None, [], []
    pair, names_, unsplit = found
    located = coords.locate(
        pair[0],
        pair[1],
        labels=names_,
        planner_epsg=planner_epsg,
        hint_epsg=hint_epsg,
        province_code=ctx.province_code,
        inside=ctx.inside,
    )
    issues = _coordinate_issues(rows, labels, pair, names_, unsplit, located)
    return located.lon, located.lat, located.crs, located.notes, issues


def _coordinate_columns(rows: pd.DataFrame):
    """The two coordinate columns (values, their fields, and for one "lat, lon" column the
    cells that did not split), or None when the file has none."""
    if {"lon", "lat"} <= set(rows):
        return (rows["lon"], rows["lat"]), ("lon", "lat"), None
    if {"easting", "northing"} <= set(rows):
        return (rows["easting"], rows["northing"]), ("easting", "northing"), None
    if {"x", "y"} <= set(rows):
        return (rows["x"], rows["y"]), ("x", "y"), None
    if "coords" in rows:
        a, b = coords.split_pair(rows["coords"])
        unsplit = (rows["coords"].notna() & a.isna()).to_numpy()
        return (a, b), ("lat", "lon"), unsplit
    return None


def _coordinate_issues(rows, labels, pair, names_, unsplit, located) -> list[pd.DataFrame]:
    """The issues of the coordinate cells: not split in two, not a coordinate, one of two
    missing, swapped against the rest of the file."""
    issues = []
    if names_ == ("lat", "lon"):
        f_a = f_b = labels.get("coords", "coords")
        issues.append(
            _issue(
                rows,
                unsplit,
                "error",
                f_a,
                "the cell does not hold two coordinates (write e.g. 21.3875, 103.0125)",
                "ô không chứa đủ hai tọa độ (ví dụ 21,3875; 103,0125)",
                rows["coords"],
            )
        )
    else:
        f_a, f_b = labels.get(names_[0], names_[0]), labels.get(names_[1], names_[1])
    issues.append(
        _issue(
            rows,
            located.bad_a,
            "error",
            f_a,
            "not a coordinate (write decimal degrees such as 21.3875 or 21°23'15\"N, or metres)",
            "không phải tọa độ (hãy ghi độ thập phân như 21,3875 hoặc 21°23'15\"N, hoặc mét)",
            pair[0],
        )
    )
    issues.append(
        _issue(
            rows,
            located.bad_b,
            "error",
            f_b,
            "not a coordinate (write decimal degrees such as 103.0125 or 103°0'45\"E, or metres)",
            "không phải tọa độ (hãy ghi độ thập phân như 103,0125 hoặc 103°0'45\"E, hoặc mét)",
            pair[1],
        )
    )
    issues.append(
        _issue(
            rows,
            located.missing_one,
            "error",
            f_b,
            "only one of the two coordinates is given",
            "chỉ có một trong hai tọa độ",
        )
    )
    issues.append(
        _issue(
            rows,
            located.swapped_rows,
            "review",
            f_a,
            "the two coordinates of this row look swapped against the rest of the file; they "
            "were exchanged",
            "hai tọa độ của dòng này có vẻ bị đảo so với các dòng khác; đã đổi chỗ",
        )
    )
    return issues


def _best_sheet(data: bytes, file: str, sheets: list[str], kind: str, opts: dict) -> str:
    """The first sheet whose header has every required field (else the first sheet)."""
    if len(sheets) == 1:
        return sheets[0]
    for s in sheets:
        try:
            raw = tables.read_table(
                data,
                file,
                sheet=s,
                fields=cols.KIND_FIELDS[kind],
                max_rows=opts["max_rows"],
                header_row=opts.get("header_row"),
            )
        except InputError:
            continue
        if not cols.propose_mapping(raw.labels, kind).missing:
            return s
    return sheets[0]
