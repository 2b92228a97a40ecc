"""What the yearly report ("Báo cáo kết quả thực hiện Kế hoạch …") is made of, read once.

:func:`gather` builds the scope's model for the report's year (sites on air by 31/12) through
:func:`geo.workspace.build`, and reads the stores the report needs: the planner's actuals of the
plan (:mod:`geo.store.actuals`), the register's assignments of the scope
(:mod:`geo.assignments`) and the scope's snapshots (:mod:`geo.snapshots`). The result,
:class:`ReportData`, is what :mod:`layers.report` turns into the .docx and .xlsx (``layers``
opens no store). The command line (``python -m geo report``) and the app's Báo cáo page both
call :func:`gather`, so the file is the same from either.

The Phụ lục 1 table is the plan's: it is laid out in the units before 01/07/2025 for the
plan's area (the province, or the district of a district plan). In the units from 01/07/2025
the indicators of that old province are computed for the table (``appendix_result``) and the
rest of the report follows the new units.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import asof, plans, province, snapshots, workspace
from geo.store import actuals as actuals_store
from geo.vocab import UnitSystem

__all__ = ["ReportData", "gather"]


@dataclasses.dataclass
class ReportData:
    """Everything the yearly report shows.

    Attributes
    ----------
    scope, settings
        The report's scope and settings (``settings.year`` is the report's year).
    year
        The year reported on.
    model
        The scope's model (for the map figure).
    result
        The scope's indicators (:func:`geo.workspace.indicators_for`).
    plan_id
        The plan whose Phụ lục 1 is reported (None when the province has none laid out).
    appendix_result
        The indicators of the plan's area, in the units before 01/07/2025 (the table's).
    status
        The scope's villages (:func:`geo.workspace.scoped_status`).
    assignments
        The register's assignments of the scope (:func:`geo.assignments.current`).
    actuals
        The planner's figures of the plan, every year (:func:`geo.store.actuals.current`).
    snapshots
        The scope's snapshots, superseded ones left out.
    synthetic
        The synthetic layers (:func:`geo.workspace.synthetic_layers`).
    declared
        The plan's unserved villages of the scope (Phụ lục 2), or None.
    status_on
        When the year reported on is over: its last day, and the assignments are those made
        by then, in the status their dates give on that day (:func:`geo.asof.effective_status`).
    """

    scope: workspace.Scope
    settings: workspace.Settings
    year: int
    model: object
    result: dict
    plan_id: str | None
    appendix_result: dict | None
    status: gpd.GeoDataFrame
    assignments: pd.DataFrame
    actuals: pd.DataFrame | None
    snapshots: pd.DataFrame
    synthetic: list[str]
    declared: pd.DataFrame | None = None
    status_on: dt.date | None = None


def _assignments(scope: workspace.Scope, path: Path | None, status: pd.DataFrame) -> pd.DataFrame:
    from geo import assignments as asg

    if path is None or not Path(path).is_file():
        return pd.DataFrame(columns=[*asg.FIELDS, "status_date"])
    conn = asg.connect(path)
    try:
        parts = [asg.current(conn, province_code=c) for c in scope.codes]
    finally:
        conn.close()
    a = pd.concat(parts, ignore_index=True)
    if scope.units == UnitSystem.PRE2025 and scope.district_code is not None:
        a = a[a["district_code"] == scope.district_code]
    elif scope.units == UnitSystem.U2025 and scope.commune_2025_code is not None:
        ids = set(status["village_id"])
        a = a[a["village_id"].isin(ids) | (a["commune_2025_code"] == scope.commune_2025_code)]
    return a.reset_index(drop=True)


def _on(a: pd.DataFrame, day: dt.date | None) -> pd.DataFrame:
    """The assignments made by ``day``, in the status their dates give then (all, as they
    are, when ``day`` is None)."""
    if day is None or a.empty:
        return a
    status = asof.effective_status(a, day)
    out = a[status.notna()].copy()
    out["status"] = status[status.notna()]
    for field, when in asof.status_dates(out).items():
        out.loc[when.isna() | (when.astype(str).str[:10] > day.isoformat()), field] = None
    return out.reset_index(drop=True)


def _declared(model, scope: workspace.Scope) -> pd.DataFrame | None:
    """The plan's unserved villages of the scope."""
    d = getattr(model, "declared", None)
    if d is None or d.empty:
        return None
    if scope.units == UnitSystem.PRE2025 and scope.district_code is not None:
        d = d[d["district_code"] == scope.district_code]
    elif scope.units == UnitSystem.U2025 and scope.commune_2025_code is not None:
        d = d[d["commune_2025_code"] == scope.commune_2025_code]
    return pd.DataFrame(d.drop(columns="geometry", errors="ignore")).reset_index(drop=True)


def _actuals(plan_id: str | None, path: str | Path | None) -> pd.DataFrame | None:
    file = actuals_store.default_path() if path is None else Path(path)
    if plan_id is None or not file.is_file():
        return None
    conn = actuals_store.connect(file)
    try:
        return actuals_store.current(conn, plan_id)
    finally:
        conn.close()


def _plan(scope: workspace.Scope, plan_id: str | None) -> str | None:
    district = scope.district_code if scope.units == UnitSystem.PRE2025 else None
    return plans.choose_plan(scope.codes[0], district, plan_id)


def gather(
    scope: workspace.Scope,
    year: int,
    *,
    settings: workspace.Settings | None = None,
    stores: workspace.Stores | None = None,
    plan_id: str | None = None,
    actuals_db: str | Path | None = None,
    snapshots_db: str | Path | None = None,
    model=None,
    loader: Callable[[str], province.ProvinceData] = province.load_province,
) -> ReportData:
    """Build and read what the yearly report of ``scope`` for ``year`` shows.

    Parameters
    ----------
    scope
        :func:`geo.workspace.resolve_scope`.
    year
        The year reported on: sites on air by 31/12, the targets of that year.
    settings
        Radii and sharing distance (its year is replaced by ``year``); defaults when None.
    stores
        The import store and the register (default :meth:`geo.workspace.Stores.default`).
    plan_id
        The plan when the province has several (see :func:`geo.plans.choose_plan`).
    actuals_db, snapshots_db
        The planner's actuals and the snapshot store (default: their default paths).
    model
        The scope's model for ``year`` when the caller has it.

    Raises
    ------
    InputError
        ``plan_id`` is not a plan of the province, or several fit and none was chosen.
    """
    base = settings or workspace.Settings()
    settings = dataclasses.replace(base, year=int(year))
    stores = workspace.Stores.default() if stores is None else stores
    if model is None:
        model = workspace.build(scope, settings, stores=stores, loader=loader)
    result = workspace.indicators_for(model, scope, settings)
    status = workspace.scoped_status(model, scope)
    chosen = _plan(scope, plan_id)
    appendix_result = None
    if chosen is not None:
        if scope.units == UnitSystem.PRE2025:
            appendix_result = result
        else:
            old = workspace.resolve_scope(scope.codes[0])
            old_model = workspace.build(old, settings, stores=stores, loader=loader)
            appendix_result = workspace.indicators_for(old_model, old, settings)
    snaps = snapshots.list_snapshots(snapshots_db, scope=scope, current_only=True)
    end = dt.date(int(year), 12, 31)
    status_on = end if end < snapshots.today_vn() else None
    return ReportData(
        scope=scope,
        settings=settings,
        year=int(year),
        model=model,
        result=result,
        plan_id=chosen,
        appendix_result=appendix_result,
        status=status,
        assignments=_on(_assignments(scope, stores.assignments, status), status_on),
        actuals=_actuals(chosen, actuals_db),
        snapshots=snaps,
        synthetic=workspace.synthetic_layers(model),
        declared=_declared(model, scope),
        status_on=status_on,
    )
