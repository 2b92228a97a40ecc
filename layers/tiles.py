"""Where the map's own files are, and a base map without Internet.

The map draws with the vendored Leaflet files in ``static/vendor/`` (:func:`static_dir`; see
``static/vendor/README.md``). Its default base map is OpenStreetMap's tile server, which needs
Internet; without it the boundaries, villages and sites still draw on a plain background and a
line on the map says the base map could not be loaded (:func:`layers.maps.build_map`).

A local base map (:func:`tile_url`): ``$COVERAGE_TILES`` names

* a folder of raster tiles laid out ``{z}/{x}/{y}.png`` (XYZ, as OpenStreetMap; ``.jpg`` and
  ``.webp`` too), or
* a URL template such as ``http://localhost:8080/{z}/{x}/{y}.png`` (a local tile server).

Without ``$COVERAGE_TILES``, ``static/tiles/`` beside ``app.py`` is used when it holds tiles. An
``.mbtiles`` file is extracted to a folder first (:func:`extract_mbtiles`)::

    python -m layers.tiles vung_dien_bien.mbtiles            # into static/tiles/
    python -m layers.tiles vung_dien_bien.mbtiles /srv/tiles

The app's map can show only what Streamlit serves, the ``static/`` folder beside ``app.py``
(``server.enableStaticServing``): put the tiles in ``static/tiles/`` (or serve them and give a
URL template); a folder elsewhere is shown in the standalone HTML only (as a ``file://`` address,
for a page opened on the same computer). ``.pmtiles`` files are not read.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from importlib import resources
from pathlib import Path

from geo import paths
from geo.errors import InputError

log = logging.getLogger(__name__)

__all__ = ["APP_STATIC_URL", "TILES_ENV", "extract_mbtiles", "static_dir", "tile_url"]

#: The environment variable naming a local tile source.
TILES_ENV = "COVERAGE_TILES"

#: ``static/`` as the app's map sees it: the map is drawn in streamlit_folium's component frame
#: (``<base>/component/streamlit_folium.st_folium/index.html``) and Streamlit serves
#: ``static/`` at ``<base>/app/static/``; a relative address keeps ``server.baseUrlPath``.
APP_STATIC_URL = "../../app/static/"

_TILE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
_MBTILES_FORMATS = {"png": ".png", "jpg": ".jpg", "jpeg": ".jpg", "webp": ".webp"}


def static_dir() -> Path:
    """The folder of the map's static files: ``static/`` of a checkout (beside ``app.py``),
    else ``geo/_data/static`` of the installed package (``pyproject.toml`` maps it there)."""
    root = paths.repo_root()
    if root is not None:
        return root / "static"
    return Path(str(resources.files("geo") / "_data" / "static"))


def _tile_suffix(folder: Path) -> str | None:
    """The suffix of the first tile under ``folder/{z}/{x}/``; None when it holds none."""
    for z in sorted(p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()):
        for x in (p for p in z.iterdir() if p.is_dir()):
            for tile in x.iterdir():
                if tile.suffix.lower() in _TILE_SUFFIXES:
                    return tile.suffix
    return None


def tile_url(target: str, source: str | None = None) -> str | None:
    """The URL template of the local tile source, as ``target`` reaches it; None when none.

    Parameters
    ----------
    target
        ``"app"``: the app's map (only ``static/`` is served: relative to
        :data:`APP_STATIC_URL`); ``"file"``: the standalone HTML (``file://`` addresses).
    source
        A folder of ``{z}/{x}/{y}`` tiles or a URL template; default ``$COVERAGE_TILES``, else
        ``static/tiles/`` when it holds tiles.

    Returns
    -------
    str or None
        A Leaflet tile URL template (``.../{z}/{x}/{y}.png``), or None: no source, a folder
        without tiles, or (for the app) a folder outside ``static/`` (logged).

    Raises
    ------
    geo.errors.InputError
        ``source`` is an ``.mbtiles``/``.pmtiles`` file or a path that does not exist.
    """
    if target not in ("app", "file"):
        raise ValueError(f"target must be 'app' or 'file', not {target!r}")
    source = source or os.environ.get(TILES_ENV) or None
    if source is not None and "{z}" in source:
        return source
    folder = Path(source) if source is not None else static_dir() / "tiles"
    if source is not None and folder.suffix.lower() in (".mbtiles", ".pmtiles"):
        raise InputError(
            f"{folder} is a tile file: extract an .mbtiles file to a folder with "
            "`python -m layers.tiles FILE.mbtiles` (.pmtiles files are not read).",
            f"{folder} là tệp ô bản đồ: hãy giải nén tệp .mbtiles ra thư mục bằng "
            "`python -m layers.tiles TỆP.mbtiles` (không đọc được tệp .pmtiles).",
            file=str(folder),
        )
    if not folder.is_dir():
        if source is None:
            return None
        raise InputError(
            f"The tile folder {folder} (${TILES_ENV}) does not exist.",
            f"Không có thư mục ô bản đồ {folder} (${TILES_ENV}).",
            file=str(folder),
        )
    suffix = _tile_suffix(folder)
    if suffix is None:
        log.warning("no {z}/{x}/{y} tiles in %s: no local base map", folder)
        return None
    folder = folder.resolve()
    if target == "file":
        return folder.as_uri() + "/{z}/{x}/{y}" + suffix
    static = static_dir().resolve()
    if not folder.is_relative_to(static):
        log.warning("the app serves only %s: tiles in %s are not shown in the app", static, folder)
        return None
    return APP_STATIC_URL + folder.relative_to(static).as_posix() + "/{z}/{x}/{y}" + suffix


def extract_mbtiles(mbtiles: str | os.PathLike, folder: str | os.PathLike) -> int:
    """Write the raster tiles of an ``.mbtiles`` file as ``folder/{z}/{x}/{y}.<format>``.

    MBTiles stores rows in the TMS scheme (``y`` counted from the south); Leaflet asks for XYZ
    tiles, so ``y = 2**z - 1 - tile_row``.

    Parameters
    ----------
    mbtiles
        The ``.mbtiles`` file (SQLite, table ``tiles``; ``metadata.format`` png, jpg or webp;
        png when not given). Opened read-only.
    folder
        Where to write the tiles (created; existing tiles are overwritten).

    Returns
    -------
    int
        The number of tiles written.

    Raises
    ------
    geo.errors.InputError
        The file is missing, is not an MBTiles database, or holds vector tiles (``pbf``).
    """
    src, out = Path(mbtiles), Path(folder)
    if not src.is_file():
        raise InputError(f"{src} does not exist.", f"Không có tệp {src}.", file=str(src))
    try:
        con = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"{src} cannot be opened: {exc}.", f"Không mở được {src}: {exc}.",
                         file=str(src)) from exc
    n = 0
    try:
        try:
            meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
        except sqlite3.DatabaseError:
            meta = {}
        fmt = str(meta.get("format", "png")).lower()
        if fmt not in _MBTILES_FORMATS:
            raise InputError(
                f"{src} holds {fmt} tiles; only raster tiles (png, jpg, webp) can be shown.",
                f"{src} chứa ô {fmt}; chỉ hiển thị được ô ảnh (png, jpg, webp).",
                file=str(src),
            )
        suffix = _MBTILES_FORMATS[fmt]
        rows = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
        for z, x, row, data in rows:
            z, x, row = int(z), int(x), int(row)
            y = (1 << z) - 1 - row
            tile = out / str(z) / str(x) / f"{y}{suffix}"
            tile.parent.mkdir(parents=True, exist_ok=True)
            tile.write_bytes(bytes(data))
            n += 1
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{src} is not an MBTiles file: {exc}.",
                         f"{src} không phải tệp MBTiles: {exc}.", file=str(src)) from exc
    finally:
        con.close()
    return n


def main(argv: list[str] | None = None) -> int:
    """``python -m layers.tiles FILE.mbtiles [FOLDER]``: extract to FOLDER (``static/tiles``)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python -m layers.tiles FILE.mbtiles [FOLDER]", file=sys.stderr)
        return 2
    folder = Path(args[1]) if len(args) == 2 else static_dir() / "tiles"
    try:
        n = extract_mbtiles(args[0], folder)
    except InputError as exc:
        print(exc.message("vi"), file=sys.stderr)
        print(exc.message("en"), file=sys.stderr)
        return 1
    print(f"Đã ghi {n} ô vào {folder} / wrote {n} tiles to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
