"""Báo cáo (Report): the scope's snapshots (list, save), the plan against actual over time, and
the yearly report (.docx and .xlsx) — the same files as ``python -m geo report``.

Thin: snapshots are saved by :func:`geo.snapshots.take` (which checks the account), the report's
data is read by :func:`geo.report.gather`, the charts and files are made by :mod:`layers.charts`
and :mod:`layers.report`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo import report, snapshots, workspace
from geo.errors import CoverageError
from geo.i18n import fmt_date, fmt_datetime, t
from layers import charts
from layers import report as report_layer
from ui import app_common

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_YEARS = (2021, 2022, 2023, 2024, 2025, 2026)

scope = app_common.current_scope()
lang = scope.lang
md = app_common.md
wscope = app_common.workspace_scope(scope)
settings = app_common.settings_for(scope)

st.title(f"{t('report.page_title', lang)}: {md(scope.place)}")

try:
    with st.spinner(t("building", lang)):
        model = app_common.model_for(scope)
        result = app_common.indicators_for(scope, model)
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()

synthetic = workspace.synthetic_layers(model)
if synthetic:
    st.warning(
        t(
            "report.synthetic_warning",
            lang,
            layers=", ".join(
                t(f"report.layer_{k}", lang)
                for k in synthetic
                if k in ("sites", "fibre", "villages")
            ),
        ),
        icon="⚠️",
    )

# ---------------------------------------------------------------------------------------------
# Snapshots
# ---------------------------------------------------------------------------------------------

st.header(t("report.snapshots_header", lang))
with st.form("snapshot_form"):
    cols = st.columns([2, 1, 1])
    label = cols[0].text_input(t("report.snapshot_label", lang), key="snapshot_label")
    as_of = cols[1].date_input(
        t("report.snapshot_as_of", lang),
        value=snapshots.today_vn(),
        format="DD/MM/YYYY",
        key="snapshot_as_of",
    )
    saved = cols[2].form_submit_button(t("report.snapshot_save", lang))
if saved:
    try:
        record = snapshots.take(
            wscope,
            label,
            settings=settings,
            stores=workspace.Stores.default(),
            account=scope.account,
            as_of=as_of,
            model=model,
            result=result,
        )
    except CoverageError as exc:
        st.error(exc.message(lang))
    else:
        st.success(
            t("report.snapshot_saved", lang, id=record["snapshot_id"], label=md(record["label"]))
        )
        if record["supersedes"] is not None:
            st.caption(t("report.snapshot_superseded", lang, id=record["supersedes"]))

try:
    snaps = snapshots.list_snapshots(scope=wscope)
except CoverageError as exc:
    st.error(exc.message(lang))
    snaps = None
if snaps is not None and len(snaps):
    shown = snaps.assign(
        as_of=snaps["as_of"].map(lambda d: fmt_date(d, lang)),
        created=[
            f"{who}, {fmt_datetime(at, lang)}"
            for who, at in zip(snaps["created_by"], snaps["created_at"], strict=True)
        ],
        superseded=snaps["superseded_by"].map(lambda v: "" if pd.isna(v) else f"#{v}"),
    )
    st.dataframe(
        shown[["snapshot_id", "label", "as_of", "created", "superseded"]].rename(
            columns={
                "snapshot_id": t("report.col_snapshot", lang),
                "label": t("report.label", lang),
                "as_of": t("report.snapshot_as_of", lang),
                "created": t("report.col_created", lang),
                "superseded": t("report.col_superseded", lang),
            }
        ),
        hide_index=True,
        width="stretch",
    )
elif snaps is not None:
    st.info(t("report.snapshots_none", lang))

if snaps is not None and len(snaps):
    with st.expander(t("report.compare_header", lang)):
        by_id = {int(r.snapshot_id): r for r in snaps.itertuples()}
        ids = list(by_id)
        cols = st.columns(2)
        first = cols[0].selectbox(
            t("report.compare_first", lang),
            ids,
            key="compare_first",
            format_func=lambda i: f"#{i} {by_id[i].label}",
        )
        second = cols[1].selectbox(
            t("report.compare_second", lang),
            [None, *ids],
            key="compare_second",
            format_func=lambda i: (
                t("report.compare_now", lang) if i is None else f"#{i} {by_id[i].label}"
            ),
        )
        other = result if second is None else by_id[second].indicators
        table = snapshots.compare(by_id[first].indicators, other)
        st.dataframe(
            table.rename(
                columns={
                    "indicator": t("report.col_indicator", lang),
                    "a": f"#{first}",
                    "b": t("report.compare_now", lang) if second is None else f"#{second}",
                    "change": t("report.compare_change", lang),
                }
            ),
            hide_index=True,
            width="stretch",
        )

# ---------------------------------------------------------------------------------------------
# Plan against actual
# ---------------------------------------------------------------------------------------------

st.header(t("report.charts_header", lang))
year = st.selectbox(
    t("report.year_pick", lang),
    REPORT_YEARS,
    index=REPORT_YEARS.index(scope.year) if scope.year in REPORT_YEARS else 4,
    key="report_year",
)
try:
    data = report.gather(
        wscope,
        year,
        settings=settings,
        stores=workspace.Stores.default(),
        model=model if scope.year == year else None,
        loader=app_common.load_province,
    )
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()

if data.plan_id is None:
    st.info(t("report.no_plan", lang))
else:
    frame = charts.chart_data(
        data.plan_id,
        result=data.appendix_result,
        year=year,
        snapshots=data.snapshots,
        actuals=data.actuals,
    )
    rows = {
        r["row_key"]: r
        for r in charts.indicator_rows(data.plan_id, data.appendix_result, year, data.actuals, lang)
    }
    keys = charts.measured_rows(frame) or list(rows)
    key = st.selectbox(
        t("report.pick_indicator", lang),
        keys,
        key="report_row",
        format_func=lambda k: f"{rows[k]['stt']}. {rows[k]['text'][:110]}",
    )
    st.altair_chart(charts.altair_chart(frame, key, lang), width="stretch")
    st.markdown(
        f"**{md(charts.gap_words(charts.gap(rows[key], data.appendix_result, year), lang))}**"
    )

# ---------------------------------------------------------------------------------------------
# The yearly report
# ---------------------------------------------------------------------------------------------

st.header(t("report.download_header", lang))
if st.button(t("report.make", lang), key="report_make"):
    with st.spinner(t("building", lang)):
        png, why = report_layer.map_figure(data, lang)
        st.session_state["report_files"] = (
            (scope.stem, year, lang),
            report_layer.report_docx(data, map_png=png, map_error=why, lang=lang),
            report_layer.report_xlsx(data, lang=lang),
        )
made = st.session_state.get("report_files")
if made is not None and made[0] == (scope.stem, year, lang):
    stem = f"bao_cao_{scope.stem}_{year}_{dt.date.today():%Y%m%d}"
    cols = st.columns(2)
    cols[0].download_button(
        t("report.download_docx", lang), made[1], f"{stem}.docx", DOCX, key="report_docx"
    )
    cols[1].download_button(
        t("report.download_xlsx", lang), made[2], f"{stem}.xlsx", XLSX, key="report_xlsx"
    )
