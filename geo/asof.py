"""As of a date: the register and the sites as they were at the end of a past day.

* :func:`register_as_of` replays the register's append-only history
  (:func:`geo.store.assignments.select_history`) up to the end of a day in Vietnam's time: each
  village's assignment as the register held it then (created, changed, undone, assigned again),
  in the columns of :func:`geo.assignments.current`. Vectorised over the changes: the last value
  of each field since the village's last creation, one pivot.
* :func:`effective_status` is the status the dated fields say a village had on a day
  (``assigned_on`` ≤ day → assigned, ``construction_on`` → under construction, ``on_air_on`` →
  on air, ``verified_on`` → verified, ``cancelled_on`` → cancelled): what the planner recorded
  as having happened by then, even when it was entered later.
* :func:`sites_on_air` keeps the sites on air by the end of a day (``on_air_date``).

Times in the register are UTC; a day ends at 24:00 in Vietnam (UTC+7), so a change saved at
18:00 UTC on 30/06 belongs to 01/07.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.store import assignments as store
from geo.store.assignments import Connection

__all__ = [
    "VN_TIME",
    "changes",
    "cutoff",
    "effective_status",
    "empty_register",
    "read_register_as_of",
    "register_as_of",
    "sites_on_air",
    "status_dates",
]

VN_TIME = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
_META = ("version", "updated_by", "updated_at")
_STATUS_ORDER = ("assigned", "under_construction", "on_air", "verified", "cancelled")


def cutoff(when: dt.date) -> pd.Timestamp:
    """The end of ``when`` in Vietnam (00:00 of the next day, UTC+7) as a UTC timestamp."""
    end = dt.datetime.combine(when + dt.timedelta(days=1), dt.time(0), tzinfo=VN_TIME)
    return pd.Timestamp(end).tz_convert("UTC")


def changes(conn: Connection, province_code: str | None = None) -> pd.DataFrame:
    """The register's history, one row per change, oldest first.

    Returns
    -------
    pandas.DataFrame
        ``change_id``, ``village_id``, ``version``, ``action``, ``user``, ``at`` (UTC
        timestamp), ``old`` and ``new`` (the changed fields as dicts; None for a created or a
        removed assignment).
    """
    rows = store.select_history(conn, None, None)
    out = pd.DataFrame(
        rows,
        columns=[
            "change_id",
            "village_id",
            "version",
            "action",
            "old_value",
            "new_value",
            "user",
            "at",
            "session_id",
            "undoes",
            "undone",
        ],
    )
    out["old"] = pd.Series([_json(r["old_value"]) for r in rows], index=out.index, dtype=object)
    out["new"] = pd.Series([_json(r["new_value"]) for r in rows], index=out.index, dtype=object)
    out["at"] = pd.to_datetime(out["at"], utc=True)
    out = out.drop(columns=["old_value", "new_value", "session_id", "undoes", "undone"])
    if province_code is not None:
        province = _province_of(out)
        out = out[out["village_id"].map(province) == str(province_code)]
    return out.sort_values("change_id").reset_index(drop=True)


def _json(text: str | None) -> dict | None:
    return None if text is None else json.loads(text)


def _province_of(ch: pd.DataFrame) -> dict:
    """Each village's province code as its history last gave it."""
    pairs = [
        (v, d.get("province_code"))
        for v, d in zip(ch["village_id"], ch["new"], strict=True)
        if d and d.get("province_code")
    ]
    return dict(pairs)


def empty_register() -> pd.DataFrame:
    """A register frame with no row (the columns of :func:`geo.assignments.current`)."""
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in [*store.FIELDS, "status_date"]})
    return _typed(out)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("target_year", "source_row", "version"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    for col in ("lon", "lat"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    return df


def register_as_of(history: pd.DataFrame, when: dt.date) -> pd.DataFrame:
    """The register as it stood at the end of ``when`` (Vietnam time).

    Parameters
    ----------
    history
        :func:`changes`.
    when
        The day.

    Returns
    -------
    pandas.DataFrame
        One row per village assigned then, in the columns of :func:`geo.assignments.current`
        (``version``, ``updated_by`` and ``updated_at`` those of its last change by then);
        sorted by province, district, commune, village. Villages whose assignment was undone
        away by then are absent.
    """
    h = history[history["at"] < cutoff(when)]
    if h.empty:
        return empty_register()
    last = h.groupby("village_id", sort=False).tail(1).set_index("village_id")
    alive = last.index[last["new"].notna()]
    created = h[h["old"].isna()].groupby("village_id")["change_id"].max()
    h = h[h["village_id"].isin(alive)]
    h = h[h["change_id"].to_numpy() >= h["village_id"].map(created).to_numpy()]
    long = pd.DataFrame(
        [
            (v, c, k, x)
            for v, c, new in zip(h["village_id"], h["change_id"], h["new"], strict=True)
            for k, x in new.items()
        ],
        columns=["village_id", "change_id", "field", "value"],
    )
    latest = long.drop_duplicates(["village_id", "field"], keep="last")
    wide = latest.pivot(index="village_id", columns="field", values="value")
    wide = wide.reindex(
        index=alive, columns=[f for f in store.FIELDS if f not in _META and f != "village_id"]
    )
    wide = wide.astype(object).where(wide.notna(), None)
    meta = last.loc[alive]
    wide["version"] = meta["version"].to_numpy()
    wide["updated_by"] = meta["user"].to_numpy()
    wide["updated_at"] = meta["at"].map(lambda ts: ts.isoformat(timespec="seconds")).to_numpy()
    out = wide.reset_index(names="village_id")[list(store.FIELDS)]
    out.columns.name = None
    status = out["status"].astype(str).to_numpy()
    dates = [out[store.STATUS_DATE_FIELDS[s]].to_numpy() for s in _STATUS_ORDER]
    out["status_date"] = np.select([status == s for s in _STATUS_ORDER], dates, default=None)
    keys = ["province_code", "district_code", "commune_code", "village", "village_id"]
    out = out.sort_values(keys, key=lambda s: s.fillna("").astype(str)).reset_index(drop=True)
    return _typed(out)


def read_register_as_of(
    path: str | Path, when: dt.date, *, province_code: str | None = None
) -> pd.DataFrame:
    """:func:`register_as_of` of the register file at ``path`` (an empty frame when it does not
    exist), optionally of one province."""
    path = Path(path)
    if not path.is_file():
        return empty_register()
    conn = store.connect(path)
    try:
        hist = changes(conn, province_code)
    finally:
        conn.close()
    return register_as_of(hist, when)


def effective_status(assignments: pd.DataFrame, when: dt.date) -> pd.Series:
    """The status each assignment had on ``when`` by its dated fields (None when it was not
    assigned yet): the latest status whose date is on or before ``when``."""
    day = when.isoformat()
    out = pd.Series([None] * len(assignments), index=assignments.index, dtype=object)
    for status in _STATUS_ORDER:  # five statuses, each a whole-column step
        col = assignments[store.STATUS_DATE_FIELDS[status]]
        reached = col.notna() & (col.astype(str).str[:10] <= day)
        if status == "cancelled":
            out = out.where(~reached, status)
        else:
            out = out.where(~reached | out.eq("cancelled"), status)
    return out


def status_dates(assignments: pd.DataFrame) -> dict[str, pd.Series]:
    """The dated status fields of the assignments (``assigned_on`` … ``cancelled_on``)."""
    return {
        store.STATUS_DATE_FIELDS[s]: assignments[store.STATUS_DATE_FIELDS[s]] for s in _STATUS_ORDER
    }


def sites_on_air(
    sites: gpd.GeoDataFrame, when: dt.date, *, keep_unknown: bool = True
) -> gpd.GeoDataFrame:
    """The sites on air by the end of ``when`` (``on_air_date`` on or before it); sites with
    no date are kept unless ``keep_unknown`` is False (as :func:`geo.sites.on_air_by`)."""
    if "on_air_date" not in sites.columns:
        return sites.copy() if keep_unknown else sites.iloc[0:0].copy()
    dates = pd.to_datetime(sites["on_air_date"], errors="coerce")
    keep = (dates < pd.Timestamp(when + dt.timedelta(days=1))).to_numpy()
    if keep_unknown:
        keep = keep | dates.isna().to_numpy()
    return sites.loc[keep].copy()
