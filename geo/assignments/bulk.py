"""Many assignments at once (a plan's list), in one transaction, never overwriting."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.assignments.fields import _terms, _village_fields
from geo.assignments.register import _authorize_row, _check_session, _diff
from geo.assignments.rules import _missing, _parse_date, _text, _today
from geo.auth import Action
from geo.errors import InputError, ProblemList
from geo.store import assignments as store
from geo.store.assignments import Session


@dataclass
class ImportReport:
    """What :func:`assign_many` (and :func:`import_table`) did.

    Attributes
    ----------
    added
        Villages assigned.
    unchanged
        Villages that already had an assignment to the same operator (left as they were).
    conflicts
        Villages that already had an assignment to another operator, or a cancelled one: left
        as they were; columns ``village_id``, ``village``, ``operator`` (the list's),
        ``current_operator``, ``current_status``, ``version``.
    located_at_commune
        Villages the register lacks, located at their commune's representative point.
    """

    added: int
    unchanged: pd.DataFrame
    conflicts: pd.DataFrame
    located_at_commune: int = 0
    village_ids: list[str] = field(default_factory=list)

    def summary(self, lang: str = "en") -> str:
        if lang == "vi":
            return (
                f"đã thêm {self.added} phân công; {len(self.unchanged)} đã có sẵn (giữ nguyên); "
                f"{len(self.conflicts)} khác với sổ (không ghi đè); {self.located_at_commune} "
                "thôn/bản đặt tại xã"
            )
        return (
            f"{self.added} assignments added; {len(self.unchanged)} already there (kept); "
            f"{len(self.conflicts)} differ from the register (not overwritten); "
            f"{self.located_at_commune} villages located at their commune"
        )


def assign_many(session: Session, rows: pd.DataFrame, *, action: str = "import") -> ImportReport:
    """Assign many villages in one transaction (all or nothing), never overwriting.

    Parameters
    ----------
    session
        The session (:func:`geo.assignments.open_session`); its account must be allowed
        :attr:`geo.auth.Action.ASSIGN_MANY` in every row's province.
    rows
        One row per village: the village fields of :func:`assign` (``village_id``,
        ``village``, ``commune_code``, ``province_code``, …, ``geometry`` or ``lon``/``lat``),
        ``operator`` and optionally ``target_year``, ``target_year_source``, ``decision``,
        ``decision_date``, ``note``, ``assigned_on``, ``proposed_operator``,
        ``proposal_reason``, ``source``, ``source_row``.
    action
        Recorded in the history ("import" or "assign").

    Returns
    -------
    ImportReport
        Villages with an assignment already are never overwritten: same operator → unchanged,
        otherwise → conflicts.

    Raises
    ------
    InputError
        A bad cell, or a village twice in ``rows``; every problem is listed (row = position +
        1), nothing is written.
    PermissionDeniedError
        The session's account may not assign in a row's province (or district): nothing is
        written.
    """
    if action not in ("import", "assign"):
        raise InputError(f"bad action {action!r}", f"action {action!r} không hợp lệ")
    problems = ProblemList()
    records: list[dict] = []
    today = _today()
    seen: dict[str, int] = {}
    for i, rec in enumerate(rows.to_dict("records")):
        n = i + 1
        v = _village_fields(rec, problems, n)
        t = _terms(rec, problems, n)
        try:
            day = _parse_date(rec.get("assigned_on")) or today
        except ValueError:
            problems.add(
                "assigned_on is not a date",
                "ngày phân công không phải ngày",
                row=n,
                field="assigned_on",
                value=rec.get("assigned_on"),
            )
            day = today
        if day > today:
            problems.add(
                "assigned_on is in the future",
                "ngày phân công ở tương lai",
                row=n,
                field="assigned_on",
                value=day.isoformat(),
            )
        vid = v["village_id"]
        if vid and vid in seen:
            problems.add(
                f"village {vid} is also on row {seen[vid]}",
                f"thôn/bản {vid} trùng với dòng {seen[vid]}",
                row=n,
                field="village_id",
                value=vid,
            )
        seen.setdefault(vid, n)
        src_row = rec.get("source_row")
        records.append(
            {
                **v,
                **t,
                "status": "assigned",
                "assigned_on": day.isoformat(),
                "construction_on": None,
                "on_air_on": None,
                "verified_on": None,
                "cancelled_on": None,
                "source": _text(rec.get("source")),
                "source_row": None if _missing(src_row) else int(src_row),
            }
        )
    problems.raise_if_any("The list of assignments has errors", "Danh sách phân công có lỗi")
    for r in records:  # every row's province (and district, operator) before any write
        _authorize_row(session, Action.ASSIGN_MANY, r)

    conn = session.conn
    ids = [r["village_id"] for r in records]
    with store.transaction(conn):
        _check_session(session)
        existing = store.rows_by_ids(conn, ids)
        versions = store.max_versions(conn, ids)
        at = store.now()
        new_rows, entries, unchanged, conflicts = [], [], [], []
        for r in records:
            cur = existing.get(r["village_id"])
            if cur is not None:
                item = {
                    "village_id": r["village_id"],
                    "village": r["village"],
                    "operator": r["operator"],
                    "current_operator": cur["operator"],
                    "current_status": cur["status"],
                    "version": cur["version"],
                }
                same = cur["operator"] == r["operator"] and cur["status"] != "cancelled"
                (unchanged if same else conflicts).append(item)
                continue
            version = int(versions.get(r["village_id"], 0)) + 1
            r.update(version=version, updated_by=session.user, updated_at=at)
            new_rows.append(r)
            _, new = _diff(None, r)
            entries.append(
                (
                    r["village_id"],
                    version,
                    action,
                    None,
                    new,
                    session.user,
                    session.session_id,
                    at,
                    None,
                )
            )
        store.insert_rows(conn, new_rows)
        store.append_history(conn, entries)
    columns = ["village_id", "village", "operator", "current_operator", "current_status", "version"]
    return ImportReport(
        added=len(new_rows),
        unchanged=pd.DataFrame(unchanged, columns=columns),
        conflicts=pd.DataFrame(conflicts, columns=columns),
        village_ids=[r["village_id"] for r in new_rows],
    )
