"""A plan's list of villages and operators (Phụ lục 2) imported as assignments.

One reader for the plan's unserved-village table: :func:`geo.imports.stage` with
``kind="unserved"`` (title blocks, total rows, spellings, merged cells; communes resolved and
villages matched within their commune; a village the register lacks gets an id minted once from
its province, commune code and normalised name, so two different villages never share one).
:func:`staged_assignments` adapts the staged rows to the columns of :func:`assign_many`;
:func:`import_staged` writes them; :func:`import_table` stages a table already in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import geopandas as gpd
import pandas as pd

from geo.assignments.bulk import ImportReport, assign_many
from geo.assignments.rules import _parse_date, _text
from geo.errors import InputError, Problem
from geo.store.assignments import Session

RESOLVED = ("ok", "confirmed")
"""Statuses of staged rows that are written to the register (see :data:`geo.imports.STATUSES`)."""


def plan_end_year(document: str) -> int | None:
    """The last year a plan sets targets for (2025 for 4638/KH-UBND), found by its number.

    The plans' unserved lists give no year per village; their villages are due by the end of
    the plan period, the year its Phụ lục 1 reaches its final targets. None when the plan is
    not among the transcribed ones.
    """
    from geo import plans

    doc = _text(document)
    if not doc:
        return None
    targets = plans.load_targets()
    rows = targets[(targets["document"] == doc) & (targets["kind"] == "target")]
    return int(rows["year"].max()) if len(rows) else None


def _plan_end_source(document: str) -> str:
    """The ``target_year_source`` of a year taken from :func:`plan_end_year`."""
    return f"{PLAN_END_SOURCE_VI} {document}"


PLAN_END_SOURCE_VI = "năm cuối của kế hoạch"
"""How ``target_year_source`` begins when the year is the plan's last (:func:`plan_end_year`):
"năm cuối của kế hoạch 4638/KH-UBND"."""


def _check_decision_date(decision_date) -> None:
    if decision_date is None:
        return
    try:
        _parse_date(decision_date)
    except ValueError:
        raise InputError(
            f"decision date {decision_date!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)",
            f"ngày văn bản {decision_date!r} không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
            field="decision_date",
        ) from None


def review_error(staged, row_of=None) -> InputError:
    """The error for a staged list some of whose rows (or columns) wait for the planner.

    Every row to review is listed with its file, sheet and row (``row_of(row)`` when given),
    in the staging's words.
    """

    def where(row) -> int | None:
        if pd.isna(row):
            return None
        return int(row) if row_of is None else row_of(int(row))

    problems = [
        Problem(
            _text(r["message_vi"]) or "cần xem lại",
            _text(r["message_en"]) or "to review",
            staged.file,
            None if pd.isna(r["sheet"]) else str(r["sheet"]),
            where(r["row"]),
        )
        for _, r in staged.review_rows.iterrows()
    ]
    if staged.columns is not None and staged.columns.needs_mapping:
        unsure = ", ".join(staged.columns.unsure + staged.columns.missing)
        problems.append(
            Problem(
                f"hãy xác nhận cách gán cột: {unsure}",
                f"confirm the column mapping: {unsure}",
                staged.file,
            )
        )
    n = len(problems)
    return InputError(
        f"{n} row{'s' if n != 1 else ''} of the list need{'s' if n == 1 else ''} review "
        "(commune or village not "
        "resolved): correct them in the file, or review them on the import page, then import "
        "again; nothing was written",
        f"{n} dòng của danh sách cần xem lại (xã hoặc thôn/bản chưa xác định được): hãy sửa "
        "trong tệp hoặc xem lại ở trang Nhập dữ liệu rồi nhập lại; chưa ghi gì vào sổ",
        file=staged.file,
        problems=problems,
    )


def staged_assignments(
    staged,
    *,
    source: str,
    decision: str | pd.Series | None = None,
    decision_date: dt.date | str | pd.Series | None = None,
    target_year: int | None = None,
    target_year_source: str = "",
    assigned_on: dt.date | str | None = None,
    source_row: pd.Series | None = None,
) -> pd.DataFrame:
    """The resolved rows of a staged unserved list, in the columns :func:`assign_many` takes.

    Parameters
    ----------
    staged
        :func:`geo.imports.stage` of kind ``unserved``; only its rows with status ``ok`` or
        ``confirmed`` are kept (skipped total and title rows are not in its frame).
    source
        E.g. ``"4638/KH-UBND Phụ lục 2"``: recorded with each assignment.
    decision, decision_date
        The decision ordering the assignments: one value, or a Series aligned with
        ``staged.frame``.
    target_year
        The target year of every row; when None, :func:`plan_end_year` of the decision,
        recorded as ``target_year_source`` ("năm cuối của kế hoạch 4638/KH-UBND").
    target_year_source
        Where a given ``target_year`` comes from.
    assigned_on
        The date of the assignments; the decision's date (else today) when None.
    source_row
        The row recorded with each assignment (e.g. the plan's Stt), aligned with
        ``staged.frame``; the row in the file when None.

    Returns
    -------
    DataFrame
        ``village_id``, ``village``, ``commune_code``, ``commune``, ``district_code``,
        ``district``, ``province_code``, ``province``, ``commune_2025_code``,
        ``location_precision``, ``geometry``, ``operator``, ``decision``, ``decision_date``,
        ``source``, ``source_row``, ``target_year``,
        ``target_year_source``, ``assigned_on``; the index of ``staged.frame``.
    """
    f = staged.frame
    keep = f["status"].isin(RESOLVED).to_numpy()

    def per_row(value) -> pd.Series:
        if isinstance(value, pd.Series):
            return value.reindex(f.index)
        return pd.Series([value] * len(f), index=f.index, dtype=object)

    frame = pd.DataFrame(
        {
            "village_id": f["village_id"],
            "village": f["village"],
            "commune_code": f["commune_code"],
            "commune": f["commune"],
            "district_code": f["district_code"],
            "district": f["district"],
            "province_code": staged.province_code,
            "province": staged.province,
            "commune_2025_code": f["commune_2025_code"],
            "location_precision": f["location_precision"],
            "geometry": gpd.GeoSeries(f.geometry, index=f.index),
            "operator": f["operator"],
            "decision": per_row(decision).map(_text),
            "decision_date": per_row(decision_date),
            "source": source,
            "source_row": f["source_row"] if source_row is None else source_row.reindex(f.index),
        },
        index=f.index,
    )[keep]
    if target_year is None:
        ends = {d: plan_end_year(d) for d in frame["decision"].unique()}
        frame["target_year"] = frame["decision"].map(ends)
        frame["target_year_source"] = frame["decision"].map(
            {d: _plan_end_source(d) if y is not None else "" for d, y in ends.items()}
        )
    else:
        frame["target_year"] = target_year
        frame["target_year_source"] = _text(target_year_source)
    if assigned_on is not None:
        frame["assigned_on"] = assigned_on
    else:

        def day(d):
            try:
                return _parse_date(d)
            except ValueError:  # reported as a bad decision_date by assign_many
                return None

        frame["assigned_on"] = frame["decision_date"].map(day)
    return frame


def import_staged(
    session: Session,
    staged,
    *,
    source: str,
    decision: str | pd.Series | None = None,
    decision_date: dt.date | str | pd.Series | None = None,
    target_year: int | None = None,
    target_year_source: str = "",
    assigned_on: dt.date | str | None = None,
    source_row: pd.Series | None = None,
    row_of=None,
) -> ImportReport:
    """Write a staged unserved list (every row resolved) to the register in one transaction.

    Parameters
    ----------
    session
        The planner's session.
    staged
        :func:`geo.imports.stage` of kind ``unserved``.
    source, decision, decision_date, target_year, target_year_source, assigned_on, source_row
        As in :func:`staged_assignments`.
    row_of
        Maps a row of the staged file to the row to name in messages (identity when None).

    Raises
    ------
    InputError
        A row (or the column mapping) needs review (:func:`review_error`), or a cell
        :func:`assign_many` refuses (e.g. one village with two operators): every problem is
        named with the file and its row, nothing is written.
    """
    if staged.kind != "unserved":
        raise InputError(
            f"{staged.file} was read as {staged.kind}, not as a list of unserved villages",
            f"{staged.file} được đọc là {staged.kind}, không phải danh sách thôn/bản chưa có "
            "dịch vụ",
            file=staged.file,
        )
    if staged.needs_review:
        raise review_error(staged, row_of)
    _check_decision_date(None if isinstance(decision_date, pd.Series) else decision_date)
    frame = staged_assignments(
        staged,
        source=source,
        decision=decision,
        decision_date=decision_date,
        target_year=target_year,
        target_year_source=target_year_source,
        assigned_on=assigned_on,
        source_row=source_row,
    )
    lines = staged.frame.loc[frame.index, "source_row"].to_numpy()
    try:
        report = assign_many(session, frame.reset_index(drop=True), action="import")
    except InputError as exc:
        if not exc.problems:
            raise

        # assign_many numbers rows by position from 1: name the file's rows instead.
        def line(p: Problem) -> int | None:
            if p.row is None:
                return None
            at = int(lines[p.row - 1])
            return at if row_of is None else row_of(at)

        problems = [
            dataclasses.replace(p, file=staged.file, sheet=staged.sheet, row=line(p))
            for p in exc.problems
        ]
        raise InputError(
            exc.message_en, exc.message_vi, file=staged.file, problems=problems
        ) from None
    report.located_at_commune = int((frame["location_precision"] == "commune").sum())
    return report


def import_table(
    session: Session,
    table: pd.DataFrame,
    data,
    *,
    source: str,
    decision: str | None = None,
    decision_date: dt.date | str | None = None,
    target_year: int | None = None,
    target_year_source: str = "",
    assigned_on: dt.date | str | None = None,
    file: str | None = None,
    first_line: int = 2,
) -> ImportReport:
    """Import a list of villages and operators (a plan's Phụ lục 2) held in memory.

    The table goes through the import reader (:func:`geo.imports.stage`, kind ``unserved``)
    as a file does, then :func:`import_staged`.

    Parameters
    ----------
    session
        The planner's session.
    table
        ``village``, ``commune``, ``operator`` and, if given, ``district``, ``source_row``
        (Stt), ``note``, ``document``, ``document_date``; e.g. :func:`geo.plans.load_unserved`.
    data
        The province (:class:`geo.province.ProvinceData`).
    source
        E.g. ``"4638/KH-UBND Phụ lục 2"``: recorded with each assignment.
    decision, decision_date
        The decision ordering the assignments; each row's ``document``/``document_date`` when
        None.
    target_year, target_year_source, assigned_on
        As in :func:`staged_assignments`.
    file, first_line
        Named in error messages: the file and the line of the table's first row.

    Raises
    ------
    InputError
        A row that needs review (commune or village not resolved) or a bad cell; every row is
        listed with its line, nothing is written.
    """
    from geo import imports

    _check_decision_date(decision_date)
    rows = table.reset_index(drop=True)
    name = file or f"{source}.csv"
    csv = rows.drop(columns=["document", "document_date", "appendix"], errors="ignore")
    buffer = io.StringIO()
    csv.to_csv(buffer, index=False, lineterminator="\r\n")  # a bare CR stays in its cell
    staged = imports.stage(
        buffer.getvalue().encode("utf-8"),
        name if name.lower().endswith(".csv") else f"{name}.csv",
        kind="unserved",
        province=data,
        document=source,
    )
    # The CSV written above has its header on line 1: row n of the table is on line n + 2.
    position = staged.frame["source_row"].astype(int) - 2

    def from_table(column: str) -> pd.Series | None:
        if column not in rows:
            return None
        return pd.Series(rows[column].to_numpy()[position.to_numpy()], index=position.index)

    return import_staged(
        session,
        staged,
        source=source,
        decision=decision if decision is not None else from_table("document"),
        decision_date=decision_date if decision_date is not None else from_table("document_date"),
        target_year=target_year,
        target_year_source=target_year_source,
        assigned_on=assigned_on,
        source_row=from_table("source_row") if "source_row" in rows else position + 1,
        row_of=lambda line: line - 2 + first_line,
    )
