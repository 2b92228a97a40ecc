"""The steps of a challenge, each authorised, dated, attributed and appended to its history:
raise, set the deadline, answer, decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from geo import auth
from geo.auth import Account, Action
from geo.challenges.base import (
    DEFAULT_ANSWER_DAYS,
    OPEN_STATES,
    ChallengeNotFoundError,
    ChallengeStateError,
    _deadline,
    _error,
    _iso,
    _today,
)
from geo.challenges.evidence import NO_PROOF, Photo, Proof, _check_proof, _text
from geo.errors import InputError
from geo.i18n import enum_label, fmt_date, fmt_datetime
from geo.operators import OPERATORS, canonical_operator
from geo.store import challenges as store
from geo.vocab import (
    ChallengeAnswer,
    ChallengeClaim,
    ChallengeDecision,
    ChallengeState,
    ChallengeStep,
    Evidence,
)

_VILLAGE_FIELDS = ("commune", "commune_code", "district", "district_code", "province")


def _operator(value: str) -> str:
    op = canonical_operator(value)
    if op is None:
        raise _error(
            InputError,
            "challenges.err_operator",
            field="operator",
            operator=value,
            operators=", ".join(OPERATORS),
        )
    return op


def village_row(status: pd.DataFrame, village_id: str, province: str = "") -> Mapping:
    """The row of ``village_id`` in a model's village status frame.

    Raises
    ------
    InputError
        No such village (field ``village_id``), saying where to find the id.
    """
    hit = status[status["village_id"].astype(str) == str(village_id)]
    if hit.empty:
        raise _error(
            InputError,
            "challenges.err_village_unknown",
            field="village_id",
            village_id=village_id,
            province=province,
        )
    return hit.iloc[0]


def _village(village: Mapping, operator: str) -> dict:
    for column in ("village_id", "village", "province_code", operator):
        if column not in village or village[column] is None:
            raise _error(InputError, "challenges.err_village", field=column, column=column)
    out = {"village_id": str(village["village_id"]), "village": str(village["village"])}
    for column in _VILLAGE_FIELDS:
        value = village.get(column)
        out[column] = "" if value is None or pd.isna(value) else str(value)
    out["province_code"] = str(village["province_code"])
    out["shown_covered"] = int(bool(village[operator]))
    basis = village.get(f"evidence_{operator}")
    out["shown_evidence"] = str(basis) if basis in set(Evidence) else ""
    return out


# ---------------------------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------------------------


def _keep_photo(conn: store.Connection, photo: Photo | None, who: str, at: str) -> str | None:
    if photo is None:
        return None
    store.insert_photo(
        conn,
        sha256=photo.sha256,
        media_type=photo.media_type,
        data=photo.data,
        name=photo.name[:200],
        added_by=who,
        added_at=at,
    )
    return photo.sha256


def _step_row(
    challenge_id: int,
    version: int,
    step: ChallengeStep,
    state: ChallengeState,
    value: str,
    note: str,
    proof: Proof | None,
    photo_sha: str | None,
    who: str,
    account: Account,
    at: str,
) -> dict:
    m = proof.measurements if proof is not None else None
    return {
        "challenge_id": challenge_id,
        "version": version,
        "step": str(step),
        "state": str(state),
        "value": value,
        "note": note,
        "measurements": m.to_json() if m is not None else None,
        "photo_sha256": photo_sha,
        "user": who,
        "role": auth.scope_note(account),
        "at": at,
    }


def raise_challenge(
    conn: store.Connection,
    account: Account,
    village: Mapping,
    operator: str,
    *,
    reason: str,
    proof: Proof = NO_PROOF,
    deadline: dt.date | str | None = None,
    who: str = "",
    now: dt.datetime | None = None,
) -> dict:
    """Challenge a village's coverage status for one operator.

    Parameters
    ----------
    conn
        The challenge store (:func:`connect`).
    account
        Who raises it: a province planner of the village's province, a district viewer of its
        district, an admin (or the demo).
    village
        The village's row of the model (``model.status``): ``village_id``, ``village``,
        ``province_code``, ``district_code``, …, and the operator's column (bool: shown as
        covered). The claim is the opposite of what it shows.
    operator
        The operator concerned (any spelling of one of :data:`geo.operators.OPERATORS`).
    reason
        Why the status is wrong (1–:data:`MAX_TEXT` characters).
    proof
        The evidence: at least one of a note, a measurement summary, a photo.
    deadline
        The operator's deadline (a date, dd/mm/yyyy or ISO); only a province planner (or an
        admin) sets it. Default: :data:`DEFAULT_ANSWER_DAYS` days from today.
    who
        The display name recorded for :data:`geo.auth.CONSOLE` (the command line's ``--user``).
    now
        The time (tests inject it); the current time when None.

    Returns
    -------
    dict
        The challenge as stored.

    Raises
    ------
    PermissionDeniedError
        The account may not raise it here (or set the deadline).
    InputError
        A missing reason or evidence, a bad photo, summary, date or operator (naming the field);
        a challenge of this village and operator still open.
    """
    op = _operator(operator)
    row = _village(village, op)
    where = {"province_code": row["province_code"], "district_code": row["district_code"] or None}
    auth.authorize(account, Action.RAISE_CHALLENGE, operator=op, **where)
    today = _today(now)
    reason = _text(reason, "reason", required=True, key="challenges.err_reason")
    note = _check_proof(proof, today, required=True)
    if deadline is not None:
        auth.authorize(account, Action.SET_CHALLENGE_DEADLINE, operator=op, **where)
        due = _deadline(deadline, today)
    else:
        due = today + dt.timedelta(days=DEFAULT_ANSWER_DAYS)
    claim = ChallengeClaim.NOT_COVERED if row["shown_covered"] else ChallengeClaim.COVERED
    name, at = auth.recorded_name(account, who), _iso(now)
    with store.transaction(conn):
        same = store.select_challenges(
            conn, village_id=row["village_id"], operator=op, states=OPEN_STATES
        )
        if len(same):
            raise _error(
                InputError,
                "challenges.err_already_open",
                field="village_id",
                village=row["village"],
                id=int(same["challenge_id"].iloc[0]),
                operator=op,
            )
        sha = _keep_photo(conn, proof.photo, name, at)
        challenge_id = store.insert_challenge(
            conn,
            {
                **row,
                "operator": op,
                "claim": str(claim),
                "reason": reason,
                "state": str(ChallengeState.OPEN),
                "deadline": due.isoformat(),
                "answer": None,
                "decision": None,
                "raised_by": name,
                "raised_at": at,
                "answered_by": None,
                "answered_at": None,
                "decided_by": None,
                "decided_at": None,
                "version": 1,
                "updated_at": at,
            },
        )
        store.append_step(
            conn,
            _step_row(
                challenge_id,
                1,
                ChallengeStep.RAISE,
                ChallengeState.OPEN,
                str(claim),
                note,
                proof,
                sha,
                name,
                account,
                at,
            ),
        )
    return store.get_challenge(conn, challenge_id)


def _current(conn: store.Connection, challenge_id: int) -> dict:
    row = store.get_challenge(conn, int(challenge_id))
    if row is None:
        raise _error(
            ChallengeNotFoundError,
            "challenges.err_not_found",
            field="challenge_id",
            id=challenge_id,
        )
    return row


def _where(row: Mapping) -> dict:
    return {
        "province_code": row["province_code"],
        "district_code": row["district_code"] or None,
        "operator": row["operator"],
    }


def _must_be_open(row: Mapping) -> None:
    if row["state"] == ChallengeState.DECIDED:
        raise _error(
            ChallengeStateError,
            "challenges.err_decided",
            field="state",
            id=row["challenge_id"],
            on=fmt_datetime(row["decided_at"]),
        )
    if row["state"] != ChallengeState.OPEN:
        raise _error(
            ChallengeStateError,
            "challenges.err_not_open",
            field="state",
            id=row["challenge_id"],
            state=enum_label(ChallengeState(row["state"]), "vi"),
        )


def _write_step(
    conn: store.Connection,
    row: Mapping,
    changes: dict,
    step: dict,
    photo: Photo | None,
    expected_version: int | None,
) -> dict:
    """Apply a step in one transaction if the challenge is still as it was read."""
    version = int(row["version"]) if expected_version is None else int(expected_version)
    with store.transaction(conn):
        sha = _keep_photo(conn, photo, step["user"], step["at"])
        ok = store.update_challenge(
            conn,
            row["challenge_id"],
            {**changes, "version": version + 1, "updated_at": step["at"]},
            version,
        )
        if not ok:
            raise _error(
                ChallengeStateError, "challenges.err_stale", field="version", id=row["challenge_id"]
            )
        store.append_step(conn, {**step, "version": version + 1, "photo_sha256": sha})
    return store.get_challenge(conn, row["challenge_id"])


def set_deadline(
    conn: store.Connection,
    account: Account,
    challenge_id: int,
    deadline: dt.date | str,
    *,
    who: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> dict:
    """Set (or extend) the operator's deadline of a challenge awaiting its answer; the
    province planner's step.

    Raises
    ------
    PermissionDeniedError, ChallengeNotFoundError, ChallengeStateError (not awaiting an
    answer, or changed meanwhile), InputError (a date not after today, or too far)
    """
    row = _current(conn, challenge_id)
    auth.authorize(account, Action.SET_CHALLENGE_DEADLINE, **_where(row))
    _must_be_open(row)
    due = _deadline(deadline, _today(now))
    step = _step_row(
        row["challenge_id"],
        0,
        ChallengeStep.DEADLINE,
        ChallengeState.OPEN,
        due.isoformat(),
        "",
        None,
        None,
        auth.recorded_name(account, who),
        account,
        _iso(now),
    )
    return _write_step(conn, row, {"deadline": due.isoformat()}, step, None, expected_version)


def answer(
    conn: store.Connection,
    account: Account,
    challenge_id: int,
    response: ChallengeAnswer | str,
    *,
    proof: Proof = NO_PROOF,
    who: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> dict:
    """The operator's answer: accept the challenge, or rebut it with its own evidence.

    Only the operator concerned answers (an admin or the demo on its behalf), while the
    challenge awaits an answer and by its deadline (the whole day, Vietnam time).

    Raises
    ------
    PermissionDeniedError
        Another operator, a province planner, a district viewer.
    ChallengeStateError
        Answered or decided already, past the deadline, or changed meanwhile.
    InputError
        A rebuttal without evidence; a bad photo or summary.
    """
    row = _current(conn, challenge_id)
    auth.authorize(account, Action.ANSWER_CHALLENGE, **_where(row))
    _must_be_open(row)
    response = ChallengeAnswer(response)
    today = _today(now)
    if today > dt.date.fromisoformat(row["deadline"]):
        raise _error(
            ChallengeStateError,
            "challenges.err_late",
            field="deadline",
            id=row["challenge_id"],
            deadline=fmt_date(row["deadline"]),
        )
    note = _check_proof(proof, today, required=response is ChallengeAnswer.REBUT)
    state = (
        ChallengeState.ACCEPTED if response is ChallengeAnswer.ACCEPT else ChallengeState.REBUTTED
    )
    name, at = auth.recorded_name(account, who), _iso(now)
    step = _step_row(
        row["challenge_id"],
        0,
        ChallengeStep.ANSWER,
        state,
        str(response),
        note,
        proof,
        None,
        name,
        account,
        at,
    )
    changes = {"state": str(state), "answer": str(response), "answered_by": name, "answered_at": at}
    return _write_step(conn, row, changes, step, proof.photo, expected_version)


def decide(
    conn: store.Connection,
    account: Account,
    challenge_id: int,
    decision: ChallengeDecision | str,
    *,
    note: str,
    who: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> dict:
    """The province's decision: the challenge is upheld (the claimed status stands) or
    rejected; with its grounds. Final: a decided challenge takes no further step.

    Raises
    ------
    PermissionDeniedError
        Not the province planner of the village's province (nor an admin).
    ChallengeStateError
        Decided already; awaiting an answer still within the deadline; changed meanwhile.
    InputError
        No grounds given.
    """
    row = _current(conn, challenge_id)
    auth.authorize(account, Action.DECIDE_CHALLENGE, **_where(row))
    decision = ChallengeDecision(decision)
    if row["state"] == ChallengeState.DECIDED:
        _must_be_open(row)
    today = _today(now)
    deadline = dt.date.fromisoformat(row["deadline"])
    if row["state"] == ChallengeState.OPEN and today <= deadline:
        raise _error(
            ChallengeStateError,
            "challenges.err_too_early",
            field="state",
            id=row["challenge_id"],
            deadline=fmt_date(deadline),
        )
    grounds = _text(note, "note", required=True, key="challenges.err_note")
    name, at = auth.recorded_name(account, who), _iso(now)
    step = _step_row(
        row["challenge_id"],
        0,
        ChallengeStep.DECIDE,
        ChallengeState.DECIDED,
        str(decision),
        grounds,
        None,
        None,
        name,
        account,
        at,
    )
    changes = {
        "state": str(ChallengeState.DECIDED),
        "decision": str(decision),
        "decided_by": name,
        "decided_at": at,
    }
    return _write_step(conn, row, changes, step, None, expected_version)
