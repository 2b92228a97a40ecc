"""Writing the register: sessions, and assign, edit, set_status, report_progress, undo_last
through one write path (permission check, version check, new row, one history row, one
transaction).

Every write is taken by the session's account (:attr:`AccountSession.account`) and checked with
:func:`geo.auth.authorize` against the village's province, district and operator before
anything is written: a refused write raises :class:`geo.auth.PermissionDeniedError` and leaves
the register as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo import auth
from geo.assignments.fields import _terms, _village_fields
from geo.assignments.rules import (
    EDITABLE,
    STATUS_DATE_FIELDS,
    STATUSES,
    NothingToUndoError,
    RegisterRestoredError,
    StaleWriteError,
    StatusTransitionError,
    _label,
    _local_time,
    _missing,
    _not_found,
    _status_day,
    _text,
    _today,
    check_transition,
)
from geo.auth import Account, Action
from geo.errors import InputError, ProblemList
from geo.operators import OPERATOR_DISPLAY
from geo.store import assignments as store
from geo.store.assignments import FIELDS, FIELDS_META, Session


@dataclass(frozen=True)
class AccountSession(Session):
    """A :class:`~geo.store.assignments.Session` with the account acting in it.

    ``user`` is what the history records (:func:`geo.auth.recorded_name`: the account's name,
    or the command line's display name); ``account`` is what every write is checked against.
    """

    account: Account = auth.CONSOLE


def open_session(
    db: str | Path | store.Connection | None, account: Account | str, *, client: str = ""
) -> AccountSession:
    """Start a session of an account: record who is working, return the session.

    Parameters
    ----------
    db
        An open connection (:func:`connect`) or a path (opened here; None = default path).
    account
        The acting :class:`geo.auth.Account` (signed in, :func:`geo.auth.demo_account` or
        :data:`geo.auth.CONSOLE`); the history records its name and the session row its role
        and scope. A ``str`` is still accepted for one release: it means the command line
        acting as :data:`geo.auth.CONSOLE` (an admin) under that display name (``--user``).
    client
        What the session runs in ("app", "cli", …), recorded with the account's role.

    Raises
    ------
    InputError
        Empty name, or longer than 100 characters.
    """
    if isinstance(account, Account):
        acting = account
        name = auth.recorded_name(account)
        note = f"{_text(client)} {auth.scope_note(account)}".strip()
    else:
        acting = auth.CONSOLE
        name = _text(account)
        note = _text(client)
    if not name or len(name) > 100:
        raise InputError(
            "Give your name (1–100 characters) before changing assignments.",
            "Hãy nhập tên của bạn (1–100 ký tự) trước khi sửa phân công.",
            field="user",
        )
    conn = db if store.is_connection(db) else store.connect(db)
    session_id, started = store.insert_session(conn, name, note)
    return AccountSession(conn, name, session_id, started, acting)


def session_account(session: Session) -> Account:
    """The account acting in ``session``.

    Raises
    ------
    PermissionDeniedError
        The session was not opened by :func:`open_session` (it names no account).
    """
    if isinstance(session, AccountSession):
        return session.account
    raise auth.PermissionDeniedError(
        "The session names no account: open it with geo.assignments.open_session(conn, "
        "account). Nothing was written.",
        "Phiên làm việc không gắn với tài khoản nào: hãy mở bằng "
        "geo.assignments.open_session(conn, account). Chưa có gì được ghi.",
    )


def _authorize_row(
    session: Session,
    action: Action,
    row: Mapping,
    *,
    operator: str | None = None,
    status: str | None = None,
) -> None:
    """Refuse ``action`` on a village's assignment ``row`` unless the session's account may
    (its province, district and operator; ``operator`` overrides the row's)."""
    auth.authorize(
        session_account(session),
        action,
        province_code=_scope_value(row.get("province_code")),
        district_code=_scope_value(row.get("district_code")),
        operator=_scope_value(operator if operator is not None else row.get("operator")),
        status=status,
    )


def _scope_value(value: Any) -> str | None:
    return None if _missing(value) or not str(value).strip() else str(value)


def _check_session(session: Session) -> None:
    """Raise :class:`RegisterRestoredError` unless the register still holds ``session`` (the
    same number, name and start); run inside the write's transaction."""
    conn = session.conn
    r = store.session_row(conn, session.session_id)
    if (
        r is not None
        and r["user"] == session.user
        and (not session.started_at or r["started_at"] == session.started_at)
    ):
        return
    when = _local_time(store.last_restore_at(conn))
    at_vi = f" lúc {when} (giờ Việt Nam)" if when else ""
    at_en = f" at {when} (Vietnam time)" if when else ""
    raise RegisterRestoredError(
        f"The register was restored from a backup{at_en} and no longer knows your session; "
        "nothing was written. Start a new session (give your name again) and make your change "
        "again if it still holds.",
        f"Sổ phân công đã được khôi phục từ bản sao lưu{at_vi} và không còn phiên làm việc của "
        "bạn; chưa có gì được ghi. Hãy bắt đầu phiên mới (nhập lại tên) và làm lại thay đổi nếu "
        "vẫn cần.",
    )


def _diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """The fields that differ (metadata left out), as (old, new); None for a missing row."""
    keys = [f for f in FIELDS if f not in FIELDS_META]
    if before is None:
        return None, {k: after[k] for k in keys} if after is not None else None
    if after is None:
        return {k: before[k] for k in keys}, None
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def _stale(conn: store.Connection, village_id: str, expected: int, row: dict | None):
    """The :class:`StaleWriteError` of a write based on version ``expected``: who changed the
    village and when (Vietnam time), and its assignment now."""
    last = store.last_change(conn, village_id)
    if row is not None:
        name = row["village"]
    elif last is not None and last["old_value"]:
        name = json.loads(last["old_value"]).get("village") or village_id
    else:
        name = village_id
    who_vi = last["user"] if last else "người khác"
    who_en = last["user"] if last else "someone else"
    when = _local_time(last["at"]) if last else ""
    at_vi = f" lúc {when} (giờ Việt Nam)" if when else ""
    at_en = f" at {when} (Vietnam time)" if when else ""
    if row is None:
        now_vi = "thôn/bản không còn phân công (việc phân công đã được hoàn tác)"
        now_en = "the village has no assignment any more (its assignment was undone)"
    else:
        op = OPERATOR_DISPLAY.get(row["operator"], row["operator"])
        year = row["target_year"] or "—"
        now_vi = f"doanh nghiệp {op}, trạng thái {_label(row['status'], 'vi')}, năm mục tiêu {year}"
        now_en = f"operator {op}, status {_label(row['status'], 'en')}, target year {year}"
    return StaleWriteError(
        f"{name} ({village_id}) was changed by {who_en}{at_en} after you opened it. Now: "
        f"{now_en}. Nothing was overwritten and your change was not saved; look at the current "
        "value and make your change again if it still holds.",
        f"{name} ({village_id}) đã được {who_vi} thay đổi{at_vi} sau khi bạn mở. Hiện tại: "
        f"{now_vi}. Không có gì bị ghi đè và thay đổi của bạn chưa được lưu; hãy xem giá trị "
        "hiện tại và làm lại nếu vẫn cần.",
        village_id=village_id,
        expected_version=expected,
        current=row,
    )


def _write(
    session: Session,
    village_id: str,
    expected_version: int,
    action: str,
    change: Callable[[dict | None], dict | None],
    *,
    allowed: Callable[[dict | None], None],
    undoes: Callable[[], int | None] | None = None,
) -> dict | None:
    """The one write path: check the account's permission (``allowed``, given the current row
    or None; it raises :class:`geo.auth.PermissionDeniedError`), then the version, compute the
    new row, write it and its history, all in one transaction."""
    if expected_version is None or int(expected_version) < 0:
        raise InputError(
            "expected_version must be the version you read (0 for a village with no assignment)",
            "expected_version phải là phiên bản bạn đã đọc (0 nếu thôn/bản chưa có phân công)",
            field="version",
        )
    expected = int(expected_version)
    conn = session.conn
    with store.transaction(conn):
        _check_session(session)
        before = store.get_row(conn, village_id)
        allowed(None if before is None else dict(before))
        version_now = 0 if before is None else int(before["version"])
        if version_now != expected:
            raise _stale(conn, village_id, expected, before)
        after = change(None if before is None else dict(before))
        undone = undoes() if undoes is not None else None
        version = store.next_version(conn, village_id)
        at = store.now()
        if after is not None:
            after.update(version=version, updated_by=session.user, updated_at=at)
        if after is None:
            store.delete_row(conn, village_id)
        elif before is None:
            store.insert_rows(conn, [after])
        else:
            if not store.update_row(
                conn, after, expected
            ):  # pragma: no cover - guarded by the lock and the check above
                raise _stale(conn, village_id, expected, store.get_row(conn, village_id))
        old, new = _diff(before, after)
        store.append_history(
            conn,
            [(village_id, version, action, old, new, session.user, session.session_id, at, undone)],
        )
    return after


def assign(
    session: Session,
    village: Mapping,
    operator: str,
    *,
    expected_version: int = 0,
    target_year: int | None = None,
    decision: str = "",
    decision_date: dt.date | str | None = None,
    note: str = "",
    assigned_on: dt.date | str | None = None,
    proposed_operator: str | None = None,
    target_year_source: str = "",
    proposal_reason: str | None = None,
    source: str = "",
    source_row: int | None = None,
) -> dict:
    """Assign an operator to a village (or assign again a village whose assignment was
    cancelled).

    Parameters
    ----------
    session
        The planner's session (:func:`open_session`).
    village
        A row of the model's ``status`` frame or any mapping with ``village_id``, ``village``,
        ``commune_code``, ``province_code`` and, if known, ``commune``, ``district_code``,
        ``district``, ``province``, ``commune_2025_code``, ``location_precision`` and a Point
        ``geometry`` (EPSG:4326) or ``lon``/``lat``.
    operator
        The operator, in any spelling :func:`geo.operators.canonical_operator` knows.
    expected_version
        The version the planner saw: 0 when the village had no assignment, the cancelled
        assignment's version to assign it again.
    target_year, decision, decision_date, note
        The assignment's terms (decision e.g. ``"4638/KH-UBND"``, date ``2020-12-15`` or
        ``"15/12/2020"``).
    target_year_source
        Where the target year comes from ("năm cuối của kế hoạch 4638/KH-UBND"); "" when the
        planner sets it.
    assigned_on
        The date of the assignment (today when None); not in the future.
    proposed_operator, proposal_reason
        The tool's proposal (:func:`propose`) the planner accepted or overrode, kept with it.
    source, source_row
        Where the assignment comes from (a plan's table and its Stt).

    Returns
    -------
    dict
        The assignment as stored (:data:`FIELDS`), ``version`` included.

    Raises
    ------
    StaleWriteError
        The village's assignment is not at ``expected_version`` (someone else wrote it).
    InputError
        A bad value; or the village already has an open or verified assignment (change it with
        :func:`edit`, or cancel it first).
    """
    problems = ProblemList()
    vfields = _village_fields(village, problems)
    terms = _terms(
        {
            "operator": operator,
            "target_year": target_year,
            "target_year_source": target_year_source,
            "decision": decision,
            "decision_date": decision_date,
            "note": note,
            "proposed_operator": proposed_operator,
            "proposal_reason": proposal_reason,
        },
        problems,
    )
    problems.raise_if_any("The assignment is not valid", "Phân công không hợp lệ")
    _authorize_row(session, Action.ASSIGN, vfields, operator=terms["operator"])
    day = _status_day(assigned_on, "assigned_on")

    def change(before: dict | None) -> dict:
        if before is not None and before["status"] != "cancelled":
            raise InputError(
                f"{before['village']} is already assigned to {before['operator']} "
                f"({_label(before['status'], 'en')}); edit that assignment or cancel it first.",
                f"{before['village']} đã được phân công cho {before['operator']} "
                f"({_label(before['status'], 'vi')}); hãy sửa phân công đó hoặc hủy trước.",
                field="village_id",
            )
        return {
            **vfields,
            **terms,
            "status": "assigned",
            "assigned_on": day.isoformat(),
            "construction_on": None,
            "on_air_on": None,
            "verified_on": None,
            "cancelled_on": None,
            "source": _text(source),
            "source_row": None if _missing(source_row) else int(source_row),
        }

    def allowed(before: dict | None) -> None:
        if before is not None:  # assigning again a cancelled assignment: its scope too
            _authorize_row(session, Action.ASSIGN, before, operator=terms["operator"])

    out = _write(
        session, vfields["village_id"], expected_version, "assign", change, allowed=allowed
    )
    assert out is not None
    return out


def edit(session: Session, village_id: str, *, expected_version: int, **changes: Any) -> dict:
    """Change an assignment's terms: ``operator``, ``target_year``, ``target_year_source``,
    ``decision``, ``decision_date``, ``note``, ``proposed_operator``, ``proposal_reason``.

    A new ``target_year`` given without its ``target_year_source`` is the planner's: the
    source becomes "".

    The operator can change only while the status is ``assigned``: once construction has
    begun, cancel the assignment and assign the village again.

    Raises
    ------
    StaleWriteError, AssignmentNotFoundError, InputError
    """
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        raise InputError(
            f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE)}",
            f"không sửa được {', '.join(unknown)}; sửa được: {', '.join(EDITABLE)}",
            field=unknown[0],
        )
    problems = ProblemList()
    terms = _terms(changes, problems, partial=True)
    problems.raise_if_any("The change is not valid", "Thay đổi không hợp lệ")

    def change(before: dict | None) -> dict:
        if before is None:
            raise _not_found(village_id)
        if (
            "operator" in terms
            and terms["operator"] != before["operator"]
            and before["status"] != "assigned"
        ):
            raise StatusTransitionError(
                f"the operator of an assignment that is {_label(before['status'], 'en')} "
                "cannot change; cancel it and assign the village again",
                f"không đổi được doanh nghiệp khi phân công ở trạng thái "
                f"{_label(before['status'], 'vi')}; hãy hủy rồi phân công lại",
                field="operator",
            )
        after = {**before, **terms}
        if (
            "target_year" in terms
            and "target_year_source" not in terms
            and terms["target_year"] != before["target_year"]
        ):
            after["target_year_source"] = ""
        return after

    def allowed(before: dict | None) -> None:
        if before is None:  # nothing to change: the version check or change() refuses it
            return
        _authorize_row(session, Action.EDIT, before)
        if "operator" in terms and terms["operator"] != before["operator"]:
            _authorize_row(session, Action.EDIT, before, operator=terms["operator"])

    out = _write(session, str(village_id), expected_version, "edit", change, allowed=allowed)
    assert out is not None
    return out


def set_status(
    session: Session,
    village_id: str,
    status: str,
    *,
    expected_version: int,
    on: dt.date | str | None = None,
) -> dict:
    """Move an assignment to ``status`` on the date ``on`` (today when None).

    Raises
    ------
    StatusTransitionError
        A move :data:`TRANSITIONS` does not allow, or a date in the future or before the
        current status's date.
    StaleWriteError, AssignmentNotFoundError
    """
    day = _status_day(on)
    if status not in STATUSES:
        raise StatusTransitionError(
            f"unknown status {status!r}; expected one of {', '.join(STATUSES)}",
            f"trạng thái {status!r} không hợp lệ; cần là một trong {', '.join(STATUSES)}",
            field="status",
        )

    def change(before: dict | None) -> dict:
        if before is None:
            raise _not_found(village_id)
        check_transition(before, status, day)
        return {**before, "status": status, STATUS_DATE_FIELDS[status]: day.isoformat()}

    def allowed(before: dict | None) -> None:
        if before is None:  # nothing to change: the version check or change() refuses it
            return
        _authorize_row(session, Action.SET_STATUS, before, status=status)

    out = _write(session, str(village_id), expected_version, "status", change, allowed=allowed)
    assert out is not None
    return out


def report_progress(
    session: Session,
    village_id: str,
    status: str,
    on: dt.date | str | None,
    evidence: str,
    *,
    expected_version: int,
) -> dict:
    """An operator's progress report: its village is under construction or on air since
    ``on``, with the evidence (e.g. "Biên bản phát sóng số 12/2025, ảnh trạm").

    The status moves as with :func:`set_status` and the evidence is added to the assignment's
    note as a dated line ("Báo cáo tiến độ: Đã phát sóng 05/03/2025 — …"), so the history
    keeps it with the account that reported. Any account that may take
    :attr:`geo.auth.Action.REPORT_PROGRESS` on the village may report (an operator on its own
    villages only; a province planner in its province).

    Raises
    ------
    InputError
        A status other than under construction / on air, no date or one in the future, no
        evidence (:func:`geo.auth.check_progress_report`).
    PermissionDeniedError
        The account may not report on this village (another operator's, another province).
    StatusTransitionError, StaleWriteError, AssignmentNotFoundError
    """
    try:
        day = _status_day(on)
    except StatusTransitionError:
        day = None
    auth.check_progress_report(status, day if on is not None else None, evidence, today=_today())
    assert day is not None
    line = f"Báo cáo tiến độ: {_label(status, 'vi')} {day:%d/%m/%Y} — {_text(evidence)}"

    def allowed(before: dict | None) -> None:
        if before is None:  # nothing to change: the version check or change() refuses it
            return
        _authorize_row(session, Action.REPORT_PROGRESS, before, status=status)

    def change(before: dict | None) -> dict:
        if before is None:
            raise _not_found(village_id)
        check_transition(before, status, day)
        note = _text(before.get("note"))
        return {
            **before,
            "status": status,
            STATUS_DATE_FIELDS[status]: day.isoformat(),
            "note": f"{note}\n{line}" if note else line,
        }

    out = _write(session, str(village_id), expected_version, "status", change, allowed=allowed)
    assert out is not None
    return out


def undo_last(session: Session, village_id: str, *, expected_version: int) -> dict | None:
    """Revert the village's last change that is not undone yet; the undo is itself a change.

    Called again, it reverts the change before, and so on. Undoing an assignment's creation
    removes the assignment (its history stays).

    Returns
    -------
    dict or None
        The assignment after the undo (None when its creation was undone).

    Raises
    ------
    NothingToUndoError, StaleWriteError
    """
    village_id = str(village_id)
    conn = session.conn
    target: dict = {}

    def last_change() -> dict:
        r = store.last_undoable(conn, village_id)
        if r is None:
            raise NothingToUndoError(
                f"village {village_id} has no change left to undo",
                f"thôn/bản {village_id} không còn thay đổi nào để hoàn tác",
                field="village_id",
            )
        return r

    def allowed(before: dict | None) -> None:
        row = before
        if row is None:  # the village's assignment was undone: the scope of its last value
            last = last_change()
            row = json.loads(last["old_value"] or last["new_value"] or "{}")
        _authorize_row(session, Action.UNDO, row)

    def change(before: dict | None) -> dict | None:
        last = last_change()
        target["change_id"] = last["change_id"]
        old = None if last["old_value"] is None else json.loads(last["old_value"])
        if old is None:
            return None  # the change created the assignment
        if before is None:  # pragma: no cover - impossible with stack-ordered undo
            raise NothingToUndoError(
                f"village {village_id} has no assignment to revert",
                f"thôn/bản {village_id} không có phân công để hoàn tác",
            )
        return {**before, **old}

    return _write(
        session,
        village_id,
        expected_version,
        "undo",
        change,
        allowed=allowed,
        undoes=lambda: target["change_id"],
    )
