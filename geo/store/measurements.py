"""The measurement store: drive-test and crowd measurements, one import at a time.

One SQLite file (WAL, ``application_id`` "VNDK", ``user_version`` 1) made with
:mod:`geo.store.sqlite`, so a foreign, newer or damaged file is refused by name. Each import
(one file, or one sheet of a workbook) is a row of ``measurement_import`` with the file, its
content hash, the province, the number of rows, who committed it and when; its points are rows
of ``measurement``. Removing an import marks it removed (who, when): its points stay in the file
but are no longer read, so a removal can be traced.

File: ``$COVERAGE_MEASUREMENTS_DB``, else ``measurements.sqlite`` in :func:`geo.paths.data_home`.
All SQL of the measurements lives here.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from geo import paths
from geo.errors import InputError
from geo.store import sqlite as store

__all__ = [
    "APPLICATION_ID",
    "IMPORT_COLUMNS",
    "POINT_COLUMNS",
    "SCHEMA_VERSION",
    "add_import",
    "connect",
    "default_path",
    "import_record",
    "imports",
    "points",
    "remove",
    "version",
]

APPLICATION_ID = 0x564E444B  # "VNDK": Viet Nam Đo Kiểm
SCHEMA_VERSION = 1
ENV = "COVERAGE_MEASUREMENTS_DB"
WHAT_EN = "the measurement store"
WHAT_VI = "kho kết quả đo kiểm"

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE measurement_import (
            import_id INTEGER PRIMARY KEY,
            province_code TEXT NOT NULL,
            file TEXT NOT NULL,
            sheet TEXT,
            content_hash TEXT NOT NULL,
            n_rows INTEGER NOT NULL CHECK (n_rows >= 0),
            committed_by TEXT NOT NULL,
            committed_at TEXT NOT NULL,
            removed_by TEXT,
            removed_at TEXT
        )""",
        "CREATE INDEX measurement_import_province ON measurement_import (province_code)",
        """CREATE TABLE measurement (
            import_id INTEGER NOT NULL REFERENCES measurement_import (import_id),
            source_row INTEGER NOT NULL,
            measured_at TEXT NOT NULL,
            lon REAL NOT NULL,
            lat REAL NOT NULL,
            operator TEXT NOT NULL,
            technology TEXT NOT NULL,
            signal_dbm REAL,
            signal_kind TEXT,
            download_mbps REAL
        )""",
        "CREATE INDEX measurement_by_import ON measurement (import_id)",
    ]
}

IMPORT_COLUMNS: tuple[str, ...] = (
    "import_id",
    "province_code",
    "file",
    "sheet",
    "content_hash",
    "n_rows",
    "committed_by",
    "committed_at",
    "removed_by",
    "removed_at",
)
"""Columns of :func:`imports`; times are timezone-aware UTC timestamps."""

POINT_COLUMNS: tuple[str, ...] = (
    "import_id",
    "source_row",
    "measured_at",
    "lon",
    "lat",
    "operator",
    "technology",
    "signal_dbm",
    "signal_kind",
    "download_mbps",
)
"""Columns of :func:`points` (and of the frame :func:`add_import` takes, without
``import_id``)."""


def default_path() -> Path:
    """``$COVERAGE_MEASUREMENTS_DB``, else ``measurements.sqlite`` in :func:`geo.paths.data_home`."""
    env = os.environ.get(ENV)
    return Path(env).expanduser() if env else paths.data_home() / "measurements.sqlite"


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    """Open (and create or migrate) the measurement store.

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
    )


def _now(at: dt.datetime | None) -> str:
    return (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")


def add_import(
    conn: sqlite3.Connection,
    rows: pd.DataFrame,
    *,
    province_code: str,
    file: str,
    sheet: str | None,
    content_hash: str,
    user: str,
    at: dt.datetime | None = None,
) -> tuple[int, bool]:
    """Store one file's measurements in one transaction.

    Parameters
    ----------
    rows
        The measurements, with the columns of :data:`POINT_COLUMNS` but ``import_id``
        (``measured_at`` as datetime64).
    province_code, file, sheet, content_hash
        What the import is; the same content for the same province and sheet is stored once.
    user
        Who commits it (may be empty for the command line, kept as given).

    Returns
    -------
    (import_id, already)
        The import's id, and True when the same content was already stored (nothing added).
    """
    with store.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI):
        old = conn.execute(
            "SELECT import_id FROM measurement_import WHERE province_code = ? AND content_hash = ?"
            " AND coalesce(sheet, '') = coalesce(?, '') AND removed_at IS NULL",
            (province_code, content_hash, sheet),
        ).fetchone()
        if old is not None:
            return int(old["import_id"]), True
        cur = conn.execute(
            "INSERT INTO measurement_import (province_code, file, sheet, content_hash, n_rows, "
            "committed_by, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (province_code, file, sheet, content_hash, len(rows), user.strip(), _now(at)),
        )
        import_id = int(cur.lastrowid)
        when = pd.to_datetime(rows["measured_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
        values = pd.DataFrame(
            {
                "import_id": import_id,
                "source_row": rows["source_row"].astype("int64"),
                "measured_at": when,
                "lon": rows["lon"].astype(float),
                "lat": rows["lat"].astype(float),
                "operator": rows["operator"].astype(str),
                "technology": rows["technology"].astype(str),
                "signal_dbm": rows["signal_dbm"].astype(float),
                "signal_kind": rows["signal_kind"].astype(object),
                "download_mbps": rows["download_mbps"].astype(float),
            }
        )
        values = values.astype(object).where(values.notna(), None)
        conn.executemany(
            f"INSERT INTO measurement ({', '.join(POINT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(POINT_COLUMNS))})",
            values.itertuples(index=False, name=None),
        )
    return import_id, False


def imports(
    conn: sqlite3.Connection, province_codes: Sequence[str] | None = None, *, removed: bool = False
) -> pd.DataFrame:
    """The imports, newest first (of some provinces; with ``removed`` also the removed ones)."""
    sql = f"SELECT {', '.join(IMPORT_COLUMNS)} FROM measurement_import WHERE 1 = 1"
    args: list = []
    if province_codes is not None:
        sql += f" AND province_code IN ({', '.join('?' * len(province_codes))})"
        args += list(province_codes)
    if not removed:
        sql += " AND removed_at IS NULL"
    rows = conn.execute(sql + " ORDER BY import_id DESC", args).fetchall()
    df = pd.DataFrame([dict(r) for r in rows], columns=list(IMPORT_COLUMNS))
    for col in ("committed_at", "removed_at"):
        df[col] = pd.to_datetime(df[col], utc=True)
    df["import_id"] = df["import_id"].astype("int64")
    df["n_rows"] = df["n_rows"].astype("int64")
    return df


def import_record(conn: sqlite3.Connection, import_id: int) -> dict | None:
    """One import's row (:data:`IMPORT_COLUMNS`, times as stored), or None."""
    row = conn.execute(
        f"SELECT {', '.join(IMPORT_COLUMNS)} FROM measurement_import WHERE import_id = ?",
        (int(import_id),),
    ).fetchone()
    return None if row is None else dict(row)


def points(conn: sqlite3.Connection, province_codes: Sequence[str]) -> pd.DataFrame:
    """Every measurement of the provinces' imports that are not removed.

    Returns
    -------
    pandas.DataFrame
        :data:`POINT_COLUMNS`, plus ``file`` (the import's file); ``measured_at`` as
        datetime64.
    """
    marks = ", ".join("?" * len(province_codes))
    cur = conn.execute(
        f"SELECT {', '.join('m.' + c for c in POINT_COLUMNS)}, i.file FROM measurement m "
        "JOIN measurement_import i ON i.import_id = m.import_id "
        f"WHERE i.province_code IN ({marks}) AND i.removed_at IS NULL",
        list(province_codes),
    )
    data = cur.fetchall()
    columns = [*POINT_COLUMNS, "file"]
    if not data:
        df = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    else:
        df = pd.DataFrame(np.array(data, dtype=object), columns=columns)
    df["measured_at"] = pd.to_datetime(df["measured_at"], format="ISO8601")
    for col in ("lon", "lat", "signal_dbm", "download_mbps"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    for col in ("import_id", "source_row"):
        df[col] = df[col].astype("int64")
    return df


def version(conn: sqlite3.Connection, province_codes: Sequence[str]) -> tuple:
    """What identifies the provinces' measurements (a cache key): the live import ids."""
    marks = ", ".join("?" * len(province_codes))
    rows = conn.execute(
        f"SELECT import_id FROM measurement_import WHERE province_code IN ({marks}) "
        "AND removed_at IS NULL ORDER BY import_id",
        list(province_codes),
    ).fetchall()
    return tuple(int(r[0]) for r in rows)


def remove(
    conn: sqlite3.Connection, import_id: int, *, user: str, at: dt.datetime | None = None
) -> dict:
    """Take one import back (marked removed by ``user``; its points are no longer read).

    Raises
    ------
    InputError
        No such import, or it was already removed.
    """
    with store.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI):
        row = conn.execute(
            f"SELECT {', '.join(IMPORT_COLUMNS)} FROM measurement_import WHERE import_id = ?",
            (int(import_id),),
        ).fetchone()
        if row is None or row["removed_at"] is not None:
            state_en = "does not exist" if row is None else "was already removed"
            state_vi = "không tồn tại" if row is None else "đã được gỡ trước đó"
            raise InputError(
                f"Measurement import {import_id} {state_en}: list the imports with "
                "`python -m geo measurements list`.",
                f"Lần nhập đo kiểm {import_id} {state_vi}: xem danh sách bằng "
                "`python -m geo measurements list`.",
                field="import_id",
            )
        conn.execute(
            "UPDATE measurement_import SET removed_by = ?, removed_at = ? WHERE import_id = ?",
            (user.strip(), _now(at), int(import_id)),
        )
    return dict(row)
