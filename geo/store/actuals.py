"""The planner's actuals (số liệu thực hiện): figures of a plan's appendix the tool does not measure.

One SQLite file (WAL, ``application_id`` "VNTH", ``user_version`` 1) made with
:mod:`geo.store.sqlite`, so a foreign, newer or damaged file is refused by name. Each figure is
keyed by ``(plan_id, row_key, year)`` (``row_key`` is the printed Stt of the appendix row, see
``data/plans/appendix_layout.csv``) and says who entered it and when. Entering a new value for a
key keeps the earlier one as history (``replaced_at`` set); one value per key is current.

File: ``$COVERAGE_ACTUALS_DB``, else ``actuals.sqlite`` in :func:`geo.paths.data_home`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from geo import paths
from geo.errors import InputError
from geo.store import sqlite as store

__all__ = [
    "APPLICATION_ID",
    "COLUMNS",
    "SCHEMA_VERSION",
    "connect",
    "current",
    "default_path",
    "history",
    "record",
]

APPLICATION_ID = 0x564E5448  # "VNTH": Viet Nam Thực Hiện
SCHEMA_VERSION = 1
ENV = "COVERAGE_ACTUALS_DB"
WHAT_EN = "the planner's actuals store"
WHAT_VI = "kho số liệu thực hiện do cán bộ nhập"

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE actual (
            id INTEGER PRIMARY KEY,
            plan_id TEXT NOT NULL,
            row_key TEXT NOT NULL,
            year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2200),
            value REAL NOT NULL,
            value_text TEXT NOT NULL,
            entered_by TEXT NOT NULL CHECK (length(trim(entered_by)) > 0),
            entered_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            replaced_at TEXT
        )""",
        """CREATE UNIQUE INDEX actual_current ON actual (plan_id, row_key, year)
           WHERE replaced_at IS NULL""",
        "CREATE INDEX actual_key ON actual (plan_id, row_key, year, id)",
    ]
}

COLUMNS: tuple[str, ...] = (
    "plan_id",
    "row_key",
    "year",
    "value",
    "value_text",
    "entered_by",
    "entered_at",
    "source",
    "replaced_at",
)
"""Columns of :func:`current` and :func:`history`; times are timezone-aware UTC timestamps."""


def default_path() -> Path:
    """``$COVERAGE_ACTUALS_DB``, else ``actuals.sqlite`` in :func:`geo.paths.data_home`."""
    env = os.environ.get(ENV)
    return Path(env).expanduser() if env else paths.data_home() / "actuals.sqlite"


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    """Open (and create or migrate) the actuals store.

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


def record(
    conn: sqlite3.Connection,
    plan_id: str,
    entries: Iterable[Mapping],
    *,
    user: str,
    source: str = "",
    at: dt.datetime | None = None,
) -> dict[str, int]:
    """Enter figures in one transaction; a changed value replaces the current one (kept as history).

    Parameters
    ----------
    plan_id
        E.g. ``"dienbien_4638"``.
    entries
        Mappings with ``row_key``, ``year``, ``value`` (float, on the plan's scale: 0–100 for %)
        and ``value_text`` (as entered).
    user
        Who enters them (non-empty).
    source
        Where they come from (a file name), kept with each figure.
    at
        When (default: now, UTC).

    Returns
    -------
    dict
        ``{"added": n, "replaced": n, "unchanged": n}``: a value equal to the current one is not
        entered again.
    """
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    counts = {"added": 0, "replaced": 0, "unchanged": 0}
    with store.transaction(conn, what_en=WHAT_EN, what_vi=WHAT_VI):
        for e in entries:
            key = (plan_id, str(e["row_key"]), int(e["year"]))
            value = float(e["value"])
            if math.isnan(value):  # no data is not a figure: never stored
                raise InputError(
                    f"Row {key[1]}, year {key[2]} has no value: leave the row out of the file",
                    f"Dòng {key[1]}, năm {key[2]} không có giá trị: bỏ dòng này khỏi tệp",
                    row=None, field="value",
                )
            old = conn.execute(
                "SELECT id, value FROM actual WHERE plan_id = ? AND row_key = ? AND year = ? "
                "AND replaced_at IS NULL",
                key,
            ).fetchone()
            if old is not None and old["value"] == value:
                counts["unchanged"] += 1
                continue
            if old is not None:
                conn.execute("UPDATE actual SET replaced_at = ? WHERE id = ?", (when, old["id"]))
                counts["replaced"] += 1
            else:
                counts["added"] += 1
            conn.execute(
                "INSERT INTO actual (plan_id, row_key, year, value, value_text, entered_by, "
                "entered_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, value, str(e.get("value_text", value)), user.strip(), when, source),
            )
    return counts


def _frame(rows: list[sqlite3.Row]) -> pd.DataFrame:
    df = pd.DataFrame([dict(r) for r in rows], columns=list(COLUMNS))
    for col in ("entered_at", "replaced_at"):
        df[col] = pd.to_datetime(df[col], utc=True)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    return df


def current(conn: sqlite3.Connection, plan_id: str, year: int | None = None) -> pd.DataFrame:
    """The current figure of each (row_key, year) of a plan, optionally of one year only."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM actual WHERE plan_id = ? AND replaced_at IS NULL"
    args: list = [plan_id]
    if year is not None:
        sql += " AND year = ?"
        args.append(int(year))
    return _frame(conn.execute(sql + " ORDER BY row_key, year", args).fetchall())


def history(conn: sqlite3.Connection, plan_id: str) -> pd.DataFrame:
    """Every figure ever entered for a plan, oldest first (``replaced_at`` empty when current)."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM actual WHERE plan_id = ? ORDER BY id"
    return _frame(conn.execute(sql, (plan_id,)).fetchall())
