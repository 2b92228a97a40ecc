"""The register's assignments as rings in the colour of their status, and the selection
ring."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.utilities import JsCode

from geo import assignments as asg
from layers.i18n import fmt_date, t
from layers.maps.common import (
    SELECTED_COLOUR,
    STATUS_COLOURS,
    TipLine,
    _e,
    _js_json,
    _missing,
    _operator_label,
    _text,
)
from layers.maps.villages import _id_line

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
        p["k"] = _e(d.get("village_id"))
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


def ring_points(assignments: gpd.GeoDataFrame, status: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Where each assignment's ring is drawn: its village's point in ``status`` (which holds
    the planner's placements: :func:`geo.placements.apply_placements`), else the point the
    register stored.

    Parameters
    ----------
    assignments
        :func:`geo.assignments.to_geodataframe` (``village_id`` and the stored point).
    status
        The model's villages (``village_id``, geometry).

    Returns
    -------
    geopandas.GeoSeries
        Aligned to ``assignments``, EPSG:4326.
    """
    located = status[~(status.geometry.isna() | status.geometry.is_empty)]
    points = located.drop_duplicates("village_id").set_index("village_id").geometry
    moved = assignments["village_id"].map(points)
    keep = moved.isna().to_numpy()
    geoms = np.where(keep, assignments.geometry.to_numpy(), moved.to_numpy())
    return gpd.GeoSeries(geoms, index=assignments.index, crs=assignments.crs or "EPSG:4326",
                         name="geometry")


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
