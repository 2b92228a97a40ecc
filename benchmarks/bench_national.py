"""The national map: size, build time and first paint.

Run from the repository root::

    python benchmarks/bench_national.py            # 2025 and pre2025
    python benchmarks/bench_national.py 2025       # one unit system

For each unit system:

``outlines``
    :func:`geo.national.outlines` cold (reading the 11,163 GADM polygons, cleaning them into one
    coverage, simplifying once; a fresh cache folder) and warm (from the cache).
``figures``
    :func:`geo.national.province_figures` with no import store (the synthetic demo provinces
    get their model built).
``page``
    :func:`layers.national.national_html` (bytes and seconds), and the whole command
    ``python -m geo map --national --demo`` with the outlines cached.
``first paint``
    In headless Chromium (``/usr/bin/chromium``, Playwright), every outside request aborted:
    from navigation to the provinces and communes drawn on the canvas (``window.nationalLayers``
    set and the canvas painted).

Prints one line per measurement. Not a test: nothing is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from geo import national, workspace  # noqa: E402
from layers import national as national_layers  # noqa: E402

_PAINTED_JS = """() => {
    if (window.nationalLayers === undefined) return 0;
    let painted = 0;
    for (const c of document.querySelectorAll(".leaflet-overlay-pane canvas")) {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 64) if (d[i] > 0) painted++;
    }
    return painted;
}"""


def first_paint(path: Path) -> float:
    """Seconds from navigation to the layers painted, outside requests aborted."""
    from browser_support import Offline, launch_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            ctx.route("**/*", Offline(strict=True))
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_function(_PAINTED_JS, polling="raf", timeout=60_000)
            return time.perf_counter() - t0
        finally:
            browser.close()


def bench(units: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COVERAGE_CACHE_DIR"] = tmp
        t0 = time.perf_counter()
        outlines = national.outlines(units)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        national.outlines(units)
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        figures = national.province_figures(units, stores=workspace.Stores())
        figs = time.perf_counter() - t0
        t0 = time.perf_counter()
        page = national_layers.national_html(outlines, figures)
        html_s = time.perf_counter() - t0
        out = Path(tmp) / f"national_{units}.html"
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "geo",
                "map",
                "--national",
                "--units",
                units,
                "--demo",
                "--output",
                str(out),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env=os.environ.copy(),
        )
        command = time.perf_counter() - t0
        size = len(page.encode("utf-8"))
        print(
            f"{units}: {len(outlines.provinces)} provinces, {len(outlines.communes):,} units; "
            f"outlines cold {cold:.1f} s, warm {warm:.2f} s; figures {figs:.1f} s; "
            f"page {size / 1e6:.2f} MB in {html_s:.2f} s; "
            f"python -m geo map --national (outlines cached) {command:.1f} s"
        )
        print(f"{units}: first paint in Chromium (offline): {first_paint(out):.2f} s")


if __name__ == "__main__":
    for which in sys.argv[1:] or ["2025", "pre2025"]:
        bench(which)
