"""Coverage: which villages each operator's mobile broadband reaches, gap classes and fibre.

The model here is a radius per technology around each site (:data:`DEFAULT_RADII_M`). It is
*indicative*: no elevation data is used, so a village behind a ridge is counted as covered
and one reached along a valley beyond the radius is not. Distances are measured in the UTM
zone of :func:`geo.sites.metric_crs`; all inputs and outputs are EPSG:4326.

Where a province has a committed DEM, the workspace replaces this answer by the terrain
model's (:mod:`geo.terrain`: line of sight and path loss within the same radii, which become
each site's maximum range) and says so per village in an ``evidence`` column
(:class:`geo.vocab.Evidence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, ProblemList
from geo.sites import MOBILE_BROADBAND, OPERATORS, TECHNOLOGIES, _to_metric, metric_crs

__all__ = [
    "DEFAULT_RADII_M",
    "GAP_CLASSES",
    "coverage_buffers",
    "fibre_by_operator",
    "fibre_operators",
    "fibre_status",
    "gap_class",
    "mobile_broadband",
    "operator_coverage",
]

#: Cell radius in metres per technology. Assumed values, after GSMA's coverage-map method for
#: operators that give no maps of their own (12 km 2G, 4 km 3G/4G, 0.5 km 5G); indicative
#: only, since no elevation data is used. Editable in the settings; the terrain model
#: (:mod:`geo.terrain`) uses them as each site's maximum range.
DEFAULT_RADII_M: dict[str, float] = {"2G": 12000, "3G": 4000, "4G": 4000, "5G": 500}

#: Values of :func:`gap_class`: every operator covers, some do (partial not-spot), none does
#: (total not-spot, vùng lõm sóng).
GAP_CLASSES = ("all", "partial", "none")


def _validate_model(
    sites: gpd.GeoDataFrame, technologies: Iterable[str], radii: Mapping[str, float]
) -> tuple[str, ...]:
    """Check the sites' columns and the technologies' radii; return the technologies."""
    technologies = tuple(technologies)
    problems = ProblemList()
    for column in ("operator", "technology", "geometry"):
        if column not in sites.columns:
            problems.add(f"column {column!r} is missing", f"Thiếu cột {column!r}", field=column)
    for tech in technologies:
        if tech not in TECHNOLOGIES:
            problems.add(
                f"unknown technology {tech!r}",
                f"Công nghệ không hợp lệ {tech!r}",
                field="technologies",
                value=tech,
            )
        elif tech not in radii or not np.isfinite(radii[tech]) or radii[tech] < 0:
            problems.add(
                f"no valid radius for {tech}",
                f"Thiếu bán kính phủ sóng hợp lệ cho {tech}",
                field="radii",
                value=tech,
            )
    problems.raise_if_any("The coverage model's inputs are wrong", "Dữ liệu mô hình phủ sóng sai")
    bad = ~sites["operator"].isin(OPERATORS).to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)[:20] + 1
        raise InputError(
            f"unknown operators {sorted(set(sites['operator'][bad].astype(str)))} in rows "
            f"{rows.tolist()} (validate the sites first)",
            f"Nhà mạng không hợp lệ {sorted(set(sites['operator'][bad].astype(str)))} ở các dòng "
            f"{rows.tolist()} (hãy kiểm tra dữ liệu trạm trước)",
            field="operator",
        )
    return technologies


def _select(
    sites: gpd.GeoDataFrame, technologies: tuple[str, ...], radii: Mapping[str, float]
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The sites of ``technologies`` with a geometry, and each one's radius in metres."""
    keep = sites["technology"].isin(technologies).to_numpy()
    keep = keep & ~(sites.geometry.isna() | sites.geometry.is_empty).to_numpy()
    chosen = sites.loc[keep]
    radius = chosen["technology"].map(dict(radii)).to_numpy(dtype=float)
    return chosen, radius


def operator_coverage(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    technologies: Iterable[str] = MOBILE_BROADBAND,
    radii: Mapping[str, float] = DEFAULT_RADII_M,
) -> pd.DataFrame:
    """Which operators cover each village, by a radius around each site.

    A village is covered by an operator when one of that operator's sites of one of
    ``technologies`` is within that technology's radius (distance ≤ radius). The result is
    indicative: the radii are assumptions (:data:`DEFAULT_RADII_M`) and terrain is ignored.

    The sites' per-technology radii are used as per-query distances of a shapely
    :class:`~shapely.STRtree` ``dwithin`` query against a tree of the villages, in the UTM zone
    of :func:`~geo.sites.metric_crs`; the (site, village) pairs are scattered into a boolean
    matrix with numpy.

    Parameters
    ----------
    villages
        Villages with Point geometry, EPSG:4326. A village without geometry is covered by none.
    sites
        Validated sites (:func:`geo.sites.validate_sites`), EPSG:4326; filter them by date
        first (:func:`geo.sites.on_air_by`) for a given year.
    technologies
        The technologies that count; mobile broadband (3G, 4G, 5G) by default. Include "2G"
        for voice coverage.
    radii
        Radius in metres per technology.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``villages``, one bool column per operator of
        :data:`~geo.sites.OPERATORS`. ``attrs`` records ``operators`` (those having at least
        one site of ``technologies``, used by :func:`gap_class`), ``technologies`` and
        ``radii_m``.
    """
    technologies = _validate_model(sites, technologies, radii)
    chosen, radius = _select(sites, technologies, radii)
    covered = np.zeros((len(villages), len(OPERATORS)), dtype=bool)
    if len(chosen) and len(villages):
        crs = metric_crs(villages, chosen)
        village_geoms = _to_metric(villages, crs)
        site_geoms = _to_metric(chosen, crs)
        tree = shapely.STRtree(village_geoms)
        site_idx, village_idx = tree.query(site_geoms, predicate="dwithin", distance=radius)
        operator_idx = pd.Categorical(chosen["operator"], categories=OPERATORS).codes
        covered[village_idx, operator_idx[site_idx]] = True
    out = pd.DataFrame(covered, index=villages.index, columns=list(OPERATORS))
    present = set(chosen["operator"])
    out.attrs["operators"] = tuple(op for op in OPERATORS if op in present)
    out.attrs["technologies"] = technologies
    out.attrs["radii_m"] = {tech: float(radii[tech]) for tech in technologies}
    return out


def _operator_columns(coverage: pd.DataFrame, operators: Iterable[str] | None) -> list[str]:
    """The operator columns of ``coverage`` that count (see :func:`gap_class`)."""
    if operators is None:
        if "operators" in coverage.attrs:
            operators = coverage.attrs["operators"]
        else:
            columns = [op for op in OPERATORS if op in coverage.columns]
            operators = [op for op in columns if coverage[op].any()]
    operators = list(operators)
    missing = [op for op in operators if op not in coverage.columns]
    if missing:
        raise InputError(
            f"coverage has no column for {missing}",
            f"Bảng phủ sóng không có cột cho {missing}",
            field="operators",
        )
    return operators


def gap_class(coverage: pd.DataFrame, operators: Iterable[str] | None = None) -> pd.Series:
    """Classify villages as covered by all, some or none of the operators.

    Parameters
    ----------
    coverage
        The output of :func:`operator_coverage`.
    operators
        The operators that count. By default the operators that have at least one site of the
        technologies the coverage was computed for (``coverage.attrs["operators"]``): an
        operator with no site in the area, or only 2G sites for mobile broadband (Gmobile),
        does not turn every village into a partial not-spot. When ``attrs`` were lost, the
        operators covering at least one village. Pass :data:`~geo.sites.OPERATORS` to require
        every licensed operator.

    Returns
    -------
    pandas.Series
        Named ``gap_class``, indexed like ``coverage``: "all" (every operator of ``operators``
        covers), "partial" (some do: partial not-spot) or "none" (none does: total not-spot).
        With no operator at all, every village is "none".
    """
    columns = _operator_columns(coverage, operators)
    matrix = coverage[columns].to_numpy(dtype=bool).reshape(len(coverage), len(columns))
    n = matrix.sum(axis=1)
    if columns:
        values = np.select([n == len(columns), n > 0], ["all", "partial"], default="none")
    else:
        values = np.full(len(coverage), "none")
    return pd.Series(values.astype(object), index=coverage.index, name="gap_class", dtype="str")


def mobile_broadband(coverage: pd.DataFrame) -> pd.Series:
    """Whether any operator covers each village.

    Parameters
    ----------
    coverage
        The output of :func:`operator_coverage`; this is mobile broadband when it was computed
        for 3G/4G/5G only (the default), as ``coverage.attrs["technologies"]`` tells.

    Returns
    -------
    pandas.Series
        Bool, named ``mobile_broadband``, indexed like ``coverage``.
    """
    columns = [op for op in OPERATORS if op in coverage.columns]
    return coverage[columns].any(axis=1).rename("mobile_broadband")


def _validate_fibre(fibre: pd.DataFrame) -> None:
    problems = ProblemList()
    for column in ("village_id", "operator"):
        if column not in fibre.columns:
            problems.add(f"column {column!r} is missing", f"Thiếu cột {column!r}", field=column)
    problems.raise_if_any("The fibre table is not valid", "Bảng cáp quang không hợp lệ")
    bad = ~fibre["operator"].isin(OPERATORS).to_numpy()
    for row in np.flatnonzero(bad):
        problems.add(
            f"operator must be one of {', '.join(OPERATORS)}",
            f"Nhà mạng phải là một trong {', '.join(OPERATORS)}",
            row=int(row) + 1,
            field="operator",
            value=fibre["operator"].iloc[row],
        )
    problems.raise_if_any("The fibre table has errors", "Bảng cáp quang có lỗi")


def fibre_by_operator(villages: pd.DataFrame, fibre: pd.DataFrame) -> pd.DataFrame:
    """Which operators bring FTTH fibre to each village.

    Parameters
    ----------
    villages
        Villages with ``village_id``.
    fibre
        One row per village and operator with FTTH: ``village_id``, ``operator`` (optional
        ``source``). Repeated rows are harmless; ids absent from ``villages`` are ignored.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``villages``, one bool column per operator of
        :data:`~geo.sites.OPERATORS`.

    Raises
    ------
    InputError
        A column is missing or an operator is not one of the project's names (row = position
        in ``fibre`` + 1).
    """
    _validate_fibre(fibre)
    ids = fibre["village_id"].astype(str).to_numpy()
    operator = pd.Categorical(fibre["operator"], categories=OPERATORS).codes
    village_ids = pd.Index(villages["village_id"].astype(str).to_numpy())
    unique_ids, inverse = np.unique(ids, return_inverse=True)
    table = np.zeros((len(unique_ids) + 1, len(OPERATORS)), dtype=bool)  # last row: no fibre
    table[inverse, operator] = True
    position = pd.Index(unique_ids).get_indexer(village_ids)
    position[position < 0] = len(unique_ids)
    return pd.DataFrame(table[position], index=villages.index, columns=list(OPERATORS))


def fibre_status(villages: pd.DataFrame, fibre: pd.DataFrame) -> pd.Series:
    """Whether each village has FTTH fibre from any operator.

    Parameters are those of :func:`fibre_by_operator`.

    Returns
    -------
    pandas.Series
        Bool, named ``fibre``, indexed like ``villages``.
    """
    return fibre_by_operator(villages, fibre).any(axis=1).rename("fibre")


def fibre_operators(villages: pd.DataFrame, fibre: pd.DataFrame) -> pd.Series:
    """The operators bringing FTTH fibre to each village, as text.

    Parameters are those of :func:`fibre_by_operator`.

    Returns
    -------
    pandas.Series
        Named ``fibre_operators``, indexed like ``villages``: operator names in the order of
        :data:`~geo.sites.OPERATORS` joined by ";" (e.g. "Viettel;VNPT"), "" for none.
    """
    table = fibre_by_operator(villages, fibre).to_numpy()
    text = np.full(len(villages), "", dtype=object)
    for j, op in enumerate(OPERATORS):  # one pass per operator, vectorised over villages
        text = text + np.where(table[:, j], op + ";", "")
    out = pd.Series(text, index=villages.index, name="fibre_operators", dtype="str")
    return out.str.rstrip(";")


def coverage_buffers(
    sites: gpd.GeoDataFrame,
    *,
    technologies: Iterable[str] = MOBILE_BROADBAND,
    radii: Mapping[str, float] = DEFAULT_RADII_M,
    by_operator: bool = False,
    quad_segs: int = 16,
) -> BaseGeometry | gpd.GeoSeries:
    """The area covered: the union of the discs of :func:`operator_coverage`, in EPSG:4326.

    Discs are buffered in the UTM zone of :func:`~geo.sites.metric_crs`, united, then
    projected back, so they are true circles on the ground. A disc is a polygon with
    ``4 * quad_segs`` sides inscribed in the circle: its edge lies at most
    ``r * (1 - cos(pi / (4 * quad_segs)))`` inside the circle (5 m at 4 km with the default),
    so a village right at the radius may be covered for :func:`operator_coverage` and fall
    just outside the polygon. Indicative: no elevation data is used.

    Parameters
    ----------
    sites
        Validated sites, EPSG:4326.
    technologies, radii
        As in :func:`operator_coverage`.
    by_operator
        Return one geometry per operator instead of one for all.
    quad_segs
        Segments per quarter circle.

    Returns
    -------
    shapely geometry or geopandas.GeoSeries
        The (multi)polygon covered by any operator (empty when no site), or with
        ``by_operator`` a GeoSeries in EPSG:4326 indexed by operator, for the operators that
        have sites of ``technologies`` (in the order of :data:`~geo.sites.OPERATORS`).
    """
    technologies = _validate_model(sites, technologies, radii)
    chosen, radius = _select(sites, technologies, radii)
    crs = metric_crs(chosen)
    discs = shapely.buffer(_to_metric(chosen, crs), radius, quad_segs=quad_segs)
    if by_operator:
        present = [op for op in OPERATORS if op in set(chosen["operator"])]
        operator = chosen["operator"].to_numpy()
        unions = [shapely.union_all(discs[operator == op]) for op in present]
        return gpd.GeoSeries(unions, index=pd.Index(present, name="operator"), crs=crs).to_crs(4326)
    union = shapely.union_all(discs)
    return gpd.GeoSeries([union], crs=crs).to_crs(4326).iloc[0]


def declared_coverage(villages: gpd.GeoDataFrame, declared: gpd.GeoDataFrame) -> pd.DataFrame:
    """Which operators *declare* coverage at each village (operators' own coverage polygons).

    Shown beside the modelled coverage, never merged into it.

    Parameters
    ----------
    villages
        Villages with Point geometry, EPSG:4326.
    declared
        Declared coverage polygons with ``operator`` (and optionally ``technology``), EPSG:4326.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``villages``, one bool column per operator of
        :data:`~geo.sites.OPERATORS` (covered by one of its declared polygons).
    """
    out = np.zeros((len(villages), len(OPERATORS)), dtype=bool)
    if len(villages) and declared is not None and len(declared):
        tree = shapely.STRtree(declared.geometry.to_crs("EPSG:4326").values)
        v_idx, p_idx = tree.query(villages.geometry.values, predicate="within")
        op_idx = pd.Categorical(declared["operator"], categories=OPERATORS).codes[p_idx]
        keep = op_idx >= 0
        out[v_idx[keep], op_idx[keep]] = True
    return pd.DataFrame(out, index=villages.index, columns=list(OPERATORS))


def compare_declared(modelled: pd.DataFrame, declared: pd.DataFrame) -> pd.DataFrame:
    """Villages and operators where declared and modelled coverage disagree.

    Returns
    -------
    pandas.DataFrame
        One row per (village index, operator) that disagrees, with ``declared`` and
        ``modelled`` (bool); only operators with at least one declared polygon count.
    """
    ops = [op for op in OPERATORS if declared[op].any()]
    d = declared[ops].stack()
    m = modelled[ops].stack()
    diff = d != m
    out = pd.DataFrame({"declared": d[diff], "modelled": m[diff]})
    out.index.names = ["village", "operator"]
    return out.reset_index()
