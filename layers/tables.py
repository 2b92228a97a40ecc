"""Tables for the screen and for files: indicators (Phụ lục 1 layout), unserved villages,
the assignment register's views.

:func:`indicator_rows` is the one list of indicator rows both the app's panel and
:func:`indicators_xlsx` show, in the layout of Phụ lục 1 of plan 4638/KH-UBND: Stt, Chỉ tiêu,
Đơn vị tính, Thực hiện, Mục tiêu năm Y, So sánh được (with why), Nguồn. Shares are written as
percentages (0–100) in files, as the plans print them.

:func:`count_served` makes the indicators count a village as served only when its assignment is
verified or when the coverage data says so (:func:`geo.assignments.served_status`). The
register's views (:func:`assignments_table`, :func:`by_operator_table`, :func:`by_district_table`,
:func:`overdue_table`, :func:`progress_long`, :func:`history_table`,
:func:`register_disagreements`, :func:`candidates_table`) put
:mod:`geo.assignments`' frames in the language of the screen; in the units from 01/07/2025 a
commune is shown with both names ("Xã Ẳng Tở (cũ) → Xã Búng Lao (mới)") and there is no district.

Words come from the catalog (:mod:`geo.i18n`): a register field is ``"field.<column>"``, a
status ``"Status.<value>"``; times are Vietnam's (dd/mm/yyyy HH:MM). No screen table shows
"nan", "None", "NaT" or "<NA>": a missing value is an empty cell (:func:`_no_missing`). Lists
by name are in Vietnamese alphabetical order (:func:`geo.names.vietnamese_sort_key`).
"""

from __future__ import annotations

import datetime as dt
import functools
import io

import numpy as np
import pandas as pd

from geo import assignments as asg
from geo import cells, demo, pipeline, plans, registry, units2025
from geo import units as units_mod
from geo.i18n import (
    MISSING,
    check_lang,
    comparable_label,
    enum_label,
    fmt_date,
    fmt_datetime,
    fmt_number,
    fmt_percent,
    t,
)
from geo.names import vietnamese_sort_keys
from geo.operators import OPERATOR_DISPLAY, OPERATORS
from geo.sites import SITE_SHARING_DEFINITION
from geo.vocab import Status
from layers import phu_luc_1

__all__ = [
    "DEFINITIONS_VI",
    "SUMMARY_COUNTS",
    "area_summary",
    "assignment_facts",
    "assignments_table",
    "by_district_table",
    "by_operator_table",
    "candidates_table",
    "commune_pairs",
    "count_served",
    "crosswalk_csv",
    "disagreements",
    "header_row",
    "history_table",
    "indicator_label",
    "indicator_rows",
    "indicators_xlsx",
    "overdue_note",
    "overdue_reason",
    "overdue_table",
    "progress_long",
    "register_disagreements",
    "summary_counts",
    "target_year_source_text",
    "unserved_table",
    "why_text",
]

#: Tool indicators that are shares (fractions 0–1 in the result, % in files).
SHARE_KEYS = {
    "villages_mobile_share", "villages_fibre_share", "site_sharing_rate",
    "population_covered_share",
}

#: Indicators that mean nothing without sites: shown as "—" when the model has none.
NEEDS_SITES = {
    "villages_mobile_share", "population_covered", "population_covered_share",
    "site_sharing_rate", "total_not_spots", "partial_not_spots", "physical_sites",
}

#: The tool's own indicators listed after the plan's, in this order.
TOOL_KEYS = (
    "villages", "villages_mobile_share", "villages_fibre_share", "population",
    "population_covered", "population_covered_share", "sites", "physical_sites",
    "site_sharing_rate", "total_not_spots", "partial_not_spots", "villages_located_by_commune",
)

#: Vietnamese wording of :data:`geo.indicators.DEFINITIONS` (English is the source of truth).
DEFINITIONS_VI = {
    "villages": "Số thôn/bản trong danh sách của công cụ (GeoNames, không đầy đủ) cộng các "
    "thôn/bản kế hoạch liệt kê",
    "villages_mobile_share": "Tỷ lệ thôn/bản nằm trong bán kính của ít nhất một trạm 3G/4G/5G "
    "của bất kỳ nhà mạng nào (mô hình bán kính, chỉ mang tính tham khảo)",
    "villages_fibre_share": "Tỷ lệ thôn/bản có cáp quang FTTH của ít nhất một nhà mạng trong "
    "lớp dữ liệu cáp quang",
    "population_covered": "Dân số Tổng điều tra 2019 của mỗi xã, phân bố theo trọng số WorldPop "
    "2020, cộng các ô nằm trong vùng phủ sóng 3G/4G/5G",
    "total_not_spots": "Thôn/bản không nhà mạng nào phủ sóng 3G/4G/5G",
    "partial_not_spots": "Thôn/bản được một số (không phải tất cả) nhà mạng có trạm phủ sóng",
}


def _is_share(key: str) -> bool:
    return key in SHARE_KEYS or key.startswith("villages_operator_share_")


def indicator_label(key: str, lang: str = "vi") -> str:
    """The short UI label of a tool indicator (``villages_operator_share_VNPT`` included)."""
    if key.startswith("villages_operator_share_"):
        op = key.removeprefix("villages_operator_share_")
        return t("villages_operator_share", lang, operator=OPERATOR_DISPLAY.get(op, op))
    return t(key, lang)


def _actual_value(result: dict, key: str):
    if result.get("sites") == 0 and (key in NEEDS_SITES
                                     or key.startswith("villages_operator_share_")):
        return None
    if key.startswith("villages_operator_share_"):
        return result.get("villages_operator_share", {}).get(
            key.removeprefix("villages_operator_share_")
        )
    v = result.get(key)
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def why_text(target: dict, lang: str = "vi") -> str:
    """Why a plan figure and the tool's indicator differ, in ``lang``: the target's ``why_vi``
    or ``why`` (:func:`geo.indicators.compute` carries both)."""
    text = target.get("why_vi") if lang == "vi" else None
    return str(text or target.get("why") or "")


def _definition(result: dict, key: str, lang: str, sharing_distance_m: float | None) -> str:
    if key == "villages_mobile_share" and result.get("served_from_register"):
        return t("served_definition", lang)
    if key == "site_sharing_rate":
        text = SITE_SHARING_DEFINITION[lang]
        return text.format(distance=sharing_distance_m) if sharing_distance_m is not None else (
            text.replace("{distance:g} m", "…")
        )
    if lang == "vi" and key in DEFINITIONS_VI:
        return DEFINITIONS_VI[key]
    return str(result.get("definitions", {}).get(key, ""))


def header_row(result: dict, lang: str = "vi") -> list[str]:
    """The column headers of the Phụ lục 1 layout for ``result``.

    The actual column names its year ("Thực hiện năm 2023") or "Thực hiện (hiện trạng)" when the
    model counts every site; the target column names the target year.
    """
    check_lang(lang)
    year = result.get("year")
    actual = (
        t("actual_year", lang, year=year) if year
        else f"{t('actual', lang)} ({t('current_state', lang)})"
    )
    return [
        t("stt", lang),
        t("indicator", lang),
        t("unit", lang),
        actual,
        t("target_year", lang, year=result.get("target_year")),
        t("comparable", lang),
        t("source", lang),
    ]


def indicator_rows(
    result: dict, lang: str = "vi", *, sharing_distance_m: float | None = None
) -> list[dict]:
    """The indicators of ``result`` (:func:`geo.indicators.compute`) as rows to show.

    First every plan indicator the tool measures (from ``result["targets"]``, plan by plan),
    then the tool's own indicators that no plan row covers.

    Parameters
    ----------
    result
        The output of :func:`geo.indicators.compute`.
    lang
        ``"vi"`` or ``"en"``.
    sharing_distance_m
        The distance used to merge co-located sites, stated in the site-sharing definition
        (``result["sharing_distance_m"]`` when present).

    Returns
    -------
    list of dict
        ``key`` (tool indicator), ``indicator`` (the plan's wording, or the tool's label),
        ``unit``, ``actual`` (number: % 0–100 for shares), ``actual_text`` (formatted in
        ``lang``), ``is_share``, ``target`` (number or None), ``comparator``, ``target_text``,
        ``comparable`` (yes/partial/no or None), ``comparable_text``, ``why``, ``met``,
        ``source`` and ``definition``.
    """
    check_lang(lang)
    sharing = sharing_distance_m if sharing_distance_m is not None else result.get(
        "sharing_distance_m")
    rows: list[dict] = []
    seen: set[str] = set()
    plan_rows = [
        (key, tr) for key, targets in result.get("targets", {}).items() for tr in targets
    ]
    plan_rows.sort(key=lambda kt: (kt[1]["plan_id"], _row_order(kt[1]["source_row"])))
    for key, tr in plan_rows:
        seen.add(key)
        met = tr.get("met")
        if tr.get("unit") == "%" and not _is_share(key) and f"{key}_share" in result:
            # The plan states a percentage of what the tool counts (population covered):
            # compare with the tool's share instead of the count.
            key = f"{key}_share"
            actual = _actual_value(result, key)
            met = None if actual is None or tr.get("comparable") == "no" else plans.meets(
                actual, tr.get("comparator") or "=", float(tr["value"]) / 100)
            seen.add(key)
        actual = _actual_value(result, key)
        share = _is_share(key)
        comparator = tr.get("comparator") or "="
        target = tr.get("value")
        target_text = (
            ("" if comparator == "=" else comparator + " ")
            + fmt_number(target, lang, 0 if float(target).is_integer() else 1)
            + (" %" if tr.get("unit") == "%" and lang == "vi" else "%" if tr.get("unit") == "%"
               else f" {tr.get('unit')}")
        ) if target is not None else "—"
        comparable = tr.get("comparable")
        why = why_text(tr, lang)
        rows.append(
            {
                "key": key,
                "indicator": tr.get("indicator") or indicator_label(key, lang),
                "unit": tr.get("unit") or ("%" if share else ""),
                "actual": None if actual is None else (actual * 100 if share else actual),
                "actual_text": _fmt_actual(actual, share, lang),
                "is_share": share,
                "target": target,
                "comparator": comparator,
                "target_text": target_text,
                "comparable": comparable,
                "comparable_text": comparable_label(comparable, lang)
                + ("" if comparable == "yes" or not why else f": {why}"),
                "why": why,
                "met": met if actual is not None else None,
                "source": ", ".join(
                    x for x in (
                        tr.get("document") or tr.get("plan_id"),
                        _appendix(tr, lang),
                    ) if x
                ),
                "definition": _definition(result, key, lang, sharing),
            }
        )
    tool_source = t("tool_source", lang)
    for key in TOOL_KEYS:
        if key in seen or key not in result:
            continue
        actual = _actual_value(result, key)
        share = _is_share(key)
        rows.append(
            {
                "key": key,
                "indicator": indicator_label(key, lang),
                "unit": "%" if share else t(f"unit_{key}", lang) if f"unit_{key}" in _UNITS else "",
                "actual": None if actual is None else (actual * 100 if share else actual),
                "actual_text": _fmt_actual(actual, share, lang),
                "is_share": share,
                "target": None,
                "comparator": None,
                "target_text": "—",
                "comparable": None,
                "comparable_text": "—",
                "why": "",
                "met": None,
                "source": tool_source,
                "definition": _definition(result, key, lang, sharing),
            }
        )
    for op, share in result.get("villages_operator_share", {}).items():
        key = f"villages_operator_share_{op}"
        if key in seen:
            continue
        rows.append(
            {
                "key": key, "indicator": indicator_label(key, lang), "unit": "%",
                "actual": None if share is None else share * 100,
                "actual_text": _fmt_actual(share, True, lang), "is_share": True,
                "target": None, "comparator": None, "target_text": "—", "comparable": None,
                "comparable_text": "—", "why": "", "met": None, "source": tool_source,
                "definition": "",
            }
        )
    for i, r in enumerate(rows, start=1):
        r["stt"] = i
    return rows


_UNITS = {f"unit_{k}" for k in ("villages", "population", "population_covered", "sites",
                                "physical_sites", "total_not_spots", "partial_not_spots",
                                "villages_located_by_commune")}


def _row_order(source_row: str):
    s = str(source_row)
    return (0, int(s), "") if s.isdigit() else (1, 0, s)


def _appendix(tr: dict, lang: str) -> str:
    row = str(tr.get("source_row") or "")
    if not row:
        return ""
    return f"{t('stt', lang)} {row}" if row.isdigit() else row


def _fmt_actual(value, share: bool, lang: str) -> str:
    if value is None:
        return "—"
    if share:
        return fmt_percent(value, lang, 1)
    return fmt_number(value, lang, 0 if float(value).is_integer() else 1)


# ---------------------------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------------------------


def indicators_xlsx(
    result: dict,
    lang: str = "vi",
    *,
    sharing_distance_m: float | None = None,
    plan_id: str | None = None,
    year: int | None = None,
    actuals: pd.DataFrame | None = None,
) -> bytes:
    """The indicators as an Excel workbook in the layout of the plan's Phụ lục 1.

    Sheet 1 ("Phụ lục 1 - Chỉ tiêu"): a title, the scope, a synthetic-data warning when a layer
    is synthetic, then the header row of :func:`header_row` and one row per indicator of
    :func:`indicator_rows`. Shares are numbers in % (83.9, not 0.839); targets are numbers
    whose cell format shows their comparator (≥ 30).
    Sheet 2 ("Định nghĩa và nguồn"): how each indicator is computed, where each layer comes
    from, which layers are synthetic, the coverage radii assumed and the data credits.

    Parameters
    ----------
    result
        The output of :func:`geo.indicators.compute`.
    lang
        ``"vi"`` (default) or ``"en"``.
    sharing_distance_m
        See :func:`indicator_rows`.

    Returns
    -------
    bytes
        The .xlsx file.
    """
    import xlsxwriter

    check_lang(lang)
    rows = indicator_rows(result, lang, sharing_distance_m=sharing_distance_m)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **cells.XLSXWRITER_OPTIONS})
    # Sheet 1: the plan's appendix as printed (layers.phu_luc_1); plan_id, year and actuals
    # (the planner's figures, geo.store.actuals.current) are passed on to it.
    phu_luc_1.add_sheet(wb, result, plan_id=plan_id, year=year, actuals=actuals, lang=lang)
    title_f = wb.add_format({"bold": True, "font_size": 13})
    bold = wb.add_format({"bold": True})
    warn = wb.add_format({"bold": True, "font_color": "#9c5700", "bg_color": "#fff3cd",
                          "text_wrap": True})
    head = wb.add_format({"bold": True, "bg_color": "#d9e1f2", "border": 1, "text_wrap": True,
                          "valign": "vcenter", "align": "center"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    centre = wb.add_format({"border": 1, "valign": "top", "align": "center"})
    pct = wb.add_format({"border": 1, "valign": "top", "num_format": "0.0"})
    count = wb.add_format({"border": 1, "valign": "top", "num_format": "#,##0"})
    target_fmts: dict[str, object] = {}

    def target_format(comparator: str | None, integer: bool):
        k = f"{comparator}{integer}"
        if k not in target_fmts:
            num = "#,##0" if integer else "#,##0.0"
            prefix = "" if comparator in (None, "=") else f'"{comparator} "'
            target_fmts[k] = wb.add_format({"border": 1, "valign": "top",
                                            "num_format": prefix + num})
        return target_fmts[k]

    ws = wb.add_worksheet(t("indicators_sheet", lang)[:31])
    keys = (
        ("commune_2025", "province_2025") if result.get("units") == "2025"
        else ("commune", "district", "province")
    )
    scope = ", ".join(str(result[k]) for k in keys if result.get(k))
    if result.get("units") == "2025":
        scope += f" ({t('units_2025_long', lang)})"
    ws.write(0, 0, f"{t('indicators', lang).upper()}: {scope}", title_f)
    ws.write(1, 0, t("xlsx_subtitle", lang, year=result.get("target_year")))
    r0 = 2
    synthetic = [k for k, v in result.get("sources", {}).items() if v.get("synthetic")]
    if synthetic:
        label = demo.LABEL_VI if lang == "vi" else demo.LABEL_EN
        what = ", ".join(t(f"layer_{k}", lang) if f"layer_{k}" in _LAYER_KEYS else k
                         for k in synthetic)
        ws.merge_range(r0, 0, r0, 6, f"⚠ {label}: {what}", warn)
        r0 += 1
    r0 += 1
    ws.write_row(r0, 0, header_row(result, lang), head)
    ws.set_row(r0, 32)
    for i, r in enumerate(rows, start=r0 + 1):
        ws.write_number(i, 0, r["stt"], centre)
        ws.write_string(i, 1, r["indicator"], cell)
        ws.write_string(i, 2, r["unit"] or "", centre)
        if r["actual"] is None:
            ws.write_string(i, 3, "—", centre)
        else:
            ws.write_number(i, 3, float(r["actual"]), pct if r["is_share"] else count)
        if r["target"] is None:
            ws.write_string(i, 4, "—", centre)
        else:
            ws.write_number(i, 4, float(r["target"]), target_format(
                r["comparator"], float(r["target"]).is_integer()))
        ws.write_string(i, 5, r["comparable_text"], cell)
        ws.write_string(i, 6, r["source"], cell)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 11)
    ws.set_column(3, 4, 14)
    ws.set_column(5, 5, 55)
    ws.set_column(6, 6, 24)
    ws.freeze_panes(r0 + 1, 0)

    ws2 = wb.add_worksheet(t("definitions_sheet", lang)[:31])
    ws2.write(0, 0, t("definitions_sheet", lang), title_f)
    ws2.write_row(2, 0, [t("indicator", lang), t("definition", lang)], head)
    r = 3
    for row in rows:
        if row["definition"]:
            ws2.write_string(r, 0, row["indicator"], cell)
            ws2.write_string(r, 1, row["definition"], cell)
            r += 1
    r += 1
    ws2.write(r, 0, t("sources_header", lang), bold)
    r += 1
    ws2.write_row(r, 0, [t("layer", lang), t("source", lang), t("synthetic_col", lang)], head)
    r += 1
    for name, src in result.get("sources", {}).items():
        layer = t(f"layer_{name}", lang) if f"layer_{name}" in _LAYER_KEYS else name
        syn = src.get("synthetic")
        ws2.write_string(r, 0, layer, cell)
        ws2.write_string(r, 1, str(src.get("source", "")), cell)
        ws2.write_string(r, 2, (demo.LABEL_VI if lang == "vi" else demo.LABEL_EN) if syn
                         else t("no", lang), warn if syn else cell)
        r += 1
    radii = result.get("coverage_radii_m") or {}
    if radii:
        r += 1
        ws2.write(r, 0, t("radius_header", lang), bold)
        r += 1
        for tech, metres in radii.items():
            ws2.write_string(r, 0, tech, cell)
            ws2.write_string(r, 1, f"{fmt_number(metres / 1000, lang, 1)} km", cell)
            r += 1
    r += 1
    ws2.write(r, 0, t("attribution", lang), bold)
    ws2.write(r + 1, 0, registry.attribution())
    ws2.write(r + 3, 0, f"{t('generated', lang)}: {dt.date.today():%d/%m/%Y}")
    ws2.set_column(0, 0, 45)
    ws2.set_column(1, 1, 100)
    ws2.set_column(2, 2, 40)
    wb.close()
    return buf.getvalue()


_LAYER_KEYS = {"layer_villages", "layer_communes", "layer_sites", "layer_unserved", "layer_fibre",
               "layer_population"}


# ---------------------------------------------------------------------------------------------
# Unserved villages
# ---------------------------------------------------------------------------------------------


def unserved_table(
    model: pipeline.Model,
    lang: str = "vi",
    *,
    district_code: str | None = None,
    units: str = "pre2025",
    commune_2025_code: str | None = None,
    village_ids: set | None = None,
) -> pd.DataFrame:
    """The plan's declared unserved villages beside the model's status, for display.

    Columns (in ``lang``): Stt, Thôn/Bản, Xã, Huyện, Doanh nghiệp, Vị trí (điểm/xã),
    Mô hình: có phủ sóng?, Nguồn. Empty (with the columns) when no plan lists villages.
    A village the plan names but the register cannot place is located at its commune; its
    modelled status is then that of the commune's point, and says so.

    Parameters
    ----------
    model
        The built model.
    lang
        ``"vi"`` or ``"en"``.
    district_code
        Only this district.
    units, commune_2025_code
        ``"2025"``: the commune column shows both names (old → new), there is no district
        column, and ``commune_2025_code`` keeps one new commune.
    village_ids
        Only these villages (the map's filter: :func:`geo.finding.village_mask`); None: all.
    """
    check_lang(lang)
    syn = model.sources.get("sites", {}).get("synthetic", False) and len(model.sites) > 0
    covered_col = t("modelled_covered", lang) + (f" ({t('synthetic_short', lang)})" if syn else "")
    columns = [t("stt", lang), t("village", lang), t("commune", lang), t("district", lang),
               t("assigned_operator", lang), t("location", lang), covered_col, t("source", lang)]
    if units == "2025":
        columns[2] = t("commune_old_new", lang)
        columns.pop(3)
        u = units2025.layer_2025(model, "unserved") if model.declared is not None else (
            pipeline.layer(model, "unserved"))
        if commune_2025_code is not None and len(u):
            u = u[u["commune_2025_code"] == commune_2025_code]
    else:
        u = pipeline.layer(model, "unserved")
        if district_code is not None and len(u):
            u = u[u["district_code"] == district_code]
    if village_ids is not None and len(u):
        u = u[u["village_id"].isin(village_ids)]
    if not len(u):
        return pd.DataFrame(columns=columns)
    approx = f" ({t('approx_location', lang)})"
    covered = pd.Series(
        [
            "—" if v is None or pd.isna(v)
            else t("yes" if bool(v) else "no", lang) + (approx if prec == "commune" else "")
            for v, prec in zip(u["modelled_mobile_broadband"], u["location_precision"],
                               strict=True)
        ],
        index=u.index,
    )
    stt = pd.to_numeric(u["source_row"], errors="coerce") if "source_row" in u else None
    data = {
        t("stt", lang): stt.astype("Int64") if stt is not None else range(1, len(u) + 1),
        t("village", lang): u["village"].astype(str),
    }
    if units == "2025":
        data[columns[2]] = _pairs_of(u, lang)
    else:
        data[columns[2]] = u["commune"].fillna("").astype(str)
        data[columns[3]] = u["district"].fillna("").astype(str)
    data[t("assigned_operator", lang)] = u["operator"].map(lambda o: OPERATOR_DISPLAY.get(o, o))
    data[t("location", lang)] = u["location_precision"].map(
        {"point": t("location_point", lang), "commune": t("location_commune", lang)}
    ).fillna("—")
    data[covered_col] = covered
    data[t("source", lang)] = u["source"].fillna("").astype(str)
    out = pd.DataFrame(data, index=u.index)
    return _no_missing(out.sort_values(columns[0]).reset_index(drop=True))


def disagreements(
    model: pipeline.Model,
    lang: str = "vi",
    *,
    district_code: str | None = None,
    units: str = "pre2025",
    commune_2025_code: str | None = None,
) -> pd.DataFrame:
    """Villages where the plan's list and the model disagree.

    Two kinds: villages the plan lists as unserved that the model finds covered, and total
    not-spots of the model that the plan does not list. Columns (in ``lang``): the kind,
    Thôn/Bản, Xã, Huyện, the assigned operator, the operators covering in the model and where
    the village is located (point or commune).

    Parameters
    ----------
    model
        The built model.
    lang
        ``"vi"`` or ``"en"``.
    district_code
        Only this district.
    units, commune_2025_code
        As in :func:`unserved_table`.
    """
    check_lang(lang)
    s = model.status
    if units == "2025":
        s = units2025.context(model).status
        if commune_2025_code is not None:
            s = s[s["commune_2025_code"] == commune_2025_code]
    elif district_code is not None:
        s = s[s["district_code"] == district_code]
    kind, village, commune, district = (t("disagreement_kind", lang), t("village", lang),
                                        t("commune", lang), t("district", lang))
    if units == "2025":
        commune = t("commune_old_new", lang)
    op_col, cov_col = t("declared_operator", lang), t("operators_covering", lang)
    loc_col = t("location", lang)
    columns = [kind, village, commune, district, op_col, cov_col, loc_col]
    if units == "2025":
        columns.remove(district)
    if model.declared is None or not len(s) or not len(model.sites):
        return pd.DataFrame(columns=columns)
    ops = [op for op in OPERATOR_DISPLAY if op in s.columns]

    def covering(row) -> str:
        names = [OPERATOR_DISPLAY[o] for o in ops if bool(row[o])]
        return ", ".join(names) if names else t("none_word", lang)

    a = s[s["declared_unserved"].astype(bool) & s["mobile_broadband"].astype(bool)]
    b = s[~s["declared_unserved"].astype(bool) & (s["gap_class"] == "none")]
    parts = []
    for frame, label in ((a, t("declared_but_covered", lang)), (b, t("notspot_not_declared", lang))):
        if len(frame):
            where = (
                {commune: _pairs_of(frame, lang).to_numpy()}
                if units == "2025"
                else {
                    commune: frame["commune"].fillna("").astype(str).to_numpy(),
                    district: frame["district"].fillna("").astype(str).to_numpy(),
                }
            )
            parts.append(
                pd.DataFrame(
                    {
                        kind: label,
                        village: frame["village"].astype(str).to_numpy(),
                        **where,
                        op_col: frame["declared_operator"].map(
                            lambda o: OPERATOR_DISPLAY.get(o, o)).fillna("").to_numpy(),
                        cov_col: frame.apply(covering, axis=1).to_numpy(),
                        loc_col: frame["location_precision"].map(
                            {"point": t("location_point", lang),
                             "commune": t("location_commune", lang)}).fillna("—").to_numpy(),
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=columns)
    return _no_missing(pd.concat(parts, ignore_index=True))


# ---------------------------------------------------------------------------------------------
# Both names of a commune (units from 01/07/2025)
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _new_names() -> pd.Series:
    u = units_mod.units_2025().drop_duplicates("commune_2025_code")
    return u.set_index("commune_2025_code")["commune_2025"]


def _pairs_of(frame: pd.DataFrame, lang: str) -> pd.Series:
    """"Xã A (cũ) → Xã B (mới)" for each row of ``frame`` (``units_display``, or ``commune``
    with ``commune_2025`` / ``commune_2025_code``)."""
    if lang == "vi" and "units_display" in frame.columns and frame["units_display"].notna().all():
        return frame["units_display"].astype(str)
    if "commune_2025" in frame.columns:
        new = frame["commune_2025"]
    else:
        new = frame["commune_2025_code"].map(_new_names())
    cands = frame.get("commune_2025_candidates")
    return units2025.display_pair(frame["commune"], new, cands, lang=lang)


def commune_pairs(
    assignments: pd.DataFrame, lang: str = "vi", status: pd.DataFrame | None = None
) -> pd.Series:
    """Both names of each assignment's commune ("Xã A (cũ) → Xã B (mới)"), aligned to it.

    From ``status`` (a model's villages in the 2025 units, :func:`geo.units2025.to_2025`) by
    ``village_id`` when the village is there (it knows where a split commune's village went),
    else from the register's ``commune_2025_code``.
    """
    check_lang(lang)
    if not len(assignments):
        return pd.Series([], index=assignments.index, dtype=object)
    base = _pairs_of(assignments, lang)
    if status is not None and "commune_2025" in status.columns:
        s = status.drop_duplicates("village_id").set_index("village_id")
        known = pd.Series(_pairs_of(s, lang).to_numpy(), index=s.index)
        better = assignments["village_id"].map(known)
        base = better.where(better.notna(), base)
    return base.astype(str)


def crosswalk_csv(table: pd.DataFrame) -> bytes:
    """The crosswalk (:func:`geo.units2025.crosswalk`) as CSV, UTF-8 with a BOM (Excel reads
    the Vietnamese names), codes as text."""
    return cells.to_csv(table).encode("utf-8-sig")


# ---------------------------------------------------------------------------------------------
# The register and the indicators
# ---------------------------------------------------------------------------------------------


def count_served(result: dict, status: pd.DataFrame, assignments: pd.DataFrame) -> dict:
    """The indicators with a village counted as served only when its assignment is verified or
    when the coverage data says so (:func:`geo.assignments.served_status`).

    ``villages_mobile_share`` becomes the share of served villages (the plans' targets'
    ``actual`` and ``met`` follow); the model's own share is kept as
    ``villages_mobile_share_modelled``. Added: ``villages_served``, ``villages_verified_only``
    (served only because verified: the coverage data does not show them covered) and
    ``register_disagreements``. Without site data there is no coverage figure: the share stays
    None (no data is not zero).

    Parameters
    ----------
    result
        :func:`geo.indicators.compute` or :func:`geo.units2025.indicators_2025` (not changed).
    status
        The model's villages of the same scope (``village_id``, ``mobile_broadband``, one
        column per operator).
    assignments
        :func:`geo.assignments.current`.
    """
    out = dict(result)
    n = len(status)
    covered = status["mobile_broadband"].fillna(False).astype(bool).to_numpy()
    ss = asg.served_status(status, assignments)
    served = ss["served"].to_numpy(dtype=bool)
    disagreeing = int((ss["disagreement"] != "").sum())
    out["villages_served"] = int(served.sum())
    out["villages_verified_only"] = int((served & ~covered).sum())
    out["register_disagreements"] = disagreeing
    out["villages_mobile_share_modelled"] = result.get("villages_mobile_share")
    if result.get("villages_mobile_share") is None or not n:
        return out
    share = served.sum() / n
    out["villages_mobile_share"] = float(share)
    out["served_from_register"] = True
    targets = dict(out.get("targets") or {})
    if "villages_mobile_share" in targets:
        rows = []
        for tr in targets["villages_mobile_share"]:
            tr = dict(tr, actual=float(share))
            if tr.get("comparable") != "no":
                try:
                    tr["met"] = bool(plans.meets_target(float(share), tr))
                except Exception:  # a plan figure that is not a share
                    tr["met"] = None
            rows.append(tr)
        targets["villages_mobile_share"] = rows
    out["targets"] = targets
    out["definitions"] = dict(out.get("definitions") or {}) | {
        "villages_mobile_share": t("served_definition", "en")
    }
    return out


# ---------------------------------------------------------------------------------------------
# The register's views, in the language of the screen
# ---------------------------------------------------------------------------------------------

_DATE_FIELDS = {"decision_date", "assigned_on", "construction_on", "on_air_on", "verified_on",
                "cancelled_on", "status_date"}

#: What a table cell shows for nothing: the words pandas and Python print for a missing value.
_MISSING_WORDS = frozenset({"nan", "NaN", "None", "NaT", "<NA>"})


def _is_missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating) and np.isnan(v):
        return True
    return isinstance(v, str) and v in _MISSING_WORDS


def _no_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for the screen with every missing value (None, NaN, NA, NaT, or the text
    "nan", "None", "NaT", "<NA>" an earlier ``astype(str)`` left) as an empty cell. Numeric
    columns without a missing value stay numeric (they sort as numbers)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_bool_dtype(values):
            continue
        numeric = pd.api.types.is_numeric_dtype(values)
        if numeric and not values.isna().any():
            continue
        out[col] = pd.Series(
            ["" if _is_missing(v) else v for v in values.astype(object)],
            index=out.index,
            dtype=object,
        )
    return out


def _plain(value) -> str:
    """``value`` as text, "" when missing (None, NaN, NA)."""
    return "" if value is None or value is pd.NA or value != value else str(value)


def _status_label(status, lang: str) -> str:
    """A status's label from the catalog ("Status.<value>"); "" when missing."""
    if _is_missing(status):
        return ""
    try:
        return enum_label(Status(str(status)), lang)
    except ValueError:
        return str(status)


def _operator_display(op) -> str:
    return "" if op is None or op != op else OPERATOR_DISPLAY.get(op, op)


def _field_label(field: str, lang: str) -> str:
    """A register field's label from the catalog ("field.<column>"); the column's name when
    the catalog has none."""
    try:
        return t(f"field.{field}", lang)
    except KeyError:
        return str(field)


def target_year_source_text(source, lang: str = "vi") -> str:
    """Where a target year comes from (the register's ``target_year_source``) in ``lang``:
    "năm cuối của kế hoạch 4638/KH-UBND" / "the last year of plan 4638/KH-UBND"; "" when the
    planner set the year."""
    text = _plain(source).strip()
    head = asg.PLAN_END_SOURCE_VI + " "
    if lang == "en" and text.startswith(head):
        return "the last year of plan " + text[len(head):]
    return text


def _value_text(field: str, value, lang: str) -> str:
    if _is_missing(value):
        return ""
    if field == "status":
        return _status_label(value, lang)
    if field in _DATE_FIELDS:
        return fmt_date(str(value), lang)
    if field in ("operator", "proposed_operator"):
        return _operator_display(value)
    if field == "target_year_source":
        return target_year_source_text(value, lang)
    return str(value)


def _where_columns(a: pd.DataFrame, lang: str, units: str, pairs: pd.Series | None) -> dict:
    if units == "2025":
        both = pairs if pairs is not None else commune_pairs(a, lang)
        return {t("commune_old_new", lang): both.reindex(a.index).fillna("").to_numpy()}
    return {
        t("commune", lang): a["commune"].fillna("").astype(str).to_numpy(),
        t("district", lang): a["district"].fillna("").astype(str).to_numpy(),
    }


def _dates(values: pd.Series, lang: str) -> np.ndarray:
    return np.array([fmt_date(v, lang) if v else MISSING for v in values], dtype=object)


def assignments_table(
    assignments: pd.DataFrame,
    lang: str = "vi",
    *,
    units: str = "pre2025",
    pairs: pd.Series | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The register's assignments for the screen: village, commune (both names in the 2025
    units), operator, status and its date, target year, overdue, decision, note, who changed it
    last, version and the village's id (last column)."""
    check_lang(lang)
    a = assignments
    late = asg.is_overdue(a, today) if len(a) else np.zeros(0, dtype=bool)
    data = {t("village", lang): a["village"].astype(str).to_numpy()}
    data |= _where_columns(a, lang, units, pairs)
    data |= {
        t("assigned_operator", lang): a["operator"].map(_operator_display).to_numpy(),
        t("status", lang): a["status"].map(lambda s: _status_label(s, lang)).to_numpy(),
        t("status_date", lang): _dates(a["status_date"], lang),
        t("target_year_short", lang): a["target_year"].astype("Int64").to_numpy(),
        t("overdue", lang): np.where(late, t("overdue", lang), ""),
        t("decision", lang): [
            (_plain(d) + (f", {fmt_date(dd, lang)}" if _plain(dd) else "")).strip(", ")
            for d, dd in zip(a["decision"], a["decision_date"], strict=True)
        ],
        t("note", lang): a["note"].fillna("").astype(str).to_numpy(),
        t("updated_by", lang): a["updated_by"].fillna("").astype(str).to_numpy(),
        t("version", lang): a["version"].astype("Int64").to_numpy(),
        t("village_id", lang): a["village_id"].astype(str).to_numpy(),
    }
    return _no_missing(pd.DataFrame(data))


def _as_communes(a: pd.DataFrame, lang: str, pairs: pd.Series | None) -> pd.DataFrame:
    """``a`` with its new commune in the district columns (the 2025 units have no district)."""
    names = a["commune_2025_code"].map(_new_names())
    return a.assign(district_code=a["commune_2025_code"], district=names.fillna("?"))


def _status_columns(lang: str) -> dict[str, str]:
    return {s: _status_label(s, lang) for s in asg.STATUSES}


def by_operator_table(
    assignments: pd.DataFrame,
    lang: str = "vi",
    *,
    operator: str | None = None,
    units: str = "pre2025",
    owed_only: bool = True,
) -> pd.DataFrame:
    """What each operator (or one) still owes, by district (by new commune in the 2025 units)
    and target year: :func:`geo.assignments.by_operator` in ``lang``."""
    check_lang(lang)
    a = _as_communes(assignments, lang, None) if units == "2025" else assignments
    b = asg.by_operator(a, operator, owed_only=owed_only)
    where = t("commune_2025", lang) if units == "2025" else t("district", lang)
    out = pd.DataFrame(
        {
            t("assigned_operator", lang): b["operator"].map(_operator_display),
            where: b["district"].fillna("").astype(str),
            t("target_year_short", lang): b["target_year"],
        }
    )
    for s, label in _status_columns(lang).items():
        if s != "cancelled":
            out[label] = b[s].astype(int)
    out[t("owed", lang)] = b["owed"].astype(int)
    out[t("total", lang)] = b["total"].astype(int)
    return _no_missing(out.reset_index(drop=True))


def by_district_table(
    assignments: pd.DataFrame,
    lang: str = "vi",
    *,
    units: str = "pre2025",
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Assignments per district (per new commune in the 2025 units): counts by status, owed,
    overdue and owed per operator (:func:`geo.assignments.by_district`) in ``lang``."""
    check_lang(lang)
    a = _as_communes(assignments, lang, None) if units == "2025" else assignments
    b = asg.by_district(a, today=today)
    where = t("commune_2025", lang) if units == "2025" else t("district", lang)
    out = pd.DataFrame({where: b["district"].fillna("").astype(str)})
    for s, label in _status_columns(lang).items():
        out[label] = b[s].astype(int)
    out[t("owed", lang)] = b["owed"].astype(int)
    out[t("overdue", lang)] = b["overdue"].astype(int)
    out[t("total", lang)] = b["total"].astype(int)
    for op in OPERATORS:
        col = f"owed_{op}"
        if col in b and b[col].sum() > 0:
            out[f"{t('owed', lang)}: {_operator_display(op)}"] = b[col].astype(int)
    return _no_missing(out.reset_index(drop=True))


def overdue_table(
    assignments: pd.DataFrame,
    lang: str = "vi",
    *,
    units: str = "pre2025",
    pairs: pd.Series | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The overdue assignments (:func:`geo.assignments.overdue`), most late first, each with
    why it is overdue (:func:`overdue_reason`) before its id (the last column)."""
    check_lang(lang)
    o = asg.overdue(assignments, today=today)
    if pairs is not None:
        pairs = pd.Series(
            o["village_id"].map(
                pd.Series(pairs.to_numpy(), index=assignments["village_id"].to_numpy())
            ).to_numpy(),
            index=o.index,
        )
    data = {t("village", lang): o["village"].astype(str).to_numpy()}
    data |= _where_columns(o, lang, units, pairs)
    data |= {
        t("assigned_operator", lang): o["operator"].map(_operator_display).to_numpy(),
        t("status", lang): o["status"].map(lambda s: _status_label(s, lang)).to_numpy(),
        t("target_year_short", lang): o["target_year"].astype("Int64").to_numpy(),
        t("years_late", lang): o["years_late"].astype("Int64").to_numpy(),
        t("field.overdue_why", lang): np.array(
            [overdue_reason(r, lang) for r in o.to_dict("records")], dtype=object
        ),
        t("village_id", lang): o["village_id"].astype(str).to_numpy(),
    }
    return _no_missing(pd.DataFrame(data))


def overdue_reason(assignment: dict, lang: str = "vi") -> str:
    """Why an overdue assignment is overdue: its target year (and where the year comes from)
    has passed, and its status is not on air yet."""
    check_lang(lang)
    year = int(assignment["target_year"])
    source = target_year_source_text(assignment.get("target_year_source"), lang)
    status = _status_label(assignment.get("status"), lang)
    if lang == "vi":
        return (
            f"Năm mục tiêu {year}" + (f" ({source})" if source else "")
            + f" đã qua (quá hạn từ 01/01/{year + 1}); trạng thái {status}, chưa phát sóng"
        )
    return (
        f"Target year {year}" + (f" ({source})" if source else "")
        + f" has passed (overdue since 01/01/{year + 1}); status {status}, not on air yet"
    )


def overdue_note(
    assignments: pd.DataFrame, lang: str = "vi", *, today: dt.date | None = None
) -> str:
    """The rule of the overdue view, and why many assignments became overdue at once: those
    whose target year is a plan's last year (the plans' lists give no year per village, so
    every village of a list is due by its end)."""
    check_lang(lang)
    owed = " / ".join(_status_label(s, lang) for s in asg.OWED_STATUSES)
    if lang == "vi":
        rule = (
            "Một phân công quá hạn khi năm mục tiêu đã qua (từ ngày 01/01 của năm sau) mà "
            f"trạng thái vẫn là {owed}, tức là chưa phát sóng."
        )
    else:
        rule = (
            "An assignment is overdue once its target year has passed (from 1 January of the "
            f"next year) while its status is still {owed}, that is, not on air yet."
        )
    o = asg.overdue(assignments, today=today)
    if "target_year_source" not in o:
        return rule
    head = asg.PLAN_END_SOURCE_VI + " "
    plan = o[o["target_year_source"].fillna("").astype(str).str.startswith(head)]
    parts = []
    for (source, year), group in plan.groupby(["target_year_source", "target_year"], sort=True):
        doc = str(source)[len(head):]
        n = fmt_number(len(group), lang)
        if lang == "vi":
            parts.append(
                f"{n} phân công có năm mục tiêu {int(year)} là năm cuối của kế hoạch {doc} "
                "(danh sách thôn/bản của kế hoạch không ghi năm cho từng thôn/bản), nên cùng "
                f"quá hạn từ 01/01/{int(year) + 1}."
            )
        else:
            parts.append(
                f"{n} assignments have target year {int(year)}, the last year of plan {doc} "
                "(the plan's list gives no year per village), so they all became overdue on "
                f"01/01/{int(year) + 1}."
            )
    return " ".join([rule, *parts])


def progress_long(
    assignments: pd.DataFrame,
    plan_id: str | None = None,
    lang: str = "vi",
    *,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """:func:`geo.assignments.progress` in long form for a chart: one row per year and series
    (due, on air, verified, the plan's target and current-state shares), with ``share`` (0–1),
    ``percent`` (0–100), ``label`` (the series in ``lang``), ``text`` ("75,0 %") and ``count``
    (villages; empty for the plan's lines)."""
    check_lang(lang)
    p = asg.progress(assignments, plan_id, today=today)
    series = (
        ("due", "progress_due"),
        ("on_air", "progress_on_air"),
        ("verified", "progress_verified"),
        ("plan_target", "progress_plan_target"),
        ("plan_actual", "progress_plan_actual"),
    )
    rows = []
    for key, label in series:
        share = p[f"{key}_share"]
        count = p[key] if key in p else pd.Series([None] * len(p))
        for year, sh, n in zip(p["year"], share, count, strict=True):
            if sh is None or (isinstance(sh, float) and np.isnan(sh)):
                continue
            rows.append(
                {
                    "year": int(year),
                    "series": key,
                    "label": t(label, lang),
                    "share": float(sh),
                    "percent": float(sh) * 100,
                    "text": fmt_percent(float(sh), lang),
                    "count": "" if n is None else fmt_number(int(n), lang),
                }
            )
    return pd.DataFrame(
        rows, columns=["year", "series", "label", "share", "percent", "text", "count"]
    )


def history_table(
    history: pd.DataFrame, lang: str = "vi", *, names: pd.Series | None = None
) -> pd.DataFrame:
    """The history of changes (:func:`geo.assignments.history`) newest first, in ``lang``:
    when (dd/mm/yyyy HH:MM in Vietnam's time), who, the village (when ``names`` maps ids to
    names), the action, the field (its label, not the column's name), before, after, and
    whether a later undo reverted it."""
    check_lang(lang)
    h = history.sort_values("change_id", ascending=False, kind="stable")
    when = [fmt_datetime(x, lang) if not _is_missing(x) else "" for x in h["at"]]
    data = {t("history_at", lang): when, t("history_user", lang): h["user"].to_numpy()}
    if names is not None:
        data[t("village", lang)] = h["village_id"].map(names).fillna(h["village_id"]).to_numpy()
    data |= {
        t("history_action", lang): [t(f"action_{a}", lang) for a in h["action"]],
        t("history_field", lang): [_field_label(f, lang) for f in h["field"]],
        t("history_old", lang): [
            _value_text(f, v, lang) for f, v in zip(h["field"], h["old_value"], strict=True)
        ],
        t("history_new", lang): [
            _value_text(f, v, lang) for f, v in zip(h["field"], h["new_value"], strict=True)
        ],
        t("history_undone", lang): np.where(h["undone"].astype(bool), t("yes", lang), ""),
    }
    return _no_missing(pd.DataFrame(data))


def register_disagreements(
    status: pd.DataFrame,
    assignments: pd.DataFrame,
    lang: str = "vi",
    *,
    units: str = "pre2025",
) -> pd.DataFrame:
    """Where the register and the coverage data disagree (:func:`geo.assignments.disagreements`)
    in ``lang``: village, commune (both names in the 2025 units), operator, status, whether the
    model covers it, and the disagreement."""
    check_lang(lang)
    d = asg.disagreements(status, assignments, lang)
    if units == "2025" and len(d):
        known = status.drop_duplicates("village_id").set_index("village_id")
        pairs = d["village_id"].map(pd.Series(_pairs_of(known, lang).to_numpy(), index=known.index))
        pairs = pairs.fillna(d["commune"].fillna("").astype(str))
        where = {t("commune_old_new", lang): pairs.to_numpy()}
    else:
        where = {
            t("commune", lang): d["commune"].fillna("").astype(str).to_numpy(),
            t("district", lang): d["district"].fillna("").astype(str).to_numpy(),
        }
    covered = [
        MISSING if v is pd.NA or v is None else t("yes" if bool(v) else "no", lang)
        for v in d["mobile_broadband"]
    ]
    return _no_missing(pd.DataFrame(
        {
            t("village", lang): d["village"].astype(str).to_numpy(),
            **where,
            t("assigned_operator", lang): d["assigned_operator"].map(_operator_display).to_numpy(),
            t("status", lang): d["assignment_status"].map(lambda s: _status_label(s, lang)),
            t("modelled_covered", lang): covered,
            t("disagreement_why", lang): d["why"].to_numpy(),
        }
    ))


def candidates_table(
    status: pd.DataFrame,
    proposals: pd.DataFrame,
    assignments: pd.DataFrame,
    lang: str = "vi",
    *,
    units: str = "pre2025",
) -> pd.DataFrame:
    """The villages to assign: those the model finds without mobile broadband and those the
    plan lists as unserved, with the plan's operator, the tool's proposal and its reason, and
    the current assignment. The last column is the ``village_id``.

    Parameters
    ----------
    status
        The model's villages of the scope (in the 2025 units with ``units_display``).
    proposals
        :func:`geo.assignments.propose_for_model` (``village_id``, ``proposed_operator``,
        ``reason_vi``, ``reason_en``).
    assignments
        :func:`geo.assignments.current`.
    """
    check_lang(lang)
    keep = ~status["mobile_broadband"].fillna(False).astype(bool) | status[
        "declared_unserved"
    ].fillna(False).astype(bool)
    v = status[keep.to_numpy()].drop_duplicates("village_id")
    prop = proposals.drop_duplicates("village_id").set_index("village_id")
    cur = assignments.drop_duplicates("village_id").set_index("village_id")
    gap = v["gap_class"].map(
        lambda g: t(f"gap_{g}", lang) if f"gap_{g}" in _GAP_KEYS else MISSING
    )
    if units == "2025":
        where = {t("commune_old_new", lang): _pairs_of(v, lang).to_numpy()}
    else:
        where = {
            t("commune", lang): v["commune"].fillna("").astype(str).to_numpy(),
            t("district", lang): v["district"].fillna("").astype(str).to_numpy(),
        }
    reason = prop[f"reason_{lang}"] if f"reason_{lang}" in prop else prop.get("reason_vi")
    out = pd.DataFrame(
        {
            t("village", lang): v["village"].astype(str).to_numpy(),
            **where,
            t("gap_class_short", lang): gap.to_numpy(),
            t("unserved_declared", lang): v["declared_operator"].fillna("").map(
                _operator_display).to_numpy(),
            t("proposal", lang): v["village_id"].map(prop["proposed_operator"]).map(
                _operator_display).fillna("").to_numpy(),
            t("proposal_reason", lang): v["village_id"].map(reason).fillna("").to_numpy(),
            t("assigned_operator", lang): v["village_id"].map(cur["operator"]).map(
                _operator_display).fillna("").to_numpy(),
            t("status", lang): v["village_id"].map(cur["status"]).map(
                lambda s: _status_label(s, lang) if isinstance(s, str) else "").to_numpy(),
            t("village_id", lang): v["village_id"].astype(str).to_numpy(),
        }
    )
    sort = [c for c in (t("district", lang), t("commune", lang), t("commune_old_new", lang),
                        t("village", lang)) if c in out.columns]
    out = out.sort_values(sort, kind="stable", key=vietnamese_sort_keys)
    return _no_missing(out.reset_index(drop=True))


_GAP_KEYS = {"gap_all", "gap_partial", "gap_none", "gap_nosites"}


def assignment_facts(
    current: dict, lang: str = "vi", *, pair: str | None = None
) -> list[tuple[str, str]]:
    """One assignment as (label, text) pairs for a card: operator, status and its date,
    target year (where it comes from; overdue), decision, note, the proposal it followed or overrode, who changed
    it last and the version."""
    check_lang(lang)
    status = current.get("status")
    date = current.get(asg.STATUS_DATE_FIELDS.get(status, ""))
    late = bool(asg.is_overdue(pd.DataFrame([current]))[0]) if status else False
    decision = ", ".join(
        x for x in (_plain(current.get("decision")),
                    fmt_date(current["decision_date"], lang)
                    if _plain(current.get("decision_date")) else "") if x
    )
    proposed = current.get("proposed_operator")
    year_source = target_year_source_text(current.get("target_year_source"), lang)
    facts = [
        (t("assigned_operator", lang), _operator_display(current.get("operator"))),
        (t("status", lang), _status_label(status, lang)
         + (f" ({fmt_date(date, lang)})" if date else "")),
        (t("target_year_short", lang), str(current.get("target_year") or MISSING)
         + (f" ({year_source})" if year_source and current.get("target_year") else "")
         + (f" · {t('overdue', lang)}" if late else "")),
        (t("decision", lang), decision or MISSING),
    ]
    if pair:
        facts.insert(0, (t("commune_old_new", lang), pair))
    if current.get("note"):
        facts.append((t("note", lang), str(current["note"])))
    if proposed:
        reason = current.get("proposal_reason") or _operator_display(proposed)
        which = "follows_proposal" if proposed == current.get("operator") else "overridden"
        facts.append((t("proposal", lang), f"{reason} ({t(which, lang)})"))
    facts.append((t("updated_by", lang), str(current.get("updated_by") or "")))
    facts.append((t("version", lang), str(current.get("version") or "")))
    return facts


# ---------------------------------------------------------------------------------------------
# Summary per district (per new commune in the 2025 units)
# ---------------------------------------------------------------------------------------------

#: The counted columns of :func:`summary_counts`, in order.
SUMMARY_COUNTS = ("villages", "covered", "total_not_spots", "partial_not_spots", "fibre")


def summary_counts(status: pd.DataFrame, by: str = "district") -> pd.DataFrame:
    """Villages, covered, total and partial not-spots, fibre and per-operator coverage per
    area.

    Parameters
    ----------
    status
        ``Model.status`` (or the 2025 context's): ``mobile_broadband``, ``gap_class``,
        ``fibre`` and one bool column per operator.
    by
        The area's name column: ``"district"`` or ``"commune_2025"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by area name (Vietnamese alphabetical order), ints: :data:`SUMMARY_COUNTS`
        then one column per operator present in ``status``. ``covered`` counts villages with
        mobile broadband, ``total_not_spots`` those of gap class ``none``,
        ``partial_not_spots`` those of ``partial``.
    """
    ops = [op for op in OPERATORS if op in status.columns]
    flags = pd.DataFrame(
        {
            "villages": np.ones(len(status), dtype=int),
            "covered": status["mobile_broadband"].fillna(False).astype(bool).to_numpy()
            if "mobile_broadband" in status else np.zeros(len(status), dtype=bool),
            "total_not_spots": status["gap_class"].eq("none").to_numpy(),
            "partial_not_spots": status["gap_class"].eq("partial").to_numpy(),
            "fibre": status["fibre"].fillna(False).astype(bool).to_numpy()
            if "fibre" in status else np.zeros(len(status), dtype=bool),
            **{op: status[op].fillna(False).astype(bool).to_numpy() for op in ops},
        },
        index=status.index,
    ).astype(int)
    area = status[by].fillna("").astype(str)
    out = flags.groupby(area.to_numpy(), sort=False).sum()
    order = vietnamese_sort_keys(pd.Series(out.index, index=out.index))
    return out.loc[order.sort_values(kind="stable").index].rename_axis(by)


def area_summary(
    status: pd.DataFrame,
    lang: str = "vi",
    *,
    units: str = "pre2025",
    has_sites: bool = True,
) -> pd.DataFrame:
    """The summary table per district (per new commune in the 2025 units), for the screen.

    Parameters
    ----------
    status
        The villages shown (the scope's, filtered): ``Model.status`` or, in the 2025 units,
        :func:`geo.units2025.context`'s ``status`` (``commune_2025``).
    lang
        ``"vi"`` or ``"en"``.
    units
        ``"pre2025"`` (per district) or ``"2025"`` (per new commune).
    has_sites
        Whether the model has sites; without them coverage columns are left out.

    Returns
    -------
    pandas.DataFrame
        Catalog labels as headers (``map.summary.*``); numbers as text in the language's
        format ("1.234"; the share "97,3 %"); a last row "Tổng cộng" / "Total".
    """
    check_lang(lang)
    by = "commune_2025" if units == "2025" else "district"
    counts = summary_counts(status, by)
    counts.loc[t("map.summary.total", lang)] = counts.sum()
    ops = [op for op in OPERATORS if op in counts.columns]
    if not has_sites:
        counts = counts.drop(columns=["covered", "total_not_spots", "partial_not_spots", *ops])
        ops = []
    out = pd.DataFrame({t(f"map.summary.{by}", lang): counts.index.astype(str)})
    for col in counts.columns:
        if col in ops:
            label = t("map.summary.operator", lang, operator=OPERATOR_DISPLAY.get(col, col))
        else:
            label = t(f"map.summary.{col}", lang)
        out[label] = [fmt_number(v, lang) for v in counts[col].to_numpy()]
        if col == "covered":
            share = counts["covered"] / counts["villages"].where(counts["villages"] > 0)
            out[t("map.summary.covered_share", lang)] = [
                fmt_percent(v, lang) for v in share.to_numpy()]
    return _no_missing(out)
