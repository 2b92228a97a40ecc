"""The map page's filter in Chromium: choosing a gap class narrows the villages Leaflet draws,
without replacing the map (the filter is applied in the drawn map: layers.maps.filtering).

Starts ``streamlit run app.py`` (``tests/browser_support.py``; every request outside localhost
is blocked) and drives Debian's chromium with Playwright; skipped, with the reason, when either
or the data folder is missing.
"""

from __future__ import annotations

import time

import pytest

from geo.i18n import t
from tests.browser_support import (
    MAP_FRAME,
    TIMEOUT_MS,
    launch_chromium,
    new_page,
    require_browser_setup,
    streamlit_server,
)

pytestmark = pytest.mark.browser

#: Classes of the villages on the map (features with a gap class ``g``), and a mark that
#: survives only as long as the iframe's document does.
COUNT_JS = """() => {
    if (!window.map || !window.L) return null;
    window.__sameMap = window.__sameMap || Math.random();
    const classes = {};
    window.map.eachLayer(l => {
        const p = l.feature && l.feature.properties;
        if (p && p.g && l.getLatLng) classes[p.g] = (classes[p.g] || 0) + 1;
    });
    return {classes, mark: window.__sameMap};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser_setup()
    register = tmp_path_factory.mktemp("register") / "assignments.sqlite"
    with streamlit_server(tmp_path_factory, {"COVERAGE_ASSIGNMENTS_DB": str(register)}) as url:
        yield url


def _counts(page) -> dict | None:
    handle = page.locator(MAP_FRAME).element_handle()
    frame = handle.content_frame() if handle else None
    return frame.evaluate(COUNT_JS) if frame else None


def _wait(page, test, what: str) -> dict:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if page.locator(MAP_FRAME).count() == 1:
            got = _counts(page)
            if got and test(got):
                return got
        page.wait_for_timeout(200)
    pytest.fail(f"the map did not show {what}: {_counts(page)}")


def test_a_gap_class_filter_narrows_the_drawn_villages(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        context, page = new_page(browser, server, strict=True)
        try:
            before = _wait(page, lambda c: sum(c["classes"].values()) > 100, "its villages")
            assert set(before["classes"]) >= {"none", "partial"}, before
            page.get_by_text(t("map.filters", "vi"), exact=True).click()
            page.get_by_label(t("map.filter_gap", "vi"), exact=True).click()
            page.get_by_role("option", name=t("gap_none", "vi"), exact=True).click()
            page.keyboard.press("Escape")
            after = _wait(page, lambda c: set(c["classes"]) == {"none"},
                          "only the total not-spots")
            # Every total not-spot is still drawn, nothing else, in the same map document.
            assert after["classes"]["none"] == before["classes"]["none"]
            assert after["mark"] == before["mark"], "the map was reloaded"
            page.get_by_text("Đang lọc", exact=False).first.wait_for()
        finally:
            context.close()
            browser.close()
