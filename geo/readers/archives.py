"""Zip files (.xlsx, .ods, .kmz, zipped Shapefiles) checked before any library reads them.

:func:`check_zip` refuses, with a named :class:`~geo.errors.InputError`, a zip that is damaged
(bad CRC, truncated, not a zip), encrypted, compressed by a method other than Deflate, holding
too many files, or declaring more bytes than :mod:`geo.readers.limits` allows (in total, per
file, or at a zip bomb's compression ratio). It then unzips every member in pieces of
:data:`~geo.readers.limits.READ_CHUNK_BYTES`, never whole, and refuses a member whose real
size differs from the size its header declares (python-calamine and GDAL would trust the
stream, not the header). A caller may look at each member's bytes as they pass
(:func:`scan_xlsx` finds each sheet's used range that way, without building a grid).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from geo.errors import InputError
from geo.readers import limits

__all__ = ["SheetScan", "check_zip", "scan_xlsx"]

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error, ValueError)


def _damaged(file: str, detail: str, member: str | None = None) -> InputError:
    inner_en = f" (inside: {member})" if member else ""
    inner_vi = f" (tệp bên trong: {member})" if member else ""
    return InputError(
        f"{file}: the file is damaged{inner_en}: {detail}. Make it again (save it again from "
        "Excel, or zip the files again) and upload the new file.",
        f"{file}: tệp bị hỏng{inner_vi}: {detail}. Hãy tạo lại tệp (lưu lại từ Excel, hoặc nén "
        "lại các tệp) rồi tải lên tệp mới.",
        file=file,
    )


def _too_big(file: str, en: str, vi: str) -> InputError:
    return InputError(
        f"{file}: {en}. This is not a normal file (a zip bomb?); upload only the data needed, "
        "split into smaller files.",
        f'{file}: {vi}. Đây không phải tệp bình thường (có thể là "bom zip"); hãy chỉ tải '
        "lên dữ liệu cần thiết, chia thành các tệp nhỏ hơn.",
        file=file,
    )


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def _check_declared(infos: list[zipfile.ZipInfo], file: str, max_total: int) -> None:
    """Sizes, ratios, methods and encryption as the central directory declares them."""
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise _too_big(
            file,
            f"it holds {len(infos):,} files; the limit is {limits.MAX_ZIP_MEMBERS:,}",
            f"tệp chứa {len(infos):,} tệp con; giới hạn là {limits.MAX_ZIP_MEMBERS:,}",
        )
    total = sum(info.file_size for info in infos)
    if total > max_total:
        raise _too_big(
            file,
            f"it unzips to {_mb(total)}; the limit is {_mb(max_total)}",
            f"khi giải nén tệp là {_mb(total)}; giới hạn là {_mb(max_total)}",
        )
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise InputError(
                f"{file} is protected by a password ({name}); save it again without a password.",
                f"{file} được đặt mật khẩu ({name}); hãy lưu lại không đặt mật khẩu.",
                file=file,
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(
                f"{file}: {name} is compressed with an unusual method (number "
                f"{info.compress_type}); zip it again with the ordinary method (Deflate).",
                f"{file}: {name} được nén bằng phương pháp không thông dụng (số "
                f"{info.compress_type}); hãy nén lại bằng phương pháp thường (Deflate).",
                file=file,
            )
        if info.file_size > limits.MAX_MEMBER_BYTES:
            raise _too_big(
                file,
                f"{name} unzips to {_mb(info.file_size)}; the limit is "
                f"{_mb(limits.MAX_MEMBER_BYTES)} per file",
                f"{name} khi giải nén là {_mb(info.file_size)}; giới hạn là "
                f"{_mb(limits.MAX_MEMBER_BYTES)} mỗi tệp",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.RATIO_CHECK_MIN_BYTES and ratio > limits.MAX_COMPRESSION_RATIO:
            raise _too_big(
                file,
                f"{name} is compressed {ratio:,.0f} times ({_mb(info.file_size)} unzipped); "
                f"real data compresses at most {limits.MAX_COMPRESSION_RATIO} times",
                f"{name} bị nén {ratio:,.0f} lần ({_mb(info.file_size)} khi giải nén); dữ liệu "
                f"thật chỉ nén tối đa {limits.MAX_COMPRESSION_RATIO} lần",
            )


def _member_bytes(data: bytes, info: zipfile.ZipInfo, file: str) -> memoryview:
    """The compressed bytes of a member, found through its local header."""
    off = info.header_offset
    if off < 0 or off + _LOCAL_HEADER.size > len(data):
        raise _damaged(file, "a file's header is outside the zip", info.filename)
    head = _LOCAL_HEADER.unpack_from(data, off)
    if head[0] != b"PK\x03\x04":
        raise _damaged(file, "a file's header is missing", info.filename)
    start = off + _LOCAL_HEADER.size + head[9] + head[10]
    end = start + info.compress_size
    if end > len(data):
        raise _damaged(file, "the zip is cut short", info.filename)
    return memoryview(data)[start:end]


def _unzip_member(
    data: bytes, info: zipfile.ZipInfo, file: str, consume: Callable[[bytes], None] | None
) -> None:
    """Unzip one member in pieces, checking its real size and CRC against its header."""
    name = info.filename
    raw = _member_bytes(data, info, file)
    chunk = limits.READ_CHUNK_BYTES
    total = 0
    crc = 0

    def take(out: bytes) -> None:
        nonlocal total, crc
        total += len(out)
        if total > info.file_size:
            raise _damaged(
                file,
                f"{name} holds more than the {info.file_size:,} bytes its header declares",
                name,
            )
        crc = zlib.crc32(out, crc)
        if consume is not None and out:
            consume(out)

    if info.compress_type == zipfile.ZIP_STORED:
        for pos in range(0, len(raw), chunk):
            take(bytes(raw[pos : pos + chunk]))
        finished = True
    else:
        inflater = zlib.decompressobj(-15)
        pos = 0
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    piece = inflater.unconsumed_tail
                elif pos < len(raw):
                    piece = bytes(raw[pos : pos + chunk])
                    pos += chunk
                else:
                    break
                take(inflater.decompress(piece, chunk))
        except zlib.error as exc:
            raise _damaged(file, f"{name} cannot be unzipped ({exc})", name) from None
        finished = inflater.eof
    if not finished or total != info.file_size:
        raise _damaged(file, f"{name} is cut short ({total:,} of {info.file_size:,} bytes)", name)
    if crc != info.CRC:
        raise _damaged(file, f"{name} fails its check sum (CRC)", name)


def check_zip(
    data: bytes,
    file: str,
    *,
    max_total: int | None = None,
    not_zip: tuple[str, str] | None = None,
    consumers: Callable[[str], Callable[[bytes], None] | None] | None = None,
) -> list[zipfile.ZipInfo]:
    """Check a zip's declared and real sizes and CRCs before any other reader opens it.

    Parameters
    ----------
    data
        The zip's bytes (at most :data:`~geo.readers.limits.MAX_UPLOAD_BYTES`, checked by the
        caller).
    file
        Its (sanitised) name, for messages.
    max_total
        Refuse a zip whose members declare more bytes than this in total (never more than
        :data:`~geo.readers.limits.MAX_UNZIPPED_BYTES`).
    not_zip
        (en, vi) what to do when the bytes are not a zip at all (the file is then not what
        its extension says, rather than damaged).
    consumers
        Member name → a function given that member's unzipped bytes piece by piece (or None
        to only check it).

    Returns
    -------
    list of zipfile.ZipInfo
        The members (directories included), as the central directory lists them.

    Raises
    ------
    InputError
        Not a zip or damaged ("the file is damaged: make it again"), encrypted, an unusual
        compression method, too many members, too large once unzipped, a zip bomb's ratio,
        or a member whose real size is not the declared one.
    """
    cap = (
        limits.MAX_UNZIPPED_BYTES
        if max_total is None
        else min(max_total, limits.MAX_UNZIPPED_BYTES)
    )
    # Count the central directory's entries before zipfile builds an object for each.
    if data.count(b"PK\x01\x02") > limits.MAX_ZIP_MEMBERS:
        raise _too_big(
            file,
            f"it holds more than {limits.MAX_ZIP_MEMBERS:,} files",
            f"tệp chứa hơn {limits.MAX_ZIP_MEMBERS:,} tệp con",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except _ZIP_ERRORS as exc:
        if not_zip is not None and not data.startswith(b"PK"):
            raise InputError(
                f"{file} is not a zip file, as its extension says it must be: {not_zip[0]}",
                f"{file} không phải tệp nén zip như đuôi tệp cho biết: {not_zip[1]}",
                file=file,
            ) from None
        raise _damaged(file, f"it is not a readable zip ({exc})") from None
    _check_declared(infos, file, cap)
    for info in infos:
        if info.is_dir():
            continue
        consume = consumers(info.filename) if consumers is not None else None
        _unzip_member(data, info, file, consume)
    return infos


# ---------------------------------------------------------------------------------------------
# The used range of each sheet of an .xlsx, from its XML, without a grid
# ---------------------------------------------------------------------------------------------

_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension|f)\b([^>]*?)(/?)>")
_R_RE = re.compile(rb'\sr="([A-Za-z]{0,3})(\d{0,10})"')
_REF_RE = re.compile(rb'\sref="([^"]{0,40})"')
_CARRY_MAX = 1 << 16


def column_number(letters: str) -> int:
    """The 1-based number of an Excel column ("A" → 1, "XFD" → 16384)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class SheetScan:
    """What one worksheet's XML holds, found by streaming it.

    Attributes
    ----------
    member
        The zip member (``xl/worksheets/sheet1.xml``).
    name
        The sheet's name in Excel (the member's name when the workbook does not say).
    dimension
        The range the sheet declares (``A1:E20``); it may lie and is not trusted.
    cells
        How many cells (``<c>``) the sheet writes, empty or not.
    max_row, max_col
        The last row and column (1-based) of a cell that is not empty.
    has_formula
        Whether any cell holds a formula.
    """

    member: str
    name: str
    dimension: str | None = None
    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    has_formula: bool = False
    _row: int = field(default=0, repr=False)
    _col: int = field(default=0, repr=False)
    _carry: bytes = field(default=b"", repr=False)

    def feed(self, piece: bytes) -> None:
        """Read the next piece of the sheet's XML (tags cut between pieces are carried)."""
        buf = self._carry + piece
        cut = buf.rfind(b"<")
        if cut < 0 or len(buf) - cut > _CARRY_MAX:
            cut = len(buf)
        self._carry = buf[cut:]
        self._scan(buf[:cut])

    def close(self) -> None:
        """Read what is left."""
        self._scan(self._carry)
        self._carry = b""

    def _scan(self, buf: bytes) -> None:
        for m in _TAG_RE.finditer(buf):
            tag, attrs, empty = m.group(1), m.group(2), m.group(3)
            if tag == b"c":
                self.cells += 1
                r = _R_RE.search(attrs)
                if r and r.group(1):
                    self._col = column_number(r.group(1).decode())
                    if r.group(2):
                        self._row = int(r.group(2))
                else:
                    self._col += 1
                if not empty:
                    self.max_row = max(self.max_row, self._row)
                    self.max_col = max(self.max_col, self._col)
            elif tag == b"row":
                r = _R_RE.search(attrs)
                self._row = int(r.group(2)) if r and r.group(2) else self._row + 1
                self._col = 0
            elif tag == b"f":
                self.has_formula = True
            elif tag == b"dimension":
                ref = _REF_RE.search(attrs)
                if ref:
                    self.dimension = ref.group(1).decode("ascii", "replace")

    @property
    def used_cells(self) -> int:
        """Cells of the used range, from A1 to the last row and column holding a value."""
        return self.max_row * self.max_col


def _sheet_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Worksheet member → the sheet's name, from ``xl/workbook.xml`` and its relations."""
    book = parts.get("xl/workbook.xml", b"").decode("utf-8", "replace")
    rels = parts.get("xl/_rels/workbook.xml.rels", b"").decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        rid = re.search(r'\bId="([^"]*)"', m.group(1))
        target = re.search(r'\bTarget="([^"]*)"', m.group(1))
        if rid and target:
            t = target.group(1)
            t = t.lstrip("/") if t.startswith("/") else "xl/" + t
            targets[rid.group(1)] = str(PurePosixPath(t))
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", book):
        name = re.search(r'\bname="([^"]*)"', m.group(1))
        rid = re.search(r'\b\w+:id="([^"]*)"', m.group(1))
        if name and rid and rid.group(1) in targets:
            out[targets[rid.group(1)]] = html.unescape(name.group(1))
    return out


def scan_xlsx(
    data: bytes, file: str, not_zip: tuple[str, str] | None = None
) -> dict[str, SheetScan]:
    """Check an .xlsx/.xlsm as a zip (:func:`check_zip`) and each sheet's used range.

    The sheet XML is streamed: cell references (``<c r="XFD1048576">``) are read, no grid is
    built. The declared ``<dimension>`` is not trusted (python-calamine builds its range from
    the cells too, so a lying dimension alone is harmless).

    Returns
    -------
    dict
        Sheet name → :class:`SheetScan`.

    Raises
    ------
    InputError
        Everything :func:`check_zip` refuses; and a sheet with more rows, columns or cells than
        :data:`~geo.readers.limits.MAX_SHEET_ROWS`, ``MAX_SHEET_COLUMNS`` or
        ``MAX_SHEET_CELLS`` (saying to delete the unused rows and columns).
    """
    scans: dict[str, SheetScan] = {}
    parts: dict[str, bytearray] = {}

    def consumers(name: str):
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            scans[name] = SheetScan(member=name, name=name)
            return scans[name].feed
        if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            parts[name] = bytearray()

            def keep(piece: bytes, buf: bytearray = parts[name]) -> None:
                if len(buf) < limits.MAX_WORKBOOK_PART_BYTES:
                    buf.extend(piece)

            return keep
        return None

    check_zip(data, file, not_zip=not_zip, consumers=consumers)
    names = _sheet_names({k: bytes(v) for k, v in parts.items()})
    out = {}
    for member, scan in scans.items():
        scan.close()
        scan.name = names.get(member, member)
        _check_sheet(scan, file)
        out[scan.name] = scan
    return out


def _check_sheet(scan: SheetScan, file: str) -> None:
    from geo.readers.tables import excel_column

    last = f"{excel_column(max(scan.max_col, 1) - 1)}{max(scan.max_row, 1)}"
    fix_en = (
        "Open it in Excel, delete the unused rows and columns after the table (select them, "
        "right-click, Delete), save it again and upload it"
    )
    fix_vi = (
        "Hãy mở bằng Excel, xóa các dòng và cột không dùng sau bảng (chọn chúng, bấm chuột "
        "phải, Delete), lưu lại rồi tải lên"
    )
    problems = [
        (
            scan.max_col > limits.MAX_SHEET_COLUMNS,
            f"its last cell is {last}: {scan.max_col:,} columns; the limit is "
            f"{limits.MAX_SHEET_COLUMNS:,}",
            f"ô cuối cùng là {last}: {scan.max_col:,} cột; giới hạn là "
            f"{limits.MAX_SHEET_COLUMNS:,}",
        ),
        (
            scan.max_row > limits.MAX_SHEET_ROWS,
            f"its last cell is {last}: {scan.max_row:,} rows; the limit is "
            f"{limits.MAX_SHEET_ROWS:,}",
            f"ô cuối cùng là {last}: {scan.max_row:,} dòng; giới hạn là {limits.MAX_SHEET_ROWS:,}",
        ),
        (
            max(scan.cells, scan.used_cells) > limits.MAX_SHEET_CELLS,
            f"it uses {max(scan.cells, scan.used_cells):,} cells (up to {last}); the limit is "
            f"{limits.MAX_SHEET_CELLS:,}",
            f"trang dùng {max(scan.cells, scan.used_cells):,} ô (đến {last}); giới hạn là "
            f"{limits.MAX_SHEET_CELLS:,}",
        ),
    ]
    for bad, en, vi in problems:
        if bad:
            raise InputError(
                f"{file}, sheet {scan.name!r}: {en}. {fix_en}.",
                f"{file}, trang {scan.name!r}: {vi}. {fix_vi}.",
                file=file,
                sheet=scan.name,
                row=scan.max_row if scan.max_row > limits.MAX_SHEET_ROWS else None,
                field=excel_column(max(scan.max_col, 1) - 1),
            )
