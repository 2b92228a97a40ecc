"""Tests of geo.coverage: the radius rule, gap classes, fibre and coverage polygons."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point

from geo.coverage import (
    DEFAULT_RADII_M,
    coverage_buffers,
    fibre_by_operator,
    fibre_operators,
    fibre_status,
    gap_class,
    mobile_broadband,
    operator_coverage,
)
from geo.errors import InputError
from geo.sites import OPERATORS, SITE_COLUMNS, TECHNOLOGIES

LON, LAT = 103.0, 21.5
GEOD = Geod(ellps="WGS84")


def east(metres: float, lon: float = LON, lat: float = LAT) -> Point:
    x, y, _ = GEOD.fwd(lon, lat, 90.0, metres)
    return Point(x, y)


def north(metres: float, lon: float = LON, lat: float = LAT) -> Point:
    x, y, _ = GEOD.fwd(lon, lat, 0.0, metres)
    return Point(x, y)


def make_sites(rows: list[tuple]) -> gpd.GeoDataFrame:
    """Sites from (site_id, operator, technology, geometry) tuples."""
    frame = pd.DataFrame([(s, o, t, pd.NaT, g) for s, o, t, g in rows], columns=list(SITE_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=4326)


def make_villages(points: list[Point], index=None) -> gpd.GeoDataFrame:
    ids = [f"V{i}" for i in range(len(points))]
    return gpd.GeoDataFrame(
        {"village_id": ids, "commune_code": "03151"}, geometry=points, index=index, crs=4326
    )


def test_4g_radius_boundary():
    sites = make_sites([("S1", "Viettel", "4G", east(0))])
    villages = make_villages([east(3900), east(4100), north(3900)], index=["a", "b", "c"])
    cov = operator_coverage(villages, sites)
    assert list(cov.columns) == list(OPERATORS)
    assert cov.index.tolist() == ["a", "b", "c"]
    assert cov["Viettel"].tolist() == [True, False, True]
    assert not cov.drop(columns="Viettel").to_numpy().any()
    assert cov.attrs["operators"] == ("Viettel",)


def test_2g_counts_only_when_asked():
    sites = make_sites([("S1", "MobiFone", "2G", east(0))])
    villages = make_villages([east(10_000), east(13_000)])
    broadband = operator_coverage(villages, sites)
    assert not broadband.to_numpy().any()
    assert mobile_broadband(broadband).tolist() == [False, False]
    voice = operator_coverage(villages, sites, technologies=("2G", "3G", "4G", "5G"))
    assert voice["MobiFone"].tolist() == [True, False]


def test_5g_radius_is_half_a_kilometre_by_default_and_editable():
    """GSMA's coverage-map method: 0.5 km for 5G; the planner may change it."""
    assert DEFAULT_RADII_M["5G"] == 500
    sites = make_sites([("S1", "VNPT", "5G", east(0))])
    villages = make_villages([east(450), east(900), east(1500)])
    assert operator_coverage(villages, sites)["VNPT"].tolist() == [True, False, False]
    radii = {**DEFAULT_RADII_M, "5G": 2000}
    assert operator_coverage(villages, sites, radii=radii)["VNPT"].tolist() == [True, True, True]


def test_unknown_technology_or_missing_radius_is_an_input_error():
    sites = make_sites([("S1", "VNPT", "5G", east(0))])
    villages = make_villages([east(900)])
    with pytest.raises(InputError):
        operator_coverage(villages, sites, technologies=("LTE",))
    with pytest.raises(InputError):
        operator_coverage(villages, sites, radii={"3G": 4000, "4G": 4000})


def test_no_site_covers_nothing():
    cov = operator_coverage(make_villages([east(0)]), make_sites([]))
    assert not cov.to_numpy().any()
    assert gap_class(cov).tolist() == ["none"]


def test_matches_brute_force_distance_matrix():
    rng = np.random.default_rng(42)
    n_villages, n_sites = 300, 120
    villages = make_villages(
        [
            Point(x, y)
            for x, y in zip(
                LON + rng.uniform(0, 0.6, n_villages),
                LAT + rng.uniform(0, 0.6, n_villages),
                strict=True,
            )
        ],
        index=rng.permutation(n_villages) * 7,
    )
    ops = rng.choice(OPERATORS, n_sites)
    techs = rng.choice(TECHNOLOGIES, n_sites)
    site_lon = LON + rng.uniform(0, 0.6, n_sites)
    site_lat = LAT + rng.uniform(0, 0.6, n_sites)
    sites = make_sites(
        [(f"S{i}", ops[i], techs[i], Point(site_lon[i], site_lat[i])) for i in range(n_sites)]
    )
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    vx, vy = to_utm.transform(villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy())
    sx, sy = to_utm.transform(site_lon, site_lat)
    distance = np.hypot(vx[:, None] - sx[None, :], vy[:, None] - sy[None, :])
    radius = np.array([DEFAULT_RADII_M[t] for t in techs])
    for technologies in (("3G", "4G", "5G"), tuple(TECHNOLOGIES)):
        counts = np.isin(techs, technologies)
        within = (distance <= radius[None, :]) & counts[None, :]
        expected = np.stack([(within & (ops == op)[None, :]).any(axis=1) for op in OPERATORS], 1)
        got = operator_coverage(villages, sites, technologies=technologies)
        assert got.index.equals(villages.index)
        np.testing.assert_array_equal(got.to_numpy(), expected)
        assert 0 < expected.sum() < expected.size  # a meaningful mix


@pytest.fixture
def coverage() -> pd.DataFrame:
    sites = make_sites(
        [
            ("A", "Viettel", "4G", east(0)),
            ("B", "VNPT", "4G", east(0)),
            ("C", "VNPT", "4G", east(10_000)),
            ("D", "Gmobile", "2G", east(0)),  # 2G only: not a broadband operator here
        ]
    )
    villages = make_villages([east(1000), east(11_000), east(30_000)], index=[5, 6, 7])
    return operator_coverage(villages, sites)


def test_gap_class_uses_the_operators_present(coverage):
    assert coverage.attrs["operators"] == ("Viettel", "VNPT")
    classes = gap_class(coverage)
    assert classes.name == "gap_class"
    assert classes.index.tolist() == [5, 6, 7]
    assert classes.tolist() == ["all", "partial", "none"]


def test_gap_class_with_explicit_operators(coverage):
    assert gap_class(coverage, OPERATORS).tolist() == ["partial", "partial", "none"]
    assert gap_class(coverage, ["Viettel"]).tolist() == ["all", "none", "none"]


def test_gap_class_without_attrs_falls_back_to_covering_operators(coverage):
    plain = pd.DataFrame(coverage.to_numpy(), index=coverage.index, columns=coverage.columns)
    assert gap_class(plain).tolist() == ["all", "partial", "none"]


def test_mobile_broadband(coverage):
    out = mobile_broadband(coverage)
    assert out.name == "mobile_broadband"
    assert out.tolist() == [True, True, False]


@pytest.fixture
def fibre_villages() -> gpd.GeoDataFrame:
    return make_villages([east(0), east(100), east(200)], index=["x", "y", "z"])


def test_fibre(fibre_villages):
    fibre = pd.DataFrame(
        {
            "village_id": ["V0", "V0", "V2", "V0", "V9"],
            "operator": ["VNPT", "Viettel", "MobiFone", "VNPT", "Viettel"],
            "source": ["plan", "plan", "survey", "survey", "plan"],
        }
    )
    status = fibre_status(fibre_villages, fibre)
    assert status.name == "fibre"
    assert status.to_dict() == {"x": True, "y": False, "z": True}
    names = fibre_operators(fibre_villages, fibre)
    assert names.name == "fibre_operators"
    assert names.to_dict() == {"x": "Viettel;VNPT", "y": "", "z": "MobiFone"}
    table = fibre_by_operator(fibre_villages, fibre)
    assert table.loc["x", "VNPT"] and not table.loc["y"].any()


def test_fibre_of_an_empty_table(fibre_villages):
    empty = pd.DataFrame({"village_id": [], "operator": []})
    assert not fibre_status(fibre_villages, empty).any()
    assert fibre_operators(fibre_villages, empty).tolist() == ["", "", ""]


def test_fibre_rejects_unknown_operators(fibre_villages):
    fibre = pd.DataFrame({"village_id": ["V0", "V1"], "operator": ["VNPT", "Vinaphone"]})
    with pytest.raises(InputError) as info:
        fibre_status(fibre_villages, fibre)
    assert [(p.row, p.field) for p in info.value.problems] == [(2, "operator")]


def test_coverage_buffers_match_the_radius_rule():
    sites = make_sites(
        [
            ("A", "Viettel", "4G", east(0)),
            ("B", "VNPT", "5G", east(20_000)),
            ("C", "MobiFone", "2G", east(40_000)),
        ]
    )
    area = coverage_buffers(sites)
    assert area.geom_type == "MultiPolygon"
    assert area.contains(east(3900)) and not area.contains(east(4100))
    assert area.contains(east(20_450)) and not area.contains(east(20_550))
    assert not area.contains(east(40_000))
    # Area of the 4G disc on the ground, about pi * 4 km ** 2.
    disc_4g = max(area.geoms, key=lambda g: g.area)
    ground, _ = GEOD.geometry_area_perimeter(disc_4g)
    assert abs(ground) == pytest.approx(math.pi * 4000**2, rel=0.01)

    per_operator = coverage_buffers(sites, by_operator=True)
    assert per_operator.index.tolist() == ["Viettel", "VNPT"]
    assert per_operator.crs.equals(4326)
    assert per_operator["Viettel"].contains(east(3900))
    assert not per_operator["Viettel"].contains(east(20_000))

    voice = coverage_buffers(sites, technologies=("2G",))
    assert voice.contains(east(40_000 - 11_000))


def test_coverage_buffers_of_no_site():
    area = coverage_buffers(make_sites([]))
    assert shapely.is_empty(area)


def test_declared_coverage_is_read_per_operator_and_compared_with_the_model():
    import geopandas as gpd
    import shapely

    from geo import coverage

    villages = gpd.GeoDataFrame(
        {"village_id": ["a", "b"]},
        geometry=[shapely.Point(103.00, 21.50), shapely.Point(103.20, 21.50)],
        crs="EPSG:4326",
    )
    declared = gpd.GeoDataFrame(
        {"operator": ["Viettel"], "technology": ["4G"]},
        geometry=[shapely.box(102.95, 21.45, 103.05, 21.55)],
        crs="EPSG:4326",
    )
    d = coverage.declared_coverage(villages, declared)
    assert d["Viettel"].tolist() == [True, False]
    assert not d["VNPT"].any()
    modelled = d.copy()
    modelled.loc[:, "Viettel"] = [False, True]
    diff = coverage.compare_declared(modelled, d)
    assert diff[["village", "operator", "declared", "modelled"]].values.tolist() == [
        [0, "Viettel", True, False],
        [1, "Viettel", False, True],
    ]
