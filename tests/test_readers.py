"""geo.readers: coordinates (DMS, VN-2000, axis order), headers, tables and vector files.

Every file is made in the test, in each format and encoding the planners' files come in.
"""

from __future__ import annotations

import contextlib
import io
import math
import unicodedata
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Transformer

from geo.errors import InputError
from geo.readers import columns, coords, tables, vector

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Text as Excel's "CSV" writes it on a Vietnamese Windows: Windows-1258, where tone marks
    are combining characters after the (precomposed) vowel."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in d if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
        for cand in (ch, base + tone):
            try:
                out.append(cand.encode("cp1258"))
                break
            except UnicodeEncodeError:
                continue
        else:  # pragma: no cover - every Vietnamese letter is encodable
            raise AssertionError(ch)
    return b"".join(out)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return to_cp1258(text)
    if encoding == "utf-16-le-nobom":
        return text.encode("utf-16-le")
    return text.encode(encoding)


def haversine_m(lon1, lat1, lon2, lat2):
    return coords.metres_between(lon1, lat1, lon2, lat2)


# ---------------------------------------------------------------------------------------------
# Numbers and degrees
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.360.123,45", 2360123.45),
        ("2 360 123,45", 2360123.45),
        ("2,360,123.45", 2360123.45),
        ("21,3875", 21.3875),
        ("21.3875", 21.3875),
        ("-0,5", -0.5),
        (103.25, 103.25),
    ],
)
def test_parse_numbers_reads_vietnamese_and_english_styles(text, expected):
    values, bad = coords.parse_numbers(pd.Series([text], dtype=object))
    assert not bad[0]
    assert values[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected", "axis"),
    [
        ("21°23'15\"N", 21.3875, "lat"),
        ("103°1'2\" E", 103 + 1 / 60 + 2 / 3600, "lon"),
        ("N 21°23'15\"", 21.3875, "lat"),
        ("21 23 15", 21.3875, ""),
        ("21:23:15", 21.3875, ""),
        ("21°23.25'", 21.3875, ""),
        ("21d23m15s", 21.3875, ""),
        ("103°01’02” Đ", 103 + 1 / 60 + 2 / 3600, "lon"),
        ("21° 23′ 15″ B", 21.3875, "lat"),
        ("21 độ 23 phút 15 giây", 21.3875, ""),
        ("21°23'15,5\"N", 21 + 23 / 60 + 15.5 / 3600, "lat"),
        ("21°23'15\"S", -21.3875, "lat"),
        ("-21.3875", -21.3875, ""),
        ("21,3875", 21.3875, ""),
    ],
)
def test_parse_degrees_reads_dms(text, expected, axis):
    values, bad, axes = coords.parse_degrees(pd.Series([text], dtype=object))
    assert not bad[0]
    assert values[0] == pytest.approx(expected, abs=1e-9)
    assert axes[0] == axis


@pytest.mark.parametrize("text", ["21°61'", "21°23'75\"", "N21°23'E", "abc", "21.5°23'"])
def test_parse_degrees_flags_what_is_not_an_angle(text):
    values, bad, _ = coords.parse_degrees(pd.Series([text], dtype=object))
    assert bad[0]
    assert np.isnan(values[0])


def test_parse_degrees_keeps_missing_cells_missing_and_not_bad():
    values, bad, _ = coords.parse_degrees(pd.Series([None, "", "  "], dtype=object))
    assert np.isnan(values).all()
    assert not bad.any()


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(min_value=-179.999, max_value=179.999, allow_nan=False),
    axis=st.sampled_from(["lat", "lon"]),
    precision=st.integers(min_value=0, max_value=4),
)
def test_dms_round_trip(value, axis, precision):
    if axis == "lat":
        value = max(min(value, 89.999), -89.999)
    text = coords.format_dms(value, axis, precision)
    parsed, bad, axes = coords.parse_degrees(pd.Series([text]))
    assert not bad[0], text
    assert axes[0] == axis
    assert parsed[0] == pytest.approx(value, abs=0.5 * 10**-precision / 3600 + 1e-9)


@settings(max_examples=200, deadline=None)
@given(
    value=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    decimals=st.integers(min_value=1, max_value=6),
)
def test_decimal_comma_round_trip(value, decimals):
    text = f"{value:.{decimals}f}".replace(".", ",")
    parsed, bad = coords.parse_numbers(pd.Series([text]))
    assert not bad[0]
    assert parsed[0] == pytest.approx(round(value, decimals), abs=10**-decimals)


def test_split_pair_reads_one_cell_holding_both_coordinates():
    a, b = coords.split_pair(
        pd.Series(["21.3875, 103.0125", "21,38; 103,01", "21°23'15\"N 103°1'2\"E", "x"])
    )
    assert a.tolist()[:3] == ["21.3875", "21,38", "21°23'15\"N"]
    assert b.tolist()[:3] == ["103.0125", "103,01", "103°1'2\"E"]
    assert pd.isna(a.iloc[3])


# ---------------------------------------------------------------------------------------------
# VN-2000
# ---------------------------------------------------------------------------------------------

_ALL_VN2000 = sorted({*coords.VN2000_TM3.values(), *coords.VN2000_UTM.values()})


@pytest.mark.parametrize("epsg", _ALL_VN2000)
def test_vn2000_conversion_matches_proj_epsg_definition_within_1cm(epsg):
    crs = CRS.from_epsg(epsg)
    w, s, e, n = crs.area_of_use.bounds
    rng = np.random.default_rng(epsg)
    lon = rng.uniform(w + 0.05, e - 0.05, 50)
    lat = rng.uniform(s + 0.05, n - 0.05, 50)
    # Forward with PROJ's own EPSG definition, back through the reader.
    forward = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    x, y = forward.transform(lon, lat)
    back_lon, back_lat = coords.to_wgs84(x, y, epsg)
    assert haversine_m(lon, lat, back_lon, back_lat).max() < 0.01
    # The same as PROJ's inverse of the EPSG definition.
    inverse = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    ref_lon, ref_lat = inverse.transform(x, y)
    assert haversine_m(ref_lon, ref_lat, back_lon, back_lat).max() < 0.01


def test_vn2000_uses_the_registered_datum_shift_not_a_ballpark():
    t = coords._transformer(9205)
    assert "VN-2000 to WGS 84" in t.description
    lon, lat = coords.to_wgs84(np.array([500000.0]), np.array([2360000.0]), 9205)
    # The same point on the VN-2000 datum, without the shift: about 200 m away.
    unshifted = Transformer.from_crs(9205, CRS.from_epsg(9205).geodetic_crs, always_xy=True)
    vlon, vlat = unshifted.transform(500000.0, 2360000.0)
    assert vlon == pytest.approx(103.0)
    assert 100 < float(haversine_m(vlon, vlat, lon[0], lat[0])) < 400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9205", 9205),
        ("EPSG:9205", 9205),
        ("epsg 9210", 9210),
        (9205, 9205),
        ("103°00'", 9205),
        ("105-45", 9210),
        ("KTT 105.75", 9210),
        ("VN-2000 107°45'", 5899),
        ("UTM 48", 3405),
        ("VN-2000 UTM zone 49N", 3406),
        ("4326", 4326),
        ("WGS84", 4326),
        (None, None),
    ],
)
def test_parse_crs_accepts_epsg_codes_and_meridians(text, expected):
    assert coords.parse_crs(text) == expected


def test_parse_crs_refuses_a_towgs84_string():
    with pytest.raises(InputError, match=r"not a PROJ string .*\+towgs84 string replaces"):
        coords.parse_crs(
            "+proj=tmerc +lon_0=103 +k=0.9999 +x_0=500000 +ellps=WGS84 "
            "+towgs84=-191.904,-39.303,-111.450,0.00928836,-0.01975479,0.00427372,0.252906"
        )


def test_parse_crs_names_the_known_meridians_when_one_has_no_zone():
    with pytest.raises(InputError, match=r"No VN-2000 TM-3 zone has central meridian 109°00'"):
        coords.parse_crs("109°00'")


def test_parse_crs_unknown_text_says_what_to_give():
    with pytest.raises(InputError, match="give an EPSG code such as 9205"):
        coords.parse_crs("Hà Nội 72")


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Hệ tọa độ VN-2000, kinh tuyến trục 103°00', múi chiếu 3°"], 9205),
        (["TỌA ĐỘ VN2000 KTT 105°45'"], 9210),
        (["Tọa độ VN-2000 (KTT 107-45)"], 5899),
        (["VN-2000 UTM 48"], 3405),
        (["Danh sách trạm BTS"], None),
    ],
)
def test_crs_hint_reads_the_title_block(texts, expected):
    assert coords.crs_hint(texts) == expected


def test_province_meridians_agree_with_epsg_areas_of_use():
    provinces = pd.read_csv(
        io.StringIO("code,lon,lat\n11,103.0,21.7\n12,103.3,22.3\n01,105.8,21.0\n79,106.7,10.8"),
        dtype={"code": str},
    )
    for _, p in provinces.iterrows():
        epsg = coords.proposed_crs(p["code"])
        w, s, e, n = CRS.from_epsg(epsg).area_of_use.bounds
        assert w <= p["lon"] <= e and s <= p["lat"] <= n
    assert coords.proposed_crs("11") == coords.proposed_crs("12") == 9205
    assert set(coords.PROVINCE_MERIDIANS.values()) <= set(coords.VN2000_TM3)
    assert len(coords.PROVINCE_MERIDIANS) == 63


# ---------------------------------------------------------------------------------------------
# Axis order
# ---------------------------------------------------------------------------------------------

# A rectangle over Điện Biên, for the "inside the province" test.
_DB = shapely.box(102.1, 20.9, 103.6, 22.6)


def _inside(lon, lat):
    return shapely.contains_xy(_DB, lon, lat)


def _sample(n=20, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(102.9, 103.3, n), rng.uniform(21.2, 21.6, n)


def test_locate_reads_swapped_lon_lat_columns_by_magnitude_and_says_so():
    lon, lat = _sample()
    # Header says (lon, lat) but the columns hold (lat, lon).
    got = coords.locate(pd.Series(lat), pd.Series(lon), labels=("lon", "lat"), inside=_inside)
    assert got.crs.axis == "latlon"
    np.testing.assert_allclose(got.lon, lon)
    np.testing.assert_allclose(got.lat, lat)
    assert any("swapped" in en for en, _ in got.notes)


def test_locate_swaps_single_rows_that_disagree_with_the_file():
    lon, lat = _sample()
    a, b = lon.copy(), lat.copy()
    a[3], b[3] = lat[3], lon[3]
    got = coords.locate(pd.Series(a), pd.Series(b), labels=("lon", "lat"))
    np.testing.assert_allclose(got.lon, lon)
    assert got.swapped_rows.tolist() == [i == 3 for i in range(len(lon))]


@pytest.mark.parametrize("x_is_northing", [True, False])
def test_locate_reads_x_as_northing_or_easting_by_magnitude(x_is_northing):
    lon, lat = _sample()
    e, n = Transformer.from_crs(4326, 9205, always_xy=True).transform(lon, lat)
    x, y = (n, e) if x_is_northing else (e, n)
    got = coords.locate(pd.Series(x), pd.Series(y), labels=("x", "y"), planner_epsg=9205)
    assert got.crs.axis == ("x_northing" if x_is_northing else "x_easting")
    assert haversine_m(lon, lat, got.lon, got.lat).max() < 0.01
    assert any(("northing" in en) for en, _ in got.notes)


def test_locate_proposes_the_provinces_zone_and_checks_it_against_the_province():
    lon, lat = _sample()
    e, n = Transformer.from_crs(4326, 9205, always_xy=True).transform(lon, lat)
    got = coords.locate(
        pd.Series(n), pd.Series(e), labels=("x", "y"), province_code="11", inside=_inside
    )
    assert got.crs.epsg == 9205
    assert got.crs.source == "proposed" and got.crs.needs_confirmation
    assert got.crs.inside_share == 1.0
    assert "EPSG:9205" in got.crs.note_en and "confirm" in got.crs.note_en


def test_locate_proposes_another_zone_when_the_provinces_puts_points_outside():
    lon, lat = _sample()
    # Written in UTM 48N (VN-2000), read for a province whose zone is TM-3 103°.
    e, n = Transformer.from_crs(4326, 3405, always_xy=True).transform(lon, lat)
    got = coords.locate(
        pd.Series(e), pd.Series(n), labels=("x", "y"), province_code="11", inside=_inside
    )
    assert got.crs.epsg == 3405
    assert got.crs.inside_share == 1.0
    assert haversine_m(lon, lat, got.lon, got.lat).max() < 0.01


def test_locate_reports_unreadable_and_half_missing_coordinates():
    got = coords.locate(
        pd.Series(["21.38", "abc", "21.4", None]),
        pd.Series(["103.01", "103.1", None, None]),
        labels=("lat", "lon"),
    )
    assert got.bad_a.tolist() == [False, True, False, False]
    assert got.missing_one.tolist() == [False, False, True, False]


# ---------------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Tên thôn/bản", "village"),
        ("Ten thon, ban", "village"),
        ("Thôn", "village"),
        ("Tên thôn, bản, tổ dân phố", "village"),
        ("Xã/Phường/Thị trấn", "commune"),
        ("XA", "commune"),
        ("Huyện/Thị xã/Thành phố", "district"),
        ("Huyen", "district"),
        ("Tỉnh", "province"),
        ("Kinh độ", "lon"),
        ("Kinh do (Longitude)", "lon"),
        ("Vĩ độ", "lat"),
        ("Latitude", "lat"),
        ("X", "x"),
        ("Tọa độ Y (m)", "y"),
        ("Nhà mạng", "operator"),
        ("Doanh nghiệp", "operator"),
        ("Doanh nghiệp thực hiện", "operator"),
        ("Công nghệ", "technology"),
        ("Mã trạm", "site_id"),
        ("Ma tram BTS", "site_id"),
        ("Ngày phát sóng", "on_air_date"),
        ("Site ID", "site_id"),
        ("Operator", "operator"),
    ],
)
def test_headers_are_recognised_in_vietnamese_and_english(label, field):
    scores = columns.label_score(label)
    best = max(scores, key=scores.get)
    assert best == field
    assert scores[best] >= columns.SURE


def test_proposal_maps_a_phu_luc_header_with_full_confidence():
    p = columns.propose_mapping(
        ["STT", "Tên thôn, bản", "Xã", "Huyện", "Doanh nghiệp thực hiện"], "unserved"
    )
    assert p.mapping == {
        "stt": "STT",
        "village": "Tên thôn, bản",
        "commune": "Xã",
        "district": "Huyện",
        "operator": "Doanh nghiệp thực hiện",
    }
    assert not p.needs_mapping


def test_proposal_is_unsure_on_generic_headers_and_says_what_is_missing():
    p = columns.propose_mapping(["Mã", "Tên", "Ghi chú"], "sites")
    assert p.needs_mapping
    assert "operator" in p.missing and "location" in p.missing
    frame = p.to_frame()
    assert list(frame.columns) == ["column", "field", "field_vi", "field_en", "confidence", "sure"]
    assert not frame.loc[frame["column"] == "Mã", "sure"].item()


def test_operators_and_technologies_as_one_column_each():
    p = columns.propose_mapping(["Mã trạm", "Nhà mạng", "2G", "3G", "LTE", "X", "Y"], "sites")
    assert p.mapping["technology:4G"] == "LTE"
    p = columns.propose_mapping(["Thôn", "Xã", "Viettel", "Vinaphone", "Mobi Fone"], "fibre")
    assert {"operator:Viettel", "operator:VNPT", "operator:MobiFone"} <= set(p.mapping)
    assert not p.missing


def test_planners_mapping_is_remembered_per_header_layout(tmp_path):
    memory = columns.MappingMemory(tmp_path / "m.sqlite")
    labels = ["Cột A", "Cột B", "Cột C", "Cột D"]
    given = {"village": "Cột A", "commune": "Cột B", "operator": "Cột C"}
    p = columns.propose_mapping(labels, "unserved", given=given)
    assert p.source == "planner"
    memory.put(p)
    again = columns.propose_mapping(list(labels), "unserved", memory=memory)
    assert again.source == "remembered" and again.mapping == given
    assert not again.needs_mapping
    # Another layout is not affected.
    assert columns.propose_mapping(["Cột A", "Cột B"], "unserved", memory=memory).source == (
        "recognised"
    )


def test_a_mapping_naming_a_missing_column_is_refused():
    with pytest.raises(InputError, match="the file has no column 'Tên'"):
        columns.propose_mapping(["Thôn", "Xã"], "unserved", given={"village": "Tên"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LTE", ["4G"]),
        ("NR", ["5G"]),
        ("5G NR", ["5G"]),
        ("4G LTE", ["4G"]),
        ("2G/3G/4G", ["2G", "3G", "4G"]),
        ("GSM, UMTS", ["2G", "3G"]),
        ("lte", ["4G"]),
        ("WiMAX", None),
    ],
)
def test_technologies(text, expected):
    got = columns.technologies_in(pd.Series([text])).iloc[0]
    assert got == expected


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

CSV_TEXT = (
    "Danh sách trạm BTS tỉnh Điện Biên\n"
    "\n"
    "Mã trạm{d}Nhà mạng{d}Công nghệ{d}Kinh độ{d}Vĩ độ{d}Xã\n"
    "DBN001{d}Viettel{d}4G{d}103{dec}0125{d}21{dec}3875{d}Ngối Cáy\n"
    "DBN002{d}Vinaphone{d}3G{d}103{dec}1{d}21{dec}4{d}Mường Ảng\n"
    "Tổng cộng: 2 trạm{d}{d}{d}{d}{d}\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-nobom", "cp1258"])
@pytest.mark.parametrize(("delimiter", "decimal"), [(",", "."), (";", ","), ("\t", ",")])
def test_csv_encodings_and_separators(encoding, delimiter, decimal):
    text = CSV_TEXT.format(d=delimiter, dec=decimal)
    if delimiter == "," and decimal == ",":  # pragma: no cover - not parametrised
        return
    raw = tables.read_table(encode(text, encoding), "tram.csv")
    assert raw.labels == ["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ", "Xã"]
    assert raw.header_rows == [3]
    assert raw.data.index.tolist() == [4, 5]
    assert raw.data["Xã"].tolist() == ["Ngối Cáy", "Mường Ảng"]
    assert all(unicodedata.is_normalized("NFC", v) for v in raw.data["Xã"])
    values, bad = coords.parse_numbers(raw.data["Kinh độ"])
    assert values.tolist() == [103.0125, 103.1] and not bad.any()
    assert raw.skipped[["row", "reason"]].values.tolist() == [[6, "total"]]
    assert raw.delimiter == delimiter
    assert raw.title == ["Danh sách trạm BTS tỉnh Điện Biên"]


def test_binary_file_named_csv_is_refused():
    with pytest.raises(InputError, match=r"is not a text \(CSV\) file"):
        tables.read_table(b"\x00\x01\x02binary\x00\x00\xff" * 10, "tram.csv")


def _phu_luc_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục 2"
    ws["A1"] = "PHỤ LỤC 2"
    ws.merge_cells("A1:F1")
    ws["A2"] = "DANH SÁCH THÔN, BẢN CHƯA CÓ DỊCH VỤ (Hệ tọa độ VN-2000, KTT 103°00')"
    ws.merge_cells("A2:F2")
    ws.append([])
    # Two-row header: "Tọa độ" merged over X and Y.
    ws.append(["STT", "Tên thôn", "Xã", "Doanh nghiệp", "Tọa độ", None])
    ws.merge_cells("E4:F4")
    ws.append([None, None, None, None, "X", "Y"])
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"])
    ws.append(["I", "HUYỆN ĐIỆN BIÊN", None, None, None, None])
    ws.append([1, "Nậm Ty 1", "Hua Thanh", "Viettel", 2363000.5, 512000.25])
    ws.append([2, "Nậm Ty 2", None, "VNPT", 2363100, 512100])
    ws.merge_cells("C8:C9")  # the commune written once for two villages
    ws.append(["II", "Huyện Mường Ảng", None, None, None, None])
    ws.append([3, "Nậm Chan 3", "Ngối Cáy", "=D8", 2400000, 520000])  # a formula, no result
    ws.append(["Tổng cộng: 3 thôn, bản"])
    ws.merge_cells("A12:F12")
    ws.append([])
    ws.append([None, None, None, "Điện Biên, ngày 15 tháng 12 năm 2020"])
    ws.append([None, None, None, "KT. CHỦ TỊCH"])
    wb.create_sheet("Ghi chú").append(["Không có dữ liệu ở đây"])
    return wb


def _xlsx_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_title_block_merged_cells_sections_totals_and_footer():
    data = _xlsx_bytes(_phu_luc_workbook())
    assert tables.sheet_names(data, "pl2.xlsx") == ["Phụ lục 2", "Ghi chú"]
    raw = tables.read_table(data, "pl2.xlsx", sheet="Phụ lục 2")
    assert raw.labels == ["STT", "Tên thôn", "Xã", "Doanh nghiệp", "Tọa độ X", "Tọa độ Y"]
    assert raw.header_rows == [4, 5]
    assert raw.title[0] == "PHỤ LỤC 2"
    assert coords.crs_hint(raw.title) == 9205
    assert raw.data.index.tolist() == [8, 9, 11]
    assert raw.data["Xã"].tolist() == ["Hua Thanh", "Hua Thanh", "Ngối Cáy"]
    skipped = dict(zip(raw.skipped["row"], raw.skipped["reason"], strict=True))
    assert skipped == {
        6: "numbering",
        7: "section",
        10: "section",
        12: "total",
        14: "footer",
        15: "footer",
    }
    assert raw.sections["district"].tolist() == ["HUYỆN ĐIỆN BIÊN"] * 2 + ["Huyện Mường Ảng"]
    assert raw.formula_cells == [(11, "Doanh nghiệp", "=D8")]


def test_formula_with_a_saved_result_is_read():
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["Tên thôn", "Xã", "Số hộ"])
    ws.write_row(1, 0, ["Nậm Ty", "Hua Thanh"])
    ws.write_formula(1, 2, "=20+22", None, 42)
    wb.close()
    raw = tables.read_table(buf.getvalue(), "a.xlsx")
    assert raw.data["Số hộ"].tolist() == [42]
    assert raw.formula_cells == []


def test_empty_sheet_and_empty_csv_are_refused():
    wb = openpyxl.Workbook()
    with pytest.raises(InputError, match="is empty: there is no table to import"):
        tables.read_table(_xlsx_bytes(wb), "empty.xlsx")
    with pytest.raises(InputError, match="is empty"):
        tables.read_table(b"\n\n", "empty.csv")


def test_unknown_sheet_lists_the_sheets():
    data = _xlsx_bytes(_phu_luc_workbook())
    with pytest.raises(InputError, match=r"has no sheet 'PL3'; its sheets: Phụ lục 2, Ghi chú"):
        tables.read_table(data, "pl2.xlsx", sheet="PL3")


def test_not_a_workbook_named_xlsx_says_how_to_fix_it():
    with pytest.raises(InputError, match="save it as .xlsx"):
        tables.read_table(b"Ten thon,Xa\nA,B\n", "fake.xlsx")


def test_too_many_rows_is_refused_with_the_limit():
    text = "Tên thôn,Xã\n" + "Bản A,Xã B\n" * 30
    with pytest.raises(InputError, match=r"has 30 rows; the limit is 10\. Split it"):
        tables.read_table(text.encode(), "big.csv", max_rows=10)


GENERIC_SITES = (
    "Mã trạm,Mạng,Thế hệ,Kinh,Vĩ\n"
    "DB1,Viettel,4G,103.0125,21.3875\n"
    "DB2,VNPT,3G,103.05,21.42\n"
    "DBN-VT-0103,MobiFone,2G,103.1,21.45\n"
)


@pytest.mark.parametrize("fields", [None, columns.KIND_FIELDS["sites"]])
def test_header_with_generic_names_wins_over_a_data_row_of_codes_and_numbers(fields):
    raw = tables.read_table(GENERIC_SITES.encode(), "tram.csv", fields=fields)
    assert raw.header_rows == [1]
    assert raw.labels == ["Mã trạm", "Mạng", "Thế hệ", "Kinh", "Vĩ"]
    assert raw.title == []
    assert raw.data.index.tolist() == [2, 3, 4]
    assert raw.data["Mã trạm"].tolist() == ["DB1", "DB2", "DBN-VT-0103"]
    # The same in a workbook, numbers as numbers, under a title.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH TRẠM BTS"])
    for line in GENERIC_SITES.splitlines():
        cells = line.split(",")
        ws.append(
            [*cells[:3], float(cells[3]), float(cells[4])] if cells[0] != "Mã trạm" else cells
        )
    raw = tables.read_table(_xlsx_bytes(wb), "tram.xlsx", fields=fields)
    assert raw.header_rows == [2]
    assert raw.labels == ["Mã trạm", "Mạng", "Thế hệ", "Kinh", "Vĩ"]
    assert raw.title == ["DANH SÁCH TRẠM BTS"]
    assert raw.data["Kinh"].tolist() == [103.0125, 103.05, 103.1]


def test_one_operator_and_one_technology_is_a_data_row_but_several_operators_are_a_header():
    fibre = "Thôn,Xã,Viettel,VNPT,MobiFone\nNậm Ty 1,Hua Thanh,x,,x\nNậm Ty 2,Hua Thanh,,x,\n"
    raw = tables.read_table(fibre.encode(), "ftth.csv")
    assert raw.header_rows == [1]
    assert raw.labels == ["Thôn", "Xã", "Viettel", "VNPT", "MobiFone"]
    wide = "Mã,2G,3G,4G\nDB1,x,,x\n"
    assert tables.read_table(wide.encode(), "t.csv").labels == ["Mã", "2G", "3G", "4G"]


def test_header_row_given_by_the_planner():
    text = (
        "Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ\n"
        "Site id,Operator,Technology,Longitude,Latitude\n"
        "DB1,Viettel,4G,103.0125,21.3875\n"
    )
    found = tables.read_table(text.encode(), "tram.csv")
    assert found.header_rows == [1]
    raw = tables.read_table(text.encode(), "tram.csv", header_row=2)
    assert raw.header_rows == [2]
    assert raw.labels == ["Site id", "Operator", "Technology", "Longitude", "Latitude"]
    assert raw.title == ["Mã trạm Nhà mạng Công nghệ Kinh độ Vĩ độ"]
    assert raw.data.index.tolist() == [3]
    # A two-row header under the planner's row is still joined to it.
    data = _xlsx_bytes(_phu_luc_workbook())
    raw = tables.read_table(data, "pl2.xlsx", sheet="Phụ lục 2", header_row=4)
    assert raw.header_rows == [4, 5]
    assert raw.labels[-2:] == ["Tọa độ X", "Tọa độ Y"]


@pytest.mark.parametrize(
    ("header_row", "message"),
    [
        (0, "tram.csv has no row 0: the header row must be between 1 and 4"),
        (99, "tram.csv has no row 99: the header row must be between 1 and 4"),
        (3, "tram.csv: row 3 is empty and cannot be the header"),
        ("2", "The header row must be a row number (1, 2, 3 …), not '2'"),
        (True, "The header row must be a row number"),
    ],
)
def test_a_wrong_header_row_says_which_rows_there_are(header_row, message):
    text = "Tên thôn,Xã\nNậm Ty,Hua Thanh\n\nBản Mới,Hua Thanh\n"
    with pytest.raises(InputError) as exc:
        tables.read_table(text.encode(), "tram.csv", header_row=header_row)
    assert message in exc.value.message("en")
    assert exc.value.field == "header_row"


def test_mapping_memory_closes_every_connection(tmp_path, monkeypatch):
    import sqlite3

    opened = []
    connect = sqlite3.connect

    def recording(*args, **kwargs):
        con = connect(*args, **kwargs)
        opened.append(con)
        return con

    monkeypatch.setattr(sqlite3, "connect", recording)
    memory = columns.MappingMemory(tmp_path / "m.sqlite")
    p = columns.propose_mapping(["A", "B"], "unserved", given={"village": "A", "commune": "B"})
    memory.put(p)
    assert memory.get(p.signature, "unserved") == {"village": "A", "commune": "B"}
    assert len(opened) >= 3  # the store also looks at its file read-only before each use
    for con in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            con.execute("SELECT 1")


def test_excel_columns_and_unique_labels():
    assert [tables.excel_column(j) for j in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
    assert tables.unique_labels(["Xã", None, "Xã", ""]) == ["Xã", "(B)", "Xã (2)", "(D)"]


# ---------------------------------------------------------------------------------------------
# Vector files
# ---------------------------------------------------------------------------------------------

POINTS = gpd.GeoDataFrame(
    {
        "Tên thôn": ["Nậm Ty 1", "Bản <b>Pá</b>"],
        "Xã": ["Hua Thanh", "Pa Thơm"],
        "Nhà mạng": ["Viettel", "VNPT"],
    },
    geometry=[shapely.Point(103.0125, 21.3875), shapely.Point(103.05, 21.42)],
    crs="EPSG:4326",
)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _write(gdf: gpd.GeoDataFrame, fmt: str, tmp_path, *, prj: bool = True) -> tuple[bytes, str]:
    if fmt == "geojson":
        p = tmp_path / "v.geojson"
        pyogrio.write_dataframe(gdf, p, driver="GeoJSON")
        return p.read_bytes(), "v.geojson"
    if fmt == "gpkg":
        p = tmp_path / "v.gpkg"
        pyogrio.write_dataframe(gdf, p, driver="GPKG", layer="thon")
        return p.read_bytes(), "v.gpkg"
    if fmt in ("kml", "kmz"):
        p = tmp_path / "doc.kml"
        pyogrio.write_dataframe(gdf.to_crs(4326), p, driver="LIBKML", layer="Thôn bản")
        if fmt == "kml":
            return p.read_bytes(), "v.kml"
        return _zip({"doc.kml": p.read_bytes()}), "v.kmz"
    if fmt == "shp":
        d = tmp_path / "shp"
        d.mkdir()
        pyogrio.write_dataframe(gdf, d / "thon.shp", driver="ESRI Shapefile", encoding="UTF-8")
        files = {f"lop/{f.name}": f.read_bytes() for f in d.iterdir() if prj or f.suffix != ".prj"}
        return _zip(files), "thon.zip"
    raise AssertionError(fmt)


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "kml", "kmz", "shp"])
def test_vector_formats_read_the_same_attributes_and_points(fmt, tmp_path):
    data, name = _write(POINTS, fmt, tmp_path)
    vt = vector.read_vector(data, name)
    f = vt.frame
    assert f["Tên thôn"].tolist() == ["Nậm Ty 1", "Bản <b>Pá</b>"]  # raw, not escaped
    assert f["Xã"].tolist() == ["Hua Thanh", "Pa Thơm"]  # KML's mangled names restored
    assert f["_row"].tolist() == [1, 2]
    assert vt.epsg == 4326
    np.testing.assert_allclose(shapely.get_x(f.geometry.values), [103.0125, 103.05])


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_shapefile_in_vn2000_with_and_without_prj(tmp_path):
    vn = POINTS.to_crs(9205)
    data, name = _write(vn, "shp", tmp_path)
    vt = vector.read_vector(data, name)
    assert vt.epsg == 9205
    (tmp_path / "b").mkdir()
    data, name = _write(vn, "shp", tmp_path / "b", prj=False)
    vt = vector.read_vector(data, name)
    assert vt.epsg is None
    assert shapely.get_x(vt.frame.geometry.values)[0] > 1000  # metres, CRS to be decided


def test_esri_prj_with_its_own_towgs84_is_matched_to_the_epsg_code():
    esri = (
        'PROJCS["VN_2000_KTT_103",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
        'SPHEROID["WGS_1984",6378137.0,298.257223563],TOWGS84[-191.904,-39.303,-111.45,'
        '-0.00928836,0.01975479,-0.00427372,0.252906278]],PRIMEM["Greenwich",0.0],'
        'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
        'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
        'PARAMETER["Central_Meridian",103.0],PARAMETER["Scale_Factor",0.9999],'
        'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    )
    assert vector.epsg_of(esri) == 9205
    assert vector.epsg_of(CRS.from_epsg(3405).to_wkt()) == 3405
    assert vector.epsg_of("EPSG:4326") == 4326


def test_kml_reads_every_folder(tmp_path):
    kml = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Folder><name>Viettel 4G</name>
<Placemark><name>Vùng 1</name><ExtendedData><Data name="Ghi chú"><value>a</value></Data>
</ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>
103,21.3 103.1,21.3 103.1,21.4 103,21.3</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark></Folder>
<Folder><name>VNPT 3G</name>
<Placemark><name>Vùng 2</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
103,21.3 103.2,21.3 103.2,21.5 103,21.3</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark></Folder></Document></kml>"""
    vt = vector.read_vector(kml.encode(), "phu_song.kml")
    assert vt.layers == ["Viettel 4G", "VNPT 3G"]
    assert vt.frame["_layer"].tolist() == ["Viettel 4G", "VNPT 3G"]
    assert vt.frame["Ghi chú"].tolist()[0] == "a"


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_zip_without_dbf_names_the_missing_part(tmp_path):
    data, _ = _write(POINTS, "shp", tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {n: z.read(n) for n in z.namelist() if not n.endswith(".dbf")}
    with pytest.raises(InputError, match=r"the Shapefile lacks thon\.dbf; zip all its parts"):
        vector.read_vector(_zip(files), "thon.zip")


def test_zip_without_a_layer_says_what_it_holds():
    with pytest.raises(InputError, match=r"holds no map layer \(found: ghi_chu\.txt\)"):
        vector.read_vector(_zip({"ghi_chu.txt": b"x"}), "lop.zip")


def test_zip_members_with_parent_paths_are_never_extracted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kml = _write(POINTS, "kml", tmp_path)[0]
    data = _zip({"../../evil.kml": kml})
    with contextlib.suppress(InputError):
        vector.read_vector(data, "evil.zip")
    assert not (tmp_path.parent / "evil.kml").exists()
    assert not (tmp_path / "evil.kml").exists()


def test_zip_bomb_is_refused_before_reading():
    data = _zip({"big.geojson": b" " * 2_000_000})
    with pytest.raises(InputError, match="unzips to 2 MB; the limit is 1 MB"):
        vector.read_vector(data, "big.zip", max_unzipped=1_000_000)


def test_raster_coverage_becomes_a_polygon(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    arr = np.zeros((10, 10), dtype="uint8")
    arr[2:5, 2:6] = 1
    buf = io.BytesIO()
    with rasterio.MemoryFile() as mem:
        with mem.open(
            driver="GTiff",
            width=10,
            height=10,
            count=1,
            dtype="uint8",
            crs="EPSG:4326",
            transform=from_origin(103.0, 21.5, 0.01, 0.01),
        ) as dst:
            dst.write(arr, 1)
        buf.write(mem.read())
    g = vector.read_raster(buf.getvalue(), "viettel_4g.tif")
    assert g.crs.to_epsg() == 4326
    area = g.geometry.iloc[0]
    assert area.bounds == pytest.approx((103.02, 21.45, 103.06, 21.48))
    assert math.isclose(area.area, 12 * 0.0001, rel_tol=1e-9)
