"""The assignment register's store: its SQLite file, schema, migrations and every SQL statement.

The register (sổ phân công) is one SQLite file (stdlib :mod:`sqlite3`; WAL journal,
``synchronous=FULL``, a busy timeout; see :mod:`geo.store.sqlite`), found by
:func:`default_path` unless a path is given. Its schema has a version (``PRAGMA user_version``)
and migrations (:data:`MIGRATIONS`); its ``application_id`` marks it as this tool's file, so that
a damaged, foreign, newer or read-only file is refused by name (:class:`DatabaseFileError`,
:class:`DatabaseReadOnlyError`) and never written to.

The rules (who may change what, and how) are in :mod:`geo.assignments`, which calls these
functions inside :func:`transaction`. A backup is trusted only once verified
(:func:`verify_backup`): this project's file, a known schema version, exactly the tables,
indexes and triggers this code creates, the history's append-only triggers intact, and
``PRAGMA integrity_check`` passing.

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
import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import auth
from geo.errors import Problem
from geo.operators import OPERATORS
from geo.store import sqlite as base
from geo.store.sqlite import (
    DatabaseBusyError,
    DatabaseFileError,
    DatabaseReadOnlyError,
    FileState,
)

__all__ = [
    "APPLICATION_ID",
    "Connection",
    "BUSY_TIMEOUT_S",
    "DB_ENV",
    "FIELDS",
    "MIGRATIONS",
    "PROTECTED_TRIGGERS",
    "SCHEMA_VERSION",
    "STATUSES",
    "STATUS_DATE_FIELDS",
    "DatabaseBusyError",
    "DatabaseFileError",
    "DatabaseReadOnlyError",
    "Session",
    "backup",
    "backup_bytes",
    "connect",
    "default_path",
    "inspect",
    "is_connection",
    "restore",
    "transaction",
    "verify",
    "verify_backup",
]

Connection = sqlite3.Connection
"""A connection to the register (what :func:`connect` gives), for type hints outside
:mod:`geo.store`, which never import ``sqlite3``."""


def is_connection(db: object) -> bool:
    """True when ``db`` is an open register connection (not a path or a session)."""
    return isinstance(db, sqlite3.Connection)


WHAT_EN = "the assignment register"
WHAT_VI = "sổ phân công"

STATUSES: tuple[str, ...] = ("assigned", "under_construction", "on_air", "verified", "cancelled")
"""The statuses of an assignment, in the order it moves through them."""

STATUS_DATE_FIELDS: dict[str, str] = {
    "assigned": "assigned_on",
    "under_construction": "construction_on",
    "on_air": "on_air_on",
    "verified": "verified_on",
    "cancelled": "cancelled_on",
}
"""The column holding the date each status was reached."""

SCHEMA_VERSION = 2
"""The schema version this code writes (``PRAGMA user_version``)."""

APPLICATION_ID = 0x564E4153  # "VNAS": Viet Nam ASsignments
"""``PRAGMA application_id`` of the register's files; any other non-zero id is a foreign file."""

DB_ENV = "COVERAGE_ASSIGNMENTS_DB"
"""Environment variable naming the register's file (see :func:`default_path`)."""

BUSY_TIMEOUT_S = 5.0
"""How long a writer waits for another writer's lock before :class:`DatabaseBusyError`."""

FIELDS_VILLAGE = (
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
FIELDS_TERMS = (
    "operator",
    "target_year",
    "target_year_source",
    "decision",
    "decision_date",
    "note",
)
FIELDS_STATUS = (
    "status",
    "assigned_on",
    "construction_on",
    "on_air_on",
    "verified_on",
    "cancelled_on",
)
FIELDS_OTHER = ("proposed_operator", "proposal_reason", "source", "source_row")
FIELDS_META = ("version", "updated_by", "updated_at")
FIELDS: tuple[str, ...] = (
    *FIELDS_VILLAGE,
    *FIELDS_TERMS,
    *FIELDS_STATUS,
    *FIELDS_OTHER,
    *FIELDS_META,
)
"""The columns of the ``assignment`` table, in order."""

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

PROTECTED_TRIGGERS: tuple[str, ...] = ("history_no_update", "history_no_delete")
"""The triggers that make ``history`` append-only: a backup without them, or with them
changed, is refused (:func:`verify_backup`)."""


def now() -> str:
    """The time stored with a change or a session: ISO 8601, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def default_path() -> Path:
    """Where the register lives when no path is given.

    ``$COVERAGE_ASSIGNMENTS_DB`` when set, else ``$XDG_DATA_HOME/vn-coverage/assignments.sqlite``
    (``~/.local/share/vn-coverage/assignments.sqlite`` when ``XDG_DATA_HOME`` is unset). Never
    inside the external data folder, which is read-only reference data.
    """
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "vn-coverage" / "assignments.sqlite"


# ---------------------------------------------------------------------------------------------
# The file: look, open, migrate
# ---------------------------------------------------------------------------------------------


def inspect(path: str | Path, *, for_writing: bool = True) -> FileState:
    """A read-only look at ``path`` (:func:`geo.store.sqlite.inspect_file`): ("new", 0) or
    ("ours", schema version); raises :class:`DatabaseFileError` for a damaged, foreign or
    newer file, :class:`DatabaseReadOnlyError` when ``for_writing`` and it cannot be written."""
    return base.inspect_file(
        path,
        APPLICATION_ID,
        SCHEMA_VERSION,
        "an assignment register",
        WHAT_VI,
        env=DB_ENV,
        for_writing=for_writing,
    )


def transaction(conn: sqlite3.Connection) -> contextlib.AbstractContextManager:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` on the register; busy → :class:`DatabaseBusyError`."""
    return base.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI)


def connect(
    path: str | Path | None = None,
    *,
    timeout: float = BUSY_TIMEOUT_S,
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open the register, creating it (or migrating it) when needed.

    The file is first read without writing (header, ``application_id``, schema version,
    ``PRAGMA quick_check``); a damaged file, another program's database or a register of a
    newer schema raises :class:`DatabaseFileError` and is left untouched, a file or folder that
    cannot be written :class:`DatabaseReadOnlyError` (choose a writable folder or set
    ``$COVERAGE_ASSIGNMENTS_DB``). Then the connection is set to WAL, ``synchronous=FULL``,
    foreign keys on, and a busy timeout; the schema is created or migrated in one transaction.

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
        In autocommit mode (``isolation_level=None``); ``row_factory`` is :class:`sqlite3.Row`.

    Raises
    ------
    DatabaseFileError, DatabaseReadOnlyError, DatabaseBusyError
    """
    return base.connect_wal(
        default_path() if path is None else Path(path),
        application_id=APPLICATION_ID,
        schema_version=SCHEMA_VERSION,
        migrations=MIGRATIONS,
        what_en="an assignment register",
        what_vi=WHAT_VI,
        env=DB_ENV,
        timeout=timeout,
        check_same_thread=check_same_thread,
    )


@dataclass(frozen=True)
class Session:
    """A planner's session: the connection and the name every change is recorded under.

    Create it with :func:`geo.assignments.open_session`.
    """

    conn: sqlite3.Connection
    user: str
    session_id: int
    started_at: str = ""


def conn_of(db: Session | sqlite3.Connection) -> sqlite3.Connection:
    """The connection of a session, or the connection itself."""
    return db.conn if isinstance(db, Session) else db


# ---------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------


def insert_session(conn: sqlite3.Connection, user: str, client: str) -> tuple[int, str]:
    """Record a session; returns (session_id, started_at)."""
    started = now()
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO session (user, started_at, client) VALUES (?, ?, ?)",
            (user, started, client),
        )
        return int(cur.lastrowid), started


def session_row(conn: sqlite3.Connection, session_id: int) -> dict | None:
    """The session's ``user`` and ``started_at``, or None."""
    r = conn.execute(
        "SELECT user, started_at FROM session WHERE session_id = ?", (session_id,)
    ).fetchone()
    return None if r is None else {"user": r[0], "started_at": r[1]}


def last_restore_at(conn: sqlite3.Connection) -> str | None:
    """When the register was last restored from a backup (ISO UTC), or None."""
    r = conn.execute(
        "SELECT started_at FROM session WHERE client = 'restore' ORDER BY session_id DESC LIMIT 1"
    ).fetchone()
    return None if r is None else r[0]


def verify(db: Session | sqlite3.Connection) -> list[str]:
    """Check the register: SQLite's integrity, and that every assignment has its history.

    Returns
    -------
    list of str
        Problems in English; empty when the register is sound. Checked: ``PRAGMA
        integrity_check`` and ``foreign_key_check``; each assignment's current version is
        recorded in ``history``; no history version is above the assignment's.
    """
    conn = conn_of(db)
    problems = base.integrity_problems(conn)
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


def get_row(conn: sqlite3.Connection, village_id: str) -> dict | None:
    """The assignment row of a village as a dict of :data:`FIELDS`, or None."""
    r = conn.execute("SELECT * FROM assignment WHERE village_id = ?", (village_id,)).fetchone()
    return None if r is None else dict(r)


_STATUS_DATE_SQL = (
    "CASE status "
    + " ".join(f"WHEN '{s}' THEN {c}" for s, c in STATUS_DATE_FIELDS.items())
    + " END AS status_date"
)

_UNIT_COLUMNS = ("province_code", "district_code", "commune_code", "commune_2025_code")


def select_current(
    conn: sqlite3.Connection, units: dict[str, str | None], statuses: Sequence[str] | None
) -> pd.DataFrame:
    """The assignment rows of the given units (keys of ``_UNIT_COLUMNS``; None = any) and
    statuses, with ``status_date``, sorted by province, district, commune, source, village."""
    where, params = [], []
    for col in _UNIT_COLUMNS:
        value = units.get(col)
        if value is not None:
            where.append(f"{col} = ?")
            params.append(str(value))
    if statuses is not None:
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params.extend(statuses)
    sql = f"SELECT {', '.join(FIELDS)}, {_STATUS_DATE_SQL} FROM assignment"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY province_code, district_code, commune_code, source IS NULL, source, "
    sql += "source_row, village, village_id"
    rows = conn.execute(sql, params).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=[*FIELDS, "status_date"])


def select_history(
    conn: sqlite3.Connection, village_id: str | None, province_code: str | None
) -> list[dict]:
    """History rows (one per change, ``old_value``/``new_value`` as stored JSON text) of a
    village, or of the villages of a province, or all; oldest first, with ``undone``."""
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
    return [dict(r) for r in conn.execute(sql, params)]


def last_change(conn: sqlite3.Connection, village_id: str) -> dict | None:
    """The village's last history row (``user``, ``at``, ``old_value``), or None."""
    r = conn.execute(
        "SELECT user, at, old_value FROM history WHERE village_id = ? ORDER BY change_id DESC "
        "LIMIT 1",
        (village_id,),
    ).fetchone()
    return None if r is None else dict(r)


def last_undoable(conn: sqlite3.Connection, village_id: str) -> dict | None:
    """The village's last change that is not an undo and not undone yet, or None."""
    r = conn.execute(
        "SELECT change_id, old_value, new_value, user, at FROM history h "
        "WHERE village_id = ? AND action != 'undo' AND NOT EXISTS "
        "(SELECT 1 FROM history u WHERE u.undoes = h.change_id) "
        "ORDER BY change_id DESC LIMIT 1",
        (village_id,),
    ).fetchone()
    return None if r is None else dict(r)


def rows_by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, dict]:
    """The assignment rows of these villages, by village_id."""
    return {
        r["village_id"]: dict(r)
        for r in conn.execute(
            "SELECT * FROM assignment WHERE village_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
    }


def max_versions(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
    """The highest history version of each of these villages (absent when none)."""
    return dict(
        conn.execute(
            "SELECT village_id, max(version) FROM history WHERE village_id IN "
            "(SELECT value FROM json_each(?)) GROUP BY village_id",
            (json.dumps(list(ids)),),
        ).fetchall()
    )


# ---------------------------------------------------------------------------------------------
# Writing (inside the caller's transaction)
# ---------------------------------------------------------------------------------------------


def next_version(conn: sqlite3.Connection, village_id: str) -> int:
    """The version the village's next change gets (history versions never repeat)."""
    v = conn.execute(
        "SELECT coalesce(max(version), 0) FROM history WHERE village_id = ?", (village_id,)
    ).fetchone()[0]
    return int(v) + 1


def append_history(conn: sqlite3.Connection, entries: list[tuple]) -> None:
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


def insert_rows(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Insert assignment rows (dicts of :data:`FIELDS`)."""
    conn.executemany(_INSERT_SQL, [[r[f] for f in FIELDS] for r in rows])


def update_row(conn: sqlite3.Connection, row: dict, expected_version: int) -> bool:
    """Replace the village's row if it is still at ``expected_version``; whether it was."""
    sets = ", ".join(f"{f} = ?" for f in FIELDS if f != "village_id")
    cur = conn.execute(
        f"UPDATE assignment SET {sets} WHERE village_id = ? AND version = ?",
        [*(row[f] for f in FIELDS if f != "village_id"), row["village_id"], expected_version],
    )
    return cur.rowcount == 1


def delete_row(conn: sqlite3.Connection, village_id: str) -> None:
    """Remove the village's assignment row (its history stays)."""
    conn.execute("DELETE FROM assignment WHERE village_id = ?", (village_id,))


# ---------------------------------------------------------------------------------------------
# Backup, verification, restore
# ---------------------------------------------------------------------------------------------


def backup(
    db: str | Path | sqlite3.Connection | Session,
    dest: str | Path,
    *,
    account: auth.Account = auth.CONSOLE,
) -> Path:
    """Copy the register to ``dest`` with SQLite's online backup API (a consistent snapshot,
    safe while others write).

    ``account`` must be allowed :attr:`geo.auth.Action.BACKUP` (an admin, or the single-user
    demo); the default :data:`geo.auth.CONSOLE` is the command line's.

    The copy is one self-contained file (rollback journal, no ``-wal`` beside it), written to a
    temporary file in ``dest``'s folder and renamed over ``dest`` once complete.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    PermissionDeniedError
        ``account`` may not make a backup; nothing was read or written.
    """
    auth.authorize(account, auth.Action.BACKUP)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    own = not isinstance(db, sqlite3.Connection | Session)
    if own and not Path(db).is_file():  # type: ignore[arg-type]
        raise DatabaseFileError(
            f"The register {db} does not exist.", f"Không có sổ phân công {db}.", file=str(db)
        )
    src = connect(db) if own else conn_of(db)  # type: ignore[arg-type]
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


def backup_bytes(
    db: str | Path | sqlite3.Connection | Session, *, account: auth.Account = auth.CONSOLE
) -> bytes:
    """The bytes of a :func:`backup` of the register (for a download button), taken by
    ``account`` (refused with :class:`geo.auth.PermissionDeniedError` unless it may back up)."""
    auth.authorize(account, auth.Action.BACKUP)
    with tempfile.TemporaryDirectory() as tmp:
        path = backup(db, Path(tmp) / "assignments.sqlite", account=account)
        return path.read_bytes()


def _open_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)


def _schema_problems(conn: sqlite3.Connection, version: int) -> list[Problem]:
    """How ``conn``'s schema differs from a fresh register of ``version``; the append-only
    triggers of ``history`` first."""
    ref = base.reference(MIGRATIONS, version, APPLICATION_ID)
    try:
        found = base.verify_schema(conn, ref)
    finally:
        ref.close()
    protected = [p for p in found if p.value in PROTECTED_TRIGGERS]
    return [*protected, *(p for p in found if p.value not in PROTECTED_TRIGGERS)]


def _refused(path: Path, problems: list[Problem], why_en: str, why_vi: str) -> DatabaseFileError:
    shown = problems[:10]
    more_en = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    more_vi = f" (và {len(problems) - 10} điểm khác)" if len(problems) > 10 else ""
    return base.file_error(
        path,
        f"{why_en}: {'; '.join(p.message_en for p in shown)}{more_en}.",
        f"{why_vi}: {'; '.join(p.message_vi for p in shown)}{more_vi}.",
        problems=problems,
    )


def verify_backup(path: str | Path) -> FileState:
    """Check that ``path`` is a register this tool wrote, unchanged, before it is trusted.

    Checked, without writing to the file: an SQLite file of this project (``application_id``)
    of a schema version this code knows (:func:`inspect`); exactly the tables, indexes and
    triggers a fresh register of that version has, with the same SQL
    (:func:`geo.store.sqlite.verify_schema`: no extra trigger, table or index, none missing or
    altered, in particular the append-only triggers of ``history``, :data:`PROTECTED_TRIGGERS`);
    ``PRAGMA integrity_check`` (every page, not only the quick check) and foreign keys.

    Returns
    -------
    FileState
        ("ours", its schema version).

    Raises
    ------
    DatabaseFileError
        Naming what is wrong ("extra trigger x", "trigger history_no_update missing",
        "newer version", "damaged", …); the file is not changed.
    """
    path = Path(path)
    if not path.is_file():
        raise DatabaseFileError(
            f"The backup {path} does not exist.", f"Không có tệp sao lưu {path}.", file=str(path)
        )
    state = inspect(path, for_writing=False)
    if state.kind != "ours":
        raise base.file_error(
            path,
            "The backup is empty: it holds no assignment register.",
            "Tệp sao lưu rỗng: không chứa sổ phân công.",
        )
    ro = _open_ro(path)
    try:
        schema = _schema_problems(ro, state.version)
        integrity = base.integrity_problems(ro)
    except sqlite3.DatabaseError as exc:
        raise base.file_error(
            path, f"The backup is damaged ({exc}).", f"Tệp sao lưu đã hỏng ({exc})."
        ) from exc
    finally:
        ro.close()
    if schema:
        protections = any(p.value in PROTECTED_TRIGGERS for p in schema)
        raise _refused(
            path,
            schema,
            "The backup was refused: it is not a register as this tool writes it"
            + (" (the history's append-only protection was changed)" if protections else ""),
            "Tệp sao lưu bị từ chối: không phải sổ phân công như công cụ này ghi"
            + (" (cơ chế chỉ-thêm của lịch sử đã bị thay đổi)" if protections else ""),
        )
    if integrity:
        problems = [Problem(f"kiểm tra SQLite: {t}", f"SQLite check: {t}") for t in integrity]
        raise _refused(
            path,
            problems,
            "The backup was refused: it is damaged",
            "Tệp sao lưu bị từ chối: tệp đã hỏng",
        )
    return state


def _sessions(path: Path) -> list[tuple]:
    """The session rows of a register, read without writing to it."""
    ro = _open_ro(path)
    try:
        return ro.execute(
            "SELECT session_id, user, started_at, client FROM session ORDER BY session_id"
        ).fetchall()
    finally:
        ro.close()


def _keep_sessions(conn: sqlite3.Connection, sessions: list[tuple], user: str) -> None:
    """Put back into a restored register the sessions of the register it replaces (so that
    planners with a session open keep working), and record the restore itself as a session
    (``client = 'restore'``: who restored, and when)."""
    with transaction(conn):
        held = {r[0] for r in conn.execute("SELECT session_id FROM session")}
        conn.executemany(
            "INSERT INTO session (session_id, user, started_at, client) VALUES (?, ?, ?, ?)",
            [s for s in sessions if s[0] not in held],
        )
        conn.execute(
            "INSERT INTO session (user, started_at, client) VALUES (?, ?, 'restore')",
            ((user or "").strip() or "restore", now()),
        )


def _stage(src: Path, staged: Path, sessions: list[tuple], user: str) -> sqlite3.Connection:
    """Copy the verified backup to ``staged``, migrate it, check it against a fresh register
    of this version and give it the sessions to keep; the open connection."""
    source = _open_ro(src)
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
        problems = _schema_problems(stage, SCHEMA_VERSION)
        if problems:  # pragma: no cover - a verified backup migrates to the reference schema
            raise _refused(
                src,
                problems,
                "The backup was refused after migration",
                "Tệp sao lưu bị từ chối sau khi nâng cấp",
            )
        _keep_sessions(stage, sessions, user)
        stage.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        stage.close()
        raise
    return stage


def restore(
    src: str | Path | bytes,
    db: str | Path,
    *,
    user: str = "",
    account: auth.Account = auth.CONSOLE,
) -> Path | None:
    """Replace the register ``db`` by the backup ``src`` (a path, or the bytes of a file).

    ``src`` is verified first (:func:`verify_backup`: this project's register, a known schema,
    exactly the tables, indexes and triggers this code creates, the history's append-only
    triggers intact, ``PRAGMA integrity_check``); ``db`` must be a register too (or not exist):
    a foreign or damaged file is never overwritten. Nothing touches ``db`` until all checks
    pass. The backup is copied to a temporary file, migrated if it is of an older schema,
    checked again against a fresh register of this version, and given back the sessions of
    the current register it lacks (planners working meanwhile keep their session) and a
    session row recording the restore (``client = 'restore'``, ``user``, the time). Then the
    current register is copied beside it (``<name>.before-restore-<UTC time>.sqlite``) and the
    staged pages are copied into ``db`` with SQLite's backup API, in one step.

    Parameters
    ----------
    user
        Who restores (recorded with the restore): the display name of :data:`geo.auth.CONSOLE`
        (the command line's ``--user``); a signed-in account is recorded by its own name.
    account
        The acting account: it must be allowed :attr:`geo.auth.Action.RESTORE` (an admin, or
        the single-user demo). The default :data:`geo.auth.CONSOLE` is the command line's.

    Returns
    -------
    pathlib.Path or None
        The safety copy of the register as it was before (None when ``db`` did not exist).

    Raises
    ------
    DatabaseFileError
        The backup is refused (what is wrong is named), or ``db`` is not a register.
    PermissionDeniedError
        ``account`` may not restore; nothing was read or written.
    """
    auth.authorize(account, auth.Action.RESTORE)
    if account != auth.CONSOLE:
        user = account.name
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
        verify_backup(src_path)
        ours = inspect(db).kind == "ours"
        sessions = _sessions(db) if ours else []
        stage = _stage(src_path, staged, sessions, user)
        try:
            safety = None
            if ours:
                stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
                safety = db.with_name(f"{db.stem}.before-restore-{stamp}{db.suffix or '.sqlite'}")
                backup(db, safety, account=account)
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
