"""Plan against actual over time: each plan indicator's targets, base-year actual, snapshots and
this year's figure, as a tidy frame, an Altair chart (the app) and a PNG/SVG (the report); and
the gap to this year's target in words ("còn thiếu 12 thôn, bản để đạt 95 %").

The figures of the Phụ lục 1 rows come from :func:`layers.phu_luc_1.appendix_table` (the same
rounding, source and verdict as the appendix sheet; nothing is recomputed here): this year's
figure is the planner's where entered, else the tool's; a snapshot's figure is the appendix's
"Thực hiện" computed from the snapshot's stored indicators. Shares are on the plan's scale
(0–100). This module opens no store: the caller passes the snapshots
(:func:`geo.snapshots.list_snapshots`) and the planner's actuals (:func:`geo.store.actuals.current`).
"""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd

from geo.i18n import check_lang, fmt_date, fmt_number, fmt_percent, t
from layers import phu_luc_1

__all__ = [
    "COLUMNS",
    "KINDS",
    "altair_chart",
    "chart_data",
    "figure_bytes",
    "gap",
    "gap_words",
    "indicator_rows",
    "measured_rows",
]

KINDS: tuple[str, ...] = ("target", "base", "reported", "snapshot", "measured")
"""What a point is: a plan target, the plan's base-year actual, a figure the planner entered
for a past year, a snapshot, this year's figure."""

COLUMNS: tuple[str, ...] = (
    "row_key",
    "stt",
    "indicator",
    "unit",
    "tool_indicator",
    "kind",
    "year",
    "date",
    "value",
    "comparator",
    "label",
    "source",
)
"""Columns of :func:`chart_data`: ``date`` is the day the figure stands for (31/12 of a target's
or an actual's year, a snapshot's date), ``value`` on the plan's scale, ``label`` a snapshot's
label, ``source`` "plan", "planner", "tool" or "snapshot #id"."""

_VILLAGE_SHARES = {"villages_mobile_share", "villages_fibre_share"}
_COLOURS = {
    "target": "#1f4e79",
    "base": "#7f7f7f",
    "reported": "#2e7d32",
    "snapshot": "#e07b00",
    "measured": "#c62828",
}
_MARKERS = {"target": "o", "base": "s", "reported": "^", "snapshot": "D", "measured": "*"}


def indicator_rows(
    plan_id: str,
    result: dict | None,
    year: int,
    actuals: pd.DataFrame | None = None,
    lang: str = "vi",
) -> list[dict]:
    """The Phụ lục 1 indicator rows with this year's figure (:func:`phu_luc_1.appendix_table`)."""
    _, rows = phu_luc_1.appendix_table(result or {}, plan_id, year, actuals, lang)
    return [r for r in rows if r["row_type"] == "indicator"]


def _end_of(year: int) -> pd.Timestamp:
    return pd.Timestamp(dt.date(int(year), 12, 31))


def chart_data(
    plan_id: str,
    *,
    result: dict | None = None,
    year: int | None = None,
    snapshots: pd.DataFrame | None = None,
    actuals: pd.DataFrame | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Each plan indicator's figures over time, one row per point (tidy).

    Parameters
    ----------
    plan_id
        A plan with a laid-out appendix (``dienbien_4638``).
    result
        The indicators of the plan's area now (:func:`geo.workspace.indicators_for`), for
        this year's figure (None: the planner's only).
    year
        This year (the report's): the year of the "measured" point; default today's year.
    snapshots
        :func:`geo.snapshots.list_snapshots` (superseded ones should be left out).
    actuals
        :func:`geo.store.actuals.current` of the plan: every year's entered figures.
    today
        The date of this year's figure when ``year`` is the current year (default today).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, by indicator row in the appendix's order, then date.
    """
    today = today or dt.date.today()
    year = int(year or today.year)
    rows = indicator_rows(plan_id, result, year, actuals)
    now_date = pd.Timestamp(min(today, dt.date(year, 12, 31)))
    points: list[dict] = []
    for row in rows:
        base = {k: row[k] for k in ("row_key", "stt", "unit", "tool_indicator")}
        base["indicator"] = row["text"]
        for y, fig in row["figures"].items():
            kind = "target" if fig["kind"] == "target" else "base"
            points.append(
                base
                | {
                    "kind": kind,
                    "year": y,
                    "date": _end_of(y),
                    "value": fig["value"],
                    "comparator": fig["comparator"],
                    "label": "",
                    "source": "plan",
                }
            )
        if row["actual"] is not None:
            points.append(
                base
                | {
                    "kind": "measured",
                    "year": year,
                    "date": now_date,
                    "value": row["actual"],
                    "comparator": "",
                    "label": "",
                    "source": row["actual_source"],
                }
            )
    points += _reported(plan_id, rows, actuals, year)
    points += _snapshot_points(plan_id, rows, snapshots)
    out = pd.DataFrame(points, columns=list(COLUMNS))
    if out.empty:
        return out.astype({"year": "int64", "value": "float64"})
    order = {r["row_key"]: i for i, r in enumerate(rows)}
    out["_o"] = out["row_key"].map(order)
    out["_k"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out = out.sort_values(["_o", "date", "_k"], kind="stable").drop(columns=["_o", "_k"])
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    out["date"] = pd.to_datetime(out["date"])
    return out.reset_index(drop=True)


def _reported(
    plan_id: str, rows: list[dict], actuals: pd.DataFrame | None, year: int
) -> list[dict]:
    """The planner's figures of other years than ``year`` (this year's is the measured one)."""
    if actuals is None or actuals.empty:
        return []
    by_key = {r["row_key"]: r for r in rows}
    a = actuals[
        (actuals["plan_id"] == plan_id)
        & (actuals["year"] != year)
        & actuals["row_key"].isin(list(by_key))
    ]
    out = []
    for rec in a.to_dict("records"):
        row = by_key[rec["row_key"]]
        out.append(
            {
                "row_key": row["row_key"],
                "stt": row["stt"],
                "indicator": row["text"],
                "unit": row["unit"],
                "tool_indicator": row["tool_indicator"],
                "kind": "reported",
                "year": int(rec["year"]),
                "date": _end_of(int(rec["year"])),
                "value": phu_luc_1.shown(float(rec["value"])),
                "comparator": "",
                "label": "",
                "source": "planner",
            }
        )
    return out


def _snapshot_points(plan_id: str, rows: list[dict], snapshots: pd.DataFrame | None) -> list[dict]:
    """Each snapshot's "Thực hiện" figure of the rows the tool measures."""
    if snapshots is None or snapshots.empty:
        return []
    measured = {r["row_key"]: r for r in rows if r["tool_indicator"] and r["comparable"] != "no"}
    out = []
    for snap in snapshots.to_dict("records"):
        when = pd.Timestamp(snap["as_of"])
        snap_rows = indicator_rows(plan_id, snap["indicators"], when.year)
        for r in snap_rows:
            if r["row_key"] not in measured or r["actual"] is None or r["actual_source"] != "tool":
                continue
            out.append(
                {
                    "row_key": r["row_key"],
                    "stt": r["stt"],
                    "indicator": r["text"],
                    "unit": r["unit"],
                    "tool_indicator": r["tool_indicator"],
                    "kind": "snapshot",
                    "year": int(when.year),
                    "date": when,
                    "value": r["actual"],
                    "comparator": "",
                    "label": str(snap["label"]),
                    "source": f"snapshot #{snap['snapshot_id']}",
                }
            )
    return out


# ---------------------------------------------------------------------------------------------
# The gap to this year's target
# ---------------------------------------------------------------------------------------------


def _target_from(row: dict, year: int) -> tuple[int, dict] | None:
    """This year's target, else the next one the plan sets."""
    targets = sorted(
        (y, f) for y, f in row["figures"].items() if f["kind"] == "target" and y >= year
    )
    return targets[0] if targets else None


def gap(row: dict, result: dict | None, year: int) -> dict:
    """How far an indicator row's figure is from this year's target.

    Parameters
    ----------
    row
        A row of :func:`indicator_rows` for ``year``.
    result
        The indicators the figure comes from (for the number of villages).
    year
        The year assessed; when the plan sets no target for it, the next target is used.

    Returns
    -------
    dict
        ``kind`` ("met", "villages", "points", "units", "over", "no_target", "no_data"),
        ``n`` (villages short, percentage points or units; 0 when met), ``target`` (the
        plan's figure: ``comparator``, ``value``), ``target_year``, ``actual`` and ``unit``.
        Villages are counted for the village shares the tool computes: the villages to add
        to the covered ones to reach the target over the tool's village count.
    """
    found = _target_from(row, int(year))
    out = {
        "kind": "no_target",
        "n": 0,
        "target": None,
        "target_year": int(year),
        "actual": row.get("actual"),
        "unit": row["unit"],
    }
    if found is None:
        return out
    target_year, target = found
    out |= {"target": target, "target_year": target_year}
    actual = row.get("actual")
    if actual is None:
        return out | {"kind": "no_data"}
    if phu_luc_1.verdict(actual, target):
        return out | {"kind": "met"}
    value = float(target["value"])
    if target["comparator"] in ("<", "≤"):
        return out | {"kind": "over", "n": phu_luc_1.shown(actual - value)}
    villages = (result or {}).get("villages")
    share = (result or {}).get(row["tool_indicator"])
    if (
        row["tool_indicator"] in _VILLAGE_SHARES
        and row.get("actual_source") == "tool"
        and isinstance(villages, int)
        and isinstance(share, float)
    ):
        covered = int(round(share * villages))
        needed = math.ceil(value / 100.0 * villages - 1e-9)
        if target["comparator"] == ">" and needed * 100.0 <= value * villages:
            needed += 1
        return out | {"kind": "villages", "n": max(needed - covered, 1)}
    kind = "points" if row["unit"].strip() == "%" else "units"
    return out | {"kind": kind, "n": phu_luc_1.shown(value - actual)}


def _fmt_value(value: float, unit: str, lang: str) -> str:
    decimals = 0 if float(value).is_integer() else 1
    if unit.strip() == "%":
        return fmt_percent(value / 100.0, lang, decimals)
    return f"{fmt_number(value, lang, decimals)} {unit}".strip()


def gap_words(g: dict, lang: str = "vi") -> str:
    """:func:`gap` in words: "còn thiếu 12 thôn, bản để đạt 95 % (năm 2025)"."""
    check_lang(lang)
    y = g["target_year"]
    if g["kind"] == "no_target":
        return t("report.gap_no_target", lang, year=y)
    if g["kind"] == "no_data":
        return t("report.gap_no_data", lang, year=y)
    target = g["target"]
    prefix = "" if target["comparator"] in ("=",) else target["comparator"] + " "
    text = prefix + _fmt_value(float(target["value"]), g["unit"], lang)
    if g["kind"] == "met":
        return t("report.gap_met", lang, target=text, year=y)
    if g["kind"] == "villages":
        return t("report.gap_villages", lang, n=fmt_number(g["n"], lang), target=text, year=y)
    n = fmt_number(g["n"], lang, 0 if float(g["n"]).is_integer() else 1)
    if g["kind"] == "points":
        return t("report.gap_points", lang, n=n, target=text, year=y)
    key = "report.gap_over" if g["kind"] == "over" else "report.gap_units"
    return t(key, lang, n=n, unit=g["unit"], target=text, year=y)


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def _kind_label(kind: str, lang: str, year: int) -> str:
    return (
        t(f"report.kind_{kind}", lang, year=year)
        if kind == "measured"
        else t(f"report.kind_{kind}", lang)
    )


def _display(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The points with their words: series name, value and date as written in ``lang``."""
    out = frame.copy()
    out["series"] = [_kind_label(k, lang, y) for k, y in zip(out["kind"], out["year"], strict=True)]
    out["value_text"] = [
        ("" if c in ("", "=") else c + " ") + fmt_number(v, lang, 0 if float(v).is_integer() else 1)
        for v, c in zip(out["value"], out["comparator"], strict=True)
    ]
    out["date_text"] = [fmt_date(d, lang) for d in out["date"]]
    return out


# Vega's formatter writes 1,234.5: swap the marks for Vietnamese (1.234,5).
_VI_NUMBER = (
    "replace(replace(replace(format(datum.value, ',.4~f'), regexp(',', 'g'), '_'), "
    "regexp('\\\\.', 'g'), ','), regexp('_', 'g'), '.')"
)


def altair_chart(frame: pd.DataFrame, row_key: str, lang: str = "vi"):
    """An interactive chart of one indicator row (tooltips with Vietnamese numbers and dates).

    Parameters
    ----------
    frame
        :func:`chart_data`.
    row_key
        The appendix row (its Stt).

    Returns
    -------
    altair.LayerChart
        The plan's targets as a line, the other figures as points, coloured by kind.
    """
    import altair as alt

    check_lang(lang)
    data = _display(frame[frame["row_key"] == row_key], lang)
    if data.empty:
        raise ValueError(f"no point for row {row_key!r}")
    unit = str(data["unit"].iloc[0])
    series = [_kind_label(k, lang, int(data["year"].max())) for k in KINDS]
    present = [s for s in series if s in set(data["series"])]
    colour = alt.Color(
        "series:N",
        title=t("report.series", lang),
        scale=alt.Scale(
            domain=present,
            range=[_COLOURS[k] for k, s in zip(KINDS, series, strict=True) if s in present],
        ),
    )
    x = alt.X(
        "date:T", title=t("report.axis_year", lang), axis=alt.Axis(format="%Y", tickCount="year")
    )
    y_axis = alt.Axis(labelExpr=_VI_NUMBER) if lang == "vi" else alt.Axis()
    y = alt.Y(
        "value:Q",
        title=t("report.axis_value", lang, unit=unit),
        axis=y_axis,
        scale=alt.Scale(zero=unit.strip() == "%"),
    )
    tooltip = [
        alt.Tooltip("series:N", title=t("report.series", lang)),
        alt.Tooltip("date_text:N", title=t("report.axis_year", lang)),
        alt.Tooltip("value_text:N", title=t("report.value", lang)),
        alt.Tooltip("label:N", title=t("report.label", lang)),
    ]
    base = alt.Chart(data.drop(columns=["date"]).assign(date=data["date"].dt.strftime("%Y-%m-%d")))
    line = (
        base.transform_filter(alt.datum.kind == "target")
        .mark_line(strokeDash=[4, 3])
        .encode(x=x, y=y, color=colour)
    )
    dots = base.mark_point(filled=True, size=90).encode(
        x=x, y=y, color=colour, shape=alt.Shape("series:N", legend=None), tooltip=tooltip
    )
    return (line + dots).properties(
        title=f"{data['stt'].iloc[0]}. {data['indicator'].iloc[0]}"[:120], height=280
    )


def figure_bytes(
    frame: pd.DataFrame,
    row_key: str,
    *,
    fmt: str = "png",
    lang: str = "vi",
    width_in: float = 6.3,
    height_in: float = 2.8,
    dpi: int = 150,
) -> bytes:
    """One indicator row's chart as a PNG or SVG (matplotlib; for the report and downloads).

    Raises
    ------
    ValueError
        ``fmt`` not png or svg, or no point for the row.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    check_lang(lang)
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt must be png or svg, not {fmt!r}")
    data = frame[frame["row_key"] == row_key]
    if data.empty:
        raise ValueError(f"no point for row {row_key!r}")
    unit = str(data["unit"].iloc[0])
    year_max = int(data["year"].max())
    fig, ax = plt.subplots(figsize=(width_in, height_in))
    try:
        for kind in KINDS:
            part = data[data["kind"] == kind]
            if part.empty:
                continue
            xs = part["date"].dt.year + (part["date"].dt.day_of_year - 1) / 365.25
            label = _kind_label(kind, lang, year_max)
            if kind == "target":
                ax.plot(
                    xs,
                    part["value"],
                    linestyle="--",
                    color=_COLOURS[kind],
                    marker="o",
                    markersize=4,
                    label=label,
                )
            else:
                ax.scatter(
                    xs,
                    part["value"],
                    color=_COLOURS[kind],
                    marker=_MARKERS[kind],
                    s=60 if kind == "measured" else 30,
                    label=label,
                    zorder=3,
                )
        years = np.arange(int(data["date"].dt.year.min()), int(data["date"].dt.year.max()) + 2)
        ax.set_xticks(years + 364 / 365.25)
        ax.set_xticklabels([str(y) for y in years], fontsize=8)
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _p: fmt_number(v, lang, 0 if float(v).is_integer() else 1))
        )
        ax.tick_params(axis="y", labelsize=8)
        ax.set_ylabel(t("report.axis_value", lang, unit=unit), fontsize=8)
        ax.grid(alpha=0.3)
        title = f"{data['stt'].iloc[0]}. {data['indicator'].iloc[0]}"
        ax.set_title(title if len(title) <= 95 else title[:94] + "…", fontsize=8)
        ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(
            buf, format=fmt, dpi=dpi, metadata={"Creator": "vn-coverage"} if fmt == "png" else None
        )
    finally:
        plt.close(fig)
    return buf.getvalue()


def measured_rows(frame: pd.DataFrame) -> list[str]:
    """The row keys with more than the plan's own figures (a figure measured, entered or
    snapshotted), in order: the charts worth drawing."""
    keep = frame[frame["kind"].isin(["measured", "reported", "snapshot"])]
    return list(dict.fromkeys(keep["row_key"]))
