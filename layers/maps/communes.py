"""The communes layer: simplified polygons shaded by the share of villages covered."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.utilities import JsCode

from geo import units2025
from layers.i18n import fmt_number, fmt_percent, t
from layers.maps.common import (
    _METRES_PER_DEGREE,
    NO_DATA_COLOUR,
    NO_VILLAGES_COLOUR,
    SHARE_CLASSES,
    TipLine,
    _e,
    _feature_collection,
    _js_json,
    _num,
    _round_geoms,
    _share_class,
    _synthetic_suffix,
    _text,
    _tip_js,
)


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
