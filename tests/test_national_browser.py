"""The national page draws in Chromium with every outside request aborted, and a click on a
province opens its popup (data origin and figures)."""

from __future__ import annotations

import pytest
from browser_support import TIMEOUT_MS, Offline, launch_chromium, require_browser_setup

from geo import national, workspace
from geo.vocab import UnitSystem
from layers import national as national_layers

_PAINTED_JS = """() => {
    let painted = 0;
    for (const c of document.querySelectorAll(".leaflet-overlay-pane canvas")) {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 16) if (d[i] > 0) painted++;
    }
    const n = window.nationalLayers;
    return {painted, provinces: n.provinces.getLayers().length,
            units: n.units.getLayers().length};
}"""

_CLICK_JS = """(name) => {
    const layers = window.nationalLayers.provinces.getLayers();
    const hit = layers.find(l => l.getTooltip().getContent() === name);
    hit.fire("click", {latlng: hit.getBounds().getCenter()});
    return true;
}"""


@pytest.mark.browser
def test_national_page_draws_offline_and_a_click_opens_the_province(
    tmp_path, monkeypatch, real_data
):
    require_browser_setup()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("COVERAGE_CACHE_DIR", str(tmp_path / "cache"))
    outlines = national.outlines(UnitSystem.U2025)
    figures = national.province_figures(UnitSystem.U2025, stores=workspace.Stores())
    path = tmp_path / "vn.html"
    path.write_text(national_layers.national_html(outlines, figures), encoding="utf-8")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            ctx = browser.new_context(viewport={"width": 1200, "height": 900})
            offline = Offline(strict=True)
            ctx.route("**/*", offline)
            pg = ctx.new_page()
            pg.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(path.as_uri())
            pg.wait_for_function("() => window.nationalLayers !== undefined")
            drawn = pg.evaluate(_PAINTED_JS)
            assert drawn["provinces"] == 34
            assert drawn["units"] > 3250  # the 3,321 less those without a polygon
            assert drawn["painted"] > 10_000, drawn
            pg.evaluate(_CLICK_JS, "Tỉnh Điện Biên")
            popup = pg.locator(".leaflet-popup-content")
            popup.wait_for(state="visible")
            text = popup.inner_text()
            assert "Tỉnh Điện Biên" in text and "mô phỏng" in text
            assert "python -m geo map --province 11" in text
            pg.evaluate(_CLICK_JS, "Thành phố Hà Nội")
            pg.wait_for_function(
                "() => document.querySelector('.leaflet-popup-content').innerText"
                ".includes('Chưa có dữ liệu')"
            )
            assert errors == []
            assert offline.outside == []  # no tiles either: the page asks nothing outside
        finally:
            browser.close()
