"""The map without Internet: vendored Leaflet, the standalone page inlined, a plain background
with a line saying the base map could not be loaded, and a local tile source.

The browser tests open the standalone page of Điện Biên in Debian's chromium with every request
outside the page aborted (:class:`tests.browser_support.Offline`, strict). The app's map is
tested the same way in ``tests/test_app_browser.py``. Screenshot: ``screenshots/offline.png``.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from pathlib import Path

import folium
import pytest
from folium.plugins import Fullscreen

from geo.errors import InputError
from layers import maps, tiles
from tests.browser_support import ROOT, TIMEOUT_MS, Offline, launch_chromium, require_browser_setup

#: A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def dien_bien_page(dienbien_model) -> str:
    return maps.standalone_html(dienbien_model, "vi")


# ---------------------------------------------------------------------------------------------
# The page names no outside script or style
# ---------------------------------------------------------------------------------------------


def test_standalone_page_loads_no_script_or_style_from_outside(dien_bien_page):
    page = dien_bien_page
    assert not re.search(r"<script[^>]*\bsrc=", page, flags=re.I)
    assert not re.search(r"<link[^>]*stylesheet", page, flags=re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page, flags=re.I)
    # The only outside address fetched is the tile template; others are links (<a href>) and
    # comments in the vendored code.
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    for lib in ("Leaflet 1.9.3", "L.Control.Search"):
        assert lib in page
    for dropped in ("jquery", "bootstrap", "fontawesome", "awesome-markers"):
        assert dropped not in page.lower()


def _has(page: str, text: str) -> bool:
    """``text`` is in ``page``, as HTML text or as a JSON string in a script."""
    return text in page or json.dumps(text)[1:-1] in page


def test_standalone_page_has_the_plain_background_and_the_tile_notice(dienbien_model,
                                                                      dien_bien_page):
    assert _has(dien_bien_page, "Nền trống")
    assert _has(dien_bien_page, maps.TILE_ERROR_TEXT["vi"])
    en = maps.standalone_html(dienbien_model, "en")
    assert _has(en, "Plain background") and _has(en, maps.TILE_ERROR_TEXT["en"])


def test_app_map_loads_vendored_files_through_streamlit_static_serving(dienbien_model):
    m = maps.build_map(dienbien_model)
    page = maps.map_html(m)
    srcs = re.findall(r'<script src="([^"]+)"', page)
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert srcs and hrefs
    for url in srcs + hrefs:
        assert url.startswith("../../app/static/vendor/"), url
        assert (ROOT / url.removeprefix("../../app/")).is_file(), url


def test_other_folium_maps_keep_folium_defaults(dienbien_model):
    maps.build_map(dienbien_model)
    assert any("cdn.jsdelivr.net/npm/leaflet@" in url for _, url in folium.Map.default_js)
    assert "jquery" in maps.map_html(folium.Map(tiles=None))


def test_a_plugin_that_is_not_vendored_is_refused():
    m = folium.Map(tiles=None)
    Fullscreen().add_to(m)
    with pytest.raises(ValueError, match="not vendored"):
        maps.use_vendored_assets(m)


def test_every_vendored_file_and_its_licence_is_in_static_vendor():
    vendor = ROOT / "static" / "vendor"
    for rel in maps.VENDORED.values():
        assert (vendor / rel).is_file(), rel
    for folder in {rel.split("/")[0] for rel in maps.VENDORED.values()}:
        assert any("licen" in p.name.lower() for p in (vendor / folder).iterdir()), folder


def test_inlined_code_cannot_close_its_element_and_css_images_become_data(tmp_path, monkeypatch):
    (tmp_path / "vendor" / "lib" / "images").mkdir(parents=True)
    (tmp_path / "vendor" / "lib" / "a.js").write_text(
        'var s = "</script><script>alert(1)</SCRIPT>"; // <!-- x\n//# sourceMappingURL=a.js.map\n'
    )
    (tmp_path / "vendor" / "lib" / "a.css").write_text(
        ".x {background: url(images/i.png)} .y {content: '</style>'}"
    )
    (tmp_path / "vendor" / "lib" / "images" / "i.png").write_bytes(PNG)
    monkeypatch.setattr(tiles, "static_dir", lambda: tmp_path)
    page = maps._inline_vendored(
        f'<head><script src="{maps._INLINE}lib/a.js"></script>'
        f'<link rel="stylesheet" href="{maps._INLINE}lib/a.css"/></head>'
    )
    assert page.lower().count("</script") == 1 and page.lower().count("</style") == 1
    assert "<!--" not in page and "sourceMappingURL" not in page
    assert "url(data:image/png;base64," in page


# ---------------------------------------------------------------------------------------------
# Local tiles
# ---------------------------------------------------------------------------------------------


def _mbtiles(path: Path, fmt: str | None = "png") -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    if fmt is not None:
        con.execute("INSERT INTO metadata VALUES ('format', ?)", (fmt,))
    con.execute("CREATE TABLE tiles (zoom_level INT, tile_column INT, tile_row INT, tile_data BLOB)")
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(0, 0, 0, PNG), (1, 1, 0, PNG), (2, 3, 1, PNG + b"2")])
    con.commit()
    con.close()
    return path


def test_mbtiles_rows_are_flipped_to_xyz_folders(tmp_path):
    out = tmp_path / "tiles"
    assert tiles.extract_mbtiles(_mbtiles(tmp_path / "t.mbtiles"), out) == 3
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png")) == [
        "0/0/0.png", "1/1/1.png", "2/3/2.png"]
    assert (out / "2" / "3" / "2.png").read_bytes() == PNG + b"2"


def test_vector_mbtiles_and_other_files_are_refused_by_name(tmp_path):
    with pytest.raises(InputError, match="pbf"):
        tiles.extract_mbtiles(_mbtiles(tmp_path / "v.mbtiles", "pbf"), tmp_path / "o")
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(InputError, match="junk.mbtiles"):
        tiles.extract_mbtiles(junk, tmp_path / "o")


def test_tile_url_for_the_app_only_under_static_and_for_the_page_as_file(tmp_path, monkeypatch):
    static = tmp_path / "static"
    inside = static / "tiles"
    tiles.extract_mbtiles(_mbtiles(tmp_path / "t.mbtiles"), inside)
    outside = tmp_path / "elsewhere"
    tiles.extract_mbtiles(tmp_path / "t.mbtiles", outside)
    monkeypatch.setattr(tiles, "static_dir", lambda: static)
    monkeypatch.delenv(tiles.TILES_ENV, raising=False)
    assert tiles.tile_url("app") == "../../app/static/tiles/{z}/{x}/{y}.png"
    assert tiles.tile_url("file") == inside.resolve().as_uri() + "/{z}/{x}/{y}.png"
    monkeypatch.setenv(tiles.TILES_ENV, str(outside))
    assert tiles.tile_url("app") is None
    assert tiles.tile_url("file").startswith("file://")
    monkeypatch.setenv(tiles.TILES_ENV, "http://localhost:8080/{z}/{x}/{y}.png")
    assert tiles.tile_url("app") == "http://localhost:8080/{z}/{x}/{y}.png"
    monkeypatch.setenv(tiles.TILES_ENV, str(tmp_path / "t.mbtiles"))
    with pytest.raises(InputError, match="python -m layers.tiles"):
        tiles.tile_url("app")


def test_no_local_tiles_no_local_layer(tmp_path, monkeypatch):
    monkeypatch.setattr(tiles, "static_dir", lambda: tmp_path)
    monkeypatch.delenv(tiles.TILES_ENV, raising=False)
    assert tiles.tile_url("app") is None
    assert tiles.tile_url("file") is None


# ---------------------------------------------------------------------------------------------
# In chromium, every outside request aborted
# ---------------------------------------------------------------------------------------------

_DRAWN_JS = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let painted = 0;
    for (const c of document.querySelectorAll(".leaflet-overlay-pane canvas")) {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 16) if (d[i] > 0) painted++;
    }
    let vectors = 0;
    map.eachLayer(l => { if (l instanceof L.Path) vectors++; });
    return {painted, vectors,
            markers: document.querySelectorAll(".leaflet-marker-pane .site-marker").length,
            tiles: document.querySelectorAll(".leaflet-tile-loaded").length};
}"""


@contextlib.contextmanager
def _open_offline(page_html: str, path: Path):
    """Open ``page_html`` (written to ``path``) in chromium, outside requests aborted; yield
    (page, routing, page errors)."""
    from playwright.sync_api import sync_playwright

    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
            offline = Offline(strict=True)
            context.route("**/*", offline)
            pg = context.new_page()
            pg.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(path.as_uri())
            yield pg, offline, errors
        finally:
            browser.close()


@pytest.mark.browser
def test_standalone_dien_bien_draws_in_chromium_with_outside_requests_aborted(dien_bien_page,
                                                                             tmp_path):
    require_browser_setup()
    with _open_offline(dien_bien_page, tmp_path / "dien_bien.html") as (pg, offline, errors):
        notice = pg.locator(".coverage-tile-notice")
        notice.wait_for(state="visible")
        assert notice.inner_text() == maps.TILE_ERROR_TEXT["vi"]
        drawn = pg.evaluate(_DRAWN_JS)
        assert drawn["vectors"] > 500 and drawn["painted"] > 1000, drawn
        assert drawn["markers"] > 0, drawn
        assert pg.locator(".coverage-legend").is_visible()
        assert pg.locator(".leaflet-control-layers").get_by_text("Nền trống").count() == 1
        assert errors == []
        assert offline.outside, "the page did not even try the OpenStreetMap tiles"
        assert offline.non_tiles() == [], offline.non_tiles()
        shots = ROOT / "screenshots"
        shots.mkdir(exist_ok=True)
        pg.screenshot(path=str(shots / "offline.png"))


@pytest.mark.browser
def test_standalone_page_shows_local_tiles_without_the_notice(dienbien_model, tmp_path,
                                                             monkeypatch):
    require_browser_setup()
    folder = tmp_path / "tiles"
    for z in range(6, 12):  # every tile of Điện Biên's view at these zooms: a 1×1 PNG
        n = 1 << z
        x0, x1 = int((102.1 + 180) / 360 * n), int((103.6 + 180) / 360 * n)
        y0, y1 = _lat_to_y(22.6, z), _lat_to_y(20.8, z)
        for x in range(x0 - 1, x1 + 2):
            (folder / str(z) / str(x)).mkdir(parents=True)
            for y in range(y0 - 1, y1 + 2):
                (folder / str(z) / str(x) / f"{y}.png").write_bytes(PNG)
    monkeypatch.setenv(tiles.TILES_ENV, str(folder))
    page = maps.standalone_html(dienbien_model, "vi")
    assert folder.resolve().as_uri() in page
    with _open_offline(page, tmp_path / "local.html") as (pg, offline, errors):
        pg.locator(".leaflet-tile-loaded").first.wait_for(state="attached")
        pg.wait_for_timeout(500)
        assert pg.evaluate(_DRAWN_JS)["tiles"] > 0
        assert pg.locator(".coverage-tile-notice").count() == 0
        assert offline.outside == [] and errors == []


def _lat_to_y(lat: float, z: int) -> int:
    import math

    r = math.radians(lat)
    return int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * (1 << z))
