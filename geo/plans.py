"""The plans' tables: unserved villages, indicator targets and how they map to the tool.

Three CSV files in ``data/plans`` (see ``data/README.md``, section ``plans/``) hold what the five
seed plans print:

* ``dienbien_4638_phu_luc_2.csv``: Phụ lục 2 of plan 4638/KH-UBND (Điện Biên, 15/12/2020), the 36
  villages with no mobile service and the operator assigned to each;
* ``plan_targets.csv``: one long table of every plan's numeric indicators, one row per indicator and
  year, current state (``kind == "actual"``) and targets (``kind == "target"``);
* ``indicator_map.csv``: which tool indicator measures a plan indicator, and how comparable they are.

Units: plan values are printed as percentages (0–100) when ``unit == "%"``, while the tool's shares
are fractions (0–1). :func:`target_as_fraction` converts a plan row; :func:`meets` compares two
numbers on the same scale and does no conversion.

Every loader reads the whole file, collects every bad cell in a :class:`geo.errors.ProblemList` and
raises one :class:`geo.errors.InputError` naming each row (the line number in the file, header =
line 1) and field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from geo import paths
from geo.errors import InputError, ProblemList
from geo.operators import OPERATORS, canonical_operator

PLANS_DIR: Path = paths.package_data() / "plans"
"""The folder of the plans' CSV files (``data/plans``; see :func:`geo.paths.package_data`)."""

UNSERVED_FILES: dict[str, str] = {"dienbien_4638": "dienbien_4638_phu_luc_2.csv"}
"""File of each plan that lists unserved villages, by plan_id."""

TARGETS_FILE = "plan_targets.csv"
MAP_FILE = "indicator_map.csv"

COMPARATORS: tuple[str, ...] = ("=", ">", "≥", "<", "≤")
"""Allowed comparators: ``=`` a plain figure, ``>`` "trên", ``≥`` "tối thiểu"/"ít nhất",
``<`` "dưới", ``≤`` "tối đa"."""

KINDS: tuple[str, ...] = ("actual", "target")
COMPARABLE: tuple[str, ...] = ("yes", "partial", "no")

TOOL_INDICATORS: tuple[str, ...] = (
    "villages_mobile_share",
    "villages_fibre_share",
    "site_sharing_rate",
    "sites",
    "physical_sites",
    "population_covered",
    "population_covered_share",
    "total_not_spots",
    *(f"villages_operator_share_{op}" for op in OPERATORS),
)
"""The tool indicators a plan indicator can map to (an empty cell means none)."""

UNSERVED_COLUMNS: tuple[str, ...] = (
    "document",
    "document_date",
    "appendix",
    "source_row",
    "village",
    "commune",
    "district",
    "province",
    "operator",
    "note",
)
TARGET_COLUMNS: tuple[str, ...] = (
    "plan_id",
    "document",
    "document_date",
    "issuer",
    "province_code",
    "district_code",
    "appendix",
    "source_row",
    "indicator",
    "unit",
    "year",
    "kind",
    "comparator",
    "value",
    "value_text",
    "note",
)
MAP_COLUMNS: tuple[str, ...] = (
    "plan_id",
    "source_row",
    "indicator",
    "tool_indicator",
    "comparable",
    "why",
    "why_vi",
)

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_FIRST_LINE = 2  # data rows start on line 2 of the file, under the header


def _read(path: Path, columns: tuple[str, ...], problems: ProblemList) -> pd.DataFrame:
    """Read a CSV as text (empty cells as ""), raising at once if columns are missing."""
    if not path.is_file():
        raise InputError(
            f"File {path} does not exist",
            f"Không có tệp {path}",
            file=str(path),
        )
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [str(c).strip() for c in df.columns]
    for col in columns:
        if col not in df.columns:
            problems.add(
                f"column {col!r} is missing",
                f"thiếu cột {col!r}",
                field=col,
            )
    problems.raise_if_any("The file lacks required columns", "Tệp thiếu cột bắt buộc")
    df = df[list(columns)].copy()
    for col in columns:
        df[col] = df[col].astype(str).str.strip()
    return df


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def load_unserved(plan_id: str = "dienbien_4638", path: Path | str | None = None) -> pd.DataFrame:
    """The villages a plan lists as having no mobile service, with their assigned operator.

    Parameters
    ----------
    plan_id
        The plan; only ``"dienbien_4638"`` (Phụ lục 2 of plan 4638/KH-UBND) has such a list.
    path
        Read this CSV instead of the plan's file in :data:`PLANS_DIR` (same columns).

    Returns
    -------
    pandas.DataFrame
        One row per village, in file order, with columns ``plan_id``, ``document``,
        ``document_date`` (:class:`datetime.date`), ``appendix``, ``source_row`` (int, the Stt),
        ``village``, ``commune``, ``district``, ``province``, ``operator`` (one of
        :data:`geo.operators.OPERATORS`), ``operator_printed`` (as in the file) and ``note``.
        Names are kept as printed in the plan (no spelling is corrected).

    Raises
    ------
    InputError
        The plan has no list, the file or a column is missing, a required cell is empty, the Stt is
        not a whole number, the date is not ISO (YYYY-MM-DD), or the operator is unknown. All bad
        cells are reported at once, each with its line number in the file and its column.
    """
    if path is None:
        if plan_id not in UNSERVED_FILES:
            raise InputError(
                f"Plan {plan_id!r} has no list of unserved villages; known: "
                f"{', '.join(sorted(UNSERVED_FILES))}",
                f"Kế hoạch {plan_id!r} không có danh sách thôn/bản chưa có dịch vụ; có: "
                f"{', '.join(sorted(UNSERVED_FILES))}",
            )
        path = PLANS_DIR / UNSERVED_FILES[plan_id]
    path = Path(path)
    problems = ProblemList(file=str(path))
    df = _read(path, UNSERVED_COLUMNS, problems)

    required = [c for c in UNSERVED_COLUMNS if c != "note"]
    source_rows: list[int] = []
    dates: list[dt.date | None] = []
    operators: list[str] = []
    for i, rec in enumerate(df.to_dict("records")):
        line = i + _FIRST_LINE
        for col in required:
            if rec[col] == "":
                problems.add(
                    f"the cell {col!r} is empty",
                    f"ô {col!r} bị trống",
                    row=line,
                    field=col,
                )
        stt = rec["source_row"]
        if stt != "" and not stt.isdigit():
            problems.add(
                f"Stt {stt!r} is not a whole number",
                f"Stt {stt!r} không phải số nguyên",
                row=line,
                field="source_row",
                value=stt,
            )
        source_rows.append(int(stt) if stt.isdigit() else -1)
        date = _parse_date(rec["document_date"])
        if rec["document_date"] != "" and date is None:
            problems.add(
                f"date {rec['document_date']!r} is not YYYY-MM-DD",
                f"ngày {rec['document_date']!r} không đúng dạng YYYY-MM-DD",
                row=line,
                field="document_date",
                value=rec["document_date"],
            )
        dates.append(date)
        op = canonical_operator(rec["operator"])
        if rec["operator"] != "" and op is None:
            problems.add(
                f"unknown operator {rec['operator']!r}; expected one of {', '.join(OPERATORS)} "
                "(or a common spelling such as Vinaphone, Mobifone)",
                f"doanh nghiệp {rec['operator']!r} không rõ; cần là một trong "
                f"{', '.join(OPERATORS)} (hoặc cách viết thông dụng như Vinaphone, Mobifone)",
                row=line,
                field="operator",
                value=rec["operator"],
            )
        operators.append(op or "")
    problems.raise_if_any(
        "The list of unserved villages has errors", "Danh sách thôn/bản chưa có dịch vụ có lỗi"
    )

    out = df.copy()
    out.insert(0, "plan_id", plan_id)
    out["source_row"] = pd.Series(source_rows, index=out.index, dtype="int64")
    out["document_date"] = pd.Series(dates, index=out.index, dtype=object)
    out["operator_printed"] = df["operator"]
    out["operator"] = pd.Series(operators, index=out.index, dtype="str")
    columns = ["plan_id", *UNSERVED_COLUMNS[:-1], "operator_printed", "note"]
    return out[columns].reset_index(drop=True)


def load_targets(path: Path | str | None = None) -> pd.DataFrame:
    """Every plan's indicators, one row per indicator and year.

    Parameters
    ----------
    path
        Read this CSV instead of ``plan_targets.csv`` in :data:`PLANS_DIR`.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`TARGET_COLUMNS`. ``year`` is int64, ``value`` float64 (the figure
        on the plan's own scale: 0–100 when ``unit == "%"``), ``document_date`` a
        :class:`datetime.date` or ``None`` when the plan prints no date; all other columns are str
        (``province_code`` 2 digits and ``district_code`` 3 digits or "", with leading zeros).

    Raises
    ------
    InputError
        A column is missing, or a cell is bad: empty plan_id/indicator/unit/value_text, year not a
        4-digit number, kind not in :data:`KINDS`, comparator not in :data:`COMPARATORS`, value not
        a plain number with a dot decimal, malformed codes or date. All are reported at once.
    """
    path = PLANS_DIR / TARGETS_FILE if path is None else Path(path)
    problems = ProblemList(file=str(path))
    df = _read(path, TARGET_COLUMNS, problems)

    dates: list[dt.date | None] = []
    for i, rec in enumerate(df.to_dict("records")):
        line = i + _FIRST_LINE

        def bad(field: str, en: str, vi: str, rec=rec, line=line) -> None:
            problems.add(en, vi, row=line, field=field, value=rec[field])

        for col in ("plan_id", "issuer", "province_code", "indicator", "unit", "value_text"):
            if rec[col] == "":
                bad(col, f"the cell {col!r} is empty", f"ô {col!r} bị trống")
        if not re.fullmatch(r"\d{4}", rec["year"]):
            bad(
                "year",
                f"year {rec['year']!r} is not a 4-digit number",
                f"năm {rec['year']!r} không phải số 4 chữ số",
            )
        if rec["kind"] not in KINDS:
            bad(
                "kind",
                f"kind {rec['kind']!r} is not one of {', '.join(KINDS)}",
                f"loại {rec['kind']!r} không thuộc {', '.join(KINDS)}",
            )
        if rec["comparator"] not in COMPARATORS:
            bad(
                "comparator",
                f"comparator {rec['comparator']!r} is not one of {' '.join(COMPARATORS)}",
                f"phép so sánh {rec['comparator']!r} không thuộc {' '.join(COMPARATORS)}",
            )
        if not _NUMBER.fullmatch(rec["value"]):
            bad(
                "value",
                f"value {rec['value']!r} is not a number (digits, dot decimal; the printed text "
                "goes in value_text)",
                f"giá trị {rec['value']!r} không phải số (chữ số, dấu chấm thập phân; chữ in "
                "trong kế hoạch để ở value_text)",
            )
        if rec["province_code"] and not re.fullmatch(r"\d{2}", rec["province_code"]):
            bad(
                "province_code",
                f"province code {rec['province_code']!r} is not 2 digits",
                f"mã tỉnh {rec['province_code']!r} không đủ 2 chữ số",
            )
        if rec["district_code"] and not re.fullmatch(r"\d{3}", rec["district_code"]):
            bad(
                "district_code",
                f"district code {rec['district_code']!r} is not 3 digits",
                f"mã huyện {rec['district_code']!r} không đủ 3 chữ số",
            )
        date = _parse_date(rec["document_date"]) if rec["document_date"] else None
        if rec["document_date"] and date is None:
            bad(
                "document_date",
                f"date {rec['document_date']!r} is not YYYY-MM-DD",
                f"ngày {rec['document_date']!r} không đúng dạng YYYY-MM-DD",
            )
        dates.append(date)
    problems.raise_if_any("The plan targets file has errors", "Tệp chỉ tiêu kế hoạch có lỗi")

    out = df.copy()
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    out["document_date"] = pd.Series(dates, index=out.index, dtype=object)
    return out.reset_index(drop=True)


def load_indicator_map(path: Path | str | None = None) -> pd.DataFrame:
    """How each plan indicator relates to what the tool measures.

    Parameters
    ----------
    path
        Read this CSV instead of ``indicator_map.csv`` in :data:`PLANS_DIR`.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`MAP_COLUMNS`, all str. ``tool_indicator`` is one of
        :data:`TOOL_INDICATORS` or "" (nothing in the tool measures it, then ``comparable`` is
        "no"); ``comparable`` is one of :data:`COMPARABLE`; ``why`` explains the difference in
        English and ``why_vi`` in Vietnamese (the text the Vietnamese screen and files show). A
        plan indicator is keyed by (plan_id, source_row, indicator).

    Raises
    ------
    InputError
        A column is missing, a key is repeated, or a cell is bad; all are reported at once.
    """
    path = PLANS_DIR / MAP_FILE if path is None else Path(path)
    problems = ProblemList(file=str(path))
    df = _read(path, MAP_COLUMNS, problems)
    seen: dict[tuple[str, str, str], int] = {}
    for i, rec in enumerate(df.to_dict("records")):
        line = i + _FIRST_LINE
        for col in ("plan_id", "indicator", "comparable", "why", "why_vi"):
            if rec[col] == "":
                problems.add(
                    f"the cell {col!r} is empty", f"ô {col!r} bị trống", row=line, field=col
                )
        tool = rec["tool_indicator"]
        if tool and tool not in TOOL_INDICATORS:
            problems.add(
                f"unknown tool indicator {tool!r}; expected one of {', '.join(TOOL_INDICATORS)}",
                f"chỉ số của công cụ {tool!r} không rõ; cần là một trong "
                f"{', '.join(TOOL_INDICATORS)}",
                row=line,
                field="tool_indicator",
                value=tool,
            )
        if rec["comparable"] and rec["comparable"] not in COMPARABLE:
            problems.add(
                f"comparable {rec['comparable']!r} is not one of {', '.join(COMPARABLE)}",
                f"comparable {rec['comparable']!r} không thuộc {', '.join(COMPARABLE)}",
                row=line,
                field="comparable",
                value=rec["comparable"],
            )
        if not tool and rec["comparable"] in ("yes", "partial"):
            problems.add(
                "comparable must be 'no' when no tool indicator is given",
                "comparable phải là 'no' khi không có chỉ số tương ứng của công cụ",
                row=line,
                field="comparable",
                value=rec["comparable"],
            )
        key = (rec["plan_id"], rec["source_row"], rec["indicator"])
        if key in seen:
            problems.add(
                f"indicator repeated (first on line {seen[key]})",
                f"chỉ tiêu bị lặp (lần đầu ở dòng {seen[key]})",
                row=line,
                field="indicator",
                value=rec["indicator"],
            )
        else:
            seen[key] = line
    problems.raise_if_any("The indicator map has errors", "Tệp đối chiếu chỉ tiêu có lỗi")
    return df.reset_index(drop=True)


def targets_for(
    plan_id: str,
    year: int,
    *,
    kind: str = "target",
    targets_path: Path | str | None = None,
    map_path: Path | str | None = None,
) -> pd.DataFrame:
    """A plan's figures for one year, with the tool indicator that measures each.

    Parameters
    ----------
    plan_id
        E.g. ``"dienbien_4638"``.
    year
        The year of the figures (2030 for "định hướng đến năm 2030").
    kind
        ``"target"`` (default) or ``"actual"`` (the plan's current-state figures).
    targets_path, map_path
        Read these files instead of the ones in :data:`PLANS_DIR`.

    Returns
    -------
    pandas.DataFrame
        Columns ``tool_indicator, indicator, unit, comparator, value, value_text, comparable, why,
        why_vi, source_row, plan_id``, in the plan's order. Every figure of that year is kept; those the
        map does not list get ``tool_indicator`` "" and ``comparable`` "no". Empty when the plan
        has no figure for that year.

    Raises
    ------
    InputError
        Unknown ``plan_id`` or ``kind``, or a bad file.
    """
    if kind not in KINDS:
        raise InputError(
            f"kind must be one of {', '.join(KINDS)}, not {kind!r}",
            f"kind phải thuộc {', '.join(KINDS)}, không phải {kind!r}",
        )
    targets = load_targets(targets_path)
    known = list(dict.fromkeys(targets["plan_id"]))
    if plan_id not in known:
        raise InputError(
            f"Unknown plan {plan_id!r}; known: {', '.join(known)}",
            f"Không có kế hoạch {plan_id!r}; có: {', '.join(known)}",
        )
    rows = targets[
        (targets["plan_id"] == plan_id) & (targets["year"] == int(year)) & (targets["kind"] == kind)
    ]
    mapping = load_indicator_map(map_path)
    merged = rows.merge(
        mapping, on=["plan_id", "source_row", "indicator"], how="left", validate="many_to_one"
    )
    merged["tool_indicator"] = merged["tool_indicator"].fillna("")
    merged["comparable"] = merged["comparable"].fillna("no")
    merged["why"] = merged["why"].fillna(
        "Not in the indicator map: the tool measures nothing like it"
    )
    merged["why_vi"] = merged["why_vi"].fillna(
        "Không có trong bảng đối chiếu: công cụ không đo chỉ tiêu nào tương tự"
    )
    columns = [
        "tool_indicator",
        "indicator",
        "unit",
        "comparator",
        "value",
        "value_text",
        "comparable",
        "why",
        "why_vi",
        "source_row",
        "plan_id",
    ]
    return merged[columns].reset_index(drop=True)


def plans_for_province(province_code: str, targets_path: Path | str | None = None) -> list[str]:
    """The plans issued for a province (pre-2025 GSO code), province and district level.

    Parameters
    ----------
    province_code
        GSO 2-digit code, e.g. ``"11"`` for Điện Biên; ``"1"`` or ``11`` are read as ``"11"``.
    targets_path
        Read this file instead of ``plan_targets.csv``.

    Returns
    -------
    list of str
        plan_ids in file order, e.g. ``["dienbien_4638", "muonglay_2855"]``; empty if none.
    """
    code = str(province_code).strip().zfill(2)
    targets = load_targets(targets_path)
    return list(dict.fromkeys(targets.loc[targets["province_code"] == code, "plan_id"]))


def meets(actual: float, comparator: str, value: float, *, tol: float = 1e-9) -> bool:
    """Whether an actual figure reaches a plan's figure.

    Both numbers must be on the same scale: the tool's shares are fractions (0–1), plan
    percentages are 0–100, so convert the plan's side with :func:`target_as_fraction` first.

    Parameters
    ----------
    actual
        The measured value; NaN never meets anything.
    comparator
        One of :data:`COMPARATORS`. A plain figure (``=``) is a level to reach, so it is met when
        ``actual >= value`` (every plain target in these plans is "higher is better"); ``>`` is
        "trên" (strictly above), ``≥`` "tối thiểu"/"ít nhất", ``<`` "dưới", ``≤`` "tối đa".
    value
        The plan's figure.
    tol
        Absolute tolerance for floating-point noise (0.9 reaches 90 % even if computed as
        0.8999999999).

    Raises
    ------
    InputError
        Unknown comparator.

    Examples
    --------
    >>> meets(0.95, "=", 0.95)
    True
    >>> meets(0.90, ">", 0.90)
    False
    """
    if comparator not in COMPARATORS:
        raise InputError(
            f"comparator {comparator!r} is not one of {' '.join(COMPARATORS)}",
            f"phép so sánh {comparator!r} không thuộc {' '.join(COMPARATORS)}",
        )
    if actual is None or value is None or math.isnan(actual) or math.isnan(value):
        return False
    diff = float(actual) - float(value)
    if comparator in ("=", "≥"):
        return diff >= -tol
    if comparator == ">":
        return diff > tol
    if comparator == "<":
        return diff < -tol
    return diff <= tol  # "≤"


def target_as_fraction(row: Mapping | pd.Series) -> float:
    """A plan figure in % as a fraction (90 → 0.9), to compare with the tool's shares.

    Parameters
    ----------
    row
        A row of :func:`load_targets` or :func:`targets_for` (needs ``unit`` and ``value``).

    Raises
    ------
    InputError
        The row's unit is not ``%`` (counts, Mbps, subscriptions per 100 people are not shares).
    """
    unit = str(row["unit"]).strip()
    if unit != "%":
        raise InputError(
            f"unit {unit!r} is not a percentage; only '%' figures convert to fractions",
            f"đơn vị {unit!r} không phải phần trăm; chỉ số liệu '%' mới đổi được ra tỷ lệ",
            field="unit",
        )
    return float(row["value"]) / 100.0


def meets_target(actual: float, row: Mapping | pd.Series) -> bool:
    """Whether a tool value reaches a plan row, converting % figures to fractions.

    ``actual`` is a fraction when the row's unit is ``%`` and on the row's own scale otherwise
    (e.g. a count of sites, Mbps).
    """
    value = target_as_fraction(row) if str(row["unit"]).strip() == "%" else float(row["value"])
    return meets(actual, str(row["comparator"]), value)


# ---------------------------------------------------------------------------------------------
# The appendix tables as printed (Phụ lục 1 of 4638/KH-UBND, the Phụ lục of 2855/KH-UBND)
# ---------------------------------------------------------------------------------------------

LAYOUT_FILE = "appendix_layout.csv"
LAYOUT_COLUMNS: tuple[str, ...] = ("plan_id", "order", "row_type", "section", "stt", "row_key", "text")
ROW_TYPES: tuple[str, ...] = ("title", "section", "note", "indicator")
"""``title`` the table's heading, ``section`` a Roman-numbered group (I, II…), ``note`` a printed
line without figures ("Trong đó:"), ``indicator`` a row with figures in ``plan_targets.csv``."""


def load_appendix_layout(path: Path | str | None = None) -> pd.DataFrame:
    """The printed order of each plan's appendix table: titles, sections, notes, indicator rows.

    Parameters
    ----------
    path
        Read this CSV instead of ``appendix_layout.csv`` in :data:`PLANS_DIR`.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`LAYOUT_COLUMNS`, sorted by ``plan_id`` (file order) then ``order``
        (int). ``row_key`` identifies an indicator row within its plan (the printed Stt, except
        Mường Lay's second "16", keyed ``16b``); ``text`` is the indicator as in
        ``plan_targets.csv`` (the join key with ``stt``).

    Raises
    ------
    InputError
        A column is missing, an order is not a whole number, a row type is unknown, or an
        indicator row has no ``row_key`` or repeats one. All are reported at once.
    """
    path = PLANS_DIR / LAYOUT_FILE if path is None else Path(path)
    problems = ProblemList(file=str(path))
    df = _read(path, LAYOUT_COLUMNS, problems)
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(df.to_dict("records")):
        line = i + _FIRST_LINE
        if not rec["order"].isdigit():
            problems.add(
                f"order {rec['order']!r} is not a whole number",
                f"thứ tự {rec['order']!r} không phải số nguyên",
                row=line, field="order", value=rec["order"],
            )
        if rec["row_type"] not in ROW_TYPES:
            problems.add(
                f"row_type {rec['row_type']!r} is not one of {', '.join(ROW_TYPES)}",
                f"row_type {rec['row_type']!r} không thuộc {', '.join(ROW_TYPES)}",
                row=line, field="row_type", value=rec["row_type"],
            )
        if rec["row_type"] == "indicator":
            key = (rec["plan_id"], rec["row_key"])
            if not rec["row_key"] or key in seen:
                problems.add(
                    f"row_key {rec['row_key']!r} is empty or repeated in plan {rec['plan_id']}: "
                    "give each indicator row its own key",
                    f"row_key {rec['row_key']!r} trống hoặc lặp trong kế hoạch {rec['plan_id']}: "
                    "mỗi dòng chỉ tiêu cần một khóa riêng",
                    row=line, field="row_key", value=rec["row_key"],
                )
            seen.add(key)
    problems.raise_if_any("The appendix layout file has errors", "Tệp bố cục phụ lục có lỗi")
    df["order"] = df["order"].astype("int64")
    plan_order = {p: i for i, p in enumerate(dict.fromkeys(df["plan_id"]))}
    df["_plan"] = df["plan_id"].map(plan_order)
    return df.sort_values(["_plan", "order"]).drop(columns="_plan").reset_index(drop=True)


def plans_with_appendix(layout_path: Path | str | None = None) -> list[str]:
    """The plan_ids whose appendix table is laid out in ``appendix_layout.csv``."""
    return list(dict.fromkeys(load_appendix_layout(layout_path)["plan_id"]))


def appendix_rows(
    plan_id: str,
    *,
    targets_path: Path | str | None = None,
    map_path: Path | str | None = None,
    layout_path: Path | str | None = None,
) -> tuple[dict, list[dict]]:
    """A plan's appendix table as printed: its facts and its rows in order, with every figure.

    Returns
    -------
    meta : dict
        ``plan_id, document, document_date, issuer, province_code, district_code, appendix,
        title, actual_years`` (the years of the plan's "Thực hiện" column, e.g. [2020]) and
        ``target_years`` (e.g. [2021, …, 2025]).
    rows : list of dict
        One per printed row: ``row_type, section, stt, row_key, text``; indicator rows also have
        ``unit``, ``tool_indicator`` ("" when the tool measures nothing like it), ``comparable``,
        ``why``, ``why_vi`` and ``figures``: {year: {kind, comparator, value, value_text}}.

    Raises
    ------
    InputError
        The plan has no laid-out appendix, or a layout row has no figures in ``plan_targets.csv``.
    """
    layout = load_appendix_layout(layout_path)
    mine = layout[layout["plan_id"] == plan_id]
    if mine.empty:
        known = ", ".join(plans_with_appendix(layout_path))
        raise InputError(
            f"Plan {plan_id!r} has no appendix table laid out in {LAYOUT_FILE}; plans with one: "
            f"{known}. Choose one of them with --plan.",
            f"Kế hoạch {plan_id!r} chưa có bố cục phụ lục trong {LAYOUT_FILE}; các kế hoạch có: "
            f"{known}. Chọn một kế hoạch bằng --plan.",
            field="plan_id",
        )
    targets = load_targets(targets_path)
    figs = targets[targets["plan_id"] == plan_id]
    mapping = load_indicator_map(map_path)
    mapping = mapping[mapping["plan_id"] == plan_id]
    first = figs.iloc[0]
    meta = {
        "plan_id": plan_id,
        "document": str(first["document"]),
        "document_date": first["document_date"],
        "issuer": str(first["issuer"]),
        "province_code": str(first["province_code"]),
        "district_code": str(first["district_code"]),
        "appendix": str(first["appendix"]),
        "title": "",
        "actual_years": sorted({int(y) for y in figs.loc[figs["kind"] == "actual", "year"]}),
        "target_years": sorted({int(y) for y in figs.loc[figs["kind"] == "target", "year"]}),
    }
    rows: list[dict] = []
    problems = ProblemList(file=LAYOUT_FILE)
    for rec in mine.to_dict("records"):
        if rec["row_type"] == "title":
            meta["title"] = rec["text"]
        row = {k: rec[k] for k in ("row_type", "section", "stt", "row_key", "text")}
        if rec["row_type"] == "indicator":
            mine_figs = figs[(figs["source_row"] == rec["stt"]) & (figs["indicator"] == rec["text"])]
            if mine_figs.empty:
                problems.add(
                    f"row {rec['stt']} {rec['text'][:40]!r}… has no figures in {TARGETS_FILE}: "
                    "make its text the indicator exactly as in that file",
                    f"dòng {rec['stt']} {rec['text'][:40]!r}… không có số liệu trong "
                    f"{TARGETS_FILE}: ghi chỉ tiêu đúng như trong tệp đó",
                    field="text",
                )
                continue
            m = mapping[(mapping["source_row"] == rec["stt"]) & (mapping["indicator"] == rec["text"])]
            mapped = m.iloc[0] if len(m) else None
            row |= {
                "unit": str(mine_figs.iloc[0]["unit"]),
                "tool_indicator": "" if mapped is None else str(mapped["tool_indicator"]),
                "comparable": "no" if mapped is None else str(mapped["comparable"]),
                "why": "" if mapped is None else str(mapped["why"]),
                "why_vi": "" if mapped is None else str(mapped["why_vi"]),
                "figures": {
                    int(f["year"]): {
                        "kind": f["kind"],
                        "comparator": f["comparator"],
                        "value": float(f["value"]),
                        "value_text": f["value_text"],
                    }
                    for f in mine_figs.to_dict("records")
                },
            }
        rows.append(row)
    problems.raise_if_any("The appendix layout does not match the plan's figures",
                          "Bố cục phụ lục không khớp số liệu kế hoạch")
    return meta, rows


def choose_plan(
    province_code: str,
    district_code: str | None = None,
    plan_id: str | None = None,
    *,
    targets_path: Path | str | None = None,
    layout_path: Path | str | None = None,
) -> str | None:
    """The plan whose appendix to print for a province (and district), or ``None`` if none.

    ``plan_id`` when given must be a plan of that province with a laid-out appendix. Otherwise
    a district-level plan of ``district_code`` wins; without a district, the one province-level
    plan. Several candidates raise an error asking for ``--plan``.

    Raises
    ------
    InputError
        ``plan_id`` is not a plan of the province, or several plans fit and none was chosen.
    """
    code = str(province_code).strip().zfill(2)
    with_layout = set(plans_with_appendix(layout_path))
    targets = load_targets(targets_path)
    own = targets[targets["province_code"] == code].drop_duplicates("plan_id")
    own = own[own["plan_id"].isin(with_layout)]
    if plan_id is not None:
        if plan_id not in set(own["plan_id"]):
            known = ", ".join(own["plan_id"]) or "—"
            raise InputError(
                f"Plan {plan_id!r} is not a plan of province {code} with an appendix table; "
                f"choose one of: {known}",
                f"Kế hoạch {plan_id!r} không phải kế hoạch có phụ lục của tỉnh {code}; chọn một "
                f"trong: {known}",
                field="--plan",
            )
        return plan_id
    if district_code:
        local = own[own["district_code"] == district_code]
        if len(local) == 1:
            return str(local.iloc[0]["plan_id"])
    provincial = own[own["district_code"] == ""]
    if len(provincial) == 1:
        return str(provincial.iloc[0]["plan_id"])
    if provincial.empty:
        return None
    known = ", ".join(provincial["plan_id"])
    raise InputError(
        f"Province {code} has several plans ({known}): choose one with --plan",
        f"Tỉnh {code} có nhiều kế hoạch ({known}): chọn một bằng --plan",
        field="--plan",
    )
