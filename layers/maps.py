"""The coverage map of a province: communes, villages, sites, declared unserved villages, fibre.

:func:`build_map` turns a :class:`geo.pipeline.Model` into a :class:`folium.Map`;
:func:`standalone_html` wraps it in a whole page (title, synthetic banner, attribution) for the
command line and the app's download button.

Layers (each can be switched in the layer control):

* communes shaded by ``villages_mobile_share`` (5 classes, the legend shows them);
* villages as circles coloured by ``gap_class`` (all / partial / none; grey when the province
  has no site data); villages located only at their commune (``location_precision ==
  "commune"``) are hollow dashed rings;
* sites as triangles, one layer per operator; above :data:`CLUSTER_ABOVE` sites all operators
  share one marker-cluster group (each operator still switches on and off on its own);
* the plan's declared unserved villages (:attr:`Model.declared`) as rings in the colour of the
  operator assigned to serve them;
* villages with FTTH fibre;
* the assignment register's villages (:mod:`geo.assignments`) as rings in the colour of their
  status (dashed when overdue), when ``assignments`` are given.

In the units from 01/07/2025 (``units="2025"``) the communes are the new ones, built by
:func:`geo.units2025.communes_2025_table` from the old polygons; a new commune's
``geometry_method`` is in its tooltip and the legend, an ``approximate`` one is drawn dashed and a
``missing`` one is not drawn (the legend names it): no boundary is invented. Villages show both
communes ("Xã Ẳng Tở (cũ) → Xã Búng Lao (mới)"); there is no district level.

Every layer and legend entry built from a synthetic layer says so ("(mô phỏng)" /
"(synthetic)").

Safety: every string that comes from data (names, codes, sources) is passed through
:func:`escape_html` in Python before it is embedded (:func:`html.escape`, then ``{ } ` $ \\``
as character references, so no text reaches Jinja2 or a JavaScript template literal as code),
and data never becomes template *source*: folium/branca compile the text of
``folium.Element(text)`` as a Jinja2 template, so pages are built from :class:`_Markup`
(the markup passed as a template variable) and properties as JSON. Features carry only short, escaped
properties; a small ``onEachFeature`` function joins them with escaped labels into the tooltip
and popup HTML (labels once per layer, not once per feature: half the payload of per-feature
HTML). The legend and layer names are escaped the same way.

Payload: commune polygons are simplified for display only, with
:func:`shapely.coverage_simplify` (Visvalingam–Whyatt, shared edges stay shared) after
:func:`shapely.coverage_clean`, because GADM's communes are not an edge-matched coverage
(in Điện Biên 125 of 130 polygons have edges that do not match their neighbour's), and
per-polygon ``simplify(preserve_topology=True)`` opens gaps and overlaps between neighbours.
Coordinates are rounded to 5 decimals (about 1 m).

Without Internet: Leaflet and its plugins are vendored (``static/vendor/``, :data:`VENDORED`);
the app's map loads them from Streamlit's static file serving, :func:`standalone_html` carries
them inline (added after rendering, never as template source); folium's jQuery, Bootstrap and
Font Awesome are left out of our maps. Base maps: a local tile source when there is one
(:mod:`layers.tiles`), OpenStreetMap, and a plain background ("Nền trống"); when tiles fail a line
on the map says so (:data:`TILE_ERROR_TEXT`) and the layers draw on the plain background.

Measured (``python benchmarks/bench_map.py``): the Điện Biên page is about 0.78 MB with the
vendored files inline (0.58 MB before inlining; inlining 5 ms) and takes about 0.35 s; Lai Châu
(1,842 sites) about 1.28 MB (1.05 MB before inlining); all 11,163 communes of Vietnam alone about
8.8 MB at 300 m (317k vertices of 381k) and 5.7 MB at 1,000 m, most of the 8–11 s in
:func:`shapely.coverage_clean`.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Iterable

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import FeatureGroupSubGroup, MarkerCluster, Search
from folium.template import Template
from folium.utilities import JsCode

from geo import assignments as asg
from geo import demo, registry, units2025
from geo.operators import OPERATOR_DISPLAY
from geo.pipeline import Model
from geo.sites import OPERATORS
from layers import tiles
from layers.i18n import check_lang, fmt_date, fmt_number, fmt_percent, t

log = logging.getLogger(__name__)

__all__ = [
    "GAP_COLOURS",
    "OPERATOR_COLOURS",
    "SHARE_CLASSES",
    "STATUS_COLOURS",
    "build_map",
    "commune_layer",
    "display_communes",
    "escape_html",
    "map_attribution",
    "map_html",
    "selection_layer",
    "standalone_html",
    "synthetic_layers",
    "use_vendored_assets",
]

#: Colour of a village by ``gap_class``; ``nosites`` when the province has no site data.
GAP_COLOURS: dict[str, str] = {
    "all": "#1a9850",
    "partial": "#f59b2f",
    "none": "#d73027",
    "nosites": "#8c8c8c",
}

#: Colour of each operator's sites and of declared villages assigned to it.
OPERATOR_COLOURS: dict[str, str] = {
    "Viettel": "#8e0e2b",
    "VNPT": "#1f6fb4",
    "MobiFone": "#0a9396",
    "Vietnamobile": "#d6336c",
    "Gmobile": "#7f5f2a",
}

FIBRE_COLOUR = "#5b2a86"

#: Colour of an assignment's ring by its status (:data:`geo.assignments.STATUSES`).
STATUS_COLOURS: dict[str, str] = {
    "assigned": "#6a3d9a",
    "under_construction": "#e6ab02",
    "on_air": "#1f78b4",
    "verified": "#1b7837",
    "cancelled": "#969696",
}
OVERDUE_COLOUR = "#b2182b"
SELECTED_COLOUR = "#000000"

#: Classes of the communes' share of villages with mobile broadband: (upper bound, colour).
SHARE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.2, "#eff3ff"),
    (0.4, "#bdd7e7"),
    (0.6, "#6baed6"),
    (0.8, "#3182bd"),
    (1.0, "#08519c"),
)
NO_VILLAGES_COLOUR = "#f2f2f2"
NO_DATA_COLOUR = "#e0e0e0"

#: Above this many sites the site layers are clustered (folium MarkerCluster).
CLUSTER_ABOVE = 500

#: Rounding of coordinates in the map (5 decimals is about 1 m).
DECIMALS = 5

_METRES_PER_DEGREE = 111_320.0


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


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like values
        return False


def _text(value) -> str:
    """``value`` as text, "" when missing."""
    return "" if _missing(value) else str(value)


def _num(value) -> float | None:
    """``value`` as a float, None when missing."""
    return None if _missing(value) else float(value)


#: Characters escaped beyond :func:`html.escape`: Jinja2 delimiters (``{`` ``}``), and what
#: would end or open a substitution in a JavaScript template literal (`````, ``$``, ``\\``).
_TEMPLATE_ESCAPES = str.maketrans(
    {"{": "&#123;", "}": "&#125;", "`": "&#96;", "$": "&#36;", "\\": "&#92;"}
)


def escape_html(value) -> str:
    """``value`` as HTML text that no template engine or script can read as code.

    :func:`html.escape` (``& < > " '``), then ``{`` ``}`` (Jinja2, which folium and branca
    compile their templates with), `````, ``$`` and ``\\`` (JavaScript template literals, which
    folium's tooltips use) as numeric character references. The browser shows the text exactly
    as it was: ``html.unescape(escape_html(x)) == x``.

    Parameters
    ----------
    value
        Any value; missing values (None, NaN, NA) give "".

    Returns
    -------
    str
        Text safe inside HTML markup, a quoted HTML attribute, a Jinja2 template and a
        JavaScript template literal.

    Examples
    --------
    >>> escape_html("Bản {{ 7*7 }} <b>")
    'Bản &#123;&#123; 7*7 &#125;&#125; &lt;b&gt;'
    """
    return html.escape(_text(value), quote=True).translate(_TEMPLATE_ESCAPES)


def _e(value) -> str:
    """``value`` as escaped HTML text ("" for missing values): :func:`escape_html`."""
    return escape_html(value)


def _synthetic_suffix(lang: str, synthetic: bool) -> str:
    return f" ({t('synthetic_short', lang)})" if synthetic else ""


def _operator_label(op: str) -> str:
    return OPERATOR_DISPLAY.get(op, op)


def _round_geoms(geoms: np.ndarray) -> np.ndarray:
    """Geometries with coordinates rounded to :data:`DECIMALS` (identical vertices stay so)."""
    return shapely.set_precision(np.asarray(geoms), 10.0**-DECIMALS, mode="pointwise")


def _feature_collection(geoms: Iterable, props: list[dict]) -> dict:
    """A GeoJSON FeatureCollection from geometries and (already escaped) properties."""
    features = []
    for g, p in zip(geoms, props, strict=True):
        if g is None or shapely.is_empty(g):
            continue
        features.append(
            {"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)), "properties": p}
        )
    return {"type": "FeatureCollection", "features": features}


def _share_class(share) -> int:
    """Index of ``share`` in :data:`SHARE_CLASSES`; -1 when missing (no villages)."""
    if _missing(share):
        return -1
    for i, (upper, _) in enumerate(SHARE_CLASSES):
        if share < upper or i == len(SHARE_CLASSES) - 1:
            return i
    return len(SHARE_CLASSES) - 1  # pragma: no cover


def synthetic_layers(model: Model) -> list[str]:
    """The model's layers that are synthetic and hold data (``sites``, ``fibre`` …)."""
    out = []
    for name, src in model.sources.items():
        if not src.get("synthetic"):
            continue
        if (name == "sites" and not len(model.sites)) or (name == "fibre" and not len(model.fibre)):
            continue
        out.append(name)
    return out


def _js_json(obj) -> str:
    """``obj`` as a JSON literal safe inside a ``<script>`` element (``<`` escaped)."""
    return json.dumps(obj, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


#: One line of a tooltip: (escaped label, property key, style "", "b" or "i", lookup or None).
#: A line with key "" is the label alone; a lookup maps property values to escaped text.
TipLine = tuple[str, str, str, dict | None]


def _tip_js(spec: list[TipLine]) -> JsCode:
    """``onEachFeature`` code that binds a tooltip and a popup built from ``spec``.

    Every property value and label is HTML-escaped in Python before it is embedded; the
    JavaScript only joins them. It also sets ``properties.s`` ("name — commune"), the text the
    search control indexes.
    """
    code = """function(feature, layer) {
        var p = feature.properties, spec = SPEC, out = [];
        for (var i = 0; i < spec.length; i++) {
            var line = spec[i], v = line[1] === "" ? "" : p[line[1]];
            if (line[3] && v !== undefined && line[3][v] !== undefined) v = line[3][v];
            if (line[1] !== "" && (v === undefined || v === null || v === "")) continue;
            if (line[2] === "b") v = "<b>" + v + "</b>";
            else if (line[2] === "i") v = "<i>" + v + "</i>";
            out.push(line[1] === "" ? line[0] : (line[0] ? line[0] + ": " + v : v));
        }
        var html = out.join("<br>");
        layer.bindTooltip(html, {sticky: true, className: "coverage-tip"});
        layer.bindPopup(html, {maxWidth: 340});
        if (p.n) p.s = p.n + (p.c ? " — " + p.c : (p.d ? " — " + p.d : ""));
    }"""
    return JsCode(code.replace("SPEC", _js_json([list(line) for line in spec]), 1))


class _SearchIndex(folium.FeatureGroup):
    """A feature group of existing layers, not added to the map, for the search control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup([
            {%- for layer in this.members %}{{ layer.get_name() }},{% endfor -%}
        ]);
        {% endmacro %}
        """
    )

    def __init__(self, members: list[folium.map.Layer]) -> None:
        super().__init__(control=False, show=False)
        self._name = "SearchIndex"
        self.members = members


class _Search(Search):
    """folium's search control over a :class:`_SearchIndex`, zooming to what it finds.

    Polygons (communes) are fitted to the view, points (villages) centred at zoom 13; the
    found feature's popup opens. Texts are JSON-encoded (no quoting problems).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new L.Control.Search({
            layer: {{ this.layer.get_name() }},
            propertyName: "s",
            initial: false,
            collapsed: false,
            marker: false,
            position: "topleft",
            textPlaceholder: {{ this.texts[0]|tojson }},
            textErr: {{ this.texts[1]|tojson }},
            textCancel: {{ this.texts[2]|tojson }},
            moveToLocation: function(latlng, title, map) {
                var layer = latlng.layer;
                if (layer && layer.getBounds) {
                    map.fitBounds(layer.getBounds(), {maxZoom: 13});
                } else {
                    map.setView(latlng, 13);
                }
            }
        });
        {{ this.get_name() }}.on("search:locationfound", function(e) {
            if (e.layer && e.layer.getPopup && e.layer.getPopup()) e.layer.openPopup();
        });
        {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: _SearchIndex, texts: tuple[str, str, str]) -> None:
        super().__init__(layer=layer, search_label="s")
        self._name = "SearchControl"
        self.texts = texts


class _Legend(folium.MacroElement):
    """The legend: a Leaflet control (class ``coverage-legend``) holding pre-escaped HTML."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .coverage-legend {background: rgba(255,255,255,0.94); padding: 6px 9px;
            font: 12px/1.35 "Segoe UI", Roboto, Arial, sans-serif; color: #222;
            border-radius: 5px; box-shadow: 0 1px 5px rgba(0,0,0,0.35);
            max-width: 290px; max-height: 62vh; overflow-y: auto;}
        .coverage-legend summary {font-weight: 600; cursor: pointer;}
        .coverage-legend .sec {margin-top: 5px; font-weight: 600;}
        .coverage-legend .row {display: flex; align-items: center; gap: 6px; margin: 1px 0;}
        .coverage-legend .dot {width: 11px; height: 11px; border-radius: 50%;
            flex: 0 0 auto; box-sizing: border-box;}
        .coverage-legend .tri {width: 0; height: 0; flex: 0 0 auto;
            border-left: 6px solid transparent; border-right: 6px solid transparent;
            border-bottom: 10px solid #000;}
        .coverage-legend .sw {width: 16px; height: 11px; flex: 0 0 auto;
            border: 1px solid #777;}
        .coverage-legend .note {margin-top: 5px; color: #8a4b00; font-style: italic;}
        .coverage-legend .sub {color: #555; font-style: italic;}
        .coverage-legend .ops {display: flex; flex-wrap: wrap; column-gap: 10px;}
        .coverage-legend .op {display: inline-flex; align-items: center; gap: 4px;
            white-space: nowrap;}
        .coverage-legend .scale {width: 200px; margin: 2px 0 2px 6px;}
        .coverage-legend .scale .bar {display: flex;}
        .coverage-legend .scale .bar .sw {flex: 1 1 0; height: 10px; border: 1px solid #777;
            border-right: 0;}
        .coverage-legend .scale .bar .sw:last-child {border-right: 1px solid #777;}
        .coverage-legend .scale .ticks {display: flex; justify-content: space-between;
            margin: 0 -6px; font-size: 11px;}

        .coverage-tip {font: 12px/1.35 "Segoe UI", Roboto, Arial, sans-serif;}
        .leaflet-control-layers {font-size: 12px; line-height: 1.35;}
        .leaflet-popup-content {font-size: 13px; line-height: 1.4; margin: 10px 14px;}
        .leaflet-control-layers label {margin: 1px 0;}
        .leaflet-control-attribution {font-size: 11px;}
        .leaflet-control-search .search-input {font-size: 12px;}
        .site-cluster-icon {width: 24px; height: 24px; border-radius: 50%;
            background: rgba(60,60,60,0.78); color: #fff; border: 2px solid #fff;
            box-sizing: border-box; font: 600 10px/20px Arial, sans-serif; text-align: center;
            box-shadow: 0 0 3px rgba(0,0,0,0.5);}
        .site-icon {width: 0; height: 0; border-left: 5px solid transparent;
            border-right: 5px solid transparent; border-bottom: 9px solid #000;
            filter: drop-shadow(0 0 1px #fff);}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomleft"});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", "coverage-legend");
            div.innerHTML = {{ this.legend_html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.legend_html = legend_html


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


# ---------------------------------------------------------------------------------------------
# Communes
# ---------------------------------------------------------------------------------------------


def display_communes(communes: gpd.GeoDataFrame, simplify_m: float = 300.0) -> np.ndarray:
    """The communes' geometries simplified for display, shared edges kept shared.

    GADM's communes are cleaned into an edge-matched coverage (:func:`shapely.coverage_clean`)
    and simplified together (:func:`shapely.coverage_simplify`, Visvalingam–Whyatt); the
    result has no gaps or overlaps between neighbours. Coordinates are rounded to
    :data:`DECIMALS`. For display only: areas and joins use the original polygons.

    Parameters
    ----------
    communes
        Commune polygons in EPSG:4326.
    simplify_m
        Tolerance in metres (converted at 111.32 km per degree): roughly the square root of
        the area of the triangles removed. 0 cleans and rounds only.

    Returns
    -------
    numpy.ndarray
        Geometries aligned with ``communes``.
    """
    geoms = np.asarray(communes.geometry.values, dtype=object)
    if len(geoms) == 0:
        return geoms
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = np.array([None] * len(geoms), dtype=object)
    g = shapely.make_valid(geoms[valid])
    g = shapely.coverage_clean(g)
    if simplify_m > 0:
        g = shapely.coverage_simplify(g, simplify_m / _METRES_PER_DEGREE)
    out[valid] = _round_geoms(g)
    return out


def _pct_text(count, share, lang: str) -> str:
    return f"{fmt_number(count, lang)} ({fmt_percent(share, lang)})"


def _commune_props(c: pd.DataFrame, lang: str, units: str = "pre2025") -> list[dict]:
    """Escaped, pre-formatted properties of the communes (see :func:`_commune_spec`).

    In the 2025 units (``units2025.communes_2025_table``): the new commune's name, the old
    communes it is made of and its ``geometry_method`` (``gm``: e / a / m).
    """
    cols = set(c.columns)
    props = []
    for row in c.itertuples(index=False):
        r = row._asdict()
        if units == "2025":
            p = {"n": _e(r.get("commune_2025")) + f" ({_e(units2025.NEW_MARK[lang])})",
                 "d": _e(r.get("communes_old")), "k": _e(r.get("commune_2025_code")),
                 "gm": _text(r.get("geometry_method"))[:1]}
        else:
            p = {"n": _e(r.get("commune")), "d": _e(r.get("district")),
                 "k": _e(r.get("commune_code"))}
        if "villages" in cols:
            p["v"] = fmt_number(_num(r.get("villages")), lang)
        if "villages_mobile_share" in cols:
            share = _num(r.get("villages_mobile_share"))
            p["m"] = _pct_text(_num(r.get("villages_mobile")), share, lang)
            p["cl"] = _share_class(share)
        else:
            p["cl"] = -2  # no coverage figures (no sites, or communes only)
        if "villages_fibre" in cols:
            p["f"] = fmt_number(_num(r.get("villages_fibre")), lang)
        if "population" in cols:
            p["pp"] = fmt_number(_num(r.get("population")), lang)
        if "population_covered" in cols:
            pop, cov = _num(r.get("population")), _num(r.get("population_covered"))
            p["pc"] = _pct_text(cov, cov / pop if pop and cov is not None else None, lang)
        props.append(p)
    return props


def _commune_spec(
    lang: str, synthetic: bool, fibre_synthetic: bool, units: str = "pre2025"
) -> list[TipLine]:
    sx = _synthetic_suffix(lang, synthetic)
    if units == "2025":
        head: list[TipLine] = [
            ("", "n", "b", None),
            (_e(t("communes_old", lang)), "d", "", None),
            (_e(t("commune_code", lang)), "k", "", None),
            (_e(t("geometry_method", lang)), "gm", "",
             {"e": _e(t("geometry_exact", lang)), "a": _e(t("geometry_approximate", lang)),
              "m": _e(t("geometry_missing", lang))}),
        ]
    else:
        head = [
            ("", "n", "b", None),
            (_e(t("district", lang)), "d", "", None),
            (_e(t("commune_code", lang)), "k", "", None),
        ]
    return [
        *head,
        (_e(t("villages_count", lang)), "v", "", None),
        (_e(t("mobile_coverage", lang) + sx), "m", "", None),
        (_e(t("fibre_villages", lang) + _synthetic_suffix(lang, fibre_synthetic)), "f", "", None),
        (_e(t("population", lang)), "pp", "", None),
        (_e(t("population_covered", lang) + sx), "pc", "", None),
    ]


def _commune_style_js() -> JsCode:
    colours = _js_json([c for _, c in SHARE_CLASSES])
    return JsCode(
        f"""function(feature) {{
            var k = feature.properties.cl, colours = {colours};
            if (k === -2) {{
                var approx = feature.properties.gm === "a";
                return {{color: approx ? "#222222" : "#4d4d4d", weight: approx ? 1.6 : 0.8,
                         dashArray: approx ? "6 4" : null, fillOpacity: 0.4,
                         fillColor: "{NO_DATA_COLOUR}"}};
            }}
            if (feature.properties.gm === "a") {{
                return {{color: "#222222", weight: 1.6, dashArray: "6 4",
                         fillOpacity: k < 0 ? 0.35 : 0.5,
                         fillColor: k < 0 ? "{NO_VILLAGES_COLOUR}" : colours[k]}};
            }}
            return {{color: "#4d4d4d", weight: 0.8, fillOpacity: k < 0 ? 0.35 : 0.5,
                     dashArray: k < 0 ? "3 3" : null,
                     fillColor: k < 0 ? "{NO_VILLAGES_COLOUR}" : colours[k]}};
        }}"""
    )


def commune_layer(
    communes: gpd.GeoDataFrame,
    *,
    lang: str = "vi",
    name: str | None = None,
    simplify_m: float = 300.0,
    synthetic: bool = False,
    fibre_synthetic: bool | None = None,
    units: str = "pre2025",
) -> folium.GeoJson:
    """The communes as a GeoJson layer shaded by ``villages_mobile_share`` (when present).

    Used by :func:`build_map` and by the national benchmark (communes only).

    Parameters
    ----------
    communes
        Communes (:func:`geo.units.read_communes`, or ``Model.communes`` with the counts).
    lang
        ``"vi"`` or ``"en"``.
    name
        Layer name in the layer control (HTML; escape data in it).
    simplify_m
        See :func:`display_communes`.
    synthetic
        Whether the coverage shares come from synthetic sites (said in the tooltips).
    fibre_synthetic
        Whether the fibre counts are synthetic (``synthetic`` when None).
    units
        ``"pre2025"`` (:func:`geo.units.read_communes` columns) or ``"2025"``
        (:func:`geo.units2025.communes_2025_table`: new communes, their old communes and
        ``geometry_method``; ``approximate`` ones are drawn dashed, ``missing`` ones have no
        geometry and are left out).
    """
    geoms = display_communes(communes, simplify_m)
    props = _commune_props(
        pd.DataFrame(communes.drop(columns=communes.geometry.name)), lang, units
    )
    spec = _commune_spec(
        lang, synthetic, synthetic if fibre_synthetic is None else fibre_synthetic, units
    )
    return folium.GeoJson(
        _feature_collection(geoms, props),
        name=name or _e(t("communes_layer", lang)),
        style=_commune_style_js(),
        on_each_feature=_tip_js(spec),
        smooth_factor=1.0,
    )


# ---------------------------------------------------------------------------------------------
# Villages, declared villages, fibre, sites
# ---------------------------------------------------------------------------------------------


def _village_props(
    status: pd.DataFrame, lang: str, has_sites: bool, *, units: str = "pre2025",
    ids: bool = False,
) -> list[dict]:
    """Escaped properties of the villages (see :func:`_village_spec`).

    In the 2025 units the commune is "Xã A (cũ) → Xã B (mới)" (``units_display``) and the
    district is left out; ``ids`` adds the ``village_id`` (``i``, last line of the tooltip).
    """
    ops = [op for op in OPERATORS if op in status.columns]
    cover = status[ops].fillna(False).astype(bool).to_numpy() if ops else None
    labels = np.array([_e(_operator_label(op)) for op in ops], dtype=object)
    show_pair = units == "2025" and "units_display" in status.columns
    if show_pair:
        pairs = _display_pairs(status, lang)
    props = []
    for i, r in enumerate(status.itertuples(index=False)):
        d = r._asdict()
        if show_pair:
            p = {"n": _e(d.get("village")), "c": _e(pairs[i])}
            if d.get("commune_2025_method") == "unresolved":
                p["u"] = "1"
        else:
            p = {"n": _e(d.get("village")), "c": _e(d.get("commune")),
                 "d": _e(d.get("district"))}
        if has_sites:
            p["g"] = _text(d.get("gap_class"))
            covering = labels[cover[i]] if cover is not None else []
            p["o"] = ", ".join(covering) if len(covering) else "-"
        else:
            p["g"] = "nosites"
        if "fibre" in d:
            ops_f = _e(d.get("fibre_operators"))
            p["f"] = (t("yes", lang) + (f" ({ops_f})" if ops_f else "")) if bool(
                d.get("fibre")) else "0"
        if d.get("declared_unserved"):
            p["a"] = _e(_operator_label(_text(d.get("declared_operator"))))
        if d.get("location_precision") == "commune":
            p["p"] = "c"
        if ids:
            p["i"] = _e(d.get("village_id"))
        props.append(p)
    return props


def _display_pairs(frame: pd.DataFrame, lang: str) -> np.ndarray:
    """"Xã A (cũ) → Xã B (mới)" for each row, in ``lang`` (``units_display`` is Vietnamese)."""
    if lang == "vi" and "units_display" in frame.columns:
        return frame["units_display"].fillna("").astype(str).to_numpy()
    return units2025.display_pair(
        frame["commune"], frame["commune_2025"], frame.get("commune_2025_candidates"), lang=lang
    ).to_numpy()


def _id_line(lang: str) -> TipLine:
    """The tooltip's last line, the village's id: the app finds the clicked village by it."""
    return (_e(t("village_id", lang)), "i", "", None)


def _village_spec(
    lang: str, sites_syn: bool, fibre_syn: bool, *, units: str = "pre2025", ids: bool = False
) -> list[TipLine]:
    sx, fx = _synthetic_suffix(lang, sites_syn), _synthetic_suffix(lang, fibre_syn)
    gaps = {k: _e(t(f"gap_{k}", lang) + sx) for k in ("all", "partial", "none")}
    gaps["nosites"] = _e(t("gap_nosites", lang))
    where: list[TipLine] = (
        [(_e(t("commune_old_new", lang)), "c", "", None),
         ("", "u", "i", {"1": _e(t("unresolved_2025", lang))})]
        if units == "2025"
        else [(_e(t("commune", lang)), "c", "", None), (_e(t("district", lang)), "d", "", None)]
    )
    return [
        ("", "n", "b", None),
        *where,
        (_e(t("gap_class", lang)), "g", "", gaps),
        (_e(t("operators_covering", lang) + sx), "o", "", {"-": _e(t("none_word", lang))}),
        (_e(t("fibre", lang) + fx), "f", "", {"0": _e(t("no", lang))}),
        (_e(t("declared_operator", lang)), "a", "b", None),
        ("", "p", "i", {"c": _e(t("location_commune_note", lang))}),
        *([_id_line(lang)] if ids else []),
    ]


def _village_style_js(colour: str) -> JsCode:
    return JsCode(
        f"""function(feature) {{
            if (feature.properties.p === "c") {{
                return {{radius: 6, color: "{colour}", weight: 2, dashArray: "3 2",
                         fill: true, fillColor: "#ffffff", fillOpacity: 0.7}};
            }}
            return {{radius: 5, color: "#ffffff", weight: 1, fill: true,
                     fillColor: "{colour}", fillOpacity: 0.95}};
        }}"""
    )


def _points_layer(
    gdf: gpd.GeoDataFrame, props: list[dict], name: str, style: JsCode, spec: list[TipLine],
    *, show: bool = True,
) -> folium.GeoJson:
    return folium.GeoJson(
        _feature_collection(_round_geoms(gdf.geometry.values), props),
        name=name,
        marker=folium.CircleMarker(radius=5),
        style=style,
        on_each_feature=_tip_js(spec),
        show=show,
    )


def _swatch_name(colour: str, text: str, shape: str = "dot") -> str:
    """A layer-control label with a colour sample (``text`` is escaped here)."""
    if shape == "tri":
        sample = (
            '<span style="display:inline-block;width:0;height:0;border-left:5px solid '
            f'transparent;border-right:5px solid transparent;border-bottom:9px solid {colour}">'
            "</span>"
        )
    elif shape == "square":
        sample = (
            '<span style="display:inline-block;width:12px;height:9px;border:1px solid #555;'
            f'background:{colour}"></span>'
        )
    elif shape == "ring":
        sample = (
            '<span style="display:inline-block;width:8px;height:8px;border-radius:50%;'
            f'border:2px solid {colour}"></span>'
        )
    else:
        sample = (
            '<span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
            f'background:{colour}"></span>'
        )
    return f"{sample} {_e(text)}"


def _site_props(sites: gpd.GeoDataFrame, lang: str) -> list[dict]:
    """Escaped properties of the sites (see :func:`_site_spec`)."""
    ops_at: dict = {}
    if "physical_site_id" in sites.columns and len(sites):
        ops_at = sites.groupby("physical_site_id")["operator"].agg(
            lambda s: ", ".join(_operator_label(o) for o in OPERATORS if o in set(s))
        ).to_dict()
    props = []
    for r in sites.itertuples(index=False):
        d = r._asdict()
        pid = _text(d.get("physical_site_id"))
        props.append(
            {
                "t": _e(d.get("technology")),
                "i": _e(d.get("site_id")),
                "dt": _e(fmt_date(d.get("on_air_date"), lang)) if "on_air_date" in d else "",
                "ps": f"{_e(pid)} ({_e(ops_at.get(pid, ''))})" if pid else "",
            }
        )
    return props


def _site_spec(op: str, lang: str, synthetic: bool) -> list[TipLine]:
    title = f"<b>{_e(t('site', lang))}: {_e(_operator_label(op))}</b>" + _e(
        _synthetic_suffix(lang, synthetic))
    return [
        (title, "", "", None),
        (_e(t("technology", lang)), "t", "", None),
        ("ID", "i", "", None),
        (_e(t("on_air_date", lang)), "dt", "", None),
        (_e(t("physical_site", lang)), "ps", "", None),
    ]


def _declared_props(
    declared: gpd.GeoDataFrame, status: pd.DataFrame, *, lang: str = "vi",
    units: str = "pre2025", ids: bool = False,
) -> list[dict]:
    """Escaped properties of the plan's declared villages (see :func:`_declared_spec`).

    In the 2025 units the commune is both names, taken from ``status`` (``units_display``).
    """
    by_id = status.drop_duplicates("village_id").set_index("village_id")
    modelled = by_id["mobile_broadband"]
    pair = None
    if units == "2025" and "units_display" in status.columns:
        pair = pd.Series(_display_pairs(by_id, lang), index=by_id.index)
    props = []
    for r in declared.itertuples(index=False):
        d = r._asdict()
        m = modelled.get(d.get("village_id"))
        source = _text(d.get("source")) or _text(d.get("document"))
        row = _text(d.get("source_row"))
        p = {
            "n": _e(d.get("village")),
            "r": _e(source) + (f", Stt {_e(row)}" if row else ""),
            "c": _e(d.get("commune")),
            "d": _e(d.get("district")),
            "a": _e(_operator_label(_text(d.get("operator")))),
            "o": _e(d.get("operator")),
            "l": "c" if d.get("location_precision") == "commune" else "p",
            "mc": "" if _missing(m) else ("1" if bool(m) else "0"),
        }
        if pair is not None:
            p["c"] = _e(pair.get(d.get("village_id"), d.get("commune")))
            p.pop("d")
        if ids:
            p["i"] = _e(d.get("village_id"))
        props.append(p)
    return props


def _declared_spec(
    lang: str, sites_syn: bool, *, units: str = "pre2025", ids: bool = False
) -> list[TipLine]:
    sx = _synthetic_suffix(lang, sites_syn)
    where: list[TipLine] = (
        [(_e(t("commune_old_new", lang)), "c", "", None)]
        if units == "2025"
        else [(_e(t("commune", lang)), "c", "", None), (_e(t("district", lang)), "d", "", None)]
    )
    return [
        ("", "n", "b", None),
        (_e(t("unserved_declared", lang)), "r", "i", None),
        *where,
        (_e(t("declared_operator", lang)), "a", "b", None),
        (_e(t("location", lang)), "l", "",
         {"c": _e(t("location_commune", lang)), "p": _e(t("location_point", lang))}),
        (_e(t("modelled_covered", lang) + sx), "mc", "",
         {"1": _e(t("yes", lang)), "0": _e(t("no", lang))}),
        *([_id_line(lang)] if ids else []),
    ]


# ---------------------------------------------------------------------------------------------
# Assignments (the register)
# ---------------------------------------------------------------------------------------------


def _assignment_props(
    a: pd.DataFrame, lang: str, *, pairs: pd.Series | None = None, ids: bool = False
) -> list[dict]:
    """Escaped properties of the register's assignments (see :func:`_assignment_spec`).

    ``a`` is :func:`geo.assignments.to_geodataframe` (``status``, ``status_date``, ``overdue``
    …); ``pairs`` the "old → new" commune text by ``village_id`` in the 2025 units.
    """
    props = []
    for r in a.itertuples(index=False):
        d = r._asdict()
        status = _text(d.get("status"))
        date = _text(d.get("status_date"))
        year = d.get("target_year")
        decision = _text(d.get("decision"))
        ddate = _text(d.get("decision_date"))
        p = {
            "n": _e(d.get("village")),
            "c": _e(d.get("commune")),
            "d": _e(d.get("district")),
            "o": _e(_operator_label(_text(d.get("operator")))),
            "st": status,
            "sd": _e(fmt_date(date, lang)) if date else "",
            "y": "" if _missing(year) else str(int(year)),
            "od": "1" if bool(d.get("overdue")) else "",
            "dc": _e(decision + (f", {fmt_date(ddate, lang)}" if ddate else "")),
            "nt": _e(d.get("note")),
        }
        if pairs is not None:
            p["c"] = _e(pairs.get(d.get("village_id"), d.get("commune")))
            p.pop("d")
        if ids:
            p["i"] = _e(d.get("village_id"))
        props.append(p)
    return props


def _assignment_spec(lang: str, *, units: str = "pre2025", ids: bool = False) -> list[TipLine]:
    statuses = {s: _e(asg.STATUS_LABELS[s][lang]) for s in asg.STATUSES}
    where: list[TipLine] = (
        [(_e(t("commune_old_new", lang)), "c", "", None)]
        if units == "2025"
        else [(_e(t("commune", lang)), "c", "", None), (_e(t("district", lang)), "d", "", None)]
    )
    return [
        ("", "n", "b", None),
        (f"<i>{_e(t('assignment_layer', lang))}</i>", "", "", None),
        *where,
        (_e(t("assigned_operator", lang)), "o", "b", None),
        (_e(t("status", lang)), "st", "b", statuses),
        (_e(t("status_date", lang)), "sd", "", None),
        (_e(t("target_year_short", lang)), "y", "", None),
        ("", "od", "b", {"1": _e(t("overdue", lang))}),
        (_e(t("decision", lang)), "dc", "", None),
        (_e(t("note", lang)), "nt", "", None),
        *([_id_line(lang)] if ids else []),
    ]


def _assignment_style_js() -> JsCode:
    return JsCode(
        f"""function(feature) {{
            var colours = {_js_json(STATUS_COLOURS)}, p = feature.properties;
            return {{radius: 13, color: colours[p.st] || "#000", weight: 3.5, opacity: 0.95,
                     fill: false, dashArray: p.od ? "5 4" : null}};
        }}"""
    )


# ---------------------------------------------------------------------------------------------
# Legend
# ---------------------------------------------------------------------------------------------


def _legend_html(lang: str, *, has_sites: bool, sites_syn: bool, fibre_syn: bool,
                 operators: list[str], declared_ops: list[str], declared_doc: str,
                 has_fibre: bool, units: str = "pre2025", missing_communes: list[str] | None = None,
                 has_approximate: bool = False, statuses: list[str] | None = None,
                 legend_open: bool = True) -> str:
    """The legend's HTML; every text in it is escaped here."""
    sx = _e(_synthetic_suffix(lang, sites_syn))
    fx = _e(_synthetic_suffix(lang, fibre_syn))
    parts = [f"<details{' open' if legend_open else ''}><summary>{_e(t('legend', lang))}</summary>"]
    parts.append(f'<div class="sec">{_e(t("villages_layer", lang))}{sx}</div>')
    for k in ("all", "partial", "none") if has_sites else ("nosites",):
        parts.append(
            f'<div class="row"><span class="dot" style="background:{GAP_COLOURS[k]}"></span>'
            f"{_e(t(f'gap_{k}', lang))}{sx if k != 'nosites' else ''}</div>"
        )
    parts.append(
        '<div class="row"><span class="dot" style="border:2px dashed #555;background:#fff">'
        f"</span>{_e(t('location_commune_note', lang))}</div>"
    )
    if has_fibre:
        parts.append(
            f'<div class="row"><span class="dot" style="background:{FIBRE_COLOUR};width:7px;'
            f'height:7px;margin:0 2px"></span>{_e(t("fibre_villages", lang))}{fx}</div>'
        )
    if statuses:
        parts.append(f'<div class="sec">{_e(t("assignment_layer", lang))}</div>')
        parts.append(f'<div class="sub">{_e(t("assignment_ring_note", lang))}</div>')
        rings = " ".join(
            f'<span class="op"><span class="dot" style="border:3px solid '
            f'{STATUS_COLOURS[s]};background:transparent"></span>'
            f"{_e(asg.STATUS_LABELS[s][lang])}</span>"
            for s in statuses
        )
        parts.append(f'<div class="ops">{rings}</div>')
    if declared_ops:
        rings = " ".join(
            f'<span class="op"><span class="dot" style="border:3px solid '
            f'{OPERATOR_COLOURS.get(op, "#000")};background:transparent"></span>'
            f"{_e(_operator_label(op))}</span>"
            for op in declared_ops
        )
        doc = f" ({_e(declared_doc)})" if declared_doc else ""
        parts.append(
            f'<div class="sec">{_e(t("unserved_declared", lang))}{doc}</div>'
            f'<div class="sub">{_e(t("ring_is_operator", lang))}</div><div class="ops">{rings}</div>'
        )
    if operators:
        parts.append(f'<div class="sec">{_e(t("sites_layer", lang))}{sx}</div><div class="ops">')
        for op in operators:
            parts.append(
                f'<span class="op"><span class="tri" style="border-bottom-color:'
                f'{OPERATOR_COLOURS.get(op, "#000")}"></span>{_e(_operator_label(op))}{sx}</span>'
            )
        parts.append("</div>")
    if not has_sites:
        parts.append(
            f'<div class="row"><span class="sw" style="background:{NO_DATA_COLOUR}"></span>'
            f'{_e(t("commune", lang))}: {_e(t("gap_nosites", lang).lower())}</div>'
        )
    else:
        parts.extend(_share_scale(lang, sx))
    if units == "2025":
        parts.append(f'<div class="sec">{_e(t("boundaries_2025_legend", lang))}</div>')
        parts.append(
            '<div class="row"><span class="sw" style="background:#fff;border:1.5px solid #4d4d4d">'
            f'</span>{_e(t("geometry_exact", lang))}</div>'
        )
        if has_approximate:
            parts.append(
                '<div class="row"><span class="sw" style="background:#fff;border:2px dashed '
                f'#222"></span>{_e(t("geometry_approximate", lang))}</div>'
            )
        if missing_communes:
            names = ", ".join(missing_communes)
            parts.append(
                f'<div class="row"><span class="sw" style="background:transparent;border:0">'
                f'</span>{_e(t("geometry_missing_count", lang, n=len(missing_communes), names=names))}'
                "</div>"
            )
    if sites_syn or fibre_syn:
        parts.append(f'<div class="note">{_e(t("synthetic", lang))}</div>')
    parts.append(f'<div class="note">{_e(t("coverage_model_note", lang))}</div>')
    parts.append("</details>")
    return "".join(parts)


def _share_scale(lang: str, sx: str) -> list[str]:
    """Legend rows of the communes' share classes."""
    parts = [f'<div class="sec">{_e(t("commune_share_legend", lang))}{sx}</div>']
    swatches = "".join(
        f'<span class="sw" style="background:{colour}"></span>' for _, colour in SHARE_CLASSES
    )
    bounds = (0.0, *(u for u, _ in SHARE_CLASSES))
    ticks = "".join(
        f"<span>{_e(fmt_percent(b, lang, 0) if i == len(bounds) - 1 else fmt_number(100 * b, lang))}"
        "</span>"
        for i, b in enumerate(bounds)
    )
    parts.append(
        f'<div class="scale"><div class="bar">{swatches}</div><div class="ticks">{ticks}</div></div>'
        f'<div class="row"><span class="sw" style="background:{NO_VILLAGES_COLOUR};'
        f'border-style:dashed"></span>{_e(t("no_villages", lang))}</div>'
    )
    return parts


# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------


def _in_bbox(gdf: gpd.GeoDataFrame, bounds, pad: float) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = bounds
    return gdf.cx[minx - pad:maxx + pad, miny - pad:maxy + pad]


def build_map(
    model: Model,
    *,
    lang: str = "vi",
    district_code: str | None = None,
    simplify_m: float = 300.0,
    height: str | int = "100%",
    collapsed_layers: bool = False,
    units: str = "pre2025",
    commune_2025_code: str | None = None,
    assignments: gpd.GeoDataFrame | None = None,
    village_ids: bool = False,
    selected: str | None = None,
    legend_open: bool = True,
    declared_coverage: gpd.GeoDataFrame | None = None,
    assets: str = "app",
) -> folium.Map:
    """The coverage map of ``model`` (a province, or one of its districts).

    Parameters
    ----------
    model
        The built model (:func:`geo.pipeline.build`).
    lang
        ``"vi"`` (default) or ``"en"`` for every label, tooltip and legend.
    district_code
        Show only this district (3-digit GSO code); sites within the district's bounding box
        widened by the largest coverage radius are kept.
    simplify_m
        Display simplification of the communes (see :func:`display_communes`).
    height
        Height of the map element (folium size: "100%" or pixels).
    collapsed_layers
        Show the layer control as a button (for small maps, e.g. in the app); the legend
        still explains every symbol.
    units
        ``"pre2025"`` (default) or ``"2025"``: the communes from 01/07/2025
        (:func:`geo.units2025.communes_2025_table`, no district level), villages with both
        communes in their tooltips.
    commune_2025_code
        With ``units="2025"``: show only this new commune.
    assignments
        The register's assignments (:func:`geo.assignments.to_geodataframe`) to draw as rings
        in the colour of their status; only those of the shown communes are drawn.
    village_ids
        Add each village's ``village_id`` as the last line of its tooltips (the app finds the
        clicked village by it).
    selected
        A ``village_id`` to mark with a black ring (not clickable).
    legend_open
        Show the legend unfolded (default); folded, it leaves a small map free.
    declared_coverage
        Operators' declared coverage polygons (``operator``, ``technology``), imported by the
        planner: drawn as dashed outlines beside the modelled coverage, one layer per operator.
    assets
        Where the page finds Leaflet, its plugins and a local base map (no CDN either way):
        ``"app"`` (default) from Streamlit's static file serving (:data:`APP_VENDOR_URL`,
        :func:`layers.tiles.tile_url` for ``"app"``); ``"inline"`` for :func:`standalone_html`,
        which puts the files' text into the page.

    Returns
    -------
    folium.Map
    """
    check_lang(lang)
    if assets not in ("app", "inline"):
        raise ValueError(f"assets must be 'app' or 'inline', not {assets!r}")
    if units not in ("pre2025", "2025"):
        raise ValueError(f"units must be 'pre2025' or '2025', not {units!r}")
    communes, status, sites, declared = model.communes, model.status, model.sites, model.declared
    missing_communes: list[str] = []
    if units == "2025":
        ctx = units2025.context(model)
        communes = units2025.communes_2025_table(model)
        status = ctx.status
        if commune_2025_code is not None:
            communes = communes[communes["commune_2025_code"] == commune_2025_code]
            status = status[status["commune_2025_code"] == commune_2025_code]
        if declared is not None:
            declared = declared[declared["village_id"].isin(set(status["village_id"]))]
        missing = communes["geometry_method"].eq("missing")
        missing_communes = communes.loc[missing, "commune_2025"].astype(str).tolist()
        communes = communes[~missing]
    elif district_code is not None:
        communes = communes[communes["district_code"] == district_code]
        status = status[status["district_code"] == district_code]
        if declared is not None:
            declared = declared[declared["district_code"] == district_code]
    if assignments is not None and len(assignments):
        assignments = assignments[assignments["village_id"].isin(set(status["village_id"]))]
    scoped = district_code is not None or commune_2025_code is not None
    if scoped and len(communes) and len(sites):
        pad = max(model.radii.values(), default=0) / _METRES_PER_DEGREE
        sites = _in_bbox(sites, communes.total_bounds, pad)
    has_sites = len(model.sites) > 0
    syn = synthetic_layers(model)
    sites_syn, fibre_syn = "sites" in syn, "fibre" in syn
    sx, fx = _synthetic_suffix(lang, sites_syn), _synthetic_suffix(lang, fibre_syn)

    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=False, height=height,
                   zoom_snap=0.25, zoom_delta=0.5)
    _Scale().add_to(m)
    _add_base_layers(m, lang, "file" if assets == "inline" else "app")

    commune_geo = commune_layer(
        communes if has_sites else communes.drop(
            columns=["villages_mobile", "villages_mobile_share", "population_covered"],
            errors="ignore"),
        lang=lang,
        name=_swatch_name(SHARE_CLASSES[2][1], t("communes_layer", lang) + sx, "square")
        if has_sites else _swatch_name(NO_DATA_COLOUR, t("layer_communes", lang), "square"),
        simplify_m=simplify_m,
        synthetic=sites_syn,
        fibre_synthetic=fibre_syn,
        units=units,
    )
    commune_geo.add_to(m)
    search_members: list[folium.map.Layer] = [commune_geo]

    # Villages, one layer per gap class.
    vprops = _village_props(status, lang, has_sites, units=units, ids=village_ids)
    vspec = _village_spec(lang, sites_syn, fibre_syn, units=units, ids=village_ids)
    klass = np.array([p["g"] for p in vprops], dtype=object)
    for k in ("all", "partial", "none") if has_sites else ("nosites",):
        sel = np.flatnonzero(klass == k)
        if not len(sel):
            continue
        label = t(f"gap_{k}", lang) + ("" if k == "nosites" else sx)
        layer = _points_layer(
            status.iloc[sel], [vprops[i] for i in sel], _swatch_name(GAP_COLOURS[k], label),
            _village_style_js(GAP_COLOURS[k]), vspec,
        )
        layer.add_to(m)
        search_members.append(layer)

    # The plan's declared unserved villages: rings in the assigned operator's colour.
    declared_ops: list[str] = []
    declared_doc = ""
    if declared is not None and len(declared):
        dprops = _declared_props(declared, status, lang=lang, units=units, ids=village_ids)
        present = {p["o"] for p in dprops}
        declared_ops = [op for op in OPERATORS if op in present] + sorted(
            present - set(OPERATORS))
        colours = {_e(op): OPERATOR_COLOURS.get(op, "#000000") for op in declared_ops}
        style = JsCode(
            f"""function(feature) {{
                var colours = {_js_json(colours)};
                return {{radius: 10, color: colours[feature.properties.o] || "#000",
                         weight: 3, opacity: 0.9, fill: false}};
            }}"""
        )
        if "document" in declared.columns:
            declared_doc = _text(declared["document"].iloc[0])
        name = t("unserved_declared", lang) + (f" ({declared_doc})" if declared_doc else "")
        _points_layer(
            declared, dprops, _swatch_name("#333333", name, "ring"), style,
            _declared_spec(lang, sites_syn, units=units, ids=village_ids),
        ).add_to(m)

    # The register's assignments: rings in the colour of their status.
    statuses: list[str] = []
    if assignments is not None and len(assignments):
        a = assignments[~(assignments.geometry.isna() | assignments.geometry.is_empty)]
        pairs = None
        if units == "2025":
            by_id = status.drop_duplicates("village_id").set_index("village_id")
            pairs = pd.Series(_display_pairs(by_id, lang), index=by_id.index)
        present = set(a["status"])
        statuses = [st for st in asg.STATUSES if st in present]
        _points_layer(
            a, _assignment_props(a, lang, pairs=pairs, ids=village_ids),
            _swatch_name(STATUS_COLOURS["assigned"], t("assignment_layer", lang), "ring"),
            _assignment_style_js(), _assignment_spec(lang, units=units, ids=village_ids),
        ).add_to(m)

    # Villages with FTTH fibre (hidden at start).
    has_fibre = "fibre" in status.columns and bool(status["fibre"].fillna(False).astype(bool).any())
    if has_fibre:
        sel = np.flatnonzero(status["fibre"].fillna(False).astype(bool).to_numpy())
        style = JsCode(
            f"""function(feature) {{
                return {{radius: 3, color: "#ffffff", weight: 1, fill: true,
                         fillColor: "{FIBRE_COLOUR}", fillOpacity: 1}};
            }}"""
        )
        _points_layer(
            status.iloc[sel], [vprops[i] for i in sel],
            _swatch_name(FIBRE_COLOUR, t("fibre_villages", lang) + fx), style, vspec, show=False,
        ).add_to(m)

    # Sites, one layer per operator; when there are many, all operators share one cluster group
    # (each operator stays a layer of its own in the layer control).
    operators = [op for op in OPERATORS if len(sites) and op in set(sites["operator"])]
    if len(sites):
        sprops = _site_props(sites, lang)
        cluster = None
        if len(sites) > CLUSTER_ABOVE:
            cluster = MarkerCluster(
                control=False,
                options={"disableClusteringAtZoom": 12, "maxClusterRadius": 50,
                         "showCoverageOnHover": False, "spiderfyOnMaxZoom": False},
                icon_create_function=_CLUSTER_ICON_JS,
            )
            cluster.add_to(m)
        op_col = sites["operator"].to_numpy()
        for op in operators:
            sel = np.flatnonzero(op_col == op)
            colour = OPERATOR_COLOURS.get(op, "#000000")
            icon = folium.DivIcon(
                html=f'<div class="site-icon" style="border-bottom-color:{colour}"></div>',
                icon_size=(10, 9),
                icon_anchor=(5, 5),
                class_name="site-marker",
            )
            name = _swatch_name(colour, f"{t('site', lang)}: {_operator_label(op)}{sx}", "tri")
            geo = folium.GeoJson(
                _feature_collection(_round_geoms(sites.geometry.values[sel]),
                                    [sprops[i] for i in sel]),
                name=name,
                marker=folium.Marker(icon=icon),
                on_each_feature=_tip_js(_site_spec(op, lang, sites_syn)),
                control=cluster is None,
            )
            if cluster is not None:
                group = FeatureGroupSubGroup(cluster, name=name)
                group.add_to(m)
                geo.add_to(group)
            else:
                geo.add_to(m)

    index = _SearchIndex(search_members)
    index.add_to(m)
    _Search(
        index,
        (t("search_placeholder", lang), t("search_not_found", lang), t("search_cancel", lang)),
    ).add_to(m)
    if declared_coverage is not None and len(declared_coverage):
        for layer in declared_coverage_layers(declared_coverage, lang):
            layer.add_to(m)
    if selected is not None:
        ring = selection_layer(status, selected)
        if ring is not None:
            ring.add_to(m)
    _Legend(
        _legend_html(
            lang, has_sites=has_sites, sites_syn=sites_syn, fibre_syn=fibre_syn,
            operators=operators, declared_ops=declared_ops, declared_doc=declared_doc,
            has_fibre=has_fibre, units=units, missing_communes=missing_communes,
            has_approximate=bool(
                units == "2025" and communes["geometry_method"].eq("approximate").any()
            ),
            statuses=statuses, legend_open=legend_open,
        )
    ).add_to(m)
    _Attribution(map_attribution()).add_to(m)
    folium.LayerControl(collapsed=collapsed_layers, position="topright").add_to(m)

    frame = communes if len(communes) else status
    if len(frame):
        minx, miny, maxx, maxy = frame.total_bounds
        # Leave room for the legend (bottom left) and the search box (top left).
        m.fit_bounds([[miny, minx], [maxy, maxx]],
                     padding_top_left=(300, 10) if legend_open else (10, 50),
                     padding_bottom_right=(10, 10))
    return use_vendored_assets(m, _INLINE if assets == "inline" else APP_VENDOR_URL)


def selection_layer(status: pd.DataFrame, village_id: str | None) -> folium.FeatureGroup | None:
    """A black ring (not clickable) on the village ``village_id`` of ``status``; None when the
    village is not there or has no point.

    The app adds it to a drawn map without reloading it (``st_folium``'s
    ``feature_group_to_add``), so that the map keeps its view when the planner picks a village.
    """
    if village_id is None:
        return None
    hit = status[status["village_id"] == village_id]
    if not len(hit) or hit.geometry.iloc[0] is None or hit.geometry.iloc[0].is_empty:
        return None
    pt = hit.geometry.iloc[0]
    group = folium.FeatureGroup(name=_e(t("selected", "vi")), control=False)
    folium.CircleMarker(
        [pt.y, pt.x], radius=18, color=SELECTED_COLOUR, weight=2.5, fill=False,
        interactive=False,
    ).add_to(group)
    return group


_CLUSTER_ICON_JS = """function(cluster) {
    var n = cluster.getChildCount();
    return L.divIcon({
        html: '<div class="site-cluster-icon">' + n + '</div>',
        className: "site-cluster", iconSize: L.point(24, 24)
    });
}"""


def map_html(m: folium.Map) -> str:
    """The whole HTML page of a folium map."""
    return m.get_root().render()


def standalone_html(model: Model, lang: str = "vi", **kwargs) -> str:
    """The map of ``model`` as a standalone HTML page: title, synthetic banner, attribution.

    The page needs no network: Leaflet and its plugins are inlined (vendored copies, see
    :data:`VENDORED`); only the base-map tiles come from elsewhere (OpenStreetMap, or a local
    source: :mod:`layers.tiles`), and without them the layers draw on a plain background.

    Parameters
    ----------
    model
        The built model.
    lang
        ``"vi"`` or ``"en"``.
    **kwargs
        Passed to :func:`build_map` (``district_code``, ``simplify_m``).

    Returns
    -------
    str
        The page, UTF-8 text.
    """
    check_lang(lang)
    m = build_map(model, lang=lang, assets="inline", **kwargs)
    root = m.get_root()
    title = f"{t('page_title', lang)}: {model.province}"
    district_code = kwargs.get("district_code")
    if kwargs.get("units") == "2025":
        ctx = units2025.context(model)
        title = f"{t('page_title', lang)}: {ctx.province_2025}"
        code = kwargs.get("commune_2025_code")
        names = ctx.communes_2025.set_index("commune_2025_code")["commune_2025"]
        if code is not None and code in names.index:
            title = f"{t('page_title', lang)}: {names[code]}, {ctx.province_2025}"
        title += f" ({t('units_2025_long', lang)})"
    elif district_code is not None:
        names = model.communes.loc[model.communes["district_code"] == district_code, "district"]
        if len(names):
            title = f"{t('page_title', lang)}: {names.iloc[0]}, {model.province}"
    if model.year is not None:
        title += f" ({model.year})"
    root.header.add_child(
        _Markup(
            f"<title>{_e(title)}</title>"
            "<style>html, body {height: 100%;} body {display: flex; flex-direction: column;}"
            " .folium-map {flex: 1 1 auto; min-height: 0; height: auto !important;}"
            " .page-head {font: 14px/1.4 'Segoe UI', Roboto, Arial, sans-serif; padding: 6px 12px;"
            " border-bottom: 1px solid #ccc; background: #fff;}"
            " .page-head h1 {font-size: 18px; margin: 0 0 2px 0;}"
            " .synthetic-banner {background: #fff3cd; color: #664d03; border: 1px solid #ffe69c;"
            " padding: 4px 8px; margin: 3px 0; border-radius: 4px;}"
            " .page-foot {font: 11px/1.3 'Segoe UI', Roboto, Arial, sans-serif; color: #555;"
            " padding: 3px 12px; border-top: 1px solid #ccc; background: #fff; order: 2;}"
            " .folium-map {order: 1;} .page-head {order: 0;}</style>"
        ),
        name="page_style",
    )
    banners = []
    syn_layers = synthetic_layers(model)
    if syn_layers:
        label = demo.LABEL_VI if lang == "vi" else demo.LABEL_EN
        what = ", ".join(t(f"layer_{k}", lang) for k in syn_layers if f"layer_{k}" in _LAYER_KEYS)
        banners.append(f"⚠ {_e(label)}: {_e(what)}")
    reg = model.data.register
    banners.append(_e(reg.note_vi if lang == "vi" else reg.note_en))
    head = (
        f'<div class="page-head"><h1>{_e(title)}</h1>'
        + "".join(f'<div class="synthetic-banner">{b}</div>' for b in banners)
        + "</div>"
    )
    foot = (
        f'<div class="page-foot">{_e(t("attribution", lang))}: {_e(registry.attribution())}'
        f" · {_e(t('coverage_model_note', lang))}</div>"
    )
    root.html.add_child(_Markup(head), name="page_head", index=0)
    root.html.add_child(_Markup(foot), name="page_foot")
    page = _inline_vendored(root.render())
    log.info("map of %s: %.2f MB", model.province, len(page.encode("utf-8")) / 1e6)
    return page


_LAYER_KEYS = {"layer_villages", "layer_communes", "layer_sites", "layer_unserved", "layer_fibre"}


def declared_coverage_layers(declared: gpd.GeoDataFrame, lang: str) -> list[folium.FeatureGroup]:
    """Operators' declared coverage, one dashed-outline layer per operator (hidden at first)."""
    title = "Vùng phủ sóng doanh nghiệp công bố" if lang == "vi" else "Declared coverage"
    layers = []
    for op, part in declared.to_crs("EPSG:4326").groupby("operator", sort=False):
        colour = OPERATOR_COLOURS.get(op, "#000")
        tech = part["technology"].astype(str) if "technology" in part else ""
        shown = gpd.GeoDataFrame(
            {"label": _e(f"{title}: {_operator_label(op)}") + " " + tech.map(_e)},
            geometry=shapely.set_precision(part.geometry.values, 1e-5),
            crs="EPSG:4326",
        )
        group = folium.FeatureGroup(name=_e(f"{title}: {_operator_label(op)}"), show=False)
        folium.GeoJson(
            shown.to_json(),
            style_function=lambda _f, c=colour: {
                "color": c, "weight": 2, "dashArray": "6 4", "fillOpacity": 0.05,
            },
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(group)
        layers.append(group)
    return layers
