"""The villages placed by hand, in the import store's file: the ``placements`` table's SQL.

The table lives in the import store (:mod:`geo.store.imports`), whose schema (version 3 on)
creates it and whose connections (:func:`geo.store.imports.opened`,
:func:`geo.store.imports.writing`) these functions take. Every placement is a row (nothing is
overwritten): the latest of a village wins, the earlier ones are its history. The checks (a
point in Viet Nam, in the village's commune) are :mod:`geo.placements`'.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import pandas as pd

__all__ = ["COLUMNS", "SCHEMA", "insert", "select"]

#: The table and its index (``IF NOT EXISTS``: stores of schema 2 may hold it already, made on
#: first use by earlier versions of the tool).
SCHEMA = """
CREATE TABLE IF NOT EXISTS placements (
    placement_id INTEGER PRIMARY KEY AUTOINCREMENT,
    province_code TEXT NOT NULL,
    village_id TEXT NOT NULL,
    village TEXT NOT NULL DEFAULT '',
    commune_code TEXT,
    commune TEXT NOT NULL DEFAULT '',
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    who TEXT NOT NULL,
    placed_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    inside_commune INTEGER NOT NULL,
    distance_m REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS placements_village
    ON placements (province_code, village_id, placement_id);
"""

#: Columns of :func:`select` (``when`` is the ``placed_at`` column).
COLUMNS = [
    "placement_id",
    "province_code",
    "village_id",
    "village",
    "commune_code",
    "commune",
    "lon",
    "lat",
    "who",
    "when",
    "note",
    "inside_commune",
    "distance_m",
]


def insert(
    con: sqlite3.Connection,
    *,
    province_code: str,
    village_id: str,
    village: str,
    commune_code: str | None,
    commune: str,
    lon: float,
    lat: float,
    who: str,
    when: str,
    note: str,
    inside_commune: bool,
    distance_m: float,
) -> int:
    """Store one placement (inside the caller's transaction); returns its ``placement_id``."""
    cur = con.execute(
        "INSERT INTO placements (province_code, village_id, village, commune_code, commune, "
        "lon, lat, who, placed_at, note, inside_commune, distance_m) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            province_code,
            village_id,
            village,
            commune_code,
            commune,
            lon,
            lat,
            who,
            when,
            note,
            int(inside_commune),
            distance_m,
        ),
    )
    return int(cur.lastrowid)


def select(
    con: sqlite3.Connection,
    province_code: str | None = None,
    village_ids: Iterable[str] | None = None,
    *,
    history: bool = False,
) -> pd.DataFrame:
    """The placements (newest first): the latest of each village, or all with ``history``;
    of one province and of some villages when given. Columns :data:`COLUMNS`
    (``inside_commune`` as stored, 0 or 1)."""
    where, params = [], []
    if province_code is not None:
        where.append("province_code = ?")
        params.append(str(province_code))
    if village_ids is not None:
        ids = [str(i) for i in village_ids]
        where.append(f"village_id IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    if not history:
        where.append(
            "placement_id IN (SELECT MAX(placement_id) FROM placements "
            "GROUP BY province_code, village_id)"
        )
    sql = (
        "SELECT placement_id, province_code, village_id, village, commune_code, commune, lon, "
        'lat, who, placed_at AS "when", note, inside_commune, distance_m FROM placements'
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY placement_id DESC"
    return pd.read_sql_query(sql, con, params=params)
