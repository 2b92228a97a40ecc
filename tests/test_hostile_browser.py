"""Hostile village names on the app's map, in a real browser: shown as text, never run.

A village register whose names are Jinja2 code, HTML/script and formulas is imported and
committed with ``python -m geo import villages … --commit`` into a temporary import store
(``$COVERAGE_IMPORTS_DB``); the app (``streamlit run app.py``) then draws the Điện Biên map.
In Chromium the tooltips Leaflet holds are read back as the browser renders them
(``innerHTML`` → ``textContent``): each name must be there exactly, ``{{ 7*7 }}`` must not have
become 49, and no script may have opened a dialog. Helpers are in ``tests/browser_support.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest

from tests.browser_support import (
    MAP_FRAME,
    ROOT,
    launch_chromium,
    new_page,
    require_browser_setup,
    streamlit_server,
)
from tests.test_hostile_names import HOSTILE

pytestmark = pytest.mark.browser

SHOWN = [HOSTILE[k] for k in ("jinja_expr", "jinja_pid", "jinja_quotes", "jinja_raw", "script",
                              "img", "js_template", "hyperlink", "quotes")]

#: Every tooltip of the map as the browser shows it (HTML parsed, then its text).
TOOLTIP_TEXTS_JS = """() => {
    const out = [];
    for (const key of Object.keys(window)) {
        const m = window[key];
        if (!(key.startsWith("map_") && m && typeof m.eachLayer === "function")) continue;
        m.eachLayer(function (layer) {
            const tip = layer.getTooltip && layer.getTooltip();
            if (!tip) return;
            const div = document.createElement("div");
            div.innerHTML = tip.getContent();
            out.push(div.textContent);
        });
    }
    return out;
}"""


@pytest.fixture(scope="module")
def store_path(dienbien, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile_store")
    reg = dienbien.villages
    pts = reg[reg["location_precision"] == "point"].head(len(SHOWN))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã thôn", "Tên thôn/bản", "Xã/Phường/Thị trấn", "Huyện", "Kinh độ", "Vĩ độ"])
    for i, (r, name) in enumerate(zip(pts.itertuples(), SHOWN, strict=True)):
        ws.append([f"T{i:04d}", name, r.commune, r.district, round(r.geometry.x, 6),
                   round(r.geometry.y, 6)])
        ws.cell(row=i + 2, column=2).data_type = "s"
    src = tmp / "danh_muc_thon.xlsx"
    wb.save(src)
    store = tmp / "imports.sqlite"
    out = subprocess.run(
        [sys.executable, "-m", "geo", "import", "villages", str(src), "--province", "11",
         "--output", str(tmp / "villages.geojson"), "--commit", "--store", str(store)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return store


@pytest.fixture(scope="module")
def server(tmp_path_factory, store_path):
    require_browser_setup()
    env = {
        "COVERAGE_IMPORTS_DB": str(store_path),
        "COVERAGE_ASSIGNMENTS_DB": str(store_path.parent / "assignments.sqlite"),
    }
    with streamlit_server(tmp_path_factory, env) as url:
        yield url


def test_hostile_names_are_shown_as_text_on_the_app_map(server):
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            context, page = new_page(browser, server)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.locator("[data-testid='stSidebarNav']").get_by_text("Bản đồ").wait_for()
            page.locator(MAP_FRAME).first.wait_for()
            page.frame_locator(MAP_FRAME).first.locator(".leaflet-interactive").first.wait_for()
            frame = page.locator(MAP_FRAME).first.element_handle().content_frame()
            texts = frame.evaluate(TOOLTIP_TEXTS_JS)
            source = frame.content()
            context.close()
        finally:
            browser.close()
    assert texts, "no tooltip found on the map"
    joined = "\n".join(texts)
    for name in SHOWN:
        assert name in joined, name
    assert "Bản Nà Hỳ 49" not in joined
    assert f"Bản Y {os.getpid()}" not in joined  # the literal name above is the real check
    assert "<script>alert" not in source and "<img src=x" not in source
    assert dialogs == []
