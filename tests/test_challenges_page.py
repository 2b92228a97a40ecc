"""The Phản ánh phủ sóng page (ui/pages/phan_anh.py) run by ``streamlit.testing.v1.AppTest``:
in the single-user demo, raise a challenge from a village, answer it, decide it, with the open
list and the history on screen; signed in as an operator, only its own challenges and no
raise. Each test has its own stores in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import auth
from geo import challenges as ch
from geo.store import accounts as accounts_store
from geo.store import challenges as challenges_store
from geo.vocab import ChallengeAnswer, ChallengeDecision

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "ui/pages/phan_anh.py"
PASSWORD = "núi-cao-bản-xa-2025"


@pytest.fixture
def stores(tmp_path, monkeypatch) -> Path:
    for env, name in (
        ("COVERAGE_ASSIGNMENTS_DB", "assignments.sqlite"),
        (accounts_store.DB_ENV, "accounts.sqlite"),
        (challenges_store.DB_ENV, "challenges.sqlite"),
    ):
        monkeypatch.setenv(env, str(tmp_path / name))
    return tmp_path


def _run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(elements) -> list[str]:
    return [str(e.value).replace("\\", "") for e in elements]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def _click(at, label: str):
    _button(at, label).click()
    return _run(at)


def _page(real_data, stores):
    from streamlit.testing.v1 import AppTest

    at = _run(AppTest.from_file(APP, default_timeout=240))
    at.switch_page(PAGE)
    return _run(at)


def test_the_demo_raises_answers_and_decides_with_the_history_on_screen(real_data, stores):
    at = _page(real_data, stores)
    assert "Phản ánh phủ sóng: Tỉnh Điện Biên" in _texts(at.title)
    warnings = " ".join(_texts(at.warning))
    assert "Chế độ dùng thử một người" in warnings and "mô phỏng" in warnings
    assert "Không có phản ánh nào đang chờ xử lý." in _texts(at.caption)

    vid = at.selectbox(key="raise_village").value
    at.selectbox(key="raise_operator").set_value("VNPT")
    _run(at)
    assert any("Công cụ đang ghi: VNPT" in m for m in _texts(at.markdown))
    at.text_area(key="raise_reason").input("Người dân báo không có sóng 4G")
    at.text_area(key="raise_note").input("Đo tại nhà văn hóa thôn ngày 30/10")
    _click(at, "Gửi phản ánh")
    assert any(s.startswith("Đã ghi phản ánh số 1:") for s in _texts(at.success)), _texts(
        at.success
    )
    assert at.metric[0].label == "Đang chờ xử lý" and at.metric[0].value == "1"
    listed = at.dataframe[0].value
    assert listed["Số phản ánh"].tolist() == [1] and listed["Mã thôn/bản"].tolist() == [vid]
    assert listed["Số ngày từ khi phản ánh"].tolist() == [0]

    # the demo may take every step: answer as the operator, then decide as the province
    at.radio(key="answer_value").set_value(ChallengeAnswer.REBUT)
    at.text_area(key="answer_note").input("Trạm mới phát sóng 4G từ 20/10")
    _click(at, "Gửi giải trình")
    assert any("Đã ghi giải trình cho phản ánh số 1" in s for s in _texts(at.success))
    at.radio(key="decision_value").set_value(ChallengeDecision.UPHELD)
    at.text_area(key="decision_note").input("Đo kiểm lại: không có sóng")
    _click(at, "Ghi kết luận")
    assert any("Đã ghi kết luận cho phản ánh số 1" in s for s in _texts(at.success))
    steps = next(d.value for d in at.dataframe if "Bước" in d.value.columns)
    assert steps["Bước"].tolist() == ["Phản ánh", "Giải trình", "Kết luận"]
    assert set(steps["Người thực hiện"]) == {auth.DEMO_NAME}

    conn = ch.connect()
    try:
        row = ch.get(conn, auth.CONSOLE, 1)
    finally:
        conn.close()
    assert (row["state"], row["answer"], row["decision"]) == ("decided", "rebut", "upheld")
    assert row["operator"] == "VNPT" and row["village_id"] == vid


def test_a_refused_step_is_a_message_not_a_traceback(real_data, stores):
    at = _page(real_data, stores)
    _click(at, "Gửi phản ánh")  # no reason, no evidence
    assert any("Hãy ghi lý do phản ánh" in e for e in _texts(at.error))
    conn = ch.connect()
    try:
        assert ch.challenges(conn, auth.CONSOLE).empty
    finally:
        conn.close()


def test_an_operator_sees_only_its_own_challenges_and_cannot_raise(real_data, stores, dienbien):
    conn = accounts_store.connect()
    try:
        auth.create_first_admin(conn, "quantri", PASSWORD)
        admin = auth.Account("quantri", auth.Role.ADMIN)
        auth.add_account(
            conn, admin, auth.make_account("vnpt_db", "operator", operator="VNPT"), PASSWORD
        )
    finally:
        conn.close()
    v = dienbien.villages.sort_values("village_id").iloc[:2]
    store = ch.connect()
    try:
        for (_, village), op in zip(v.iterrows(), ("Viettel", "VNPT"), strict=True):
            row = {**village.to_dict(), "Viettel": True, "VNPT": True}
            ch.raise_challenge(
                store,
                auth.CONSOLE,
                row,
                op,
                reason=f"mất sóng {op}",
                proof=ch.Proof(note="đo"),
                who="Lò Văn Minh",
            )
    finally:
        store.close()
    from streamlit.testing.v1 import AppTest

    at = _run(AppTest.from_file(APP, default_timeout=240))
    at.text_input(key="sign_in_name").input("vnpt_db")
    at.text_input(key="sign_in_password").input(PASSWORD)
    _click(at, "Đăng nhập")
    at.switch_page(PAGE)
    _run(at)
    listed = at.dataframe[0].value
    assert listed["Nhà mạng"].tolist() == ["VNPT"]
    assert _button(at, "Gửi phản ánh").disabled
    assert "Gửi giải trình" in [b.label for b in at.button]
    assert "Ghi kết luận" not in [b.label for b in at.button]


def test_the_page_in_english(real_data, stores):
    at = _page(real_data, stores)
    at.sidebar.radio[0].set_value("en")
    _run(at)
    assert any(x.startswith("Coverage challenges: ") for x in _texts(at.title))
    assert "Raise the challenge" in [b.label for b in at.button]


def test_the_page_in_the_units_from_2025_lists_the_new_communes_villages(real_data, stores):
    at = _page(real_data, stores)
    at.sidebar.radio(key="units_vi").set_value("2025")
    _run(at)
    assert any(x.startswith("Phản ánh phủ sóng: Tỉnh Điện Biên") for x in _texts(at.title))
    assert len(at.selectbox(key="raise_village").options) > 100
