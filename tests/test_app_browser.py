"""The Streamlit app in a real browser: map, legend, synthetic banner, tooltip, English.

Starts ``streamlit run app.py`` on a free port and drives Debian's chromium
(``/usr/bin/chromium``) with Playwright. Skipped, with the reason, when chromium, the data folder
or the synthetic layers are missing, or when Leaflet cannot be loaded.

Leaflet and its plugins come from CDNs (folium's defaults). Offline, the test serves them from a
local copy when there is one: ``$COVERAGE_JS_CACHE`` or ``~/.cache/vn-coverage-js``, holding
npm packages unpacked as ``<name>@<version>/package/...``, e.g.::

    mkdir -p ~/.cache/vn-coverage-js && cd ~/.cache/vn-coverage-js
    for p in leaflet@1.9.3 leaflet-search@2.9.7 leaflet.markercluster@1.1.0 \\
             leaflet.featuregroup.subgroup@1.0.2; do
        mkdir -p $p && tar -xzf "$(npm pack $p)" -C $p; done

Other CDN files (bootstrap, fonts) are answered empty when they are not reachable; map tiles
are not fetched. The screenshot goes to ``screenshots/app.png`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
JS_CACHE = Path(os.environ.get("COVERAGE_JS_CACHE", Path.home() / ".cache" / "vn-coverage-js"))
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 60_000


def _local_asset(url: str) -> Path | None:
    """The cached copy of a CDN file, if any."""
    m = re.match(r"https://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/((?:@[^/]+/)?[^@/]+)@([^/]+)/(.*)",
                 url)
    if m:
        p = JS_CACHE / f"{m[1]}@{m[2]}" / "package" / m[3]
        return p if p.is_file() else None
    m = re.match(r"https://cdnjs\.cloudflare\.com/ajax/libs/leaflet\.markercluster/([^/]+)/(.*)",
                 url)
    if m:
        p = JS_CACHE / f"leaflet.markercluster@{m[1]}" / "package" / "dist" / m[2]
        return p if p.is_file() else None
    return None


@functools.lru_cache(maxsize=64)
def _reachable(host: str, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _skip(reason: str) -> None:
    """Skip, or fail when CI requires the browser tests (``COVERAGE_REQUIRE_BROWSER=1``)."""
    if os.environ.get("COVERAGE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test required but cannot run: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Streamlit server running app.py; stopped when the module's tests are done."""
    if not Path(CHROMIUM).exists():
        _skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip("playwright is not installed")
    from geo import demo, registry
    from geo.errors import CoverageError

    try:
        registry.path("communes_pre2025")
        registry.path("geonames_places")
    except CoverageError as exc:
        _skip(f"data folder not available: {exc.message('en')}")
    if not (registry.REPO_ROOT / demo.SITES_FILE).exists():
        _skip("synthetic layers missing: run python data/make_synthetic.py")
    leaflet_local = _local_asset("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    if leaflet_local is None and not _reachable("cdn.jsdelivr.net"):
        _skip(f"Leaflet cannot be loaded: cdn.jsdelivr.net is unreachable and {JS_CACHE} "
                    "holds no copy (see this module's docstring)")

    port = _free_port()
    env = os.environ | {
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(proc, url, log_path)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _wait_healthy(proc: subprocess.Popen, url: str, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with code {proc.returncode}:\n{log_path.read_text()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(
            f"{url}/_stcore/health", timeout=2
        ) as r:
            if r.status == 200:
                return
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit did not start within {timeout:g} s:\n{log_path.read_text()}")
        time.sleep(0.3)


def _route(route):
    url = route.request.url
    local = _local_asset(url)
    if local is not None:
        ctype = "text/css" if local.suffix == ".css" else "application/javascript"
        return route.fulfill(status=200, body=local.read_bytes(),
                             headers={"content-type": ctype, "access-control-allow-origin": "*"})
    host = re.match(r"https?://([^/:]+)", url)
    if host is None or host[1] in ("127.0.0.1", "localhost"):
        return route.continue_()
    if "tile" in host[1]:
        return route.abort()
    if _reachable(host[1], timeout=1.0):
        return route.continue_()
    return route.fulfill(status=200, body=b"", headers={"access-control-allow-origin": "*"})


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1900}, locale="vi-VN")
        context.route("**/*", _route)
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        pg.goto(server)
        yield pg
        context.close()
        browser.close()


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


def _map_frame(page):
    _one_map(page)
    page.frame_locator(MAP_FRAME).locator(".coverage-legend").wait_for()
    return page.locator(MAP_FRAME).element_handle().content_frame()


def test_map_legend_banner_and_village_tooltip(page):
    from geo import demo

    frame = _map_frame(page)
    legend = frame.locator(".coverage-legend").inner_text()
    assert "Chú giải" in legend
    assert "Vùng lõm sóng (không nhà mạng nào) (tổng hợp)" in legend
    assert "Phủ sóng một phần nhà mạng (tổng hợp)" in legend
    assert "VNPT (Vinaphone)" in legend

    banner = page.locator("[data-testid='stAlert']").first.inner_text()
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
    radius = page.get_by_label("Bán kính 3G (km)")
    radius.fill("5.0")
    radius.press("Enter")
    page.wait_for_timeout(500)
    page.locator("[data-testid='stSidebar']").get_by_text("English").click()
    page.get_by_text("Coverage map:").first.wait_for()
    page.get_by_text("Downloads", exact=True).wait_for()
    _one_map(page)
    frame_legend = page.frame_locator(MAP_FRAME).locator(".coverage-legend")
    frame_legend.get_by_text("Legend").wait_for()
    legend = frame_legend.inner_text()
    assert "Total not-spot (synthetic)" in legend
    assert "(tổng hợp)" not in legend
    banner = page.locator("[data-testid='stAlert']").first.inner_text()
    assert demo.LABEL_EN in banner
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
