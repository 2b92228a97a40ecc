"""The planner's views of the register: per operator, per district, overdue, progress."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.assignments.rules import OWED_STATUSES, _today
from geo.errors import InputError
from geo.operators import OPERATORS, canonical_operator
from geo.store.assignments import STATUSES


def _status_counts(a: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if a.empty:
        return pd.DataFrame(columns=[*keys, *STATUSES])
    counts = (
        a.groupby([*keys, "status"], dropna=False, sort=False)
        .size()
        .unstack("status", fill_value=0)
        .reindex(columns=list(STATUSES), fill_value=0)
    )
    counts.columns.name = None
    return counts.reset_index()


def by_operator(
    assignments: pd.DataFrame, operator: str | None = None, *, owed_only: bool = False
) -> pd.DataFrame:
    """What each operator owes, by district and target year.

    Parameters
    ----------
    assignments
        :func:`current`.
    operator
        Only this operator (any spelling).
    owed_only
        Keep only the groups where something is still owed.

    Returns
    -------
    pandas.DataFrame
        ``operator``, ``district_code``, ``district``, ``target_year`` (Int64, <NA> when
        unknown), one count column per status, ``owed`` (assigned + under construction: not on
        air yet) and ``total``; operators in :data:`OPERATORS` order, then district, then year.
    """
    a = assignments
    if operator is not None:
        op = canonical_operator(operator)
        if op is None:
            raise InputError(
                f"unknown operator {operator!r}",
                f"doanh nghiệp {operator!r} không rõ",
                field="operator",
            )
        a = a[a["operator"] == op]
    keys = ["operator", "district_code", "district", "target_year"]
    out = _status_counts(a, keys)
    out["owed"] = out[list(OWED_STATUSES)].sum(axis=1).astype(int)
    out["total"] = out[list(STATUSES)].sum(axis=1).astype(int)
    if owed_only:
        out = out[out["owed"] > 0]
    if len(out):
        out["target_year"] = pd.to_numeric(out["target_year"]).astype("Int64")
        order = {op: i for i, op in enumerate(OPERATORS)}
        out = out.assign(_o=out["operator"].map(order)).sort_values(
            ["_o", "district_code", "target_year"], na_position="last"
        )
        out = out.drop(columns="_o")
    return out.reset_index(drop=True)


def is_overdue(a: pd.DataFrame, today: dt.date | None = None) -> np.ndarray:
    """Whether each assignment is overdue: its target year has passed (it is before today's
    year) and it is still ``assigned`` or ``under_construction``."""
    today = today or _today()
    year = pd.to_numeric(a["target_year"]).to_numpy(dtype=float)
    return (np.nan_to_num(year, nan=np.inf) < today.year) & a["status"].isin(
        OWED_STATUSES
    ).to_numpy()


def overdue(assignments: pd.DataFrame, *, today: dt.date | None = None) -> pd.DataFrame:
    """The assignments whose target year has passed and that are not on air.

    An assignment with target year Y is overdue from 1 January of Y + 1 while it is
    ``assigned`` or ``under_construction``.

    Returns
    -------
    pandas.DataFrame
        The rows of ``assignments`` that are overdue, with ``years_late`` (today's year minus
        the target year), most late first, then by district, commune, village.
    """
    today = today or _today()
    out = assignments.loc[is_overdue(assignments, today)].copy()
    out["years_late"] = (today.year - pd.to_numeric(out["target_year"])).astype("Int64")
    return out.sort_values(
        ["years_late", "district_code", "commune_code", "village"],
        ascending=[False, True, True, True],
    ).reset_index(drop=True)


def by_district(assignments: pd.DataFrame, *, today: dt.date | None = None) -> pd.DataFrame:
    """Assignments per district: counts by status, owed, overdue, and owed per operator.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``district``, one count per status, ``owed``, ``overdue``,
        ``total`` and ``owed_<operator>`` for each operator of :data:`OPERATORS`.
    """
    today = today or _today()
    keys = ["district_code", "district"]
    out = _status_counts(assignments, keys)
    out["owed"] = out[list(OWED_STATUSES)].sum(axis=1).astype(int)
    late = assignments.loc[is_overdue(assignments, today)]
    n_late = late.groupby("district_code", dropna=False).size()
    out["overdue"] = out["district_code"].map(n_late).fillna(0).astype(int)
    out["total"] = out[list(STATUSES)].sum(axis=1).astype(int)
    owed = assignments[assignments["status"].isin(OWED_STATUSES)]
    per_op = pd.crosstab(owed["district_code"], owed["operator"]) if len(owed) else None
    for op in OPERATORS:
        col = per_op[op] if per_op is not None and op in per_op else pd.Series(dtype=int)
        out[f"owed_{op}"] = out["district_code"].map(col).fillna(0).astype(int)
    return out.sort_values("district_code").reset_index(drop=True)


def progress(
    assignments: pd.DataFrame,
    plan_id: str | None = None,
    *,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Progress by year against the plan's targets: the data of the progress chart.

    Cumulative counts at the end of each year of the assignments not cancelled: ``due`` (target
    year reached), ``on_air`` (on air by then, verified ones included) and ``verified``; with
    their shares of ``total``. The plans set no yearly target per assigned village, only the
    yearly share of all villages with 3G/4G/5G (Phụ lục 1, row 3 of 4638/KH-UBND); it is given
    beside them as ``plan_target_share`` (fraction), for comparison, not as the same measure.

    Parameters
    ----------
    assignments
        :func:`current`.
    plan_id
        The plan whose ``villages_mobile_share`` targets to add (``"dienbien_4638"``).
    today
        Years run to today's year at least.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``total``, ``due``, ``on_air``, ``verified``, ``due_share``,
        ``on_air_share``, ``verified_share``, ``plan_target_share``, ``plan_actual_share``
        (the plan's current-state figure, e.g. 2020), one row per year from the earliest
        assignment (or plan figure) to the latest target year, plan year or today.
    """
    today = today or _today()
    a = assignments[assignments["status"] != "cancelled"]

    def years_of(col: str) -> np.ndarray:
        s = pd.to_datetime(a[col], errors="coerce")
        return s.dt.year.to_numpy(dtype=float)

    targets = pd.DataFrame(columns=["year", "kind", "value"])
    if plan_id is not None:
        from geo import plans

        t = plans.load_targets()
        m = plans.load_indicator_map()
        t = t.merge(m, on=["plan_id", "source_row", "indicator"], how="inner")
        targets = t[(t["plan_id"] == plan_id) & (t["tool_indicator"] == "villages_mobile_share")][
            ["year", "kind", "value"]
        ]
    target_year = pd.to_numeric(a["target_year"]).to_numpy(dtype=float)
    assigned = years_of("assigned_on")
    on_air = years_of("on_air_on")
    verified = years_of("verified_on")
    candidates = [today.year, *targets["year"].astype(int).tolist()]
    for arr in (target_year, assigned, on_air, verified):
        finite = arr[np.isfinite(arr)]
        if finite.size:
            candidates += [int(finite.min()), int(finite.max())]
    years = np.arange(min(candidates), max(candidates) + 1)
    total = len(a)

    def cumulative(arr: np.ndarray) -> np.ndarray:
        return (arr[None, :] <= years[:, None]).sum(axis=1) if arr.size else np.zeros_like(years)

    due = cumulative(np.nan_to_num(target_year, nan=np.inf))
    air = cumulative(np.nan_to_num(on_air, nan=np.inf))
    ver = cumulative(np.nan_to_num(verified, nan=np.inf))

    def share(x: np.ndarray) -> np.ndarray:
        return x / total if total else np.full(len(years), np.nan)

    tgt = targets[targets["kind"] == "target"].groupby("year")["value"].max() / 100.0
    act = targets[targets["kind"] == "actual"].groupby("year")["value"].max() / 100.0
    return pd.DataFrame(
        {
            "year": years.astype(int),
            "total": total,
            "due": due.astype(int),
            "on_air": air.astype(int),
            "verified": ver.astype(int),
            "due_share": share(due),
            "on_air_share": share(air),
            "verified_share": share(ver),
            "plan_target_share": pd.Series(years).map(tgt).to_numpy(dtype=float),
            "plan_actual_share": pd.Series(years).map(act).to_numpy(dtype=float),
        }
    )
