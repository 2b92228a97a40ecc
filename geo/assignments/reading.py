"""Reading the register: one assignment, the current ones, the history, as points."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pandas as pd
import shapely

from geo.assignments.rules import _label
from geo.assignments.views import is_overdue
from geo.errors import InputError
from geo.i18n import local_iso
from geo.store import assignments as store
from geo.store.assignments import STATUSES, Session


def get(db: Session | store.Connection, village_id: str) -> dict | None:
    """The current assignment of a village as a dict of :data:`FIELDS`, or None."""
    return store.get_row(store.conn_of(db), str(village_id))


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("target_year", "source_row", "version"):
        if col in df:
            df[col] = pd.to_numeric(df[col]).astype("Int64")
    for col in ("lon", "lat"):
        if col in df:
            df[col] = pd.to_numeric(df[col]).astype("float64")
    return df


def current(
    db: Session | store.Connection,
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
    if statuses is not None:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise InputError(
                f"unknown status {bad[0]!r}; expected one of {', '.join(STATUSES)}",
                f"trạng thái {bad[0]!r} không hợp lệ; cần là một trong {', '.join(STATUSES)}",
                field="status",
            )
    units = {
        "province_code": province_code,
        "district_code": district_code,
        "commune_code": commune_code,
        "commune_2025_code": commune_2025_code,
    }
    df = store.select_current(store.conn_of(db), units, statuses)
    return _frame(df)


def history(
    db: Session | store.Connection,
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
    conn = store.conn_of(db)
    records = []
    for r in store.select_history(conn, village_id, province_code):
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


def history_local(history: pd.DataFrame) -> pd.DataFrame:
    """:func:`history` for a file people read: the same machine column names, ``at`` in
    Vietnam's time with its offset (``2025-03-05T00:30:00+07:00``, the same instant as the
    stored UTC time).

    Parameters
    ----------
    history
        :func:`history`.

    Returns
    -------
    pandas.DataFrame
        A copy; only ``at`` differs.
    """
    out = history.copy()
    if "at" in out:
        out["at"] = pd.Series([local_iso(x) for x in out["at"]], index=out.index, dtype=object)
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
