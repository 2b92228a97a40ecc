"""The assignment register: which operator must serve each unserved village, and how far it got.

An *assignment* (phân công) names the operator (doanh nghiệp viễn thông) that must bring mobile
broadband to a village, the target year (năm mục tiêu), the decision that orders it (văn bản:
number and date, e.g. 4638/KH-UBND, 15/12/2020) and a note. It moves through the statuses of
:data:`STATUSES`, each change dated::

    assigned → under_construction → on_air → verified
         └──────────┴──────────────────┴──→ cancelled

The register lives in one SQLite file (stdlib :mod:`sqlite3`; WAL journal, ``synchronous=FULL``,
a busy timeout), found by :func:`default_path` unless a path is given. Its schema has a version
(``PRAGMA user_version``) and migrations (:data:`MIGRATIONS`); its ``application_id`` marks it as
this tool's file, so that a damaged or foreign file is refused (:class:`DatabaseFileError`) and
never written to.

Assignments are keyed by the village's ``village_id`` and carry its commune codes before and
after 01/07/2025 (``commune_code``, ``commune_2025_code``), its district and province and a copy
of its names and point: a new village register (which keeps ids, see
:func:`geo.villages.link_register`) or the reorganisation of units orphans none of them, and
the views and exports need no other file.

Every write runs in one ``BEGIN IMMEDIATE`` transaction that checks the row's ``version``
(optimistic locking: the second writer of a stale row gets :class:`StaleWriteError` with the
current value, nothing is overwritten), writes the row and appends one row to the append-only
``history`` table (who, when, old value, new value). :func:`undo_last` reverts a village's last
change, itself recorded as a change. Who: the name a planner gives when a :class:`Session`
starts (:func:`open_session`), recorded in the ``session`` table.

The tool proposes an operator for each unserved village (:func:`propose`), shows how the
register and the coverage data agree (:func:`served_status`), and gives the planner's views
(:func:`by_operator`, :func:`by_district`, :func:`overdue`, :func:`progress`). The Phụ lục 2
spreadsheet is written and read by :mod:`layers.assignments_xlsx`.

Schema (version 2)
------------------
``session(session_id, user, started_at, client)``
    One row per planner's session; a restore from a backup is recorded as a row with
    ``client = 'restore'`` (:func:`restore`).
``assignment(village_id PK, commune_code, commune_2025_code, district_code, province_code,
village, commune, district, province, lon, lat, location_precision, operator, target_year,
decision, decision_date, note, status, assigned_on, construction_on, on_air_on, verified_on,
cancelled_on, proposed_operator, proposal_reason, source, source_row, version, updated_by,
updated_at, target_year_source)``
    The current value of each assignment (STRICT table, CHECK constraints on operator, status,
    year and version). Dates are ISO ``YYYY-MM-DD``, times ISO 8601 UTC.
    ``target_year_source`` (version 2) says where the target year comes from, e.g. "năm cuối
    của kế hoạch 4638/KH-UBND" for a plan's imported list; "" when the planner set it.
``history(change_id PK, village_id, version, action, old_value, new_value, user, session_id,
at, undoes)``
    Append-only (triggers refuse UPDATE and DELETE); ``old_value`` and ``new_value`` are JSON
    objects of the fields the change touched (``NULL`` when the assignment did not exist before
    or after it); ``UNIQUE(village_id, version)``; ``undoes`` names the change an undo reverted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import CoverageError, InputError, ProblemList
from geo.operators import OPERATOR_DISPLAY, OPERATORS, canonical_operator
from geo.sites import MOBILE_BROADBAND, _to_metric, metric_crs

__all__ = [
    "APPLICATION_ID",
    "DB_ENV",
    "DISAGREEMENTS",
    "FINAL_STATUSES",
    "MIGRATIONS",
    "OWED_STATUSES",
    "PLAN_END_SOURCE_VI",
    "SCHEMA_VERSION",
    "STATUSES",
    "STATUS_LABELS",
    "TRANSITIONS",
    "AssignmentNotFoundError",
    "DatabaseBusyError",
    "DatabaseFileError",
    "ImportReport",
    "NothingToUndoError",
    "RegisterRestoredError",
    "Session",
    "StaleWriteError",
    "StatusTransitionError",
    "VN_TIME",
    "assign",
    "assign_many",
    "backup",
    "backup_bytes",
    "by_district",
    "by_operator",
    "check_transition",
    "connect",
    "current",
    "default_path",
    "disagreements",
    "edit",
    "get",
    "history",
    "import_table",
    "is_overdue",
    "open_session",
    "overdue",
    "plan_end_year",
    "progress",
    "propose",
    "propose_for_model",
    "restore",
    "served_status",
    "set_status",
    "to_geodataframe",
    "undo_last",
    "verify",
]

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

STATUSES: tuple[str, ...] = ("assigned", "under_construction", "on_air", "verified", "cancelled")
"""The statuses of an assignment, in the order it moves through them."""

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

STATUS_DATE_FIELDS: dict[str, str] = {
    "assigned": "assigned_on",
    "under_construction": "construction_on",
    "on_air": "on_air_on",
    "verified": "verified_on",
    "cancelled": "cancelled_on",
}
"""The column holding the date each status was reached."""

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
"""Codes of :func:`served_status`'s ``disagreement`` column and what each means."""

SCHEMA_VERSION = 2
"""The schema version this code writes (``PRAGMA user_version``)."""

APPLICATION_ID = 0x564E4153  # "VNAS": Viet Nam ASsignments
"""``PRAGMA application_id`` of the register's files; any other non-zero id is a foreign file."""

DB_ENV = "COVERAGE_ASSIGNMENTS_DB"
"""Environment variable naming the register's file (see :func:`default_path`)."""

BUSY_TIMEOUT_S = 5.0
"""How long a writer waits for another writer's lock before :class:`DatabaseBusyError`."""

_FIELDS_VILLAGE = (
    "village_id",
    "commune_code",
    "commune_2025_code",
    "district_code",
    "province_code",
    "village",
    "commune",
    "district",
    "province",
    "lon",
    "lat",
    "location_precision",
)
_FIELDS_TERMS = (
    "operator",
    "target_year",
    "target_year_source",
    "decision",
    "decision_date",
    "note",
)
_FIELDS_STATUS = (
    "status",
    "assigned_on",
    "construction_on",
    "on_air_on",
    "verified_on",
    "cancelled_on",
)
_FIELDS_OTHER = ("proposed_operator", "proposal_reason", "source", "source_row")
_FIELDS_META = ("version", "updated_by", "updated_at")
FIELDS: tuple[str, ...] = (
    *_FIELDS_VILLAGE,
    *_FIELDS_TERMS,
    *_FIELDS_STATUS,
    *_FIELDS_OTHER,
    *_FIELDS_META,
)
"""The columns of the ``assignment`` table, in order."""

EDITABLE: tuple[str, ...] = (*_FIELDS_TERMS, "proposed_operator", "proposal_reason")
"""The fields :func:`edit` changes."""

_SQL_LIST = ", ".join(f"'{s}'" for s in STATUSES)
_SQL_OPS = ", ".join(f"'{o}'" for o in OPERATORS)

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE session (
            session_id INTEGER PRIMARY KEY,
            user TEXT NOT NULL CHECK (length(trim(user)) > 0),
            started_at TEXT NOT NULL,
            client TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        f"""CREATE TABLE assignment (
            village_id TEXT PRIMARY KEY CHECK (length(village_id) > 0),
            commune_code TEXT NOT NULL,
            commune_2025_code TEXT,
            district_code TEXT,
            province_code TEXT NOT NULL,
            village TEXT NOT NULL,
            commune TEXT,
            district TEXT,
            province TEXT,
            lon REAL,
            lat REAL,
            location_precision TEXT,
            operator TEXT NOT NULL CHECK (operator IN ({_SQL_OPS})),
            target_year INTEGER CHECK (target_year IS NULL OR target_year BETWEEN 2000 AND 2100),
            decision TEXT NOT NULL DEFAULT '',
            decision_date TEXT,
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL CHECK (status IN ({_SQL_LIST})),
            assigned_on TEXT NOT NULL,
            construction_on TEXT,
            on_air_on TEXT,
            verified_on TEXT,
            cancelled_on TEXT,
            proposed_operator TEXT,
            proposal_reason TEXT,
            source TEXT NOT NULL DEFAULT '',
            source_row INTEGER,
            version INTEGER NOT NULL CHECK (version >= 1),
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX assignment_province ON assignment(province_code, district_code)",
        "CREATE INDEX assignment_commune ON assignment(commune_code)",
        "CREATE INDEX assignment_commune_2025 ON assignment(commune_2025_code)",
        """CREATE TABLE history (
            change_id INTEGER PRIMARY KEY AUTOINCREMENT,
            village_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            action TEXT NOT NULL
                CHECK (action IN ('assign', 'import', 'edit', 'status', 'undo')),
            old_value TEXT,
            new_value TEXT,
            user TEXT NOT NULL,
            session_id INTEGER NOT NULL REFERENCES session(session_id),
            at TEXT NOT NULL,
            undoes INTEGER REFERENCES history(change_id),
            UNIQUE (village_id, version)
        )""",
        "CREATE INDEX history_undoes ON history(undoes) WHERE undoes IS NOT NULL",
        """CREATE TRIGGER history_no_update BEFORE UPDATE ON history
            BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
        """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
            BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
    ],
    2: [
        # Where the target year comes from ("năm cuối của kế hoạch 4638/KH-UBND"); "" when
        # the planner set it.
        "ALTER TABLE assignment ADD COLUMN target_year_source TEXT NOT NULL DEFAULT ''",
    ],
}
"""DDL that brings a file from version ``n - 1`` to ``n``, run in one transaction per version.
Add ``MIGRATIONS[2]`` (and raise :data:`SCHEMA_VERSION`) to change the schema; never edit a
released version's statements."""


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class DatabaseFileError(CoverageError, OSError):
    """The register's file is damaged, foreign (another program's), or newer than this tool.

    The file is left exactly as it was.
    """


class DatabaseBusyError(CoverageError, TimeoutError):
    """Another planner's write held the register longer than the busy timeout."""


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


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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


def default_path() -> Path:
    """Where the register lives when no path is given.

    ``$COVERAGE_ASSIGNMENTS_DB`` when set, else ``$XDG_DATA_HOME/vn-coverage/assignments.sqlite``
    (``~/.local/share/vn-coverage/assignments.sqlite`` when ``XDG_DATA_HOME`` is unset). Never
    inside the external data folder, which is read-only reference data.
    """
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "vn-coverage" / "assignments.sqlite"


# ---------------------------------------------------------------------------------------------
# The file: open, check, migrate
# ---------------------------------------------------------------------------------------------

_SQLITE_MAGIC = b"SQLite format 3\x00"


def _file_error(path: Path, en: str, vi: str) -> DatabaseFileError:
    return DatabaseFileError(
        f"{en} The file was not changed. Choose another file, or restore a backup into a new file.",
        f"{vi} Tệp không bị thay đổi. Hãy chọn tệp khác, hoặc khôi phục bản sao lưu vào một tệp "
        "mới.",
        file=str(path),
    )


def _inspect(path: Path) -> tuple[str, int]:
    """Whether ``path`` is a new file or this tool's register, read without writing to it.

    Returns ("new", 0) or ("ours", schema version). Raises :class:`DatabaseFileError`.
    """
    if not path.exists():
        return "new", 0
    if path.is_dir():
        raise _file_error(path, f"{path} is a folder, not a file.", f"{path} là thư mục.")
    if path.stat().st_size == 0:
        return "new", 0
    with path.open("rb") as f:
        head = f.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise _file_error(
            path,
            "The file is not an assignment register (not an SQLite database, or damaged).",
            "Tệp không phải sổ phân công (không phải cơ sở dữ liệu SQLite, hoặc đã hỏng).",
        )
    try:
        ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:  # pragma: no cover - depends on the platform
        raise _file_error(
            path, f"Cannot open the file ({exc}).", f"Không mở được tệp ({exc})."
        ) from exc
    try:
        app_id = ro.execute("PRAGMA application_id").fetchone()[0]
        version = ro.execute("PRAGMA user_version").fetchone()[0]
        n_objects = ro.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        check = [r[0] for r in ro.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        raise _file_error(
            path,
            f"The file is damaged ({exc}).",
            f"Tệp đã hỏng ({exc}).",
        ) from exc
    finally:
        ro.close()
    if check != ["ok"]:
        raise _file_error(
            path,
            f"The file is damaged (SQLite check: {'; '.join(check[:3])}).",
            f"Tệp đã hỏng (kiểm tra SQLite: {'; '.join(check[:3])}).",
        )
    if app_id == 0 and n_objects == 0:
        return "new", 0
    if app_id != APPLICATION_ID:
        raise _file_error(
            path,
            "The file is an SQLite database of another program, not an assignment register.",
            "Tệp là cơ sở dữ liệu SQLite của chương trình khác, không phải sổ phân công.",
        )
    if version > SCHEMA_VERSION:
        raise _file_error(
            path,
            f"The register was written by a newer version of the tool (schema {version}; this "
            f"one reads up to {SCHEMA_VERSION}). Update the tool.",
            f"Sổ phân công do phiên bản mới hơn của công cụ ghi (lược đồ {version}; phiên bản "
            f"này đọc tối đa {SCHEMA_VERSION}). Hãy cập nhật công cụ.",
        )
    return "ours", int(version)


def _busy(exc: sqlite3.OperationalError, path: str | None = None) -> DatabaseBusyError:
    return DatabaseBusyError(
        f"The assignment register is busy: another planner is saving ({exc}). Try again.",
        f"Sổ phân công đang bận: người khác đang lưu ({exc}). Hãy thử lại.",
        file=path,
    )


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any error; busy → DatabaseBusyError."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise _busy(exc) from exc
        raise
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        if _is_busy(exc):
            raise _busy(exc) from exc  # type: ignore[arg-type]
        raise


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= SCHEMA_VERSION:
        return
    with _transaction(conn):
        # Another process may have migrated the file while this one waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):  # pragma: no cover - raced by a foreign writer
            raise _file_error(path, "The file changed owner while opening.", "Tệp bị thay đổi.")
        for v in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[v]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(v)}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def connect(
    path: str | Path | None = None,
    *,
    timeout: float = BUSY_TIMEOUT_S,
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open the register, creating it (or migrating it) when needed.

    The file is first read without writing (header, ``application_id``, schema version,
    ``PRAGMA quick_check``); a damaged file, another program's database or a register of a
    newer schema raises :class:`DatabaseFileError` and is left untouched. Then the connection
    is set to WAL, ``synchronous=FULL`` (a committed change survives a power cut), foreign keys
    on, and a busy timeout; the schema is created or migrated in one transaction.

    Parameters
    ----------
    path
        The file; :func:`default_path` when None. Its folder is created if needed.
    timeout
        Seconds a write waits for another writer before :class:`DatabaseBusyError`.
    check_same_thread
        Passed to :func:`sqlite3.connect`; False lets a web app's threads share the connection
        (they must not use it at the same time).

    Returns
    -------
    sqlite3.Connection
        In autocommit mode (``isolation_level=None``): the functions of this module open their
        own transactions. ``row_factory`` is :class:`sqlite3.Row`.

    Raises
    ------
    DatabaseFileError
        Damaged, foreign or newer file.
    DatabaseBusyError
        Another writer held the file during the whole timeout while it was being set up.
    """
    path = default_path() if path is None else Path(path)
    kind, _ = _inspect(path)
    if kind == "new":
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        path, timeout=timeout, isolation_level=None, check_same_thread=check_same_thread
    )
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
            raise _file_error(
                path,
                f"The file cannot use the WAL journal (journal mode {mode}).",
                f"Tệp không dùng được nhật ký WAL (chế độ {mode}).",
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, path)
    except sqlite3.OperationalError as exc:
        conn.close()
        if _is_busy(exc):
            raise _busy(exc, str(path)) from exc
        raise _file_error(
            path, f"Cannot write the file ({exc}).", f"Không ghi được tệp ({exc})."
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


@dataclass(frozen=True)
class Session:
    """A planner's session: the connection and the name every change is recorded under.

    Create it with :func:`open_session`.
    """

    conn: sqlite3.Connection
    user: str
    session_id: int
    started_at: str = ""


def open_session(
    db: str | Path | sqlite3.Connection | None, user: str, *, client: str = ""
) -> Session:
    """Start a planner's session: record who is working, return the :class:`Session`.

    Parameters
    ----------
    db
        An open connection (:func:`connect`) or a path (opened here; None = default path).
    user
        The planner's name, as they give it at the start of the session.
    client
        What the session runs in ("app", "cli", …), recorded with the name.

    Raises
    ------
    InputError
        Empty name, or longer than 100 characters.
    """
    name = _text(user)
    if not name or len(name) > 100:
        raise InputError(
            "Give your name (1–100 characters) before changing assignments.",
            "Hãy nhập tên của bạn (1–100 ký tự) trước khi sửa phân công.",
            field="user",
        )
    conn = db if isinstance(db, sqlite3.Connection) else connect(db)
    started = _now()
    with _transaction(conn):
        cur = conn.execute(
            "INSERT INTO session (user, started_at, client) VALUES (?, ?, ?)",
            (name, started, _text(client)),
        )
        session_id = int(cur.lastrowid)
    return Session(conn, name, session_id, started)


def _conn(db: Session | sqlite3.Connection) -> sqlite3.Connection:
    return db.conn if isinstance(db, Session) else db


def _check_session(session: Session) -> None:
    """Raise :class:`RegisterRestoredError` unless the register still holds ``session`` (the
    same number, name and start); run inside the write's transaction."""
    conn = session.conn
    r = conn.execute(
        "SELECT user, started_at FROM session WHERE session_id = ?", (session.session_id,)
    ).fetchone()
    if (
        r is not None
        and r["user"] == session.user
        and (not session.started_at or r["started_at"] == session.started_at)
    ):
        return
    restored = conn.execute(
        "SELECT started_at FROM session WHERE client = 'restore' ORDER BY session_id DESC LIMIT 1"
    ).fetchone()
    when = _local_time(restored["started_at"]) if restored else ""
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


def verify(db: Session | sqlite3.Connection) -> list[str]:
    """Check the register: SQLite's integrity, and that every assignment has its history.

    Returns
    -------
    list of str
        Problems in English; empty when the register is sound. Checked: ``PRAGMA
        integrity_check`` and ``foreign_key_check``; each assignment's current version is
        recorded in ``history``; no history version is above the assignment's.
    """
    conn = _conn(db)
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [f"foreign key: {tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
    for r in conn.execute(
        "SELECT a.village_id, a.version FROM assignment a LEFT JOIN history h "
        "ON h.village_id = a.village_id AND h.version = a.version WHERE h.change_id IS NULL"
    ):
        problems.append(f"assignment {r[0]} version {r[1]} has no history row")
    for r in conn.execute(
        "SELECT a.village_id, a.version, max(h.version) FROM assignment a JOIN history h "
        "ON h.village_id = a.village_id GROUP BY a.village_id HAVING max(h.version) > a.version"
    ):
        problems.append(f"assignment {r[0]} is at version {r[1]} but history reaches {r[2]}")
    return problems


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _row(conn: sqlite3.Connection, village_id: str) -> dict | None:
    r = conn.execute("SELECT * FROM assignment WHERE village_id = ?", (village_id,)).fetchone()
    return None if r is None else dict(r)


def get(db: Session | sqlite3.Connection, village_id: str) -> dict | None:
    """The current assignment of a village as a dict of :data:`FIELDS`, or None."""
    return _row(_conn(db), str(village_id))


_STATUS_DATE_SQL = (
    "CASE status "
    + " ".join(f"WHEN '{s}' THEN {c}" for s, c in STATUS_DATE_FIELDS.items())
    + " END AS status_date"
)


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("target_year", "source_row", "version"):
        if col in df:
            df[col] = pd.to_numeric(df[col]).astype("Int64")
    for col in ("lon", "lat"):
        if col in df:
            df[col] = pd.to_numeric(df[col]).astype("float64")
    return df


def current(
    db: Session | sqlite3.Connection,
    *,
    province_code: str | None = None,
    district_code: str | None = None,
    commune_code: str | None = None,
    commune_2025_code: str | None = None,
    statuses: tuple[str, ...] | list[str] | None = None,
) -> pd.DataFrame:
    """The current assignments, one row per village.

    Parameters
    ----------
    db
        A connection or session.
    province_code, district_code, commune_code, commune_2025_code
        Keep only this unit's villages (pre-2025 codes, or the 2025 commune).
    statuses
        Keep only these statuses.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`FIELDS` plus ``status_date`` (the date the current status was
        reached, ISO). ``target_year``, ``source_row`` and ``version`` are ``Int64``, ``lon`` and
        ``lat`` float; dates ISO text or None. Sorted by province, district, commune, village.
    """
    where, params = [], []
    for col, value in (
        ("province_code", province_code),
        ("district_code", district_code),
        ("commune_code", commune_code),
        ("commune_2025_code", commune_2025_code),
    ):
        if value is not None:
            where.append(f"{col} = ?")
            params.append(str(value))
    if statuses is not None:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise InputError(
                f"unknown status {bad[0]!r}; expected one of {', '.join(STATUSES)}",
                f"trạng thái {bad[0]!r} không hợp lệ; cần là một trong {', '.join(STATUSES)}",
                field="status",
            )
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params.extend(statuses)
    sql = f"SELECT {', '.join(FIELDS)}, {_STATUS_DATE_SQL} FROM assignment"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY province_code, district_code, commune_code, source IS NULL, source, "
    sql += "source_row, village, village_id"
    rows = _conn(db).execute(sql, params).fetchall()
    df = pd.DataFrame([tuple(r) for r in rows], columns=[*FIELDS, "status_date"])
    return _frame(df)


def history(
    db: Session | sqlite3.Connection,
    village_id: str | None = None,
    *,
    province_code: str | None = None,
) -> pd.DataFrame:
    """The changes to a village's assignment (or to all), oldest first, one row per field.

    Parameters
    ----------
    village_id
        The village; all villages when None.
    province_code
        With ``village_id`` None: only the villages whose current assignment is in this province
        (changes of villages whose creation was undone are then left out).

    Returns
    -------
    pandas.DataFrame
        ``change_id``, ``village_id``, ``version`` (after the change), ``action`` (assign,
        import, edit, status, undo), ``field``, ``old_value``, ``new_value`` (as stored: text,
        numbers or None), ``user``, ``at`` (ISO UTC), ``session_id``, ``undoes`` (the change an
        undo reverted) and ``undone`` (bool: a later undo reverted this change). Fields empty
        on both sides (e.g. the status dates not reached when an assignment is created) are
        left out.
    """
    conn = _conn(db)
    sql = (
        "SELECT h.change_id, h.village_id, h.version, h.action, h.old_value, h.new_value, "
        "h.user, h.at, h.session_id, h.undoes, "
        "EXISTS (SELECT 1 FROM history u WHERE u.undoes = h.change_id) AS undone "
        "FROM history h"
    )
    params: list = []
    if village_id is not None:
        sql += " WHERE h.village_id = ?"
        params.append(str(village_id))
    elif province_code is not None:
        sql += " WHERE h.village_id IN (SELECT village_id FROM assignment WHERE province_code = ?)"
        params.append(str(province_code))
    sql += " ORDER BY h.change_id"
    records = []
    for r in conn.execute(sql, params):
        old = json.loads(r["old_value"]) if r["old_value"] is not None else None
        new = json.loads(r["new_value"]) if r["new_value"] is not None else None
        keys = list(dict.fromkeys([*(new or {}), *(old or {})]))
        for key in keys:
            before = None if old is None else old.get(key)
            after = None if new is None else new.get(key)
            if before is None and after is None:
                continue  # an empty field of a created or removed assignment
            records.append(
                {
                    "change_id": r["change_id"],
                    "village_id": r["village_id"],
                    "version": r["version"],
                    "action": r["action"],
                    "field": key,
                    "old_value": before,
                    "new_value": after,
                    "user": r["user"],
                    "at": r["at"],
                    "session_id": r["session_id"],
                    "undoes": r["undoes"],
                    "undone": bool(r["undone"]),
                }
            )
    columns = [
        "change_id",
        "village_id",
        "version",
        "action",
        "field",
        "old_value",
        "new_value",
        "user",
        "at",
        "session_id",
        "undoes",
        "undone",
    ]
    out = pd.DataFrame.from_records(records, columns=columns)
    for col in ("old_value", "new_value"):  # mixed text, numbers and None, kept as stored
        out[col] = pd.Series([r[col] for r in records], index=out.index, dtype=object)
    out["undoes"] = pd.to_numeric(out["undoes"]).astype("Int64")
    return out


def to_geodataframe(assignments: pd.DataFrame, *, today: dt.date | None = None) -> gpd.GeoDataFrame:
    """Assignments as points (EPSG:4326) at the village's stored location, for the map and the
    GeoJSON export.

    Adds ``status_vi`` and ``status_en`` (the status's label) and ``overdue`` (bool, see
    :func:`is_overdue`). A village located only at its commune carries
    ``location_precision == "commune"``; rows without coordinates get an empty geometry.
    """
    lon = pd.to_numeric(assignments["lon"]).to_numpy(dtype=float)
    lat = pd.to_numeric(assignments["lat"]).to_numpy(dtype=float)
    out = assignments.drop(columns=["lon", "lat"]).copy()
    out["status_vi"] = out["status"].map(lambda s: _label(s, "vi"))
    out["status_en"] = out["status"].map(lambda s: _label(s, "en"))
    out["overdue"] = is_overdue(assignments, today) if len(assignments) else []
    return gpd.GeoDataFrame(out, geometry=shapely.points(lon, lat), crs="EPSG:4326")


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _next_version(conn: sqlite3.Connection, village_id: str) -> int:
    v = conn.execute(
        "SELECT coalesce(max(version), 0) FROM history WHERE village_id = ?", (village_id,)
    ).fetchone()[0]
    return int(v) + 1


def _diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """The fields that differ (metadata left out), as (old, new); None for a missing row."""
    keys = [f for f in FIELDS if f not in _FIELDS_META]
    if before is None:
        return None, {k: after[k] for k in keys} if after is not None else None
    if after is None:
        return {k: before[k] for k in keys}, None
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def _append_history(conn: sqlite3.Connection, entries: list[tuple]) -> None:
    """Append history rows: (village_id, version, action, old, new, user, session_id, at,
    undoes) with old/new as dicts or None."""
    conn.executemany(
        "INSERT INTO history (village_id, version, action, old_value, new_value, user, "
        "session_id, at, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e[0],
                e[1],
                e[2],
                None if e[3] is None else json.dumps(e[3], ensure_ascii=False),
                None if e[4] is None else json.dumps(e[4], ensure_ascii=False),
                *e[5:],
            )
            for e in entries
        ],
    )


_INSERT_SQL = (
    f"INSERT INTO assignment ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})"
)


def _stale(conn: sqlite3.Connection, village_id: str, expected: int, row: dict | None):
    """The :class:`StaleWriteError` of a write based on version ``expected``: who changed the
    village and when (Vietnam time), and its assignment now."""
    last = conn.execute(
        "SELECT user, at, old_value FROM history WHERE village_id = ? ORDER BY change_id DESC "
        "LIMIT 1",
        (village_id,),
    ).fetchone()
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
    undoes: Callable[[], int | None] | None = None,
) -> dict | None:
    """The one write path: check the version, compute the new row, write it and its history,
    all in one transaction."""
    if expected_version is None or int(expected_version) < 0:
        raise InputError(
            "expected_version must be the version you read (0 for a village with no assignment)",
            "expected_version phải là phiên bản bạn đã đọc (0 nếu thôn/bản chưa có phân công)",
            field="version",
        )
    expected = int(expected_version)
    conn = session.conn
    with _transaction(conn):
        _check_session(session)
        before = _row(conn, village_id)
        version_now = 0 if before is None else int(before["version"])
        if version_now != expected:
            raise _stale(conn, village_id, expected, before)
        after = change(None if before is None else dict(before))
        undone = undoes() if undoes is not None else None
        version = _next_version(conn, village_id)
        at = _now()
        if after is not None:
            after.update(version=version, updated_by=session.user, updated_at=at)
        if after is None:
            conn.execute("DELETE FROM assignment WHERE village_id = ?", (village_id,))
        elif before is None:
            conn.execute(_INSERT_SQL, [after[f] for f in FIELDS])
        else:
            sets = ", ".join(f"{f} = ?" for f in FIELDS if f != "village_id")
            cur = conn.execute(
                f"UPDATE assignment SET {sets} WHERE village_id = ? AND version = ?",
                [*(after[f] for f in FIELDS if f != "village_id"), village_id, expected],
            )
            if cur.rowcount != 1:  # pragma: no cover - guarded by the lock and the check above
                raise _stale(conn, village_id, expected, _row(conn, village_id))
        old, new = _diff(before, after)
        _append_history(
            conn,
            [(village_id, version, action, old, new, session.user, session.session_id, at, undone)],
        )
    return after


def _village_fields(village: Mapping, problems: ProblemList, row: int | None = None) -> dict:
    """The village part of a record, checked."""

    def bad(field: str, en: str, vi: str, value=None) -> None:
        problems.add(en, vi, row=row, field=field, value=value)

    out: dict[str, Any] = {}
    vid = _text(village.get("village_id"))
    if not vid:
        bad("village_id", "village_id is empty", "village_id bị trống")
    out["village_id"] = vid
    name = _text(village.get("village"))
    if not name:
        bad("village", "the village name is empty", "tên thôn/bản bị trống")
    out["village"] = name
    commune_code = _text(village.get("commune_code"))
    if not (len(commune_code) == 5 and commune_code.isdigit()):
        bad(
            "commune_code",
            f"commune code {commune_code!r} is not 5 digits",
            f"mã xã {commune_code!r} không đủ 5 chữ số",
            commune_code,
        )
    out["commune_code"] = commune_code
    province_code = _text(village.get("province_code"))
    if not (len(province_code) == 2 and province_code.isdigit()):
        bad(
            "province_code",
            f"province code {province_code!r} is not 2 digits",
            f"mã tỉnh {province_code!r} không đủ 2 chữ số",
            province_code,
        )
    out["province_code"] = province_code
    out["district_code"] = _opt_text(village.get("district_code"))
    out["commune_2025_code"] = _opt_text(village.get("commune_2025_code"))
    for key in ("commune", "district", "province", "location_precision"):
        out[key] = _opt_text(village.get(key))
    lon, lat = village.get("lon"), village.get("lat")
    geom = village.get("geometry")
    if (_missing(lon) or _missing(lat)) and geom is not None and not _missing(geom):
        if getattr(geom, "is_empty", True):
            lon = lat = None
        else:
            lon, lat = geom.x, geom.y
    out["lon"] = None if _missing(lon) else float(lon)
    out["lat"] = None if _missing(lat) else float(lat)
    return out


def _terms(
    values: Mapping,
    problems: ProblemList,
    row: int | None = None,
    *,
    partial: bool = False,
) -> dict:
    """Operator, target year and where it comes from, decision, its date and note, checked (only
    given keys if ``partial``)."""

    def bad(field: str, en: str, vi: str, value=None) -> None:
        problems.add(en, vi, row=row, field=field, value=value)

    out: dict[str, Any] = {}
    if not partial or "operator" in values:
        raw = values.get("operator")
        op = canonical_operator(_text(raw)) if not _missing(raw) else None
        if op is None:
            bad(
                "operator",
                f"operator {raw!r} is not one of {', '.join(OPERATORS)}",
                f"doanh nghiệp {raw!r} không thuộc {', '.join(OPERATORS)}",
                raw,
            )
        out["operator"] = op
    if not partial or "target_year" in values:
        raw = values.get("target_year")
        year = None
        if not _missing(raw) and _text(raw) != "":
            try:
                year = int(float(raw))
                if not (2000 <= year <= 2100) or float(raw) != year:
                    raise ValueError
            except (TypeError, ValueError):
                bad(
                    "target_year",
                    f"target year {raw!r} is not a year between 2000 and 2100",
                    f"năm mục tiêu {raw!r} không phải năm từ 2000 đến 2100",
                    raw,
                )
                year = None
        out["target_year"] = year
    if not partial or "target_year_source" in values:
        out["target_year_source"] = _text(values.get("target_year_source"))
    if not partial or "decision" in values:
        out["decision"] = _text(values.get("decision"))
    if not partial or "decision_date" in values:
        raw = values.get("decision_date")
        try:
            d = _parse_date(raw)
        except ValueError:
            bad(
                "decision_date",
                f"decision date {raw!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)",
                f"ngày văn bản {raw!r} không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
                raw,
            )
            d = None
        out["decision_date"] = None if d is None else d.isoformat()
    if not partial or "note" in values:
        out["note"] = _text(values.get("note"))
    for key in ("proposed_operator", "proposal_reason"):
        if not partial or key in values:
            raw = values.get(key)
            if key == "proposed_operator" and not _missing(raw) and _text(raw):
                op = canonical_operator(_text(raw))
                if op is None:
                    bad(key, f"unknown operator {raw!r}", f"doanh nghiệp {raw!r} không rõ", raw)
                out[key] = op
            else:
                out[key] = _opt_text(raw)
    return out


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

    out = _write(session, vfields["village_id"], expected_version, "assign", change)
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

    out = _write(session, str(village_id), expected_version, "edit", change)
    assert out is not None
    return out


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

    out = _write(session, str(village_id), expected_version, "status", change)
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
        r = conn.execute(
            "SELECT change_id, old_value, new_value, user, at FROM history h "
            "WHERE village_id = ? AND action != 'undo' AND NOT EXISTS "
            "(SELECT 1 FROM history u WHERE u.undoes = h.change_id) "
            "ORDER BY change_id DESC LIMIT 1",
            (village_id,),
        ).fetchone()
        if r is None:
            raise NothingToUndoError(
                f"village {village_id} has no change left to undo",
                f"thôn/bản {village_id} không còn thay đổi nào để hoàn tác",
                field="village_id",
            )
        return dict(r)

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
        undoes=lambda: target["change_id"],
    )


# ---------------------------------------------------------------------------------------------
# Many at once: lists, imports, benchmarks
# ---------------------------------------------------------------------------------------------


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
        The planner's session.
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

    conn = session.conn
    ids = json.dumps([r["village_id"] for r in records])
    with _transaction(conn):
        _check_session(session)
        existing = {
            r["village_id"]: dict(r)
            for r in conn.execute(
                "SELECT * FROM assignment WHERE village_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
        }
        versions = dict(
            conn.execute(
                "SELECT village_id, max(version) FROM history WHERE village_id IN "
                "(SELECT value FROM json_each(?)) GROUP BY village_id",
                (ids,),
            ).fetchall()
        )
        at = _now()
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
            new_rows.append([r[f] for f in FIELDS])
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
        conn.executemany(_INSERT_SQL, new_rows)
        _append_history(conn, entries)
    columns = ["village_id", "village", "operator", "current_operator", "current_status", "version"]
    return ImportReport(
        added=len(new_rows),
        unchanged=pd.DataFrame(unchanged, columns=columns),
        conflicts=pd.DataFrame(conflicts, columns=columns),
        village_ids=[r[0] for r in new_rows],
    )


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


# ---------------------------------------------------------------------------------------------
# The register and the coverage data
# ---------------------------------------------------------------------------------------------


def served_status(model_status: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Whether each village counts as served, from the register and the coverage data.

    A village counts as served when its assignment is ``verified`` or when the coverage data
    (the model's ``mobile_broadband``) says so. Where the two disagree the row carries a code
    of :data:`DISAGREEMENTS` for the planner to look at.

    Parameters
    ----------
    model_status
        The model's ``status`` frame: ``village_id``, ``mobile_broadband`` and one bool column
        per operator (``Viettel`` … ``Gmobile``).
    assignments
        :func:`current` (``village_id``, ``operator``, ``status``).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``model_status.index``: ``assignment_status`` (a status or "" when the
        village has no assignment), ``assigned_operator`` ("" when none), ``served`` (bool),
        ``disagreement`` ("" or a code of :data:`DISAGREEMENTS`).
    """
    a = assignments.drop_duplicates("village_id").set_index("village_id")
    vid = model_status["village_id"]

    def looked_up(col: str) -> pd.Series:
        # As objects before filling: with an empty register every lookup misses and map()
        # returns float NaN, which "" must not be written into.
        return vid.map(a[col]).astype(object).where(lambda x: x.notna(), "").astype(str)

    status = looked_up("status")
    operator = looked_up("operator")
    covered = model_status["mobile_broadband"].fillna(False).astype(bool).to_numpy()
    ops = [op for op in OPERATORS if op in model_status.columns]
    matrix = model_status[ops].fillna(False).astype(bool).to_numpy()
    col = pd.Index(ops).get_indexer(operator.to_numpy())
    by_assigned = np.zeros(len(model_status), dtype=bool)
    has = col >= 0
    by_assigned[has] = matrix[np.flatnonzero(has), col[has]]
    verified = (status == "verified").to_numpy()
    open_ = status.isin(["assigned", "under_construction", "on_air"]).to_numpy()
    code = np.full(len(model_status), "", dtype=object)
    code[verified & ~covered] = "verified_not_covered"
    code[verified & covered & ~by_assigned & has] = "verified_operator_not_covering"
    code[open_ & covered] = "covered_not_verified"
    code[(status == "on_air").to_numpy() & ~covered] = "on_air_not_covered"
    return pd.DataFrame(
        {
            "assignment_status": status.to_numpy(),
            "assigned_operator": operator.to_numpy(),
            "served": verified | covered,
            "disagreement": code,
        },
        index=model_status.index,
    )


def disagreements(
    model_status: pd.DataFrame, assignments: pd.DataFrame, lang: str = "vi"
) -> pd.DataFrame:
    """The villages where the register and the coverage data disagree, for the planner.

    Returns
    -------
    pandas.DataFrame
        ``village_id``, ``village``, ``commune``, ``district``, ``assigned_operator``,
        ``assignment_status``, ``mobile_broadband``, ``disagreement`` (code) and ``why`` (its
        description in ``lang``); also assignments whose village is not in the model's
        villages (code ``not_in_register``: a register replaced without linking ids).
    """
    s = served_status(model_status, assignments)
    rows = model_status.loc[s["disagreement"] != ""]
    out = pd.DataFrame(
        {
            "village_id": rows["village_id"],
            "village": rows["village"],
            "commune": rows.get("commune"),
            "district": rows.get("district"),
            "assigned_operator": s.loc[rows.index, "assigned_operator"],
            "assignment_status": s.loc[rows.index, "assignment_status"],
            "mobile_broadband": rows["mobile_broadband"].astype(bool),
            "disagreement": s.loc[rows.index, "disagreement"],
        }
    )
    missing = assignments[~assignments["village_id"].isin(model_status["village_id"])]
    orphans = pd.DataFrame(
        {
            "village_id": missing["village_id"],
            "village": missing["village"],
            "commune": missing["commune"],
            "district": missing["district"],
            "assigned_operator": missing["operator"],
            "assignment_status": missing["status"],
            "mobile_broadband": pd.NA,
            "disagreement": "not_in_register",
        }
    )
    texts = {
        **{k: v[lang] for k, v in DISAGREEMENTS.items()},
        "not_in_register": "Thôn/bản không có trong danh sách thôn/bản hiện tại"
        if lang == "vi"
        else "The village is not in the current village register",
    }
    parts = [d for d in (out, orphans) if len(d)]
    both = pd.concat(parts, ignore_index=True) if parts else out.reset_index(drop=True)
    both["why"] = both["disagreement"].map(texts)
    return both


# ---------------------------------------------------------------------------------------------
# Proposal
# ---------------------------------------------------------------------------------------------


def _km(values: np.ndarray, decimal: str) -> np.ndarray:
    if values.size == 0:  # numpy's char.replace fails on empty arrays
        return np.array([], dtype=str)
    text = np.char.mod("%.1f", np.round(values / 1000.0, 1))
    return np.char.replace(text, ".", decimal) if decimal != "." else text


def propose(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None = None,
    *,
    technologies: tuple[str, ...] = MOBILE_BROADBAND,
    tie_m: float = 30.0,
) -> pd.DataFrame:
    """Propose an operator for each village: the one whose nearest 3G/4G/5G site is closest.

    Operators whose nearest sites are within ``tie_m`` of the closest (by default the distance
    within which records form one physical site, :func:`geo.sites.physical_sites`: the same
    mast) are tied; the tie goes to the operator with more sites of ``technologies`` in the
    village's commune, then to the nearer, then to the first in :data:`OPERATORS`. Distances
    come from one shapely :class:`~shapely.STRtree` ``query_nearest`` per operator over all the
    villages, in the UTM zone of :func:`geo.sites.metric_crs`.

    Parameters
    ----------
    villages
        Points (EPSG:4326) with ``commune_code``.
    sites
        Sites with ``operator`` and ``technology`` (EPSG:4326) and, if known, ``commune_code``.
    communes
        Commune polygons with ``commune_code``, to count each operator's sites per commune;
        needed when ``sites`` has no ``commune_code``.
    technologies
        The technologies that count (mobile broadband).
    tie_m
        Metres within which two operators' nearest sites are a tie.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``villages.index``: ``proposed_operator`` (None when no operator has a site),
        ``distance_m`` (to its nearest site), ``sites_in_commune`` (its sites in the village's
        commune), ``tie`` (bool), ``reason_vi`` ("Viettel: trạm gần nhất 5,2 km"),
        ``reason_en`` ("Viettel: nearest site 5.2 km"), and ``distance_m_<operator>`` for every
        operator (inf when it has no site).
    """
    n = len(villages)
    if communes is None and "commune_code" not in sites.columns:
        raise InputError(
            "give the communes (or sites with commune_code) to break ties by sites per commune",
            "cần lớp xã (hoặc trạm có commune_code) để so số trạm trong xã khi bằng nhau",
            field="communes",
        )
    chosen = sites[sites["technology"].isin(technologies).to_numpy()]
    chosen = chosen[~(chosen.geometry.isna() | chosen.geometry.is_empty).to_numpy()]
    crs = metric_crs(villages, chosen)
    vgeom = _to_metric(villages, crs)
    valid = ~(shapely.is_missing(vgeom) | shapely.is_empty(vgeom))
    ops = list(OPERATORS)
    dist = np.full((n, len(ops)), np.inf)
    if valid.any():
        vidx = np.flatnonzero(valid)
        for j, op in enumerate(ops):
            s = chosen[(chosen["operator"] == op).to_numpy()]
            if s.empty:
                continue
            tree = shapely.STRtree(_to_metric(s, crs))
            (qi, _), d = tree.query_nearest(vgeom[vidx], return_distance=True, all_matches=False)
            dist[vidx[qi], j] = d

    # Sites of each operator in each commune.
    if "commune_code" in chosen.columns:
        site_commune = chosen["commune_code"]
    else:
        polys = communes.dropna(subset=["commune_code"])[["commune_code", communes.geometry.name]]
        joined = gpd.sjoin(chosen[["operator", chosen.geometry.name]], polys, predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        site_commune = joined["commune_code"].reindex(chosen.index)
    per = pd.crosstab(site_commune, chosen["operator"]).reindex(columns=ops, fill_value=0)
    vcommune = villages["commune_code"].astype(str).to_numpy()
    counts = per.reindex(vcommune).fillna(0).to_numpy(dtype=int)

    best = dist.min(axis=1)
    has_site = np.isfinite(best)
    tied = np.isfinite(dist) & (dist <= best[:, None] + tie_m)
    tie = tied.sum(axis=1) > 1
    most = np.where(tied, counts, -1).max(axis=1)
    candidates = tied & (counts == most[:, None])
    pick = np.argmin(np.where(candidates, dist, np.inf), axis=1)
    rows = np.arange(n)
    op_names = np.array(ops, dtype=object)
    proposed = np.where(has_site, op_names[pick], None)
    d_pick = dist[rows, pick]
    c_pick = counts[rows, pick]

    d_safe = np.where(has_site, d_pick, 0.0)
    op_str = np.where(has_site, op_names[pick], "").astype(str)
    reason_vi = np.char.add(np.char.add(op_str, ": trạm gần nhất "), _km(d_safe, ","))
    reason_vi = np.char.add(reason_vi, " km")
    reason_en = np.char.add(np.char.add(op_str, ": nearest site "), _km(d_safe, "."))
    reason_en = np.char.add(reason_en, " km")
    if tie.any():
        others = np.full(n, "", dtype=object)
        other_max = np.where(tied & (np.arange(len(ops))[None, :] != pick[:, None]), counts, -1)
        other_max = other_max.max(axis=1)
        for j, op in enumerate(ops):
            mark = tied[:, j] & (pick != j)
            others = np.where(mark & (others != ""), others + ", " + op, others)
            others = np.where(mark & (others == ""), op, others)
        others = others.astype(str)
        more = c_pick > other_max
        c_txt = c_pick.astype(str)
        o_txt = other_max.astype(str)
        tail_vi = np.where(
            more,
            np.char.add(
                np.char.add(np.char.add("; ngang ", others), ", nhiều trạm hơn trong xã: "),
                np.char.add(np.char.add(c_txt, " so với "), o_txt),
            ),
            np.char.add(
                np.char.add("; ngang ", others),
                np.char.add(np.char.add(", cùng số trạm trong xã (", c_txt), ")"),
            ),
        )
        tail_en = np.where(
            more,
            np.char.add(
                np.char.add(np.char.add("; tied with ", others), ", more sites in the commune: "),
                np.char.add(np.char.add(c_txt, " vs "), o_txt),
            ),
            np.char.add(
                np.char.add("; tied with ", others),
                np.char.add(np.char.add(", same number of sites in the commune (", c_txt), ")"),
            ),
        )
        reason_vi = np.where(tie, np.char.add(reason_vi, tail_vi), reason_vi)
        reason_en = np.where(tie, np.char.add(reason_en, tail_en), reason_en)
    tech = "/".join(technologies)
    reason_vi = np.where(has_site, reason_vi, f"Không doanh nghiệp nào có trạm {tech}").astype(
        object
    )
    reason_en = np.where(has_site, reason_en, f"No operator has a {tech} site").astype(object)
    out = pd.DataFrame(
        {
            "proposed_operator": proposed,
            "distance_m": np.where(has_site, d_pick, np.nan),
            "sites_in_commune": np.where(has_site, c_pick, 0),
            "tie": tie & has_site,
            "reason_vi": reason_vi,
            "reason_en": reason_en,
        },
        index=villages.index,
    )
    for j, op in enumerate(ops):
        out[f"distance_m_{op}"] = dist[:, j]
    return out


def propose_for_model(model, *, unserved_only: bool = True) -> pd.DataFrame:
    """:func:`propose` for a model's villages (those without mobile broadband by default).

    Returns the proposal columns joined to ``village_id``, ``village``, ``commune_code``,
    ``commune``, ``district`` of the model's ``status``.
    """
    status = model.status
    if unserved_only:
        status = status[~status["mobile_broadband"].astype(bool)]
    prop = propose(status, model.sites, model.communes)
    keep = ["village_id", "village", "commune_code", "commune", "district"]
    return status[keep].join(prop)


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _status_counts(a: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if a.empty:
        return pd.DataFrame(columns=[*keys, *STATUSES])
    counts = (
        a.groupby([*keys, "status"], dropna=False, sort=False)
        .size()
        .unstack("status", fill_value=0)
        .reindex(columns=list(STATUSES), fill_value=0)
    )
    counts.columns.name = None
    return counts.reset_index()


def by_operator(
    assignments: pd.DataFrame, operator: str | None = None, *, owed_only: bool = False
) -> pd.DataFrame:
    """What each operator owes, by district and target year.

    Parameters
    ----------
    assignments
        :func:`current`.
    operator
        Only this operator (any spelling).
    owed_only
        Keep only the groups where something is still owed.

    Returns
    -------
    pandas.DataFrame
        ``operator``, ``district_code``, ``district``, ``target_year`` (Int64, <NA> when
        unknown), one count column per status, ``owed`` (assigned + under construction: not on
        air yet) and ``total``; operators in :data:`OPERATORS` order, then district, then year.
    """
    a = assignments
    if operator is not None:
        op = canonical_operator(operator)
        if op is None:
            raise InputError(
                f"unknown operator {operator!r}",
                f"doanh nghiệp {operator!r} không rõ",
                field="operator",
            )
        a = a[a["operator"] == op]
    keys = ["operator", "district_code", "district", "target_year"]
    out = _status_counts(a, keys)
    out["owed"] = out[list(OWED_STATUSES)].sum(axis=1).astype(int)
    out["total"] = out[list(STATUSES)].sum(axis=1).astype(int)
    if owed_only:
        out = out[out["owed"] > 0]
    if len(out):
        out["target_year"] = pd.to_numeric(out["target_year"]).astype("Int64")
        order = {op: i for i, op in enumerate(OPERATORS)}
        out = out.assign(_o=out["operator"].map(order)).sort_values(
            ["_o", "district_code", "target_year"], na_position="last"
        )
        out = out.drop(columns="_o")
    return out.reset_index(drop=True)


def is_overdue(a: pd.DataFrame, today: dt.date | None = None) -> np.ndarray:
    """Whether each assignment is overdue: its target year has passed (it is before today's
    year) and it is still ``assigned`` or ``under_construction``."""
    today = today or _today()
    year = pd.to_numeric(a["target_year"]).to_numpy(dtype=float)
    return (np.nan_to_num(year, nan=np.inf) < today.year) & a["status"].isin(
        OWED_STATUSES
    ).to_numpy()


def overdue(assignments: pd.DataFrame, *, today: dt.date | None = None) -> pd.DataFrame:
    """The assignments whose target year has passed and that are not on air.

    An assignment with target year Y is overdue from 1 January of Y + 1 while it is
    ``assigned`` or ``under_construction``.

    Returns
    -------
    pandas.DataFrame
        The rows of ``assignments`` that are overdue, with ``years_late`` (today's year minus
        the target year), most late first, then by district, commune, village.
    """
    today = today or _today()
    out = assignments.loc[is_overdue(assignments, today)].copy()
    out["years_late"] = (today.year - pd.to_numeric(out["target_year"])).astype("Int64")
    return out.sort_values(
        ["years_late", "district_code", "commune_code", "village"],
        ascending=[False, True, True, True],
    ).reset_index(drop=True)


def by_district(assignments: pd.DataFrame, *, today: dt.date | None = None) -> pd.DataFrame:
    """Assignments per district: counts by status, owed, overdue, and owed per operator.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``district``, one count per status, ``owed``, ``overdue``,
        ``total`` and ``owed_<operator>`` for each operator of :data:`OPERATORS`.
    """
    today = today or _today()
    keys = ["district_code", "district"]
    out = _status_counts(assignments, keys)
    out["owed"] = out[list(OWED_STATUSES)].sum(axis=1).astype(int)
    late = assignments.loc[is_overdue(assignments, today)]
    n_late = late.groupby("district_code", dropna=False).size()
    out["overdue"] = out["district_code"].map(n_late).fillna(0).astype(int)
    out["total"] = out[list(STATUSES)].sum(axis=1).astype(int)
    owed = assignments[assignments["status"].isin(OWED_STATUSES)]
    per_op = pd.crosstab(owed["district_code"], owed["operator"]) if len(owed) else None
    for op in OPERATORS:
        col = per_op[op] if per_op is not None and op in per_op else pd.Series(dtype=int)
        out[f"owed_{op}"] = out["district_code"].map(col).fillna(0).astype(int)
    return out.sort_values("district_code").reset_index(drop=True)


def progress(
    assignments: pd.DataFrame,
    plan_id: str | None = None,
    *,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Progress by year against the plan's targets: the data of the progress chart.

    Cumulative counts at the end of each year of the assignments not cancelled: ``due`` (target
    year reached), ``on_air`` (on air by then, verified ones included) and ``verified``; with
    their shares of ``total``. The plans set no yearly target per assigned village, only the
    yearly share of all villages with 3G/4G/5G (Phụ lục 1, row 3 of 4638/KH-UBND); it is given
    beside them as ``plan_target_share`` (fraction), for comparison, not as the same measure.

    Parameters
    ----------
    assignments
        :func:`current`.
    plan_id
        The plan whose ``villages_mobile_share`` targets to add (``"dienbien_4638"``).
    today
        Years run to today's year at least.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``total``, ``due``, ``on_air``, ``verified``, ``due_share``,
        ``on_air_share``, ``verified_share``, ``plan_target_share``, ``plan_actual_share``
        (the plan's current-state figure, e.g. 2020), one row per year from the earliest
        assignment (or plan figure) to the latest target year, plan year or today.
    """
    today = today or _today()
    a = assignments[assignments["status"] != "cancelled"]

    def years_of(col: str) -> np.ndarray:
        s = pd.to_datetime(a[col], errors="coerce")
        return s.dt.year.to_numpy(dtype=float)

    targets = pd.DataFrame(columns=["year", "kind", "value"])
    if plan_id is not None:
        from geo import plans

        t = plans.load_targets()
        m = plans.load_indicator_map()
        t = t.merge(m, on=["plan_id", "source_row", "indicator"], how="inner")
        targets = t[(t["plan_id"] == plan_id) & (t["tool_indicator"] == "villages_mobile_share")][
            ["year", "kind", "value"]
        ]
    target_year = pd.to_numeric(a["target_year"]).to_numpy(dtype=float)
    assigned = years_of("assigned_on")
    on_air = years_of("on_air_on")
    verified = years_of("verified_on")
    candidates = [today.year, *targets["year"].astype(int).tolist()]
    for arr in (target_year, assigned, on_air, verified):
        finite = arr[np.isfinite(arr)]
        if finite.size:
            candidates += [int(finite.min()), int(finite.max())]
    years = np.arange(min(candidates), max(candidates) + 1)
    total = len(a)

    def cumulative(arr: np.ndarray) -> np.ndarray:
        return (arr[None, :] <= years[:, None]).sum(axis=1) if arr.size else np.zeros_like(years)

    due = cumulative(np.nan_to_num(target_year, nan=np.inf))
    air = cumulative(np.nan_to_num(on_air, nan=np.inf))
    ver = cumulative(np.nan_to_num(verified, nan=np.inf))

    def share(x: np.ndarray) -> np.ndarray:
        return x / total if total else np.full(len(years), np.nan)

    tgt = targets[targets["kind"] == "target"].groupby("year")["value"].max() / 100.0
    act = targets[targets["kind"] == "actual"].groupby("year")["value"].max() / 100.0
    return pd.DataFrame(
        {
            "year": years.astype(int),
            "total": total,
            "due": due.astype(int),
            "on_air": air.astype(int),
            "verified": ver.astype(int),
            "due_share": share(due),
            "on_air_share": share(air),
            "verified_share": share(ver),
            "plan_target_share": pd.Series(years).map(tgt).to_numpy(dtype=float),
            "plan_actual_share": pd.Series(years).map(act).to_numpy(dtype=float),
        }
    )


# ---------------------------------------------------------------------------------------------
# Backup and restore
# ---------------------------------------------------------------------------------------------


def backup(db: str | Path | sqlite3.Connection | Session, dest: str | Path) -> Path:
    """Copy the register to ``dest`` with SQLite's online backup API (a consistent snapshot,
    safe while others write).

    The copy is one self-contained file (rollback journal, no ``-wal`` beside it), written to a
    temporary file in ``dest``'s folder and renamed over ``dest`` once complete.

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    own = not isinstance(db, sqlite3.Connection | Session)
    if own and not Path(db).is_file():  # type: ignore[arg-type]
        raise DatabaseFileError(
            f"The register {db} does not exist.", f"Không có sổ phân công {db}.", file=str(db)
        )
    src = connect(db) if own else _conn(db)  # type: ignore[arg-type]
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", suffix=".sqlite", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        out = sqlite3.connect(tmp, isolation_level=None)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
        if own:
            src.close()
    return dest


def _sessions(path: Path) -> list[tuple]:
    """The session rows of a register, read without writing to it."""
    ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        return ro.execute(
            "SELECT session_id, user, started_at, client FROM session ORDER BY session_id"
        ).fetchall()
    except sqlite3.Error:  # pragma: no cover - checked by _inspect before
        return []
    finally:
        ro.close()


def _keep_sessions(conn: sqlite3.Connection, sessions: list[tuple], user: str) -> None:
    """Put back into a restored register the sessions of the register it replaces (so that
    planners with a session open keep working), and record the restore itself as a session
    (``client = 'restore'``: who restored, and when)."""
    with _transaction(conn):
        held = {
            r[0]: (r[1], r[2])
            for r in conn.execute("SELECT session_id, user, started_at FROM session")
        }
        missing = [s for s in sessions if s[0] not in held]
        conn.executemany(
            "INSERT INTO session (session_id, user, started_at, client) VALUES (?, ?, ?, ?)",
            missing,
        )
        conn.execute(
            "INSERT INTO session (user, started_at, client) VALUES (?, ?, 'restore')",
            (_text(user) or "restore", _now()),
        )


def restore(src: str | Path | bytes, db: str | Path, *, user: str = "") -> Path | None:
    """Replace the register ``db`` by the backup ``src`` (a path, or the bytes of a file).

    ``src`` is checked first like any register (:class:`DatabaseFileError` when damaged,
    foreign or newer); ``db`` must be a register too (or not exist): a foreign or damaged file
    is never overwritten. The current register is first copied beside it
    (``<name>.before-restore-<UTC time>.sqlite``). The backup is copied to a temporary file,
    migrated if it is of an older schema, and given back the sessions of the current register
    it lacks (planners working meanwhile keep their session: their next write is checked
    against the restored assignments like any other) and a session row recording the restore
    (``client = 'restore'``, ``user``, the time). Then its pages are copied into ``db`` with
    SQLite's backup API, in one step.

    A session the backup holds under the same number as another (a backup of another register)
    cannot be kept: its next write raises :class:`RegisterRestoredError`, never a raw SQLite
    error.

    Parameters
    ----------
    user
        Who restores (recorded with the restore).

    Returns
    -------
    pathlib.Path or None
        The safety copy of the register as it was before (None when ``db`` did not exist).
    """
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp_src: Path | None = None
    if isinstance(src, bytes | bytearray):
        fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite", dir=db.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(src)
        tmp_src = Path(name)
        src_path = tmp_src
    else:
        src_path = Path(src)
    fd, staged_name = tempfile.mkstemp(prefix=".restoring-", suffix=".sqlite", dir=db.parent)
    os.close(fd)
    staged = Path(staged_name)
    try:
        if not src_path.is_file():
            raise DatabaseFileError(
                f"The backup {src_path} does not exist.",
                f"Không có tệp sao lưu {src_path}.",
                file=str(src_path),
            )
        kind, _ = _inspect(src_path)
        if kind != "ours":
            raise _file_error(
                src_path,
                "The backup is empty: it holds no assignment register.",
                "Tệp sao lưu rỗng: không chứa sổ phân công.",
            )
        safety = None
        sessions: list[tuple] = []
        if db.exists() and _inspect(db)[0] == "ours":
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            safety = db.with_name(f"{db.stem}.before-restore-{stamp}{db.suffix or '.sqlite'}")
            backup(db, safety)
            sessions = _sessions(db)
        # Stage the backup: migrated, with the sessions kept, before it replaces the register.
        source = sqlite3.connect(f"{src_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            out = sqlite3.connect(staged, isolation_level=None)
            try:
                source.backup(out)
            finally:
                out.close()
        finally:
            source.close()
        stage = connect(staged)
        try:
            _keep_sessions(stage, sessions, user)
            stage.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            target = connect(db)
            try:
                stage.backup(target)
                target.execute("PRAGMA journal_mode = WAL")
            finally:
                target.close()
        finally:
            stage.close()
        return safety
    finally:
        for path in (tmp_src, staged):
            if path is not None:
                path.unlink(missing_ok=True)
                for suffix in ("-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)


def backup_bytes(db: str | Path | sqlite3.Connection | Session) -> bytes:
    """The bytes of a :func:`backup` of the register (for a download button)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = backup(db, Path(tmp) / "assignments.sqlite")
        return path.read_bytes()
