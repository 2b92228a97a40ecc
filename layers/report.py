"""The yearly report: "BÁO CÁO Kết quả thực hiện Kế hoạch …" as a Word document and a workbook.

:func:`report_docx` writes the usual form of a Vietnamese administrative report (Nghị định
30/2020/NĐ-CP: A4, Times New Roman 13): the agency (tên cơ quan) and the number line left to
fill (Số: …/BC-…) on the left, the national motto (quốc hiệu, tiêu ngữ) and the place and date
line ("Điện Biên, ngày … tháng … năm 2025") on the right, the title, then

I.  the indicators: the plan's Phụ lục 1 table (:func:`appendix_frame`, the rows, figures,
    rounding and Đạt/Chưa đạt of :func:`layers.phu_luc_1.appendix_table`, not recomputed), the
    gap to each target in words, the charts (:mod:`layers.charts`) and the results by district
    (before 01/07/2025) or commune (from then) (:func:`summary_table`);
II. the Phụ lục 2 follow-up: each assigned village's operator, status and on-air date from the
    register (:func:`follow_up_table`);
III. the map figure (a PNG the caller draws, e.g. :func:`layers.print_map.print_map`);
IV. the data sources, with "DỮ LIỆU MÔ PHỎNG" wherever a layer is synthetic;

and the recipients and signer. :func:`report_xlsx` holds the same tables (the Phụ lục 1 sheet
in the plan's own layout, :func:`layers.phu_luc_1.add_sheet`); its text is written as strings,
never as formulas (:data:`geo.cells.XLSXWRITER_OPTIONS`). Data reach python-docx only as text
runs (escaped XML), never as markup.

Inputs come from :func:`geo.report.gather` (this module opens no store).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from geo import plans, registry
from geo.i18n import check_lang, enum_label, fmt_date, fmt_number, fmt_percent, t
from geo.operators import OPERATOR_DISPLAY
from geo.vocab import Status, UnitSystem
from layers import charts, phu_luc_1

__all__ = [
    "appendix_frame",
    "follow_up_table",
    "map_figure",
    "report_docx",
    "report_xlsx",
    "sources_lines",
    "summary_table",
]

_FONT = "Times New Roman"


# ---------------------------------------------------------------------------------------------
# Tables (the same in the .docx and the .xlsx)
# ---------------------------------------------------------------------------------------------


def _verdict_text(row: dict, lang: str) -> str:
    if row["target"] is None:
        return t("report.verdict_no_target", lang, year=row["year"])
    if row["met"] is None:
        return t("report.verdict_no_data", lang)
    return t("report.verdict_met" if row["met"] else "report.verdict_not_met", lang)


def _figure_text(fig: dict | None, unit: str, lang: str) -> str:
    if fig is None:
        return "—"
    if unit.strip().lower() == "có/không":
        yes = fig["value_text"] in ("Có", "1")
        return {"vi": ("Có", "Không"), "en": ("Yes", "No")}[lang][0 if yes else 1]
    prefix = "" if fig["comparator"] == "=" else fig["comparator"] + " "
    value = float(fig["value"])
    return prefix + fmt_number(value, lang, 0 if value.is_integer() else 1)


def _actual_text(row: dict, lang: str) -> str:
    if row["actual"] is None:
        return ""
    if row["unit"].strip().lower() == "có/không":
        return {"vi": ("Có", "Không"), "en": ("Yes", "No")}[lang][0 if row["actual"] >= 1 else 1]
    return fmt_number(row["actual"], lang, phu_luc_1.DECIMALS)


def appendix_frame(
    plan_id: str, result: dict | None, year: int, actuals: pd.DataFrame | None, lang: str = "vi"
) -> tuple[dict, pd.DataFrame]:
    """The Phụ lục 1 rows for the report: printed order, sections and notes kept.

    Returns
    -------
    meta, frame
        :func:`geo.plans.appendix_rows`' meta, and a frame with ``row_type``, ``stt``,
        ``text``, ``unit``, ``base`` (the plan's base-year actual as printed), ``target`` (the
        figure of ``year``), ``actual`` (the number, or NaN), ``actual_text``, ``verdict``,
        ``source`` and ``gap`` (in words) — every figure from
        :func:`layers.phu_luc_1.appendix_table`.
    """
    meta, rows = phu_luc_1.appendix_table(result or {}, plan_id, year, actuals, lang)
    base_year = meta["actual_years"][0] if meta["actual_years"] else None
    records = []
    for row in rows:
        if row["row_type"] == "title":
            continue
        rec = {
            "row_type": row["row_type"],
            "stt": row["stt"],
            "text": row["text"],
            "unit": "",
            "base": "",
            "target": "",
            "actual": np.nan,
            "actual_text": "",
            "verdict": "",
            "source": "",
            "gap": "",
        }
        if row["row_type"] == "indicator":
            rec |= {
                "unit": row["unit"],
                "base": _figure_text(row["figures"].get(base_year), row["unit"], lang)
                if base_year
                else "—",
                "target": _figure_text(row["target"], row["unit"], lang),
                "actual": np.nan if row["actual"] is None else float(row["actual"]),
                "actual_text": _actual_text(row, lang),
                "verdict": _verdict_text(row, lang),
                "source": row["source_text"] if row["actual_source"] else "",
                "gap": charts.gap_words(charts.gap(row, result, year), lang)
                if row["actual"] is not None
                else "",
            }
        records.append(rec)
    return meta, pd.DataFrame.from_records(records)


def summary_table(status: pd.DataFrame, units: str, lang: str = "vi") -> pd.DataFrame:
    """The scope's villages by district (before 01/07/2025) or new commune (from then), with a
    total row: villages, with 3G/4G/5G, the share, with fibre, total not-spots.

    The total row is the sum of the rows: it equals the scope's indicators (``villages``,
    ``villages_mobile_share``, ``total_not_spots``).
    """
    check_lang(lang)
    key = "commune_2025" if str(units) == UnitSystem.U2025 else "district"
    s = status.assign(
        _unit=status[key].fillna("—").astype(str),
        _mobile=status["mobile_broadband"].astype(bool),
        _fibre=status["fibre"].astype(bool),
        _none=status["gap_class"].astype(str) == "none",
    )
    g = s.groupby("_unit", sort=False).agg(
        villages=("village_id", "size"),
        mobile=("_mobile", "sum"),
        fibre=("_fibre", "sum"),
        not_spots=("_none", "sum"),
    )
    from geo.names import vietnamese_sort_keys

    g = g.reset_index(names="unit").sort_values("unit", key=vietnamese_sort_keys)
    total = pd.DataFrame(
        [
            {
                "unit": t("report.col_total", lang),
                **g[["villages", "mobile", "fibre", "not_spots"]].sum().to_dict(),
            }
        ]
    )
    out = pd.concat([g, total], ignore_index=True)
    for col in ("villages", "mobile", "fibre", "not_spots"):
        out[col] = out[col].astype("int64")
    out["mobile_share"] = np.where(
        out["villages"] > 0, out["mobile"] / out["villages"].where(out["villages"] > 0, 1), np.nan
    )
    return out[["unit", "villages", "mobile", "mobile_share", "fibre", "not_spots"]]


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def follow_up_table(
    assignments: pd.DataFrame, declared: pd.DataFrame | None = None, lang: str = "vi"
) -> pd.DataFrame:
    """The Phụ lục 2 follow-up: the register's villages (operator, status, on-air date
    dd/mm/yyyy, target year) in the register's order, then the plan's unserved villages the
    register does not hold yet ("Chưa có trong sổ phân công", the plan's operator).

    Columns: ``stt, village, commune, district, operator, status, on_air, target_year``.
    """
    check_lang(lang)
    a = assignments.reset_index(drop=True)
    on_air = a["on_air_on"] if "on_air_on" in a else pd.Series([None] * len(a), dtype=object)
    register = pd.DataFrame(
        {
            "village": _text(a["village"]),
            "commune": _text(a["commune"]),
            "district": _text(a["district"]),
            "operator": _text(a["operator"].map(lambda o: OPERATOR_DISPLAY.get(o, o))),
            "status": _text(a["status"].map(lambda s: enum_label(Status(s), lang))),
            "on_air": [fmt_date(d, lang) if isinstance(d, str) and d else "" for d in on_air],
            "target_year": _text(
                a["target_year"].map(lambda y: None if pd.isna(y) else str(int(y)))
            ),
        }
    )
    parts = [register]
    if declared is not None and len(declared):
        d = declared[~declared["village_id"].isin(set(a["village_id"]))]
        if "source_row" in d:
            d = d.sort_values("source_row", kind="stable")
        parts.append(
            pd.DataFrame(
                {
                    "village": _text(d["village"]),
                    "commune": _text(d["commune"]),
                    "district": _text(d["district"]) if "district" in d else "",
                    "operator": _text(d["operator"].map(lambda o: OPERATOR_DISPLAY.get(o, o))),
                    "status": t("report.not_in_register", lang),
                    "on_air": "",
                    "target_year": "",
                }
            )
        )
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else register
    out.insert(0, "stt", np.arange(1, len(out) + 1))
    return out


def sources_lines(result: dict, plan_meta: dict | None, lang: str = "vi") -> list[str]:
    """The data sources, one line each; a synthetic layer says "DỮ LIỆU MÔ PHỎNG"."""
    lines = []
    for layer in ("villages", "sites", "fibre", "population"):
        info = (result.get("sources") or {}).get(layer)
        if not isinstance(info, dict):
            continue
        key = "report.source_synthetic" if info.get("synthetic") else "report.source_line"
        src = info.get("source") or "—"
        imports = info.get("imports") or []
        if imports:
            src = f"{src} ({', '.join(map(str, imports))})"
        lines.append(t(key, lang, layer=t(f"report.layer_{layer}", lang), source=src))
    lines.append(
        t(
            "report.source_line",
            lang,
            layer=t("report.layer_boundaries", lang),
            source=registry.attribution(),
        )
    )
    if plan_meta:
        date = plan_meta["document_date"]
        lines.append(
            t(
                "report.source_line",
                lang,
                layer=t("report.layer_plan", lang),
                source=f"{plan_meta['document']} ({fmt_date(date, lang) if date else '—'}"
                f", {plan_meta['issuer']})",
            )
        )
    return lines


# ---------------------------------------------------------------------------------------------
# The Word document
# ---------------------------------------------------------------------------------------------


def _agency(province: str, agency: str | None, lang: str) -> str:
    """The reporting agency: as given, else the province's Department (Sở Khoa học và Công
    nghệ tỉnh Điện Biên)."""
    if agency:
        return agency
    return t("report.default_agency", lang, province=province[:1].lower() + province[1:])


def _place_name(province: str) -> str:
    for prefix in ("Tỉnh ", "Thành phố "):
        if province.startswith(prefix):
            return province.removeprefix(prefix)
    return province


def _style(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), _FONT)
    normal.paragraph_format.space_after = Pt(4)
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)


def _para(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    align: str | None = None,
    size: float | None = None,
    space_after: float | None = None,
):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    first = container.paragraphs[0] if hasattr(container, "vertical_alignment") else None
    # A table cell starts with one empty paragraph: the first line goes there.
    p = (
        first
        if first is not None and len(container.paragraphs) == 1 and not first.runs
        else (container.add_paragraph())
    )
    if align:
        p.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return p


def _header(doc, data, lang: str, agency: str | None, place: str) -> None:
    """Agency and number on the left, quốc hiệu, tiêu ngữ and the date line on the right."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = True
    left, right = table.rows[0].cells
    province = data.scope.province
    _para(
        left,
        t("report.agency_parent", lang, province=province).upper(),
        align="center",
        size=12,
        space_after=0,
    )
    _para(
        left,
        _agency(province, agency, lang).upper(),
        bold=True,
        align="center",
        size=12,
        space_after=6,
    )
    _para(left, t("report.number_line", lang), align="center", size=12)
    _para(
        right, t("report.national_motto", lang), bold=True, align="center", size=12, space_after=0
    )
    _para(right, t("report.motto", lang), bold=True, align="center", size=13, space_after=6)
    _para(
        right,
        t("report.date_line", lang, place=place, year=data.year),
        italic=True,
        align="center",
        size=13,
    )


def _table(
    doc,
    header: list[str],
    rows: list[list[str]],
    widths_cm: list[float],
    *,
    bold_rows: set[int] | None = None,
    merged_rows: set[int] | None = None,
    size: float = 10,
):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for j, text in enumerate(header):
        cell = table.rows[0].cells[j]
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, Pt(size)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, values in enumerate(rows, start=1):
        cells = table.rows[i].cells
        if merged_rows and (i - 1) in merged_rows:
            merged = cells[1].merge(cells[-1])
            cells[0].text = ""
            r0 = cells[0].paragraphs[0].add_run(values[0])
            r0.bold, r0.font.size = True, Pt(size)
            merged.text = ""
            run = merged.paragraphs[0].add_run(values[1])
            run.bold, run.font.size = True, Pt(size)
            continue
        for j, text in enumerate(values):
            cells[j].text = ""
            run = cells[j].paragraphs[0].add_run(str(text))
            run.font.size = Pt(size)
            run.bold = bool(bold_rows and (i - 1) in bold_rows)
    for row in table.rows:
        for j, width in enumerate(widths_cm):
            row.cells[j].width = Cm(width)
    return table


def _appendix_section(doc, data, lang: str) -> dict | None:
    if data.plan_id is None:
        _para(doc, t("report.no_plan", lang), italic=True)
        return None
    meta, frame = appendix_frame(data.plan_id, data.appendix_result, data.year, data.actuals, lang)
    base_year = meta["actual_years"][0] if meta["actual_years"] else ""
    header = [
        t("report.col_stt", lang),
        t("report.col_indicator", lang),
        t("report.col_uom", lang),
        t("report.col_base", lang, year=base_year),
        t("report.col_target", lang, year=data.year),
        t("report.col_actual", lang, year=data.year),
        t("report.col_verdict", lang),
    ]
    rows, merged = [], set()
    for i, r in enumerate(frame.to_dict("records")):
        if r["row_type"] in ("section", "note"):
            merged.add(i)
            rows.append([r["stt"], r["text"]] + [""] * 5)
        else:
            rows.append(
                [
                    r["stt"],
                    r["text"],
                    r["unit"],
                    r["base"],
                    r["target"],
                    r["actual_text"],
                    r["verdict"],
                ]
            )
    _table(doc, header, rows, [1.0, 6.4, 1.6, 1.9, 1.9, 1.9, 1.7], merged_rows=merged)
    if str(data.scope.units) == UnitSystem.U2025:
        _para(doc, t("report.units_2025_note", lang), italic=True, size=11)
    gaps = frame[(frame["row_type"] == "indicator") & (frame["gap"] != "")]
    if len(gaps):
        _para(doc, t("report.h_gaps", lang, year=data.year), bold=True)
        for r in gaps.itertuples():
            _para(
                doc, f"- {r.stt}. {r.text[:90]}{'…' if len(r.text) > 90 else ''}: {r.gap}.", size=12
            )
    return meta


def _charts_section(doc, data, lang: str) -> None:
    from docx.shared import Cm

    frame = charts.chart_data(
        data.plan_id,
        result=data.appendix_result,
        year=data.year,
        snapshots=data.snapshots,
        actuals=data.actuals,
    )
    for key in charts.measured_rows(frame):
        png = charts.figure_bytes(frame, key, fmt="png", lang=lang)
        doc.add_picture(io.BytesIO(png), width=Cm(16))


def _summary_section(doc, data, lang: str) -> None:
    table = summary_table(data.status, str(data.scope.units), lang)
    unit_word = t(
        "report.unit_commune"
        if str(data.scope.units) == UnitSystem.U2025
        else "report.unit_district",
        lang,
    )
    header = [
        unit_word.capitalize(),
        t("report.col_villages", lang),
        t("report.col_mobile", lang),
        t("report.col_mobile_share", lang),
        t("report.col_fibre", lang),
        t("report.col_not_spots", lang),
    ]
    rows = [
        [
            r.unit,
            fmt_number(r.villages, lang),
            fmt_number(r.mobile, lang),
            fmt_percent(r.mobile_share, lang),
            fmt_number(r.fibre, lang),
            fmt_number(r.not_spots, lang),
        ]
        for r in table.itertuples()
    ]
    _table(doc, header, rows, [5.0, 2.2, 2.4, 2.2, 2.2, 2.2], bold_rows={len(rows) - 1})


def _follow_up_section(doc, data, lang: str) -> None:
    table = follow_up_table(data.assignments, getattr(data, "declared", None), lang)
    if table.empty:
        _para(doc, t("report.follow_up_none", lang), italic=True)
        return
    done = data.assignments["status"].isin([Status.ON_AIR, Status.VERIFIED]).sum()
    missing = len(table) - len(data.assignments)
    counts = t(
        "report.follow_up_counts",
        lang,
        total=fmt_number(len(data.assignments), lang),
        on_air=fmt_number(int(done), lang),
        missing=fmt_number(missing, lang),
    )
    _para(doc, counts)
    if getattr(data, "status_on", None) is not None:
        _para(
            doc,
            t("report.status_on", lang, date=fmt_date(data.status_on, lang)),
            italic=True,
            size=12,
        )
    header = [
        t("report.col_stt", lang),
        t("report.col_village", lang),
        t("report.col_commune", lang),
        t("report.col_district", lang),
        t("report.col_operator", lang),
        t("report.col_status", lang),
        t("report.col_on_air", lang),
    ]
    rows = [
        [str(r.stt), r.village, r.commune, r.district, r.operator, r.status, r.on_air]
        for r in table.itertuples()
    ]
    _table(doc, header, rows, [1.0, 3.0, 3.0, 3.0, 2.2, 2.4, 1.9])


def map_figure(data, lang: str = "vi", dpi: int = 110) -> tuple[bytes | None, str | None]:
    """The report's map figure (PNG, A4 landscape, :func:`layers.print_map.print_map`), or
    None and why it could not be drawn (the report is written without it)."""
    from layers import print_map

    scope = data.scope
    try:
        png = print_map.print_map(
            data.model,
            paper="A4",
            orientation="landscape",
            fmt="png",
            lang=lang,
            district_code=scope.district_code,
            units=str(scope.units),
            commune_2025_code=scope.commune_2025_code,
            dpi=dpi,
        )
    except (ValueError, RuntimeError) as exc:
        return None, str(exc)
    return png, None


def report_docx(
    data,
    *,
    map_png: bytes | None = None,
    map_error: str | None = None,
    lang: str = "vi",
    agency: str | None = None,
) -> bytes:
    """The yearly report as a .docx.

    Parameters
    ----------
    data
        :func:`geo.report.gather`.
    map_png
        The map figure (PNG), e.g. :func:`layers.print_map.print_map` with ``fmt="png"``.
    map_error
        Why there is no map (said in its place).
    lang
        ``"vi"`` (default) or ``"en"``.
    agency
        The reporting agency (tên cơ quan) as printed; default the province's Department of
        Science and Technology.

    Returns
    -------
    bytes
    """
    import docx
    from docx.shared import Cm

    check_lang(lang)
    doc = docx.Document()
    _style(doc)
    place = _place_name(data.scope.province)
    _header(doc, data, lang, agency, place)
    meta = plans.appendix_rows(data.plan_id)[0] if data.plan_id else None
    _para(doc, "")
    _para(doc, t("report.kind", lang), bold=True, align="center", size=14, space_after=0)
    if meta:
        date = meta["document_date"]
        title = t(
            "report.title",
            lang,
            document=meta["document"],
            date=fmt_date(date, lang) if date else "—",
            issuer=meta["issuer"],
            year=data.year,
        )
        _para(doc, title, bold=True, align="center", size=14)
        agency_name = _agency(data.scope.province, agency, lang)
        _para(
            doc,
            t(
                "report.intro",
                lang,
                document=meta["document"],
                date=fmt_date(date, lang) if date else "—",
                issuer=meta["issuer"],
                agency=agency_name,
                year=data.year,
                place=data.scope.place,
            ),
            align="justify",
        )
    if data.synthetic:
        _para(
            doc,
            t(
                "report.synthetic_warning",
                lang,
                layers=", ".join(
                    t(f"report.layer_{k}", lang) if f"report.layer_{k}" in _known() else k
                    for k in data.synthetic
                ),
            ),
            bold=True,
        )
    doc.add_heading(t("report.h_results", lang), level=1)
    doc.add_heading(t("report.h_phu_luc_1", lang), level=2)
    _appendix_section(doc, data, lang)
    if data.plan_id is not None:
        doc.add_heading(t("report.h_charts", lang), level=2)
        _charts_section(doc, data, lang)
    unit_word = t(
        "report.unit_commune"
        if str(data.scope.units) == UnitSystem.U2025
        else "report.unit_district",
        lang,
    )
    doc.add_heading(t("report.h_summary", lang, unit=unit_word), level=2)
    _summary_section(doc, data, lang)
    doc.add_heading(t("report.h_follow_up", lang), level=1)
    _follow_up_section(doc, data, lang)
    doc.add_heading(t("report.h_map", lang), level=1)
    if map_png:
        doc.add_picture(io.BytesIO(map_png), width=Cm(16))
        _para(
            doc,
            t("report.map_caption", lang, place=data.scope.place),
            italic=True,
            align="center",
            size=11,
        )
    else:
        _para(doc, t("report.no_map", lang, why=map_error or "—"), italic=True)
    doc.add_heading(t("report.h_sources", lang), level=1)
    for line in sources_lines(data.result, meta, lang):
        _para(doc, f"- {line}", size=12)
    _signature(doc, lang)
    for h in doc.styles:
        if h.name.startswith("Heading"):
            h.font.name = _FONT
            h.font.color.rgb = None
    buf = io.BytesIO()
    doc.core_properties.title = t("report.kind", lang)
    doc.core_properties.author = "vn-coverage"
    doc.save(buf)
    return buf.getvalue()


def _known() -> set[str]:
    from geo.i18n import LABELS

    return set(LABELS)


def _signature(doc, lang: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _para(left, t("report.recipients", lang), bold=True, italic=True, size=12, space_after=0)
    for line in t("report.recipients_list", lang).split("\n"):
        _para(left, line, size=11, space_after=0)
    _para(right, t("report.signer", lang), bold=True, align="center")


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------


def _write_frame(wb, ws, frame: pd.DataFrame, header: list[str], start: int = 0) -> None:
    head = wb.add_format(
        {
            "bold": True,
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "align": "center",
            "bg_color": "#d9e1f2",
        }
    )
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    pct = wb.add_format({"border": 1, "num_format": "0.0%"})
    for j, h in enumerate(header):
        ws.write_string(start, j, h, head)
    for i, rec in enumerate(frame.itertuples(index=False), start=start + 1):
        for j, v in enumerate(rec):
            col = frame.columns[j]
            if isinstance(v, bool | np.bool_):
                ws.write_string(i, j, str(v), cell)
            elif isinstance(v, int | float | np.integer | np.floating) and not pd.isna(v):
                ws.write_number(i, j, float(v), pct if col.endswith("share") else cell)
            elif isinstance(v, pd.Timestamp):
                ws.write_string(i, j, fmt_date(v), cell)
            else:
                ws.write_string(
                    i, j, "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v), cell
                )
    ws.set_column(0, len(header) - 1, 16)


def report_xlsx(data, *, lang: str = "vi") -> bytes:
    """The report's tables as a workbook: Phụ lục 1 (the plan's layout), the Phụ lục 2
    follow-up, the results by district or commune, the charts' data and the data sources."""
    import xlsxwriter

    from geo.cells import XLSXWRITER_OPTIONS

    check_lang(lang)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **XLSXWRITER_OPTIONS})
    meta = None
    if data.plan_id is not None and data.appendix_result is not None:
        phu_luc_1.add_sheet(
            wb,
            data.appendix_result,
            plan_id=data.plan_id,
            year=data.year,
            actuals=data.actuals,
            lang=lang,
        )
        meta = plans.appendix_rows(data.plan_id)[0]
    ws = wb.add_worksheet(t("report.sheet_phu_luc_2", lang)[:31])
    follow = follow_up_table(data.assignments, getattr(data, "declared", None), lang)
    _write_frame(
        wb,
        ws,
        follow,
        [
            t(f"report.col_{c}", lang)
            for c in (
                "stt",
                "village",
                "commune",
                "district",
                "operator",
                "status",
                "on_air",
                "target_year",
            )
        ],
    )
    ws = wb.add_worksheet(t("report.sheet_summary", lang)[:31])
    unit_word = t(
        "report.unit_commune"
        if str(data.scope.units) == UnitSystem.U2025
        else "report.unit_district",
        lang,
    )
    _write_frame(
        wb,
        ws,
        summary_table(data.status, str(data.scope.units), lang),
        [
            unit_word.capitalize(),
            t("report.col_villages", lang),
            t("report.col_mobile", lang),
            t("report.col_mobile_share", lang),
            t("report.col_fibre", lang),
            t("report.col_not_spots", lang),
        ],
    )
    if data.plan_id is not None:
        ws = wb.add_worksheet(t("report.sheet_charts", lang)[:31])
        frame = charts.chart_data(
            data.plan_id,
            result=data.appendix_result,
            year=data.year,
            snapshots=data.snapshots,
            actuals=data.actuals,
        )
        _write_frame(wb, ws, frame, list(frame.columns))
    ws = wb.add_worksheet(t("report.sheet_sources", lang)[:31])
    warn = wb.add_format({"bold": True, "font_color": "#9c5700", "text_wrap": True})
    for i, line in enumerate(sources_lines(data.result, meta, lang)):
        ws.write_string(i, 0, line, warn if "MÔ PHỎNG" in line or "SYNTHETIC" in line else None)
    ws.set_column(0, 0, 120)
    wb.close()
    return buf.getvalue()
