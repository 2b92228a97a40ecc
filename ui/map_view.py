"""The map page's map: built once per data version, then only what changed is sent.

:func:`drawn_map` builds the folium map of a scope (:func:`layers.maps.build_map`) and turns it
into what the ``st_folium`` component draws (script, header, links) once per *data version*:
the model's key, the units and sub-scope, the language and the register's content. Widget state
(filters, search) is not in the key. :func:`show` hands the cached parts to the component with
a few small feature groups (:func:`layers.maps.filter_layer`, the selection ring) and, to go to
a found village, ``center``/``zoom``: the component keeps its map (same script, same key) and
only evaluates the groups, so a filter change sends a few kilobytes instead of the whole map
(~0.6 MB) and Leaflet does not start again.

This reproduces what :func:`streamlit_folium.st_folium` does before calling its component
(streamlit-folium 0.27: ``_get_html``, ``_get_header``, ``_get_map_string``,
``_get_feature_group_string``, ``generate_js_hash``, ``_component_func``), with the map's part
cached; tests/test_map_search_app.py and tests/test_app_browser.py draw the map through it.
"""

from __future__ import annotations

import dataclasses
import hashlib

import folium
import pandas as pd
import streamlit as st
import streamlit_folium as sf

from geo import finding
from geo.i18n import fmt_number, t
from geo.vocab import GapClass, Operator, Status, Technology
from layers import maps

__all__ = ["DrawnMap", "drawn_map", "filter_widgets", "frame_digest", "show"]


@dataclasses.dataclass(frozen=True)
class DrawnMap:
    """What the component needs of a built map (computed once per data version)."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    bounds: dict
    zoom: object


def _links(fmap: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    css: list[str] = []
    js: list[str] = []

    def walk(el):
        yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(fmap):
        css.extend(href for _, href in getattr(el, "default_css", []))
        js.extend(src for _, src in getattr(el, "default_js", []))
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def to_drawn(fmap: folium.Map) -> DrawnMap:
    """The component's parts of ``fmap`` (as ``st_folium`` makes them)."""
    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    css, js = _links(fmap)
    try:
        (s, w), (n, e) = fmap.get_bounds()
    except (AttributeError, TypeError, ValueError):
        s = w = n = e = None
    bounds = {"_southWest": {"lat": s, "lng": w}, "_northEast": {"lat": n, "lng": e}}
    return DrawnMap(script, header, html, sf.get_full_id(fmap), css, js, bounds,
                    fmap.options.get("zoom"))


@st.cache_resource(show_spinner=False, max_entries=12)
def _drawn(_model, key: tuple, lang: str, district: str | None, units: str,
           commune_2025: str | None, _assignments, assignments_key: str) -> DrawnMap:
    fmap = maps.build_map(
        _model, lang=lang, district_code=district, collapsed_layers=True, units=units,
        commune_2025_code=commune_2025, assignments=_assignments,
        declared_coverage=_model.declared_coverage,
    )
    return to_drawn(fmap)


def frame_digest(frame: pd.DataFrame | None) -> str:
    """A short digest of a frame's content (the register's version, for cache keys)."""
    if frame is None or not len(frame):
        return ""
    plain = pd.DataFrame(frame.drop(columns=[frame.geometry.name], errors="ignore")
                         if hasattr(frame, "geometry") else frame)
    values = pd.util.hash_pandas_object(plain.astype(str), index=False).to_numpy()
    return hashlib.sha256(values.tobytes()).hexdigest()[:16]


def drawn_map(model, scope, assignments_gdf) -> DrawnMap:
    """The scope's map, built once per data version (:attr:`ui.app_common.Scope.model_key`,
    units, district or new commune, language, the register's content)."""
    return _drawn(model, scope.model_key, scope.lang, scope.district, scope.units,
                  scope.commune_2025, assignments_gdf, frame_digest(assignments_gdf))


def _group_script(groups: list[folium.FeatureGroup]) -> str:
    """The feature groups as the component's script (``st_folium``'s conversion, on a
    throw-away map so that no cached map is touched)."""
    if not groups:
        return ""
    holder = folium.Map(tiles=None)
    return "".join(sf._get_feature_group_string(g, map=holder, idx=i)
                   for i, g in enumerate(groups))


def show(drawn: DrawnMap, *, key: str, groups: list[folium.FeatureGroup] | None = None,
         center: tuple[float, float] | None = None, zoom: int | None = None,
         height: int = 700) -> None:
    """Draw ``drawn`` with ``groups`` added, full width, returning nothing to the app."""
    sf._component_func(
        script=drawn.script,
        header=drawn.header,
        html=drawn.html,
        id=drawn.map_id,
        key=sf.generate_js_hash(drawn.script, key, False),
        height=height,
        width=None,
        returned_objects=[],
        default={},
        zoom=zoom,
        center=center,
        feature_group=_group_script(groups or []),
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(drawn.css_links),
        js_links=list(drawn.js_links),
        on_change=None,
        wrap_longitude=False,
    )


def filter_widgets(lang: str, *, has_sites: bool, statuses: list[str]) -> finding.MapFilter:
    """The map's filters (operator, technology, gap class, assignment status) in an expander;
    empty choices do not filter."""
    with st.expander(t("map.filters", lang)):
        st.caption(t("map.filter_help", lang))
        cols = st.columns(4)
        ops = cols[0].multiselect(
            t("map.filter_operator", lang), [o.value for o in Operator], key="map_f_operator",
            format_func=lambda o: maps.common._operator_label(o))
        techs = cols[1].multiselect(
            t("map.filter_technology", lang), [x.value for x in Technology], key="map_f_tech")
        gaps = cols[2].multiselect(
            t("map.filter_gap", lang), [g.value for g in GapClass], key="map_f_gap",
            format_func=lambda g: t(f"gap_{g}", lang), disabled=not has_sites)
        sts = cols[3].multiselect(
            t("map.filter_status", lang), statuses, key="map_f_status",
            format_func=lambda s: t(f"Status.{s}", lang), disabled=not statuses)
    return finding.MapFilter(
        operators=frozenset(Operator(o) for o in ops),
        technologies=frozenset(Technology(x) for x in techs),
        gap_classes=frozenset(GapClass(g) for g in gaps) if has_sites else frozenset(),
        statuses=frozenset(Status(s) for s in sts),
    )


def filtered_note(lang: str, flt: finding.MapFilter, shown: int, total: int, sites: int,
                  sites_total: int) -> str:
    """"Đang lọc: …" — what the map and the tables show under ``flt``."""
    what = []
    if flt.operators:
        what.append(", ".join(maps.common._operator_label(o) for o in sorted(flt.operators)))
    if flt.technologies:
        what.append(", ".join(sorted(flt.technologies)))
    if flt.gap_classes:
        what.append(", ".join(t(f"gap_{g}", lang) for g in sorted(flt.gap_classes)))
    if flt.statuses:
        what.append(", ".join(t(f"Status.{s}", lang) for s in sorted(flt.statuses)))
    return t("map.filtered_note", lang, shown=fmt_number(shown, lang),
             total=fmt_number(total, lang), sites=fmt_number(sites, lang),
             sites_total=fmt_number(sites_total, lang), what="; ".join(what))
