"""Colours, escaping and the small pieces every layer of the map uses."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.utilities import JsCode

from geo.operators import OPERATOR_DISPLAY
from geo.pipeline import Model
from layers.i18n import t

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


def _in_bbox(gdf: gpd.GeoDataFrame, bounds, pad: float) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = bounds
    return gdf.cx[minx - pad:maxx + pad, miny - pad:maxy + pad]
