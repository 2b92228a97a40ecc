"""Tests of geo.population's raster part: kernels, windows and census spreading.

The test raster is 4 x 4 pixels of 0.01° whose top-left corner is (103.00° E, 21.54° N),
near Điện Biên::

    row 0:  1   3   0   0
    row 1:  1   3   0   0
    row 2:  ND  ND  2   2        ND = nodata
    row 3:  ND  ND  2   2

Communes: A = the top-left 2 x 2 block (1000 people), B = the bottom-left block, all nodata
(400), C = the bottom-right block minus D (800), D = a ward inside pixel (3, 3) that holds no
pixel centre (50). The top-right block is in no commune.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely.geometry import box

from geo.errors import InputError
from geo.population import (
    masked_sum,
    population_within,
    raster_sum_within,
    rasterize_zones,
    read_window,
    spread_census,
    spread_counts,
    zone_sums,
)

NODATA = -99999.0
TRANSFORM = Affine(0.01, 0.0, 103.0, 0.0, -0.01, 21.54)
VALUES = np.array(
    [
        [1, 3, 0, 0],
        [1, 3, 0, 0],
        [NODATA, NODATA, 2, 2],
        [NODATA, NODATA, 2, 2],
    ],
    dtype="float32",
)


@pytest.fixture
def raster(tmp_path):
    path = tmp_path / "pop.tif"
    profile = {
        "driver": "GTiff",
        "width": 4,
        "height": 4,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": TRANSFORM,
        "nodata": NODATA,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(VALUES, 1)
    return path


WARD = box(103.031, 21.501, 103.034, 21.504)


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": ["A", "B", "C", "D"], "population": [1000, 400, 800, 50]},
        geometry=[
            box(103.00, 21.52, 103.02, 21.54),
            box(103.00, 21.50, 103.02, 21.52),
            box(103.02, 21.50, 103.04, 21.52).difference(WARD),
            WARD,
        ],
        index=["a", "b", "c", "d"],
        crs=4326,
    )


# Kernels ----------------------------------------------------------------------------------


def test_zone_sums_treats_nan_and_nodata_as_zero():
    values = np.array([[1.0, np.nan, 5.0], [-9.0, 2.0, 4.0]])
    zones = np.array([[1, 1, 0], [2, 2, 2]])
    np.testing.assert_array_equal(zone_sums(values, zones, 3, nodata=-9.0), [5.0, 1.0, 6.0, 0.0])


def test_zone_sums_rejects_bad_zones():
    with pytest.raises(InputError):
        zone_sums(np.ones((2, 2)), np.array([[0, 1], [2, 5]]), 3)
    with pytest.raises(InputError):
        zone_sums(np.ones((2, 2)), np.ones((3, 2), dtype=int), 3)


def test_spread_counts_by_weight():
    out = spread_counts(np.array([[1.0, 3.0]]), np.array([[1, 1]]), np.array([0.0, 1000.0]))
    np.testing.assert_allclose(out, [[250.0, 750.0]])


def test_spread_counts_zero_weights_spread_evenly_and_outside_gets_nothing():
    weights = np.array([[0.0, np.nan, 7.0], [2.0, 2.0, -1.0]])
    zones = np.array([[1, 1, 0], [2, 2, 2]])
    out = spread_counts(weights, zones, np.array([99.0, 10.0, 40.0]))
    np.testing.assert_allclose(out, [[5.0, 5.0, 0.0], [20.0, 20.0, 0.0]])


def test_spread_counts_conserves_zone_totals():
    rng = np.random.default_rng(1)
    weights = rng.uniform(0, 5, (50, 60))
    weights[rng.uniform(size=weights.shape) < 0.2] = 0
    zones = rng.integers(0, 8, weights.shape)
    totals = np.r_[0.0, rng.integers(0, 10_000, 7).astype(float)]
    out = spread_counts(weights, zones, totals)
    np.testing.assert_allclose(zone_sums(out, zones, 7)[1:], totals[1:])
    assert zone_sums(out, zones, 7)[0] == 0


def test_masked_sum():
    values = np.array([[1.0, np.nan], [3.0, 4.0]])
    assert masked_sum(values, np.array([[True, True], [False, True]])) == 5.0


# Wrappers ---------------------------------------------------------------------------------


def test_rasterize_zones_by_pixel_centre(communes):
    zones = rasterize_zones(communes.geometry, TRANSFORM, (4, 4))
    np.testing.assert_array_equal(
        zones,
        [
            [1, 1, 0, 0],
            [1, 1, 0, 0],
            [2, 2, 3, 3],
            [2, 2, 3, 3],
        ],
    )
    assert zones.dtype == np.int32


def test_read_window_reads_the_bounds_only(raster):
    array, transform = read_window(raster, (103.011, 21.511, 103.029, 21.529))
    np.testing.assert_array_equal(array, [[3.0, 0.0], [0.0, 2.0]])
    assert array.dtype == np.float64
    assert transform.c == pytest.approx(103.01)
    assert transform.f == pytest.approx(21.53)


def test_read_window_outside_the_raster(raster):
    with pytest.raises(InputError):
        read_window(raster, (104.0, 22.0, 104.1, 22.1))


def test_spread_census_conserves_the_census_total(communes, raster):
    counts, transform = spread_census(communes, raster)
    assert counts.sum() == pytest.approx(2250.0)
    np.testing.assert_allclose(
        counts,
        [
            [125.0, 375.0, 0.0, 0.0],
            [125.0, 375.0, 0.0, 0.0],
            [100.0, 100.0, 200.0, 200.0],
            [100.0, 100.0, 200.0, 250.0],  # the ward's 50 in the pixel of its point
        ],
    )
    assert transform == TRANSFORM


def test_population_within_a_half_covered_commune(communes, raster):
    left_column = box(103.0, 21.50, 103.01, 21.54)
    out = population_within(communes, left_column, raster)
    assert out.name == "population_covered"
    assert out.index.tolist() == ["a", "b", "c", "d"]
    np.testing.assert_allclose(out.to_numpy(), [250.0, 200.0, 0.0, 0.0])


def test_population_within_places_a_pixelless_ward_by_its_point(communes, raster):
    corner_pixel = box(103.03, 21.50, 103.04, 21.51)
    out = population_within(communes, corner_pixel, raster)
    np.testing.assert_allclose(out.to_numpy(), [0.0, 0.0, 200.0, 50.0])


def test_population_within_full_and_empty_coverage(communes, raster):
    everything = box(102.9, 21.4, 103.1, 21.6)
    full = population_within(communes, everything, raster)
    np.testing.assert_allclose(full.to_numpy(), communes["population"].to_numpy())
    assert population_within(communes, box(0, 0, 0, 0).buffer(0), raster).sum() == 0
    assert population_within(communes, None, raster).sum() == 0


def test_population_within_reports_bad_populations(communes, raster):
    communes = communes.astype({"population": "float64"})
    communes.loc["b", "population"] = np.nan
    communes.loc["c", "population"] = -1
    with pytest.raises(InputError) as info:
        population_within(communes, None, raster)
    assert [(p.row, p.field) for p in info.value.problems] == [
        (2, "population"),
        (3, "population"),
    ]


def test_population_within_a_commune_outside_the_raster(raster):
    far = gpd.GeoDataFrame(
        {"population": [10, 5]},
        geometry=[box(103.00, 21.52, 103.02, 21.54), box(104.0, 22.0, 104.001, 22.001)],
        crs=4326,
    )
    with pytest.raises(InputError) as info:
        population_within(far, None, raster)
    assert [p.row for p in info.value.problems] == [2]


def test_raster_sum_within(communes, raster):
    out = raster_sum_within(communes, raster)
    assert out.name == "worldpop_sum"
    np.testing.assert_allclose(out.to_numpy(), [8.0, 0.0, 8.0, 0.0])
