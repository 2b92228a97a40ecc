"""Villages (by gap class, fibre) and the plan's declared unserved villages."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from folium.utilities import JsCode

from geo import units2025
from geo.sites import OPERATORS
from layers.i18n import fmt_number, t
from layers.maps.common import TipLine, _e, _missing, _operator_label, _synthetic_suffix, _text


def nearest_text(nearest: pd.DataFrame, lang: str) -> np.ndarray:
    """"Viettel 1,2 km · VNPT 3,4 km" per village from :func:`geo.finding.nearest_site_m`
    (escaped; "" where no operator has a site)."""
    out = np.full(len(nearest), "", dtype=object)
    for op in nearest.columns:
        km = nearest[op].to_numpy(dtype=float) / 1000.0
        ok = ~np.isnan(km)
        value = np.char.mod("%.1f", km[ok])  # at most hundreds of km: no thousands mark
        if fmt_number(0.5, lang, 1) == "0,5":
            value = np.char.replace(value, ".", ",")
        unit = _e(t("map.km", lang, value="\x00")).split("\x00")
        text = _e(_operator_label(op)) + " " + unit[0] + value.astype(object) + unit[1]
        sep = np.where(out[ok] == "", "", " · ").astype(object)
        out[ok] = out[ok] + sep + text
    return out


def _village_props(
    status: pd.DataFrame, lang: str, has_sites: bool, *, units: str = "pre2025",
    ids: bool = False, nearest: pd.DataFrame | None = None,
) -> list[dict]:
    """Escaped properties of the villages (see :func:`_village_spec`).

    In the 2025 units the commune is "Xã A (cũ) → Xã B (mới)" (``units_display``) and the
    district is left out; ``ids`` adds the ``village_id`` (``i``, last line of the tooltip).
    Every village carries its escaped ``village_id`` as ``k`` (the filter's key:
    :mod:`layers.maps.filtering`); ``nearest`` (:func:`geo.finding.nearest_site_m`, aligned
    to ``status``) adds the distance to each operator's nearest site (``ns``).
    """
    near = nearest_text(nearest, lang) if nearest is not None and len(nearest.columns) else None
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
        if near is not None and near[i]:
            p["ns"] = near[i]
        p["k"] = _e(d.get("village_id"))
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
        (_e(t("map.nearest_site", lang) + sx), "ns", "", None),
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
        p["k"] = _e(d.get("village_id"))
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
