"""Snapshots (số liệu chốt kỳ): a scope's indicators frozen at a date, with the data that made them.

A planner closes a period ("Q4/2026", "Năm 2025") by saving a snapshot of a scope (a province,
a district before 01/07/2025 or a new commune from then, :class:`geo.workspace.Scope`): the
indicators (:func:`geo.workspace.indicators_for`) and the *versions* of what made them
(:func:`data_versions`):

* the import store: :func:`geo.workspace.store_version` of each old province and the list of
  its active imports (id, kind, file, rows, who, when);
* the assignment register: its last history change (``change_id``) and when it was made;
* the measurement store: its live imports of the provinces;
* the coverage model and settings: the evidence ranking (measured > declared > terrain >
  radius), the radii, the site-sharing distance, the year, the measurement rules, and which
  layers were synthetic;
* the tool's version.

Snapshots are kept in :mod:`geo.store.snapshots` and never edited: saving one with the label of
an earlier one of the same scope supersedes it, and the earlier one is kept. :func:`recompute`
builds the scope again from the snapshot's settings and says whether the data versions are still
the same; when they are, the numbers are the same (tested). :func:`compare` lines two snapshots
(or a snapshot and the current figures) up, indicator by indicator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

import geo
from geo import auth, province, workspace
from geo.errors import InputError
from geo.store import snapshots as store
from geo.vocab import Evidence, UnitSystem

__all__ = [
    "VN_TIME",
    "compare",
    "data_versions",
    "digest",
    "list_snapshots",
    "normalise",
    "numbers",
    "recompute",
    "scope_key",
    "scope_of",
    "settings_of",
    "take",
]

VN_TIME = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")

#: Indicators that are not figures of the scope (left out of :func:`numbers`).
_NOT_FIGURES = {
    "year",
    "target_year",
    "sharing_distance_m",
    "coverage_radii_m",
    "targets",
    "targets_not_measured",
    "sources",
    "definitions",
}


# ---------------------------------------------------------------------------------------------
# Scope, settings and data versions
# ---------------------------------------------------------------------------------------------


def scope_key(scope: workspace.Scope) -> str:
    """What identifies a scope across snapshots: ``"pre2025|11|"`` (province), ``"pre2025|11|
    094"`` (a district), ``"2025|11|03157"`` (a new commune)."""
    sub = scope.district_code or scope.commune_2025_code or ""
    return f"{scope.units}|{scope.province_code}|{sub}"


def _settings_dict(settings: workspace.Settings) -> dict:
    """Every field of the settings, JSON-able (``radii`` also as ``radii_m``, a mapping)."""
    out = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    for name, value in list(out.items()):
        if dataclasses.is_dataclass(value):
            out[name] = dataclasses.asdict(value)
        elif isinstance(value, dt.date):
            out[name] = value.isoformat()
    out["radii_m"] = settings.radii_m
    return out


def _pairs(value):
    """JSON lists back as the tuples the settings hold."""
    if isinstance(value, list):
        return tuple(_pairs(v) for v in value)
    return value


def settings_of(snapshot: Mapping) -> workspace.Settings:
    """The :class:`geo.workspace.Settings` a snapshot was computed with (fields the snapshot
    does not record keep their defaults)."""
    stored = dict(snapshot["settings"])
    default = workspace.Settings()
    values = {}
    for f in dataclasses.fields(default):
        if f.name not in stored:
            continue
        value, now = stored[f.name], getattr(default, f.name)
        if dataclasses.is_dataclass(now) and isinstance(value, Mapping):
            value = type(now)(**{k: _pairs(v) for k, v in value.items()})
        elif f.name == "as_of" and value is not None:
            value = dt.date.fromisoformat(value)
        else:
            value = _pairs(value)
        values[f.name] = value
    if "radii" not in stored and "radii_m" in stored:
        values["radii"] = tuple(sorted((str(k), float(v)) for k, v in stored["radii_m"].items()))
    return dataclasses.replace(default, **values)


def scope_of(snapshot: Mapping) -> workspace.Scope:
    """The :class:`geo.workspace.Scope` of a snapshot (resolved again from its codes)."""
    return workspace.resolve_scope(
        str(snapshot["province_code"]),
        units_system=UnitSystem(snapshot["units"]),
        district=snapshot.get("district_code") or None,
        commune_2025=snapshot.get("commune_2025_code") or None,
    )


def _register_version(path: Path | None) -> dict:
    """The register's last change (id and time), or nulls when it does not exist."""
    if path is None or not Path(path).is_file():
        return {"last_change_id": None, "last_change_at": None}
    from geo import assignments as asg

    conn = asg.connect(path)
    try:
        h = asg.history(conn)
    finally:
        conn.close()
    if h.empty:
        return {"last_change_id": None, "last_change_at": None}
    last = h.loc[h["change_id"].idxmax()]
    return {"last_change_id": int(last["change_id"]), "last_change_at": str(last["at"])}


def _measurements_version(stores: workspace.Stores, codes) -> list[int] | None:
    """The live measurement imports of the provinces, or None without a measurement store."""
    path = getattr(stores, "measurements", None)
    if path is None or not Path(path).is_file():
        return None
    from geo.store import measurements as measurement_store

    conn = measurement_store.connect(path)
    try:
        return list(measurement_store.version(conn, list(codes)))
    finally:
        conn.close()


def _import_list(path: Path | None, codes) -> list[dict]:
    if path is None or not Path(path).is_file():
        return []
    from geo import imports

    frame = imports.Store(path).imports(None)
    frame = frame[frame["province_code"].isin(list(codes))]
    keep = [
        "import_id",
        "province_code",
        "kind",
        "file",
        "n_rows",
        "committed_at",
        "committed_by",
        "mode",
    ]
    out = frame[[c for c in keep if c in frame.columns]].sort_values("import_id")
    return json.loads(out.to_json(orient="records", force_ascii=False))


def data_versions(
    scope: workspace.Scope,
    settings: workspace.Settings,
    stores: workspace.Stores,
    sources: Mapping | None = None,
) -> dict:
    """The versions of the data a scope's indicators are computed from.

    Parameters
    ----------
    scope, settings, stores
        As given to :func:`geo.workspace.build`.
    sources
        ``model.sources`` (which layers are synthetic), recorded as they were.

    Returns
    -------
    dict
        ``imports`` ({old province code: store version}), ``import_files`` (the active
        imports), ``register`` (``last_change_id``, ``last_change_at``), ``measurements``
        (the live measurement imports), ``coverage_model`` (the evidence ranking, radii,
        sharing distance, year, the measurement rules), ``synthetic`` (the synthetic layers) and
        ``tool`` (the tool's version). Two equal dicts mean the same inputs.
    """
    versions = workspace.store_version(stores.imports, scope.codes)
    synthetic = sorted(
        k for k, v in (sources or {}).items() if isinstance(v, Mapping) and v.get("synthetic")
    )
    return {
        "imports": {c: list(v) for c, v in zip(scope.codes, versions, strict=True)},
        "import_files": _import_list(stores.imports, scope.codes),
        "register": _register_version(stores.assignments),
        "measurements": _measurements_version(stores, scope.codes),
        "coverage_model": {
            "evidence_order": [str(e) for e in Evidence],
            **_settings_dict(settings),
        },
        "synthetic": synthetic,
        "tool": geo.__version__,
    }


def _comparable_versions(v: Mapping) -> dict:
    """The parts of :func:`data_versions` that decide the numbers (not the register's time)."""
    return {
        k: v.get(k)
        for k in (
            "imports",
            "import_files",
            "register",
            "measurements",
            "coverage_model",
            "synthetic",
        )
    }


# ---------------------------------------------------------------------------------------------
# Indicators as stored
# ---------------------------------------------------------------------------------------------


def normalise(result: Mapping) -> dict:
    """An indicators dict as it is stored and read back (JSON: keys as text, numbers as
    floats or ints, dates as text), so that a stored and a recomputed result compare."""
    return json.loads(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str))


def digest(result: Mapping) -> str:
    """The sha256 of the stored form of an indicators dict."""
    text = json.dumps(normalise(result), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def numbers(result: Mapping) -> dict[str, float]:
    """The figures of an indicators dict, flat: ``villages``, ``villages_mobile_share``,
    ``unserved_by_operator.Viettel``, … (shares as fractions 0–1); texts, targets, sources
    and definitions left out."""
    out: dict[str, float] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float):
            if not (isinstance(value, float) and math.isnan(value)):
                out[prefix] = float(value)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)

    for key, value in result.items():
        if key not in _NOT_FIGURES:
            walk(key, value)
    return out


# ---------------------------------------------------------------------------------------------
# Taking, listing, recomputing, comparing
# ---------------------------------------------------------------------------------------------


def _check_label(label: str) -> str:
    text = " ".join(str(label or "").split())
    if not text or len(text) > 40 or any(ord(ch) < 32 for ch in str(label)):
        raise InputError(
            f"The snapshot label {label!r} must be 1 to 40 characters on one line, e.g. "
            "'Q4/2026' or 'Năm 2025'.",
            f"Nhãn kỳ chốt số liệu {label!r} phải có 1 đến 40 ký tự trên một dòng, ví dụ "
            "'Quý 4/2026' hoặc 'Năm 2025'.",
            field="--snapshot",
        )
    return text


def _authorize(account: auth.Account, scope: workspace.Scope) -> None:
    """A snapshot is a province planner's (or an admin's) write in the province."""
    auth.authorize(
        account, auth.Action.READ, province_code=scope.codes[0], district_code=scope.district_code
    )
    if account.role not in (auth.Role.ADMIN, auth.Role.PROVINCE_PLANNER) and not account.demo:
        raise auth.PermissionDeniedError(
            f"{account.name} may not save a snapshot: only a province planner or an admin "
            "closes a period's figures. Ask the province planner.",
            f"{account.name} không được chốt số liệu: chỉ Cán bộ tỉnh hoặc Quản trị chốt số "
            "liệu kỳ. Hãy nhờ Cán bộ tỉnh.",
        )


def today_vn() -> dt.date:
    """Today in Vietnam."""
    return dt.datetime.now(VN_TIME).date()


def take(
    scope: workspace.Scope,
    label: str,
    *,
    settings: workspace.Settings,
    stores: workspace.Stores,
    account: auth.Account = auth.CONSOLE,
    user: str = "",
    as_of: dt.date | None = None,
    model=None,
    result: Mapping | None = None,
    db: str | Path | None = None,
    loader: Callable[[str], province.ProvinceData] = province.load_province,
) -> dict:
    """Save the indicators of ``scope`` as a snapshot labelled ``label``.

    Parameters
    ----------
    scope, settings, stores
        What to compute, as for :func:`geo.workspace.build`.
    label
        The period, e.g. "Q4/2026" (1–40 characters).
    account, user
        Who saves it (:func:`geo.auth.recorded_name`; ``user`` names the command line's
        :data:`geo.auth.CONSOLE`).
    as_of
        The date the snapshot stands for (default today in Vietnam).
    model, result
        The built model and its indicators when the caller has them (else built here).
    db
        The snapshot store (default :func:`geo.store.snapshots.default_path`).

    Returns
    -------
    dict
        The stored snapshot (``snapshot_id``, ``supersedes`` the earlier one of the same label
        and scope, or None).

    Raises
    ------
    InputError
        A bad label.
    geo.auth.PermissionDeniedError
        The account may not save a snapshot of this scope.
    """
    text = _check_label(label)
    _authorize(account, scope)
    if result is None:
        model = (
            model
            if model is not None
            else workspace.build(scope, settings, stores=stores, loader=loader)
        )
        result = workspace.indicators_for(model, scope, settings)
    sources = result.get("sources") if model is None else model.sources
    record = {
        "label": text,
        "scope_key": scope_key(scope),
        "units": str(scope.units),
        "province_code": scope.province_code,
        "province": scope.province,
        "district_code": scope.district_code,
        "commune_2025_code": scope.commune_2025_code,
        "place": scope.place,
        "as_of": (as_of or today_vn()).isoformat(),
        "year": settings.year,
        "settings": _settings_dict(settings),
        "versions": data_versions(scope, settings, stores, sources),
        "indicators": normalise(result),
        "digest": digest(result),
        "created_by": auth.recorded_name(account, user),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    conn = store.connect(db)
    try:
        return store.insert(conn, record)
    finally:
        conn.close()


def list_snapshots(
    db: str | Path | None = None,
    *,
    province_code: str | None = None,
    scope: workspace.Scope | None = None,
    current_only: bool = False,
) -> pd.DataFrame:
    """The snapshots of the store (oldest first); empty when the store does not exist yet.

    Parameters
    ----------
    province_code
        Only this province (the code in the snapshot's units).
    scope
        Only this scope (:func:`scope_key`).
    current_only
        Leave out superseded snapshots.
    """
    path = store.default_path() if db is None else Path(db)
    if not path.is_file():
        return store.empty_frame()
    conn = store.connect(path)
    try:
        return store.select(
            conn,
            province_code=province_code,
            scope_key=None if scope is None else scope_key(scope),
            current_only=current_only,
        )
    finally:
        conn.close()


def get(snapshot_id: int, db: str | Path | None = None) -> dict:
    """One snapshot by id.

    Raises
    ------
    InputError
        No snapshot has this id (the message says how to list them).
    """
    path = store.default_path() if db is None else Path(db)
    found = None
    if path.is_file():
        conn = store.connect(path)
        try:
            found = store.get(conn, snapshot_id)
        finally:
            conn.close()
    if found is None:
        raise InputError(
            f"No snapshot #{snapshot_id} in {path}: list them with python -m geo snapshots list",
            f"Không có kỳ chốt số liệu #{snapshot_id} trong {path}: xem danh sách bằng "
            "python -m geo snapshots list",
            file=str(path),
            field="snapshot_id",
        )
    return found


def recompute(
    snapshot: Mapping,
    *,
    stores: workspace.Stores,
    loader: Callable[[str], province.ProvinceData] = province.load_province,
) -> tuple[dict, bool]:
    """Compute a snapshot's scope again with its settings, from the stores as they are now.

    Returns
    -------
    (dict, bool)
        The indicators (:func:`normalise`) and whether the data versions are those the
        snapshot recorded (then the numbers must be the snapshot's).
    """
    scope = scope_of(snapshot)
    settings = settings_of(snapshot)
    model = workspace.build(scope, settings, stores=stores, loader=loader)
    result = normalise(workspace.indicators_for(model, scope, settings))
    now = data_versions(scope, settings, stores, model.sources)
    same = normalise(_comparable_versions(now)) == normalise(
        _comparable_versions(snapshot["versions"])
    )
    return result, same


def compare(a: Mapping, b: Mapping) -> pd.DataFrame:
    """Two indicator dicts (snapshots' ``indicators`` or a current result), figure by figure.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` (the key of :func:`numbers`), ``a``, ``b`` and ``change`` (b − a; NaN
        where one side lacks the figure), in the order of ``a`` then the keys only ``b`` has.
    """
    na, nb = numbers(a), numbers(b)
    keys = list(dict.fromkeys([*na, *nb]))
    out = pd.DataFrame(
        {
            "indicator": keys,
            "a": pd.Series([na.get(k) for k in keys], dtype="float64"),
            "b": pd.Series([nb.get(k) for k in keys], dtype="float64"),
        }
    )
    out["change"] = out["b"] - out["a"]
    return out
