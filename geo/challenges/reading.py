"""Reading challenges as the account may see them, the open list by operator and age, and
the statuses the province settled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from geo import auth
from geo.auth import Account, Action
from geo.challenges.base import OPEN_STATES, ChallengeNotFoundError, _error
from geo.challenges.evidence import Photo
from geo.challenges.steps import _current, _where
from geo.i18n import VN_TIME
from geo.operators import OPERATORS, canonical_operator
from geo.store import challenges as store
from geo.vocab import (
    ChallengeClaim,
    ChallengeDecision,
    ChallengeState,
)

# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def challenges(
    conn: store.Connection,
    account: Account,
    *,
    province_code: str | None = None,
    district_code: str | None = None,
    operator: str | None = None,
    states: Sequence[ChallengeState | str] | None = None,
) -> pd.DataFrame:
    """The challenges the account may see (:func:`geo.auth.visible`: an operator only its
    own, a district viewer its district, a planner its province), oldest first."""
    frame = store.select_challenges(
        conn,
        province_code=province_code,
        district_code=district_code,
        operator=canonical_operator(operator) if operator else None,
        states=[str(s) for s in states] if states is not None else None,
    )
    return auth.visible(account, frame).reset_index(drop=True)


def get(conn: store.Connection, account: Account, challenge_id: int) -> dict:
    """One challenge, if the account may see it.

    Raises
    ------
    ChallengeNotFoundError, PermissionDeniedError
    """
    row = _current(conn, challenge_id)
    auth.authorize(account, Action.READ, **_where(row))
    return row


def steps(
    conn: store.Connection, account: Account, challenge_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """The steps (history) of the challenges the account may see, in the order taken, with
    each challenge's ``village`` and ``operator``."""
    seen = challenges(conn, account)
    if challenge_ids is not None:
        seen = seen[seen["challenge_id"].isin([int(i) for i in challenge_ids])]
    out = store.select_steps(conn, seen["challenge_id"].tolist())
    names = seen.set_index("challenge_id")[["village", "operator"]]
    return out.join(names, on="challenge_id")


def photo(conn: store.Connection, account: Account, sha256: str) -> Photo:
    """A kept photo, if a step of a challenge the account may see holds it.

    Raises
    ------
    ChallengeNotFoundError
    """
    held = steps(conn, account)
    kept = store.get_photo(conn, sha256) if (held["photo_sha256"] == sha256).any() else None
    if kept is None:
        raise _error(
            ChallengeNotFoundError, "challenges.err_photo_unknown", field="photo", sha=sha256[:12]
        )
    return Photo(bytes(kept["data"]), kept["media_type"], kept["name"])


def open_list(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The challenges not yet decided, by operator and age, oldest first within each operator.

    Adds ``age_days`` (days since raised, Vietnam time), ``overdue`` (awaiting the operator's
    answer after its deadline) and ``days_overdue`` (0 when not overdue).
    """
    out = frame[frame["state"].isin([str(s) for s in OPEN_STATES])].copy()
    raised = pd.to_datetime(out["raised_at"], utc=True).dt.tz_convert(VN_TIME)
    day = pd.Timestamp(today)
    out["age_days"] = (day - raised.dt.tz_localize(None).dt.normalize()).dt.days.astype("int64")
    late = (day - pd.to_datetime(out["deadline"])).dt.days.astype("int64")
    out["overdue"] = (out["state"] == str(ChallengeState.OPEN)) & (late > 0)
    out["days_overdue"] = late.where(out["overdue"], 0).astype("int64")
    order = {op: i for i, op in enumerate(OPERATORS)}
    out["_op"] = out["operator"].map(order)
    out = out.sort_values(["_op", "age_days", "challenge_id"], ascending=[True, False, True])
    return out.drop(columns="_op").reset_index(drop=True)


def decided_statuses(conn: store.Connection, province_code: str | None = None) -> pd.DataFrame:
    """The statuses the province settled: one row per upheld challenge (``village_id``,
    ``operator``, ``covered`` as claimed, ``decided_at``, ``challenge_id``), the latest per
    village and operator. A rejected challenge leaves the status shown as it was."""
    frame = store.select_challenges(
        conn, province_code=province_code, states=[str(ChallengeState.DECIDED)]
    )
    frame = frame[frame["decision"] == str(ChallengeDecision.UPHELD)].copy()
    frame["covered"] = frame["claim"] == str(ChallengeClaim.COVERED)
    frame = frame.sort_values("decided_at").drop_duplicates(["village_id", "operator"], keep="last")
    cols = ["village_id", "operator", "covered", "decided_at", "challenge_id"]
    return frame[cols].reset_index(drop=True)
