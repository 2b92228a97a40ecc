"""Hostile files are refused with a named InputError, quickly and in little memory.

Every file is made in the test: tiny real workbooks, KMZs and zips (openpyxl, zipfile), then
patched (a cell at XFD1048576, a header that lies about a member's size, a wrong CRC) or
inflated (300 MB of blanks compressed to well under 1 MB, written piece by piece).
"""

from __future__ import annotations

import io
import re
import resource
import struct
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest

from geo import imports
from geo.errors import InputError
from geo.readers import archives, limits, tables, vector

ROOT = Path(__file__).resolve().parents[1]
BOMB_BYTES = 300_000_000
PIECE = b" " * (1 << 20)
KML = (
    b'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
    b"<Document><Placemark><name>DB1</name><Point><coordinates>103.0,21.4</coordinates>"
    b"</Point></Placemark></Document></kml>"
)


# ---------------------------------------------------------------------------------------------
# Making the files
# ---------------------------------------------------------------------------------------------


def small_xlsx() -> bytes:
    """A real two-row sites sheet named "Trạm"."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Trạm"
    ws.append(["Mã trạm", "Kinh độ", "Vĩ độ", "Nhà mạng", "Công nghệ"])
    ws.append(["DB1", 103.0, 21.4, "Viettel", "4G"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, patch) -> bytes:
    """The zip with each member's bytes passed through ``patch(name, bytes)``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, patch(info.filename, src.read(info.filename)))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def far_cell_xlsx() -> bytes:
    """The issue's 5 KB file: one more cell, at XFD1048576."""
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    return _rezip(
        small_xlsx(),
        lambda n, b: b.replace(b"</sheetData>", far) if n == SHEET else b,
    )


def lying_dimension_xlsx() -> bytes:
    """A sheet that declares A1:XFD1048576 but holds two rows."""
    return _rezip(
        small_xlsx(),
        lambda n, b: b.replace(b'ref="A1:E2"', b'ref="A1:XFD1048576"') if n == SHEET else b,
    )


def _write_blanks(z: zipfile.ZipFile, name: str, head: bytes, tail: bytes, size: int) -> None:
    """Write a member of ``size`` blanks between ``head`` and ``tail``, 1 MB at a time."""
    with z.open(name, "w", force_zip64=True) as f:
        f.write(head)
        for _ in range(size // len(PIECE)):
            f.write(PIECE)
        f.write(tail)


def xlsx_bomb(path: Path) -> Path:
    """An .xlsx whose sheet XML is 300 MB of blanks inside <sheetData>, under 1 MB zipped."""
    src = zipfile.ZipFile(io.BytesIO(small_xlsx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == SHEET:
                head, _, tail = data.partition(b"<sheetData>")
                _write_blanks(z, SHEET, head + b"<sheetData>", tail, BOMB_BYTES)
            else:
                z.writestr(info.filename, data)
    return path


def kmz_bomb(path: Path) -> Path:
    """A .kmz whose doc.kml is 300 MB of blanks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        head, _, tail = KML.partition(b"<Document>")
        _write_blanks(z, "doc.kml", head + b"<Document>", tail, BOMB_BYTES)
    return path


def shapefile_zip_bomb(path: Path) -> Path:
    """A zipped "Shapefile" whose .dbf is 300 MB of blanks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for ext in (".shp", ".shx", ".prj"):
            z.writestr("tram" + ext, b"\0" * 100)
        _write_blanks(z, "tram.dbf", b"", b"", BOMB_BYTES)
    return path


def _central_entry(data: bytes | bytearray, member: str) -> int:
    """Offset of ``member``'s entry in the central directory."""
    pos = 0
    name = member.encode()
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise LookupError(member)
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + n] == name:
            return pos
        pos += 4


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s declared unzipped size replaced (in both of its headers)."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        local = z.getinfo(member).header_offset
    struct.pack_into("<L", buf, local + 22, size)
    struct.pack_into("<L", buf, _central_entry(buf, member) + 24, size)
    return bytes(buf)


def damage_crc(data: bytes, member: str) -> bytes:
    """The zip with ``member``'s CRC-32 made wrong (in both of its headers)."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(member)
    wrong = info.CRC ^ 0xFFFFFFFF
    struct.pack_into("<L", buf, info.header_offset + 14, wrong)
    struct.pack_into("<L", buf, _central_entry(buf, member) + 16, wrong)
    return bytes(buf)


def lying_xlsx() -> bytes:
    """A sheet XML of 5 MB (blanks) whose headers declare 1,000 bytes."""
    src = zipfile.ZipFile(io.BytesIO(small_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == SHEET:
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 5_000_000)
            z.writestr(info.filename, data)
    return declare_size(out.getvalue(), SHEET, 1000)


def kmz(kml: bytes = KML) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", kml)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# At the reader
# ---------------------------------------------------------------------------------------------


def test_a_cell_at_xfd1048576_is_refused_before_calamine_reads_the_sheet(monkeypatch):
    import python_calamine

    def never(*args, **kwargs):
        raise AssertionError("calamine was asked to open the hostile workbook")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", never)
    data = far_cell_xlsx()
    assert len(data) < 10_000
    with pytest.raises(InputError) as info:
        tables.read_table(data, "tram.xlsx")
    err = info.value
    assert (err.file, err.sheet, err.row, err.field) == ("tram.xlsx", "Trạm", 1048576, "XFD")
    assert "XFD1048576" in err.message("en")
    assert "delete the unused rows and columns" in err.message("en")
    assert "xóa các dòng và cột không dùng" in err.message("vi")


def test_sheet_names_refuses_the_far_cell_too():
    with pytest.raises(InputError, match="16,384 columns; the limit is 200"):
        tables.sheet_names(far_cell_xlsx(), "tram.xlsx")


def test_a_lying_dimension_alone_is_harmless_and_the_real_cells_are_read():
    start = time.perf_counter()
    raw = tables.read_table(lying_dimension_xlsx(), "tram.xlsx")
    assert time.perf_counter() - start < 10
    assert raw.labels[:2] == ["Mã trạm", "Kinh độ"]
    assert raw.data.shape == (1, 5)


def test_sheet_scan_finds_the_used_range_without_a_grid():
    scans = archives.scan_xlsx(lying_dimension_xlsx(), "tram.xlsx")
    scan = scans["Trạm"]
    assert scan.dimension == "A1:XFD1048576"
    assert (scan.max_row, scan.max_col, scan.cells) == (2, 5, 10)


def test_a_sheet_with_more_rows_than_the_limit_is_refused_naming_the_row(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SHEET_ROWS", 10)
    wb = openpyxl.Workbook()
    for i in range(12):
        wb.active.append([f"DB{i}", 103.0])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError, match="12 rows; the limit is 10") as info:
        tables.read_table(buf.getvalue(), "tram.xlsx")
    assert info.value.row == 12


def test_an_xlsx_bomb_is_refused_from_its_declared_size(tmp_path):
    path = xlsx_bomb(tmp_path / "bom.xlsx")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match=r"unzips to 300 MB; the limit is 200 MB") as info:
        tables.read_table(path.read_bytes(), "bom.xlsx")
    assert info.value.file == "bom.xlsx"
    assert "bom zip" in info.value.message("vi")


@pytest.mark.parametrize("read", [tables.read_table, tables.sheet_names])
def test_a_member_larger_than_its_header_declares_is_refused(read):
    with pytest.raises(InputError, match="holds more than the 1,000 bytes its header declares"):
        read(lying_xlsx(), "tram.xlsx")


@pytest.mark.parametrize(
    ("data", "file", "member"),
    [
        (small_xlsx(), "tram.xlsx", SHEET),
        (kmz(), "tram.kmz", "doc.kml"),
    ],
    ids=["xlsx", "kmz"],
)
def test_a_bad_crc_says_the_file_is_damaged_and_to_make_it_again(data, file, member):
    bad = damage_crc(data, member)
    read = tables.read_table if file.endswith(".xlsx") else vector.read_vector
    with pytest.raises(InputError) as info:
        read(bad, file)
    assert "the file is damaged" in info.value.message("en")
    assert "CRC" in info.value.message("en")
    assert "Make it again" in info.value.message("en")
    assert "tệp bị hỏng" in info.value.message("vi")


def test_a_truncated_zip_says_the_file_is_damaged():
    data = small_xlsx()
    with pytest.raises(InputError, match="the file is damaged"):
        tables.read_table(data[: len(data) // 2] + data[-200:], "tram.xlsx")


def test_a_high_compression_ratio_is_refused_even_under_the_size_limits():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", KML + b" " * 20_000_000)
    with pytest.raises(InputError, match=r"doc.kml is compressed [\d,]+ times"):
        vector.read_vector(out.getvalue(), "tram.kmz")


def test_too_many_members_are_refused_before_zipfile_lists_them(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 5)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(6):
            z.writestr(f"f{i}.kml", KML)
    with pytest.raises(InputError, match="more than 5 files"):
        vector.read_vector(out.getvalue(), "tram.zip")


def test_a_password_protected_member_is_refused_with_the_fix():
    data = bytearray(kmz())
    struct.pack_into("<H", data, 6, 1)  # local header: encrypted
    struct.pack_into("<H", data, _central_entry(data, "doc.kml") + 8, 1)
    with pytest.raises(InputError, match="save it again without a password"):
        vector.read_vector(bytes(data), "tram.kmz")


@pytest.mark.parametrize("make", [kmz_bomb, shapefile_zip_bomb], ids=["kmz", "zip"])
def test_vector_bombs_are_refused_from_their_declared_size(tmp_path, make):
    path = make(tmp_path / ("bom.kmz" if make is kmz_bomb else "bom.zip"))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match="unzips to 300 MB") as info:
        vector.read_vector(path.read_bytes(), path.name)
    assert info.value.file == path.name


def test_a_kmz_within_the_limits_is_still_read():
    vt = vector.read_vector(kmz(), "tram.kmz")
    assert len(vt.frame) == 1


# CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "is empty"),
        (b"   \r\n\t\r\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "is not a text (CSV) file"),
        (bytes(range(1, 32)) * 50, "is not a text (CSV) file"),
        (b"M\xe3 tr\x81m,X\x8d\n\x90,\x9d\n", "is not text in UTF-8, UTF-16 or Windows-1258"),
        (b"\xff\xfeA\x00\x00\x00B\x00", "is not a text (CSV) file"),
    ],
    ids=["empty", "blank", "png", "controls", "undefined-cp1258", "utf16-nul"],
)
def test_csv_that_is_not_a_table_is_a_named_input_error(data, expected):
    with pytest.raises(InputError, match=re.escape(expected)) as info:
        tables.read_table(data, "danh_sach.csv")
    assert info.value.file == "danh_sach.csv"
    assert "danh_sach.csv" in info.value.message("vi")


def test_decode_text_names_an_undefined_windows_1258_byte():
    with pytest.raises(InputError, match="save it again from Excel as .xlsx or .csv"):
        tables.decode_text(b"Th\xf4n \x81", "a.csv")
    # Windows-1258 writes "ả" as "a" and a combining hook: read back as one letter (NFC).
    cp1258 = "Thôn Ba\u0309n".encode("cp1258")
    assert tables.decode_text(cp1258, "a.csv") == ("Thôn Bản", "cp1258")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"," * 5_000_000, "separators"),
        (b"a\n" * 2_000_000, "lines"),
        (b"a\n" * (limits.MAX_SHEET_ROWS + 1), "more than 250,000 rows"),
        ((b"x," * 300)[:-1] + b"\n", "300 cells in row 1"),
    ],
    ids=["commas", "line-breaks", "rows", "columns"],
)
def test_csv_larger_than_the_limits_is_refused_while_reading(data, expected):
    start = time.perf_counter()
    with pytest.raises(InputError, match=expected):
        tables.read_table(data, "lon.csv")
    assert time.perf_counter() - start < 30


# ---------------------------------------------------------------------------------------------
# One upload limit
# ---------------------------------------------------------------------------------------------


def test_streamlit_upload_limit_is_the_readers_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
    assert imports.MAX_BYTES == limits.MAX_UPLOAD_BYTES == limits.MAX_UPLOAD_MB * 1_000_000


# ---------------------------------------------------------------------------------------------
# Through the command line, under a 3 GB address-space limit
# ---------------------------------------------------------------------------------------------

MEMORY_LIMIT = 3 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


HOSTILE = {
    "xlsx-far-cell": lambda d: _write(d / "xa_xa.xlsx", far_cell_xlsx()),
    "xlsx-bomb": lambda d: xlsx_bomb(d / "bom.xlsx"),
    "xlsx-lying-size": lambda d: _write(d / "noi_doi.xlsx", lying_xlsx()),
    "xlsx-bad-crc": lambda d: _write(d / "hong.xlsx", damage_crc(small_xlsx(), SHEET)),
    "kmz-bomb": lambda d: kmz_bomb(d / "bom.kmz"),
    "kmz-bad-crc": lambda d: _write(d / "hong.kmz", damage_crc(kmz(), "doc.kml")),
    "zip-bomb": lambda d: shapefile_zip_bomb(d / "bom.zip"),
    "csv-binary": lambda d: _write(d / "anh.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    "csv-undecodable": lambda d: _write(d / "ma_la.csv", b"M\xe3 tr\x81m,X\n\x90,\x9d\n"),
    "csv-commas": lambda d: _write(d / "phay.csv", b"," * 10_000_000),
}


@pytest.mark.parametrize("kind", ["sites"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_cli_refuses_hostile_files_with_exit_2_in_bounded_memory(real_data, tmp_path, case, kind):
    path = HOSTILE[case](tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "import",
            kind,
            str(path),
            "--province",
            "11",
            "--output",
            str(tmp_path / "out.geojson"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert path.name in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.geojson").exists()


def test_cli_refuses_an_undecodable_unserved_csv_with_exit_2(real_data, tmp_path):
    path = _write(tmp_path / "thon.csv", b"Th\xf4n,X\x81\n\x90,\x9d\n")
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "--lang", "vi", "import", "unserved", str(path)]
        + ["--province", "11", "--output", str(tmp_path / "out.geojson")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "thon.csv" in proc.stderr
    assert "không phải văn bản UTF-8, UTF-16 hay Windows-1258" in proc.stderr
    assert "Traceback" not in proc.stderr
