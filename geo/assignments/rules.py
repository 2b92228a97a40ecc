"""The rules of the assignment register: statuses and their moves, the errors, small helpers.

No SQL here (see :mod:`geo.store.assignments`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.errors import CoverageError, InputError
from geo.store.assignments import FIELDS_TERMS, STATUS_DATE_FIELDS, STATUSES

STATUS_LABELS: dict[str, dict[str, str]] = {
    "assigned": {"vi": "Đã phân công", "en": "Assigned"},
    "under_construction": {"vi": "Đang xây dựng", "en": "Under construction"},
    "on_air": {"vi": "Đã phát sóng", "en": "On air"},
    "verified": {"vi": "Đã nghiệm thu", "en": "Verified"},
    "cancelled": {"vi": "Hủy", "en": "Cancelled"},
}
"""What each status is called on screen (glossary)."""

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assigned": ("under_construction", "cancelled"),
    "under_construction": ("on_air", "cancelled"),
    "on_air": ("verified", "cancelled"),
    "verified": (),
    "cancelled": (),
}
"""The statuses each status may move to: one step forward, or cancelled from any open status.
``verified`` and ``cancelled`` are final; a cancelled village is assigned afresh with
:func:`assign`, a mistaken change is reverted with :func:`undo_last`."""

FINAL_STATUSES: tuple[str, ...] = ("verified", "cancelled")
OWED_STATUSES: tuple[str, ...] = ("assigned", "under_construction")
"""The statuses in which the operator still owes the village its service (not on air yet)."""

DISAGREEMENTS: dict[str, dict[str, str]] = {
    "verified_not_covered": {
        "vi": "Đã nghiệm thu nhưng dữ liệu phủ sóng cho thấy chưa nhà mạng nào phủ sóng",
        "en": "Verified, but the coverage data shows no operator covering the village",
    },
    "verified_operator_not_covering": {
        "vi": "Đã nghiệm thu nhưng dữ liệu phủ sóng không cho thấy doanh nghiệp được phân công "
        "phủ sóng (chỉ doanh nghiệp khác)",
        "en": "Verified, but the coverage data shows only other operators covering the village",
    },
    "covered_not_verified": {
        "vi": "Dữ liệu phủ sóng cho thấy đã có sóng nhưng phân công chưa nghiệm thu",
        "en": "The coverage data shows the village covered, but its assignment is not verified",
    },
    "on_air_not_covered": {
        "vi": "Đã phát sóng nhưng dữ liệu phủ sóng cho thấy chưa nhà mạng nào phủ sóng",
        "en": "On air, but the coverage data shows no operator covering the village",
    },
}

EDITABLE: tuple[str, ...] = (*FIELDS_TERMS, "proposed_operator", "proposal_reason")
"""The fields :func:`edit` changes."""


class StaleWriteError(CoverageError, RuntimeError):
    """Someone changed the assignment since the planner read it; nothing was written.

    Attributes
    ----------
    village_id
        The village.
    expected_version
        The version the planner's write was based on.
    current
        The assignment as it is now (a dict of :data:`FIELDS`), or ``None`` when it no longer
        exists (its creation was undone).
    """

    def __init__(
        self,
        message_en: str,
        message_vi: str,
        *,
        village_id: str,
        expected_version: int,
        current: dict | None,
    ) -> None:
        super().__init__(message_en, message_vi, field="version")
        self.village_id = village_id
        self.expected_version = expected_version
        self.current = current

    def message(self, lang: str = "vi") -> str:
        """The sentence for the planner, without the "field version:" prefix of other errors
        (the field stays in :attr:`field`)."""
        return self.message_vi if lang == "vi" else self.message_en


class RegisterRestoredError(CoverageError, RuntimeError):
    """The planner's session is not in the register any more: the register was restored from a
    backup that does not know it. Nothing was written; start a new session.

    :func:`restore` keeps the sessions open at the time, so this happens only when the backup
    holds another session under the same number (a backup of another register).
    """


class StatusTransitionError(InputError):
    """A status change the rules of :data:`TRANSITIONS` do not allow, or a bad status date."""


class AssignmentNotFoundError(CoverageError, LookupError):
    """No assignment exists for the village."""


class NothingToUndoError(CoverageError, LookupError):
    """The village's history has no change left to undo."""


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, float) and math.isnan(v))
    except TypeError:  # pragma: no cover - defensive
        return False


def _text(v: Any) -> str:
    return "" if _missing(v) else str(v).strip()


def _opt_text(v: Any) -> str | None:
    t = _text(v)
    return t or None


VN_TIME = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Vietnam's time zone (Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving since 1975), in
which times are shown to planners; they are stored in UTC."""


def _local_time(iso: str | None) -> str:
    """A stored ISO time as ``dd/mm/yyyy HH:MM`` in Vietnam's time; "" when missing."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(VN_TIME).strftime("%d/%m/%Y %H:%M")


def _today() -> dt.date:
    return dt.date.today()


def _parse_date(v: Any) -> dt.date | None:
    """A date from a date, a timestamp, ``YYYY-MM-DD`` or ``dd/mm/yyyy``; None when empty.

    Raises ValueError when the text is not a date.
    """
    if _missing(v) or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = str(v).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _fmt_date_vi(iso: str | None) -> str:
    if not iso:
        return ""
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _label(status: str | None, lang: str = "vi") -> str:
    return STATUS_LABELS.get(status or "", {}).get(lang, status or "")


def _status_day(on: Any, field: str = "date") -> dt.date:
    try:
        d = _parse_date(on)
    except ValueError:
        raise StatusTransitionError(
            f"{on!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)",
            f"{on!r} không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
            field=field,
        ) from None
    d = _today() if d is None else d
    if d > _today():
        raise StatusTransitionError(
            f"the date {d:%d/%m/%Y} is in the future",
            f"ngày {d:%d/%m/%Y} ở tương lai",
            field=field,
        )
    return d


def _not_found(village_id: str) -> AssignmentNotFoundError:
    return AssignmentNotFoundError(
        f"village {village_id} has no assignment",
        f"thôn/bản {village_id} chưa có phân công",
        field="village_id",
    )


def check_transition(before: Mapping, status: str, on: dt.date) -> None:
    """Raise :class:`StatusTransitionError` unless ``before`` may move to ``status`` on ``on``.

    The rules: only the moves of :data:`TRANSITIONS`; the date is not in the future and not
    before the date of the current status.
    """
    if status not in STATUSES:
        raise StatusTransitionError(
            f"unknown status {status!r}; expected one of {', '.join(STATUSES)}",
            f"trạng thái {status!r} không hợp lệ; cần là một trong {', '.join(STATUSES)}",
            field="status",
        )
    now = before["status"]
    allowed = TRANSITIONS[now]
    if status not in allowed:
        nxt_en = ", ".join(_label(s, "en") for s in allowed) or "none (final status)"
        nxt_vi = ", ".join(_label(s, "vi") for s in allowed) or "không (trạng thái cuối)"
        raise StatusTransitionError(
            f"{before.get('village', '')}: cannot go from {_label(now, 'en')} to "
            f"{_label(status, 'en')}; allowed next: {nxt_en}",
            f"{before.get('village', '')}: không chuyển được từ {_label(now, 'vi')} sang "
            f"{_label(status, 'vi')}; được chuyển sang: {nxt_vi}",
            field="status",
        )
    since = before.get(STATUS_DATE_FIELDS[now])
    if since and on < dt.date.fromisoformat(since):
        raise StatusTransitionError(
            f"the date {on:%d/%m/%Y} is before {_label(now, 'en')} ({_fmt_date_vi(since)})",
            f"ngày {on:%d/%m/%Y} trước ngày {_label(now, 'vi')} ({_fmt_date_vi(since)})",
            field="date",
        )
