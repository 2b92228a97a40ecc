"""Evidence: every piece of evidence on a village's coverage by an operator, and the one it rests on.

Four kinds (:class:`geo.vocab.Evidence`), strongest first: *measured* (drive-test or crowd
measurements, :mod:`geo.measurements`), *declared* (the operator's imported coverage polygons),
*terrain* (the terrain model on the province's DEM, where the model says so in its ``evidence``
column) and *radius* (a fixed radius around each site, always there). :func:`pieces` lists, for
each village and operator, every piece with its source and date; :func:`strongest` picks, per
village and operator, the strongest piece available (a NumPy kernel over a kinds × villages ×
operators array, no loop per village); :func:`apply` writes the result into the model's village
status, so that the map, the tables, the exports and the indicators count the same status:

* ``Viettel`` … ``Gmobile``: the status from the strongest evidence;
* ``evidence_Viettel`` … ``evidence_Gmobile``: the kind it rests on (an :class:`Evidence` value);
* ``mobile_broadband`` and ``gap_class`` recomputed from them;
* ``evidence``: what the village's ``mobile_broadband`` rests on: when covered, the strongest
  kind among the operators covering it; when not, the weakest kind among the operators counted
  (a "no service" is only as sure as its least sure operator).

:func:`evidence_counts` gives how many villages rest on each kind (for the indicators);
:func:`describe` the lines of a village's popup in Vietnamese or English.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import coverage, i18n
from geo.sites import MOBILE_BROADBAND, OPERATORS
from geo.vocab import Evidence

__all__ = [
    "KINDS",
    "PIECE_COLUMNS",
    "apply",
    "declared_origin",
    "declared_table",
    "describe",
    "evidence_column",
    "evidence_counts",
    "pieces",
    "strongest",
]

KINDS: tuple[Evidence, ...] = tuple(sorted(Evidence, key=lambda e: e.rank))
"""The kinds of evidence, strongest first (the order of :attr:`Evidence.rank`)."""

PIECE_COLUMNS = [
    "village_id", "operator", "evidence", "covered", "source", "date", "count", "share_above",
    "technology",
]  # fmt: skip
"""Columns of :func:`pieces`: ``count``, ``share_above`` and ``technology`` are the measured
figures (NaN for the other kinds); ``date`` the measurement's last date or the declared
import's date (NaT for the models)."""


def evidence_column(operator: str) -> str:
    """The status column holding the kind an operator's status rests on (``evidence_VNPT``)."""
    return f"evidence_{operator}"


# ---------------------------------------------------------------------------------------------
# The kernel
# ---------------------------------------------------------------------------------------------


def strongest(available: np.ndarray, covered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The strongest available evidence of each cell, and its status.

    Parameters
    ----------
    available, covered
        Bool arrays of shape (kinds, …), kinds in :data:`KINDS` order (strongest first).

    Returns
    -------
    (kind, status)
        ``kind``: the index into :data:`KINDS` of the first available kind (the last kind,
        radius, where none is); ``status``: that kind's ``covered`` (False where none is).
    """
    available = np.asarray(available, dtype=bool)
    covered = np.asarray(covered, dtype=bool)
    any_available = available.any(axis=0)
    kind = np.where(any_available, available.argmax(axis=0), len(available) - 1)
    status = np.take_along_axis(covered, kind[None], axis=0)[0] & any_available
    return kind, status


# ---------------------------------------------------------------------------------------------
# The pieces
# ---------------------------------------------------------------------------------------------


def declared_table(villages: gpd.GeoDataFrame, declared: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Declared coverage per village and operator, for the operators that declared any.

    Only polygons of broadband technologies count (a polygon without technology counts).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``villages``, one bool column per operator that has a declared polygon
        (none when nothing is declared).
    """
    if declared is None or not len(declared):
        return pd.DataFrame(index=villages.index)
    d = declared
    if "technology" in d:
        tech = d["technology"]
        d = d[tech.isna() | tech.astype(str).isin(MOBILE_BROADBAND)]
    table = coverage.declared_coverage(villages, d)
    ops = [op for op in OPERATORS if op in set(d["operator"])]
    return table[ops]


def declared_origin(imports: list[pd.DataFrame] | None) -> pd.DataFrame:
    """Per operator, where its declared coverage comes from: the files of the committed
    ``coverage`` imports naming it (``source``, "operator-declared coverage: a.kml; b.kml")
    and the date of the latest (``date``, Vietnam's calendar day).

    Parameters
    ----------
    imports
        Import tables (:meth:`geo.imports.Store.imports`: ``kind``, ``file``, ``operators``,
        ``committed_at``), e.g. one per old province.

    Returns
    -------
    pandas.DataFrame
        Indexed by operator; empty without any coverage import.
    """
    frames = [f for f in (imports or []) if f is not None and len(f)]
    if not frames:
        return pd.DataFrame(columns=["source", "date"])
    done = pd.concat(frames, ignore_index=True)
    done = done[done["kind"].astype(str) == "coverage"].explode("operators")
    done = done[done["operators"].notna()]
    if not len(done):
        return pd.DataFrame(columns=["source", "date"])
    when = pd.to_datetime(done["committed_at"], utc=True).dt.tz_convert("Asia/Ho_Chi_Minh")
    done = done.assign(date=when.dt.tz_localize(None).dt.normalize())
    g = done.sort_values("file").groupby("operators")
    out = pd.DataFrame({
        "source": "operator-declared coverage: "
        + g["file"].agg(lambda s: "; ".join(dict.fromkeys(map(str, s)))),
        "date": g["date"].max(),
    })  # fmt: skip
    out.index.name = "operator"
    return out


def _models(status: pd.DataFrame) -> pd.DataFrame:
    """Per operator, whether the model's status is the terrain model's (the terrain engineer's
    ``evidence`` column, or ``evidence_<operator>``, says ``terrain``)."""
    out = pd.DataFrame(False, index=status.index, columns=list(OPERATORS))
    for op in OPERATORS:
        col = evidence_column(op) if evidence_column(op) in status else "evidence"
        if col in status:
            out[op] = (status[col].astype(str) == Evidence.TERRAIN).to_numpy()
    return out


def _arrays(
    status: pd.DataFrame,
    radius: pd.DataFrame,
    declared: pd.DataFrame,
    measured: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """(available, covered) of shape (kinds, villages, operators) in :data:`KINDS` order."""
    n, m = len(status), len(OPERATORS)
    available = np.zeros((len(KINDS), n, m), dtype=bool)
    covered = np.zeros((len(KINDS), n, m), dtype=bool)
    k = {kind: i for i, kind in enumerate(KINDS)}
    if len(measured):
        row = pd.Index(status["village_id"]).get_indexer(measured["village_id"])
        col = pd.Index(OPERATORS).get_indexer(measured["operator"])
        ok = (row >= 0) & (col >= 0)
        available[k[Evidence.MEASURED], row[ok], col[ok]] = True
        covered[k[Evidence.MEASURED], row[ok], col[ok]] = measured["covered"].to_numpy(bool)[ok]
    for op in declared.columns:
        j = OPERATORS.index(op)
        available[k[Evidence.DECLARED], :, j] = True
        covered[k[Evidence.DECLARED], :, j] = declared[op].to_numpy(dtype=bool)
    terrain = _models(status)
    model_values = status[list(OPERATORS)].to_numpy(dtype=bool)
    available[k[Evidence.TERRAIN]] = terrain.to_numpy()
    covered[k[Evidence.TERRAIN]] = model_values & terrain.to_numpy()
    available[k[Evidence.RADIUS]] = True
    covered[k[Evidence.RADIUS]] = radius[list(OPERATORS)].to_numpy(dtype=bool)
    return available, covered


def pieces(
    status: pd.DataFrame,
    *,
    radius: pd.DataFrame,
    declared: pd.DataFrame | None = None,
    measured: pd.DataFrame | None = None,
    radius_source: str = "radius model",
    declared_origin: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every piece of evidence per village and operator, strongest first.

    Parameters
    ----------
    status
        The model's villages (``village_id`` and one bool column per operator; an
        ``evidence`` or ``evidence_<operator>`` column saying ``terrain`` marks the terrain
        model's status).
    radius
        The radius model's coverage (:func:`geo.coverage.operator_coverage`), aligned to
        ``status``.
    declared
        :func:`declared_table`: the declaring operators' columns.
    measured
        :func:`geo.measurements.village_status`.
    radius_source
        What to say the radius model is (its radii; whether the sites are synthetic).
    declared_origin
        :func:`declared_origin`: per operator, the files of its declared coverage and the
        date of the latest.

    Returns
    -------
    pandas.DataFrame
        :data:`PIECE_COLUMNS`, sorted by village, operator and strength.
    """
    declared = pd.DataFrame(index=status.index) if declared is None else declared
    measured = pd.DataFrame(columns=["village_id", "operator", "covered"]) if measured is None \
        else measured  # fmt: skip
    available, covered = _arrays(status, radius, declared, measured)
    kind_idx, village_idx, op_idx = np.nonzero(available)
    out = pd.DataFrame(
        {
            "village_id": status["village_id"].to_numpy()[village_idx],
            "operator": np.asarray(OPERATORS, dtype=object)[op_idx],
            "evidence": np.asarray([e.value for e in KINDS], dtype=object)[kind_idx],
            "covered": covered[kind_idx, village_idx, op_idx],
        }
    )
    out["_rank"] = kind_idx
    sources = {
        Evidence.RADIUS: radius_source,
        Evidence.TERRAIN: "terrain model (DEM)",
        Evidence.DECLARED: "operator-declared coverage",
    }
    out["source"] = out["evidence"].map(sources)
    out["date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    if declared_origin is not None and len(declared_origin):
        is_d = (out["evidence"] == Evidence.DECLARED).to_numpy()
        ops = out.loc[is_d, "operator"]
        files = ops.map(declared_origin["source"])
        out.loc[is_d, "source"] = files.where(files.notna(), out.loc[is_d, "source"])
        out.loc[is_d, "date"] = ops.map(declared_origin["date"]).to_numpy()
    for col in ("count", "share_above"):
        out[col] = np.nan
    out["technology"] = None
    if len(measured):
        m = measured.set_index(["village_id", "operator"])
        is_m = (out["evidence"] == Evidence.MEASURED).to_numpy()
        key = pd.MultiIndex.from_arrays([out.loc[is_m, "village_id"], out.loc[is_m, "operator"]])
        for col, src in (("count", "count"), ("share_above", "share_above"),
                         ("technology", "technology"), ("source", "files"),
                         ("date", "last_measured")):  # fmt: skip
            out.loc[is_m, col] = m[src].reindex(key).to_numpy()
    out = out.sort_values(["village_id", "operator", "_rank"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)[PIECE_COLUMNS]


# ---------------------------------------------------------------------------------------------
# The status
# ---------------------------------------------------------------------------------------------


def apply(
    status: gpd.GeoDataFrame,
    *,
    radius: pd.DataFrame,
    declared: pd.DataFrame | None = None,
    measured: pd.DataFrame | None = None,
    operators: tuple[str, ...] | None = None,
) -> gpd.GeoDataFrame:
    """The village status from the strongest evidence of each village and operator.

    Parameters
    ----------
    status
        The model's villages (see :func:`pieces`).
    radius, declared, measured
        As in :func:`pieces`.
    operators
        The operators counted in the gap class (those with broadband sites); the operators
        with any covered village after the evidence are added.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``status`` with the operator columns, ``evidence_<operator>``,
        ``mobile_broadband``, ``gap_class`` and ``evidence`` (see the module's docstring).
    """
    declared = pd.DataFrame(index=status.index) if declared is None else declared
    measured = pd.DataFrame(columns=["village_id", "operator", "covered"]) if measured is None \
        else measured  # fmt: skip
    available, covered = _arrays(status, radius, declared, measured)
    kind, value = strongest(available, covered)
    out = status.copy()
    labels = np.asarray([e.value for e in KINDS], dtype=object)
    for j, op in enumerate(OPERATORS):
        out[op] = value[:, j]
        out[evidence_column(op)] = labels[kind[:, j]]
    counted = list(operators or ())
    counted += [op for j, op in enumerate(OPERATORS) if value[:, j].any() and op not in counted]
    counted = [op for op in OPERATORS if op in counted]
    table = pd.DataFrame(value, index=out.index, columns=list(OPERATORS))
    out["mobile_broadband"] = coverage.mobile_broadband(table).to_numpy()
    out["gap_class"] = coverage.gap_class(table, counted).to_numpy()
    out["evidence"] = _village_evidence(kind, value, [OPERATORS.index(op) for op in counted])
    return out


def _village_evidence(kind: np.ndarray, value: np.ndarray, counted: list[int]) -> np.ndarray:
    """What each village's ``mobile_broadband`` rests on (see the module's docstring)."""
    labels = np.asarray([e.value for e in KINDS], dtype=object)
    weakest = len(KINDS) - 1
    if not counted:
        return np.full(len(kind), labels[weakest], dtype=object)
    k = kind[:, counted]
    v = value[:, counted]
    best_covering = np.where(v, k, len(KINDS)).min(axis=1)
    weakest_counted = k.max(axis=1)
    chosen = np.where(v.any(axis=1), best_covering, weakest_counted)
    return labels[chosen]


def evidence_counts(status: pd.DataFrame) -> pd.Series:
    """How many villages rest on each kind of evidence.

    Parameters
    ----------
    status
        Villages with the ``evidence`` column of :func:`apply` (without it, every village
        rests on the radius model).

    Returns
    -------
    pandas.Series
        Named ``evidence_counts``, indexed by every :class:`Evidence` value strongest first,
        ints (0 for a kind no village rests on).
    """
    index = pd.Index([e.value for e in KINDS], name="evidence")
    if "evidence" not in status:
        values = pd.Series(Evidence.RADIUS.value, index=status.index)
    else:
        values = status["evidence"].astype(str)
    counts = values.value_counts().reindex(index, fill_value=0).astype("int64")
    return counts.rename("evidence_counts")


def describe(village_pieces: pd.DataFrame, lang: str = "vi") -> list[str]:
    """Lines for a village's popup: per operator, each piece of evidence, the one used first.

    Parameters
    ----------
    village_pieces
        The rows of :func:`pieces` of one village.
    lang
        "vi" or "en".

    Returns
    -------
    list of str
        Plain text (escape it before it goes into HTML), e.g. ``"Viettel: Đo kiểm thực tế —
        có sóng (12 điểm, 83,3 % đạt ngưỡng, 4G, 03/11/2026) ✓"``.
    """
    lines = []
    for op, rows in village_pieces.groupby("operator", sort=False):
        for i, r in enumerate(rows.itertuples(index=False)):
            state = i18n.t("evidence.covered" if r.covered else "evidence.not_covered", lang)
            extra = []
            if r.evidence == Evidence.MEASURED:
                extra.append(i18n.t("evidence.points", lang, n=i18n.fmt_number(r.count, lang)))
                share = i18n.fmt_percent(r.share_above, lang)
                extra += [i18n.t("evidence.share_above", lang, share=share), str(r.technology)]
            if not pd.isna(r.date):
                extra.append(i18n.fmt_date(r.date, lang))
            text = f"{op}: {i18n.enum_label(Evidence(r.evidence), lang)} — {state}"
            text += f" ({', '.join(extra)})" if extra else ""
            lines.append(text + (" ✓" if i == 0 else ""))
    return lines


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


def apply_model(
    model, points: pd.DataFrame | None = None, rules=None, declared_imports=None
) -> None:
    """Put the evidence into a :class:`geo.pipeline.Model` (in place).

    ``model.status`` gets the columns of :func:`apply`; ``model.communes`` its
    ``villages_mobile`` and ``villages_mobile_share`` recounted from them; ``model.sources``
    a ``measurements`` entry (files, points, rules); ``model.evidence_pieces`` the table of
    :func:`pieces` and ``model.measured`` the per-village measurement table
    (:func:`geo.measurements.aggregate`, empty without measurements).

    Parameters
    ----------
    model
        The model (:func:`geo.pipeline.build`), with ``declared_coverage`` set when any.
    points
        The scope's measurements (:func:`geo.measurements.load_points`), or None.
    rules
        :class:`geo.measurements.Rules` (the defaults when None).
    declared_imports
        The import tables the declared coverage comes from (:func:`declared_origin`).
    """
    from geo import measurements

    rules = measurements.Rules() if rules is None else rules
    status = model.status
    radius = coverage.operator_coverage(status, model.sites, radii=model.radii)
    declared = declared_table(status, getattr(model, "declared_coverage", None))
    if points is not None and len(points):
        aggregates = measurements.aggregate(points, status, rules)
        measured = measurements.village_status(aggregates, rules)
        files = sorted(set(points["file"].astype(str))) if "file" in points else []
    else:
        aggregates = pd.DataFrame(columns=measurements.AGGREGATE_COLUMNS)
        measured = pd.DataFrame(columns=measurements.STATUS_COLUMNS)
        files = []
    radius_text = "radius model: " + ", ".join(
        f"{t} {r / 1000:g} km" for t, r in model.radii.items() if t in MOBILE_BROADBAND
    )
    if model.sources.get("sites", {}).get("synthetic"):
        radius_text += "; sites SYNTHETIC"
    model.evidence_pieces = pieces(
        status,
        radius=radius,
        declared=declared,
        measured=measured,
        radius_source=radius_text,
        declared_origin=declared_origin(declared_imports),
    )
    model.status = apply(
        status,
        radius=radius,
        declared=declared,
        measured=measured,
        operators=radius.attrs.get("operators"),
    )
    model.measured = aggregates
    communes = model.communes
    mobile = model.status.groupby("gid_3")["mobile_broadband"].sum()
    communes["villages_mobile"] = communes["gid_3"].map(mobile).fillna(0).astype(int).to_numpy()
    communes["villages_mobile_share"] = communes["villages_mobile"] / communes["villages"].where(
        communes["villages"] > 0
    )
    model.sources["measurements"] = {
        "synthetic": any("synthetic" in f.lower() for f in files),
        "source": "; ".join(files) or None,
        "available": bool(files),
        "points": 0 if points is None else int(len(points)),
        "villages_measured": int(measured["village_id"].nunique()) if len(measured) else 0,
        "within_m": rules.within_m,
        "min_count": rules.min_count,
        "min_share": rules.min_share,
    }


def export_columns(layer: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """A village layer with the evidence its statuses rest on: ``evidence`` and
    ``evidence_<operator>`` from ``status`` (by ``village_id``), before ``geometry``.

    A layer without ``village_id``, or a status without ``evidence``, is returned unchanged.
    """
    if "village_id" not in layer or "evidence" not in status:
        return layer
    cols = ["evidence", *(evidence_column(op) for op in OPERATORS if evidence_column(op) in status)]
    table = status.drop_duplicates("village_id").set_index("village_id")[cols]
    out = layer.copy()
    for col in cols:
        out[col] = out["village_id"].map(table[col]).to_numpy()
    if "geometry" in out:
        out = out[[c for c in out.columns if c != "geometry"] + ["geometry"]]
    return out
