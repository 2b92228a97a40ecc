"""The yearly report: the .docx opens with python-docx and holds the administrative header, the
plan's Phụ lục 1 rows with their figures, the Phụ lục 2 follow-up from the register, the results
by district and the sources with "mô phỏng"; the .xlsx has the same tables with no formula made
from data; the command line's exit codes."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest

from geo import assignments as asg
from geo import plans, report, workspace
from geo.__main__ import main
from geo.operators import OPERATOR_DISPLAY
from layers import phu_luc_1
from layers import report as report_layer

pytestmark = pytest.mark.realdata

PLAN = "dienbien_4638"
TRICK = '=HYPERLINK("http://x","Bấm")'


@pytest.fixture(scope="module")
def register(tmp_path_factory, dienbien):
    """A register with two of the plan's villages: one on air since 30/06/2025 and one named
    like a spreadsheet formula."""
    path = tmp_path_factory.mktemp("reg") / "register.sqlite"
    rows = dienbien.declared.sort_values("village_id").drop_duplicates("village_id")
    first, second = rows.iloc[0].to_dict(), rows.iloc[1].to_dict()
    session = asg.open_session(path, "Lan", client="test")
    asg.assign(session, first, "Viettel", target_year=2025, assigned_on="2025-01-15")
    asg.set_status(
        session, first["village_id"], "under_construction", expected_version=1, on="2025-03-01"
    )
    asg.set_status(session, first["village_id"], "on_air", expected_version=2, on="2025-06-30")
    asg.assign(
        session, second | {"village": TRICK}, "VNPT", target_year=2025, assigned_on="2025-01-15"
    )
    session.conn.close()
    return path, first, second


@pytest.fixture(scope="module")
def data(register, real_data):
    stores = workspace.Stores(imports=None, assignments=register[0])
    return report.gather(
        workspace.resolve_scope("11"),
        2025,
        stores=stores,
        snapshots_db=register[0].parent / "none.sqlite",
    )


@pytest.fixture(scope="module")
def document(data):
    return docx.Document(io.BytesIO(report_layer.report_docx(data, map_png=None, map_error="test")))


def _table_with(document, first_header: str, second_header: str):
    for table in document.tables:
        cells = [c.text for c in table.rows[0].cells]
        if cells[:2] == [first_header, second_header]:
            return table
    raise AssertionError(f"no table headed {first_header}, {second_header}")


def test_the_docx_has_the_national_motto_the_blank_number_and_the_date_line(document):
    header = [c.text for c in document.tables[0].rows[0].cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in header[1]
    assert "Điện Biên, ngày … tháng … năm 2025" in header[1]
    assert "Số: …/BC-…" in header[0]
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert any(
        t.startswith("Kết quả thực hiện Kế hoạch 4638/KH-UBND ngày 15/12/2020") for t in texts
    )


def test_the_docx_holds_every_indicator_row_of_the_plans_phu_luc_1(document):
    _, rows = plans.appendix_rows(PLAN)
    wanted = [(r["stt"], r["text"]) for r in rows if r["row_type"] == "indicator"]
    table = _table_with(document, "Stt", "Các chỉ tiêu")
    got = [
        (r.cells[0].text, r.cells[1].text)
        for r in table.rows[1:]
        if r.cells[2].text != r.cells[1].text
    ]  # sections and notes span the row
    assert got == wanted
    assert len(got) == 16


def test_the_phu_luc_1_figures_are_the_indicators_as_the_appendix_rounds_and_judges_them(
    document, data
):
    table = _table_with(document, "Stt", "Các chỉ tiêu")
    by_stt = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    mobile = phu_luc_1.shown(data.result["villages_mobile_share"] * 100)
    assert by_stt["3"][5] == f"{mobile:.1f}".replace(".", ",")
    assert by_stt["3"][6] == ("Đạt" if mobile >= 100 else "Chưa đạt")
    assert by_stt["1"][5] == "" and by_stt["1"][6] == "Chưa có số liệu"


def test_the_summary_by_district_adds_up_to_the_indicators(data, document):
    table = report_layer.summary_table(data.status, "pre2025")
    total = table.iloc[-1]
    assert total["villages"] == data.result["villages"]
    assert total["not_spots"] == data.result["total_not_spots"]
    assert total["mobile"] == round(data.result["villages_mobile_share"] * data.result["villages"])
    assert table.iloc[:-1]["villages"].sum() == total["villages"]
    shown = _table_with(document, "Huyện", "Số thôn, bản")
    assert shown.rows[-1].cells[0].text == "Tổng cộng"
    assert shown.rows[-1].cells[1].text == f"{data.result['villages']:,}".replace(",", ".")


def test_the_follow_up_lists_each_villages_operator_status_and_on_air_date(document, register):
    _, first, _ = register
    table = _table_with(document, "Stt", "Thôn, bản")
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert rows[first["village"]][4:7] == ["Viettel", "Đã phát sóng", "30/06/2025"]
    assert rows[TRICK][4:7] == [OPERATOR_DISPLAY["VNPT"], "Đã phân công", ""]


def test_the_sources_say_mo_phong_for_the_synthetic_layers(document):
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("- Trạm BTS: DỮ LIỆU MÔ PHỎNG") for t in texts)
    assert not any(t.startswith("- Thôn, bản: DỮ LIỆU MÔ PHỎNG") for t in texts)
    assert any("dữ liệu mô phỏng" in t for t in texts)


def test_the_workbook_has_the_same_tables_and_no_formula_from_data(data):
    wb = openpyxl.load_workbook(io.BytesIO(report_layer.report_xlsx(data)))
    assert wb.sheetnames[0] == "Phụ lục 1"
    follow = wb["Theo dõi Phụ lục 2"]
    cells = [c for row in follow.iter_rows() for c in row if c.value == TRICK]
    assert cells and all(c.data_type == "s" for c in cells)
    summary = wb["Kết quả theo đơn vị"]
    last = [c.value for c in list(summary.iter_rows())[-1]]
    assert last[:2] == ["Tổng cộng", data.result["villages"]]
    sources = [r[0].value for r in wb["Nguồn số liệu"].iter_rows()]
    assert any("MÔ PHỎNG" in s for s in sources)


def test_cli_writes_the_docx_and_refuses_bad_input_with_exit_2(tmp_path, capsys, real_data):
    out = tmp_path / "bao_cao.docx"
    base = [
        "report",
        "--province",
        "11",
        "--year",
        "2025",
        "--demo",
        "--no-map",
        "--snapshot-db",
        str(tmp_path / "s.sqlite"),
        "--actuals-db",
        str(tmp_path / "a.db"),
    ]
    assert main([*base, "--output", str(out)]) == 0
    assert any(t.text == "BÁO CÁO" for t in docx.Document(out).paragraphs)
    assert main([*base, "--output", str(tmp_path / "x.pdf")]) == 2
    assert ".docx or .xlsx" in capsys.readouterr().err
    assert (
        main(["report", "--province", "11", "--year", "1800", "--demo", "--output", str(out)]) == 2
    )
    assert "not a plan year" in capsys.readouterr().err
    assert (
        main(["report", "--province", "Atlantis", "--year", "2025", "--demo", "--output", str(out)])
        == 2
    )


def test_in_the_2025_units_the_table_stays_the_plans_and_the_summary_is_by_new_commune(
    real_data,
):
    scope = workspace.resolve_scope("11", units_system="2025")
    data = report.gather(scope, 2025, stores=workspace.Stores())
    assert data.plan_id == PLAN
    assert data.appendix_result["units"] == "pre2025"
    assert data.appendix_result["province_code"] == "11"
    table = report_layer.summary_table(data.status, "2025")
    assert table.iloc[-1]["villages"] == data.result["villages"]
    assert len(table) - 1 == data.status["commune_2025_code"].nunique()
    document = docx.Document(io.BytesIO(report_layer.report_docx(data)))
    assert "3. Kết quả theo từng xã" in [p.text for p in document.paragraphs]


def test_the_follow_up_adds_the_plans_villages_the_register_lacks(data, document):
    table = report_layer.follow_up_table(data.assignments, data.declared)
    plan_ids = set(data.declared["village_id"])
    assert len(table) == len(data.assignments) + len(plan_ids - set(data.assignments["village_id"]))
    missing = table[table["status"] == "Chưa có trong sổ phân công"]
    assert len(missing) == len(table) - len(data.assignments)
    assert list(table["stt"]) == list(range(1, len(table) + 1))
    texts = [p.text for p in document.paragraphs]
    assert (
        f"2 thôn, bản có trong sổ phân công, 1 thôn, bản đã phát sóng hoặc đã nghiệm thu; "
        f"{len(missing)} thôn, bản của kế hoạch chưa có trong sổ phân công." in texts
    )
    assert "Trạng thái tính đến hết ngày 31/12/2025, theo ngày ghi trong sổ phân công." in texts


def test_a_past_years_report_shows_the_status_the_dates_give_at_its_end(register, tmp_path):
    stores = workspace.Stores(assignments=register[0])
    data = report.gather(
        workspace.resolve_scope("11"), 2024, stores=stores, snapshots_db=tmp_path / "none.sqlite"
    )
    assert data.status_on.isoformat() == "2024-12-31"
    assert data.assignments.empty  # both were assigned on 15/01/2025
    table = report_layer.follow_up_table(data.assignments, data.declared)
    assert set(table["status"]) == {"Chưa có trong sổ phân công"}
