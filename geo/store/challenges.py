"""The challenge store: challenges of a village's coverage status, their steps and photos.

Only SQL lives here; the rules (who may raise, answer or decide, deadlines, what evidence a step
needs) are in :mod:`geo.challenges`, which calls these functions. The store is one SQLite file
(stdlib :mod:`sqlite3`, WAL, ``synchronous=FULL``, a busy timeout; see :mod:`geo.store.sqlite`),
found by :func:`default_path` unless a path is given: by default ``challenges.sqlite`` beside the
assignment register, in a file of its own so that the register's verified backups (exactly the
register's tables) stay as they are. Its ``PRAGMA application_id`` (:data:`APPLICATION_ID`) marks
it as this tool's challenge store and ``PRAGMA user_version`` holds the schema version
(:data:`SCHEMA_VERSION`); a damaged, foreign, newer or read-only file is refused by name.

Schema (version 2)
------------------
``challenge(challenge_id PK, village_id, village, commune, commune_code, district,
district_code, province, province_code, operator, shown_covered, claim, reason, state,
deadline, answer, decision, raised_by, raised_at, answered_by, answered_at, decided_by,
decided_at, version, updated_at, shown_evidence)``
    The current value of each challenge (STRICT, CHECK constraints on every enum column).
    ``shown_covered`` is the status the tool showed when the challenge was raised (1 covered)
    and ``shown_evidence`` (version 2) what it rested on (measured, declared, terrain, radius;
    "" when the model did not say); ``claim`` what the challenge says it is. Dates are ISO ``YYYY-MM-DD`` (the deadline, Vietnam
    time), times ISO 8601 UTC. A challenge is never deleted (trigger).
``step(step_id PK, challenge_id, version, step, state, value, note, measurements,
photo_sha256, user, role, at)``
    One row per step (raise, deadline, answer, decide), append-only: triggers refuse UPDATE
    and DELETE. ``value`` is the answer, the decision or the new deadline; ``measurements`` a
    JSON summary of measurements; ``role`` the acting account's role and scope
    (:func:`geo.auth.scope_note`). ``UNIQUE(challenge_id, version)``.
``photo(sha256 PK, media_type, size, data, name, added_by, added_at)``
    Photos as blobs keyed by their SHA-256 (one copy of a photo sent twice); JPEG or PNG only,
    at most :data:`PHOTO_MAX_BYTES`; never changed or deleted (triggers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from geo.operators import OPERATORS
from geo.store import sqlite as base
from geo.store.sqlite import BUSY_TIMEOUT_S, DatabaseBusyError, DatabaseFileError, FileState
from geo.vocab import (
    ChallengeAnswer,
    ChallengeClaim,
    ChallengeDecision,
    ChallengeState,
    ChallengeStep,
    Evidence,
)

__all__ = [
    "APPLICATION_ID",
    "CHALLENGE_FIELDS",
    "DB_ENV",
    "MIGRATIONS",
    "PHOTO_MAX_BYTES",
    "PHOTO_TYPES",
    "PROTECTED_TRIGGERS",
    "SCHEMA_VERSION",
    "STEP_FIELDS",
    "Connection",
    "DatabaseBusyError",
    "DatabaseFileError",
    "append_step",
    "connect",
    "default_path",
    "get_challenge",
    "get_photo",
    "inspect",
    "insert_challenge",
    "insert_photo",
    "open_for",
    "select_challenges",
    "select_steps",
    "transaction",
    "update_challenge",
    "verify",
]

Connection = sqlite3.Connection
"""A connection to the challenge store, as :func:`connect` gives it (for type hints outside
:mod:`geo.store`, which never import ``sqlite3``)."""

WHAT_EN = "the challenge store"
WHAT_VI = "sổ phản ánh sai lệch phủ sóng"

DB_ENV = "COVERAGE_CHALLENGES_DB"
"""Environment variable naming the challenge store's file (see :func:`default_path`)."""

APPLICATION_ID = 0x564E4348  # "VNCH": Viet Nam CHallenges
"""``PRAGMA application_id`` of the challenge store; any other non-zero id is a foreign file."""

SCHEMA_VERSION = 2
"""The schema version this code writes (``PRAGMA user_version``)."""

PHOTO_MAX_BYTES = 5_000_000
"""Largest photo kept (5 MB): a phone's JPEG of a site or a speed test is 1–4 MB."""

PHOTO_TYPES: tuple[str, ...] = ("image/jpeg", "image/png")
"""The media types a photo may have."""

CHALLENGE_FIELDS: tuple[str, ...] = (
    "challenge_id",
    "village_id",
    "village",
    "commune",
    "commune_code",
    "district",
    "district_code",
    "province",
    "province_code",
    "operator",
    "shown_covered",
    "claim",
    "reason",
    "state",
    "deadline",
    "answer",
    "decision",
    "raised_by",
    "raised_at",
    "answered_by",
    "answered_at",
    "decided_by",
    "decided_at",
    "version",
    "updated_at",
    "shown_evidence",
)
"""The columns of the ``challenge`` table, in order."""

STEP_FIELDS: tuple[str, ...] = (
    "step_id",
    "challenge_id",
    "version",
    "step",
    "state",
    "value",
    "note",
    "measurements",
    "photo_sha256",
    "user",
    "role",
    "at",
)
"""The columns of the ``step`` table, in order."""


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


_VALUES = _in([*ChallengeAnswer, *ChallengeDecision]) + ", ''"

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        f"""CREATE TABLE challenge (
            challenge_id INTEGER PRIMARY KEY AUTOINCREMENT,
            village_id TEXT NOT NULL CHECK (length(village_id) > 0),
            village TEXT NOT NULL,
            commune TEXT NOT NULL DEFAULT '',
            commune_code TEXT NOT NULL DEFAULT '',
            district TEXT NOT NULL DEFAULT '',
            district_code TEXT NOT NULL DEFAULT '',
            province TEXT NOT NULL DEFAULT '',
            province_code TEXT NOT NULL CHECK (province_code GLOB '[0-9][0-9]'),
            operator TEXT NOT NULL CHECK (operator IN ({_in(OPERATORS)})),
            shown_covered INTEGER NOT NULL CHECK (shown_covered IN (0, 1)),
            claim TEXT NOT NULL CHECK (claim IN ({_in(ChallengeClaim)})),
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            state TEXT NOT NULL CHECK (state IN ({_in(ChallengeState)})),
            deadline TEXT NOT NULL,
            answer TEXT CHECK (answer IS NULL OR answer IN ({_in(ChallengeAnswer)})),
            decision TEXT CHECK (decision IS NULL OR decision IN ({_in(ChallengeDecision)})),
            raised_by TEXT NOT NULL CHECK (length(trim(raised_by)) > 0),
            raised_at TEXT NOT NULL,
            answered_by TEXT,
            answered_at TEXT,
            decided_by TEXT,
            decided_at TEXT,
            version INTEGER NOT NULL CHECK (version >= 1),
            updated_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX challenge_where ON challenge(province_code, district_code, operator)",
        "CREATE INDEX challenge_village ON challenge(village_id, operator)",
        f"""CREATE TABLE photo (
            sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
            media_type TEXT NOT NULL CHECK (media_type IN ({_in(PHOTO_TYPES)})),
            size INTEGER NOT NULL CHECK (size > 0 AND size <= {PHOTO_MAX_BYTES}),
            data BLOB NOT NULL CHECK (length(data) = size),
            name TEXT NOT NULL DEFAULT '',
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        ) STRICT""",
        f"""CREATE TABLE step (
            step_id INTEGER PRIMARY KEY AUTOINCREMENT,
            challenge_id INTEGER NOT NULL REFERENCES challenge(challenge_id),
            version INTEGER NOT NULL CHECK (version >= 1),
            step TEXT NOT NULL CHECK (step IN ({_in(ChallengeStep)})),
            state TEXT NOT NULL CHECK (state IN ({_in(ChallengeState)})),
            value TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            measurements TEXT CHECK (measurements IS NULL OR json_valid(measurements)),
            photo_sha256 TEXT REFERENCES photo(sha256),
            user TEXT NOT NULL CHECK (length(trim(user)) > 0),
            role TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            UNIQUE (challenge_id, version)
        ) STRICT""",
        "CREATE INDEX step_photo ON step(photo_sha256) WHERE photo_sha256 IS NOT NULL",
        """CREATE TRIGGER step_no_update BEFORE UPDATE ON step
            BEGIN SELECT RAISE(ABORT, 'the steps of a challenge are append-only'); END""",
        """CREATE TRIGGER step_no_delete BEFORE DELETE ON step
            BEGIN SELECT RAISE(ABORT, 'the steps of a challenge are append-only'); END""",
        """CREATE TRIGGER photo_no_update BEFORE UPDATE ON photo
            BEGIN SELECT RAISE(ABORT, 'a photo is kept as it was sent'); END""",
        """CREATE TRIGGER photo_no_delete BEFORE DELETE ON photo
            BEGIN SELECT RAISE(ABORT, 'a photo is kept as it was sent'); END""",
        """CREATE TRIGGER challenge_no_delete BEFORE DELETE ON challenge
            BEGIN SELECT RAISE(ABORT, 'a challenge is never deleted'); END""",
    ),
    2: (
        # What the status shown rested on when the challenge was raised (geo.vocab.Evidence:
        # measured, declared, terrain, radius); "" when the model did not say.
        f"""ALTER TABLE challenge ADD COLUMN shown_evidence TEXT NOT NULL DEFAULT ''
            CHECK (shown_evidence IN ({_in(Evidence)}, ''))""",
    ),
}
"""DDL bringing a file from version ``n - 1`` to ``n``; never edit a released version's."""

PROTECTED_TRIGGERS: tuple[str, ...] = (
    "step_no_update",
    "step_no_delete",
    "photo_no_update",
    "photo_no_delete",
    "challenge_no_delete",
)
"""The triggers that keep the history as it was written."""


def now() -> str:
    """The time stored with a step: ISO 8601, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def default_path() -> Path:
    """Where the challenge store lives when no path is given.

    ``$COVERAGE_CHALLENGES_DB`` when set, else ``challenges.sqlite`` in the folder of the
    assignment register (``$COVERAGE_ASSIGNMENTS_DB``'s folder when that is set, else
    ``$XDG_DATA_HOME/vn-coverage/``, i.e. ``~/.local/share/vn-coverage/``).
    """
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    register = os.environ.get("COVERAGE_ASSIGNMENTS_DB")
    if register:
        return Path(register).expanduser().parent / "challenges.sqlite"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "vn-coverage" / "challenges.sqlite"


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------


def inspect(path: str | Path, *, for_writing: bool = True) -> FileState:
    """A read-only look at ``path`` (:func:`geo.store.sqlite.inspect_file`)."""
    return base.inspect_file(
        path,
        APPLICATION_ID,
        SCHEMA_VERSION,
        WHAT_EN,
        WHAT_VI,
        env=DB_ENV,
        for_writing=for_writing,
    )


def transaction(conn: sqlite3.Connection) -> contextlib.AbstractContextManager:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` on the store; busy → :class:`DatabaseBusyError`."""
    return base.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI)


def connect(
    path: str | Path | None = None,
    *,
    timeout: float = BUSY_TIMEOUT_S,
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open the challenge store, creating or migrating it when needed.

    Parameters
    ----------
    path
        The file; :func:`default_path` when None. Its folder is created if needed.
    timeout
        Seconds a write waits for another writer before :class:`DatabaseBusyError`.
    check_same_thread
        Passed to :func:`sqlite3.connect` (False lets a web app's threads share it).

    Returns
    -------
    sqlite3.Connection
        Autocommit mode; rows as :class:`sqlite3.Row`.

    Raises
    ------
    DatabaseFileError, DatabaseReadOnlyError, DatabaseBusyError
    """
    return base.connect_wal(
        default_path() if path is None else Path(path),
        application_id=APPLICATION_ID,
        schema_version=SCHEMA_VERSION,
        migrations=MIGRATIONS,
        what_en=WHAT_EN,
        what_vi=WHAT_VI,
        env=DB_ENV,
        timeout=timeout,
        check_same_thread=check_same_thread,
    )


def open_for(db: str | Path | sqlite3.Connection | None) -> tuple[sqlite3.Connection, bool]:
    """``db`` itself when it is a connection, else the store opened at that path (None: the
    default path); and whether the caller opened it (and must close it)."""
    if isinstance(db, sqlite3.Connection):
        return db, False
    return connect(db), True


def verify(conn: sqlite3.Connection) -> list[str]:
    """Check the store: SQLite's integrity, the schema exactly as this code creates it (the
    append-only triggers present and unaltered), and every challenge's version in its steps.

    Returns
    -------
    list of str
        Problems in English; empty when the store is sound.
    """
    problems = base.integrity_problems(conn)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    expected = base.reference(MIGRATIONS, min(int(version), SCHEMA_VERSION) or SCHEMA_VERSION)
    try:
        problems += [p.message_en for p in base.verify_schema(conn, expected)]
    finally:
        expected.close()
    for r in conn.execute(
        "SELECT c.challenge_id, c.version FROM challenge c LEFT JOIN step s "
        "ON s.challenge_id = c.challenge_id AND s.version = c.version WHERE s.step_id IS NULL"
    ):
        problems.append(f"challenge {r[0]} version {r[1]} has no step")
    return problems


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def get_challenge(conn: sqlite3.Connection, challenge_id: int) -> dict | None:
    """A challenge as a dict of :data:`CHALLENGE_FIELDS`, or None."""
    r = conn.execute(
        "SELECT * FROM challenge WHERE challenge_id = ?", (int(challenge_id),)
    ).fetchone()
    return None if r is None else dict(r)


_FILTERS = ("province_code", "district_code", "operator", "village_id")


def select_challenges(
    conn: sqlite3.Connection,
    *,
    states: Sequence[str] | None = None,
    **where: str | None,
) -> pd.DataFrame:
    """The challenges with the given ``province_code``, ``district_code``, ``operator``,
    ``village_id`` (None: any) and states, oldest first, as a frame of
    :data:`CHALLENGE_FIELDS`."""
    clauses, params = [], []
    for column in _FILTERS:
        value = where.get(column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(str(value))
    if states is not None:
        clauses.append(f"state IN ({', '.join('?' * len(states))})")
        params.extend(str(s) for s in states)
    sql = f"SELECT {', '.join(CHALLENGE_FIELDS)} FROM challenge"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY challenge_id"
    rows = conn.execute(sql, params).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(CHALLENGE_FIELDS))


def select_steps(
    conn: sqlite3.Connection, challenge_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """The steps of these challenges (None: all), in the order they were taken."""
    sql = f"SELECT {', '.join(STEP_FIELDS)} FROM step"
    params: list = []
    if challenge_ids is not None:
        sql += f" WHERE challenge_id IN ({', '.join('?' * len(challenge_ids))})"
        params = [int(i) for i in challenge_ids]
    sql += " ORDER BY step_id"
    rows = conn.execute(sql, params).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(STEP_FIELDS))


def get_photo(conn: sqlite3.Connection, sha256: str) -> dict | None:
    """A photo (``sha256``, ``media_type``, ``size``, ``data``, ``name``, ``added_by``,
    ``added_at``), or None."""
    r = conn.execute("SELECT * FROM photo WHERE sha256 = ?", (sha256,)).fetchone()
    return None if r is None else dict(r)


# ---------------------------------------------------------------------------------------------
# Writing (inside the caller's transaction)
# ---------------------------------------------------------------------------------------------


def insert_photo(
    conn: sqlite3.Connection,
    *,
    sha256: str,
    media_type: str,
    data: bytes,
    name: str,
    added_by: str,
    added_at: str,
) -> None:
    """Keep a photo (nothing happens when a photo with this SHA-256 is kept already)."""
    conn.execute(
        "INSERT OR IGNORE INTO photo (sha256, media_type, size, data, name, added_by, added_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (sha256, media_type, len(data), sqlite3.Binary(data), name, added_by, added_at),
    )


def insert_challenge(conn: sqlite3.Connection, row: dict) -> int:
    """Insert a challenge (a dict of :data:`CHALLENGE_FIELDS` but ``challenge_id``); its id."""
    fields = [f for f in CHALLENGE_FIELDS if f != "challenge_id"]
    cur = conn.execute(
        f"INSERT INTO challenge ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
        [row[f] for f in fields],
    )
    return int(cur.lastrowid)


def update_challenge(
    conn: sqlite3.Connection, challenge_id: int, changes: dict, expected_version: int
) -> bool:
    """Set ``changes`` (columns of :data:`CHALLENGE_FIELDS`) on a challenge still at
    ``expected_version``; whether it was."""
    cols = [c for c in changes if c in CHALLENGE_FIELDS and c != "challenge_id"]
    sets = ", ".join(f"{c} = ?" for c in cols)
    cur = conn.execute(
        f"UPDATE challenge SET {sets} WHERE challenge_id = ? AND version = ?",
        [*(changes[c] for c in cols), int(challenge_id), int(expected_version)],
    )
    return cur.rowcount == 1


def append_step(conn: sqlite3.Connection, step: dict) -> int:
    """Append a step (a dict of :data:`STEP_FIELDS` but ``step_id``); its id."""
    fields = [f for f in STEP_FIELDS if f != "step_id"]
    cur = conn.execute(
        f"INSERT INTO step ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
        [step.get(f) for f in fields],
    )
    return int(cur.lastrowid)
