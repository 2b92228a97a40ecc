"""Sites: the schema of operators' station records, physical sites and site sharing.

A *site* (trạm BTS) is one operator's station record: ``site_id``, ``operator``,
``technology``, ``on_air_date`` and a Point in EPSG:4326. A *physical site* (vị trí trạm) is a
place, a mast or a shelter, that the records of one or several operators share; records are
grouped into physical sites by distance (:func:`physical_sites`), since the files name no mast.

Distances are measured in a UTM projection chosen by :func:`metric_crs`.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from geo.errors import InputError, ProblemList
from geo.extent import VIETNAM_BBOX, inside_vietnam

__all__ = [
    "MOBILE_BROADBAND",
    "OPERATORS",
    "SITE_COLUMNS",
    "SITE_SHARING_DEFINITION",
    "TECHNOLOGIES",
    "VIETNAM_BBOX",
    "metric_crs",
    "on_air_by",
    "physical_sites",
    "site_sharing",
    "station_key",
    "validate_sites",
]

#: Columns of a sites frame, in order. ``on_air_date`` may be absent from an input (see
#: :func:`validate_sites`); the others are required.
SITE_COLUMNS = ("site_id", "operator", "technology", "on_air_date", "geometry")
_REQUIRED_COLUMNS = ("site_id", "operator", "technology", "geometry")

TECHNOLOGIES = ("2G", "3G", "4G", "5G")
#: Mobile broadband (băng rộng di động) is 3G, 4G or 5G.
MOBILE_BROADBAND = ("3G", "4G", "5G")
OPERATORS = ("Viettel", "VNPT", "MobiFone", "Vietnamobile", "Gmobile")


#: How the site-sharing rate is computed, to show on screen next to it.
SITE_SHARING_DEFINITION = {
    "vi": (
        "Tỷ lệ dùng chung vị trí trạm = số vị trí trạm có từ 2 nhà mạng trở lên / tổng số vị trí "
        "trạm. Các bản ghi trạm cách nhau không quá {distance:g} m (nối tiếp nhau) được coi là "
        "một vị trí trạm."
    ),
    "en": (
        "Site-sharing rate = physical sites used by 2 or more operators / all physical sites. "
        "Station records within {distance:g} m of each other (in a chain) count as one physical "
        "site."
    ),
}

_UTM_48N = 32648
_UTM_49N = 32649


def metric_crs(*frames: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """The UTM CRS (WGS 84) in which the project measures distances around ``frames``.

    EPSG:32648 (UTM 48N) when the centre of the frames' joint bounding box lies west of
    108° E, EPSG:32649 (UTM 49N) otherwise. A whole province or region lies in one zone's
    reach: the scale error stays below 0.1 % within a zone and below 0.4 % two degrees beyond
    it, which is negligible for 30 m grouping and kilometre radii. UTM on WGS 84 needs no datum
    shift, unlike VN-2000 (EPSG:3405), and is exact for EPSG:4326 inputs.

    Parameters
    ----------
    *frames
        GeoDataFrames or GeoSeries; a frame without CRS is taken as EPSG:4326. Empty frames
        are ignored; with no coordinates at all, UTM 48N (the north-west) is returned.

    Returns
    -------
    pyproj.CRS
    """
    bounds = []
    for frame in frames:
        if len(frame) == 0:
            continue
        geo = frame if frame.crs is None or frame.crs.equals(4326) else frame.to_crs(4326)
        bounds.append(geo.total_bounds)
    if not bounds:
        return CRS.from_epsg(_UTM_48N)
    b = np.array(bounds, dtype=float)
    lon_min, lon_max = np.nanmin(b[:, 0]), np.nanmax(b[:, 2])
    centre = (lon_min + lon_max) / 2
    if math.isnan(centre) or centre < 108.0:
        return CRS.from_epsg(_UTM_48N)
    return CRS.from_epsg(_UTM_49N)


def _to_metric(frame: gpd.GeoDataFrame | gpd.GeoSeries, crs: CRS) -> np.ndarray:
    """The frame's geometries projected to ``crs`` (no CRS is taken as EPSG:4326)."""
    geo = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    if geo.crs is None:
        geo = geo.set_crs(4326)
    return np.asarray(geo.to_crs(crs).array, dtype=object)


def _validate(gdf: gpd.GeoDataFrame, problems: ProblemList) -> None:
    """Add one problem per bad cell of ``gdf`` (row = position + 1) to ``problems``."""
    rows = np.arange(1, len(gdf) + 1)

    def add_rows(bad: np.ndarray, field: str, en: str, vi: str, values=None) -> None:
        values = gdf[field].to_numpy() if values is None else values
        for row, value in zip(rows[bad], np.asarray(values, dtype=object)[bad], strict=True):
            problems.add(en, vi, row=int(row), field=field, value=value)

    site_id = gdf["site_id"]
    missing_id = site_id.isna().to_numpy() | (site_id.astype(str).str.strip() == "").to_numpy()
    add_rows(missing_id, "site_id", "site_id is empty", "Mã trạm (site_id) bị trống")
    # One record is (site_id, operator, technology): operators list one row per site and
    # technology, so "DBN001 3G" and "DBN001 4G" are two records of one station.
    key = (
        site_id.astype(str).str.strip()
        + "|" + gdf["operator"].astype(str)
        + "|" + gdf["technology"].astype(str)
    )
    duplicated = key.duplicated(keep="first").to_numpy() & ~missing_id
    if duplicated.any():
        first_row = pd.Series(rows, index=key.index).groupby(key.to_numpy()).transform("min")
        for row, value, op, tech, first in zip(
            rows[duplicated],
            site_id.astype(str).str.strip()[duplicated],
            gdf["operator"].astype(str)[duplicated],
            gdf["technology"].astype(str)[duplicated],
            first_row[duplicated].astype(int),
            strict=True,
        ):
            problems.add(
                f"site {value!r} of {op}, {tech}, repeats row {first} (rows {first} and {row}); "
                "keep one of the two rows",
                f"Trạm {value!r} của {op}, {tech}, trùng với dòng {first} (dòng {first} và "
                f"{row}); hãy giữ một trong hai dòng",
                row=int(row),
                field="site_id",
                value=value,
            )

    bad_operator = ~gdf["operator"].isin(OPERATORS).to_numpy()
    add_rows(
        bad_operator,
        "operator",
        f"operator must be one of {', '.join(OPERATORS)}",
        f"Nhà mạng phải là một trong {', '.join(OPERATORS)}",
    )
    bad_technology = ~gdf["technology"].isin(TECHNOLOGIES).to_numpy()
    add_rows(
        bad_technology,
        "technology",
        f"technology must be one of {', '.join(TECHNOLOGIES)}",
        f"Công nghệ phải là một trong {', '.join(TECHNOLOGIES)}",
    )

    if "on_air_date" in gdf.columns:
        raw = gdf["on_air_date"]
        parsed = pd.to_datetime(raw, errors="coerce")
        bad_date = (parsed.isna() & raw.notna()).to_numpy()
        add_rows(
            bad_date,
            "on_air_date",
            "on_air_date is not a date",
            "Ngày phát sóng (on_air_date) không phải là ngày",
        )

    geoms = np.asarray(gdf.geometry.array, dtype=object)
    type_id = shapely.get_type_id(geoms)
    empty = (type_id == -1) | shapely.is_empty(geoms)
    not_point = ~empty & (type_id != shapely.GeometryType.POINT)
    add_rows(empty, "geometry", "the site has no location", "Trạm không có tọa độ", geoms)
    add_rows(
        not_point,
        "geometry",
        "the site's location must be a point",
        "Vị trí trạm phải là một điểm",
        gdf.geometry.geom_type.to_numpy(),
    )
    is_point = ~empty & ~not_point
    lon = np.full(len(gdf), np.nan)
    lat = np.full(len(gdf), np.nan)
    lon[is_point] = shapely.get_x(geoms[is_point])
    lat[is_point] = shapely.get_y(geoms[is_point])
    lon_min, lat_min, lon_max, lat_max = VIETNAM_BBOX
    outside = is_point & ~inside_vietnam(lon, lat)
    text = np.array([f"{x:.6f}, {y:.6f}" for x, y in zip(lon[outside], lat[outside], strict=True)])
    coords = np.empty(len(gdf), dtype=object)
    coords[outside] = text
    add_rows(
        outside,
        "geometry",
        f"the site lies outside Viet Nam (lon {lon_min:g}–{lon_max:g}, lat {lat_min:g}–{lat_max:g}); "
        "are longitude and latitude swapped or the coordinates not in WGS 84?",
        f"Trạm nằm ngoài Việt Nam (kinh độ {lon_min:g}–{lon_max:g}, vĩ độ {lat_min:g}–{lat_max:g}); "
        "kinh độ và vĩ độ có bị đảo, hoặc tọa độ không phải WGS 84?",
        coords,
    )


def validate_sites(gdf: gpd.GeoDataFrame, file: str | None = None) -> gpd.GeoDataFrame:
    """Check a sites frame and return a clean copy.

    Checks that the columns of :data:`SITE_COLUMNS` are there, that ``operator`` and
    ``technology`` take the project's exact values (aliases such as "Vinaphone" are the
    readers' business), that every site has a non-empty Point inside :data:`VIETNAM_BBOX`,
    that ``site_id`` is present and each (``site_id``, ``operator``, ``technology``) record
    appears once (one station lists one row per technology), and that ``on_air_date`` holds dates or nothing.
    Every bad cell of every row is collected before raising, so a planner sees the whole list.

    Parameters
    ----------
    gdf
        The sites, in EPSG:4326 (a frame without CRS is taken as EPSG:4326).
    file
        The input file's name, to show in the messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``on_air_date`` as ``datetime64`` (added, all NaT, when the input has no
        such column: dates unknown) and CRS EPSG:4326; other columns (e.g. ``lon``/``lat``)
        are kept.

    Raises
    ------
    InputError
        With one :class:`~geo.errors.Problem` per bad cell. ``row`` is the row's position in
        ``gdf`` plus one (1 = first record); a reader that knows the file's header lines adds
        its own offset. Missing columns or a CRS other than EPSG:4326 are reported first,
        without row checks.
    """
    problems = ProblemList(file=file)
    if not isinstance(gdf, gpd.GeoDataFrame):
        problems.add(
            "sites must be a GeoDataFrame with point geometry",
            "Dữ liệu trạm phải là GeoDataFrame có tọa độ điểm",
        )
        problems.raise_if_any("The sites are not valid", "Dữ liệu trạm không hợp lệ")
    for column in _REQUIRED_COLUMNS:
        if column not in gdf.columns:
            problems.add(
                f"column {column!r} is missing",
                f"Thiếu cột {column!r}",
                field=column,
            )
    if gdf.crs is not None and not gdf.crs.equals(4326):
        problems.add(
            f"sites must be in EPSG:4326, not {gdf.crs.to_string()}",
            f"Tọa độ trạm phải ở EPSG:4326, không phải {gdf.crs.to_string()}",
            field="geometry",
        )
    problems.raise_if_any("The sites are not valid", "Dữ liệu trạm không hợp lệ")

    _validate(gdf, problems)
    problems.raise_if_any("The sites have errors", "Dữ liệu trạm có lỗi")

    out = gdf.copy()
    if out.crs is None:
        out = out.set_crs(4326)
    out["site_id"] = out["site_id"].astype(str).str.strip()
    if "on_air_date" in out.columns:
        out["on_air_date"] = pd.to_datetime(out["on_air_date"], errors="coerce")
    else:
        out["on_air_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    return out


def on_air_by(sites: gpd.GeoDataFrame, year: int, *, keep_unknown: bool = True) -> gpd.GeoDataFrame:
    """The sites on air by the end of ``year`` (``on_air_date`` on or before 31/12/``year``).

    Parameters
    ----------
    sites
        Validated sites (:func:`validate_sites`).
    year
        The year whose end is the cut-off.
    keep_unknown
        Keep sites whose ``on_air_date`` is unknown (NaT). True by default: a record in an
        operator's register is taken to be on air unless dated later, and dropping it would
        show villages as unserved that are served. Set False for a strict view.

    Returns
    -------
    geopandas.GeoDataFrame
        The selected rows, index kept.
    """
    dates = pd.to_datetime(sites["on_air_date"], errors="coerce")
    keep = (dates < pd.Timestamp(year + 1, 1, 1)).to_numpy()
    if keep_unknown:
        keep = keep | dates.isna().to_numpy()
    return sites.loc[keep].copy()


def station_key(sites: pd.DataFrame) -> pd.Series:
    """The station each record belongs to: ``operator|site_id`` (one row per technology).

    Returns
    -------
    pandas.Series
        Named ``station``, aligned to ``sites.index``.
    """
    key = sites["operator"].astype(str) + "|" + sites["site_id"].astype(str).str.strip()
    return key.rename("station")


def physical_sites(sites: gpd.GeoDataFrame, distance_m: float = 30.0) -> pd.Series:
    """Group site records into physical sites by distance.

    The records of one station (same ``operator`` and ``site_id``: one row per technology) are
    one physical site. Records within ``distance_m`` of each other, whatever their operator or
    technology, are one physical site too, transitively (single linkage): A–B–C with A–B and B–C each within
    ``distance_m`` is one site even when A–C is not. Pairs come from a shapely
    :class:`~shapely.STRtree` ``dwithin`` query in the UTM zone of :func:`metric_crs`, groups
    from :func:`scipy.sparse.csgraph.connected_components`.

    Parameters
    ----------
    sites
        Validated sites (non-empty Point geometry), EPSG:4326.
    distance_m
        The largest distance, in metres, between two records of one physical site (inclusive).
        30 m takes in the usual spread of coordinates given for one mast by different operators.

    Returns
    -------
    pandas.Series
        Named ``physical_site_id``, aligned to ``sites.index``: "P000001", "P000002", … numbered
        in the order each group's first record appears in ``sites``, so the ids are stable for a
        given input order.
    """
    if distance_m < 0 or not math.isfinite(distance_m):
        raise InputError(
            f"distance_m must be a non-negative number, not {distance_m!r}",
            f"Khoảng cách (distance_m) phải là số không âm, không phải {distance_m!r}",
            field="distance_m",
        )
    n = len(sites)
    if n == 0:
        return pd.Series([], index=sites.index, name="physical_site_id", dtype="str")
    geoms = _to_metric(sites, metric_crs(sites))
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=distance_m)
    # The records of one station (same operator and site_id, one per technology) are one
    # physical site wherever their coordinates were typed: link each to its station's first.
    station = station_key(sites).to_numpy()
    _, first_of, station_no = np.unique(station, return_index=True, return_inverse=True)
    left = np.concatenate([left, np.arange(n)])
    right = np.concatenate([right, first_of[station_no]])
    graph = sparse.coo_array((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Renumber groups by their first record so ids do not depend on scipy's numbering.
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    numbers = (rank[inverse] + 1).astype(str)
    ids = np.char.add("P", np.char.zfill(numbers, 6))
    return pd.Series(ids.astype(object), index=sites.index, name="physical_site_id", dtype="str")


def site_sharing(sites: gpd.GeoDataFrame, physical_site_id: pd.Series) -> dict:
    """Count records, physical sites and shared physical sites; the site-sharing rate.

    A physical site is *shared* when records of two or more distinct operators are at it
    (two technologies of one operator are not sharing). The rate is shared / physical sites,
    as described in :data:`SITE_SHARING_DEFINITION`.

    Parameters
    ----------
    sites
        Sites with an ``operator`` column.
    physical_site_id
        The output of :func:`physical_sites` for ``sites`` (aligned on the index).

    Returns
    -------
    dict
        ``sites`` (stations: distinct operator and ``site_id``), ``site_records`` (rows: one
        per station and technology), ``physical_sites``, ``shared_physical_sites`` (ints) and
        ``site_sharing_rate`` (float 0–1, or None when there is no site).
    """
    ids = physical_site_id
    if isinstance(ids, pd.Series) and not ids.index.equals(sites.index):
        ids = ids.reindex(sites.index)
    ids = pd.Series(np.asarray(ids, dtype=object))
    if len(ids) != len(sites) or ids.isna().any():
        raise InputError(
            "physical_site_id must give an id for every site (use physical_sites(sites))",
            "physical_site_id phải có mã cho mọi trạm (dùng physical_sites(sites))",
            field="physical_site_id",
        )
    operators_per_site = sites["operator"].groupby(ids.to_numpy()).nunique()
    n_physical = len(operators_per_site)
    n_shared = int((operators_per_site >= 2).sum())
    return {
        "sites": int(station_key(sites).nunique()),
        "site_records": len(sites),
        "physical_sites": n_physical,
        "shared_physical_sites": n_shared,
        "site_sharing_rate": n_shared / n_physical if n_physical else None,
    }
