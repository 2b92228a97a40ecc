"""The Streamlit app in a real browser: map, legend, synthetic banner, tooltip, English, the
units from 01/07/2025, and assigning an operator to a village on the map.

Starts ``streamlit run app.py`` on a free port and drives Debian's chromium
(``/usr/bin/chromium``) with Playwright. Skipped, with the reason, when chromium, the data folder
or the synthetic layers are missing (fails when the vendored Leaflet is).

Every request outside localhost is blocked (``tests/browser_support.py``, strict): the map draws
from the vendored Leaflet files the app serves (``static/vendor/``); OpenStreetMap tiles fail and
the map says so. Screenshots go to ``screenshots/`` (git-ignored): ``app.png``, ``app_en.png``,
``app_2025.png``, ``assign_selected.png``, ``assign_done.png``, ``assign_verified_map.png``.

The server's assignment register is a temporary file (``$COVERAGE_ASSIGNMENTS_DB``), empty when
the module starts.
"""

from __future__ import annotations

import contextlib
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


@pytest.fixture(scope="module")
def register_path(tmp_path_factory) -> Path:
    """The server's assignment register (a temporary file, created by the app)."""
    return tmp_path_factory.mktemp("register") / "assignments.sqlite"


@pytest.fixture(scope="module")
def server(tmp_path_factory, register_path):
    """A Streamlit server running app.py; stopped when the module's tests are done."""
    require_browser_setup()
    with streamlit_server(tmp_path_factory, {"COVERAGE_ASSIGNMENTS_DB": str(register_path)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser, server):
    """One browser session shared by the module's first tests (state carries over)."""
    context, pg = new_page(browser, server, strict=True)
    yield pg
    context.close()


@pytest.fixture
def fresh_page(browser, server):
    """A new browser session (Vietnamese, default sidebar) on the map page."""
    context, pg = new_page(browser, server, strict=True)
    yield pg
    context.close()


def _one_map(page) -> None:
    """Wait until a rerun has replaced the old map iframe (both exist for a moment).

    The count must stay at one for a second: the new iframe mounts a little after the page's
    other elements.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    stable_since = None
    while True:
        if page.locator(MAP_FRAME).count() == 1:
            stable_since = stable_since or time.monotonic()
            if time.monotonic() - stable_since >= 1.0:
                return
        else:
            stable_since = None
        if time.monotonic() > deadline:
            pytest.fail("the map iframe was not replaced")
        page.wait_for_timeout(100)


def _settled(page, quiet_ms: int = 600) -> None:
    """Wait until the app's rerun is over: no stale element kept from the run before, for
    ``quiet_ms`` in a row."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    quiet_since = None
    while True:
        if page.locator("[data-stale='true']").count() == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= quiet_ms / 1000:
                return
        else:
            quiet_since = None
        if time.monotonic() > deadline:
            pytest.fail("the app did not finish its rerun")
        page.wait_for_timeout(100)


def _map_frame(page):
    _one_map(page)
    page.frame_locator(MAP_FRAME).locator(".coverage-legend").wait_for()
    return page.locator(MAP_FRAME).element_handle().content_frame()


def test_app_map_draws_with_every_outside_request_blocked(page):
    from layers.maps import TILE_ERROR_TEXT

    frame = _map_frame(page)
    notice = frame.locator(".coverage-tile-notice")
    notice.wait_for(state="visible")
    assert notice.inner_text() == TILE_ERROR_TEXT["vi"]
    drawn = frame.evaluate(
        """() => {
            let painted = 0, vectors = 0;
            for (const c of document.querySelectorAll(".leaflet-overlay-pane canvas")) {
                const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 16) if (d[i] > 0) painted++;
            }
            window.map.eachLayer(l => { if (l instanceof L.Path) vectors++; });
            return {painted, vectors,
                    markers: document.querySelectorAll(".leaflet-marker-pane .site-marker").length};
        }"""
    )
    assert drawn["vectors"] > 500 and drawn["painted"] > 1000, drawn
    assert drawn["markers"] > 0, drawn
    assert frame.locator(".leaflet-control-layers").get_by_text("Nền trống").count() == 1
    offline = page.context.offline
    assert offline.outside, "the map did not even try the OpenStreetMap tiles"
    assert offline.non_tiles() == [], offline.non_tiles()


def test_map_legend_banner_and_village_tooltip(page):
    from geo import demo

    frame = _map_frame(page)
    legend = frame.locator(".coverage-legend").inner_text()
    assert "Chú giải" in legend
    assert "Vùng lõm sóng (không nhà mạng nào) (mô phỏng)" in legend
    assert "Phủ sóng một phần nhà mạng (mô phỏng)" in legend
    assert "tổng hợp" not in legend
    assert "VNPT (Vinaphone)" in legend

    banner = page.locator("[data-testid='stAlert']").filter(has_text="GeoNames").first.inner_text()
    assert demo.LABEL_VI in banner
    assert "GeoNames" in banner

    # Hover over villages (canvas circles) until one shows its tooltip.
    points = frame.evaluate(
        """() => {
            const out = [];
            window.map.eachLayer(l => {
                if (l.feature && l.feature.properties && l.feature.properties.g === "none"
                        && l.getLatLng && out.length < 8) {
                    const p = window.map.latLngToContainerPoint(l.getLatLng());
                    out.push([p.x, p.y, l.feature.properties.n]);
                }
            });
            return out;
        }"""
    )
    assert points, "no village markers on the map"
    box = page.locator(MAP_FRAME).bounding_box()
    tip = frame.locator(".leaflet-tooltip")
    shown = None
    for x, y, _name in points:
        page.mouse.move(box["x"] + x, box["y"] + y)
        with contextlib.suppress(Exception):
            tip.first.wait_for(state="visible", timeout=1500)
            shown = tip.first.inner_text()
            break
    assert shown, "no tooltip appeared when hovering villages"
    assert "Xã:" in shown and "Huyện:" in shown
    assert "Vùng lõm sóng" in shown

    # The indicator panel shows Vietnamese numbers (comma decimals, space before %).
    main = page.locator("[data-testid='stMain']").inner_text()
    assert re.search(r"\d+,\d %", main), "no percentage written as 12,3 %"
    assert "Mục tiêu năm 2025" in main

    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "app.png"))


def test_switch_to_english(page):
    from geo import demo

    _map_frame(page)
    # A changed assumption must survive the language switch.
    _settled(page)
    radius = page.get_by_label("Bán kính 3G (km)")
    radius.fill("5.0")
    radius.press("Enter")
    page.wait_for_timeout(300)
    _settled(page)
    page.locator("[data-testid='stSidebar']").get_by_text("English").click()
    page.get_by_text("Coverage map:").first.wait_for()
    page.get_by_text("Downloads", exact=True).wait_for()
    _one_map(page)
    frame_legend = page.frame_locator(MAP_FRAME).locator(".coverage-legend")
    frame_legend.get_by_text("Legend").wait_for()
    legend = frame_legend.inner_text()
    assert "Total not-spot (synthetic)" in legend
    assert "(tổng hợp)" not in legend
    banner = page.locator("[data-testid='stAlert']").filter(has_text=demo.LABEL_EN)
    assert banner.count() == 1
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Target 2025" in main
    assert re.search(r"\d+\.\d%", main), "no percentage written as 12.3%"
    # The province, the whole-province choice and the radius stay as they were.
    assert "Coverage map: Tỉnh Điện Biên" in main
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_label("3G radius (km)").input_value() == "5.0"
    assert sidebar.get_by_label("District").input_value() == "Whole province"
    assert sidebar.get_by_label("Year (sites on air by 31/12)").input_value() == "All"
    page.screenshot(path=str(ROOT / "screenshots" / "app_en.png"))


# ---------------------------------------------------------------------------------------------
# Units from 01/07/2025
# ---------------------------------------------------------------------------------------------


def _shots() -> Path:
    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    return shots


def _hover_tooltip(page, frame, points) -> str | None:
    """Hover the given container points of the map until a tooltip shows; its text."""
    box = page.locator(MAP_FRAME).bounding_box()
    tip = frame.locator(".leaflet-tooltip")
    for x, y, *_ in points:
        page.mouse.move(box["x"] + x, box["y"] + y)
        with contextlib.suppress(Exception):
            tip.first.wait_for(state="visible", timeout=1500)
            return tip.first.inner_text()
    return None


def test_units_from_2025_new_communes_both_names_and_crosswalk(fresh_page):
    page = fresh_page
    _map_frame(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Từ 01/07/2025").click()
    page.get_by_text("Xã / phường / đặc khu").wait_for()
    _settled(page)
    # Lai Châu: one of its new communes takes a share of a split old commune (approximate).
    sidebar.get_by_label("Tỉnh", exact=True).click()
    page.get_by_role("option", name="Tỉnh Lai Châu").click()
    page.get_by_text("Bản đồ phủ sóng: Tỉnh Lai Châu").wait_for()
    _settled(page)
    frame = _map_frame(page)
    legend = frame.locator(".coverage-legend").inner_text()
    assert "Ranh giới xã từ 01/07/2025" in legend
    assert "gần đúng" in legend and "nét đứt" in legend

    communes = frame.evaluate(
        """() => {
            const out = {exact: 0, approximate: [], districts: 0};
            window.map.eachLayer(l => {
                const p = l.feature && l.feature.properties;
                if (!p || p.gm === undefined || !l.getBounds) return;
                if (p.gm === "a") out.approximate.push([p.n, l.options.dashArray]);
                else out.exact += 1;
            });
            return out;
        }"""
    )
    assert communes["exact"] > 30
    assert communes["approximate"] and all(d == "6 4" for _, d in communes["approximate"])
    assert all("(mới)" in n for n, _ in communes["approximate"])

    points = frame.evaluate(
        """() => {
            const out = [];
            window.map.eachLayer(l => {
                const p = l.feature && l.feature.properties;
                if (p && p.g && p.c && l.getLatLng && out.length < 10) {
                    const q = window.map.latLngToContainerPoint(l.getLatLng());
                    out.push([q.x, q.y]);
                }
            });
            return out;
        }"""
    )
    shown = _hover_tooltip(page, frame, points)
    assert shown, "no tooltip appeared when hovering villages"
    assert re.search(r"Xã \(cũ → mới\): .+ \(cũ\) → .+ \(mới\)", shown), shown
    assert "Huyện:" not in shown

    main = page.locator("[data-testid='stMain']")
    assert "Đơn vị hành chính từ 01/07/2025" in main.inner_text()
    for label in ("Bảng chuyển đổi (xlsx)", "Bảng chuyển đổi (csv)"):
        main.get_by_role("button", name=label).wait_for()
    page.screenshot(path=str(_shots() / "app_2025.png"))


# ---------------------------------------------------------------------------------------------
# Assignments: click a village on the map, assign its operator, follow it to verified
# ---------------------------------------------------------------------------------------------

#: A total not-spot with its own coordinates, not in the plan's list, whose marker no other
#: marker touches (so that a click reaches it and nothing else), inside the visible map.
_FREE_NOT_SPOT_JS = """() => {
    const all = [], cands = [];
    window.map.eachLayer(l => {
        if (!l.getLatLng) return;
        const pt = window.map.latLngToContainerPoint(l.getLatLng());
        all.push(pt);
        const p = l.feature && l.feature.properties;
        if (p && p.g === "none" && p.i && p.p !== "c" && !p.a) cands.push([pt, p.n, p.i]);
    });
    const size = window.map.getSize(), out = [];
    for (const [pt, n, i] of cands) {
        if (pt.x < 30 || pt.y < 80 || pt.x > size.x - 30 || pt.y > size.y - 30) continue;
        const near = all.filter(q => q !== pt && Math.hypot(q.x - pt.x, q.y - pt.y) < 16);
        if (near.length <= 1) out.push([pt.x, pt.y, n, i]);
    }
    return out;
}"""

_RING_STATUS_JS = """(vid) => {
    let s = null;
    window.map.eachLayer(l => {
        const p = l.feature && l.feature.properties;
        if (p && p.st && p.i === vid) s = p.st;
    });
    return s;
}"""


def _metric(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def _percent(text: str) -> float:
    return float(text.replace("%", "").replace(".", "").replace(",", ".").strip())


def test_assign_an_operator_to_a_village_on_the_map(fresh_page, register_path):
    page = fresh_page
    start = time.monotonic()
    _map_frame(page)
    share_label = "Tỷ lệ thôn/bản được phủ sóng di động băng rộng"
    share_before = _percent(_metric(page, share_label))

    page.locator("[data-testid='stSidebarNav']").get_by_text("Phân công").click()
    page.get_by_text("Phân công: Tỉnh Điện Biên").wait_for()
    _settled(page)
    # No account exists: the single-user demo writes under its own name, with no name to type.
    assert page.locator("[data-testid='stSidebar']").get_by_label(
        re.compile("Người thực hiện")
    ).count() == 0
    total_before = int(_metric(page, "Tổng số phân công"))

    frame = _map_frame(page)
    candidates = frame.evaluate(_FREE_NOT_SPOT_JS)
    assert candidates, "no free-standing unserved village marker on the map"
    x, y, village, village_id = candidates[0]
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)

    # The panel shows the village, both its proposal and the form.
    page.get_by_role("heading", name=village).wait_for()
    panel = page.locator("[data-testid='stColumn']").filter(has_text="Thôn/bản đang chọn").last
    text = panel.inner_text()
    assert village_id in text
    assert "Vùng lõm sóng" in text
    proposal = re.search(r"Đề xuất của công cụ: (\w+): trạm gần nhất (\d+,\d) km", text)
    assert proposal, text
    assert panel.get_by_label("Văn bản (số, ký hiệu)").input_value() == "4638/KH-UBND"
    decision_date = panel.get_by_role("group", name="Ngày văn bản").inner_text()
    assert re.sub(r"\s", "", decision_date) == "15/12/2020", decision_date
    _one_map(page)
    page.screenshot(path=str(_shots() / "assign_selected.png"))

    panel.get_by_role("button", name="Phân công", exact=True).click()
    page.get_by_text(f"Đã phân công {village} cho").wait_for()
    _settled(page)
    # The figures, the map and the list follow.
    assert int(_metric(page, "Tổng số phân công")) == total_before + 1
    assert int(_metric(page, "Còn nợ (chưa phát sóng)")) >= 1
    frame = _map_frame(page)
    assert frame.evaluate(_RING_STATUS_JS, village_id) == "assigned"
    # Data grids draw on a canvas; their accessible table holds the visible rows' text.
    grids = page.locator("[data-testid='stDataFrame'] table")
    listing = [g for g in grids.all_text_contents() if "Ngày trạng thái" in g]
    assert listing and village in listing[0] and "Đã phân công" in listing[0], listing
    page.screenshot(path=str(_shots() / "assign_done.png"), full_page=True)

    # Under construction → on air → verified, each dated today.
    for status in ("Đang xây dựng", "Đã phát sóng", "Đã nghiệm thu"):
        panel = page.locator("[data-testid='stColumn']").filter(has_text="Chuyển trạng thái").last
        panel.get_by_role("button", name="Cập nhật trạng thái").click()
        page.get_by_text(f"{village}: {status} từ").wait_for()
        _settled(page)
    assert int(_metric(page, "Đã nghiệm thu")) >= 1

    # The main map: the ring says verified, and the village now counts as served.
    page.locator("[data-testid='stSidebarNav']").get_by_text("Bản đồ").click()
    page.get_by_text("Bản đồ phủ sóng: Tỉnh Điện Biên").wait_for()
    _settled(page)
    frame = _map_frame(page)
    assert frame.evaluate(_RING_STATUS_JS, village_id) is None  # ids only on the assignments map
    statuses = frame.evaluate(
        """() => { const s = new Set(); window.map.eachLayer(l => {
            const p = l.feature && l.feature.properties; if (p && p.st) s.add(p.st); });
            return [...s]; }"""
    )
    assert "verified" in statuses
    assert "Phân công (sổ phân công)" in frame.locator(".coverage-legend").inner_text()
    share_after = _percent(_metric(page, share_label))
    assert share_after > share_before
    assert (
        "Trong đó 1 thôn/bản được tính chỉ nhờ đã nghiệm thu"
        in page.locator("[data-testid='stMain']").inner_text()
    )
    page.screenshot(path=str(_shots() / "assign_verified_map.png"))

    from geo import assignments as asg
    from geo import auth

    conn = asg.connect(register_path)
    try:
        row = asg.get(conn, village_id)
        assert (row["status"], row["updated_by"], row["operator"]) == (
            "verified",
            auth.DEMO_NAME,
            proposal.group(1),
        )
        assert row["decision"] == "4638/KH-UBND" and row["decision_date"] == "2020-12-15"
    finally:
        conn.close()
    assert time.monotonic() - start < 90
