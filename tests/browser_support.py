"""Shared helpers of the browser tests (``tests/test_app_browser.py``,
``tests/test_import_browser.py``): chromium flags, the offline CDN routing, ``skip`` and a
Streamlit server running ``app.py``.

Leaflet and its plugins come from CDNs (folium's defaults). Offline, the tests serve them from a
local copy when there is one: ``$COVERAGE_JS_CACHE`` or ``~/.cache/vn-coverage-js``, holding
npm packages unpacked as ``<name>@<version>/package/...`` (see ``tests/test_app_browser.py``).
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
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
JS_CACHE = Path(os.environ.get("COVERAGE_JS_CACHE", Path.home() / ".cache" / "vn-coverage-js"))
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 60_000
LEAFLET_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"


def local_asset(url: str) -> Path | None:
    """The cached copy of a CDN file, if any."""
    m = re.match(
        r"https://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/((?:@[^/]+/)?[^@/]+)@([^/]+)/(.*)", url
    )
    if m:
        p = JS_CACHE / f"{m[1]}@{m[2]}" / "package" / m[3]
        return p if p.is_file() else None
    m = re.match(
        r"https://cdnjs\.cloudflare\.com/ajax/libs/leaflet\.markercluster/([^/]+)/(.*)", url
    )
    if m:
        p = JS_CACHE / f"leaflet.markercluster@{m[1]}" / "package" / "dist" / m[2]
        return p if p.is_file() else None
    return None


@functools.lru_cache(maxsize=64)
def reachable(host: str, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def skip(reason: str) -> None:
    """Skip, or fail when CI requires the browser tests (``COVERAGE_REQUIRE_BROWSER=1``)."""
    if os.environ.get("COVERAGE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test required but cannot run: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_browser_setup() -> None:
    """``skip`` unless chromium, Playwright, the data folder, the synthetic layers and Leaflet
    (a local copy or the CDN) are all there."""
    if not Path(CHROMIUM).exists():
        skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip("playwright is not installed")
    from geo import demo, registry
    from geo.errors import CoverageError

    try:
        registry.path("communes_pre2025")
        registry.path("geonames_places")
    except CoverageError as exc:
        skip(f"data folder not available: {exc.message('en')}")
    if not (registry.REPO_ROOT / demo.SITES_FILE).exists():
        skip("synthetic layers missing: run python data/make_synthetic.py")
    if local_asset(LEAFLET_URL) is None and not reachable("cdn.jsdelivr.net"):
        skip(
            f"Leaflet cannot be loaded: cdn.jsdelivr.net is unreachable and {JS_CACHE} "
            "holds no copy (see tests/test_app_browser.py's docstring)"
        )


def wait_healthy(proc: subprocess.Popen, url: str, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with code {proc.returncode}:\n{log_path.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,
        ):
            if r.status == 200:
                return
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit did not start within {timeout:g} s:\n{log_path.read_text()}")
        time.sleep(0.3)


@contextlib.contextmanager
def streamlit_server(tmp_path_factory, extra_env: Mapping[str, str]) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port with ``extra_env``; yield its URL and stop
    the server afterwards."""
    port = free_port()
    env = os.environ | {
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        **extra_env,
    }
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(proc, url, log_path)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def route_offline(route):
    """Playwright route handler: CDN files from the local cache, tiles aborted, unreachable
    hosts answered empty, the rest passed through."""
    url = route.request.url
    local = local_asset(url)
    if local is not None:
        ctype = "text/css" if local.suffix == ".css" else "application/javascript"
        return route.fulfill(
            status=200,
            body=local.read_bytes(),
            headers={"content-type": ctype, "access-control-allow-origin": "*"},
        )
    host = re.match(r"https?://([^/:]+)", url)
    if host is None or host[1] in ("127.0.0.1", "localhost"):
        return route.continue_()
    if "tile" in host[1]:
        return route.abort()
    if reachable(host[1], timeout=1.0):
        return route.continue_()
    return route.fulfill(status=200, body=b"", headers={"access-control-allow-origin": "*"})


def launch_chromium(playwright):
    """Debian's chromium, headless, through a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser, url: str):
    """A new context (1440×1900, Vietnamese, offline routing) and its page opened at ``url``."""
    context = browser.new_context(viewport={"width": 1440, "height": 1900}, locale="vi-VN")
    context.route("**/*", route_offline)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(url)
    return context, pg
