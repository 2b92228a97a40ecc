"""The Đo kiểm page, run by ``streamlit.testing.v1.AppTest`` (no browser): a committed import is
listed with its file, rows and who, the measured village's row says its status rests on the
measurements (Vietnamese labels and numbers), and the import is taken back from the page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo import auth, measurements
from geo.store import accounts as accounts_store
from geo.store import measurements as store

pytestmark = pytest.mark.realdata

PAGE = str(Path(__file__).resolve().parent.parent / "ui" / "pages" / "do_kiem.py")


@pytest.fixture
def measured_store(real_data, dienbien_model, tmp_path, monkeypatch):
    """A measurement store with 6 Viettel 4G points at -125 dBm by a village inside a Viettel
    site's radius; the app as the single-user demo (no account store)."""
    monkeypatch.setenv(accounts_store.DB_ENV, str(tmp_path / "accounts.sqlite"))
    path = tmp_path / "m.sqlite"
    monkeypatch.setenv(store.ENV, str(path))
    s = dienbien_model.status
    village = s[(s["location_precision"] == "point") & s["Viettel"]].iloc[0]
    lines = ["Thời gian,Kinh độ,Vĩ độ,Nhà mạng,Công nghệ,RSRP (dBm)"]
    lines += [f"0{d}/11/2026 09:00,{village.geometry.x + 0.0005:.6f},{village.geometry.y:.6f},"
              "Viettel,4G,-125" for d in range(1, 7)]  # fmt: skip
    read = measurements.read(("\n".join(lines) + "\n").encode(), "do_kiem_thu.csv")
    measurements.commit(read, path, province_code="11", who="Lò Văn Minh")
    return path, village


def _run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_page_lists_the_import_and_the_village_resting_on_measurements(measured_store):
    from streamlit.testing.v1 import AppTest

    _, village = measured_store
    at = _run(AppTest.from_file(PAGE, default_timeout=240))
    tables = [d.value for d in at.dataframe]
    imports = next(t for t in tables if "Tệp" in t.columns)
    assert imports[["Tệp", "Số dòng", "Người nhập"]].values.tolist() == [
        ["do_kiem_thu.csv", "6", "Lò Văn Minh"]
    ]
    per_village = next(t for t in tables if "Thôn/Bản" in t.columns)
    row = per_village[per_village["Thôn/Bản"] == village["village"]].iloc[0]
    assert row["Căn cứ xác định"] == "Đo kiểm thực tế"
    assert row["Cường độ tín hiệu trung vị (dBm)"] == "-125"
    assert row["Tỷ lệ đạt ngưỡng"] == "0,0 %"
    assert row["Ngày đo gần nhất"] == "06/11/2026"


def test_an_import_is_taken_back_from_the_page(measured_store):
    from streamlit.testing.v1 import AppTest

    path, _ = measured_store
    at = _run(AppTest.from_file(PAGE, default_timeout=240))
    next(b for b in at.button if b.key == "dk_remove").click()
    _run(at)
    conn = store.connect(path)
    try:
        done = store.imports(conn, removed=True)
    finally:
        conn.close()
    assert done["removed_by"].tolist() == [auth.DEMO_NAME]  # the acting account, recorded
    assert pd.notna(done["removed_at"]).all()
    assert any("Đã gỡ lần nhập" in str(s.value) for s in at.success)
