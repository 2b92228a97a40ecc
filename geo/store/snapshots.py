"""The snapshot store (số liệu chốt kỳ): indicators frozen at a date, with their data versions.

One SQLite file (WAL, ``application_id`` "VNSN", ``user_version`` 1) made with
:mod:`geo.store.sqlite`, so a foreign, newer or damaged file is refused by name. A snapshot is
never edited: the table is append-only (triggers refuse ``UPDATE`` and ``DELETE``). Saving a
snapshot with the label of an earlier one of the same scope *supersedes* it: the new row names
the one it supersedes, and both are kept (:func:`select` with ``current_only`` hides the
superseded).

File: ``$COVERAGE_SNAPSHOTS_DB``, else ``snapshots.sqlite`` in :func:`geo.paths.data_home`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from geo import paths
from geo.store import sqlite as store

__all__ = [
    "APPLICATION_ID",
    "COLUMNS",
    "ENV",
    "SCHEMA_VERSION",
    "connect",
    "default_path",
    "empty_frame",
    "get",
    "insert",
    "select",
]

APPLICATION_ID = 0x564E534E  # "VNSN": Viet Nam SNapshots
SCHEMA_VERSION = 1
ENV = "COVERAGE_SNAPSHOTS_DB"
WHAT_EN = "the snapshot store"
WHAT_VI = "kho số liệu chốt kỳ"

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE snapshot (
            snapshot_id INTEGER PRIMARY KEY AUTOINCREMENT,
            label TEXT NOT NULL CHECK (length(trim(label)) BETWEEN 1 AND 40),
            scope_key TEXT NOT NULL,
            units TEXT NOT NULL CHECK (units IN ('pre2025', '2025')),
            province_code TEXT NOT NULL,
            province TEXT NOT NULL,
            district_code TEXT,
            commune_2025_code TEXT,
            place TEXT NOT NULL,
            as_of TEXT NOT NULL,
            year INTEGER,
            settings TEXT NOT NULL,
            versions TEXT NOT NULL,
            indicators TEXT NOT NULL,
            digest TEXT NOT NULL,
            created_by TEXT NOT NULL CHECK (length(trim(created_by)) > 0),
            created_at TEXT NOT NULL,
            supersedes INTEGER REFERENCES snapshot(snapshot_id)
        )""",
        "CREATE INDEX snapshot_scope ON snapshot (scope_key, label, snapshot_id)",
        "CREATE INDEX snapshot_province ON snapshot (province_code, as_of)",
        """CREATE TRIGGER snapshot_no_update BEFORE UPDATE ON snapshot
            BEGIN SELECT RAISE(ABORT, 'snapshots are never edited'); END""",
        """CREATE TRIGGER snapshot_no_delete BEFORE DELETE ON snapshot
            BEGIN SELECT RAISE(ABORT, 'snapshots are never deleted'); END""",
    ]
}
"""DDL per schema version; add ``MIGRATIONS[2]`` (and raise :data:`SCHEMA_VERSION`) to change
the schema, never edit a released version's statements."""

COLUMNS: tuple[str, ...] = (
    "snapshot_id",
    "label",
    "scope_key",
    "units",
    "province_code",
    "province",
    "district_code",
    "commune_2025_code",
    "place",
    "as_of",
    "year",
    "settings",
    "versions",
    "indicators",
    "digest",
    "created_by",
    "created_at",
    "supersedes",
)
"""Columns of :func:`select`, plus ``superseded_by`` (the later snapshot of the same label and
scope, or missing). ``settings``, ``versions`` and ``indicators`` are JSON text."""

_JSON = ("settings", "versions", "indicators")


def default_path() -> Path:
    """``$COVERAGE_SNAPSHOTS_DB``, else ``snapshots.sqlite`` in :func:`geo.paths.data_home`."""
    env = os.environ.get(ENV)
    return Path(env).expanduser() if env else paths.data_home() / "snapshots.sqlite"


def connect(
    path: str | Path | None = None, *, check_same_thread: bool = False
) -> sqlite3.Connection:
    """Open (and create or migrate) the snapshot store.

    Raises
    ------
    geo.store.sqlite.DatabaseFileError
        The file is another program's database, a newer schema, or damaged.
    geo.store.sqlite.DatabaseReadOnlyError
        The file or its folder cannot be written.
    """
    return store.connect_wal(
        default_path() if path is None else path,
        application_id=APPLICATION_ID,
        schema_version=SCHEMA_VERSION,
        migrations=MIGRATIONS,
        what_en=WHAT_EN,
        what_vi=WHAT_VI,
        env=ENV,
        check_same_thread=check_same_thread,
    )


def insert(conn: sqlite3.Connection, record: Mapping) -> dict:
    """Save one snapshot in one transaction; it supersedes the latest one of the same scope
    and label, if any.

    Parameters
    ----------
    record
        The values of :data:`COLUMNS` but ``snapshot_id`` and ``supersedes``; ``settings``,
        ``versions`` and ``indicators`` as JSON-able objects.

    Returns
    -------
    dict
        The stored row (:func:`get`).
    """
    values = {k: record[k] for k in COLUMNS if k not in ("snapshot_id", "supersedes")}
    for k in _JSON:
        values[k] = json.dumps(values[k], ensure_ascii=False, sort_keys=True, default=str)
    with store.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI):
        prev = conn.execute(
            "SELECT max(snapshot_id) FROM snapshot WHERE scope_key = ? AND label = ?",
            (values["scope_key"], values["label"]),
        ).fetchone()[0]
        values["supersedes"] = prev
        cols = ", ".join(values)
        cur = conn.execute(
            f"INSERT INTO snapshot ({cols}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
        new_id = cur.lastrowid
    return get(conn, new_id)


_SELECT = (
    f"SELECT {', '.join('s.' + c for c in COLUMNS)}, "
    "(SELECT min(n.snapshot_id) FROM snapshot n WHERE n.supersedes = s.snapshot_id) "
    "AS superseded_by FROM snapshot s"
)


def _row(r: sqlite3.Row) -> dict:
    out = dict(r)
    for k in _JSON:
        out[k] = json.loads(out[k])
    return out


def get(conn: sqlite3.Connection, snapshot_id: int) -> dict | None:
    """One snapshot as a dict (JSON columns decoded), or None."""
    r = conn.execute(_SELECT + " WHERE s.snapshot_id = ?", (int(snapshot_id),)).fetchone()
    return None if r is None else _row(r)


def select(
    conn: sqlite3.Connection,
    *,
    province_code: str | None = None,
    scope_key: str | None = None,
    label: str | None = None,
    current_only: bool = False,
) -> pd.DataFrame:
    """The snapshots, oldest first (``as_of`` then id), JSON columns decoded.

    Parameters
    ----------
    province_code, scope_key, label
        Keep only these (None: any).
    current_only
        Leave out the snapshots a later one of the same label and scope superseded.
    """
    where, args = [], []
    for col, value in (
        ("province_code", province_code),
        ("scope_key", scope_key),
        ("label", label),
    ):
        if value is not None:
            where.append(f"s.{col} = ?")
            args.append(str(value))
    if current_only:
        where.append("NOT EXISTS (SELECT 1 FROM snapshot n WHERE n.supersedes = s.snapshot_id)")
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    rows = [_row(r) for r in conn.execute(sql + " ORDER BY s.as_of, s.snapshot_id", args)]
    return _typed(pd.DataFrame(rows, columns=[*COLUMNS, "superseded_by"]))


def empty_frame() -> pd.DataFrame:
    """A frame with the columns of :func:`select` and no row (no store file yet)."""
    return _typed(pd.DataFrame(columns=[*COLUMNS, "superseded_by"]))


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    for col in ("snapshot_id", "year", "supersedes", "superseded_by"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    return out
