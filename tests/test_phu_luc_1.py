"""The plan's appendix (Phụ lục 1) as printed, with the tool's and the planner's actuals."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import plans
from geo.cli import actuals as actuals_cli
from geo.errors import CoverageError, InputError
from geo.store import actuals as store
from layers import phu_luc_1

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
DIENBIEN_ROWS = ["1", "2", "3", "4", "4.1", "5", "5.1", "5.2", "6", "7", "8", "8.1", "8.2",
                 "8.3", "9", "10"]


def _result(**over) -> dict:
    """A province result as geo.indicators.compute gives it (only the keys the sheet reads)."""
    return {
        "province_code": "11",
        "province": "Tỉnh Điện Biên",
        "units": "pre2025",
        "target_year": 2025,
        "villages_mobile_share": 0.8198653198653199,
        "villages_fibre_share": 0.7996632996632996,
        "site_sharing_rate": 0.0672,
        "sources": {"sites": {"synthetic": True}, "fibre": {"synthetic": True}},
    } | over


def _sheet(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] in ("Stt", "TT"))
    header = [*rows[header_at]]
    sub = rows[header_at + 1]
    labels = [s if s is not None else h for h, s in zip(header, sub, strict=True)]
    body = rows[header_at + 2:]
    return ws, labels, body, header_at + 2


def _indicator_rows(body) -> list[tuple]:
    return [r for r in body if r[0] and re.fullmatch(r"\d+(\.\d)?", str(r[0]))]


def _seed_appendix_1() -> dict[str, list[float]]:
    """Stt → [2020 actual, 2021…2025 targets] as printed in the seed text of 4638/KH-UBND."""
    (path,) = SEEDS.glob("001_*.txt")
    text = path.read_text(encoding="utf-8").split("**Phụ lục 1:**", 1)[1].split("**Phụ lục 2:**")[0]
    out = {}
    for line in text.splitlines():
        cells = line.split("\t")
        if re.fullmatch(r"\d+(\.\d)?", cells[0].strip()) and len(cells) >= 9:
            out[cells[0].strip()] = [float(c.replace(",", ".")) for c in cells[3:9]]
    return out


def test_dienbien_sheet_prints_all_16_rows_in_order_with_the_seed_figures():
    ws, labels, body, _ = _sheet(phu_luc_1.workbook(_result(), year=2025))
    assert ws.title == "Phụ lục 1"
    assert labels[:9] == ["Stt", "Các chỉ tiêu", "Đơn vị tính", "Thực hiện năm 2020",
                          "Năm 2021", "Năm 2022", "Năm 2023", "Năm 2024", "Năm 2025"]
    assert labels[9:11] == ["Thực hiện năm 2025", "Đánh giá"]
    rows = _indicator_rows(body)
    assert [r[0] for r in rows] == DIENBIEN_ROWS  # codes as text: "4.1", not 4.1
    seed = _seed_appendix_1()
    assert set(seed) == set(DIENBIEN_ROWS)
    for r in rows:
        assert [float(v) for v in r[3:9]] == seed[r[0]], r[0]
    sections = [r[0] for r in body if r[0] in ("I", "II")]
    assert sections == ["I", "II"]


def test_tool_rows_are_filled_with_the_modelled_value_and_say_so():
    result = _result()
    _, labels, body, _ = _sheet(phu_luc_1.workbook(result, year=2025))
    by_stt = {r[0]: r for r in _indicator_rows(body)}
    act, src, note = (labels.index(x) for x in ("Thực hiện năm 2025", "Nguồn số liệu thực hiện",
                                               "Ghi chú"))
    assert by_stt["2"][act] == phu_luc_1.shown(result["villages_fibre_share"] * 100)
    assert by_stt["3"][act] == phu_luc_1.shown(result["villages_mobile_share"] * 100)
    assert by_stt["6"][act] == phu_luc_1.shown(result["site_sharing_rate"] * 100)
    assert by_stt["2"][src].startswith("Công cụ tính (mô hình")
    assert "một phần" in by_stt["6"][src] and by_stt["6"][note].startswith("Một phần: ")
    assert by_stt["4"][act] in (None, "")  # not measured: the planner enters it
    assert "actuals import" in by_stt["4"][src]


def test_synthetic_layers_are_named_mo_phong_above_the_table():
    ws, *_ = _sheet(phu_luc_1.workbook(_result(), year=2025))
    top = [c for r in ws.iter_rows(max_row=6, values_only=True) for c in r if c]
    assert any("mô phỏng" in str(c) for c in top)
    assert not any("tổng hợp" in str(c) for c in top)


@pytest.fixture()
def conn(tmp_path):
    c = store.connect(tmp_path / "actuals.sqlite")
    yield c
    c.close()


def test_planner_actuals_are_shown_with_who_and_when(conn):
    at = dt.datetime(2025, 12, 31, 2, 30, tzinfo=dt.UTC)
    store.record(conn, "dienbien_4638", [
        {"row_key": "4", "year": 2025, "value": 61.25, "value_text": "61,25"},
        {"row_key": "5", "year": 2025, "value": 80, "value_text": "80"},
    ], user="Nguyễn Văn An", at=at)
    data = phu_luc_1.workbook(_result(), year=2025, actuals=store.current(conn, "dienbien_4638"))
    ws, labels, body, first = _sheet(data)
    act, verdict, src = (labels.index(x) for x in ("Thực hiện năm 2025", "Đánh giá",
                                                  "Nguồn số liệu thực hiện"))
    by_stt = {r[0]: r for r in _indicator_rows(body)}
    assert by_stt["4"][act] == 61.3  # 61,25 printed as 61,3 (half up)
    assert by_stt["4"][verdict] == "Đạt"  # ≥ 60
    assert by_stt["5"][verdict] == "Chưa đạt"  # 80 < 85
    assert by_stt["4"][src] == "Cán bộ nhập: Nguyễn Văn An, 31/12/2025 09:30"  # Vietnam time
    row = first + next(i for i, r in enumerate(body) if r[0] == "4")
    assert "Nguyễn Văn An" in ws.cell(row + 1, act + 1).comment.text


def test_a_new_value_keeps_the_earlier_one_as_history(conn):
    key = {"row_key": "7", "year": 2024}
    store.record(conn, "dienbien_4638", [key | {"value": 20, "value_text": "20"}], user="An")
    counts = store.record(conn, "dienbien_4638", [key | {"value": 25, "value_text": "25"}],
                          user="Bình")
    assert counts == {"added": 0, "replaced": 1, "unchanged": 0}
    cur = store.current(conn, "dienbien_4638", 2024)
    assert cur["value"].tolist() == [25.0] and cur["entered_by"].tolist() == ["Bình"]
    hist = store.history(conn, "dienbien_4638")
    assert hist["value"].tolist() == [20.0, 25.0]
    assert hist["replaced_at"].notna().tolist() == [True, False]


def test_the_store_refuses_another_programs_database(tmp_path):
    path = tmp_path / "other.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x)")
    other.execute("PRAGMA application_id = 1234")
    other.commit()
    other.close()
    with pytest.raises(CoverageError, match="another program"):
        store.connect(path)


@settings(max_examples=80, deadline=None)
@given(
    year=st.sampled_from([2021, 2022, 2023, 2025]),
    delta=st.floats(min_value=-0.2, max_value=0.2, allow_nan=False),
)
def test_the_printed_value_and_the_verdict_never_disagree(year, delta):
    target = {2021: 84.0, 2022: 88.0, 2023: 92.0, 2025: 100.0}[year]  # row 2 of Phụ lục 1
    share = (target + delta) / 100
    data = phu_luc_1.workbook(_result(villages_fibre_share=share), year=year)
    _, labels, body, _ = _sheet(data)
    row = {r[0]: r for r in _indicator_rows(body)}["2"]
    shown_value = row[labels.index(f"Thực hiện năm {year}")]
    verdict = row[labels.index("Đánh giá")]
    assert shown_value == round(shown_value, phu_luc_1.DECIMALS)
    assert verdict == ("Đạt" if shown_value >= target else "Chưa đạt")


def test_79_97_percent_is_printed_80_and_meets_a_target_of_80():
    assert phu_luc_1.shown(79.97) == 80.0
    assert phu_luc_1.verdict(79.97, {"comparator": "=", "value": 80.0}) is True
    assert phu_luc_1.verdict(79.94, {"comparator": "=", "value": 80.0}) is False
    assert phu_luc_1.verdict(80.04, {"comparator": ">", "value": 80.0}) is False


def test_muong_lay_appendix_has_its_sections_2022_actual_and_2030_orientation():
    result = _result(district_code="095", district="Thị xã Mường Lay",
                     villages_mobile_share=1.0, villages_fibre_share=0.5)
    ws, labels, body, _ = _sheet(phu_luc_1.workbook(result, year=2025))
    assert ws.title == "Phụ lục"
    assert labels[3:8] == ["Thực hiện năm 2022", "Năm 2023", "Năm 2024", "Năm 2025",
                           "Định hướng đến năm 2030"]
    rows = _indicator_rows(body)
    assert [r[0] for r in rows] == [str(i) for i in range(1, 17)] + ["16"] + ["17", "18", "19",
                                                                          "20"]
    assert [r[0] for r in body if r[0] in ("I", "II", "III", "IV")] == ["I", "II", "III", "IV"]
    by_text = {r[1]: r for r in rows}
    fibre = next(r for t, r in by_text.items() if t.startswith("Tỷ lệ thôn, bản được phủ băng"))
    assert fibre[labels.index("Thực hiện năm 2025")] == 50.0
    assert fibre[labels.index("Đánh giá")] == "Chưa đạt"  # > 90
    ai = next(r for t, r in by_text.items() if t.startswith("Triển khai công nghệ AI"))
    assert ai[3] == "Có"


def test_muong_lay_tool_values_are_not_used_for_the_whole_province():
    _, labels, body, _ = _sheet(phu_luc_1.workbook(_result(), plan_id="muonglay_2855", year=2025))
    row5 = {r[0]: r for r in _indicator_rows(body)}["5"]
    assert row5[labels.index("Thực hiện năm 2025")] in (None, "")
    assert "--district" in row5[labels.index("Ghi chú")]


def test_plan_selection_by_province_district_and_plan_option():
    assert plans.choose_plan("11") == "dienbien_4638"
    assert plans.choose_plan("11", "095") == "muonglay_2855"
    assert plans.choose_plan("11", None, "muonglay_2855") == "muonglay_2855"
    assert plans.choose_plan("12") is None
    with pytest.raises(InputError, match="--plan"):
        plans.choose_plan("12", None, "dienbien_4638")


def test_actuals_file_errors_name_line_and_column_and_save_nothing(tmp_path):
    f = tmp_path / "thuc_hien.csv"
    f.write_text("Stt,Năm,Giá trị\n4,2024,\"55,5\"\n99,2024,1\n5,24,70\n7,2024,abc\n"
                 "8,2024,120\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        actuals_cli.read_actuals_file(f, "dienbien_4638")
    text = err.value.message("vi")
    for line in ("dòng 3", "dòng 4", "dòng 5", "dòng 6"):
        assert line in text
    assert "dòng 2" not in text


def test_actuals_values_are_read_as_vietnamese_numbers():
    assert actuals_cli.parse_value("79,97", "%") == pytest.approx(79.97)
    assert actuals_cli.parse_value("1.234,5", "Mbps") == pytest.approx(1234.5)
    assert actuals_cli.parse_value("80 %", "%") == 80.0
    assert actuals_cli.parse_value("Có", "Có/Không") == 1.0
    with pytest.raises(ValueError):
        actuals_cli.parse_value("1.234", "Mbps")


def test_text_that_looks_like_a_formula_stays_text(conn):
    store.record(conn, "dienbien_4638", [{"row_key": "9", "year": 2025, "value": 70,
                                         "value_text": "70"}], user="=HYPERLINK(\"x\")")
    data = phu_luc_1.workbook(_result(), year=2025, actuals=store.current(conn, "dienbien_4638"))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for r in wb.worksheets[0].iter_rows() for c in r if c.value]
    assert all(c.data_type != "f" for c in cells)
    assert any(str(c.value).startswith("Cán bộ nhập: =HYPERLINK") for c in cells)


@pytest.mark.realdata
def test_cli_writes_the_appendix_with_the_store_and_the_plan_option(tmp_path, real_data):
    from geo.__main__ import main

    f = tmp_path / "a.csv"
    f.write_text("stt,year,value\n12,2025,\"61,04\"\n", encoding="utf-8")
    db = tmp_path / "actuals.sqlite"
    assert main(["actuals", "import", str(f), "--plan", "muonglay_2855", "--user", "Lò Văn Ơn",
                 "--db", str(db)]) == 0
    out = tmp_path / "pl.xlsx"
    assert main(["indicators", "--province", "11", "--plan", "muonglay_2855", "--demo",
                 "--format", "xlsx", "--output", str(out), "--actuals-db", str(db)]) == 0
    ws, labels, body, _ = _sheet(out.read_bytes())
    assert ws.title == "Phụ lục"
    by_stt = {r[0]: r for r in _indicator_rows(body)}
    assert by_stt["12"][labels.index("Thực hiện năm 2025")] == 61.0
    assert by_stt["12"][labels.index("Đánh giá")] == "Đạt"  # 61,0 > 60
    assert "Lò Văn Ơn" in by_stt["12"][labels.index("Nguồn số liệu thực hiện")]
