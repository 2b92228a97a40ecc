"""Shared helpers of the browser tests (``tests/test_app_browser.py``,
``tests/test_import_browser.py``, ``tests/test_offline_map.py``): chromium flags, the offline
routing, ``skip`` and a Streamlit server running ``app.py``.

Every request outside localhost is blocked (:class:`Offline`): the map must draw from the
vendored Leaflet files the app serves (``static/vendor/``). Maps not built by
:func:`layers.maps.build_map` (the import page's placement map) still name folium's CDN
addresses; unless a test asks for ``strict`` routing, those are answered locally (vendored files
from ``static/vendor/``, dropped ones empty) without reaching the network.
"""

from __future__ import annotations

import contextlib
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
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 60_000
LOCAL_HOSTS = ("127.0.0.1", "localhost")
VENDOR = ROOT / "static" / "vendor"


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
    """``skip`` unless chromium, Playwright, the data folder and the synthetic layers are all
    there; fail when the vendored Leaflet is missing."""
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
    if not (VENDOR / "leaflet-1.9.3" / "dist" / "leaflet.js").is_file():
        pytest.fail(f"the vendored Leaflet is missing from {VENDOR}")


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


class Offline:
    """Playwright route handler: localhost, ``data:``, ``blob:`` and ``file:`` pass; every other
    request is recorded in :attr:`outside` and aborted, except (unless ``strict``) folium's CDN
    addresses: those of vendored files (:data:`layers.maps.VENDORED`) are answered from
    ``static/vendor/``, those our maps drop (:data:`layers.maps.DROPPED`) with an empty file.
    """

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self.outside: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        host = re.match(r"https?://([^/:]+)", url)
        if host is None or host[1] in LOCAL_HOSTS:
            route.continue_()
            return
        self.outside.append(url)
        from layers.maps import DROPPED, VENDORED

        if not self.strict and url in VENDORED:
            path = VENDOR / VENDORED[url]
            ctype = "text/css" if path.suffix == ".css" else "text/javascript"
            route.fulfill(status=200, body=path.read_bytes(), headers={"content-type": ctype})
            return
        if not self.strict and url in DROPPED:
            # streamlit_folium stops loading a map's scripts at the first that fails.
            route.fulfill(status=200, body=b"", headers={"content-type": "text/plain"})
            return
        route.abort()

    def non_tiles(self) -> list[str]:
        """The outside requests that were not for base-map tiles."""
        return [u for u in self.outside if not re.search(r"/\d+/\d+/\d+\.png", u)]


def launch_chromium(playwright):
    """Debian's chromium, headless, through a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser, url: str, *, strict: bool = False):
    """A new context (1440×1900, Vietnamese, :class:`Offline` routing) and its page opened at
    ``url``; the context's routing is ``context.offline``."""
    context = browser.new_context(viewport={"width": 1440, "height": 1900}, locale="vi-VN")
    context.offline = Offline(strict=strict)
    context.route("**/*", context.offline)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(url)
    return context, pg
