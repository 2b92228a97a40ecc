"""The plan's indicator appendix as printed (Phụ lục 1 of 4638/KH-UBND, the Phụ lục of 2855/KH-UBND).

One sheet in the plan's own layout: the title, sections (I, II…), every row in the printed order
(with "Trong đó:" lines), and the columns Stt, Các chỉ tiêu, Đơn vị tính, Thực hiện năm <base>,
the targets (Năm 2021 … 2025, Định hướng đến năm 2030), then **Thực hiện năm Y**, **Đánh giá**
(Đạt / Chưa đạt by the plan's comparator), the source of the figure and a note.

Where "Thực hiện năm Y" comes from: a figure the planner entered (``geo.store.actuals``, with
who and when) comes first; else the tool's own value where it measures the row (modelled, and
"partial" when the plan counts more than the tool does); else the cell is empty and says the
planner enters it (``python -m geo actuals import``).

**Rule: a figure is judged as it is printed.** Every "Thực hiện" figure is rounded half-up to
:data:`DECIMALS` decimal place(s); the rounded number is what the cell holds and what is compared
with the target, so the shown number and the verdict never disagree (79,97 % is written 80,0 and
meets a target of 80; 79,94 % is written 79,9 and does not).

This module writes the sheet; it reads no file and opens no store (the caller passes the
actuals frame).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from geo import plans
from geo.cells import XLSXWRITER_OPTIONS

__all__ = ["DECIMALS", "add_sheet", "appendix_table", "shown", "verdict", "workbook"]

DECIMALS = 1
"""Decimal places of every "Thực hiện" figure; the figure is judged at this precision."""

_SHARE_TOOL = {"villages_mobile_share", "villages_fibre_share", "site_sharing_rate",
               "population_covered_share"}

_TEXT = {
    "vi": {
        "stt": "Stt", "indicator": "Các chỉ tiêu", "unit": "Đơn vị tính",
        "base": "Thực hiện năm {y}", "targets": "Mục tiêu cụ thể", "year": "Năm {y}",
        "orient": "Định hướng đến năm {y}", "actual": "Thực hiện năm {y}",
        "verdict": "Đánh giá", "source": "Nguồn số liệu thực hiện", "note": "Ghi chú",
        "met": "Đạt", "not_met": "Chưa đạt", "no_target": "Không có mục tiêu năm {y}",
        "no_data": "Chưa có số liệu",
        "planner": "Cán bộ nhập: {who}, {when}",
        "tool": "Công cụ tính (mô hình bán kính phủ sóng)",
        "tool_partial": "Công cụ tính (mô hình; chỉ một phần chỉ tiêu)",
        "enter": "Cán bộ nhập: python -m geo actuals import TỆP.csv --plan {plan} --user TÊN",
        "tool_also": "Công cụ tính (mô hình): {v}",
        "yes": "Có: ", "partial": "Một phần: ",
        "synthetic": "⚠ Dữ liệu mô phỏng (minh họa, không phải dữ liệu thật): {what}. Số liệu "
                     "công cụ tính từ dữ liệu này chỉ để minh họa.",
        "kem_theo": "(Kèm theo Kế hoạch số {doc} ngày {date} của {issuer})",
        "scope": "Thực hiện năm {y} tính cho: {scope}. Số liệu được làm tròn {d} chữ số thập "
                 "phân và đánh giá theo số đã làm tròn.",
        "other_area": "Công cụ tính cho {scope}, không phải địa bàn của kế hoạch: chọn --district",
        "Có": "Có", "Không": "Không",
    },
    "en": {
        "stt": "No.", "indicator": "Indicator", "unit": "Unit",
        "base": "Actual {y}", "targets": "Targets", "year": "{y}",
        "orient": "Orientation to {y}", "actual": "Actual {y}",
        "verdict": "Assessment", "source": "Source of the actual", "note": "Note",
        "met": "Met", "not_met": "Not met", "no_target": "No target for {y}",
        "no_data": "No data yet",
        "planner": "Entered by {who}, {when}",
        "tool": "Computed by the tool (coverage-radius model)",
        "tool_partial": "Computed by the tool (model; part of the indicator only)",
        "enter": "Planner enters it: python -m geo actuals import FILE.csv --plan {plan} "
                 "--user NAME",
        "tool_also": "Tool (model): {v}",
        "yes": "Comparable: ", "partial": "Partly: ",
        "synthetic": "⚠ Synthetic data (demo, not real data): {what}. The tool's figures from "
                     "it are for illustration only.",
        "kem_theo": "(Annexed to plan {doc} of {date}, {issuer})",
        "scope": "Actual {y} computed for: {scope}. Figures are rounded to {d} decimal(s) and "
                 "judged as rounded.",
        "other_area": "Computed for {scope}, not the plan's area: choose --district",
        "Có": "Yes", "Không": "No",
    },
}


def shown(value: float) -> float:
    """``value`` rounded half-up to :data:`DECIMALS` places: the number printed and judged."""
    q = Decimal(1).scaleb(-DECIMALS)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def verdict(value: float | None, target: dict | None) -> bool | None:
    """Whether a printed figure meets a printed target (``None``: no figure or no target)."""
    if value is None or target is None:
        return None
    return plans.meets(shown(value), target["comparator"], float(target["value"]), tol=0.0)


def _fmt_when(ts) -> str:
    return pd.Timestamp(ts).tz_convert("Asia/Ho_Chi_Minh").strftime("%d/%m/%Y %H:%M")


def _fmt_num(v: float, lang: str) -> str:
    text = f"{v:,.{DECIMALS}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "vi" else text


def _tool_value(result: dict, key: str) -> float | None:
    if key.startswith("villages_operator_share_"):
        v = (result.get("villages_operator_share") or {}).get(
            key.removeprefix("villages_operator_share_"))
    else:
        v = result.get(key)
    if not isinstance(v, int | float) or isinstance(v, bool):
        return None
    return float(v) * 100.0 if key in _SHARE_TOOL or key.startswith("villages_operator") else float(v)


def appendix_table(
    result: dict,
    plan_id: str,
    year: int,
    actuals: pd.DataFrame | None = None,
    lang: str = "vi",
) -> tuple[dict, list[dict]]:
    """The appendix's rows with the "Thực hiện năm ``year``" figure, its source and verdict.

    Parameters
    ----------
    result
        :func:`geo.indicators.compute` for the plan's area.
    plan_id, year
        The plan and the year assessed.
    actuals
        :func:`geo.store.actuals.current` of the plan (any years), or ``None``.

    Returns
    -------
    meta, rows
        :func:`geo.plans.appendix_rows` with, per indicator row, ``actual`` (the shown number or
        ``None``), ``actual_source`` ("planner", "tool" or ""), ``source_text``, ``note``,
        ``target`` (the figure of ``year`` when it is a target) and ``met``.
    """
    tx = _TEXT[lang]
    meta, rows = plans.appendix_rows(plan_id)
    plan_district = meta["district_code"]
    same_area = not plan_district or result.get("district_code") == plan_district
    mine = {}
    if actuals is not None and len(actuals):
        a = actuals[(actuals["plan_id"] == plan_id) & (actuals["year"] == int(year))]
        mine = {r["row_key"]: r for r in a.to_dict("records")}
    for row in rows:
        if row["row_type"] != "indicator":
            continue
        fig = row["figures"].get(int(year))
        target = fig if fig is not None and fig["kind"] == "target" else None
        tool = None
        if row["tool_indicator"] and row["comparable"] != "no":
            tool = _tool_value(result, row["tool_indicator"])
        notes = []
        if row["tool_indicator"] and row["comparable"] != "no":
            notes.append(tx["yes" if row["comparable"] == "yes" else "partial"]
                         + (row["why_vi"] if lang == "vi" else row["why"]))
        if row["row_key"] in mine:
            p = mine[row["row_key"]]
            value, source = float(p["value"]), "planner"
            source_text = tx["planner"].format(who=p["entered_by"], when=_fmt_when(p["entered_at"]))
            if tool is not None and same_area:
                notes.append(tx["tool_also"].format(v=_fmt_num(shown(tool), lang)))
        elif tool is not None and same_area:
            value, source = tool, "tool"
            source_text = tx["tool" if row["comparable"] == "yes" else "tool_partial"]
        else:
            value, source = None, ""
            source_text = tx["enter"].format(plan=plan_id)
            if tool is not None:
                notes.append(tx["other_area"].format(scope=_scope(result)))
        row |= {
            "actual": None if value is None else shown(value),
            "actual_source": source,
            "source_text": source_text,
            "note": "; ".join(notes),
            "target": target,
            "met": verdict(value, target),
            "year": int(year),
        }
    return meta, rows


def _scope(result: dict) -> str:
    keys = ("commune", "district", "province")
    return ", ".join(str(result[k]) for k in keys if result.get(k))


def add_sheet(
    wb,
    result: dict,
    *,
    plan_id: str | None = None,
    year: int | None = None,
    actuals: pd.DataFrame | None = None,
    lang: str = "vi",
) -> str | None:
    """Add the plan's appendix sheet to an :class:`xlsxwriter.Workbook`.

    The plan is ``plan_id``, else the one :func:`geo.plans.choose_plan` picks for the result's
    province (and district). Returns the plan_id, or ``None`` when the province has no plan with
    a laid-out appendix (then nothing is added).
    """
    if result.get("units") == "2025" or not result.get("province_code"):
        return None
    plan_id = plans.choose_plan(result["province_code"], result.get("district_code"), plan_id)
    if plan_id is None:
        return None
    year = int(year or result.get("target_year") or 2025)
    tx = _TEXT[lang]
    meta, rows = appendix_table(result, plan_id, year, actuals, lang)
    base_years = meta["actual_years"]
    target_years = meta["target_years"]
    f = _formats(wb)
    ws = wb.add_worksheet(str(meta["appendix"])[:31])
    ncol = 3 + len(base_years) + len(target_years) + 4
    ws.merge_range(0, 0, 0, ncol - 1, str(meta["appendix"]).upper(), f["title"])
    ws.merge_range(1, 0, 1, ncol - 1, meta["title"].upper(), f["title"])
    date = meta["document_date"]
    ws.merge_range(2, 0, 2, ncol - 1, tx["kem_theo"].format(
        doc=meta["document"], date=f"{date:%d/%m/%Y}" if date else "—", issuer=meta["issuer"]),
        f["italic"])
    ws.merge_range(3, 0, 3, ncol - 1, tx["scope"].format(y=year, scope=_scope(result),
                                                        d=DECIMALS), f["wrap"])
    r = 4
    synthetic = [k for k, v in (result.get("sources") or {}).items() if v.get("synthetic")]
    if synthetic:
        ws.merge_range(r, 0, r, ncol - 1, tx["synthetic"].format(what=", ".join(synthetic)),
                       f["warn"])
        r += 1
    r += 1
    # Two header rows, as printed: the targets grouped under "Mục tiêu cụ thể".
    heads = [tx["stt"], tx["indicator"], tx["unit"]] + [tx["base"].format(y=y) for y in base_years]
    for c, h in enumerate(heads):
        ws.merge_range(r, c, r + 1, c, h, f["head"])
    c0 = len(heads)
    if len(target_years) > 1:
        ws.merge_range(r, c0, r, c0 + len(target_years) - 1, tx["targets"], f["head"])
    else:
        ws.write_string(r, c0, tx["targets"], f["head"])
    for j, y in enumerate(target_years):
        label = tx["orient" if y > 2025 and 2025 in target_years else "year"].format(y=y)
        ws.write_string(r + 1, c0 + j, label, f["head"])
    tail = [tx["actual"].format(y=year), tx["verdict"], tx["source"], tx["note"]]
    c_act = c0 + len(target_years)
    for j, h in enumerate(tail):
        ws.merge_range(r, c_act + j, r + 1, c_act + j, h, f["head"])
    r += 2
    for row in rows:
        if row["row_type"] == "title":
            continue
        if row["row_type"] == "section":
            ws.write_string(r, 0, row["stt"], f["bold_c"])
            ws.merge_range(r, 1, r, ncol - 1, row["text"], f["bold"])
        elif row["row_type"] == "note":
            ws.write_blank(r, 0, None, f["cell"])
            ws.merge_range(r, 1, r, ncol - 1, row["text"], f["italic_b"])
        else:
            _indicator_row(ws, r, row, base_years, target_years, c_act, f, tx, lang)
        r += 1
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 12)
    ws.set_column(3, c_act - 1, 11)
    ws.set_column(c_act, c_act + 1, 13)
    ws.set_column(c_act + 2, c_act + 3, 45)
    return plan_id


def _figure(ws, r: int, c: int, fig: dict | None, unit: str, f: dict, tx: dict) -> None:
    if fig is None:
        ws.write_string(r, c, "—", f["centre"])
    elif unit.strip().lower() == "có/không":
        ws.write_string(r, c, tx[fig["value_text"]] if fig["value_text"] in tx else
                        fig["value_text"], f["centre"])
    else:
        ws.write_number(r, c, fig["value"], f["num"](fig["comparator"], fig["value"]))


def _indicator_row(ws, r, row, base_years, target_years, c_act, f, tx, lang) -> None:
    ws.write_string(r, 0, row["stt"], f["centre"])  # a code: text, "4.1" stays "4.1"
    ws.write_string(r, 1, row["text"], f["cell"])
    ws.write_string(r, 2, row["unit"], f["centre"])
    for j, y in enumerate([*base_years, *target_years]):
        _figure(ws, r, 3 + j, row["figures"].get(y), row["unit"], f, tx)
    if row["actual"] is None:
        ws.write_string(r, c_act, "", f["centre"])
    elif row["unit"].strip().lower() == "có/không":
        ws.write_string(r, c_act, tx["Có"] if row["actual"] >= 1 else tx["Không"], f["centre"])
    else:
        ws.write_number(r, c_act, row["actual"], f["actual"])
    if row["actual_source"]:
        ws.write_comment(r, c_act, row["source_text"], {"x_scale": 2.5})
    if row["target"] is None:
        text = tx["no_target"].format(y=row["year"])
    elif row["met"] is None:
        text = tx["no_data"]
    else:
        text = tx["met"] if row["met"] else tx["not_met"]
    ws.write_string(r, c_act + 1, text, f["met" if row["met"] else "centre"])
    ws.write_string(r, c_act + 2, row["source_text"], f["cell"])
    ws.write_string(r, c_act + 3, row["note"], f["cell"])


def _formats(wb) -> dict:
    add = wb.add_format
    base = {"border": 1, "valign": "top"}
    f = {
        "title": add({"bold": True, "font_size": 13, "align": "center"}),
        "italic": add({"italic": True, "align": "center"}),
        "wrap": add({"text_wrap": True}),
        "warn": add({"bold": True, "font_color": "#9c5700", "bg_color": "#fff3cd",
                     "text_wrap": True}),
        "head": add({"bold": True, "bg_color": "#d9e1f2", "border": 1, "text_wrap": True,
                     "valign": "vcenter", "align": "center"}),
        "cell": add(base | {"text_wrap": True}),
        "centre": add(base | {"align": "center", "text_wrap": True}),
        "bold": add(base | {"bold": True, "text_wrap": True}),
        "bold_c": add(base | {"bold": True, "align": "center"}),
        "italic_b": add(base | {"italic": True}),
        "met": add(base | {"align": "center", "font_color": "#006100", "bg_color": "#c6efce"}),
        "actual": add(base | {"num_format": "#,##0." + "0" * DECIMALS}),
    }
    cache: dict[tuple, object] = {}

    def num(comparator: str, value: float):
        integer = float(value).is_integer()
        k = (comparator, integer)
        if k not in cache:
            fmt = "#,##0" if integer else "#,##0.0##"
            prefix = "" if comparator == "=" else f'"{comparator}"'
            cache[k] = add(base | {"align": "center", "num_format": prefix + fmt})
        return cache[k]

    f["num"] = num
    return f


def workbook(
    result: dict,
    *,
    plan_id: str | None = None,
    year: int | None = None,
    actuals: pd.DataFrame | None = None,
    lang: str = "vi",
) -> bytes:
    """A workbook holding only the appendix sheet (see :func:`add_sheet`), as .xlsx bytes."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **XLSXWRITER_OPTIONS})
    add_sheet(wb, result, plan_id=plan_id, year=year, actuals=actuals, lang=lang)
    wb.close()
    return buf.getvalue()

