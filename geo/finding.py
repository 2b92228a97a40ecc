"""Finding villages: search by name or code, the map's filters, the nearest site of each
operator, villages stacked on one point.

Functions of the model's frames (``Model.status``, ``Model.sites``), vectorised:

* :func:`search_villages`: a name without diacritics ("na hy" finds "Nà Hỳ"), part of a name
  ("hy"), a close spelling (rapidfuzz), or a GSO commune code ("03160", or its first digits);
* :class:`MapFilter` and :func:`village_mask` / :func:`site_mask`: what the map draws and the
  tables list, by operator, technology, gap class and assignment status;
* :func:`nearest_site_m`: the distance from each village to each operator's nearest site
  (:func:`geopandas.sjoin_nearest` per operator in a metric CRS, one spatial index per
  operator);
* :func:`stacked`: villages drawn at the same point (those located only at their commune's
  point), so the map can open them as one list.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo import names
from geo.vocab import GapClass, Operator, Status, Technology

__all__ = [
    "MATCH_CODE",
    "MATCH_COMMUNE",
    "MATCH_EXACT",
    "MATCH_FUZZY",
    "MATCH_PART",
    "MapFilter",
    "nearest_site_m",
    "search_villages",
    "site_mask",
    "stacked",
    "village_mask",
]

#: How a village matched a search (``match`` column of :func:`search_villages`).
MATCH_EXACT, MATCH_PART, MATCH_FUZZY, MATCH_CODE = "exact", "part", "fuzzy", "code"
#: A village of a commune whose name is the query ("na hy": the villages of Xã Nà Hỳ).
MATCH_COMMUNE = "commune"

_SCORES = {MATCH_EXACT: 100.0, MATCH_CODE: 100.0, MATCH_PART: 90.0}

#: Columns of :func:`search_villages`.
SEARCH_COLUMNS = ["village_id", "village", "commune", "commune_code", "district", "score",
                  "match"]


def _keys(values: pd.Series) -> np.ndarray:
    """ASCII keys (no diacritics, no village prefix such as "Bản", "Thôn") of names."""
    return names.ascii_keys(values.astype("string"), level="village").fillna("").to_numpy(
        dtype=object)


def search_villages(
    status: pd.DataFrame, query: str, *, limit: int = 20, score_cutoff: float = 80.0
) -> pd.DataFrame:
    """The villages of ``status`` that ``query`` names, best first.

    Parameters
    ----------
    status
        Villages with ``village_id``, ``village``, ``commune``, ``commune_code`` (and
        ``district``, ``commune_2025_code`` when present).
    query
        A village name in any spelling: with or without diacritics or its prefix ("Bản"),
        part of a name, or digits: a GSO commune code (old or, when present, 2025) or its
        first digits.
    limit
        At most this many villages.
    score_cutoff
        The least rapidfuzz score (0–100, :func:`rapidfuzz.fuzz.ratio` of the ASCII keys) of a
        fuzzy match; exact keys score 100, parts of a name 90, the villages of a commune of
        that name 75.

    Returns
    -------
    pandas.DataFrame
        :data:`SEARCH_COLUMNS` (``match``: exact, part, fuzzy, commune or code), index of
        ``status``;
        best score first, then in Vietnamese alphabetical order. Empty for an empty query.

    Examples
    --------
    ``search_villages(model.status, "na hy")`` finds "Bản Nà Hỳ" and the villages of Xã Nà Hỳ;
    ``"03160"`` lists the villages of that commune.
    """
    cols = [c for c in SEARCH_COLUMNS if c in status.columns]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SEARCH_COLUMNS})
    text = (query or "").strip()
    if not text or not len(status):
        return empty
    if text.isdigit():
        hit = status["commune_code"].astype("string").str.startswith(text).fillna(False)
        if "commune_2025_code" in status.columns:
            hit |= status["commune_2025_code"].astype("string").str.startswith(text).fillna(
                False)
        score = pd.Series(np.where(hit, _SCORES[MATCH_CODE], 0.0), index=status.index)
        match = pd.Series(MATCH_CODE, index=status.index)
    else:
        key = names.ascii_key(text, level="village")
        keys = _keys(status["village"])
        exact = keys == key
        part = pd.Series(keys).str.contains(key, regex=False).to_numpy(dtype=bool) & ~exact
        fuzzy = process.cdist([key], keys, scorer=fuzz.ratio, score_cutoff=score_cutoff,
                              workers=1)[0].astype(float)
        commune = (names.ascii_keys(status["commune"].astype("string"), level="commune")
                   .fillna("").to_numpy(dtype=object) == names.ascii_key(text, level="commune"))
        fuzzy = np.where(fuzzy > 0, fuzzy, np.where(commune, 75.0, 0.0))
        kind = np.where(commune & (fuzzy == 75.0), MATCH_COMMUNE, MATCH_FUZZY)
        score = pd.Series(np.select([exact, part], [100.0, 90.0], fuzzy), index=status.index)
        match = pd.Series(np.select([exact, part], [MATCH_EXACT, MATCH_PART], kind),
                          index=status.index)
    found = status.loc[score > 0, cols].copy()
    found["score"] = score[score > 0]
    found["match"] = match[score > 0]
    found["_order"] = names.vietnamese_sort_keys(found["village"].astype(str))
    found = found.sort_values(["score", "_order"], ascending=[False, True], kind="stable")
    return found.drop(columns="_order").head(limit).reindex(columns=SEARCH_COLUMNS)


@dataclasses.dataclass(frozen=True)
class MapFilter:
    """What the map draws and the tables list; an empty set does not filter.

    Attributes
    ----------
    operators
        Sites of these operators; villages covered by one of them, or declared or assigned to
        one of them.
    technologies
        Sites of these technologies.
    gap_classes
        Villages of these gap classes (all / partial / none).
    statuses
        Villages whose assignment is in one of these statuses (and only villages with an
        assignment).
    """

    operators: frozenset[Operator] = frozenset()
    technologies: frozenset[Technology] = frozenset()
    gap_classes: frozenset[GapClass] = frozenset()
    statuses: frozenset[Status] = frozenset()

    @property
    def active(self) -> bool:
        """Whether anything is filtered."""
        return bool(self.operators or self.technologies or self.gap_classes or self.statuses)

    @property
    def key(self) -> tuple:
        """A hashable, ordered form (for caches)."""
        return tuple(tuple(sorted(str(v) for v in s)) for s in (
            self.operators, self.technologies, self.gap_classes, self.statuses))


def village_mask(
    status: pd.DataFrame, flt: MapFilter, assignments: pd.DataFrame | None = None
) -> pd.Series:
    """Whether each village passes ``flt``.

    Parameters
    ----------
    status
        ``Model.status`` (``gap_class``, one bool column per operator, ``declared_operator``).
    flt
        The filter.
    assignments
        The register's assignments (``village_id``, ``operator``, ``status``), for the
        operator and status filters.

    Returns
    -------
    pandas.Series
        Bool, named ``shown``, aligned to ``status``.
    """
    keep = np.ones(len(status), dtype=bool)
    ids = status["village_id"]
    a = assignments if assignments is not None else pd.DataFrame(
        columns=["village_id", "operator", "status"])
    if flt.gap_classes:
        keep &= status["gap_class"].isin({str(g) for g in flt.gap_classes}).to_numpy()
    if flt.operators:
        ops = [str(o) for o in flt.operators]
        cols = [o for o in ops if o in status.columns]
        covered = (status[cols].fillna(False).astype(bool).any(axis=1).to_numpy() if cols
                   else np.zeros(len(status), dtype=bool))
        declared = (status["declared_operator"].isin(ops).to_numpy()
                    if "declared_operator" in status.columns else False)
        assigned = ids.isin(set(a.loc[a["operator"].isin(ops), "village_id"])).to_numpy()
        keep &= covered | declared | assigned
    if flt.statuses:
        wanted = {str(s) for s in flt.statuses}
        keep &= ids.isin(set(a.loc[a["status"].isin(wanted), "village_id"])).to_numpy()
    return pd.Series(keep, index=status.index, name="shown")


def site_mask(sites: pd.DataFrame, flt: MapFilter) -> pd.Series:
    """Whether each site passes ``flt`` (its operator and technology filters).

    Returns
    -------
    pandas.Series
        Bool, named ``shown``, aligned to ``sites``.
    """
    keep = np.ones(len(sites), dtype=bool)
    if flt.operators:
        keep &= sites["operator"].isin({str(o) for o in flt.operators}).to_numpy()
    if flt.technologies:
        keep &= sites["technology"].isin({str(t) for t in flt.technologies}).to_numpy()
    return pd.Series(keep, index=sites.index, name="shown")


def nearest_site_m(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """The distance in metres from each village to each operator's nearest site.

    One :func:`geopandas.sjoin_nearest` per operator (a spatial index of that operator's
    sites), in the UTM zone of the villages (:meth:`geopandas.GeoDataFrame.estimate_utm_crs`).

    Parameters
    ----------
    villages
        Points (any CRS; EPSG:4326 in the model).
    sites
        ``operator`` and points.

    Returns
    -------
    pandas.DataFrame
        One float column per operator present in ``sites`` (in :class:`~geo.vocab.Operator`
        order, other names after), aligned to ``villages``; NaN for a village without a point.
    """
    present = list(dict.fromkeys(sites["operator"].astype(str))) if len(sites) else []
    order = [o.value for o in Operator if o.value in present]
    order += sorted(set(present) - set(order))
    out = pd.DataFrame(index=villages.index)
    if not order or not len(villages):
        for op in order:
            out[op] = np.nan
        return out
    valid = ~(villages.geometry.isna() | villages.geometry.is_empty)
    crs = villages[valid].estimate_utm_crs() if valid.any() else "EPSG:3857"
    left = villages.loc[valid, [villages.geometry.name]].to_crs(crs)
    left = left.set_axis(np.arange(len(left)), axis=0)
    pts = sites[~(sites.geometry.isna() | sites.geometry.is_empty)].to_crs(crs)
    for op in order:
        mine = pts.loc[pts["operator"].astype(str) == op, [pts.geometry.name]]
        dist = np.full(len(villages), np.nan)
        if len(mine):
            joined = gpd.sjoin_nearest(left, mine, how="left", distance_col="_d")
            best = joined["_d"].groupby(level=0).min().reindex(range(len(left)))
            dist[np.flatnonzero(valid.to_numpy())] = best.to_numpy(dtype=float)
        out[op] = dist
    return out


def stacked(villages: gpd.GeoDataFrame, decimals: int = 5) -> pd.Series:
    """The villages drawn at one point with others: each gets its point's group number.

    Parameters
    ----------
    villages
        Points in degrees.
    decimals
        Points equal after rounding to this many decimals (the map's rounding) are one.

    Returns
    -------
    pandas.Series
        Int64 group number (0, 1, …) of villages sharing their point with at least one other,
        <NA> for villages alone at theirs; named ``stack``, aligned to ``villages``.
    """
    geom = villages.geometry
    ok = ~(geom.isna() | geom.is_empty).to_numpy()
    x = np.round(np.where(ok, geom.x.where(ok, 0.0), np.nan), decimals)
    y = np.round(np.where(ok, geom.y.where(ok, 0.0), np.nan), decimals)
    frame = pd.DataFrame({"x": x, "y": y}, index=villages.index)
    size = frame.groupby(["x", "y"], dropna=True)["x"].transform("size")
    group = frame.groupby(["x", "y"], dropna=True, sort=True).ngroup()
    many = (size > 1).reindex(villages.index, fill_value=False).to_numpy()
    out = pd.Series(pd.NA, index=villages.index, dtype="Int64", name="stack")
    if many.any():
        codes = pd.factorize(group[many])[0]
        out[many] = codes
    return out
