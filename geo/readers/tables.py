"""Spreadsheets and CSV files as planners make them: title blocks, merged cells, totals.

A Vietnamese administrative table rarely starts at A1. It has a title block ("PHỤ LỤC 2 /
DANH SÁCH THÔN, BẢN … / (Kèm theo Kế hoạch số …)"), a header that may span two rows with
merged cells ("Tọa độ" over "X" and "Y"), a row of column numbers ("(1) (2) (3)"), section
rows ("I. HUYỆN ĐIỆN BIÊN"), cells merged down a column (a commune written once for its
villages), total rows ("Tổng cộng: 36 thôn") and a signature block. :func:`read_table` finds
the header, fills merged cells, skips and reports what is not data, and returns a
:class:`RawTable` of raw cell values indexed by the row numbers the planner sees.

Formats
-------
``.xlsx``/``.xlsm`` (every sheet offered by :func:`sheet_names`; read with python-calamine,
formulas checked with openpyxl), ``.xls`` and ``.ods`` (python-calamine), ``.csv``/``.txt``
in UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text") or Windows-1258 (Excel's "CSV"
on a Vietnamese Windows), separated by commas, semicolons, tabs or bars.
"""

from __future__ import annotations

import csv
import io
import operator
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.readers import archives, limits
from geo.readers.columns import label_score

__all__ = [
    "SPREADSHEET_EXTS",
    "TEXT_EXTS",
    "RawTable",
    "decode_text",
    "excel_column",
    "read_table",
    "sheet_names",
    "unique_labels",
]

SPREADSHEET_EXTS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_EXTS = (".csv", ".txt", ".tsv")
HEADER_SCAN_ROWS = 30


@dataclass
class RawTable:
    """A table read from a sheet or a CSV file, before any field is interpreted.

    Attributes
    ----------
    file, sheet
        Where it comes from (``sheet`` None for CSV).
    labels
        The header of each column (unique; a blank header is shown as its column letter).
    data
        Raw cell values (text, numbers, dates, booleans; None for empty), one column per
        label, indexed by the row number the planner sees in Excel (1-based).
    header_rows
        The row numbers of the header (two for a two-row header).
    title
        The text of the rows above the header (the title block).
    skipped
        Rows that are not data: ``row``, ``reason`` (``total``, ``footer``, ``section``,
        ``numbering``) and ``text``.
    sections
        Aligned to ``data``: ``district`` and ``commune`` named by the last section row above
        each row ("I. Huyện Điện Biên"), for files that write the unit once per block.
    formula_cells
        Cells holding a formula whose result the file does not store: (row, label, formula).
    encoding, delimiter
        For CSV files.
    """

    file: str
    sheet: str | None
    labels: list[str]
    data: pd.DataFrame
    header_rows: list[int]
    title: list[str] = field(default_factory=list)
    skipped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["row", "reason", "text"])
    )
    sections: pd.DataFrame | None = None
    formula_cells: list[tuple[int, str, str]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None


def _has(v: object) -> bool:
    """A cell holds something (not None, NaN or <NA>)."""
    return v is not None and not (isinstance(v, float) and v != v) and v is not pd.NA


def excel_column(j: int) -> str:
    """The Excel letter of a 0-based column index (0 → "A", 27 → "AB")."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def unique_labels(labels: list[object]) -> list[str]:
    """Header labels made unique and non-empty: a blank one becomes "(C)" after its column
    letter, a repeated one gets " (2)", " (3)" …"""
    out: list[str] = []
    seen: dict[str, int] = {}
    for j, v in enumerate(labels):
        text = "" if not _has(v) else " ".join(str(v).split())
        if not text:
            text = f"({excel_column(j)})"
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        out.append(text)
    return out


# ---------------------------------------------------------------------------------------------
# Reading bytes into a grid
# ---------------------------------------------------------------------------------------------


def _not_this_format(file: str, what_en: str, what_vi: str) -> InputError:
    return InputError(
        f"{file} is not {what_en}: save it again from Excel as .xlsx or .csv (UTF-8), or "
        "upload the right file.",
        f"{file} không phải {what_vi}: hãy lưu lại từ Excel thành .xlsx hoặc .csv (UTF-8), "
        "hoặc tải lên đúng tệp.",
        file=file,
    )


def _calamine_errors() -> tuple[type[BaseException], ...]:
    """The error types python-calamine raises for a file it cannot read."""
    import python_calamine as pc

    names = ("CalamineError", "PasswordError", "WorksheetNotFound", "XmlError", "ZipError")
    return tuple(getattr(pc, n) for n in names if hasattr(pc, n))


@dataclass
class _Book:
    """An opened workbook and, for .xlsx/.xlsm, what each sheet's XML holds."""

    wb: object
    scans: dict = field(default_factory=dict)


def _open_book(data: bytes, file: str) -> _Book:
    """Check the file's bounds (:mod:`geo.readers.archives`), then open it with calamine."""
    from python_calamine import CalamineWorkbook

    ext = "." + file.rsplit(".", 1)[-1].lower() if "." in file else ""
    scans = {}
    fix = (
        "open it in Excel and save it as .xlsx, or export it as .csv (UTF-8).",
        "hãy mở bằng Excel và lưu thành .xlsx, hoặc xuất ra .csv (UTF-8).",
    )
    if ext in (".xlsx", ".xlsm"):
        scans = archives.scan_xlsx(data, file, not_zip=fix)
    elif ext == ".ods":
        archives.check_zip(data, file, not_zip=fix)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (*_calamine_errors(), ValueError, OSError) as exc:
        raise InputError(
            f"{file} cannot be opened as a spreadsheet ({exc}). Open it in Excel and save it "
            "as .xlsx, or export it as .csv (UTF-8).",
            f"Không mở được {file} như một bảng tính ({exc}). Hãy mở bằng Excel và lưu thành "
            ".xlsx, hoặc xuất ra .csv (UTF-8).",
            file=file,
        ) from None
    return _Book(wb, scans)


def _visible_sheets(wb) -> list[str]:
    names = []
    for meta in wb.sheets_metadata:
        visible = str(getattr(meta, "visible", "Visible"))
        is_sheet = "WorkSheet" in str(getattr(meta, "typ", "WorkSheet"))
        if visible.endswith("Visible") and "Hidden" not in visible and is_sheet:
            names.append(meta.name)
    return names or list(wb.sheet_names)


def sheet_names(data: bytes, file: str) -> list[str]:
    """The visible sheets of a workbook, in order (every one can be imported).

    Raises
    ------
    InputError
        The file is damaged, too large once unzipped, a sheet uses more rows, columns or
        cells than :mod:`geo.readers.limits` allows, or it is not a workbook.
    """
    return _visible_sheets(_open_book(data, file).wb)


def _grid_from_workbook(
    data: bytes, file: str, sheet: str | None
) -> tuple[np.ndarray, str, list[tuple[tuple[int, int], tuple[int, int]]], _Book]:
    book = _open_book(data, file)
    wb = book.wb
    names = _visible_sheets(wb)
    if sheet is None:
        if not names:
            raise InputError(f"{file} has no sheet.", f"{file} không có trang tính nào.", file=file)
        sheet = names[0]
    elif sheet not in wb.sheet_names:
        raise InputError(
            f"{file} has no sheet {sheet!r}; its sheets: {', '.join(names)}.",
            f"{file} không có trang tính {sheet!r}; các trang: {', '.join(names)}.",
            file=file,
            sheet=sheet,
        )
    try:
        ws = wb.get_sheet_by_name(sheet)
        rows = ws.to_python(skip_empty_area=False)
        merged = list(ws.merged_cell_ranges or [])
    except (*_calamine_errors(), ValueError, OSError) as exc:
        raise InputError(
            f"{file}, sheet {sheet!r} cannot be read ({exc}). Open it in Excel, save it again "
            "as .xlsx and upload it.",
            f"Không đọc được {file}, trang {sheet!r} ({exc}). Hãy mở bằng Excel, lưu lại thành "
            ".xlsx rồi tải lên.",
            file=file,
            sheet=sheet,
        ) from None
    _check_grid_size(len(rows), max((len(r) for r in rows), default=0), file, sheet)
    width = max((len(r) for r in rows), default=0)
    grid = np.empty((len(rows), width), dtype=object)
    grid[:] = None
    for i, r in enumerate(rows):
        grid[i, : len(r)] = r
    return grid, sheet, merged, book


def _too_large(
    file: str, sheet: str | None, en: str, vi: str, row: int | None = None
) -> InputError:
    where_en = file if sheet is None else f"{file}, sheet {sheet!r}"
    where_vi = file if sheet is None else f"{file}, trang {sheet!r}"
    return InputError(
        f"{where_en} {en}; the limits are {limits.MAX_SHEET_ROWS:,} rows, "
        f"{limits.MAX_SHEET_COLUMNS:,} columns and {limits.MAX_SHEET_CELLS:,} cells. Delete the "
        "unused rows and columns, or split the file (by district, say) and import the parts.",
        f"{where_vi} {vi}; giới hạn là {limits.MAX_SHEET_ROWS:,} dòng, "
        f"{limits.MAX_SHEET_COLUMNS:,} cột và {limits.MAX_SHEET_CELLS:,} ô. Hãy xóa các dòng, "
        "cột không dùng, hoặc chia tệp (theo huyện chẳng hạn) rồi nhập từng phần.",
        file=file,
        sheet=sheet,
        row=row,
    )


def _check_grid_size(n_rows: int, n_cols: int, file: str, sheet: str | None) -> None:
    """Refuse a table larger than :mod:`geo.readers.limits` allows (rows, columns, cells)."""
    if (
        n_rows > limits.MAX_SHEET_ROWS
        or n_cols > limits.MAX_SHEET_COLUMNS
        or n_rows * n_cols > limits.MAX_SHEET_CELLS
    ):
        raise _too_large(
            file,
            sheet,
            f"has {n_rows:,} rows and {n_cols:,} columns",
            f"có {n_rows:,} dòng và {n_cols:,} cột",
        )


def _formula_cells(data: bytes, sheet: str, book: _Book) -> list[tuple[int, int, str]]:
    """(row, col, formula) of every formula cell of an .xlsx sheet, 0-based; [] if none.

    Only sheets whose XML holds a formula are opened with openpyxl, and only over the range
    of cells the sheet really uses (its declared dimension may lie)."""
    scan = book.scans.get(sheet)
    if scan is None or not scan.has_formula or not scan.max_row or not scan.max_col:
        return []
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        ws = wb[sheet]
        out = []
        for row in ws.iter_rows(min_row=1, max_row=scan.max_row, min_col=1, max_col=scan.max_col):
            for cell in row:
                v = getattr(cell, "value", None)
                if isinstance(v, str) and v.startswith("="):
                    out.append((cell.row - 1, cell.column - 1, v))
        return out
    finally:
        wb.close()


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


_TEXT_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1a")


def _looks_binary(text: str) -> bool:
    """More than 1 % control characters (other than tabs, line and page breaks) in the
    start of the text: not a text file."""
    head = text[: limits.TEXT_SNIFF_CHARS]
    controls = sum(
        1 for ch in head if ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    return "\x00" in head or controls * 100 > len(head)


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Decode a text file as Excel writes them: UTF-8 (with or without BOM), UTF-16 or
    Windows-1258; the text is returned in Unicode NFC.

    Returns
    -------
    text, encoding

    Raises
    ------
    InputError
        If the bytes are not text (a binary file with a .csv name: NUL or other control
        bytes), or are in none of these encodings (bytes Windows-1258 does not define).
    """
    encoding = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding is None:
        head = data[:4096]
        if head and head.count(b"\x00") > len(head) // 4:
            # UTF-16 without BOM: every other byte of ASCII text is NUL.
            encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        elif b"\x00" in head:
            raise _not_this_format(file, "a text (CSV) file", "tệp văn bản (CSV)")
    if encoding is None:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1258")
                encoding = "cp1258"
            except UnicodeDecodeError:
                raise _not_this_format(
                    file,
                    "text in UTF-8, UTF-16 or Windows-1258",
                    "văn bản UTF-8, UTF-16 hay Windows-1258",
                ) from None
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise _not_this_format(file, f"{encoding} text", f"văn bản {encoding}") from None
    if _looks_binary(text):
        raise _not_this_format(file, "a text (CSV) file", "tệp văn bản (CSV)")
    return unicodedata.normalize("NFC", text), encoding


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text[: limits.TEXT_SNIFF_CHARS].splitlines()[:50] if line.strip()]
    if lines and lines[0].lower().startswith("sep=") and len(lines[0]) >= 5:
        return lines[0][4]
    best, best_score = ",", -1.0
    for d in (",", ";", "\t", "|"):
        counts = []
        for line in lines:
            try:
                counts.append(len(next(csv.reader([line], delimiter=d))) - 1)
            except (csv.Error, StopIteration):
                counts.append(0)
        if not counts or max(counts) == 0:
            continue
        # The delimiter that splits many lines into the same, largest number of fields.
        common = max(set(counts), key=counts.count)
        score = common * counts.count(common)
        if score > best_score:
            best, best_score = d, score
    return best


def _csv_rows(text: str, delimiter: str, file: str) -> list[list[str]]:
    """The rows of a CSV text, read one by one and refused as soon as a limit is passed."""
    # Cheap upper bounds first: 50 MB of commas (or of line breaks) is refused before the
    # csv module builds one row of 50 million cells (or 50 million rows).
    if text.count(delimiter) > 2 * limits.MAX_SHEET_CELLS:
        raise _too_large(
            file,
            None,
            f"has more than {2 * limits.MAX_SHEET_CELLS:,} separators ({delimiter!r})",
            f"có hơn {2 * limits.MAX_SHEET_CELLS:,} dấu phân cách ({delimiter!r})",
        )
    if text.count("\n") > 4 * limits.MAX_SHEET_ROWS:
        raise _too_large(
            file,
            None,
            f"has more than {4 * limits.MAX_SHEET_ROWS:,} lines",
            f"có hơn {4 * limits.MAX_SHEET_ROWS:,} dòng",
        )
    rows: list[list[str]] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            cells += len(row)
            n = len(rows)
            if n > limits.MAX_SHEET_ROWS:
                raise _too_large(
                    file, None, f"has more than {n - 1:,} rows", f"có hơn {n - 1:,} dòng", n
                )
            if len(row) > limits.MAX_SHEET_COLUMNS:
                raise _too_large(
                    file,
                    None,
                    f"has {len(row):,} cells in row {n}",
                    f"có {len(row):,} ô ở dòng {n}",
                    n,
                )
            if cells > limits.MAX_SHEET_CELLS:
                raise _too_large(
                    file,
                    None,
                    f"has more than {cells - len(row):,} cells by row {n}",
                    f"có hơn {cells - len(row):,} ô tính đến dòng {n}",
                    n,
                )
    except csv.Error as exc:
        raise InputError(
            f"{file} is not a readable CSV file ({exc}): save it again from Excel as "
            "CSV UTF-8 (comma delimited).",
            f"{file} không phải tệp CSV đọc được ({exc}): hãy lưu lại từ Excel dạng "
            "CSV UTF-8 (comma delimited).",
            file=file,
        ) from None
    return rows


def _grid_from_text(data: bytes, file: str) -> tuple[np.ndarray, str, str]:
    text, encoding = decode_text(data, file)
    if not text.strip():
        raise InputError(
            f"{file} is empty: there is no table to import. Upload the file that holds the table.",
            f"{file} trống: không có bảng nào để nhập. Hãy tải lên tệp có bảng.",
            file=file,
        )
    delimiter = _sniff_delimiter(text)
    first, _, rest = text.partition("\n")
    if first.lower().startswith("sep="):
        text = rest
    rows = _csv_rows(text, delimiter, file)
    width = max((len(r) for r in rows), default=0)
    _check_grid_size(len(rows), width, file, None)
    grid = np.empty((len(rows), width), dtype=object)
    grid[:] = None
    for i, r in enumerate(rows):
        grid[i, : len(r)] = r
    return grid, encoding, delimiter


# ---------------------------------------------------------------------------------------------
# Interpreting the grid
# ---------------------------------------------------------------------------------------------


def _clean(grid: np.ndarray) -> pd.DataFrame:
    """Cells as a DataFrame: text stripped and NFC, empty text as None."""
    df = pd.DataFrame(grid, dtype=object)
    for col in df.columns:
        s = df[col]
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind == "empty":
            continue
        if kind == "string":
            is_text = s.notna().to_numpy()
        elif kind in ("mixed", "mixed-integer", "mixed-integer-float", "unknown-array"):
            is_text = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        else:
            continue
        if is_text.any():
            t = s[is_text].astype(str).str.strip().str.normalize("NFC")
            t = t.where(t != "", None)
            values = s.to_numpy(dtype=object, copy=True)
            values[is_text] = t.to_numpy(dtype=object)
            df[col] = pd.Series(values, index=df.index, dtype=object)
    return df.astype(object)


def _fill_merged(df: pd.DataFrame, merged) -> pd.DataFrame:
    values = df.to_numpy(dtype=object, copy=True)
    for (r0, c0), (r1, c1) in merged:
        if r0 < values.shape[0] and c0 < values.shape[1]:
            values[r0 : r1 + 1, c0 : c1 + 1] = values[r0, c0]
    return pd.DataFrame(values, index=df.index, columns=df.columns)


def _row_text(df: pd.DataFrame) -> pd.Series:
    """Each row's non-empty cells joined by single spaces (a cell repeating the one on its
    left, as merged cells do once filled, is written once)."""
    text = pd.Series("", index=df.index, dtype="string")
    previous = None
    for col in df.columns:
        cell = df[col].astype("string").fillna("")
        if previous is not None:
            cell = cell.where(cell != previous, "")
        text = text + " " + cell
        previous = df[col].astype("string").fillna("")
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def _cell_kind(v: object) -> str | None:
    """What a cell holds, as seen when looking for the header: ``None`` (empty), ``"number"``
    (a number, a date, or text that is digits with at most one letter: "103,01", "21°23'N",
    "15/03/2021", "(1)"), ``"code"`` (one word of letters and digits: "DB1", "DBN-VT-0101")
    or ``"text"``."""
    if not _has(v):
        return None
    if not isinstance(v, str):
        return "number"
    if not any(ch.isdigit() for ch in v):
        return "text"
    if sum(ch.isalpha() for ch in v) <= 1:
        return "number"
    if not any(ch.isspace() for ch in v):
        return "code"
    return "text"


#: How many rows below a candidate header are compared with it.
HEADER_CONTRAST_ROWS = 5


def _header_score(row: list[object], fields, below: list[list[object]] = ()) -> float:
    """How much a row looks like the header.

    Each field counts once, for its best cell; several operators (or several technologies)
    side by side count as one column each ("Viettel | VNPT | MobiFone"), but one operator next
    to one technology is a data row ("DB1, Viettel, 4G"); other distinct text counts a little;
    numbers and codes ("DB1") count against. A text cell over a column that holds numbers or
    codes in the rows ``below`` counts for the row: a header names what the rows below hold.
    """
    from geo.readers.columns import _wide_operator, technology_of

    best: dict[str, float] = {}
    score = 0.0
    operators: set[str] = set()
    techs: set[str] = set()
    seen: set[str] = set()
    for j, v in enumerate(row):
        if not _has(v):
            continue
        if isinstance(v, str):
            if v in seen:
                continue  # a header's names are distinct (a merged cell filled across too)
            seen.add(v)
        is_text = False
        if isinstance(v, str):
            scores = label_score(v, fields)
            f = max(scores, key=scores.get) if scores else None
            if f is not None and scores[f] >= 0.7:
                best[f] = max(best.get(f, 0.0), scores[f])
                is_text = True
            elif op := _wide_operator(v):
                operators.add(op)
            elif tech := technology_of(v):
                techs.add(tech)
            else:
                kind = _cell_kind(v)
                if kind == "number":
                    score -= 0.5
                elif kind == "code":
                    score -= 0.3
                else:
                    score += 0.05
                    is_text = True
        else:
            score -= 0.5
        if is_text and below:
            values = [r[j] for r in below if j < len(r) and _has(r[j])]
            kinds = [_cell_kind(x) for x in values]
            if values and sum(k in ("number", "code") for k in kinds) * 2 >= len(values):
                score += 0.25
    # One operator's (or technology's) name is a value; several side by side are a header.
    for named in (operators, techs):
        score += 0.9 * len(named) if len(named) >= 2 else 0.05 * len(named)
    return score + sum(best.values())


def _find_header(df: pd.DataFrame, fields) -> int:
    n = min(len(df), HEADER_SCAN_ROWS)
    rows = [df.iloc[i].tolist() for i in range(min(len(df), n + 4 * HEADER_CONTRAST_ROWS))]
    filled = [any(_has(v) for v in r) for r in rows]
    best, best_score = None, 0.0
    for i in range(n):
        if not filled[i]:
            continue
        below = [r for r, f in zip(rows[i + 1 :], filled[i + 1 :], strict=True) if f]
        s = _header_score(rows[i], fields, below[:HEADER_CONTRAST_ROWS])
        if s > best_score + 1e-9:
            best, best_score = i, s
    if best is not None and best_score >= 0.7:
        return best
    # Nothing recognised: the first row with two or more text cells.
    for i in range(n):
        if sum(isinstance(v, str) for v in rows[i]) >= 2:
            return i
    return 0


def _given_header(df: pd.DataFrame, header_row: object, file: str, sheet: str | None) -> int:
    """The position of the planner's header row (1-based row number), checked."""
    where_en = f"{file}" + ("" if sheet is None else f", sheet {sheet!r}")
    where_vi = f"{file}" + ("" if sheet is None else f", trang {sheet!r}")
    try:
        if isinstance(header_row, bool):
            raise TypeError
        number = operator.index(header_row)
    except TypeError:
        raise InputError(
            f"The header row must be a row number (1, 2, 3 …), not {header_row!r}.",
            f"Dòng tiêu đề phải là số thứ tự dòng (1, 2, 3 …), không phải {header_row!r}.",
            file=file,
            sheet=sheet,
            field="header_row",
        ) from None
    if not 1 <= number <= len(df):
        raise InputError(
            f"{where_en} has no row {number}: the header row must be between 1 and {len(df)}.",
            f"{where_vi} không có dòng {number}: dòng tiêu đề phải từ 1 đến {len(df)}.",
            file=file,
            sheet=sheet,
            row=number,
            field="header_row",
        )
    if not df.iloc[number - 1].notna().any():
        raise InputError(
            f"{where_en}: row {number} is empty and cannot be the header; give the row that "
            "holds the column names.",
            f"{where_vi}: dòng {number} trống, không thể là dòng tiêu đề; hãy chọn dòng ghi tên "
            "các cột.",
            file=file,
            sheet=sheet,
            row=number,
            field="header_row",
        )
    return number - 1


_NUMBERING_RE = re.compile(r"^\(?\s*([0-9]{1,2}|[A-Za-z])\s*\)?$")


def _is_numbering(row: list[object]) -> bool:
    """A row of column numbers under the header: "(1) (2) (3)", "1 2 3", "A B C"."""
    cells = [v for v in row if _has(v)]
    if len(cells) < 2:
        return False
    keys = []
    for v in cells:
        if isinstance(v, float | int) and not isinstance(v, bool) and float(v).is_integer():
            keys.append(int(v))
            continue
        m = _NUMBERING_RE.match(str(v))
        if not m:
            return False
        t = m.group(1)
        keys.append(int(t) if t.isdigit() else ord(t.upper()) - 64)
    return all(b == a + 1 for a, b in zip(keys, keys[1:], strict=False))


def _two_row_header(df: pd.DataFrame, h: int, merged, fields) -> bool:
    if h + 1 >= len(df):
        return False
    top = df.iloc[h].tolist()
    below = df.iloc[h + 1].tolist()
    if any(_has(v) and not isinstance(v, str) for v in below):
        return False
    if not any(isinstance(v, str) for v in below):
        return False
    spans = any(r0 <= h <= r1 and c1 > c0 for (r0, c0), (r1, c1) in merged)
    for j, v in enumerate(below):
        if not _has(v):
            continue
        parent_blank = not _has(top[j])
        parent_repeated = j > 0 and _has(top[j]) and top[j] == top[j - 1]
        if (parent_blank or parent_repeated or spans) and max(
            label_score(v, fields).values(), default=0
        ) >= 0.7:
            return True
    return False


def _combine_header(top: list[object], below: list[object]) -> list[object]:
    filled = list(top)
    for j in range(1, len(filled)):
        # "Tọa độ" written once over "X" and "Y".
        if not _has(filled[j]) and _has(below[j]) and _has(filled[j - 1]) and _has(below[j - 1]):
            filled[j] = filled[j - 1]
    out = []
    for t, b in zip(filled, below, strict=True):
        if not _has(t):
            out.append(b)
        elif not _has(b) or str(b) == str(t):
            out.append(t)
        else:
            out.append(f"{t} {b}")
    return out


_TOTAL_RE = r"(?i)^\W*(?:tổng|tong|cộng|cong|total|sum|grand total)\b"
_TOTAL_STRONG_RE = (
    r"(?i)^\W*(?:tổng cộng|tong cong|tổng số|tong so|cộng\s*:|cong\s*:|tổng\s*:|tong\s*:|"
    r"total\b|grand total)"
)
_SECTION_NUMBER_RE = re.compile(r"\s*(?:[IVXLC]+|[A-Z]|\d+)\.?\s*")
_FOOTER_RE = (
    r"(?i)^\W*(?:người lập|nguoi lap|ghi chú\s*:|ghi chu\s*:|nguồn\s*:|nguon\s*:|kt\.|tm\.|"
    r"giám đốc|giam doc|chủ tịch|chu tich|nơi nhận|noi nhan|xác nhận|xac nhan|thủ trưởng|"
    r"thu truong|lãnh đạo|lanh dao|phó giám đốc|pho giam doc|trưởng phòng|truong phong|"
    r"\(?ký|\(?ky ten|người kiểm tra|nguoi kiem tra)"
)
_DATE_LINE_RE = r"(?i)ngày\s*[\d.…_ ]*\s*tháng\s*[\d.…_ ]*\s*năm"
_SECTION_UNIT_RE = (
    r"(?i)^\W*(?:[IVXLC]+|[A-Z]|\d+)?[\s.):-]*"
    r"(?P<unit>huyện|huyen|thị xã|thi xa|thành phố|thanh pho|tp\.?|quận|quan|xã|xa|phường|"
    r"phuong|thị trấn|thi tran)\s+(?P<name>\S.*)$"
)
_DISTRICT_UNITS = {
    "huyện",
    "huyen",
    "thị xã",
    "thi xa",
    "thành phố",
    "thanh pho",
    "tp",
    "tp.",
    "quận",
    "quan",
}


def _classify_rows(body: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Reason to skip each body row ("" to keep it) and the section units carried down."""
    n_cols = body.shape[1]
    values = body.to_numpy(dtype=object)
    present = pd.notna(values)
    count = pd.Series(present.sum(axis=1), index=body.index)
    first_values = values[np.arange(len(values)), present.argmax(axis=1)] if n_cols else []
    first_text = pd.Series(first_values, index=body.index, dtype=object).astype("string")
    first_text = first_text.fillna("")
    # A row whose non-empty cells all hold one value (a merged heading or total).
    same = pd.Series(
        ((values == np.asarray(first_values, dtype=object)[:, None]) | ~present).all(axis=1)
        if n_cols
        else np.zeros(len(body), dtype=bool),
        index=body.index,
    )
    text = _row_text(body)
    reason = pd.Series("", index=body.index, dtype=object)
    reason[count == 0] = "blank"
    strong = text.str.contains(_TOTAL_STRONG_RE, regex=True)
    weak = text.str.contains(_TOTAL_RE, regex=True) & (count <= max(2, n_cols // 2))
    total = (strong | weak) & (count > 0)
    reason[total] = "total"
    footer = (
        text.str.contains(_FOOTER_RE, regex=True) | text.str.contains(_DATE_LINE_RE, regex=True)
    ) & ((count <= 3) | same)
    if footer.any():
        start = footer.idxmax()
        after = body.index >= start
        reason[after & (count > 0) & (reason == "")] = "footer"
    # Section rows: one text (maybe after a section number), naming a district or a commune.
    sections = pd.DataFrame({"district": pd.NA, "commune": pd.NA}, index=body.index, dtype=object)
    if n_cols >= 3:
        lone = (count.eq(1) | same) & (reason == "")
        pairs = count.eq(2) & (reason == "") & ~same
        if pairs.any():
            sub = body[pairs]
            numbered = sub.apply(
                lambda col: col.map(
                    lambda v: (
                        (isinstance(v, str) and bool(_SECTION_NUMBER_RE.fullmatch(v)))
                        or (isinstance(v, float | int) and not isinstance(v, bool))
                    )
                )
            ).any(axis=1)
            lone = lone | numbered.reindex(body.index, fill_value=False)
        unit = text.where(lone, "").str.extract(_SECTION_UNIT_RE)
        is_section = unit["unit"].notna()
        if is_section.any():
            level = unit["unit"].str.lower().isin(_DISTRICT_UNITS)
            name = (unit["unit"] + " " + unit["name"]).where(is_section)
            reason[is_section] = "section"
            sections["district"] = name.where(is_section & level)
            sections["commune"] = name.where(is_section & ~level)
            # Carry down; a district section resets the commune.
            sections.loc[is_section & level, "commune"] = ""
            sections = sections.ffill().replace("", pd.NA)
        headings = lone & ~is_section & first_text.str.isupper() & (count > 0)
        reason[headings & (reason == "")] = "section"
    return reason, sections


def read_table(
    data: bytes,
    file: str,
    *,
    sheet: str | None = None,
    fields=None,
    max_rows: int | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read one sheet of a workbook, or a CSV file, into a :class:`RawTable`.

    Parameters
    ----------
    data
        The file's bytes.
    file
        Its (sanitised) name; the extension chooses the reader.
    sheet
        The sheet to read (workbooks only); the first visible sheet when None.
    fields
        The fields to look for when finding the header (all fields when None).
    max_rows
        Refuse files with more data rows than this.
    header_row
        The header's row number as the planner sees it (1-based, as in Excel), when the one
        found is wrong; a second header row under it (a merged "Tọa độ" over "X" and "Y") is
        still joined to it.

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        The file cannot be opened as its extension says, the sheet does not exist, the
        table is empty, it has more than ``max_rows`` rows, or ``header_row`` is not a
        non-empty row of the sheet.
    """
    ext = "." + file.rsplit(".", 1)[-1].lower() if "." in file else ""
    merged: list = []
    encoding = delimiter = None
    formulas: list[tuple[int, int, str]] = []
    if ext in SPREADSHEET_EXTS:
        grid, sheet, merged, book = _grid_from_workbook(data, file, sheet)
        if ext in (".xlsx", ".xlsm"):
            formulas = _formula_cells(data, sheet, book)
    elif ext in TEXT_EXTS:
        grid, encoding, delimiter = _grid_from_text(data, file)
        sheet = None
    else:
        raise InputError(
            f"{file}: a table must be .xlsx, .xls, .ods or .csv.",
            f"{file}: bảng phải là tệp .xlsx, .xls, .ods hoặc .csv.",
            file=file,
        )
    df = _clean(grid)
    if merged:
        df = _fill_merged(df, merged)
    df.index = pd.RangeIndex(1, len(df) + 1)
    keep_cols = df.notna().any(axis=0)
    df = df.loc[:, keep_cols]
    df.columns = range(df.shape[1])
    if df.empty or not df.notna().any().any():
        raise InputError(
            f"{file}{'' if sheet is None else f', sheet {sheet!r}'} is empty: there is no table "
            "to import.",
            f"{file}{'' if sheet is None else f', trang {sheet!r}'} trống: không có bảng nào để "
            "nhập.",
            file=file,
            sheet=sheet,
        )
    # Merged ranges shift with the dropped columns: keep those whose origin column survived.
    col_pos = {old: new for new, old in enumerate(np.flatnonzero(keep_cols.to_numpy()))}
    merged = [
        ((r0, col_pos[c0]), (r1, col_pos.get(c1, col_pos[c0])))
        for (r0, c0), (r1, c1) in merged
        if c0 in col_pos
    ]

    h = (
        _find_header(df, fields)
        if header_row is None
        else _given_header(df, header_row, file, sheet)
    )
    header_rows = [h]
    labels_raw = df.iloc[h].tolist()
    if _two_row_header(df, h, merged, fields):
        labels_raw = _combine_header(labels_raw, df.iloc[h + 1].tolist())
        header_rows.append(h + 1)
    start = header_rows[-1] + 1
    skipped_rows = []
    if start < len(df) and _is_numbering(df.iloc[start].tolist()):
        skipped_rows.append(
            (int(df.index[start]), "numbering", _row_text(df.iloc[[start]]).iloc[0])
        )
        start += 1
    labels = unique_labels(labels_raw)
    title = [t for t in _row_text(df.iloc[:h]).tolist() if t] if h else []
    body = df.iloc[start:].copy()
    body.columns = labels
    reason, sections = _classify_rows(body)
    for reason_name in ("total", "footer", "section"):
        rows = body.index[reason == reason_name]
        if len(rows):
            texts = _row_text(body.loc[rows])
            skipped_rows += [(int(r), reason_name, t) for r, t in texts.items()]
    keep = reason == ""
    data_rows = body[keep]
    if max_rows is not None and len(data_rows) > max_rows:
        raise InputError(
            f"{file} has {len(data_rows):,} rows; the limit is {max_rows:,}. Split it (by "
            "district, say) and import the parts.",
            f"{file} có {len(data_rows):,} dòng; giới hạn là {max_rows:,}. Hãy chia tệp (theo "
            "huyện chẳng hạn) rồi nhập từng phần.",
            file=file,
            sheet=sheet,
        )
    formula_cells = []
    if formulas:
        row_number = {i: i + 1 for i in range(len(grid))}
        kept_cols = np.flatnonzero(keep_cols.to_numpy())
        label_of = {int(old): labels[new] for new, old in enumerate(kept_cols) if new < len(labels)}
        for i, j, formula in formulas:
            r = row_number[i]
            if r in data_rows.index and j in label_of:
                v = data_rows.at[r, label_of[j]]
                if pd.isna(v) or v == "":
                    formula_cells.append((r, label_of[j], formula))
    skipped = pd.DataFrame(skipped_rows, columns=["row", "reason", "text"])
    return RawTable(
        file=file,
        sheet=sheet,
        labels=labels,
        data=data_rows,
        header_rows=[int(df.index[i]) for i in header_rows],
        title=title,
        skipped=skipped.sort_values("row").reset_index(drop=True),
        sections=sections[keep],
        formula_cells=formula_cells,
        encoding=encoding,
        delimiter=delimiter,
    )
