"""Tests of layers/: number and date formats, the map (escaping, legend, synthetic labels), xlsx.

The map tests use a tiny hand-made model (two communes, four villages, three sites), so they
need no data folder.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import villages as villages_mod
from geo.pipeline import Model
from geo.province import ProvinceData
from layers import i18n, maps, tables

EVIL = "<script>alert(1)</script>"
EVIL_IMG = '<img src=x onerror="alert(2)">'


# ---------------------------------------------------------------------------------------------
# i18n
# ---------------------------------------------------------------------------------------------


def test_fmt_number_vi_and_en():
    assert i18n.fmt_number(1234.5, "vi", 1) == "1.234,5"
    assert i18n.fmt_number(1234.5, "en", 1) == "1,234.5"
    assert i18n.fmt_number(1234567, "vi") == "1.234.567"
    assert i18n.fmt_number(None, "vi") == "—"
    assert i18n.fmt_number(float("nan"), "en") == "—"


def test_fmt_percent_vi_and_en():
    assert i18n.fmt_percent(0.973, "vi") == "97,3 %"
    assert i18n.fmt_percent(0.973, "en") == "97.3%"
    assert i18n.fmt_percent(1, "vi", 0) == "100 %"
    assert i18n.fmt_percent(None, "en") == "—"


def test_fmt_date_is_dd_mm_yyyy_in_both_languages():
    d = dt.date(2020, 12, 15)
    assert i18n.fmt_date(d, "vi") == "15/12/2020"
    assert i18n.fmt_date(d, "en") == "15/12/2020"
    assert i18n.fmt_date(pd.Timestamp("2021-03-04"), "vi") == "04/03/2021"
    assert i18n.fmt_date("2024-01-02", "en") == "02/01/2024"
    assert i18n.fmt_date(None) == "—"
    assert i18n.fmt_date(pd.NaT) == "—"


def test_labels_have_both_languages_and_glossary_words():
    for key, value in i18n.LABELS.items():
        assert set(value) == set(i18n.LANGS), key
    assert i18n.t("gap_none", "vi") == "Vùng lõm sóng (không nhà mạng nào)"
    assert i18n.t("gap_partial", "vi") == "Phủ sóng một phần nhà mạng"
    assert i18n.t("site_sharing_rate", "vi") == "Tỷ lệ dùng chung vị trí trạm BTS"
    assert i18n.t("synthetic", "vi") == "Dữ liệu mô phỏng (minh họa, không phải dữ liệu thật)"
    assert i18n.t("target_year", "vi", year=2025) == "Mục tiêu năm 2025"
    with pytest.raises(ValueError):
        i18n.t("commune", "fr")


# ---------------------------------------------------------------------------------------------
# A tiny model
# ---------------------------------------------------------------------------------------------

OPS = ("Viettel", "VNPT", "MobiFone", "Vietnamobile", "Gmobile")


@pytest.fixture
def tiny_model() -> Model:
    """Two communes side by side, four villages (one hostile name), three sites."""
    communes = gpd.GeoDataFrame(
        {
            "commune_code": ["00001", "00002"],
            "commune": [f"Xã {EVIL}", "Xã Hai"],
            "commune_type": ["Xã", "Xã"],
            "district_code": ["001", "001"],
            "district": [f"Huyện {EVIL_IMG}", f"Huyện {EVIL_IMG}"],
            "province_code": ["99", "99"],
            "province": ["Tỉnh Thử", "Tỉnh Thử"],
            "gid_3": ["G1", "G2"],
            "population": [1000, 2000],
            "population_covered": [500.0, 1500.0],
            "villages": [2, 2],
            "villages_mobile": [1, 2],
            "villages_fibre": [1, 0],
            "villages_mobile_share": [0.5, 1.0],
        },
        geometry=[box(103.0, 21.0, 103.1, 21.1), box(103.1, 21.0, 103.2, 21.1)],
        crs="EPSG:4326",
    )
    names = [EVIL, "Bản Hai", "Bản Ba", "Bản Bốn"]
    cover = {
        "Viettel": [True, True, False, True],
        "VNPT": [False, True, False, True],
        "MobiFone": [False, False, False, False],
        "Vietnamobile": [False, False, False, False],
        "Gmobile": [False, False, False, False],
    }
    status = gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4"],
            "village": names,
            "commune_code": ["00001", "00001", "00002", "00002"],
            "commune": [f"Xã {EVIL}", f"Xã {EVIL}", "Xã Hai", "Xã Hai"],
            "district_code": ["001"] * 4,
            "district": [f"Huyện {EVIL_IMG}"] * 4,
            "province_code": ["99"] * 4,
            "province": ["Tỉnh Thử"] * 4,
            "gid_3": ["G1", "G1", "G2", "G2"],
            "location_precision": ["point", "point", "commune", "point"],
            "source": ["geonames"] * 4,
            "source_id": ["1", "2", "3", "4"],
            **cover,
            "mobile_broadband": [True, True, False, True],
            "gap_class": ["partial", "all", "none", "all"],
            "fibre": [True, False, False, True],
            "fibre_operators": [EVIL_IMG, "", "", "Viettel"],
            "declared_unserved": [False, False, True, False],
            "declared_operator": ["", "", "VNPT", ""],
        },
        geometry=[
            Point(103.03, 21.03),
            Point(103.07, 21.07),
            Point(103.15, 21.05),
            Point(103.17, 21.02),
        ],
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": [f"S1{EVIL}", "S2", "S3"],
            "operator": ["Viettel", "VNPT", "Viettel"],
            "technology": ["4G", "4G", "3G"],
            "on_air_date": pd.to_datetime(["2019-05-01", "2020-01-02", None]),
            "physical_site_id": ["P1", "P1", "P2"],
        },
        geometry=[Point(103.05, 21.05), Point(103.05, 21.05), Point(103.16, 21.03)],
        crs="EPSG:4326",
    )
    declared = gpd.GeoDataFrame(
        {
            "village_id": ["V3"],
            "village": ["Bản Ba"],
            "commune": ["Xã Hai"],
            "commune_code": ["00002"],
            "district": [f"Huyện {EVIL_IMG}"],
            "district_code": ["001"],
            "province": ["Tỉnh Thử"],
            "province_code": ["99"],
            "operator": ["VNPT"],
            "location_precision": ["commune"],
            "match_status": ["exact"],
            "source": [f"4638/KH-UBND Phụ lục 2 {EVIL}"],
            "register_name": [None],
            "document": ["4638/KH-UBND"],
            "source_row": [7],
        },
        geometry=[Point(103.15, 21.05)],
        crs="EPSG:4326",
    )
    register = villages_mod.Register(
        status[["village_id", "village", "geometry"]].copy(), pd.DataFrame()
    )
    data = ProvinceData("99", "Tỉnh Thử", communes, register, declared, ["test_plan"])
    sources = {
        "villages": {"synthetic": False, "source": "test"},
        "sites": {"synthetic": True, "source": "synthetic.csv"},
        "fibre": {"synthetic": True, "source": "synthetic.csv"},
        "population": {"synthetic": False, "source": "census"},
    }
    fibre = pd.DataFrame({"village_id": ["V1", "V4"], "operator": ["Viettel", "Viettel"]})
    return Model(
        data,
        status,
        communes,
        sites,
        fibre,
        None,
        {"2G": 12000.0, "3G": 4000.0, "4G": 4000.0, "5G": 1000.0},
        30.0,
        sources,
    )


def _decoded(html: str) -> str:
    """The page with JSON string escapes undone: what ``innerHTML`` would receive."""
    for esc, ch in (
        ("\\u003c", "<"),
        ("\\u003e", ">"),
        ("\\u0026", "&"),
        ("\\u0027", "'"),
        ('\\"', '"'),
    ):
        html = html.replace(esc, ch)
    return html


def _in_html(html: str, text: str) -> bool:
    """``text`` is in the page as markup or inside a JSON string (non-ASCII escaped)."""
    return text in html or json.dumps(text)[1:-1] in html


# ---------------------------------------------------------------------------------------------
# Map
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_escapes_every_data_string(tiny_model, lang):
    page = maps.standalone_html(tiny_model, lang)
    m_html = maps.map_html(maps.build_map(tiny_model, lang=lang))
    for html in (page, m_html):
        # Neither in the markup nor in any string the page's scripts hand to innerHTML.
        for text in (html, _decoded(html)):
            assert EVIL not in text
            assert EVIL_IMG not in text
            assert "<script>alert" not in text
            assert "<img src=x" not in text
        # The name is there, escaped.
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _decoded(html)
        assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in _decoded(html)


def test_map_has_legend_and_synthetic_labels_vi(tiny_model):
    page = maps.standalone_html(tiny_model, "vi")
    assert "coverage-legend" in page
    assert _in_html(page, i18n.t("gap_none", "vi"))
    assert _in_html(page, i18n.t("gap_partial", "vi"))
    assert _in_html(page, "(mô phỏng)")
    assert _in_html(page, "VNPT (Vinaphone)")
    assert "Dữ liệu mô phỏng (minh họa, không phải dữ liệu thật)" in page  # the banner
    assert "GADM" in page and "GeoNames" in page and "WorldPop" in page
    # Every site layer name in the layer control says synthetic.
    m = maps.build_map(tiny_model, lang="vi")
    names = [c.layer_name for c in m._children.values() if getattr(c, "layer_name", None)]
    site_layers = [n for n in names if "Trạm BTS" in n]
    assert site_layers and all("(mô phỏng)" in n for n in site_layers)


def test_map_has_synthetic_labels_en(tiny_model):
    page = maps.standalone_html(tiny_model, "en")
    assert _in_html(page, "(synthetic)")
    assert _in_html(page, "Total not-spot")
    assert "Synthetic (demo, not real data)" in page
    assert not _in_html(page, "(mô phỏng)")


def test_map_without_sites_is_grey_and_says_so(tiny_model):
    tiny_model.sites = tiny_model.sites.iloc[0:0]
    page = maps.standalone_html(tiny_model, "vi")
    assert _in_html(page, i18n.t("gap_nosites", "vi"))
    assert maps.GAP_COLOURS["nosites"] in page


def test_display_communes_keeps_shared_edges():
    # Two polygons whose shared edge is densified differently on each side.
    left = box(0, 0, 1, 1)
    right = box(1, 0, 2, 1)
    gdf = gpd.GeoDataFrame(geometry=[left, right], crs="EPSG:4326")
    out = maps.display_communes(gdf, simplify_m=1000)
    assert len(out) == 2
    assert all(g is not None and not g.is_empty for g in out)
    import shapely

    assert shapely.coverage_is_valid(np.asarray(out))


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def _result() -> dict:
    return {
        "province_code": "11",
        "province": "Tỉnh Điện Biên",
        "units": "pre2025",
        "year": 2023,
        "target_year": 2025,
        "villages": 600,
        "villages_mobile_share": 0.8397,
        "villages_fibre_share": 0.8,
        "population": 598856,
        "population_covered": 388037,
        "population_covered_share": 0.648,
        "sites": 416,
        "physical_sites": 250,
        "shared_physical_sites": 16,
        "site_sharing_rate": 0.064,
        "total_not_spots": 100,
        "partial_not_spots": 495,
        "unserved_by_operator": {"Viettel": 18},
        "villages_operator_share": {"Viettel": 0.74, "VNPT": 0.53},
        "villages_located_by_commune": 29,
        "declared_vs_modelled": {},
        "coverage_radii_m": {"3G": 4000, "4G": 4000},
        "sources": {
            "sites": {"synthetic": True, "source": "x.csv"},
            "villages": {"synthetic": False, "source": "GeoNames"},
        },
        "definitions": {"villages_mobile_share": "share of villages within the radius"},
        "targets": {
            "villages_mobile_share": [
                {
                    "plan_id": "dienbien_4638",
                    "document": "4638/KH-UBND",
                    "source_row": "3",
                    "indicator": "Tỷ lệ thôn, bản được phủ sóng di động 3G, 4G, 5G",
                    "unit": "%",
                    "year": 2025,
                    "comparator": "=",
                    "value": 100.0,
                    "value_text": "100",
                    "comparable": "yes",
                    "why": "same",
                    "actual": 0.8397,
                    "met": False,
                }
            ],
            "site_sharing_rate": [
                {
                    "plan_id": "dienbien_4638",
                    "document": "4638/KH-UBND",
                    "source_row": "6",
                    "indicator": "Tỷ lệ sử dụng chung hạ tầng",
                    "unit": "%",
                    "year": 2025,
                    "comparator": "≥",
                    "value": 30.0,
                    "value_text": "30",
                    "comparable": "partial",
                    "why": "the plan counts all passive infrastructure",
                    "actual": 0.064,
                    "met": False,
                }
            ],
        },
    }


def test_indicators_xlsx_has_phu_luc_1_header_and_percent_numbers():
    data = tables.indicators_xlsx(_result(), "vi", sharing_distance_m=30)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[1]  # sheet 1 is the plan's appendix (layers.phu_luc_1)
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[:3] == ("Stt", "Chỉ tiêu", "Đơn vị tính"))
    header = rows[header_at]
    assert header[3] == "Thực hiện năm 2023"
    assert header[4] == "Mục tiêu năm 2025"
    assert header[5] == "So sánh được"
    assert header[6] == "Nguồn"
    first = rows[header_at + 1]
    assert first[0] == 1
    assert first[1].startswith("Tỷ lệ thôn, bản")
    assert first[2] == "%"
    assert first[3] == pytest.approx(83.97)  # a share written as a % number
    assert first[4] == 100
    assert first[5] == "Có"
    assert "4638/KH-UBND" in first[6]
    sharing = rows[header_at + 2]
    assert sharing[5].startswith("Một phần: ")
    assert ws.cell(header_at + 3, 5).number_format.startswith('"≥ "')
    # Synthetic flagged on both sheets; the definitions sheet states the sharing distance.
    assert any("Dữ liệu mô phỏng" in str(r[0]) for r in rows[:header_at])
    defs = [c for r in wb.worksheets[2].iter_rows(values_only=True) for c in r if c]
    assert any("30 m" in str(c) for c in defs)
    assert any("Dữ liệu mô phỏng" in str(c) for c in defs)


def test_indicators_xlsx_current_state_and_english():
    r = _result() | {"year": None}
    wb = openpyxl.load_workbook(io.BytesIO(tables.indicators_xlsx(r, "en")))
    rows = list(wb.worksheets[1].iter_rows(values_only=True))
    assert (
        "No.",
        "Indicator",
        "Unit",
        "Actual (current state)",
        "Target 2025",
        "Comparable",
        "Source",
    ) in rows
    vi = openpyxl.load_workbook(io.BytesIO(tables.indicators_xlsx(r, "vi")))
    assert any(
        row[3] == "Thực hiện (hiện trạng)" for row in vi.worksheets[1].iter_rows(values_only=True)
    )


def test_unserved_table_columns(tiny_model, monkeypatch):
    df = tables.unserved_table(tiny_model, "vi")
    assert list(df.columns[:6]) == [
        "Stt",
        "Thôn/Bản",
        "Xã",
        "Huyện",
        "Doanh nghiệp",
        "Vị trí (điểm/xã)",
    ]
    assert df.columns[6].startswith("Mô hình: có phủ sóng?")
    assert df.columns[7] == "Nguồn"
    assert df.iloc[0]["Doanh nghiệp"] == "VNPT (Vinaphone)"
    assert df.iloc[0]["Vị trí (điểm/xã)"] == "xã"
    dis = tables.disagreements(tiny_model, "en")
    assert len(dis) == 0  # the declared village is a modelled not-spot: they agree


def test_declared_coverage_layer_is_drawn_and_escaped(dienbien_model):
    import geopandas as gpd
    import shapely

    from layers import maps

    declared = gpd.GeoDataFrame(
        {"operator": ["Viettel"], "technology": ["<i>LTE-x</i>"]},
        geometry=[shapely.box(103.0, 21.3, 103.2, 21.5)],
        crs="EPSG:4326",
    )
    html = maps.build_map(dienbien_model, declared_coverage=declared, lang="en").get_root().render()
    assert "Declared coverage: Viettel" in html
    assert "<i>LTE-x" not in html and "u003ci" not in html  # never raw, even JSON-escaped
    assert "lt;i&gt;LTE-x" in html or "lt;i\\u0026gt;LTE-x" in html
