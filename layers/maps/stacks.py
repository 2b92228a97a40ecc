"""Villages stacked on one point (those the register locates only at their commune's point):
one marker with their count, whose popup lists them.

The marker is a badge beside the point (up and to the right), so the top village's own circle
stays under the pointer.

Without it only the top circle of a stack could be clicked. The marker is a ``DivIcon`` in the
marker pane (above the canvas of the village circles); its popup lists each village with its gap
class, in Vietnamese alphabetical order. Its ``m`` property holds the villages' keys, so the
map's filter (:mod:`layers.maps.filtering`) hides a stack whose villages are all filtered out.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.utilities import JsCode

from geo import finding
from geo.names import vietnamese_sort_keys
from layers.i18n import t
from layers.maps.common import GAP_COLOURS, _e, _feature_collection, _round_geoms

__all__ = ["stack_layer"]

#: The marker shows the count; its popup (on click: no tooltip, so that hovering never hides
#: the villages' own) the title and the list, both escaped in Python.
_STACK_JS = """function(feature, layer) {
    var p = feature.properties;
    layer.setIcon(L.divIcon({
        html: '<div class="village-stack-icon">' + p.c + '</div>',
        className: "village-stack", iconSize: L.point(18, 18), iconAnchor: L.point(-3, 21)
    }));
    layer.bindPopup("<b>" + p.t + "</b><br>" + p.l, {maxWidth: 360});
}"""



def stack_layer(
    status: gpd.GeoDataFrame, lang: str, *, has_sites: bool, name: str,
    pairs: np.ndarray | None = None,
) -> folium.GeoJson | None:
    """One marker per point holding several villages; None when no point does.

    Parameters
    ----------
    status
        The villages drawn (``village_id``, ``village``, ``commune``, ``gap_class``).
    lang
        ``"vi"`` or ``"en"``.
    has_sites
        Whether gap classes mean anything (else the villages are listed without them).
    name
        The layer's name in the layer control (escaped HTML).
    pairs
        In the 2025 units, "Xã A (cũ) → Xã B (mới)" per village (aligned to ``status``),
        shown instead of the commune.
    """
    group = finding.stacked(status)
    many = group.notna().to_numpy()
    if not many.any():
        return None
    s = status.loc[many]
    gap = s["gap_class"].astype(str) if has_sites else pd.Series("nosites", index=s.index)
    colour = gap.map(GAP_COLOURS).fillna(GAP_COLOURS["nosites"])
    label = gap.map({k: _e(t(f"gap_{k}", lang)) for k in GAP_COLOURS}).fillna("")
    if pairs is not None:
        where = (" — " + _e(t("commune_old_new", lang)) + ": "
                 + pd.Series(np.asarray(pairs, dtype=object)[many], index=s.index).map(_e))
    else:
        where = " (" + s["commune"].map(_e) + ")"
    item = (
        '<span style="color:' + colour + '">&#9679;</span> <b>'
        + s["village"].map(_e) + "</b>" + where
        + np.where(has_sites, " — " + label, "")
    )
    frame = pd.DataFrame({
        "g": group[many].astype(int).to_numpy(),
        "item": item.to_numpy(),
        "k": s["village_id"].map(_e).to_numpy(),
        "order": vietnamese_sort_keys(s["village"].astype(str)).to_numpy(),
    }).sort_values(["g", "order"], kind="stable")
    by = frame.groupby("g", sort=True)
    lists = by["item"].agg("<br>".join)
    keys = by["k"].agg(list)
    counts = by.size()
    first = pd.Series(np.flatnonzero(many), index=group[many].astype(int).to_numpy())
    first = first[~first.index.duplicated()].sort_index()
    props = [
        {"c": int(n), "t": _e(t("map.stacked_title", lang, n=int(n))), "l": lst, "m": ks}
        for n, lst, ks in zip(counts.to_numpy(), lists.to_numpy(), keys.to_numpy(), strict=True)
    ]
    points = _round_geoms(status.geometry.to_numpy()[first.to_numpy()])
    return folium.GeoJson(
        _feature_collection(points, props),
        name=name,
        marker=folium.Marker(icon=folium.DivIcon(html="", class_name="village-stack")),
        on_each_feature=JsCode(_STACK_JS),
    )

