"""A plan's list of villages and operators (Phụ lục 2) imported as assignments."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.assignments.bulk import ImportReport, assign_many
from geo.assignments.rules import _parse_date, _text
from geo.errors import InputError, ProblemList
from geo.store.assignments import Session


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
    """Import a list of villages and operators (a plan's Phụ lục 2) as assignments.

    Each row's commune is resolved within its district to a pre-2025 GSO commune
    (:func:`geo.units.resolve_communes`), the village matched within that commune to the
    register (:func:`geo.villages.match_villages`); a village the register lacks gets the id
    :func:`geo.unserved.declared_unserved` gives it (minted from ``source`` and the Stt) and is
    located at its commune. Then :func:`assign_many` writes them all in one transaction.

    Parameters
    ----------
    session
        The planner's session.
    table
        ``village``, ``commune``, ``operator`` and, if given, ``district``, ``source_row``
        (Stt), ``note``; e.g. :func:`geo.plans.load_unserved` or
        :func:`layers.assignments_xlsx.read_phu_luc_2`.
    data
        The province (:class:`geo.province.ProvinceData`).
    source
        E.g. ``"4638/KH-UBND Phụ lục 2"``: recorded with each assignment and used to mint ids.
    decision, decision_date
        The decision ordering the assignments; each row's ``document``/``document_date`` when
        None.
    target_year
        The target year of every row; when None, :func:`plan_end_year` of the decision, recorded
        with each assignment as its ``target_year_source`` ("năm cuối của kế hoạch
        4638/KH-UBND": the plans' lists give no year per village).
    target_year_source
        Where a given ``target_year`` comes from (recorded with each assignment).
    assigned_on
        The date of the assignments; the decision's date (else today) when None.
    file, first_line
        Named in error messages: the file and the line of the table's first row.

    Raises
    ------
    InputError
        A commune that resolves to no unit (or to several), or a bad cell; every row is listed
        with its line, nothing is written.
    """
    from geo import units, villages

    if decision_date is not None:
        try:
            _parse_date(decision_date)
        except ValueError:
            raise InputError(
                f"decision date {decision_date!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)",
                f"ngày văn bản {decision_date!r} không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
                field="decision_date",
            ) from None
    rows = table.reset_index(drop=True).copy()
    if "district" not in rows:
        rows["district"] = ""
    problems = ProblemList(file=file)
    res = units.resolve_communes(rows, data.province_code, data.communes)
    for i in np.flatnonzero(res["commune_code"].isna().to_numpy()):
        problems.add(
            f"commune {rows.loc[i, 'commune']!r} ({rows.loc[i, 'district']}) matches no commune "
            f"of {data.province} ({res.loc[i, 'match_status']}"
            + (f": {res.loc[i, 'match_candidates']}" if res.loc[i, "match_candidates"] else "")
            + ")",
            f"xã {rows.loc[i, 'commune']!r} ({rows.loc[i, 'district']}) không khớp xã nào của "
            f"{data.province} ({res.loc[i, 'match_status']})",
            row=int(i) + first_line,
            field="commune",
            value=rows.loc[i, "commune"],
        )
    problems.raise_if_any(
        "The list names communes that cannot be resolved", "Danh sách có xã không xác định được"
    )
    rows["commune_code"] = res["commune_code"].astype(str)
    match = villages.match_villages(rows, data.villages)
    if "source_row" not in rows:
        rows["source_row"] = np.arange(1, len(rows) + 1)
    minted = villages.mint_ids(pd.Series(source, index=rows.index), rows["source_row"].astype(str))
    rows["village_id"] = match["village_id"].fillna(minted)
    reg = data.villages.drop_duplicates("village_id").set_index("village_id")
    info = data.communes.dropna(subset=["commune_code"]).drop_duplicates("commune_code")
    info = info.set_index("commune_code")
    at_point = gpd.GeoSeries(rows["village_id"].map(reg.geometry), index=rows.index)
    in_register = rows["village_id"].isin(reg.index)
    # A village of the register keeps its point and precision (the plan's villages the demo
    # register lacks were added at their commune by geo.unserved.add_to_register).
    at_commune = villages.locate_at_commune(rows, data.communes)
    geometry = at_point.where(in_register, at_commune)
    precision = rows["village_id"].map(reg["location_precision"]).where(in_register, "commune")
    doc = decision if decision is not None else rows.get("document", pd.Series("", rows.index))
    doc_date = (
        decision_date
        if decision_date is not None
        else rows.get("document_date", pd.Series(None, rows.index))
    )
    frame = pd.DataFrame(
        {
            "village_id": rows["village_id"],
            "village": rows["village"],
            "commune_code": rows["commune_code"],
            "commune": rows["commune_code"].map(info["commune"]),
            "district_code": rows["commune_code"].map(info["district_code"]),
            "district": rows["commune_code"].map(info["district"]),
            "province_code": data.province_code,
            "province": data.province,
            "commune_2025_code": rows["commune_code"].map(info["commune_2025_code"]),
            "location_precision": precision,
            "geometry": geometry,
            "operator": rows["operator"],
            "decision": doc,
            "decision_date": doc_date,
            "source": source,
            "source_row": rows["source_row"],
        }
    )
    if target_year is None:
        docs = frame["decision"].map(_text)
        ends = {d: plan_end_year(d) for d in docs.unique()}
        frame["target_year"] = docs.map(ends)
        frame["target_year_source"] = docs.map(
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
    try:
        report = assign_many(session, frame, action="import")
    except InputError as exc:
        if not exc.problems:
            raise
        # Name the file's lines, not the rows' positions.
        shift = first_line - 1
        problems = [
            dataclasses.replace(p, file=file, row=None if p.row is None else p.row + shift)
            for p in exc.problems
        ]
        raise InputError(exc.message_en, exc.message_vi, file=file, problems=problems) from None
    report.located_at_commune = int((precision == "commune").sum())
    return report
