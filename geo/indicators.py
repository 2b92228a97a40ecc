"""The plans' indicators, computed for a province, a district or a commune, beside their targets.

Keys of :func:`compute` (shares are fractions 0–1; counts are ints):

villages, villages_mobile_share, villages_fibre_share, population, population_covered, sites,
physical_sites, site_sharing_rate, total_not_spots, partial_not_spots, unserved_by_operator,
villages_operator_share (per operator), villages_located_by_commune, declared_vs_modelled,
targets (per tool indicator, the plans' figures for the target year with ``comparable``, ``why``
and ``why_vi`` (why the tool's figure differs, in English and Vietnamese) and ``met``),
targets_not_measured (the plans' figures no tool indicator measures, with ``why`` and
``why_vi``), sources (which layers are synthetic) and definitions (how each is computed).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo import evidence, names, plans
from geo import sites as sites_mod
from geo.errors import AmbiguousUnitError, UnitNotFoundError
from geo.pipeline import Model

DEFAULT_TARGET_YEAR = 2025

DEFINITIONS = {
    "villages": "villages in the register (GeoNames, partial) plus the plan's declared villages",
    "villages_mobile_share": "share of villages within the radius of a 3G/4G/5G site of any "
    "operator (indicative radius model)",
    "villages_fibre_share": "share of villages with FTTH from any operator in the fibre layer",
    "population_covered": "2019 census population of each commune spread by WorldPop 2020 "
    "weights, summed over pixels inside 3G/4G/5G coverage",
    "sites": "stations: distinct operator and site_id (an operator's list has one row per "
    "station and technology: site_records)",
    "site_sharing_rate": sites_mod.SITE_SHARING_DEFINITION["en"],
    "total_not_spots": "villages no operator covers with 3G/4G/5G",
    "partial_not_spots": "villages covered by some but not all operators that have sites",
    "evidence_counts": "villages whose mobile-broadband status rests on each kind of evidence "
    "(measured > operator-declared > terrain model > radius model; the strongest available)",
}


def resolve_district(text: str, communes: pd.DataFrame) -> str:
    """A district of ``communes`` given by GSO code or name in any spelling."""
    table = communes.dropna(subset=["district_code"]).drop_duplicates("district_code")
    t = str(text).strip()
    if t.isdigit() and t.zfill(3) in set(table["district_code"]):
        return t.zfill(3)
    cand = pd.DataFrame(
        {"name": table["district"].to_numpy(), "id": table["district_code"].to_numpy()}
    )
    m = names.match_within(
        pd.DataFrame({"name": [t]}), cand, level="district", query_group=None, cand_group=None
    )
    status = m["match_status"].iloc[0]
    if status in ("exact", "normalised", "fuzzy"):
        return str(m["match_id"].iloc[0])
    cls = AmbiguousUnitError if status == "ambiguous" else UnitNotFoundError
    raise cls(
        f"No single district of this province matches {t!r}.",
        f"Không tìm thấy đúng một huyện khớp với {t!r} trong tỉnh.",
        field="district",
    )


def _share(n: int, d: int) -> float | None:
    return None if d == 0 else n / d


def _clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def compute(
    model: Model,
    *,
    district: str | None = None,
    commune_code: str | None = None,
    year: int | None = None,
) -> dict:
    """Indicators of the province (or one district / commune) of ``model``.

    Parameters
    ----------
    district
        District name or code; ``None`` for the whole province.
    commune_code
        One commune (pre-2025 code).
    year
        The target year read from the plans (sites were filtered when the model was built);
        2025, the plans' horizon, when ``None``.
    """
    status = model.status
    communes = model.communes
    site_frame = model.sites
    declared = model.declared
    scope = {"province_code": model.province_code, "province": model.province}
    if district is not None:
        code = resolve_district(district, communes)
        status = status[status["district_code"] == code]
        communes = communes[communes["district_code"] == code]
        scope |= {"district_code": code, "district": communes["district"].iloc[0]}
        if declared is not None:
            declared = declared[declared["district_code"] == code]
    if commune_code is not None:
        status = status[status["commune_code"] == commune_code]
        communes = communes[communes["commune_code"] == commune_code]
        scope |= {
            "commune_code": commune_code,
            "commune": communes["commune"].iloc[0] if len(communes) else None,
        }
        if declared is not None:
            declared = declared[declared["commune_code"] == commune_code]
    if district is not None or commune_code is not None:
        keep = site_frame.sjoin(communes[["geometry"]], predicate="within", how="inner").index
        site_frame = site_frame.loc[site_frame.index.isin(keep)]

    n = len(status)
    sharing = (
        sites_mod.site_sharing(site_frame, site_frame["physical_site_id"])
        if len(site_frame)
        else {
            "sites": 0,
            "site_records": 0,
            "physical_sites": 0,
            "shared_physical_sites": 0,
            "site_sharing_rate": None,
        }
    )
    ops_present = [op for op in sites_mod.OPERATORS if op in set(site_frame["operator"])]
    unserved_by_operator = (
        {op: int(c) for op, c in declared["operator"].value_counts().items()}
        if declared is not None
        else {}
    )
    dvm = {}
    if declared is not None and n:
        d_ids = set(declared["village_id"])
        in_decl = status["village_id"].isin(d_ids)
        dvm = {
            "declared_unserved": len(d_ids),
            "declared_unserved_modelled_covered": int((in_decl & status["mobile_broadband"]).sum()),
            "modelled_not_spot_not_declared": int((~in_decl & ~status["mobile_broadband"]).sum()),
        }
    pop = communes["population"].dropna()
    result = {
        **scope,
        "units": "pre2025",
        "year": year if year is not None else model.year,
        "target_year": year or model.year or DEFAULT_TARGET_YEAR,
        "villages": n,
        "villages_mobile_share": _share(int(status["mobile_broadband"].sum()), n),
        "villages_fibre_share": _share(int(status["fibre"].sum()), n),
        "population": int(pop.sum()),
        "population_covered": int(round(float(communes["population_covered"].fillna(0).sum()))),
        "population_covered_share": _share(
            float(communes["population_covered"].fillna(0).sum()), int(pop.sum())
        ),
        "sites": int(sharing["sites"]),
        "site_records": int(sharing["site_records"]),
        "physical_sites": int(sharing["physical_sites"]),
        "shared_physical_sites": int(sharing["shared_physical_sites"]),
        "site_sharing_rate": sharing["site_sharing_rate"],
        "total_not_spots": int((status["gap_class"] == "none").sum()),
        "partial_not_spots": int((status["gap_class"] == "partial").sum()),
        "unserved_by_operator": unserved_by_operator,
        "villages_operator_share": {op: _share(int(status[op].sum()), n) for op in ops_present},
        "villages_located_by_commune": int((status["location_precision"] == "commune").sum()),
        "evidence_counts": {k: int(v) for k, v in evidence.evidence_counts(status).items()},
        "declared_vs_modelled": dvm,
        "coverage_radii_m": model.radii,
        "sources": model.sources,
        "definitions": DEFINITIONS
        | {
            "site_sharing_rate": DEFINITIONS["site_sharing_rate"].format(
                distance=model.sharing_distance_m
            )
        },
    }
    if not model.sources["sites"].get("available", True):
        for key in (
            "villages_mobile_share",
            "population_covered",
            "population_covered_share",
            "total_not_spots",
            "partial_not_spots",
            "site_sharing_rate",
        ):
            result[key] = None
        result["villages_operator_share"] = {}
        result["declared_vs_modelled"] = {}
    if not model.sources["fibre"].get("available", True):
        result["villages_fibre_share"] = None
    result["targets"] = _targets(result, model, scope)
    result["sharing_distance_m"] = model.sharing_distance_m
    return {k: _clean(v) for k, v in result.items()}


def _targets(result: dict, model: Model, scope: dict) -> dict:
    """The plans' figures for the target year, by tool indicator, with whether each is met.

    Both kinds of figure are given: ``kind="target"`` (Mục tiêu) and ``kind="actual"`` (the
    plan's own current-state figure, Thực hiện), so that a year the plan reports rather than
    targets (2020 in 4638/KH-UBND) can still be compared.
    """
    year = result["target_year"]
    out: dict[str, list[dict]] = {}
    not_measured: list[dict] = []
    district_code = scope.get("district_code")
    for plan_id in plans.plans_for_province(model.province_code):
        t = plans.load_targets()
        meta = t[t["plan_id"] == plan_id].iloc[0]
        plan_district = str(meta.get("district_code") or "")
        if plan_district and plan_district != district_code:
            continue
        rows = pd.concat(
            [
                plans.targets_for(plan_id, year).assign(kind="target"),
                plans.targets_for(plan_id, year, kind="actual").assign(kind="actual"),
            ],
            ignore_index=True,
        )
        for _, r in rows[rows["tool_indicator"] == ""].iterrows():
            not_measured.append(
                {
                    "plan_id": plan_id,
                    "document": str(meta["document"]),
                    "source_row": str(r["source_row"]),
                    "indicator": r["indicator"],
                    "unit": r["unit"],
                    "year": int(year),
                    "kind": r["kind"],
                    "comparator": r["comparator"],
                    "value": float(r["value"]),
                    "value_text": r["value_text"],
                    "why": r["why"],
                    "why_vi": r["why_vi"],
                }
            )
        for _, r in rows[rows["tool_indicator"] != ""].iterrows():
            key = r["tool_indicator"]
            actual = _actual_for(result, key)
            met = None
            if actual is not None and r["comparable"] != "no":
                try:
                    met = bool(plans.meets_target(actual, r))
                except Exception:  # unit not comparable (e.g. counts vs %)
                    met = None
            out.setdefault(key, []).append(
                {
                    "plan_id": plan_id,
                    "document": str(meta["document"]),
                    "source_row": str(r["source_row"]),
                    "indicator": r["indicator"],
                    "unit": r["unit"],
                    "year": int(year),
                    "kind": r["kind"],
                    "comparator": r["comparator"],
                    "value": float(r["value"]),
                    "value_text": r["value_text"],
                    "comparable": r["comparable"],
                    "why": r["why"],
                    "why_vi": r["why_vi"],
                    "actual": actual,
                    "met": met,
                }
            )
    result["targets_not_measured"] = not_measured
    return out


def _actual_for(result: dict, key: str):
    if key.startswith("villages_operator_share_"):
        return result["villages_operator_share"].get(key.removeprefix("villages_operator_share_"))
    v = result.get(key)
    return v if isinstance(v, int | float) else None


MAIN_KEYS = [
    "villages",
    "villages_mobile_share",
    "villages_fibre_share",
    "population",
    "population_covered",
    "sites",
    "site_records",
    "physical_sites",
    "site_sharing_rate",
    "total_not_spots",
    "partial_not_spots",
    "villages_located_by_commune",
]


def to_frame(result: dict) -> pd.DataFrame:
    """The indicators as rows (indicator, value, target…) for CSV and tables."""
    rows = []
    for key in MAIN_KEYS:
        targets = result["targets"].get(key, [])
        t = targets[0] if targets else {}
        rows.append(
            {
                "indicator": key,
                "value": result.get(key),
                "target_year": result["target_year"] if t else None,
                "target_comparator": t.get("comparator"),
                "target_value": t.get("value"),
                "target_unit": t.get("unit"),
                "comparable": t.get("comparable"),
                "met": t.get("met"),
                "plan": t.get("document"),
            }
        )
    for op, c in result["unserved_by_operator"].items():
        rows.append({"indicator": f"unserved_by_operator_{op}", "value": c})
    for op, s in result["villages_operator_share"].items():
        rows.append({"indicator": f"villages_operator_share_{op}", "value": s})
    frame = pd.DataFrame(rows)
    frame["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # counts stay ints
    return frame


# ---------------------------------------------------------------------------------------------
# Recompute fast: the register-dependent counts after one change
# ---------------------------------------------------------------------------------------------

_OPEN = frozenset({"assigned", "under_construction", "on_air"})


def _village_code(status: str, covered: bool, by_assigned: bool, has_operator: bool) -> str:
    """The disagreement code of one village, by the rules of
    :func:`geo.assignments.served_status` (later rules win, as there)."""
    code = ""
    if status == "verified" and not covered:
        code = "verified_not_covered"
    if status == "verified" and covered and not by_assigned and has_operator:
        code = "verified_operator_not_covering"
    if status in _OPEN and covered:
        code = "covered_not_verified"
    if status == "on_air" and not covered:
        code = "on_air_not_covered"
    return code


class ServedIndex:
    """The register-dependent counts of a scope, kept current one change at a time.

    The model's per-village status (coverage, operators covering) does not change when an
    assignment is made or its status moves; only whether each village counts as served
    (verified, or covered by the coverage data) and where the register and the data disagree.
    Built once from the model's villages and the register (:func:`geo.assignments.served_status`,
    vectorised), then :meth:`update` changes one village's assignment in constant time and
    :meth:`counts` gives ``villages_served``, ``villages_verified_only`` and
    ``register_disagreements`` (as :func:`layers.tables.count_served` adds them), with
    :meth:`served_share` the share of villages served.

    Parameters
    ----------
    model_status
        The model's villages of the scope (``village_id``, ``mobile_broadband``, one bool
        column per operator).
    assignments
        :func:`geo.assignments.current` of the same scope.
    """

    def __init__(self, model_status: pd.DataFrame, assignments: pd.DataFrame) -> None:
        from geo import assignments as asg
        from geo.operators import OPERATORS

        ss = asg.served_status(model_status, assignments)
        self.n = len(model_status)
        self.ops = [op for op in OPERATORS if op in model_status.columns]
        self._col = {op: i for i, op in enumerate(self.ops)}
        self.covered = model_status["mobile_broadband"].fillna(False).astype(bool).to_numpy()
        self.by_op = model_status[self.ops].fillna(False).astype(bool).to_numpy()
        self.status = ss["assignment_status"].to_numpy(dtype=object).copy()
        self.operator = ss["assigned_operator"].to_numpy(dtype=object).copy()
        self.served = ss["served"].to_numpy(dtype=bool).copy()
        self.code = ss["disagreement"].to_numpy(dtype=object).copy()
        vid = model_status["village_id"].astype(str).to_numpy()
        self._rows = pd.Series(np.arange(self.n)).groupby(vid).indices
        self.n_served = int(self.served.sum())
        self.n_verified_only = int((self.served & ~self.covered).sum())
        self.n_disagree = int((self.code != "").sum())

    def update(self, village_id: str, status: str | None, operator: str | None) -> bool:
        """One village's assignment is now ``status`` with ``operator`` (None or "": no
        assignment, e.g. after an undo of the first write). Returns False when the village is
        not in the scope (nothing to count)."""
        rows = self._rows.get(str(village_id))
        if rows is None:
            return False
        status = str(status or "")
        operator = str(operator or "")
        col = self._col.get(operator)
        for r in rows:  # a village appears once (or twice in a split commune's scope)
            covered = bool(self.covered[r])
            by_assigned = bool(self.by_op[r, col]) if col is not None else False
            served = status == "verified" or covered
            code = _village_code(status, covered, by_assigned, col is not None)
            self.n_served += int(served) - int(self.served[r])
            self.n_verified_only += int(served and not covered) - int(
                self.served[r] and not covered
            )
            self.n_disagree += int(code != "") - int(self.code[r] != "")
            self.status[r], self.operator[r] = status, operator
            self.served[r], self.code[r] = served, code
        return True

    def counts(self) -> dict[str, int]:
        """``villages_served``, ``villages_verified_only``, ``register_disagreements``."""
        return {
            "villages_served": self.n_served,
            "villages_verified_only": self.n_verified_only,
            "register_disagreements": self.n_disagree,
        }

    def served_share(self) -> float | None:
        """The share of the scope's villages that count as served (None without villages)."""
        return _share(self.n_served, self.n)
