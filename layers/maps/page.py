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

import logging
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import FeatureGroupSubGroup, MarkerCluster
from folium.utilities import JsCode

from geo import assignments as asg
from geo import demo, finding, registry, units2025
from geo.pipeline import Model
from geo.sites import OPERATORS
from layers.i18n import check_lang, t
from layers.maps.assignments import (
    _assignment_props,
    _assignment_spec,
    _assignment_style_js,
    ring_points,
    selection_layer,
)
from layers.maps.base import (
    _INLINE,
    APP_VENDOR_URL,
    _add_base_layers,
    _Attribution,
    _Markup,
    _Scale,
    map_attribution,
    use_vendored_assets,
)
from layers.maps.common import (
    _METRES_PER_DEGREE,
    CLUSTER_ABOVE,
    FIBRE_COLOUR,
    GAP_COLOURS,
    NO_DATA_COLOUR,
    OPERATOR_COLOURS,
    SHARE_CLASSES,
    STATUS_COLOURS,
    _e,
    _feature_collection,
    _in_bbox,
    _js_json,
    _operator_label,
    _points_layer,
    _round_geoms,
    _swatch_name,
    _synthetic_suffix,
    _text,
    _tip_js,
    synthetic_layers,
)
from layers.maps.communes import commune_layer
from layers.maps.filtering import _FilterIndex
from layers.maps.legend import _Legend, _legend_html
from layers.maps.search import _Search, _SearchIndex
from layers.maps.sites import _CLUSTER_ICON_JS, _site_props, _site_spec, declared_coverage_layers
from layers.maps.stacks import stack_layer
from layers.maps.villages import (
    _declared_props,
    _declared_spec,
    _display_pairs,
    _village_props,
    _village_spec,
    _village_style_js,
)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------


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
    stacks: bool | None = None,
    nearest: bool = True,
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
    stacks
        Draw one marker per point holding several villages, whose popup lists them
        (:mod:`layers.maps.stacks`); default: when ``village_ids`` is False (a page that
        picks villages by clicking them needs their own circles on top).
    nearest
        Say in each village's popup how far each operator's nearest site is
        (:func:`geo.finding.nearest_site_m`, over all the model's sites).

    Every village, declared village, assignment and site feature carries a key (``k``) and the
    map defines ``window.coverageFilter`` (:mod:`layers.maps.filtering`): the app filters a
    drawn map with :func:`layers.maps.filter_layer` without building it again. Assignment
    rings are drawn at their village's point in the model (a village placed by hand moves its
    ring: :func:`layers.maps.assignments.ring_points`).

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
    village_layers: list[folium.map.Layer] = []
    site_layers: list[tuple] = []
    stack_layers: list[folium.map.Layer] = []

    # Villages, one layer per gap class.
    near = (finding.nearest_site_m(status, model.sites)
            if nearest and has_sites and len(status) else None)
    vprops = _village_props(status, lang, has_sites, units=units, ids=village_ids, nearest=near)
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
        village_layers.append(layer)

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
        layer = _points_layer(
            declared, dprops, _swatch_name("#333333", name, "ring"), style,
            _declared_spec(lang, sites_syn, units=units, ids=village_ids),
        )
        layer.add_to(m)
        village_layers.append(layer)

    # The register's assignments: rings in the colour of their status.
    statuses: list[str] = []
    if assignments is not None and len(assignments):
        a = assignments.set_geometry(ring_points(assignments, status))
        a = a[~(a.geometry.isna() | a.geometry.is_empty)]
        pairs = None
        if units == "2025":
            by_id = status.drop_duplicates("village_id").set_index("village_id")
            pairs = pd.Series(_display_pairs(by_id, lang), index=by_id.index)
        present = set(a["status"])
        statuses = [st for st in asg.STATUSES if st in present]
        layer = _points_layer(
            a, _assignment_props(a, lang, pairs=pairs, ids=village_ids),
            _swatch_name(STATUS_COLOURS["assigned"], t("assignment_layer", lang), "ring"),
            _assignment_style_js(), _assignment_spec(lang, units=units, ids=village_ids),
        )
        layer.add_to(m)
        village_layers.append(layer)

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
        layer = _points_layer(
            status.iloc[sel], [vprops[i] for i in sel],
            _swatch_name(FIBRE_COLOUR, t("fibre_villages", lang) + fx), style, vspec, show=False,
        )
        layer.add_to(m)
        village_layers.append(layer)

    # Sites, one layer per operator; when there are many, all operators share one cluster group
    # (each operator stays a layer of its own in the layer control).
    operators = [op for op in OPERATORS if len(sites) and op in set(sites["operator"])]
    if len(sites):
        sprops = _site_props(sites, lang, keys=model.sites.index.get_indexer(sites.index))
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
            colour = _hex_colour(OPERATOR_COLOURS.get(op, "#000000"))
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
                site_layers.append((geo, cluster, group))
            else:
                geo.add_to(m)
                site_layers.append((geo, None, None))

    # Villages stacked on one point: one marker with their count, its popup lists them.
    if (not village_ids) if stacks is None else stacks:
        stack = stack_layer(
            status, lang, has_sites=has_sites,
            name=_swatch_name("#555555", t("location_commune_note", lang), "ring"),
            pairs=_display_pairs(status, lang)
            if units == "2025" and "units_display" in status.columns else None,
        )
        if stack is not None:
            stack.add_to(m)
            stack_layers.append(stack)

    _FilterIndex(village_layers, site_layers, stack_layers).add_to(m)
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
    from layers import maps as package  # its _inline_vendored (benchmarks replace it)

    page = package._inline_vendored(root.render())
    log.info("map of %s: %.2f MB", model.province, len(page.encode("utf-8")) / 1e6)
    return page


_LAYER_KEYS = {"layer_villages", "layer_communes", "layer_sites", "layer_unserved", "layer_fibre"}


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _hex_colour(value: str) -> str:
    """``value`` if it is a ``#rrggbb`` colour, else ``ValueError``: the only text built into a
    DivIcon's HTML (Jinja source), so nothing but a colour can ever reach the template."""
    if not _HEX_COLOUR.fullmatch(str(value)):
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    return value
