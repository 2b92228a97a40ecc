"""Tests of geo.sites: validation, dates, physical sites and sharing (Điện Biên, lat 21.5°)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from geo.errors import InputError
from geo.sites import (
    SITE_COLUMNS,
    metric_crs,
    on_air_by,
    physical_sites,
    site_sharing,
    validate_sites,
)

LON, LAT = 103.0, 21.5
GEOD = Geod(ellps="WGS84")


def east(metres: float, lon: float = LON, lat: float = LAT) -> Point:
    """The point ``metres`` east (geodesic) of (lon, lat)."""
    x, y, _ = GEOD.fwd(lon, lat, 90.0, metres)
    return Point(x, y)


def make_sites(rows: list[tuple], index=None) -> gpd.GeoDataFrame:
    """Sites from (site_id, operator, technology, on_air_date, geometry) tuples."""
    frame = pd.DataFrame(rows, columns=list(SITE_COLUMNS), index=index)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=4326)


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    return make_sites(
        [
            ("S1", "Viettel", "4G", pd.Timestamp("2019-05-01"), east(0)),
            ("S2", "VNPT", "3G", pd.Timestamp("2020-12-31"), east(20)),
            ("S3", "MobiFone", "4G", pd.NaT, east(1000)),
            ("S4", "Viettel", "5G", pd.Timestamp("2021-01-01"), east(5000)),
        ],
        index=[10, 20, 30, 40],
    )


def test_validate_sites_accepts_a_good_frame(sites):
    out = validate_sites(sites)
    assert out.index.tolist() == [10, 20, 30, 40]
    assert out["on_air_date"].dtype.kind == "M"
    assert out.crs.equals(4326)


def test_validate_sites_adds_unknown_dates_when_absent(sites):
    out = validate_sites(sites.drop(columns="on_air_date"))
    assert out["on_air_date"].isna().all()
    assert out["on_air_date"].dtype.kind == "M"


def test_validate_sites_reports_every_bad_row_at_once():
    bad = make_sites(
        [
            ("S1", "Viettel", "4G", pd.NaT, east(0)),
            ("S2", "Vinaphone", "4G", pd.NaT, east(10)),  # alias, not a code name
            ("S3", "VNPT", "LTE", pd.NaT, east(20)),
            ("S1", "Viettel", "4G", pd.NaT, east(30)),  # repeated (site_id, operator, technology)
            ("S5", "VNPT", "4G", pd.NaT, Point(21.5, 103.0)),  # lon/lat swapped
            ("S6", "VNPT", "4G", pd.NaT, None),
            ("S7", "VNPT", "4G", pd.NaT, LineString([(103, 21), (103.1, 21)])),
            (None, "VNPT", "4G", pd.NaT, east(40)),
        ]
    )
    with pytest.raises(InputError) as info:
        validate_sites(bad, file="tram.xlsx")
    found = {(p.row, p.field) for p in info.value.problems}
    assert found == {
        (2, "operator"),
        (3, "technology"),
        (4, "site_id"),
        (5, "geometry"),
        (6, "geometry"),
        (7, "geometry"),
        (8, "site_id"),
    }
    assert all(p.file == "tram.xlsx" for p in info.value.problems)
    repeated = next(p for p in info.value.problems if p.row == 4)
    assert "rows 1 and 4" in repeated.message_en
    assert "Viettel, 4G" in repeated.message_en
    assert isinstance(info.value, ValueError)


def test_validate_sites_reports_missing_columns(sites):
    with pytest.raises(InputError) as info:
        validate_sites(sites.drop(columns=["operator", "technology"]))
    assert {p.field for p in info.value.problems} == {"operator", "technology"}


def test_validate_sites_rejects_another_crs(sites):
    with pytest.raises(InputError, match="EPSG:4326"):
        validate_sites(sites.to_crs(32648))


def test_on_air_by_cuts_at_the_end_of_the_year_and_keeps_unknown_dates(sites):
    assert on_air_by(sites, 2020).index.tolist() == [10, 20, 30]
    assert on_air_by(sites, 2019).index.tolist() == [10, 30]
    assert on_air_by(sites, 2021).index.tolist() == [10, 20, 30, 40]
    assert on_air_by(sites, 2020, keep_unknown=False).index.tolist() == [10, 20]


def test_metric_crs_follows_the_utm_zone():
    west = gpd.GeoSeries([Point(103.0, 21.5)], crs=4326)
    eastern = gpd.GeoSeries([Point(108.5, 11.9)], crs=4326)
    assert metric_crs(west).to_epsg() == 32648
    assert metric_crs(eastern).to_epsg() == 32649
    assert metric_crs(gpd.GeoSeries([], crs=4326)).to_epsg() == 32648


def test_physical_sites_two_operators_20_m_apart_are_one_site():
    sites = make_sites(
        [
            ("A", "Viettel", "4G", pd.NaT, east(0)),
            ("B", "VNPT", "4G", pd.NaT, east(20)),
        ]
    )
    ids = physical_sites(sites)
    assert ids.name == "physical_site_id"
    assert ids.tolist() == ["P000001", "P000001"]


def test_physical_sites_40_m_apart_are_two_sites():
    sites = make_sites(
        [
            ("A", "Viettel", "4G", pd.NaT, east(0)),
            ("B", "VNPT", "4G", pd.NaT, east(40)),
        ]
    )
    assert physical_sites(sites).tolist() == ["P000001", "P000002"]


def test_physical_sites_chain_is_one_site():
    sites = make_sites(
        [
            ("A", "Viettel", "4G", pd.NaT, east(0)),
            ("B", "VNPT", "4G", pd.NaT, east(25)),
            ("C", "MobiFone", "4G", pd.NaT, east(50)),
        ]
    )
    assert physical_sites(sites).nunique() == 1
    assert physical_sites(sites, distance_m=20).nunique() == 3


def test_physical_site_ids_follow_input_order_and_index():
    sites = make_sites(
        [
            ("A", "Viettel", "4G", pd.NaT, east(5000)),
            ("B", "VNPT", "4G", pd.NaT, east(0)),
            ("C", "Viettel", "2G", pd.NaT, east(5010)),
            ("D", "MobiFone", "4G", pd.NaT, east(10)),
        ],
        index=["d", "c", "b", "a"],
    )
    ids = physical_sites(sites)
    assert ids.index.tolist() == ["d", "c", "b", "a"]
    assert ids.tolist() == ["P000001", "P000002", "P000001", "P000002"]


def test_physical_sites_of_no_site():
    empty = make_sites([])
    out = physical_sites(empty)
    assert len(out) == 0
    assert out.name == "physical_site_id"


def test_site_sharing_rate():
    sites = make_sites(
        [
            # P1: Viettel + VNPT, shared
            ("A", "Viettel", "4G", pd.NaT, east(0)),
            ("B", "VNPT", "4G", pd.NaT, east(15)),
            # P2: two technologies of one operator, not shared
            ("C", "Viettel", "2G", pd.NaT, east(3000)),
            ("D", "Viettel", "4G", pd.NaT, east(3005)),
            # P3, P4: alone
            ("E", "MobiFone", "4G", pd.NaT, east(6000)),
            ("F", "Vietnamobile", "3G", pd.NaT, east(9000)),
        ]
    )
    result = site_sharing(sites, physical_sites(sites))
    assert result == {
        "sites": 6,
        "site_records": 6,
        "physical_sites": 4,
        "shared_physical_sites": 1,
        "site_sharing_rate": 0.25,
    }


def test_site_sharing_of_no_site():
    empty = make_sites([])
    result = site_sharing(empty, physical_sites(empty))
    assert result["site_sharing_rate"] is None
    assert result["physical_sites"] == 0


def test_physical_sites_are_vectorised_on_many_sites():
    rng = np.random.default_rng(0)
    n = 2000
    lon = LON + rng.uniform(0, 0.5, n)
    lat = LAT + rng.uniform(0, 0.5, n)
    sites = make_sites(
        [
            (f"S{i}", "Viettel", "4G", pd.NaT, Point(x, y))
            for i, (x, y) in enumerate(zip(lon, lat, strict=True))
        ]
    )
    ids = physical_sites(sites, distance_m=500)
    # Every pair closer than 500 m shares an id.
    xy = gpd.GeoSeries(sites.geometry).to_crs(32648).get_coordinates().to_numpy()
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    close = np.argwhere(d <= 500)
    assert (ids.to_numpy()[close[:, 0]] == ids.to_numpy()[close[:, 1]]).all()
    assert 1 < ids.nunique() < n


def test_one_row_per_station_and_technology_is_accepted_and_is_one_physical_site():
    """Operators list one row per site and technology ("DBN001 3G", "DBN001 4G"): both are
    records of one station, one physical site, even when the coordinates were typed apart."""
    rows = make_sites(
        [
            ("DBN001", "Viettel", "3G", pd.NaT, east(0)),
            ("DBN001", "Viettel", "4G", pd.NaT, east(200)),  # typed 200 m apart
            ("DBN001", "VNPT", "4G", pd.NaT, east(5000)),  # another operator's DBN001
            ("DBN002", "Viettel", "4G", pd.NaT, east(9000)),
        ]
    )
    out = validate_sites(rows)
    ids = physical_sites(out, 30.0)
    assert ids.iloc[0] == ids.iloc[1]
    assert ids.iloc[2] != ids.iloc[0]
    shares = site_sharing(out, ids)
    assert shares["sites"] == 3  # Viettel DBN001, VNPT DBN001, Viettel DBN002
    assert shares["site_records"] == 4
    assert shares["physical_sites"] == 3
    assert shares["shared_physical_sites"] == 0
