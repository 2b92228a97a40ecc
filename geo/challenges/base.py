"""What the parts of :mod:`geo.challenges` share: limits, errors, Vietnam's day, dates."""

from __future__ import annotations

import datetime as dt

from geo.errors import CoverageError, InputError
from geo.i18n import VN_TIME, fmt_date, t
from geo.store import challenges as store
from geo.vocab import ChallengeState

MAX_PHOTO_BYTES = store.PHOTO_MAX_BYTES
"""Largest photo accepted (5 MB); checked before the file is read."""

DEFAULT_ANSWER_DAYS = 15
"""Days the operator has to answer when the province sets no deadline."""

MAX_DEADLINE_DAYS = 180
"""A deadline is at most this many days after the day it is set."""

MAX_TEXT = 2000
"""Most characters of a reason or a note."""

OPEN_STATES: tuple[ChallengeState, ...] = (
    ChallengeState.OPEN,
    ChallengeState.ACCEPTED,
    ChallengeState.REBUTTED,
)
"""The states of a challenge not yet decided."""


class ChallengeNotFoundError(CoverageError, LookupError):
    """No challenge (or photo) has this number, or the account may not see it."""


class ChallengeStateError(CoverageError, ValueError):
    """The step does not fit where the challenge stands (answered, decided, late, too early,
    changed meanwhile); nothing was written."""


def _error(cls: type[CoverageError], key: str, *, field: str | None = None, **values):
    return cls(t(key, "en", **values), t(key, "vi", **values), field=field)


# ---------------------------------------------------------------------------------------------
# Time, dates, villages
# ---------------------------------------------------------------------------------------------


def _utc(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)


def today(now: dt.datetime | None = None) -> dt.date:
    """The day in Vietnam (:data:`geo.i18n.VN_TIME`) at ``now`` (None: the current time): the
    day deadlines and ages are counted in."""
    return _utc(now).astimezone(VN_TIME).date()


_today = today


def _iso(now: dt.datetime | None) -> str:
    return _utc(now).isoformat(timespec="seconds")


def parse_date(value: dt.date | str, field: str) -> dt.date:
    """A date given as a date, dd/mm/yyyy or ISO text.

    Raises
    ------
    InputError
        Naming ``field``, with the format to use.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _error(InputError, "challenges.err_date", field=field, value=text)


def _deadline(value: dt.date | str, today: dt.date) -> dt.date:
    d = parse_date(value, "deadline")
    if d <= today:
        raise _error(
            InputError,
            "challenges.err_deadline_past",
            field="deadline",
            deadline=fmt_date(d),
            today=fmt_date(today),
        )
    if (d - today).days > MAX_DEADLINE_DAYS:
        raise _error(
            InputError,
            "challenges.err_deadline_far",
            field="deadline",
            deadline=fmt_date(d),
            days=MAX_DEADLINE_DAYS,
        )
    return d
