"""Time the app's map in Chromium on Điện Biên: first load, province switch, map option change.

Run from the repository root (needs the data folder, the synthetic layers, Debian's
``/usr/bin/chromium`` and Playwright; every request outside localhost is blocked, as in the
browser tests)::

    python benchmarks/bench_browser.py
    python benchmarks/bench_browser.py --runs 5 --cold 3

It starts ``streamlit run app.py`` on a free port (``tests/browser_support.py``) and measures,
each from the user's action until the map has drawn in the ``st_folium`` iframe (Leaflet's
``window.map`` holds the new layers, its canvas is painted and the legend is there):

* **first load, cold**: a new server (empty caches), a new browser context opening the page
  (``--cold`` servers);
* **first load, warm**: a new browser context on a running server (``--runs``);
* **province switch**: Điện Biên → Lai Châu → Điện Biên in the sidebar (``--runs`` each way;
  the first switch to each province builds its model, later ones find it cached);
* **year change**: the sidebar's year, all years ↔ 2020 (the data change: sites on air);
* **map option change**: a filter of the map (the gap class "none" only, and back) when the
  page has one.

"Drawn" is a signature of the map (its centre, the number of vector layers, site markers and
village colours) that differs from the one before the action, with the canvas painted. Each
figure is the median of its runs (time.perf_counter), every run is printed too. Nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_support import (
    MAP_FRAME,
    launch_chromium,
    new_page,
    require_browser_setup,
    streamlit_server,
)

#: The map's signature, evaluated in the st_folium iframe; null until Leaflet has drawn.
SIGNATURE_JS = """() => {
    if (!window.map || !window.L || !document.querySelector(".coverage-legend")) return null;
    let vectors = 0, markers = 0;
    const colours = {};
    window.map.eachLayer(l => {
        if (l instanceof L.Path) {
            vectors++;
            if (l instanceof L.CircleMarker) {
                const c = l.options.fillColor || "";
                colours[c] = (colours[c] || 0) + 1;
            }
        } else if (l instanceof L.Marker) markers++;
    });
    let painted = 0;
    for (const c of document.querySelectorAll(".leaflet-overlay-pane canvas")) {
        if (!c.width || !c.height) continue;
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length && painted < 50; i += 400) if (d[i] > 0) painted++;
    }
    if (painted < 50 || vectors === 0) return null;
    const ctr = window.map.getCenter();
    return JSON.stringify([ctr.lat.toFixed(3), ctr.lng.toFixed(3), vectors, markers, colours]);
}"""


#: The sidebar's year picker; the map page's filters (geo/messages/map.py, gap_none).
YEAR_LABEL = "Năm (trạm phát sóng đến 31/12)"
FILTERS_LABEL = "Lọc bản đồ và bảng"
GAP_LABEL = "Nhóm phủ sóng"
GAP_NONE = "Vùng lõm sóng (không nhà mạng nào)"


class _Factory:
    """What ``streamlit_server`` needs of pytest's ``tmp_path_factory``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=name, dir=self.root))


def signature(page) -> str | None:
    """The drawn map's signature, None while no single map has drawn."""
    try:
        frames = page.locator(MAP_FRAME)
        if frames.count() != 1:
            return None
        handle = frames.element_handle(timeout=1000)
        frame = handle.content_frame() if handle else None
        return frame.evaluate(SIGNATURE_JS) if frame is not None else None
    except Exception:  # the iframe is replaced while we look (a second one for a moment)
        return None


def until_drawn(page, before: str | None, t0: float, timeout: float = 60.0) -> float:
    """Seconds from ``t0`` until the map's signature is not ``before`` and is not null."""
    while True:
        sig = signature(page)
        if sig is not None and sig != before:
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"the map did not change within {timeout:g} s (still {before})")
        page.wait_for_timeout(25)


def settle(page, quiet_ms: int = 800) -> str:
    """Wait until the rerun is over (no stale element, the same signature for ``quiet_ms``)."""
    last, since = None, time.perf_counter()
    while True:
        sig = signature(page)
        stale = page.locator("[data-stale='true']").count()
        if sig is None or sig != last or stale:
            last, since = sig, time.perf_counter()
        elif time.perf_counter() - since >= quiet_ms / 1000:
            return sig
        page.wait_for_timeout(50)


def first_load(browser, url: str) -> float:
    context, page = None, None
    t0 = time.perf_counter()
    context, page = new_page(browser, url, strict=True)
    took = until_drawn(page, None, t0)
    context.close()
    return took


def pick(page, label: str, option: str) -> None:
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def timed(page, action) -> float:
    before = settle(page)
    t0 = time.perf_counter()
    action(page)
    took = until_drawn(page, before, t0)
    settle(page)
    return took


def _report(name: str, runs: list[float]) -> None:
    if not runs:
        print(f"{name:<28} (not measured)")
        return
    shown = ", ".join(f"{r:.2f}" for r in runs)
    print(f"{name:<28} median {statistics.median(runs):.2f} s   runs: {shown}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each warm measure")
    ap.add_argument("--cold", type=int, default=2, help="servers started for the cold load")
    ap.add_argument("--json", type=Path, help="also write the runs to this file")
    args = ap.parse_args(argv)
    require_browser_setup()
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {
        "first load (cold server)": [],
        "first load (warm)": [],
        "province switch": [],
        "year change": [],
        "map option change": [],
    }
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        factory = _Factory(Path(tmp))
        env = {"COVERAGE_ASSIGNMENTS_DB": str(Path(tmp) / "register.sqlite")}
        browser = launch_chromium(p)
        for i in range(max(args.cold, 1)):
            with streamlit_server(factory, env) as url:
                results["first load (cold server)"].append(first_load(browser, url))
                if i < max(args.cold, 1) - 1:
                    continue
                for _ in range(args.runs):
                    results["first load (warm)"].append(first_load(browser, url))
                context, page = new_page(browser, url, strict=True)
                until_drawn(page, None, time.perf_counter())
                for _ in range(args.runs):
                    for name in ("Tỉnh Lai Châu", "Tỉnh Điện Biên"):
                        results["province switch"].append(
                            timed(page, lambda pg, n=name: pick(pg, "Tỉnh", n))
                        )
                for _ in range(args.runs):
                    for year in ("2020", "Tất cả"):
                        results["year change"].append(
                            timed(page, lambda pg, y=year: pick(pg, YEAR_LABEL, y))
                        )
                if page.get_by_text(FILTERS_LABEL, exact=True).count():
                    try:
                        for _ in range(args.runs):
                            for action in (_filter_none_only, _filter_all):
                                results["map option change"].append(timed(page, action))
                    except Exception as exc:  # keep the figures measured so far
                        print(f"map option change stopped: {exc}", file=sys.stderr)
                context.close()
        browser.close()
    for name, runs in results.items():
        _report(name, runs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def _gap_box(page):
    """The map filter's gap class multiselect (opening its expander first)."""
    box = page.get_by_label(GAP_LABEL, exact=True)
    if not box.is_visible():
        page.get_by_text(FILTERS_LABEL, exact=True).click()
    return box


def _open_gap_menu(page):
    """Open the gap class multiselect's menu (clicking again if the click closed it)."""
    page.keyboard.press("Escape")
    box = _gap_box(page)
    for _ in range(3):
        box.click()
        if page.get_by_role("listbox").count():
            return
        page.wait_for_timeout(200)


def _filter_none_only(page) -> None:
    """The map filter: villages of the gap class "none" only."""
    _open_gap_menu(page)
    page.get_by_role("option", name=GAP_NONE, exact=True).click()
    page.keyboard.press("Escape")


def _filter_all(page) -> None:
    """Clear the gap class filter (Backspace removes the chosen class)."""
    _open_gap_menu(page)
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")


if __name__ == "__main__":
    raise SystemExit(main())
