"""Plan against actual over time: the tidy chart data (targets, base year, planner's figures,
snapshots, this year's figure), the gap to the target in words, and the chart files."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo import plans
from layers import charts

PLAN = "dienbien_4638"


def _result(villages: int, mobile: float, fibre: float = 0.5, sharing: float = 0.1) -> dict:
    return {
        "province_code": "11",
        "province": "Tỉnh Điện Biên",
        "villages": villages,
        "villages_mobile_share": mobile,
        "villages_fibre_share": fibre,
        "site_sharing_rate": sharing,
    }


def _snapshots(rows: list[tuple[int, str, str, dict]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"snapshot_id": i, "label": label, "as_of": as_of, "indicators": ind}
            for i, label, as_of, ind in rows
        ]
    )


def _row(result: dict, stt: str, year: int) -> dict:
    return next(r for r in charts.indicator_rows(PLAN, result, year) if r["stt"] == stt)


def test_chart_data_holds_the_plans_targets_and_base_year_as_transcribed():
    frame = charts.chart_data(PLAN, result=_result(200, 0.9), year=2025, today=dt.date(2026, 3, 1))
    targets = plans.load_targets()
    printed = targets[(targets["plan_id"] == PLAN) & (targets["source_row"] == "3")]
    mine = frame[(frame["row_key"] == "3") & frame["kind"].isin(["target", "base"])]
    assert sorted(zip(mine["year"], mine["value"], strict=True)) == sorted(
        zip(printed["year"].astype(int), printed["value"].astype(float), strict=True)
    )
    assert set(mine.loc[mine["kind"] == "base", "year"]) == set(
        printed.loc[printed["kind"] == "actual", "year"].astype(int)
    )
    assert list(frame.columns) == list(charts.COLUMNS)


def test_chart_data_adds_this_years_figure_the_snapshots_and_the_planners_past_figures():
    snaps = _snapshots([(4, "Q2/2024", "2024-06-30", _result(180, 0.85))])
    actuals = pd.DataFrame({"plan_id": [PLAN], "row_key": ["1"], "year": [2023], "value": [96.04]})
    frame = charts.chart_data(
        PLAN,
        result=_result(200, 0.9),
        year=2025,
        snapshots=snaps,
        actuals=actuals,
        today=dt.date(2025, 10, 2),
    )
    row3 = frame[frame["row_key"] == "3"].set_index("kind")
    assert row3.loc["measured", "value"] == 90.0
    assert row3.loc["measured", "date"] == pd.Timestamp("2025-10-02")
    assert row3.loc["snapshot", "value"] == 85.0
    assert row3.loc["snapshot", "label"] == "Q2/2024"
    assert row3.loc["snapshot", "source"] == "snapshot #4"
    reported = frame[frame["kind"] == "reported"]
    assert list(zip(reported["row_key"], reported["year"], reported["value"], strict=True)) == [
        ("1", 2023, 96.0)
    ]
    assert list(frame[frame["row_key"] == "3"]["date"]) == sorted(
        frame[frame["row_key"] == "3"]["date"]
    )
    assert charts.measured_rows(frame)[:3] == ["1", "2", "3"]


def test_the_gap_counts_the_villages_short_of_this_years_target():
    result = _result(200, 0.9)
    g = charts.gap(_row(result, "3", 2024), result, 2024)
    target = _row(result, "3", 2024)["figures"][2024]["value"]
    assert g["kind"] == "villages"
    assert g["n"] == int(-(-target * 200 // 100)) - 180
    assert charts.gap_words(g, "vi") == (
        f"còn thiếu {g['n']} thôn, bản để đạt {int(target)} % (năm 2024)"
    )
    assert charts.gap_words(g, "en") == (
        f"{g['n']} more villages needed to reach {int(target)}% (2024)"
    )


def test_a_share_rounded_up_to_the_target_is_met_as_the_appendix_judges_it():
    result = _result(10_000, 0.94996)
    row = _row(result, "3", 2024)
    assert row["met"] is True
    g = charts.gap(row, result, 2024)
    assert g["kind"] == "met"
    assert charts.gap_words(g, "vi") == "đã đạt mục tiêu 95 % (năm 2024)"


def test_the_gap_of_a_rate_is_in_percentage_points_and_a_missing_figure_says_so():
    result = _result(200, 0.9, sharing=0.067)
    g = charts.gap(_row(result, "6", 2025), result, 2025)
    assert g["kind"] == "points"
    assert charts.gap_words(g, "vi").startswith("còn thiếu 23,3 điểm phần trăm để đạt")
    none = charts.gap(_row(result, "1", 2025), result, 2025)
    assert charts.gap_words(none, "vi") == "chưa có số liệu thực hiện năm 2025"


def test_after_the_plans_last_year_there_is_no_target_to_reach():
    result = _result(200, 0.9)
    g = charts.gap(_row(result, "3", 2031), result, 2031)
    assert charts.gap_words(g, "vi") == "kế hoạch không có mục tiêu từ năm 2031"


def test_chart_files_are_png_and_svg_and_an_unknown_format_is_refused():
    frame = charts.chart_data(PLAN, result=_result(200, 0.9), year=2025)
    assert charts.figure_bytes(frame, "3", fmt="png").startswith(b"\x89PNG")
    assert b"<svg" in charts.figure_bytes(frame, "3", fmt="svg")
    with pytest.raises(ValueError, match="png or svg"):
        charts.figure_bytes(frame, "3", fmt="gif")


def test_the_app_chart_has_vietnamese_tooltips_and_number_marks():
    snaps = _snapshots([(1, "Q2/2024", "2024-06-30", _result(1000, 0.8575))])
    frame = charts.chart_data(PLAN, result=_result(200, 0.9), year=2025, snapshots=snaps)
    spec = charts.altair_chart(frame, "3", "vi").to_dict()
    values = next(iter(spec["datasets"].values()))
    snap = next(v for v in values if v["kind"] == "snapshot")
    assert (snap["value_text"], snap["date_text"], snap["series"]) == (
        "85,8",
        "30/06/2024",
        "Số liệu chốt kỳ",
    )
    assert "labelExpr" in str(spec)
