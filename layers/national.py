"""The national map: all Vietnam's provinces and their units on one light, offline page.

:func:`national_map` turns :func:`geo.national.outlines` and :func:`geo.national.province_figures`
into a :class:`folium.Map`; :func:`national_html` wraps it in a standalone page (Leaflet inlined,
no network needed: :func:`layers.maps.use_vendored_assets`).

Light
    The outlines are simplified once upstream (shared edges kept shared) and quantised to the
    grid :data:`geo.national.GRID`. Geometry travels as integers on that grid, each ring's
    vertices as differences from the previous one (a ring's closing vertex dropped), in flat
    arrays with offsets, the way TopoJSON quantises: a small fixed decoder turns them into
    GeoJSON in the browser. Styles are by class: one fixed, data-free style function per layer
    keyed on a class property (the province's share class and data origin, the commune's
    geometry method), never one style object per feature. The canvas renderer draws them.

Safe
    Every data string (names, codes, labels) is escaped with :func:`layers.maps.escape_html`
    in Python; all data reaches the page as JSON through template *variables* (``tojson``),
    never as template source; the scripts are fixed text.

Province
    Each province is filled by its share of villages within mobile broadband coverage (the five
    classes of the province map) when it has site data, striped grey ("chưa có dữ liệu") when it
    has none, and outlined dashed when its data is synthetic ("mô phỏng"). A click opens a popup
    with its data state and figures and zooms to it; in the app the popup also links to the map
    page with the province chosen (``link="app"``).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template

from geo import national
from geo.i18n import check_lang, enum_label, fmt_number, fmt_percent, t
from geo.vocab import DataOrigin, UnitSystem
from layers.maps import (
    _INLINE,
    APP_VENDOR_URL,
    NO_DATA_COLOUR,
    SHARE_CLASSES,
    _inline_vendored,
    escape_html,
    map_attribution,
    use_vendored_assets,
)

__all__ = ["encode_geometries", "national_html", "national_map", "province_class"]

#: The app's map page (URL path of ``ui/pages/ban_do.py`` in :data:`ui.app_common.PAGES`).
APP_MAP_PATH = "./ban-do"

_ORIGIN_CODE = {DataOrigin.PLANNER: "p", DataOrigin.SYNTHETIC: "s", DataOrigin.NONE: "n"}


def province_class(share) -> int:
    """The index of a share (0–1) in :data:`layers.maps.SHARE_CLASSES`; -1 when missing."""
    if share is None or pd.isna(share):
        return -1
    uppers = np.array([u for u, _ in SHARE_CLASSES])
    return int(min(np.searchsorted(uppers, float(share), side="right"), len(uppers) - 1))


def encode_geometries(geoms, grid: float = national.GRID) -> dict:
    """Polygons as integers on ``grid``, delta-encoded per ring, in flat arrays.

    Returns
    -------
    dict
        ``c``: x, y pairs (each ring's first vertex absolute, then differences; closing vertex
        dropped); ``r``: ring ends (in vertices); ``p``: polygon ends (in rings); ``f``:
        feature ends (in polygons). A feature with no geometry has no polygon.
    """
    g = np.asarray(geoms, dtype=object)
    g = np.where(shapely.is_missing(g), shapely.Polygon(), g)
    kind, coords, offsets = shapely.to_ragged_array(g)
    ring_off = np.asarray(offsets[0], dtype=np.int64)
    if kind == shapely.GeometryType.MULTIPOLYGON:
        poly_off, feat_off = (np.asarray(o, dtype=np.int64) for o in offsets[1:])
    else:  # Polygons: a feature has one polygon, or none when empty
        rings_per_feature = np.diff(np.asarray(offsets[1], dtype=np.int64))
        poly_off = np.concatenate([[0], np.cumsum(rings_per_feature[rings_per_feature > 0])])
        feat_off = np.concatenate([[0], np.cumsum(rings_per_feature > 0)])
    q = np.rint(coords / grid).astype(np.int64)
    # Drop each ring's closing vertex.
    keep = np.ones(len(q), dtype=bool)
    keep[ring_off[1:] - 1] = False
    starts = ring_off[:-1]
    delta = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    delta[starts[starts < len(q)]] = q[starts[starts < len(q)]]
    ends = np.cumsum(np.diff(ring_off) - 1)
    return {
        "c": delta[keep].ravel().tolist(),
        "r": ends.tolist(),
        "p": poly_off[1:].tolist(),
        "f": feat_off[1:].tolist(),
        "q": grid,
    }


def _popup(row, lang: str, units: str, link: str | None) -> str:
    """A province's popup (HTML, every data string escaped)."""
    e = escape_html
    origin = DataOrigin(row.origin)
    lines = [f"<b>{e(row.province)}</b>", e(enum_label(origin, lang))]
    if row.imported:
        kinds = ", ".join(row.imported.split(";"))
        lines.append(f"{e(t('national.imported', lang))}: {e(kinds)}")
    if origin != DataOrigin.NONE:
        syn = f" ({e(t('synthetic_short', lang))})" if origin == DataOrigin.SYNTHETIC else ""
        lines += [
            f"{e(t('national.villages', lang))}: {e(fmt_number(row.villages, lang))}",
            f"{e(t('national.share', lang))}: "
            f"<b>{e(fmt_percent(row.villages_mobile_share, lang))}</b>{syn}",
            f"{e(t('national.total_not_spots', lang))}: "
            f"{e(fmt_number(row.total_not_spots, lang))}{syn}",
            f"{e(t('national.partial_not_spots', lang))}: "
            f"{e(fmt_number(row.partial_not_spots, lang))}{syn}",
        ]
    if link == "app":
        href = f"{APP_MAP_PATH}?tinh={e(row.province_code)}&amp;don_vi={e(units)}"
        lines.append(f'<a href="{href}" target="_top">{e(t("national.open_province", lang))}</a>')
    else:
        lines.append(
            "<small>"
            + e(t("national.open_command", lang, code=row.province_code, units=units))
            + "</small>"
        )
    return "<br>".join(lines)


def _province_data(
    outlines: national.Outlines, figures: pd.DataFrame, lang: str, link: str | None
) -> dict:
    prov = outlines.provinces.merge(
        figures.drop(columns=["province"]), on="province_code", how="left", validate="1:1"
    )
    prov["origin"] = prov["origin"].fillna(DataOrigin.NONE.value)
    prov["imported"] = prov["imported"].fillna("")
    units = str(outlines.units)
    return {
        "geom": encode_geometries(prov.geometry.to_numpy()),
        "code": [escape_html(c) for c in prov["province_code"]],
        "name": [escape_html(n) for n in prov["province"]],
        "k": [province_class(s) for s in prov["villages_mobile_share"]],
        "o": [_ORIGIN_CODE[DataOrigin(o)] for o in prov["origin"]],
        "popup": [_popup(r, lang, units, link) for r in prov.itertuples(index=False)],
    }


def _unit_data(communes: gpd.GeoDataFrame) -> dict:
    return {
        "geom": encode_geometries(communes.geometry.to_numpy()),
        "code": [escape_html(c) for c in communes["unit_code"]],
        "name": [escape_html(n) for n in communes["unit"]],
        "k": [{"exact": 0, "approximate": 1}.get(m, 2) for m in communes["geometry_method"]],
    }


class _NationalLayers(folium.MacroElement):
    """The provinces and their units, decoded from the quantised arrays; fixed style
    functions keyed on class properties; every string in ``this.data`` was escaped before."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .national-legend {background: rgba(255,255,255,0.94); padding: 6px 9px; color: #222;
            font: 12px/1.35 "Segoe UI", Roboto, Arial, sans-serif; border-radius: 5px;
            box-shadow: 0 1px 5px rgba(0,0,0,0.35); max-width: 300px;}
        .national-legend .row {display: flex; align-items: center; gap: 6px; margin: 1px 0;}
        .national-legend .sw {width: 16px; height: 11px; border: 1px solid #555;}
        .national-tip {font: 12px/1.35 "Segoe UI", Roboto, Arial, sans-serif;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            var data = {{ this.data|tojson }};
            var COLOURS = {{ this.colours|tojson }}, NODATA = {{ this.nodata|tojson }};
            function decode(g, i) {
                var q = g.q, f0 = i ? g.f[i - 1] : 0, polys = [];
                for (var p = f0; p < g.f[i]; p++) {
                    var r0 = p ? g.p[p - 1] : 0, rings = [];
                    for (var r = r0; r < g.p[p]; r++) {
                        var v0 = r ? g.r[r - 1] : 0, x = 0, y = 0, ring = [];
                        for (var v = v0; v < g.r[r]; v++) {
                            if (v === v0) { x = g.c[2 * v]; y = g.c[2 * v + 1]; }
                            else { x += g.c[2 * v]; y += g.c[2 * v + 1]; }
                            ring.push([x * q, y * q]);
                        }
                        rings.push(ring);
                    }
                    polys.push(rings);
                }
                return polys.length ? {type: "MultiPolygon", coordinates: polys} : null;
            }
            function features(d, props) {
                var out = [];
                for (var i = 0; i < d.code.length; i++) {
                    var geom = decode(d.geom, i);
                    if (geom) out.push({type: "Feature", geometry: geom, properties: props(i)});
                }
                return {type: "FeatureCollection", features: out};
            }
            var renderer = L.canvas({padding: 0.2});
            var P = data.provinces, U = data.units;
            var provinces = L.geoJSON(features(P, function (i) {
                return {i: i, k: P.k[i], o: P.o[i]};
            }), {
                renderer: renderer,
                style: function (f) {
                    var k = f.properties.k, o = f.properties.o;
                    return {color: "#333333", weight: 1.2, dashArray: o === "s" ? "5 4" : null,
                            fillColor: k >= 0 ? COLOURS[k] : NODATA,
                            fillOpacity: k >= 0 ? 0.6 : 0.3};
                },
                onEachFeature: function (f, layer) {
                    var i = f.properties.i;
                    layer.bindTooltip(P.name[i], {sticky: true, className: "national-tip"});
                    layer.bindPopup(P.popup[i], {maxWidth: 360});
                    layer.on("click", function () { map.fitBounds(layer.getBounds()); });
                }
            }).addTo(map);
            var units = L.geoJSON(features(U, function (i) {
                return {i: i, k: U.k[i]};
            }), {
                renderer: renderer, interactive: false,
                style: function (f) {
                    return {color: "#555555", weight: 0.35, opacity: 0.8, fill: false,
                            dashArray: f.properties.k === 1 ? "2 2" : null};
                }
            }).addTo(map);
            var overlays = {};
            overlays[data.names.provinces] = provinces;
            overlays[data.names.units] = units;
            L.control.layers(null, overlays, {collapsed: true}).addTo(map);
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "national-legend");
                div.innerHTML = data.legend;
                return div;
            };
            legend.addTo(map);
            map.fitBounds(provinces.getBounds());
            window.nationalLayers = {provinces: provinces, units: units};
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict) -> None:
        super().__init__()
        self._name = "NationalLayers"
        self.data = data
        self.colours = [c for _, c in SHARE_CLASSES]
        self.nodata = NO_DATA_COLOUR


class _Markup(folium.Element):
    """Pre-escaped markup inserted as a template variable (never compiled as a template)."""

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Markup"
        self.markup = markup


def _legend(lang: str, units: str) -> str:
    e = escape_html
    rows = [f"<b>{e(t('national.legend_title', lang))}</b>"]
    lower = 0.0
    for upper, colour in SHARE_CLASSES:
        label = f"{fmt_percent(lower, lang, 0)} – {fmt_percent(upper, lang, 0)}"
        rows.append(
            f'<div class="row"><span class="sw" style="background:{colour}"></span>{e(label)}</div>'
        )
        lower = upper
    rows.append(
        f'<div class="row"><span class="sw" style="background:{NO_DATA_COLOUR}">'
        f"</span>{e(enum_label(DataOrigin.NONE, lang))}</div>"
    )
    rows.append(
        f'<div class="row"><span class="sw" style="border-style:dashed"></span>'
        f"{e(enum_label(DataOrigin.SYNTHETIC, lang))}</div>"
    )
    if units == UnitSystem.U2025:
        rows.append(
            f'<div class="row"><span class="sw" style="border:1px dotted #555">'
            f"</span>{e(t('national.approximate', lang))}</div>"
        )
    rows.append(f"<small>{e(t('national.simplified_note', lang))}</small>")
    return "".join(rows)


def national_map(
    outlines: national.Outlines,
    figures: pd.DataFrame,
    *,
    lang: str = "vi",
    link: str | None = None,
    assets: str = "app",
) -> folium.Map:
    """The national map of ``outlines`` with each province's ``figures``.

    Parameters
    ----------
    outlines
        :func:`geo.national.outlines`.
    figures
        :func:`geo.national.province_figures` in the same unit system.
    lang
        ``"vi"`` or ``"en"``.
    link
        ``"app"``: the popups link to the app's map page with the province chosen
        (``?tinh=CODE&don_vi=UNITS``); None: they give the command that writes its map.
    assets
        ``"app"`` (vendored files served by the app) or ``"inline"`` (for a standalone page).
    """
    check_lang(lang)
    units = str(outlines.units)
    layer_key = (
        "national.communes_layer" if units == UnitSystem.U2025 else ("national.districts_layer")
    )
    data = {
        "provinces": _province_data(outlines, figures, lang, link),
        "units": _unit_data(outlines.communes),
        "names": {
            "provinces": escape_html(t("national.provinces_layer", lang)),
            "units": escape_html(t(layer_key, lang)),
        },
        "legend": _legend(lang, units),
    }
    m = folium.Map(
        location=[16.0, 106.0],
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        zoom_snap=0.25,
        control_scale=True,
    )
    m.get_root().header.add_child(_Markup("<style>.folium-map {background: #dfe9f2;}</style>"))
    _NationalLayers(data).add_to(m)
    m.add_child(_Attribution(map_attribution()))
    return use_vendored_assets(m, _INLINE if assets == "inline" else APP_VENDOR_URL)


class _Attribution(folium.MacroElement):
    """The data credit (pre-escaped) in the map's attribution control."""

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


def national_html(outlines: national.Outlines, figures: pd.DataFrame, *, lang: str = "vi") -> str:
    """The national map as a standalone page (title, units, synthetic banner; no network).

    Returns
    -------
    str
        The page, UTF-8 text.
    """
    e = escape_html
    m = national_map(outlines, figures, lang=lang, assets="inline")
    units = str(outlines.units)
    synthetic = figures.loc[figures["origin"] == DataOrigin.SYNTHETIC.value, "province"]
    banner = (
        f'<div class="synthetic-banner">'
        f"{e(t('national.synthetic_banner', lang, names=', '.join(synthetic)))}</div>"
        if len(synthetic)
        else ""
    )
    head = (
        f"<title>{e(t('national.title', lang))}</title>"
        "<style>html, body {height: 100%; margin: 0;} body {display: flex;"
        " flex-direction: column;} .folium-map {flex: 1 1 auto; min-height: 0;"
        " height: auto !important; order: 1;}"
        " .page-head {font: 14px/1.4 'Segoe UI', Roboto, Arial, sans-serif; padding: 6px 12px;"
        " border-bottom: 1px solid #ccc; background: #fff; order: 0;}"
        " .page-head h1 {font-size: 18px; margin: 0 0 2px 0;}"
        " .synthetic-banner {background: #fff3cd; color: #664d03; border: 1px solid #ffe69c;"
        " padding: 4px 8px; margin: 3px 0; border-radius: 4px;}</style>"
    )
    root = m.get_root()
    root.header.add_child(_Markup(head))
    root.html.add_child(
        _Markup(
            f'<div class="page-head"><h1>{e(t("national.title", lang))}</h1>'
            f"{e(t(f'national.units_{units}', lang))}{banner}</div>"
        ),
        index=0,
    )
    return _inline_vendored(root.render())
