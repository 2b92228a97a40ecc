"""The app's pages, run by ``streamlit.testing.v1.AppTest`` (no browser): the units switch, the
assignments page (name, Phụ lục 2 import, assign with the proposal, status, undo, version
conflict, English), verified villages counted as served on the map page; and the helpers of
``layers`` the pages use (count_served, both names of a commune, the register's views, why_vi,
the 2025 map, Markdown escaping).

Each test gets its own register (``$COVERAGE_ASSIGNMENTS_DB`` in a temporary folder).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geo import assignments as asg
from geo import auth
from geo.store import accounts as accounts_store

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
ASSIGN_PAGE = "ui/pages/phan_cong.py"


@pytest.fixture
def register(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "assignments.sqlite"
    monkeypatch.setenv(asg.DB_ENV, str(path))
    return path


DEMO = auth.DEMO_NAME
PASSWORD = "núi-cao-bản-xa-2025"


@pytest.fixture
def accounts(tmp_path, monkeypatch) -> Path:
    """An empty account store of its own: the app runs as the single-user demo."""
    path = tmp_path / "accounts.sqlite"
    monkeypatch.setenv(accounts_store.DB_ENV, str(path))
    return path


@pytest.fixture
def app(real_data, register, accounts):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    return at


def _run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def _frame_with(at, column: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with the column {column!r}"
    return frames[0]


def _metric(at, label: str) -> str:
    hits = [m.value for m in at.metric if label in m.label]
    assert hits, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return hits[0]


def _percent(text: str) -> float:
    return float(text.replace("%", "").replace(".", "").replace(",", ".").strip())


def _name(at):
    """Nothing to type: the acting account (here the single-user demo) is who writes."""
    return _run(at)


def _not_spot(model) -> pd.Series:
    """A total not-spot with coordinates of its own that the plan does not list."""
    s = model.status
    pick = s[
        (s["gap_class"] == "none") & (s["location_precision"] == "point") & ~s["declared_unserved"]
    ]
    return pick.sort_values("village_id").iloc[0]


# ---------------------------------------------------------------------------------------------
# Units before / from 01/07/2025
# ---------------------------------------------------------------------------------------------


def test_units_switch_lists_new_provinces_and_shows_both_names(app):
    at = app
    assert at.sidebar.radio(key="units_vi").options == ["Trước 01/07/2025", "Từ 01/07/2025"]
    at.sidebar.radio(key="units_vi").set_value("2025")
    _run(at)
    provinces = at.sidebar.selectbox(key="province_2025_vi")
    assert len(provinces.options) == 34
    assert provinces.options[:2] == ["Tỉnh Điện Biên", "Tỉnh Lai Châu"]
    assert provinces.value == "11"  # Điện Biên kept
    # No district level: the province, then its new communes.
    assert "district_11_vi" not in [s.key for s in at.sidebar.selectbox]
    communes = at.sidebar.selectbox(key="commune_2025_11_vi")
    assert communes.options[0] == "Toàn tỉnh" and len(communes.options) == 46
    assert "Bản đồ phủ sóng: Tỉnh Điện Biên" in _texts(at.title)
    assert any("Đơn vị hành chính từ 01/07/2025" in c for c in _texts(at.caption))

    unserved = _frame_with(at, "Xã (cũ → mới)")
    assert "Huyện" not in unserved.columns
    assert unserved["Xã (cũ → mới)"].str.fullmatch(r".+ \(cũ\) → .+ \(mới\??\)").all()
    labels = [d.proto.label for d in at.get("download_button")]
    assert {"Bảng chuyển đổi (xlsx)", "Bảng chuyển đổi (csv)"} <= set(labels)

    # One new commune; then back to the old units, Điện Biên still chosen.
    communes.set_value("03223" if "03223" in communes.options else communes.options[1])
    _run(at)
    assert any(t.endswith(", Tỉnh Điện Biên") for t in _texts(at.title))
    at.sidebar.radio(key="units_vi").set_value("pre2025")
    _run(at)
    assert at.sidebar.selectbox(key="province_vi").value == "11"


def test_indicators_2025_follow_the_model_and_a_merged_province_is_built_whole(app):
    at = app
    before = _metric(at, "Thôn/bản")
    at.sidebar.radio(key="units_vi").set_value("2025")
    _run(at)
    assert _metric(at, "Thôn/bản") == before  # the same village records, by new commune
    # Thành phố Hồ Chí Minh is made of three old provinces: all three are in the model.
    at.sidebar.selectbox(key="province_2025_vi").set_value("79")
    _run(at)
    assert "Bản đồ phủ sóng: Thành phố Hồ Chí Minh" in _texts(at.title)
    made_of = [c for c in _texts(at.sidebar.caption) if c.startswith("Gồm")]
    assert made_of and "Tỉnh Bình Dương" in made_of[0] and "Tỉnh Bà Rịa" in made_of[0]
    assert not any("chưa đủ" in c for c in _texts(at.caption))
    from ui import app_common

    model = app_common.build_model(("74", "77", "79"), None, at.session_state["_scope"].radii, 30.0)
    assert set(model.communes["province_code"]) == {"74", "77", "79"}
    assert int(_metric(at, "Thôn/bản").replace(".", "")) == len(model.status)


# ---------------------------------------------------------------------------------------------
# Assignments
# ---------------------------------------------------------------------------------------------


def test_assignments_page_needs_a_name_then_imports_phu_luc_2(app, register):
    at = app
    at.switch_page(ASSIGN_PAGE)
    _run(at)
    assert "Phân công: Tỉnh Điện Biên" in _texts(at.title)
    assert any("Chế độ dùng thử một người" in w for w in _texts(at.warning))
    button = at.button(key="import_pl2")
    assert not button.disabled and "Phụ lục 2" in button.label and "4638/KH" in button.label
    assert any(f"Phiên làm việc của {DEMO}" in c for c in _texts(at.caption))
    at.button(key="import_pl2").click()
    _run(at)
    assert any("đã thêm 36 phân công" in s for s in _texts(at.success))
    assert _metric(at, "Tổng số phân công") == "36"
    assert "import_pl2" not in [b.key for b in at.button]  # offered only while empty
    listing = _frame_with(at, "Người sửa cuối")
    assert len(listing) == 36 and set(listing["Người sửa cuối"]) == {DEMO}
    by_operator = _frame_with(at, "Còn nợ")
    assert set(by_operator["Doanh nghiệp"]) == {"Viettel"}  # the operator picked first
    if dt.date.today().year > 2025:  # the plan's last year has passed: all 36 overdue, and why
        late = _frame_with(at, "Lý do quá hạn")
        assert len(late) == 36
        assert (
            late["Lý do quá hạn"]
            .str.startswith("Năm mục tiêu 2025 (năm cuối của kế hoạch 4638/KH-UBND) đã qua")
            .all()
        )
        captions = [c.replace("\\", "") for c in _texts(at.caption)]
        assert any(
            "36 phân công có năm mục tiêu 2025 là năm cuối của kế hoạch 4638/KH-UBND" in c
            for c in captions
        ), captions
    conn = asg.connect(register)
    try:
        sessions = conn.execute("SELECT user, client FROM session").fetchall()
        assert [tuple(r) for r in sessions] == [(DEMO, "app role=demo")]
    finally:
        conn.close()


def test_assign_with_the_proposal_change_status_undo_and_history(app, register):
    from ui import app_common

    at = app
    at.switch_page(ASSIGN_PAGE)
    _run(at)
    _name(at)
    model = app_common.build_model("11", None, at.session_state["_scope"].radii, 30.0)
    village = _not_spot(model)
    vid = village["village_id"]
    at.session_state["selected_village"] = vid
    _run(at)
    markdown = " ".join(_texts(at.markdown))
    assert re.search(r"Đề xuất của công cụ\*\*: \w+\\: trạm gần nhất \d+,\d km", markdown)
    proposal = asg.propose_for_model(model, unserved_only=False).set_index("village_id")
    proposed = proposal.loc[vid, "proposed_operator"]
    assert at.selectbox(key=f"op_{vid}").value == proposed
    assert at.text_input(key=f"dec_{vid}").value == "4638/KH-UBND"
    assert at.date_input(key=f"decd_{vid}").value == dt.date(2020, 12, 15)

    # Override the proposal: the register keeps both.
    other = next(op for op in ("VNPT", "Viettel") if op != proposed)
    at.selectbox(key=f"op_{vid}").set_value(other)
    at.text_input(key=f"note_{vid}").input("Theo đề nghị của UBND xã")
    at.button[[b.label for b in at.button].index("Phân công")].click()
    _run(at)
    assert any(s.startswith("Đã phân công") and "khác đề xuất" in s for s in _texts(at.success)), (
        _texts(at.success)
    )
    conn = asg.connect(register)
    try:
        row = asg.get(conn, vid)
        assert (row["operator"], row["proposed_operator"], row["status"]) == (
            other,
            proposed,
            "assigned",
        )
        assert row["note"] == "Theo đề nghị của UBND xã" and row["updated_by"] == DEMO
        assert row["proposal_reason"].startswith(f"{proposed}: trạm gần nhất")

        at.selectbox(key=f"st_{vid}").set_value("under_construction")
        at.button[[b.label for b in at.button].index("Cập nhật trạng thái")].click()
        _run(at)
        assert asg.get(conn, vid)["status"] == "under_construction"
        assert any("Đang xây dựng từ" in s for s in _texts(at.success))

        at.button(key=f"undo_{vid}").click()
        _run(at)
        assert asg.get(conn, vid)["status"] == "assigned"
        history = _frame_with(at, "Thao tác")
        assert {"Phân công", "Đổi trạng thái", "Hoàn tác"} <= set(history["Thao tác"])
        assert "Có" in set(history["Đã hoàn tác"])
    finally:
        conn.close()


def test_a_version_conflict_is_refused_with_the_current_value(app, register):
    from ui import app_common

    at = app
    at.switch_page(ASSIGN_PAGE)
    _run(at)
    _name(at)
    at.button(key="import_pl2").click()
    _run(at)
    vid = app_common.assignments_for(at.session_state["_scope"])["village_id"].iloc[0]
    at.session_state["selected_village"] = vid
    _run(at)  # the planner sees version 1
    conn = asg.connect(register)
    try:
        other = asg.open_session(conn, "Trần Thị Bình")
        asg.set_status(other, vid, "under_construction", expected_version=1)
        at.selectbox(key=f"st_{vid}").set_value("cancelled")
        at.button[[b.label for b in at.button].index("Cập nhật trạng thái")].click()
        _run(at)
        errors = " ".join(_texts(at.error))
        assert "Xung đột phiên bản" in errors and "Trần Thị Bình" in errors
        assert "Không có gì bị ghi đè" in errors
        assert "giờ Việt Nam" in errors and "cột version" not in errors
        current = " ".join(_texts(at.markdown))
        assert "Giá trị hiện tại trong sổ" in current and "Đang xây dựng" in current
        assert asg.get(conn, vid)["status"] == "under_construction"  # nothing overwritten
        # The planner now sees version 2: the same change goes through.
        at.selectbox(key=f"st_{vid}").set_value("cancelled")
        at.button[[b.label for b in at.button].index("Cập nhật trạng thái")].click()
        _run(at)
        assert asg.get(conn, vid)["status"] == "cancelled"
    finally:
        conn.close()


def test_assignments_page_in_english_and_2025_units(app, register):
    at = app
    at.sidebar.radio(key="lang").set_value("en")
    _run(at)
    at.switch_page(ASSIGN_PAGE)
    _run(at)
    _name(at)
    at.button(key="import_pl2").click()
    _run(at)
    assert "Assignments: Tỉnh Điện Biên" in _texts(at.title)
    assert _metric(at, "Still owed (not on air)") == "36"
    at.sidebar.radio(key="units_en").set_value("2025")
    _run(at)
    listing = _frame_with(at, "Last changed by")
    assert "District" not in listing.columns
    assert listing["Commune (old → new)"].str.contains(r" \(old\) → .+ \(new\)").all()
    assert "Commune (new)" in _frame_with(at, "Owed").columns


def test_verified_village_counts_as_served_on_the_map(app, register):
    from ui import app_common

    at = app
    share_label = "Tỷ lệ thôn/bản được phủ sóng di động băng rộng"
    before = _percent(_metric(at, share_label))
    model = app_common.build_model("11", None, at.session_state["_scope"].radii, 30.0)
    village = _not_spot(model)
    conn = asg.connect(register)
    try:
        s = asg.open_session(conn, "Nguyễn Văn An")
        a = asg.assign(s, village, "Viettel", target_year=2025)
        for i, status in enumerate(("under_construction", "on_air", "verified"), start=1):
            asg.set_status(s, village["village_id"], status, expected_version=a["version"] + i - 1)
    finally:
        conn.close()
    _run(at)
    after = _percent(_metric(at, share_label))
    n = len(model.status)
    assert after == pytest.approx(before + 100 / n, abs=0.06)
    captions = " ".join(_texts(at.caption))
    assert "Trong đó 1 thôn/bản được tính chỉ nhờ đã nghiệm thu" in captions
    disagreements = _frame_with(at, "Chênh lệch")
    assert village["village"] in set(disagreements["Thôn/Bản"])


# ---------------------------------------------------------------------------------------------
# Helpers of layers the pages use
# ---------------------------------------------------------------------------------------------


def _status_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_id": ["A", "B", "C", "D"],
            "village": ["Bản A", "Bản B", "Bản C", "Bản D"],
            "commune": ["Xã 1"] * 4,
            "district": ["Huyện 1"] * 4,
            "mobile_broadband": [True, False, False, True],
            "Viettel": [True, False, False, False],
            "VNPT": [False, False, False, True],
        }
    )


def _assignments(rows: list[dict]) -> pd.DataFrame:
    base = {f: None for f in [*asg.FIELDS, "status_date"]}
    return pd.DataFrame([base | r for r in rows])


def test_count_served_counts_verified_or_covered_and_recomputes_the_target():
    from layers import tables

    result = {
        "villages": 4,
        "villages_mobile_share": 0.5,
        "targets": {
            "villages_mobile_share": [
                {
                    "plan_id": "p",
                    "source_row": "3",
                    "indicator": "x",
                    "unit": "%",
                    "value": 75.0,
                    "comparator": "=",
                    "comparable": "yes",
                    "actual": 0.5,
                    "met": False,
                }
            ]
        },
        "definitions": {},
    }
    a = _assignments(
        [
            {"village_id": "B", "operator": "Viettel", "status": "verified"},
            {"village_id": "C", "operator": "VNPT", "status": "on_air"},
            {"village_id": "D", "operator": "Viettel", "status": "assigned"},
        ]
    )
    out = tables.count_served(result, _status_frame(), a)
    assert out["villages_mobile_share"] == 0.75  # A, D covered; B verified; C on air only
    assert out["villages_mobile_share_modelled"] == 0.5
    assert (out["villages_served"], out["villages_verified_only"]) == (3, 1)
    # B verified but not covered, C on air but not covered, D covered but not verified.
    assert out["register_disagreements"] == 3
    target = out["targets"]["villages_mobile_share"][0]
    assert (target["actual"], target["met"]) == (0.75, True)
    assert result["villages_mobile_share"] == 0.5  # the input is not changed
    rows = tables.indicator_rows(out, "vi")
    share = next(r for r in rows if r["key"] == "villages_mobile_share")
    assert share["actual_text"] == "75,0 %" and "nghiệm thu" in share["definition"]
    # No site data: no coverage figure, whatever the register says.
    none = tables.count_served(result | {"villages_mobile_share": None}, _status_frame(), a)
    assert none["villages_mobile_share"] is None and none["villages_served"] == 3


def test_register_views_are_in_the_language_of_the_screen():
    from layers import tables

    today = dt.date(2026, 3, 1)
    a = _assignments(
        [
            {
                "village_id": "B",
                "village": "Bản B",
                "commune": "Xã 1",
                "district": "Huyện 1",
                "district_code": "100",
                "commune_code": "03100",
                "commune_2025_code": "03127",
                "operator": "VNPT",
                "status": "assigned",
                "status_date": "2021-01-05",
                "target_year": 2025,
                "decision": "4638/KH-UBND",
                "decision_date": "2020-12-15",
                "note": "",
                "version": 1,
                "updated_by": "An",
                "assigned_on": "2021-01-05",
            },
            {
                "village_id": "C",
                "village": "Bản C",
                "commune": "Xã 1",
                "district": "Huyện 1",
                "district_code": "100",
                "commune_code": "03100",
                "commune_2025_code": "03127",
                "operator": "Viettel",
                "status": "verified",
                "status_date": "2024-06-30",
                "target_year": 2024,
                "decision": "",
                "decision_date": None,
                "note": "x",
                "version": 4,
                "updated_by": "Bình",
                "assigned_on": "2021-01-05",
                "on_air_on": "2023-05-01",
                "verified_on": "2024-06-30",
            },
        ]
    )
    for col in ("target_year", "version"):
        a[col] = a[col].astype("Int64")
    vi = tables.assignments_table(a, "vi", today=today)
    assert list(vi.columns[:4]) == ["Thôn/Bản", "Xã", "Huyện", "Doanh nghiệp"]
    assert vi["Doanh nghiệp"].tolist() == ["VNPT (Vinaphone)", "Viettel"]
    assert vi["Ngày trạng thái"].tolist() == ["05/01/2021", "30/06/2024"]
    assert vi["Quá hạn"].tolist() == ["Quá hạn", ""]
    assert vi["Văn bản"].tolist() == ["4638/KH-UBND, 15/12/2020", ""]
    en = tables.assignments_table(a, "en", units="2025", today=today)
    assert "District" not in en.columns
    assert en["Commune (old → new)"].iloc[0] == "Xã 1 (old) → Phường Điện Biên Phủ (new)"
    owed = tables.by_operator_table(a, "vi", operator="VNPT")
    assert owed[["Huyện", "Năm mục tiêu", "Còn nợ"]].values.tolist() == [["Huyện 1", 2025, 1]]
    by_commune = tables.by_district_table(a, "en", units="2025", today=today)
    assert by_commune["Commune (new)"].tolist() == ["Phường Điện Biên Phủ"]
    assert by_commune[["Owed", "Overdue", "Owed: VNPT (Vinaphone)"]].values.tolist() == [[1, 1, 1]]
    late = tables.overdue_table(a, "vi", today=today)
    assert late[["Thôn/Bản", "Số năm quá hạn"]].values.tolist() == [["Bản B", 1]]
    facts = dict(tables.assignment_facts(a.iloc[1].to_dict(), "vi"))
    assert facts["Trạng thái"] == "Đã nghiệm thu (30/06/2024)"
    assert facts["Văn bản"] == "—"

    prog = tables.progress_long(a, "dienbien_4638", "vi", today=today)
    target = prog[(prog["series"] == "plan_target") & (prog["year"] == 2023)].iloc[0]
    assert (target["text"], target["label"]) == ("90,0 %", tables.t("progress_plan_target", "vi"))
    verified = prog[(prog["series"] == "verified") & (prog["year"] == 2024)].iloc[0]
    assert (verified["share"], verified["count"]) == (0.5, "1")


def test_the_overdue_view_says_why_a_plans_whole_list_fell_overdue_at_once():
    from layers import tables

    today = dt.date(2026, 3, 1)
    plan = "năm cuối của kế hoạch 4638/KH-UBND"
    rows = [
        {
            "village_id": f"P{i}",
            "village": f"Bản P{i}",
            "commune": "Xã 1",
            "district": "Huyện 1",
            "district_code": "100",
            "commune_code": "03100",
            "operator": "Viettel",
            "status": "assigned",
            "target_year": 2025,
            "target_year_source": plan,
        }
        for i in range(3)
    ] + [
        {
            "village_id": "Q",
            "village": "Bản Q",
            "commune": "Xã 1",
            "district": "Huyện 1",
            "district_code": "100",
            "commune_code": "03100",
            "operator": "VNPT",
            "status": "under_construction",
            "target_year": 2024,
            "target_year_source": "",
        },
        {
            "village_id": "R",
            "village": "Bản R",
            "commune": "Xã 1",
            "district": "Huyện 1",
            "district_code": "100",
            "commune_code": "03100",
            "operator": "VNPT",
            "status": "on_air",
            "target_year": 2024,
            "target_year_source": "",
        },
    ]
    a = _assignments(rows)
    a["target_year"] = a["target_year"].astype("Int64")
    vi = tables.overdue_table(a, "vi", today=today)
    assert vi["Thôn/Bản"].tolist() == ["Bản Q", "Bản P0", "Bản P1", "Bản P2"]  # not R: on air
    assert list(vi.columns[-2:]) == ["Lý do quá hạn", "Mã thôn/bản"]
    assert vi["Lý do quá hạn"].iloc[1] == (
        "Năm mục tiêu 2025 (năm cuối của kế hoạch 4638/KH-UBND) đã qua (quá hạn từ "
        "01/01/2026); trạng thái Đã phân công, chưa phát sóng"
    )
    assert vi["Lý do quá hạn"].iloc[0] == (
        "Năm mục tiêu 2024 đã qua (quá hạn từ 01/01/2025); trạng thái Đang xây dựng, chưa phát sóng"
    )
    en = tables.overdue_table(a, "en", today=today)
    assert en["Why overdue"].iloc[1] == (
        "Target year 2025 (the last year of plan 4638/KH-UBND) has passed (overdue since "
        "01/01/2026); status Assigned, not on air yet"
    )
    note = tables.overdue_note(a, "vi", today=today)
    assert note.startswith(
        "Một phân công quá hạn khi năm mục tiêu đã qua (từ ngày 01/01 của "
        "năm sau) mà trạng thái vẫn là Đã phân công / Đang xây dựng"
    )
    assert (
        "3 phân công có năm mục tiêu 2025 là năm cuối của kế hoạch 4638/KH-UBND (danh "
        "sách thôn/bản của kế hoạch không ghi năm cho từng thôn/bản), nên cùng quá hạn từ "
        "01/01/2026."
    ) in note
    assert "3 assignments have target year 2025, the last year of plan 4638/KH-UBND" in (
        tables.overdue_note(a, "en", today=today)
    )
    facts = dict(tables.assignment_facts(a.iloc[0].to_dict(), "vi"))
    assert facts["Năm mục tiêu"] == "2025 (năm cuối của kế hoạch 4638/KH-UBND) · Quá hạn"
    facts = dict(tables.assignment_facts(a.iloc[0].to_dict(), "en"))
    assert facts["Target year"].startswith("2025 (the last year of plan 4638/KH-UBND)")


def test_count_served_with_an_empty_register_calls_served_status(monkeypatch):
    import warnings

    from layers import tables
    from ui import app_common

    calls = []
    real = asg.served_status
    from geo.assignments import proposals

    def counted(*a):
        calls.append(1)
        return real(*a)

    # count_served calls it through the package, disagreements inside its own module
    monkeypatch.setattr(asg, "served_status", counted)
    monkeypatch.setattr(proposals, "served_status", counted)
    result = {"villages": 4, "villages_mobile_share": 0.5, "targets": {}, "definitions": {}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = tables.count_served(result, _status_frame(), app_common.empty_assignments())
        shown = tables.register_disagreements(_status_frame(), app_common.empty_assignments())
    assert calls == [1, 1]  # no shortcut around it for an empty register
    assert (out["villages_served"], out["register_disagreements"]) == (2, 0)
    assert out["villages_mobile_share"] == 0.5 and shown.empty


def test_why_text_is_the_targets_own_why_vi():
    from layers import tables

    target = {
        "plan_id": "p",
        "source_row": "9",
        "indicator": "x",
        "why": "Because.",
        "why_vi": "Vì vậy.",
    }
    assert tables.why_text(target, "vi") == "Vì vậy."
    assert tables.why_text(target, "en") == "Because."
    assert tables.why_text({"why": "Because."}, "vi") == "Because."  # no why_vi: the English
    assert not hasattr(tables, "_why_vi_map")


def test_history_and_candidates_tables(tmp_path):
    from geo import pipeline, province
    from layers import tables

    conn = asg.connect(tmp_path / "r.sqlite")
    s = asg.open_session(conn, "An")
    model = pipeline.build(province.load_province("11"))
    v = _not_spot(model)
    a = asg.assign(
        s, v, "MobiFone", target_year=2026, decision="4638/KH-UBND", decision_date="15/12/2020"
    )
    asg.set_status(s, v["village_id"], "under_construction", expected_version=a["version"])
    h = tables.history_table(
        asg.history(conn, v["village_id"]), "vi", names=pd.Series({v["village_id"]: v["village"]})
    )
    first = h.iloc[0]  # newest first
    assert (first["Thao tác"], first["Nội dung"]) == ("Đổi trạng thái", "Trạng thái")
    assert (first["Giá trị cũ"], first["Giá trị mới"]) == ("Đã phân công", "Đang xây dựng")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", first["Thời điểm"])  # Vietnam's time
    assert "15/12/2020" in set(h["Giá trị mới"])

    proposals = asg.propose_for_model(model, unserved_only=False)
    cand = tables.candidates_table(model.status, proposals, asg.current(conn), "vi")
    row = cand[cand["Mã thôn/bản"] == v["village_id"]].iloc[0]
    assert (row["Doanh nghiệp"], row["Trạng thái"]) == ("MobiFone", "Đang xây dựng")
    assert row["Lý do đề xuất"].startswith(row["Đề xuất của công cụ"].split(" ")[0])
    assert len(cand) == int(
        (~model.status["mobile_broadband"] | model.status["declared_unserved"]).sum()
    )
    conn.close()


def test_why_is_vietnamese_on_the_vietnamese_screen_and_files(dienbien_model):
    import io

    import openpyxl

    from geo import indicators
    from layers import tables

    result = indicators.compute(dienbien_model)
    vi = tables.indicator_rows(result, "vi")
    en = tables.indicator_rows(result, "en")
    sharing_vi = next(r for r in vi if r["key"] == "site_sharing_rate")
    sharing_en = next(r for r in en if r["key"] == "site_sharing_rate")
    assert sharing_vi["why"].startswith("Kế hoạch tính mọi công trình hạ tầng")
    assert sharing_vi["comparable_text"].startswith("Một phần: Kế hoạch tính")
    assert sharing_en["why"].startswith("The plan counts all shared passive")
    wb = openpyxl.load_workbook(io.BytesIO(tables.indicators_xlsx(result, "vi")))
    cells = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("Một phần: Kế hoạch tính mọi công trình") for c in cells)
    assert not any("The plan counts" in str(c) for c in cells)


def test_map_2025_draws_built_communes_and_marks_approximate_ones(laichau):
    from geo import pipeline, units2025
    from layers import maps

    model = pipeline.build(laichau)
    table = units2025.communes_2025_table(model)
    approx = table.loc[table["geometry_method"] == "approximate", "commune_2025"].tolist()
    assert approx
    html = maps.map_html(maps.build_map(model, lang="vi", units="2025"))

    def shown(text: str) -> bool:  # as is, or as a JSON string (the legend)
        return text in html or json.dumps(text)[1:-1] in html

    assert shown("Ranh giới xã từ 01/07/2025")
    assert shown("gần đúng (có xã cũ bị chia tách, vẽ bằng nét đứt)")
    assert '"gm": "a"' in html and '"gm": "e"' in html
    assert json.dumps(f"{approx[0]} (mới)") in html or f'"{approx[0]} (mới)"' in html
    assert shown("(cũ) →")


def test_map_escapes_assignments_and_marks_the_clicked_ids(dienbien_model):
    from layers import maps

    v = _not_spot(dienbien_model)
    a = _assignments(
        [
            {
                "village_id": v["village_id"],
                "village": "<script>alert(1)</script>",
                "commune": "Xã 1",
                "district": "H",
                "lon": v.geometry.x,
                "lat": v.geometry.y,
                "operator": "Viettel",
                "status": "on_air",
                "status_date": "2025-01-02",
                "target_year": 2024,
                "decision": "4638/KH-UBND",
                "decision_date": "2020-12-15",
                "note": "<b>x</b>",
            }
        ]
    )
    gdf = asg.to_geodataframe(a, today=dt.date(2026, 1, 1))
    html = maps.map_html(
        maps.build_map(dienbien_model, assignments=gdf, village_ids=True, selected=v["village_id"])
    )
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html.replace("\\u0026", "&")
    assert "<b>x</b>" not in html
    assert f'"i": "{v["village_id"]}"' in html and '"st": "on_air"' in html
    assert "Mã thôn/bản" in html and "Phân công (sổ phân công)" in html


def test_markdown_escaping_of_data():
    from ui.app_common import md

    assert md("Bản *A* [x](y) :red[z] #1") == r"Bản \*A\* \[x\]\(y\) \:red\[z\] \#1"
    assert md("Xã Ẳng Tở") == "Xã Ẳng Tở"


# ---------------------------------------------------------------------------------------------
# Accounts: the single-user demo, sign-in, what an operator sees
# ---------------------------------------------------------------------------------------------


def test_the_demo_banner_is_on_every_page_while_no_account_exists(app):
    at = app
    for page in (None, "ui/pages/nhap_du_lieu.py", ASSIGN_PAGE, "ui/pages/quan_tri.py"):
        if page:
            at.switch_page(page)
            _run(at)
        assert any("Chế độ dùng thử một người" in w for w in _texts(at.warning)), page
    assert "Tạo tài khoản Quản trị đầu tiên" in _texts(at.subheader)


def _accounts_with_planner_and_operator(path: Path) -> None:
    conn = accounts_store.connect(path)
    try:
        auth.create_first_admin(conn, "quantri", PASSWORD)
        admin = auth.Account("quantri", auth.Role.ADMIN)
        for account in (
            auth.make_account("canbo_db", "province_planner", province_code="11"),
            auth.make_account("vnpt_db", "operator", operator="VNPT"),
        ):
            auth.add_account(conn, admin, account, PASSWORD)
    finally:
        conn.close()


def _sign_in(at, name: str, password: str):
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Đăng nhập").click()
    return _run(at)


def test_sign_in_refuses_a_wrong_password_and_shows_the_signed_in_name(
    real_data, register, accounts
):
    from streamlit.testing.v1 import AppTest

    _accounts_with_planner_and_operator(accounts)
    at = _run(AppTest.from_file(APP, default_timeout=240))
    assert "Đăng nhập" in _texts(at.title)
    assert not any("Chế độ dùng thử" in w for w in _texts(at.warning))
    assert not at.metric  # nothing of the data before signing in
    _sign_in(at, "canbo_db", "sai-mat-khau-roi")
    assert any("Tên tài khoản hoặc mật khẩu không đúng" in e for e in _texts(at.error))
    assert "_auth_token" not in at.session_state
    _sign_in(at, "canbo_db", PASSWORD)
    sidebar = " ".join(_texts(at.sidebar.markdown))
    assert "canbo\\_db" in sidebar and "Cán bộ tỉnh 11" in sidebar
    assert at.session_state["_scope"].planner == "canbo_db"


def test_an_operator_sees_only_its_own_villages_in_the_assignments_table(
    real_data, register, accounts, dienbien
):
    from streamlit.testing.v1 import AppTest

    _accounts_with_planner_and_operator(accounts)
    v = dienbien.villages[dienbien.villages["location_precision"] == "point"]
    console = asg.open_session(register, auth.CONSOLE, client="test")
    try:
        asg.assign(console, v.iloc[0], "Viettel")
        asg.assign(console, v.iloc[1], "VNPT")
    finally:
        console.conn.close()
    at = _run(AppTest.from_file(APP, default_timeout=240))
    _sign_in(at, "vnpt_db", PASSWORD)
    at.switch_page(ASSIGN_PAGE)
    _run(at)
    listing = _frame_with(at, "Người sửa cuối")
    assert len(listing) == 1
    assert v.iloc[1]["village"] in " ".join(listing.astype(str).to_numpy().ravel())
    assert "vnpt\\_db" in " ".join(_texts(at.sidebar.markdown))
