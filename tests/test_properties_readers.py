"""Property tests: whatever the bytes or the text, the readers and the name matcher give a
result or a named error (:class:`geo.errors.CoverageError`), never another exception.

Bytes are drawn plain, and also wrapped in a real zip (so that the .xlsx, .kmz and .zip
readers get past the zip layer to the XML and GDAL behind it), and as text made of CSV-ish
pieces.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import names
from geo.errors import CoverageError
from geo.readers import tables, vector

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

XLSX_MEMBERS = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
]
XML_BITS = [
    b'<?xml version="1.0"?>',
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
    b"<sheetData>",
    b'<row r="1">',
    b'<c r="A1" t="inlineStr"><is><t>Th\xc3\xb4n</t></is></c>',
    b'<c r="XFD1048576"><v>1</v></c>',
    b'<c r="B2"><f>SUM(A1:A2)</f></c>',
    b'<dimension ref="A1:XFD1048576"/>',
    b"</row>",
    b"</sheetData></worksheet>",
    b"<kml><Document><Placemark><Point><coordinates>103,21</coordinates></Point>"
    b"</Placemark></Document></kml>",
    b'{"type":"FeatureCollection","features":[]}',
]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return out.getvalue()


xml_ish = st.lists(st.one_of(st.sampled_from(XML_BITS), st.binary(max_size=40)), max_size=8).map(
    b"".join
)
member_names = st.one_of(
    st.sampled_from(XLSX_MEMBERS + ["doc.kml", "a.shp", "a.shx", "a.dbf", "a.geojson"]),
    st.text(min_size=1, max_size=12),
)
zipped = st.lists(st.tuples(member_names, xml_ish), max_size=5, unique_by=lambda m: m[0]).map(_zip)
flipped = st.tuples(zipped, st.integers(0, 10_000), st.integers(1, 255)).map(
    lambda t: (
        t[0][: t[1]] + bytes([t[0][t[1]] ^ t[2]]) + t[0][t[1] + 1 :] if t[1] < len(t[0]) else t[0]
    )
)
any_bytes = st.one_of(st.binary(max_size=2_000), zipped, flipped, xml_ish)
csv_text = st.lists(
    st.one_of(
        st.sampled_from([",", ";", "\t", "|", "\n", "\r\n", '"', "sep=;", "Thôn", "Xã", "1,5"]),
        st.text(max_size=10),
    ),
    max_size=40,
).map("".join)
csv_bytes = st.one_of(
    st.binary(max_size=2_000),
    st.tuples(csv_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"])).map(
        lambda t: t[0].encode(t[1], errors="replace")
    ),
)


def _result_or_named_error(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except CoverageError as exc:
        # A named error can be shown in both languages and says which file.
        assert exc.message("vi") and exc.message("en")
        return exc


@SETTINGS
@given(data=csv_bytes)
def test_read_table_on_any_csv_bytes_returns_a_table_or_a_named_error(data):
    out = _result_or_named_error(tables.read_table, data, "bang.csv")
    if isinstance(out, CoverageError):
        assert out.file == "bang.csv"
    else:
        assert len(out.labels) == out.data.shape[1]


@SETTINGS
@given(data=any_bytes, ext=st.sampled_from([".xlsx", ".xlsm", ".ods", ".xls"]))
def test_read_table_on_any_workbook_bytes_returns_a_table_or_a_named_error(data, ext):
    out = _result_or_named_error(tables.read_table, data, "bang" + ext)
    if isinstance(out, CoverageError):
        assert out.file == "bang" + ext


@SETTINGS
@given(data=any_bytes, ext=st.sampled_from([".geojson", ".kml", ".kmz", ".zip"]))
def test_read_vector_on_any_bytes_returns_features_or_a_named_error(data, ext):
    out = _result_or_named_error(vector.read_vector, data, "lop" + ext)
    if isinstance(out, CoverageError):
        assert out.file == "lop" + ext
    else:
        assert len(out.frame) > 0


@SETTINGS
@given(data=csv_bytes)
def test_decode_text_returns_nfc_text_or_a_named_error(data):
    out = _result_or_named_error(tables.decode_text, data, "a.csv")
    if not isinstance(out, CoverageError):
        text, encoding = out
        assert encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258")
        assert "\x00" not in text


@SETTINGS
@given(s=st.text(max_size=40), level=st.sampled_from([None, *names.LEVELS]))
def test_name_keys_never_raise_and_are_idempotent(s, level):
    key = names.name_key(s, level)
    assert isinstance(key, str)
    assert names.name_key(key, level) == key
    assert isinstance(names.ascii_key(s, level), str)
    assert isinstance(names.ascii_key(s, level, compact=True), str)
    assert isinstance(names.strip_prefix(s, level), str)
    assert isinstance(names.normalise_tones(s), str)
    assert isinstance(names.roman_to_arabic(s), str)


@SETTINGS
@given(
    queries=st.lists(st.one_of(st.none(), st.text(max_size=20)), min_size=1, max_size=5),
    cands=st.lists(st.text(max_size=20), max_size=5),
    level=st.sampled_from(list(names.LEVELS)),
)
def test_match_within_any_names_gives_a_status_for_every_query_or_a_named_error(
    queries, cands, level
):
    q = pd.DataFrame({"name": queries, "group": "g"})
    c = pd.DataFrame({"name": cands, "group": "g", "id": [f"c{i}" for i in range(len(cands))]})
    out = _result_or_named_error(names.match_within, q, c, level=level)
    if not isinstance(out, CoverageError):
        assert len(out) == len(q)
        assert set(out["match_status"]) <= {"exact", "normalised", "fuzzy", "ambiguous", "none"}
