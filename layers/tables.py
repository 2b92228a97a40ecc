"""Tables for the screen and for files: indicators (Phụ lục 1 layout), unserved villages.

:func:`indicator_rows` is the one list of indicator rows both the app's panel and
:func:`indicators_xlsx` show, in the layout of Phụ lục 1 of plan 4638/KH-UBND: Stt, Chỉ tiêu,
Đơn vị tính, Thực hiện, Mục tiêu năm Y, So sánh được (with why), Nguồn. Shares are written as
percentages (0–100) in files, as the plans print them.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from geo import demo, pipeline, plans, registry
from geo.operators import OPERATOR_DISPLAY
from geo.sites import SITE_SHARING_DEFINITION
from layers.i18n import check_lang, comparable_label, fmt_number, fmt_percent, t

__all__ = [
    "DEFINITIONS_VI",
    "disagreements",
    "header_row",
    "indicator_label",
    "indicator_rows",
    "indicators_xlsx",
    "unserved_table",
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


def _definition(result: dict, key: str, lang: str, sharing_distance_m: float | None) -> str:
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
        why = tr.get("why") or ""
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
    result: dict, lang: str = "vi", *, sharing_distance_m: float | None = None
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
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
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
    scope = ", ".join(
        str(result[k]) for k in ("commune", "district", "province") if result.get(k)
    )
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
    model: pipeline.Model, lang: str = "vi", *, district_code: str | None = None
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
    """
    check_lang(lang)
    syn = model.sources.get("sites", {}).get("synthetic", False) and len(model.sites) > 0
    covered_col = t("modelled_covered", lang) + (f" ({t('synthetic_short', lang)})" if syn else "")
    columns = [t("stt", lang), t("village", lang), t("commune", lang), t("district", lang),
               t("assigned_operator", lang), t("location", lang), covered_col, t("source", lang)]
    u = pipeline.layer(model, "unserved")
    if district_code is not None and len(u):
        u = u[u["district_code"] == district_code]
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
    out = pd.DataFrame(
        {
            columns[0]: stt.astype("Int64") if stt is not None else range(1, len(u) + 1),
            columns[1]: u["village"].astype(str),
            columns[2]: u["commune"].fillna("").astype(str),
            columns[3]: u["district"].fillna("").astype(str),
            columns[4]: u["operator"].map(lambda o: OPERATOR_DISPLAY.get(o, o)),
            columns[5]: u["location_precision"].map(
                {"point": t("location_point", lang), "commune": t("location_commune", lang)}
            ).fillna("—"),
            columns[6]: covered,
            columns[7]: u["source"].fillna("").astype(str),
        }
    )
    return out.sort_values(columns[0]).reset_index(drop=True)


def disagreements(
    model: pipeline.Model, lang: str = "vi", *, district_code: str | None = None
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
    """
    check_lang(lang)
    s = model.status
    if district_code is not None:
        s = s[s["district_code"] == district_code]
    kind, village, commune, district = (t("disagreement_kind", lang), t("village", lang),
                                        t("commune", lang), t("district", lang))
    op_col, cov_col = t("declared_operator", lang), t("operators_covering", lang)
    loc_col = t("location", lang)
    columns = [kind, village, commune, district, op_col, cov_col, loc_col]
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
            parts.append(
                pd.DataFrame(
                    {
                        kind: label,
                        village: frame["village"].astype(str).to_numpy(),
                        commune: frame["commune"].fillna("").astype(str).to_numpy(),
                        district: frame["district"].fillna("").astype(str).to_numpy(),
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
    return pd.concat(parts, ignore_index=True)
