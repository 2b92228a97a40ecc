"""Reading a planner's upload: its shown name, its size and its type (checked against the kind
and against the bytes), before any reader opens it.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from pathlib import Path, PurePath

from geo.errors import InputError
from geo.readers import tables, vector
from geo.readers.limits import MAX_UPLOAD_BYTES

KINDS = ("sites", "villages", "fibre", "unserved", "coverage")
"""The kinds of import."""
MAX_BYTES = MAX_UPLOAD_BYTES
"""Largest file accepted (50 MB); what a zip may unzip to is bounded by :mod:`geo.readers.limits`
(200 MB in all, 150 MB per member, 100 times its compressed size)."""


MAX_ROWS = 200_000
"""Most data rows (or features) accepted in one file."""


def safe_name(filename: str | os.PathLike | None, default: str = "upload") -> str:
    """The name of an uploaded file, fit to show: its last path part only (``/`` and ``\\``),
    without control characters, at most 120 characters. It is never used to write a file.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\Users\\\\An\\\\Phụ lục 2.xlsx")
    'Phụ lục 2.xlsx'
    """
    text = "" if filename is None else str(filename)
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = unicodedata.normalize("NFC", text).strip().strip(".")
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = (stem[:110] + "…" + dot + ext) if dot and len(ext) <= 8 else text[:120]
    return text or default


def _extension(file: str) -> str:
    return PurePath(file).suffix.lower()


def _read_source(
    source: str | os.PathLike | bytes | io.IOBase, filename: str | None, max_bytes: int
) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        name = filename or getattr(source, "name", None)
    else:
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError(
                f"File {safe_name(name)} does not exist.",
                f"Không có tệp {safe_name(name)}.",
                file=safe_name(name),
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(safe_name(name), size, max_bytes)
        data = path.read_bytes()
    file = safe_name(name)
    if len(data) > max_bytes:
        raise _too_big(file, len(data), max_bytes)
    if not data:
        raise InputError(
            f"{file} is empty (0 bytes): there is nothing to import.",
            f"{file} trống (0 byte): không có gì để nhập.",
            file=file,
        )
    return data, file


def _check_header_row(header_row, file: str, ext: str) -> None:
    """A header row is only given for tables (its value is checked when the table is read)."""
    if header_row is None:
        return
    if ext not in (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS):
        raise InputError(
            f"{file}: a header row can only be given for a table (.xlsx, .xls, .ods, .csv); "
            "the columns of a vector file are its attributes.",
            f"{file}: chỉ chọn được dòng tiêu đề cho bảng (.xlsx, .xls, .ods, .csv); các cột của "
            "tệp bản đồ là thuộc tính của nó.",
            file=file,
            field="header_row",
        )


def _too_big(file: str, size: int, limit: int) -> InputError:
    return InputError(
        f"{file} is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. Split it (by "
        "district, say) or keep only the columns needed.",
        f"{file} có dung lượng {size / 1e6:.1f} MB; giới hạn là {limit / 1e6:.0f} MB. Hãy chia "
        "tệp (theo huyện chẳng hạn) hoặc chỉ giữ các cột cần thiết.",
        file=file,
    )


_SUPPORTED = {
    "sites": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "villages": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "fibre": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "unserved": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS),
    "coverage": (*vector.VECTOR_EXTS, *vector.RASTER_EXTS),
}


def _check_type(data: bytes, file: str, kind: str) -> str:
    """The file's extension, checked against the kind and against the bytes."""
    if kind not in KINDS:
        raise InputError(
            f"Unknown kind of import {kind!r}; use one of {', '.join(KINDS)}.",
            f"Loại dữ liệu {kind!r} không hợp lệ; hãy dùng một trong {', '.join(KINDS)}.",
            field="kind",
        )
    ext = _extension(file)
    allowed = _SUPPORTED[kind]
    if ext not in allowed:
        raise InputError(
            f"{file}: a {kind} file must be one of {', '.join(allowed)} (this one is "
            f"{ext or 'without extension'}).",
            f"{file}: tệp {kind} phải là một trong {', '.join(allowed)} (tệp này là "
            f"{ext or 'không có đuôi'}).",
            file=file,
        )
    is_zip = data[:4] == b"PK\x03\x04"
    zipped = (".xlsx", ".xlsm", ".ods", ".zip", ".kmz")
    if ext in zipped and not is_zip:
        raise InputError(
            f"{file} is not a {ext} file (its content is not what the extension says); save it "
            f"again as {ext} and upload it.",
            f"{file} không phải tệp {ext} (nội dung không khớp với đuôi tệp); hãy lưu lại thành "
            f"{ext} rồi tải lên.",
            file=file,
        )
    if ext in (*tables.TEXT_EXTS, ".kml", ".geojson", ".json") and (
        is_zip or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    ):
        raise InputError(
            f"{file} is a spreadsheet or zip file named {ext}; upload it with its real "
            "extension (.xlsx, .xls or .zip).",
            f"{file} là bảng tính hoặc tệp zip nhưng mang đuôi {ext}; hãy tải lên với đúng đuôi "
            "(.xlsx, .xls hoặc .zip).",
            file=file,
        )
    return ext
