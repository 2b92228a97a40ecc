"""The DEM store: which elevation model each province uses, where its cropped copy lies, who
committed it and when.

One SQLite file (WAL, ``application_id`` "VNDM", ``user_version`` 1) made with
:mod:`geo.store.sqlite`, beside the import store: ``<imports>.dem.sqlite`` next to
``$COVERAGE_IMPORTS_DB`` (else ``imports.sqlite`` in :func:`geo.paths.data_home`). The cropped
DEMs themselves (Cloud-Optimized GeoTIFFs) are in the folder ``<imports>_dem/`` beside it. A
province's current DEM is its latest record not removed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pandas as pd

from geo.store import sqlite as store

__all__ = [
    "APPLICATION_ID",
    "COLUMNS",
    "SCHEMA_VERSION",
    "connect",
    "current",
    "dem_folder",
    "dem_store_path",
    "listing",
    "record",
    "remove",
]

APPLICATION_ID = 0x564E444D  # "VNDM": Viet Nam DEM
SCHEMA_VERSION = 1
WHAT_EN = "the DEM store"
WHAT_VI = "kho mô hình số độ cao (DEM)"
ENV = "COVERAGE_IMPORTS_DB"

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE dem (
            dem_id INTEGER PRIMARY KEY,
            province_code TEXT NOT NULL CHECK (length(province_code) = 2),
            source_file TEXT NOT NULL,
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            source_crs TEXT NOT NULL,
            crs TEXT NOT NULL,
            resolution_m REAL NOT NULL CHECK (resolution_m > 0),
            width INTEGER NOT NULL CHECK (width > 0),
            height INTEGER NOT NULL CHECK (height > 0),
            path TEXT NOT NULL,
            committed_by TEXT NOT NULL,
            committed_at TEXT NOT NULL,
            removed_by TEXT,
            removed_at TEXT
        )""",
        "CREATE INDEX dem_province ON dem (province_code, dem_id)",
    ]
}

COLUMNS: tuple[str, ...] = (
    "dem_id",
    "province_code",
    "source_file",
    "sha256",
    "source_crs",
    "crs",
    "resolution_m",
    "width",
    "height",
    "path",
    "committed_by",
    "committed_at",
    "removed_by",
    "removed_at",
)
"""Columns of :func:`listing` and :func:`current` (times are ISO 8601 UTC text)."""


def dem_store_path(imports_path: str | Path) -> Path:
    """The DEM store beside the import store ``imports_path``: ``<stem>.dem.sqlite``."""
    p = Path(imports_path)
    return p.with_name(p.stem + ".dem.sqlite")


def dem_folder(imports_path: str | Path) -> Path:
    """The folder of the cropped DEM files beside the import store: ``<stem>_dem/``."""
    p = Path(imports_path)
    return p.with_name(p.stem + "_dem")


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (and create or migrate) the DEM store at ``path``.

    Raises
    ------
    geo.store.sqlite.DatabaseFileError, geo.store.sqlite.DatabaseReadOnlyError
        Another program's file, a newer schema, damaged, or not writable.
    """
    return store.connect_wal(
        path,
        application_id=APPLICATION_ID,
        schema_version=SCHEMA_VERSION,
        migrations=MIGRATIONS,
        what_en=WHAT_EN,
        what_vi=WHAT_VI,
        env=ENV,
    )


def record(conn: sqlite3.Connection, values: dict, *, who: str) -> int:
    """Record a committed DEM; return its ``dem_id``.

    ``values`` holds the columns of :data:`COLUMNS` from ``province_code`` to ``path``.
    """
    row = {k: values[k] for k in COLUMNS[1:10]}
    row["committed_by"] = who or ""
    row["committed_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    with store.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI):
        cur = conn.execute(f"INSERT INTO dem ({names}) VALUES ({marks})", tuple(row.values()))
    return int(cur.lastrowid)


def remove(conn: sqlite3.Connection, dem_id: int, *, who: str) -> None:
    """Mark a DEM removed (its province falls back to the radius model or an earlier DEM)."""
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI):
        conn.execute(
            "UPDATE dem SET removed_by = ?, removed_at = ? WHERE dem_id = ? AND removed_at IS NULL",
            (who, at, int(dem_id)),
        )


def listing(conn: sqlite3.Connection, province_code: str | None = None) -> pd.DataFrame:
    """Every DEM record (of one province), newest first."""
    sql = "SELECT * FROM dem"
    args: tuple = ()
    if province_code is not None:
        sql += " WHERE province_code = ?"
        args = (province_code,)
    rows = conn.execute(sql + " ORDER BY dem_id DESC", args).fetchall()
    return pd.DataFrame([dict(r) for r in rows], columns=list(COLUMNS))


def current(conn: sqlite3.Connection, province_code: str) -> dict | None:
    """The province's current DEM record (latest not removed), or None."""
    row = conn.execute(
        "SELECT * FROM dem WHERE province_code = ? AND removed_at IS NULL "
        "ORDER BY dem_id DESC LIMIT 1",
        (province_code,),
    ).fetchone()
    return dict(row) if row is not None else None
