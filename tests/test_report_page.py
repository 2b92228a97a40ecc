"""The Báo cáo page in the single-user demo (``streamlit.testing.v1.AppTest``, no browser): it
lists and saves snapshots of the scope, draws the plan against actual with the gap in words,
and makes the yearly report's .docx and .xlsx."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import assignments as asg
from geo import snapshots
from geo.store import accounts as accounts_store
from geo.store import snapshots as snapshots_store

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "ui/pages/bao_cao.py"


@pytest.fixture
def app(real_data, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(asg.DB_ENV, str(tmp_path / "assignments.sqlite"))
    monkeypatch.setenv(accounts_store.DB_ENV, str(tmp_path / "accounts.sqlite"))
    monkeypatch.setenv(snapshots_store.ENV, str(tmp_path / "snapshots.sqlite"))
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_report_page_saves_a_snapshot_and_lists_it(app, tmp_path):
    at = app
    assert at.title[0].value.startswith("Báo cáo: Tỉnh Điện Biên")
    assert "Chưa có kỳ chốt số liệu nào cho địa bàn này." in [i.value for i in at.info]
    assert any("mô phỏng" in w.value for w in at.warning)
    at.text_input(key="snapshot_label").input("Quý 4/2025")
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Đã chốt số liệu #1") for s in at.success)
    listed = snapshots.list_snapshots(tmp_path / "snapshots.sqlite")
    assert list(listed["label"]) == ["Quý 4/2025"]
    assert listed["created_by"].iloc[0] == "chế độ dùng thử một người"
    table = next(d.value for d in at.dataframe if "Nhãn" in d.value.columns)
    assert list(table["Nhãn"]) == ["Quý 4/2025"]
    compared = next(d.value for d in at.dataframe if "Thay đổi" in d.value.columns)
    villages = compared.set_index("Các chỉ tiêu").loc["villages"]
    assert villages["#1"] == villages["Số liệu hiện tại"] and villages["Thay đổi"] == 0


def test_the_report_page_shows_the_gap_and_makes_the_report_files(app):
    at = app
    assert any(
        m.value.startswith("**còn thiếu") or m.value.startswith("**đã đạt") for m in at.markdown
    )
    at.button(key="report_make").click()
    at.run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Tải báo cáo (.docx)", "Tải bảng số liệu (.xlsx)"]
