"""The import page in a real browser: upload a planner's sites, save, and see the map change.

A small CSV of Viettel 4G sites near real villages of Điện Biên (GeoNames points of the demo
register) is made in the test, uploaded on the page "Nhập dữ liệu", saved, and the map page then
counts those sites under "Trạm BTS" and no longer calls the site layer synthetic.

The server runs ``streamlit run app.py`` with ``COVERAGE_IMPORTS_DB`` (and
``COVERAGE_ASSIGNMENTS_DB``) in a temporary folder, so the planner's real store is not touched.
The helpers (chromium flags, offline Leaflet, ``skip``, the server) are in
``tests/browser_support.py``. Screenshots go to ``screenshots/import.png`` and
``screenshots/import_map.png`` (git-ignored).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.browser_support import (
    MAP_FRAME,
    ROOT,
    TIMEOUT_MS,
    launch_chromium,
    new_page,
    require_browser_setup,
    streamlit_server,
)

pytestmark = pytest.mark.browser

#: Viettel 4G sites about 200 m from villages of the demo register (GeoNames points).
SITES = [
    ("DBN-VT-0101", "Viettel", "4G", 102.5851, 22.1517, "15/03/2021"),  # Mường Tong, Mường Nhé
    ("DBN-VT-0102", "Viettel", "4G", 103.2848, 21.4012, "02/08/2022"),  # Co Chay, Xa Dung
    ("DBN-VT-0103", "Viettel", "4G", 102.4381, 22.2991, "20/11/2022"),  # Nậm Khum, Chung Chải
    ("DBN-VT-0104", "Viettel", "4G", 103.2421, 21.5307, "05/01/2023"),  # Bản Trá, Ẳng Tở
]
FILE_NAME = "tram_bts_viettel_dien_bien.csv"


def _sites_csv() -> bytes:
    lines = ["Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ,Ngày phát sóng"]
    lines += [",".join(str(v) for v in row) for row in SITES]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("imports") / "imports.sqlite"


@pytest.fixture(scope="module")
def server(tmp_path_factory, store_path):
    """A Streamlit server running app.py with its own import store."""
    require_browser_setup()
    env = {
        "COVERAGE_IMPORTS_DB": str(store_path),
        "COVERAGE_ASSIGNMENTS_DB": str(store_path.parent / "assignments.sqlite"),
    }
    with streamlit_server(tmp_path_factory, env) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        context, pg = new_page(browser, server)
        yield pg
        context.close()
        browser.close()


def _nav(page, pattern: str):
    """Open a page of the app from the sidebar's menu."""
    link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=re.compile(pattern))
    link.first.click()


def _wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached")


def _metric(page, label: str) -> str:
    m = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=re.compile(f"^{label}$"))
    )
    return m.first.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_upload_sites_save_and_the_map_uses_them(page, store_path, monkeypatch):
    from geo import demo, imports

    # The app's own menu (st.navigation) replaces the pages/ folder's once app.py has run.
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.get_by_text("Bản đồ").wait_for()
    _nav(page, r"Nh[ậa]p d[ữu] li[ệe]u")
    page.get_by_role("heading", name="Nhập dữ liệu").wait_for()
    main = page.locator("[data-testid='stMain']")
    kind = main.get_by_label("Loại dữ liệu")
    assert kind.input_value() == "Trạm BTS"

    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": FILE_NAME, "mimeType": "text/csv", "buffer": _sites_csv()}]
    )
    page.get_by_text("Bản ghi sẽ lưu").wait_for()
    _wait_idle(page)
    assert _metric(page, "Đã khớp") == str(len(SITES))
    assert _metric(page, "Cần xem lại") == "0"
    assert _metric(page, "Bản ghi sẽ lưu") == str(len(SITES))
    text = main.inner_text()
    assert "Hệ tọa độ" in text and "WGS 84" in text
    # Nothing is stored before "Lưu".
    assert imports.Store(store_path).count_rows("11", "sites") == 0
    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "import.png"), full_page=True)

    main.get_by_role("button", name="Lưu", exact=True).click()
    saved = main.get_by_text(re.compile(r"Đã lưu .*tram_bts_viettel_dien_bien"))
    saved.wait_for()
    assert f"thêm {len(SITES)}" in saved.inner_text()
    store = imports.Store(store_path)
    assert store.count_rows("11", "sites") == len(SITES)
    assert list(store.imports("11")["file"]) == [FILE_NAME]
    page.screenshot(path=str(shots / "import_saved.png"), full_page=True)

    _nav(page, r"B[ảa]n đ[ồo]")
    page.locator(MAP_FRAME).first.wait_for()
    page.get_by_text("Trạm BTS", exact=True).first.wait_for()
    _wait_idle(page)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while _metric(page, "Trạm BTS") != str(len(SITES)) and time.monotonic() < deadline:
        page.wait_for_timeout(300)
    assert _metric(page, "Trạm BTS") == str(len(SITES))
    banner = page.locator("[data-testid='stAlert']").first.inner_text()
    if demo.LABEL_VI in banner:  # the fibre layer is still synthetic, the sites are not
        what = banner.split(demo.LABEL_VI, 1)[1].split("\n")[0]
        assert "Trạm BTS" not in what
    page.screenshot(path=str(shots / "import_map.png"))


def test_place_a_village_by_clicking_the_map(page, store_path):
    from geo import auth, placements

    _nav(page, r"Nh[ậa]p d[ữu] li[ệe]u")
    page.get_by_role("heading", name="Nhập dữ liệu").wait_for()
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("Đặt vị trí thôn/bản", exact=True).click()
    main.get_by_text("chỉ được xác định đến xã").wait_for()
    frame = page.locator("iframe[title='streamlit_folium.st_folium']").first
    page.frame_locator("iframe[title='streamlit_folium.st_folium']").first.locator(
        ".leaflet-interactive"
    ).first.wait_for()
    _wait_idle(page)
    village = main.get_by_role("combobox", name="Thôn/bản").input_value().split(" — ")[0]
    # Who places it is the acting account (here the single-user demo): nobody types a name.
    assert page.get_by_role("textbox", name=re.compile("Người thực hiện")).count() == 0
    save = main.get_by_role("button", name="Lưu vị trí")
    main.get_by_text(f"Người thực hiện: {auth.DEMO_NAME}").wait_for()
    assert save.is_enabled()
    # A typed position in DMS with the hemisphere of a latitude is refused, naming the field.
    lon_box = main.get_by_role("textbox", name="Kinh độ")
    lon_box.fill("21°23'15\"N")
    lon_box.press("Enter")
    _wait_idle(page)
    main.get_by_role("button", name="Lưu vị trí").click()
    main.get_by_text("Không lưu được vị trí").wait_for()
    assert "Kinh độ “21°23'15\"N” mang ký hiệu của vĩ độ" in main.inner_text()
    assert placements.placements(store_path, "11").empty

    # A click on the map (the commune is centred in it) fills the coordinates.
    box = frame.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while "°" in lon_box.input_value() and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    _wait_idle(page)
    lon = float(lon_box.input_value().replace(",", "."))
    lat = float(main.get_by_role("textbox", name="Vĩ độ").input_value().replace(",", "."))
    assert 102 < lon < 104 and 21 < lat < 23
    save.click()
    main.get_by_text(re.compile(r"Đã lưu vị trí của")).wait_for()
    stored = placements.placements(store_path, "11")
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["village"] == village and row["who"] == auth.DEMO_NAME
    assert (round(row["lon"], 6), round(row["lat"], 6)) == (lon, lat)
    assert row["when"].endswith("+00:00")
    main.get_by_role("heading", name="Vị trí đã đặt").wait_for()
    page.screenshot(path=str(ROOT / "screenshots" / "import_place.png"), full_page=True)


# ---------------------------------------------------------------------------------------------
# The page without a browser (streamlit.testing.v1.AppTest): placeholders, the planner's name,
# the header row. The uploader is replaced by a file made in the test.
# ---------------------------------------------------------------------------------------------


class _Upload:
    """What ``st.file_uploader`` returns, for a file made in the test."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self._data = data

    def getvalue(self) -> bytes:
        return self._data


def _two_header_workbook() -> bytes:
    """Sites under two header rows (Vietnamese names, then English ones) and a second sheet."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Trạm"
    ws.append(["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"])
    ws.append(["Site id", "Operator", "Technology", "Longitude", "Latitude"])
    for site_id, op, tech, lon, lat, _ in SITES:
        ws.append([site_id, op, tech, lon, lat])
    wb.create_sheet("Ghi chú").append(["Ghi chú", "Nội dung"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def import_page(real_data, tmp_path, monkeypatch):
    """The app on the import page, with its own stores; ``upload`` sets the uploaded file."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COVERAGE_IMPORTS_DB", str(tmp_path / "imports.sqlite"))
    monkeypatch.setenv("COVERAGE_ASSIGNMENTS_DB", str(tmp_path / "assignments.sqlite"))
    uploaded: dict = {}
    import streamlit

    monkeypatch.setattr(streamlit, "file_uploader", lambda *a, **k: uploaded.get("file"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    at.switch_page("ui/pages/nhap_du_lieu.py")
    at.run()
    assert not at.exception, at.exception
    at.upload = lambda name, data: uploaded.__setitem__("file", _Upload(name, data))
    return at


def _run(at):
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.realdata
def test_every_selectbox_of_the_page_has_a_placeholder_in_the_ui_language(import_page):
    at = import_page
    at.upload("tram.xlsx", _two_header_workbook())
    _run(at)
    keys = {s.key for s in at.main.selectbox}
    assert {"imp_province_vi", "imp_kind_vi", "imp_sheet_0"} <= keys
    assert any(k.startswith("imp_map_") for k in keys)  # the column mapping form
    assert any(k.startswith("imp_crs_pick_") for k in keys)  # the CRS form
    assert {s.proto.placeholder for s in at.main.selectbox} == {"Chọn…"}
    assert not at.main.multiselect or {m.proto.placeholder for m in at.main.multiselect} == {
        "Chọn…"
    }
    at.sidebar.radio(key="lang").set_value("en")
    _run(at)
    assert {s.proto.placeholder for s in at.main.selectbox} == {"Choose…"}
    at.main.radio(key="imp_section_en").set_value("place")
    _run(at)
    assert [s.proto.placeholder for s in at.main.selectbox] == ["Choose…", "Choose…"]


@pytest.mark.realdata
def test_the_header_row_can_be_corrected_on_the_page(import_page):
    at = import_page
    at.upload("tram.xlsx", _two_header_workbook())
    _run(at)
    (header,) = [n for n in at.main.number_input if n.key.startswith("imp_header_")]
    assert header.value == 1 and header.label == "Dòng tiêu đề (tên các cột)"
    assert at.session_state["imp"]["staged"].report.set_index("row").loc[2, "status"] == "error"
    header.set_value(2)
    _run(at)
    staged = at.session_state["imp"]["staged"]
    assert staged.header_rows == [2]
    assert (staged.report["status"] == "ok").all() and len(staged.report) == len(SITES)
    assert "Đọc tên các cột ở dòng 2 (thay cho dòng 1 nhận ra tự động)." in [
        c.value for c in at.main.caption
    ]
    assert {m.label: m.value for m in at.main.metric}["Đã khớp"] == str(len(SITES))


@pytest.mark.realdata
def test_placing_a_village_records_the_acting_account(import_page, dienbien, tmp_path):
    from geo import auth, placements

    at = import_page
    at.main.radio(key="imp_section_vi").set_value("place")
    _run(at)
    assert "Người thực hiện" not in [t.label for t in at.main.text_input]
    (save,) = [b for b in at.main.button if b.key == "imp_place_save"]
    assert not save.disabled  # the demo account acts; no name to type
    assert at.session_state["kept_planner"] == auth.DEMO_NAME
    vid = at.main.selectbox(key="imp_place_village_11_vi").value
    commune = dienbien.villages.set_index("village_id").loc[vid, "gid_3"]
    poly = dienbien.communes.loc[dienbien.communes["gid_3"] == commune, "geometry"].iloc[0]
    p = poly.representative_point()
    at.main.text_input(key=f"imp_lon_{vid}").input(f"{p.x:.6f}".replace(".", ","))
    at.main.text_input(key=f"imp_lat_{vid}").input(f"{p.y:.6f}".replace(".", ","))
    _run(at)
    assert any(f"Người thực hiện: **{auth.DEMO_NAME}**" in c.value for c in at.main.caption)
    at.main.button(key="imp_place_save").click()
    _run(at)
    stored = placements.placements(tmp_path / "imports.sqlite", "11")
    assert stored["who"].tolist() == [auth.DEMO_NAME]
    assert stored["village_id"].tolist() == [vid]


def test_every_selectbox_call_of_the_page_passes_a_placeholder():
    """Static check of the page's modules (ui/imports/): a selectbox or multiselect drawn
    anywhere on the page (also those only shown for some files) passes ``placeholder=``, and
    the page's ``_kept`` helper (ui/imports/common.py) adds it for the selectboxes it draws."""
    import ast

    trees = {
        path.name: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "ui" / "imports").glob("*.py"))
    }
    calls = [
        node
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("selectbox", "multiselect")
    ]
    assert len(calls) >= 3
    for call in calls:
        assert "placeholder" in {k.arg for k in call.keywords}, ast.unparse(call)[:80]
    kept = next(
        n for n in trees["common.py"].body if isinstance(n, ast.FunctionDef) and n.name == "_kept"
    )
    assert "kwargs.setdefault('placeholder'" in ast.unparse(kept)
