"""Sites, one layer per operator (clustered when many), and operators' declared coverage."""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely

from geo.sites import OPERATORS
from layers.i18n import fmt_date, t
from layers.maps.common import (
    OPERATOR_COLOURS,
    TipLine,
    _e,
    _operator_label,
    _synthetic_suffix,
    _text,
)


def _site_props(sites: gpd.GeoDataFrame, lang: str, keys=None) -> list[dict]:
    """Escaped properties of the sites (see :func:`_site_spec`); ``keys`` (ints aligned to
    ``sites``: the rows' positions in the model's sites) become ``k``, the filter's key."""
    ops_at: dict = {}
    if "physical_site_id" in sites.columns and len(sites):
        ops_at = sites.groupby("physical_site_id")["operator"].agg(
            lambda s: ", ".join(_operator_label(o) for o in OPERATORS if o in set(s))
        ).to_dict()
    props = []
    for j, r in enumerate(sites.itertuples(index=False)):
        d = r._asdict()
        pid = _text(d.get("physical_site_id"))
        props.append(
            {
                "t": _e(d.get("technology")),
                "i": _e(d.get("site_id")),
                "dt": _e(fmt_date(d.get("on_air_date"), lang)) if "on_air_date" in d else "",
                "ps": f"{_e(pid)} ({_e(ops_at.get(pid, ''))})" if pid else "",
                "k": int(keys[j]) if keys is not None else j,
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


_CLUSTER_ICON_JS = """function(cluster) {
    var n = cluster.getChildCount();
    return L.divIcon({
        html: '<div class="site-cluster-icon">' + n + '</div>',
        className: "site-cluster", iconSize: L.point(24, 24)
    });
}"""


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
