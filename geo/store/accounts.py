"""The account store: local accounts, sign-in sessions and failed attempts, in one SQLite file.

Only SQL lives here; the rules (who may do what, how long a session lasts, when attempts are
refused) are in :mod:`geo.auth`, which calls these functions. Roles are stored as their text
value; this module does not know what they mean.

The file is found by :func:`default_path` unless a path is given. It is opened in WAL mode with
``synchronous=FULL`` and a busy timeout; its ``PRAGMA application_id`` (:data:`APPLICATION_ID`)
marks it as this tool's account store and ``PRAGMA user_version`` holds the schema version
(:data:`SCHEMA_VERSION`). A damaged file, another program's SQLite file or a file written by a
newer version of the tool is refused by name (:class:`DatabaseFileError`) and left untouched.

Password hashes (argon2, made by :mod:`geo.auth`) and the SHA-256 of session tokens are stored;
a password or a token in clear never is.

Schema (version 1)
------------------
``account(name PK COLLATE NOCASE, role, province_code, district_code, operator, password_hash,
disabled, created_at, updated_at, updated_by)``
    Times are Unix seconds (UTC).
``sign_in_session(token_hash PK, name, client, created_at, last_seen_at, idle_expires_at,
absolute_expires_at)``
    One row per signed-in browser or client; deleted on sign-out, expiry or when the account
    is disabled or its password changed.
``failed_attempt(attempt_id PK, key, at)`` and ``lockout(key PK, until)``
    Failed sign-ins per key (``name:<account>`` or ``client:<client>``) and the keys whose
    attempts are refused until a time.

Opening, checking and transactions are :mod:`geo.store.sqlite`'s.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from geo.store import sqlite
from geo.store.sqlite import BUSY_TIMEOUT_S, DatabaseBusyError, DatabaseFileError

__all__ = [
    "APPLICATION_ID",
    "DB_ENV",
    "SCHEMA_VERSION",
    "AccountRow",
    "Connection",
    "DatabaseBusyError",
    "DatabaseFileError",
    "SessionRow",
    "connect",
    "count_accounts",
    "count_enabled",
    "default_path",
    "delete_session",
    "delete_sessions_of",
    "get_account",
    "get_session",
    "insert_account",
    "insert_session",
    "list_accounts",
    "locked_until",
    "clear_failures",
    "record_failure",
    "set_disabled",
    "set_password_hash",
    "touch_session",
]

Connection = sqlite3.Connection
"""A connection to the account store, as :func:`connect` gives it (for type hints outside
:mod:`geo.store`, which never import ``sqlite3``)."""

DB_ENV = "COVERAGE_ACCOUNTS_DB"
"""Environment variable naming the account store's file."""

APPLICATION_ID = 0x564E4143  # "VNAC": Viet Nam ACcounts
"""``PRAGMA application_id`` of the account store; any other non-zero id is a foreign file."""

SCHEMA_VERSION = 1
"""The schema version this code writes (``PRAGMA user_version``)."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE account (
            name TEXT PRIMARY KEY COLLATE NOCASE CHECK (length(name) BETWEEN 3 AND 40),
            role TEXT NOT NULL CHECK (role <> ''),
            province_code TEXT CHECK (province_code IS NULL OR province_code GLOB '[0-9][0-9]'),
            district_code TEXT
                CHECK (district_code IS NULL OR district_code GLOB '[0-9][0-9][0-9]'),
            operator TEXT CHECK (operator IS NULL OR operator <> ''),
            password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2%'),
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        """CREATE TABLE sign_in_session (
            token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
            name TEXT NOT NULL COLLATE NOCASE REFERENCES account(name) ON DELETE CASCADE,
            client TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            idle_expires_at INTEGER NOT NULL,
            absolute_expires_at INTEGER NOT NULL
        ) STRICT""",
        "CREATE INDEX sign_in_session_name ON sign_in_session(name)",
        """CREATE TABLE failed_attempt (
            attempt_id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            at INTEGER NOT NULL
        ) STRICT""",
        "CREATE INDEX failed_attempt_key_at ON failed_attempt(key, at)",
        """CREATE TABLE lockout (
            key TEXT PRIMARY KEY,
            until INTEGER NOT NULL
        ) STRICT""",
    ),
}
"""DDL bringing a file from version ``n - 1`` to ``n``; never edit a released version's."""


@dataclass(frozen=True)
class AccountRow:
    """One row of ``account``, as stored (the role as text)."""

    name: str
    role: str
    province_code: str | None
    district_code: str | None
    operator: str | None
    password_hash: str
    disabled: bool
    created_at: int
    updated_at: int
    updated_by: str


@dataclass(frozen=True)
class SessionRow:
    """One row of ``sign_in_session``."""

    token_hash: str
    name: str
    client: str
    created_at: int
    last_seen_at: int
    idle_expires_at: int
    absolute_expires_at: int


def default_path() -> Path:
    """Where the account store lives when no path is given.

    ``$COVERAGE_ACCOUNTS_DB`` when set, else ``$XDG_DATA_HOME/vn-coverage/accounts.sqlite``
    (``~/.local/share/vn-coverage/accounts.sqlite`` when ``XDG_DATA_HOME`` is unset).
    """
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "vn-coverage" / "accounts.sqlite"


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------

_WHAT = {"what_en": "the account store", "what_vi": "kho tài khoản"}


def _transaction(conn: sqlite3.Connection) -> contextlib.AbstractContextManager:
    return sqlite.transaction(conn, **_WHAT)


def connect(
    path: str | Path | None = None,
    *,
    timeout: float = BUSY_TIMEOUT_S,
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open the account store, creating or migrating it when needed.

    Parameters
    ----------
    path
        The file; :func:`default_path` when None. Its folder is created if needed.
    timeout
        Seconds a write waits for another writer.
    check_same_thread
        Passed to :func:`sqlite3.connect` (False lets a web app's threads share it).

    Returns
    -------
    sqlite3.Connection
        In autocommit mode; the functions of this module open their own transactions.

    Raises
    ------
    DatabaseFileError
        A damaged file, another program's SQLite file or a newer schema (named in the message).
    """
    return sqlite.connect_wal(
        default_path() if path is None else Path(path),
        application_id=APPLICATION_ID,
        schema_version=SCHEMA_VERSION,
        migrations=MIGRATIONS,
        env=DB_ENV,
        timeout=timeout,
        check_same_thread=check_same_thread,
        **_WHAT,
    )


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------

_ACCOUNT_FIELDS = (
    "name, role, province_code, district_code, operator, password_hash, disabled, created_at, "
    "updated_at, updated_by"
)


def _account(row: sqlite3.Row | None) -> AccountRow | None:
    if row is None:
        return None
    values = dict(row)
    values["disabled"] = bool(values["disabled"])
    return AccountRow(**values)


def count_accounts(conn: sqlite3.Connection) -> int:
    """How many accounts exist (enabled or not)."""
    return int(conn.execute("SELECT count(*) FROM account").fetchone()[0])


def count_enabled(conn: sqlite3.Connection, role: str) -> int:
    """How many enabled accounts have ``role``."""
    sql = "SELECT count(*) FROM account WHERE role = ? AND disabled = 0"
    return int(conn.execute(sql, (role,)).fetchone()[0])


def get_account(conn: sqlite3.Connection, name: str) -> AccountRow | None:
    """The account called ``name`` (case-insensitive), or None."""
    sql = f"SELECT {_ACCOUNT_FIELDS} FROM account WHERE name = ?"
    return _account(conn.execute(sql, (name,)).fetchone())


def list_accounts(conn: sqlite3.Connection) -> list[AccountRow]:
    """Every account, by name."""
    sql = f"SELECT {_ACCOUNT_FIELDS} FROM account ORDER BY name"
    return [a for a in map(_account, conn.execute(sql).fetchall()) if a is not None]


def insert_account(
    conn: sqlite3.Connection, row: AccountRow, *, only_if_empty: bool = False
) -> bool:
    """Add an account; False when the name is taken (or, with ``only_if_empty``, when any
    account exists already — checked in the same transaction)."""
    with _transaction(conn):
        if only_if_empty and count_accounts(conn):
            return False
        if get_account(conn, row.name) is not None:
            return False
        conn.execute(
            f"INSERT INTO account ({_ACCOUNT_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.name,
                row.role,
                row.province_code,
                row.district_code,
                row.operator,
                row.password_hash,
                int(row.disabled),
                row.created_at,
                row.updated_at,
                row.updated_by,
            ),
        )
    return True


def set_password_hash(
    conn: sqlite3.Connection, name: str, password_hash: str, *, at: int, by: str, sign_out: bool
) -> bool:
    """Store a new hash; with ``sign_out`` end the account's sessions. False: no such account."""
    with _transaction(conn):
        cur = conn.execute(
            "UPDATE account SET password_hash = ?, updated_at = ?, updated_by = ? WHERE name = ?",
            (password_hash, at, by, name),
        )
        if cur.rowcount and sign_out:
            conn.execute("DELETE FROM sign_in_session WHERE name = ?", (name,))
    return bool(cur.rowcount)


def set_disabled(
    conn: sqlite3.Connection,
    name: str,
    disabled: bool,
    *,
    at: int,
    by: str,
    keep_enabled_role: str | None = None,
) -> bool | None:
    """Disable or enable an account; disabling ends its sessions.

    Returns True when done, False when no such account, None when ``keep_enabled_role`` is
    given and the change would leave no enabled account of that role (nothing is changed).
    """
    with _transaction(conn):
        row = get_account(conn, name)
        if row is None:
            return False
        if (
            disabled
            and keep_enabled_role is not None
            and row.role == keep_enabled_role
            and not row.disabled
            and count_enabled(conn, keep_enabled_role) <= 1
        ):
            return None
        conn.execute(
            "UPDATE account SET disabled = ?, updated_at = ?, updated_by = ? WHERE name = ?",
            (int(disabled), at, by, name),
        )
        if disabled:
            conn.execute("DELETE FROM sign_in_session WHERE name = ?", (name,))
    return True


# ---------------------------------------------------------------------------------------------
# Failed attempts and lockouts
# ---------------------------------------------------------------------------------------------


def locked_until(conn: sqlite3.Connection, keys: list[str], now: int) -> int | None:
    """The latest time until which one of ``keys`` is locked out, or None when none is."""
    marks = ", ".join("?" for _ in keys)
    sql = f"SELECT max(until) FROM lockout WHERE key IN ({marks}) AND until > ?"
    value = conn.execute(sql, (*keys, now)).fetchone()[0]
    return None if value is None else int(value)


def record_failure(
    conn: sqlite3.Connection, keys: list[str], *, now: int, window: int, limit: int, lock: int
) -> int | None:
    """Record one failed attempt under each key; lock a key out for ``lock`` seconds when it
    has ``limit`` failures within the last ``window`` seconds. Returns the lock's end or None."""
    until = None
    with _transaction(conn):
        conn.execute("DELETE FROM failed_attempt WHERE at <= ?", (now - window,))
        for key in keys:
            conn.execute("INSERT INTO failed_attempt (key, at) VALUES (?, ?)", (key, now))
            n = conn.execute(
                "SELECT count(*) FROM failed_attempt WHERE key = ? AND at > ?", (key, now - window)
            ).fetchone()[0]
            if n >= limit:
                until = now + lock
                conn.execute(
                    "INSERT INTO lockout (key, until) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET until = excluded.until",
                    (key, until),
                )
                conn.execute("DELETE FROM failed_attempt WHERE key = ?", (key,))
    return until


def clear_failures(conn: sqlite3.Connection, key: str) -> None:
    """Forget the failed attempts and any lockout of ``key`` (after a successful sign-in)."""
    with _transaction(conn):
        conn.execute("DELETE FROM failed_attempt WHERE key = ?", (key,))
        conn.execute("DELETE FROM lockout WHERE key = ?", (key,))


# ---------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------


def insert_session(conn: sqlite3.Connection, row: SessionRow) -> None:
    """Store a new sign-in session (and drop the sessions that have expired by now)."""
    with _transaction(conn):
        conn.execute(
            "DELETE FROM sign_in_session WHERE idle_expires_at <= ? OR absolute_expires_at <= ?",
            (row.created_at, row.created_at),
        )
        conn.execute(
            "INSERT INTO sign_in_session (token_hash, name, client, created_at, last_seen_at, "
            "idle_expires_at, absolute_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                row.token_hash,
                row.name,
                row.client,
                row.created_at,
                row.last_seen_at,
                row.idle_expires_at,
                row.absolute_expires_at,
            ),
        )


def get_session(conn: sqlite3.Connection, token_hash: str) -> SessionRow | None:
    """The session whose token hashes to ``token_hash``, or None."""
    row = conn.execute(
        "SELECT token_hash, name, client, created_at, last_seen_at, idle_expires_at, "
        "absolute_expires_at FROM sign_in_session WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    return None if row is None else SessionRow(**dict(row))


def touch_session(
    conn: sqlite3.Connection, token_hash: str, *, now: int, idle_expires_at: int
) -> None:
    """Record activity on a session and push its idle expiry."""
    with _transaction(conn):
        conn.execute(
            "UPDATE sign_in_session SET last_seen_at = ?, idle_expires_at = ? WHERE token_hash = ?",
            (now, idle_expires_at, token_hash),
        )


def delete_session(conn: sqlite3.Connection, token_hash: str) -> None:
    """End one session."""
    with _transaction(conn):
        conn.execute("DELETE FROM sign_in_session WHERE token_hash = ?", (token_hash,))


def delete_sessions_of(conn: sqlite3.Connection, name: str) -> None:
    """End every session of an account."""
    with _transaction(conn):
        conn.execute("DELETE FROM sign_in_session WHERE name = ?", (name,))
