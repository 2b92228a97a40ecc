"""The register against the coverage data, and the operator the tool proposes for a village."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.assignments.rules import DISAGREEMENTS
from geo.errors import InputError
from geo.operators import OPERATORS
from geo.sites import MOBILE_BROADBAND, _to_metric, metric_crs


def served_status(model_status: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Whether each village counts as served, from the register and the coverage data.

    A village counts as served when its assignment is ``verified`` or when the coverage data
    (the model's ``mobile_broadband``) says so. Where the two disagree the row carries a code
    of :data:`DISAGREEMENTS` for the planner to look at.

    Parameters
    ----------
    model_status
        The model's ``status`` frame: ``village_id``, ``mobile_broadband`` and one bool column
        per operator (``Viettel`` … ``Gmobile``).
    assignments
        :func:`current` (``village_id``, ``operator``, ``status``).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``model_status.index``: ``assignment_status`` (a status or "" when the
        village has no assignment), ``assigned_operator`` ("" when none), ``served`` (bool),
        ``disagreement`` ("" or a code of :data:`DISAGREEMENTS`).
    """
    a = assignments.drop_duplicates("village_id").set_index("village_id")
    vid = model_status["village_id"]

    def looked_up(col: str) -> pd.Series:
        # As objects before filling: with an empty register every lookup misses and map()
        # returns float NaN, which "" must not be written into.
        return vid.map(a[col]).astype(object).where(lambda x: x.notna(), "").astype(str)

    status = looked_up("status")
    operator = looked_up("operator")
    covered = model_status["mobile_broadband"].fillna(False).astype(bool).to_numpy()
    ops = [op for op in OPERATORS if op in model_status.columns]
    matrix = model_status[ops].fillna(False).astype(bool).to_numpy()
    col = pd.Index(ops).get_indexer(operator.to_numpy())
    by_assigned = np.zeros(len(model_status), dtype=bool)
    has = col >= 0
    by_assigned[has] = matrix[np.flatnonzero(has), col[has]]
    verified = (status == "verified").to_numpy()
    open_ = status.isin(["assigned", "under_construction", "on_air"]).to_numpy()
    code = np.full(len(model_status), "", dtype=object)
    code[verified & ~covered] = "verified_not_covered"
    code[verified & covered & ~by_assigned & has] = "verified_operator_not_covering"
    code[open_ & covered] = "covered_not_verified"
    code[(status == "on_air").to_numpy() & ~covered] = "on_air_not_covered"
    return pd.DataFrame(
        {
            "assignment_status": status.to_numpy(),
            "assigned_operator": operator.to_numpy(),
            "served": verified | covered,
            "disagreement": code,
        },
        index=model_status.index,
    )


def disagreements(
    model_status: pd.DataFrame, assignments: pd.DataFrame, lang: str = "vi"
) -> pd.DataFrame:
    """The villages where the register and the coverage data disagree, for the planner.

    Returns
    -------
    pandas.DataFrame
        ``village_id``, ``village``, ``commune``, ``district``, ``assigned_operator``,
        ``assignment_status``, ``mobile_broadband``, ``disagreement`` (code) and ``why`` (its
        description in ``lang``); also assignments whose village is not in the model's
        villages (code ``not_in_register``: a register replaced without linking ids).
    """
    s = served_status(model_status, assignments)
    rows = model_status.loc[s["disagreement"] != ""]
    out = pd.DataFrame(
        {
            "village_id": rows["village_id"],
            "village": rows["village"],
            "commune": rows.get("commune"),
            "district": rows.get("district"),
            "assigned_operator": s.loc[rows.index, "assigned_operator"],
            "assignment_status": s.loc[rows.index, "assignment_status"],
            "mobile_broadband": rows["mobile_broadband"].astype(bool),
            "disagreement": s.loc[rows.index, "disagreement"],
        }
    )
    missing = assignments[~assignments["village_id"].isin(model_status["village_id"])]
    orphans = pd.DataFrame(
        {
            "village_id": missing["village_id"],
            "village": missing["village"],
            "commune": missing["commune"],
            "district": missing["district"],
            "assigned_operator": missing["operator"],
            "assignment_status": missing["status"],
            "mobile_broadband": pd.NA,
            "disagreement": "not_in_register",
        }
    )
    texts = {
        **{k: v[lang] for k, v in DISAGREEMENTS.items()},
        "not_in_register": "Thôn/bản không có trong danh sách thôn/bản hiện tại"
        if lang == "vi"
        else "The village is not in the current village register",
    }
    parts = [d for d in (out, orphans) if len(d)]
    both = pd.concat(parts, ignore_index=True) if parts else out.reset_index(drop=True)
    both["why"] = both["disagreement"].map(texts)
    return both


# ---------------------------------------------------------------------------------------------
# Proposal
# ---------------------------------------------------------------------------------------------


def _km(values: np.ndarray, decimal: str) -> np.ndarray:
    if values.size == 0:  # numpy's char.replace fails on empty arrays
        return np.array([], dtype=str)
    text = np.char.mod("%.1f", np.round(values / 1000.0, 1))
    return np.char.replace(text, ".", decimal) if decimal != "." else text


def propose(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None = None,
    *,
    technologies: tuple[str, ...] = MOBILE_BROADBAND,
    tie_m: float = 30.0,
) -> pd.DataFrame:
    """Propose an operator for each village: the one whose nearest 3G/4G/5G site is closest.

    Operators whose nearest sites are within ``tie_m`` of the closest (by default the distance
    within which records form one physical site, :func:`geo.sites.physical_sites`: the same
    mast) are tied; the tie goes to the operator with more sites of ``technologies`` in the
    village's commune, then to the nearer, then to the first in :data:`OPERATORS`. Distances
    come from one shapely :class:`~shapely.STRtree` ``query_nearest`` per operator over all the
    villages, in the UTM zone of :func:`geo.sites.metric_crs`.

    Parameters
    ----------
    villages
        Points (EPSG:4326) with ``commune_code``.
    sites
        Sites with ``operator`` and ``technology`` (EPSG:4326) and, if known, ``commune_code``.
    communes
        Commune polygons with ``commune_code``, to count each operator's sites per commune;
        needed when ``sites`` has no ``commune_code``.
    technologies
        The technologies that count (mobile broadband).
    tie_m
        Metres within which two operators' nearest sites are a tie.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``villages.index``: ``proposed_operator`` (None when no operator has a site),
        ``distance_m`` (to its nearest site), ``sites_in_commune`` (its sites in the village's
        commune), ``tie`` (bool), ``reason_vi`` ("Viettel: trạm gần nhất 5,2 km"),
        ``reason_en`` ("Viettel: nearest site 5.2 km"), and ``distance_m_<operator>`` for every
        operator (inf when it has no site).
    """
    n = len(villages)
    if communes is None and "commune_code" not in sites.columns:
        raise InputError(
            "give the communes (or sites with commune_code) to break ties by sites per commune",
            "cần lớp xã (hoặc trạm có commune_code) để so số trạm trong xã khi bằng nhau",
            field="communes",
        )
    chosen = sites[sites["technology"].isin(technologies).to_numpy()]
    chosen = chosen[~(chosen.geometry.isna() | chosen.geometry.is_empty).to_numpy()]
    crs = metric_crs(villages, chosen)
    vgeom = _to_metric(villages, crs)
    valid = ~(shapely.is_missing(vgeom) | shapely.is_empty(vgeom))
    ops = list(OPERATORS)
    dist = np.full((n, len(ops)), np.inf)
    if valid.any():
        vidx = np.flatnonzero(valid)
        for j, op in enumerate(ops):
            s = chosen[(chosen["operator"] == op).to_numpy()]
            if s.empty:
                continue
            tree = shapely.STRtree(_to_metric(s, crs))
            (qi, _), d = tree.query_nearest(vgeom[vidx], return_distance=True, all_matches=False)
            dist[vidx[qi], j] = d

    # Sites of each operator in each commune.
    if "commune_code" in chosen.columns:
        site_commune = chosen["commune_code"]
    else:
        polys = communes.dropna(subset=["commune_code"])[["commune_code", communes.geometry.name]]
        joined = gpd.sjoin(chosen[["operator", chosen.geometry.name]], polys, predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        site_commune = joined["commune_code"].reindex(chosen.index)
    per = pd.crosstab(site_commune, chosen["operator"]).reindex(columns=ops, fill_value=0)
    vcommune = villages["commune_code"].astype(str).to_numpy()
    counts = per.reindex(vcommune).fillna(0).to_numpy(dtype=int)

    best = dist.min(axis=1)
    has_site = np.isfinite(best)
    tied = np.isfinite(dist) & (dist <= best[:, None] + tie_m)
    tie = tied.sum(axis=1) > 1
    most = np.where(tied, counts, -1).max(axis=1)
    candidates = tied & (counts == most[:, None])
    pick = np.argmin(np.where(candidates, dist, np.inf), axis=1)
    rows = np.arange(n)
    op_names = np.array(ops, dtype=object)
    proposed = np.where(has_site, op_names[pick], None)
    d_pick = dist[rows, pick]
    c_pick = counts[rows, pick]

    d_safe = np.where(has_site, d_pick, 0.0)
    op_str = np.where(has_site, op_names[pick], "").astype(str)
    reason_vi = np.char.add(np.char.add(op_str, ": trạm gần nhất "), _km(d_safe, ","))
    reason_vi = np.char.add(reason_vi, " km")
    reason_en = np.char.add(np.char.add(op_str, ": nearest site "), _km(d_safe, "."))
    reason_en = np.char.add(reason_en, " km")
    if tie.any():
        others = np.full(n, "", dtype=object)
        other_max = np.where(tied & (np.arange(len(ops))[None, :] != pick[:, None]), counts, -1)
        other_max = other_max.max(axis=1)
        for j, op in enumerate(ops):
            mark = tied[:, j] & (pick != j)
            others = np.where(mark & (others != ""), others + ", " + op, others)
            others = np.where(mark & (others == ""), op, others)
        others = others.astype(str)
        more = c_pick > other_max
        c_txt = c_pick.astype(str)
        o_txt = other_max.astype(str)
        tail_vi = np.where(
            more,
            np.char.add(
                np.char.add(np.char.add("; ngang ", others), ", nhiều trạm hơn trong xã: "),
                np.char.add(np.char.add(c_txt, " so với "), o_txt),
            ),
            np.char.add(
                np.char.add("; ngang ", others),
                np.char.add(np.char.add(", cùng số trạm trong xã (", c_txt), ")"),
            ),
        )
        tail_en = np.where(
            more,
            np.char.add(
                np.char.add(np.char.add("; tied with ", others), ", more sites in the commune: "),
                np.char.add(np.char.add(c_txt, " vs "), o_txt),
            ),
            np.char.add(
                np.char.add("; tied with ", others),
                np.char.add(np.char.add(", same number of sites in the commune (", c_txt), ")"),
            ),
        )
        reason_vi = np.where(tie, np.char.add(reason_vi, tail_vi), reason_vi)
        reason_en = np.where(tie, np.char.add(reason_en, tail_en), reason_en)
    tech = "/".join(technologies)
    reason_vi = np.where(has_site, reason_vi, f"Không doanh nghiệp nào có trạm {tech}").astype(
        object
    )
    reason_en = np.where(has_site, reason_en, f"No operator has a {tech} site").astype(object)
    out = pd.DataFrame(
        {
            "proposed_operator": proposed,
            "distance_m": np.where(has_site, d_pick, np.nan),
            "sites_in_commune": np.where(has_site, c_pick, 0),
            "tie": tie & has_site,
            "reason_vi": reason_vi,
            "reason_en": reason_en,
        },
        index=villages.index,
    )
    for j, op in enumerate(ops):
        out[f"distance_m_{op}"] = dist[:, j]
    return out


def propose_for_model(model, *, unserved_only: bool = True) -> pd.DataFrame:
    """:func:`propose` for a model's villages (those without mobile broadband by default).

    Returns the proposal columns joined to ``village_id``, ``village``, ``commune_code``,
    ``commune``, ``district`` of the model's ``status``.
    """
    status = model.status
    if unserved_only:
        status = status[~status["mobile_broadband"].astype(bool)]
    prop = propose(status, model.sites, model.communes)
    keep = ["village_id", "village", "commune_code", "commune", "district"]
    return status[keep].join(prop)
