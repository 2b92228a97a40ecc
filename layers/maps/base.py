"""The page under the layers: vendored Leaflet (no CDN), base maps, the tile notice,
scale, attribution and markup inserted as template variables."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

import folium
from folium.template import Template

from layers import tiles
from layers.maps.common import _e

# ---------------------------------------------------------------------------------------------
# Vendored libraries and the base map (the map draws without Internet)
# ---------------------------------------------------------------------------------------------

#: Each CDN address folium (0.20) names for what this map uses → its vendored copy under
#: ``static/vendor/`` (see ``static/vendor/README.md``).
VENDORED: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet-1.9.3/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css":
        "leaflet-1.9.3/dist/leaflet.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "leaflet.markercluster-1.1.0/dist/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "leaflet.markercluster-1.1.0/dist/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "leaflet.markercluster-1.1.0/dist/MarkerCluster.Default.css",
    "https://unpkg.com/leaflet.featuregroup.subgroup@1.0.2/dist/leaflet.featuregroup.subgroup.js":
        "leaflet.featuregroup.subgroup-1.0.2/dist/leaflet.featuregroup.subgroup.js",
    "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.js":
        "leaflet-search-2.9.7/dist/leaflet-search.min.js",
    "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.css":
        "leaflet-search-2.9.7/dist/leaflet-search.min.css",
}

#: folium's default files the map does not use (jQuery, Bootstrap, glyphicons, Font Awesome,
#: awesome-markers): left out of our pages (folium's own defaults are not changed).
DROPPED: frozenset[str] = frozenset({
    "https://code.jquery.com/jquery-3.7.1.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
})

#: Where the app's map loads the vendored files (Streamlit's static file serving).
APP_VENDOR_URL = tiles.APP_STATIC_URL + "vendor/"

#: Placeholder address of a vendored file in a page whose files are inlined after rendering.
_INLINE = "vendored-inline:"

#: The line shown on the map when base tiles fail to load (``tileerror``).
TILE_ERROR_TEXT = {
    "vi": "Không tải được bản đồ nền (không có Internet); ranh giới, thôn bản và trạm vẫn hiển thị.",
    "en": "The base map could not be loaded (no Internet); boundaries, villages and sites are "
          "still shown.",
}


def _walk(element) -> Iterable:
    """``element`` and every element below it."""
    yield element
    for child in element._children.values():
        yield from _walk(child)


def use_vendored_assets(m: folium.Map, base: str = APP_VENDOR_URL) -> folium.Map:
    """Make ``m`` load Leaflet and its plugins from the vendored copies, not from CDNs.

    Sets ``default_js``/``default_css`` on each element *instance* of ``m`` (folium's classes
    and other maps keep theirs): each CDN address in :data:`VENDORED` becomes ``base`` + its
    path, those in :data:`DROPPED` are left out. streamlit_folium reads the same lists, so the
    app's map loads the same files.

    Parameters
    ----------
    m
        A map, with all its layers and plugins added.
    base
        Prefix of the vendored paths: :data:`APP_VENDOR_URL` (the app) by default.

    Returns
    -------
    folium.Map
        ``m`` itself.

    Raises
    ------
    ValueError
        An element names a file that is neither vendored nor dropped (a new plugin, or folium
        upgraded): vendor it in ``static/vendor/`` and add it to :data:`VENDORED`.
    """
    for el in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if not links:
                continue
            unknown = [url for _, url in links if url not in VENDORED and url not in DROPPED
                       and not url.startswith(base)]
            if unknown:
                raise ValueError(f"not vendored (see static/vendor/README.md): {unknown}")
            setattr(el, attr, [
                (name, url if url.startswith(base) else base + VENDORED[url])
                for name, url in links if url not in DROPPED
            ])
    return m


def _data_uri(path) -> str:
    mime = {".png": "image/png", ".gif": "image/gif"}[path.suffix.lower()]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _vendored_text(rel: str) -> str:
    r"""A vendored file's text, safe inside a ``<script>``/``<style>`` element.

    ``</script``/``</style`` and ``<!--`` cannot end or bend the element (written as ``<\/``
    and ``<\!--``, the same code for JavaScript and CSS); the source-map comment is dropped;
    in CSS the vendored images (``url(images/…)``) become ``data:`` URIs.
    """
    path = tiles.static_dir() / "vendor" / rel
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^//# sourceMappingURL=\S*$", "", text, flags=re.M)
    if path.suffix == ".css":
        def inline(match: re.Match) -> str:
            target = (path.parent / match[1].strip("'\"")).resolve()
            return f"url({_data_uri(target)})" if target.is_file() else match[0]

        text = re.sub(r"url\(([^)#:]+)\)", inline, text)
    text = re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.I)
    return text.replace("<!--", "<\\!--")


def _inline_vendored(page: str) -> str:
    """``page`` with each placeholder ``<script src>``/``<link>`` of a vendored file replaced
    by the file's text (after rendering: the text never passes through a template)."""
    def script(match: re.Match) -> str:
        return f"<script>{_vendored_text(match[1])}</script>"

    def style(match: re.Match) -> str:
        return f"<style>{_vendored_text(match[1])}</style>"

    page = re.sub(rf'<script src="{_INLINE}([^"]+)"></script>', script, page)
    page = re.sub(rf'<link rel="stylesheet" href="{_INLINE}([^"]+)"/>', style, page)
    if _INLINE in page:
        raise ValueError("a vendored file was not inlined")
    return page


class _TileNotice(folium.MacroElement):
    """A line on the map, shown when a base-map tile fails to load (``tileerror``): no
    Internet, yet boundaries, villages and sites are drawn. Hidden again when the planner picks
    another base map. A local tile source (option ``coverageLocal``) is not watched: tiles
    missing outside its extract are expected."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .coverage-tile-notice {background: rgba(255,248,225,0.95); color: #5c4400;
            border: 1px solid #e0c36b; border-radius: 4px; padding: 3px 8px; max-width: 420px;
            font: 12px/1.35 "Segoe UI", Roboto, Arial, sans-serif;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            var notice = L.control({position: "bottomright"}), shown = false;
            notice.onAdd = function () {
                var div = L.DomUtil.create("div", "coverage-tile-notice");
                div.setAttribute("role", "status");
                div.textContent = {{ this.text|tojson }};
                return div;
            };
            function failed() { if (!shown) { shown = true; notice.addTo(map); } }
            function watch(layer) {
                if (layer instanceof L.TileLayer && !layer.options.coverageLocal) {
                    layer.on("tileerror", failed);
                }
            }
            map.eachLayer(watch);
            map.on("layeradd", function (e) { watch(e.layer); });
            map.on("baselayerchange", function () {
                if (shown) { shown = false; notice.remove(); }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "TileNotice"
        self.text = text


def _add_base_layers(m: folium.Map, lang: str, target: str) -> None:
    """The base maps: a local tile source when there is one (:func:`layers.tiles.tile_url`),
    OpenStreetMap, and a plain background ("Nền trống"); the notice when tiles fail."""
    vi = lang == "vi"
    local = tiles.tile_url(target)
    if local is not None:
        folium.TileLayer(
            local, attr=_e("Bản đồ nền cục bộ" if vi else "Local base map"), coverage_local=True,
            name=_e("Bản đồ nền cục bộ (không cần Internet)" if vi else "Local base map (offline)"),
        ).add_to(m)
    folium.TileLayer(
        "OpenStreetMap",
        name=_e("Bản đồ nền OpenStreetMap" if vi else "OpenStreetMap basemap"),
        show=local is None,
    ).add_to(m)
    folium.FeatureGroup(name=_e("Nền trống" if vi else "Plain background"), overlay=False,
                        show=False).add_to(m)
    _TileNotice(TILE_ERROR_TEXT[lang]).add_to(m)


class _Markup(folium.Element):
    """Markup built in Python (every data string in it escaped with :func:`escape_html`),
    inserted as a template *variable*: its text is never compiled as a Jinja2 template, as
    ``folium.Element(text)`` would do."""

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Markup"
        self.markup = markup


class _Scale(folium.MacroElement):
    """A metric-only scale bar."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, position: "bottomleft"}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Scale"


class _Attribution(folium.MacroElement):
    """Adds a (pre-escaped) data credit to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


MAP_CREDITS: tuple[tuple[str, str], ...] = (
    ("GADM 4.1", "https://gadm.org"),
    ("GeoNames (CC BY 4.0)", "https://www.geonames.org"),
    ("WorldPop (CC BY 4.0)", "https://www.worldpop.org"),
    ("GSO 2019", "https://www.gso.gov.vn"),
)
"""The short credit on the map itself; the full line is :func:`geo.registry.attribution`."""


def map_attribution() -> str:
    """The data credit shown on the map (GADM, GeoNames, WorldPop, census), as HTML."""
    return " · ".join(f'<a href="{url}" target="_blank">{_e(name)}</a>' for name, url in MAP_CREDITS)
