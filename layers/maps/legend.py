"""The legend control and its HTML."""

from __future__ import annotations

import folium
from folium.template import Template

from geo import assignments as asg
from layers.i18n import fmt_number, fmt_percent, t
from layers.maps.common import (
    FIBRE_COLOUR,
    GAP_COLOURS,
    NO_DATA_COLOUR,
    NO_VILLAGES_COLOUR,
    OPERATOR_COLOURS,
    SHARE_CLASSES,
    STATUS_COLOURS,
    _e,
    _operator_label,
    _synthetic_suffix,
)


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
        .village-stack-icon {width: 18px; height: 18px; border-radius: 50%;
            box-sizing: border-box; background: #fff; color: #222; border: 2px dashed #555;
            text-align: center; font: 700 10px/14px Arial, sans-serif;
            box-shadow: 0 0 3px rgba(0,0,0,0.45);}
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
