"""The terrain model: line of sight on analytic cases (the Earth's bulge with k = 4/3, a single
knife edge), the path loss against ITU-R P.526/P.525 reference values, the radial sweep against
the pair kernel, a DEM in another CRS giving the same answer, bounded DEM reading, the DEM store.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.warp import Resampling, calculate_default_transform, reproject
from scipy.special import fresnel
from shapely.geometry import Point

from geo.errors import InputError
from geo.store import dem as dem_store
from geo.terrain import dem as dem_mod
from geo.terrain import kernels, model
from geo.vocab import Evidence

AE = kernels.K_FACTOR * kernels.EARTH_RADIUS_M


def _pair(z, cell, d, tx_h=30.0, rx_h=1.5, freq=900.0, ae=AE, step=None):
    """Loss and line of sight from the grid's row 1, col 1 eastwards over ``d`` metres."""
    one = np.ones(1)
    loss, los = kernels.pair_losses(
        z,
        cell,
        cell,
        one * 1.0,
        one * 1.0,
        one * tx_h,
        one * (1.0 + d / cell),
        one * 1.0,
        one * rx_h,
        one * freq,
        step or cell,
        ae,
    )
    return float(loss[0]), bool(los[0])


def _exact_knife_edge(nu: float) -> float:
    """J(ν) from the Fresnel integrals (ITU-R P.526-16 eq. 26)."""
    s, c = fresnel(nu)
    return -20 * math.log10(math.sqrt((1 - c - s) ** 2 + (c - s) ** 2) / 2)


# ---------------------------------------------------------------------------------------------
# Reference values
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nu", [-0.7, -0.5, 0.0, 0.5, 1.0, 2.0, 2.74, 5.0, 10.0])
def test_knife_edge_loss_follows_the_fresnel_integrals_within_p526_accuracy(nu):
    assert kernels.knife_edge_loss(nu) == pytest.approx(_exact_knife_edge(nu), abs=0.15)


def test_knife_edge_loss_reference_values():
    """P.526: J(0) = 6.02 dB (grazing), 0 below ν = -0.78; Rappaport's example 4.8 (h = 25 m,
    d1 = d2 = 1 km, 900 MHz: ν = 2.74) reads about 22 dB."""
    assert kernels.knife_edge_loss(0.0) == pytest.approx(6.02, abs=0.02)
    assert kernels.knife_edge_loss(-0.79) == 0.0
    nu = 25 * math.sqrt(2 * 2000 / ((kernels.SPEED_OF_LIGHT_M_S / 900e6) * 1000 * 1000))
    assert nu == pytest.approx(2.74, abs=0.01)
    assert kernels.knife_edge_loss(nu) == pytest.approx(22.0, abs=0.5)


@pytest.mark.parametrize(
    ("d_m", "f_mhz", "expected"),
    [(1000, 1000, 92.45), (10_000, 900, 111.53), (4000, 1800, 109.60), (500, 3500, 97.31)],
)
def test_free_space_loss_is_p525(d_m, f_mhz, expected):
    assert kernels.free_space_loss(d_m, f_mhz) == pytest.approx(expected, abs=0.01)


# ---------------------------------------------------------------------------------------------
# Line of sight: analytic cases
# ---------------------------------------------------------------------------------------------


def test_a_target_beyond_the_radio_horizon_of_a_smooth_earth_is_hidden_by_the_bulge():
    """On a sea-level DEM, 30 m and 1.5 m antennas see each other up to the radio horizon
    sqrt(2 a_e h1) + sqrt(2 a_e h2) = 27.6 km with k = 4/3 (a_e = 8 495 km); beyond it the
    bulge hides the target. Without curvature (k → ∞) it stays visible."""
    horizon = math.sqrt(2 * AE * 30.0) + math.sqrt(2 * AE * 1.5)
    assert horizon == pytest.approx(27_625, abs=5)
    cell = 50.0
    z = np.zeros((3, int(horizon * 1.05 / cell) + 3))
    _, near = _pair(z, cell, horizon * 0.98, step=10.0)
    _, far = _pair(z, cell, horizon * 1.02, step=10.0)
    assert near and not far
    _, flat = _pair(z, cell, horizon * 1.02, ae=1e15, step=10.0)
    assert flat


def test_the_bulge_is_the_same_in_the_radial_sweep():
    horizon = math.sqrt(2 * AE * 30.0) + math.sqrt(2 * AE * 1.5)
    cell = 100.0
    n = int(horizon * 1.1 / cell) * 2 + 3
    z = np.zeros((n, n))
    c = (n - 1) / 2
    r0, c0, vis, _ = kernels.site_window(
        z, cell, cell, c, c, 30.0, 1.5, horizon * 1.08, 900.0, AE, False
    )
    rows, cols = np.mgrid[r0 : r0 + vis.shape[0], c0 : c0 + vis.shape[1]]
    dist = np.hypot(rows - c, cols - c) * cell
    inside = vis != 255
    assert (vis[inside & (dist < horizon * 0.98)] == 1).all()
    assert (vis[inside & (dist > horizon * 1.02)] == 0).all()


def _wall(height, cell=10.0, d=2000.0):
    """Flat ground at 0 with a wall ``height`` m high, 3 cells thick, across the middle."""
    n = int(d / cell) + 3
    z = np.zeros((3, n))
    mid = 1 + int(round(d / 2 / cell))
    z[:, mid - 1 : mid + 2] = height
    return z


def test_a_single_knife_edge_above_the_line_hides_the_target_and_below_does_not():
    """Antennas at 30 m and 1.5 m, 2 km apart: the line passes 15.75 m above the middle (less
    the 0.06 m bulge)."""
    assert not _pair(_wall(18.0), 10.0, 2000.0)[1]
    assert _pair(_wall(13.0), 10.0, 2000.0)[1]


@pytest.mark.parametrize("height", [10.0, 20.0, 60.0, 200.0])
def test_a_single_knife_edge_loses_j_of_nu_plus_the_bullington_term(height):
    """With one obstacle, Bullington's loss is the knife-edge loss J(ν) of that edge plus
    (1 - exp(-J/6)) (10 + 0.02 d) (ITU-R P.526-16 §4.5.1)."""
    d, f = 2000.0, 900.0
    lam = kernels.SPEED_OF_LIGHT_M_S / (f * 1e6)
    loss, _ = _pair(_wall(height), 10.0, d, freq=f)
    excess = height + 1000 * 1000 / (2 * AE) - (30 + 1.5) / 2
    nu = excess * math.sqrt(2 * d / (lam * 1000 * 1000))
    j = kernels.knife_edge_loss(nu)
    expected = kernels.free_space_loss(d, f) + j + (1 - math.exp(-j / 6)) * (10 + 0.02 * 2)
    assert loss == pytest.approx(expected, abs=0.6)


def test_the_radial_sweep_agrees_with_the_pair_kernel_on_rough_terrain():
    rng = np.random.default_rng(7)
    n = 161
    f = np.fft.fftfreq(n)
    r = np.hypot(*np.meshgrid(f, f))
    r[0, 0] = 1
    spec = (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))) / r**2
    spec[0, 0] = 0
    z = np.real(np.fft.ifft2(spec))
    z = (z - z.min()) / (z.max() - z.min()) * 400
    c = 80.0
    r0, c0, vis, loss = kernels.site_window(
        z, 30.0, 30.0, c, c, 30.0, 1.5, 2000.0, 1800.0, AE, True
    )
    ti, tj = np.nonzero(vis != 255)
    pick = rng.choice(len(ti), 300, replace=False)
    rows, cols = (ti[pick] + r0).astype(float), (tj[pick] + c0).astype(float)
    one = np.ones(len(pick))
    p_loss, p_los = kernels.pair_losses(
        z, 30.0, 30.0, one * c, one * c, one * 30.0, cols, rows, one * 1.5, one * 1800.0, 15.0, AE
    )
    sweep = vis[ti[pick], tj[pick]] == 1
    assert (sweep == p_los).mean() >= 0.95
    assert np.median(np.abs(loss[ti[pick], tj[pick]] - p_loss)) < 1.0


# ---------------------------------------------------------------------------------------------
# DEMs on disk, CRSs
# ---------------------------------------------------------------------------------------------


def _write(path, z, transform, crs, nodata=None):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=z.shape[0],
        width=z.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as dst:
        dst.write(z.astype("float32"), 1)
    return path


def _ridge_scene(tmp_path):
    """A DEM in EPSG:9205 (VN-2000 TM-3 103°) near Điện Biên Phủ: flat at 500 m with a
    1,500 m ridge north–south 1.5 km east of a site; villages 3 km east (behind it) and 3 km
    west, north and south (in the open)."""
    to_9205 = Transformer.from_crs(4326, 9205, always_xy=True)
    to_4326 = Transformer.from_crs(9205, 4326, always_xy=True)
    sx, sy = to_9205.transform(103.02, 21.38)
    cell = 30.0
    half = 6000.0
    transform = Affine(cell, 0, sx - half, 0, -cell, sy + half)
    n = int(2 * half / cell)
    z = np.full((n, n), 500.0)
    xs = sx - half + (np.arange(n) + 0.5) * cell
    ys = sy + half - (np.arange(n) + 0.5) * cell
    ridge_x = np.abs(xs - (sx + 1500)) < 100
    ridge_y = np.abs(ys - sy) < 800
    z[np.ix_(ridge_y, ridge_x)] = 2000.0
    path = _write(tmp_path / "dem_9205.tif", z, transform, "EPSG:9205")
    offsets = {"behind": (3000, 0), "west": (-3000, 0), "north": (0, 3000), "south": (0, -3000)}
    pts = {k: Point(*to_4326.transform(sx + dx, sy + dy)) for k, (dx, dy) in offsets.items()}
    villages = gpd.GeoDataFrame({"name": list(pts)}, geometry=list(pts.values()), crs=4326)
    site = gpd.GeoDataFrame(
        {"operator": ["Viettel"], "technology": ["4G"], "antenna_height_m": [30.0]},
        geometry=[Point(*to_4326.transform(sx, sy))],
        crs=4326,
    )
    return path, villages.set_index("name"), site


def _covered(dem, villages, site):
    cov, evidence = model.terrain_coverage(
        villages, site, dem, operators=["Viettel"], radii={"4G": 4000.0}
    )
    return cov["Viettel"], evidence


def test_a_ridge_hides_a_village_that_villages_in_the_open_at_the_same_distance_are_not(
    tmp_path,
):
    path, villages, site = _ridge_scene(tmp_path)
    dem = dem_mod.read_dem(path)
    assert dem.crs.to_epsg() == 9205  # projected in metres: kept as it is
    covered, evidence = _covered(dem, villages, site)
    assert covered.to_dict() == {"behind": False, "west": True, "north": True, "south": True}
    assert (evidence == Evidence.TERRAIN).all()


def test_the_same_dem_in_degrees_gives_the_same_answer(tmp_path):
    """The EPSG:9205 DEM warped to EPSG:4326 is read, reprojected to UTM and gives the same
    villages covered."""
    path, villages, site = _ridge_scene(tmp_path)
    with rasterio.open(path) as src:
        transform, w, h = calculate_default_transform(
            src.crs, "EPSG:4326", src.width, src.height, *src.bounds
        )
        out = np.full((h, w), np.nan, dtype="float32")
        reproject(
            src.read(1),
            out,
            src_transform=src.transform,
            src_crs=src.crs,
            dst_transform=transform,
            dst_crs="EPSG:4326",
            dst_nodata=np.nan,
            resampling=Resampling.nearest,
        )
    degrees = _write(tmp_path / "dem_4326.tif", out, transform, "EPSG:4326", nodata=np.nan)
    dem = dem_mod.read_dem(degrees)
    assert dem.crs.to_epsg() == 32648
    covered, _ = _covered(dem, villages, site)
    assert covered.to_dict() == _covered(dem_mod.read_dem(path), villages, site)[0].to_dict()


def test_a_village_off_the_dem_keeps_the_radius_answer_and_says_so(tmp_path):
    path, villages, site = _ridge_scene(tmp_path)
    far = gpd.GeoDataFrame({"name": ["off"]}, geometry=[Point(103.02, 21.40)], crs=4326)
    dem = dem_mod.read_dem(path)
    z = dem.elevation.copy()
    col, row = dem.grid_position(
        *Transformer.from_crs(4326, 9205, always_xy=True).transform(103.02, 21.40)
    )
    z[int(row) - 2 : int(row) + 3, int(col) - 2 : int(col) + 3] = np.nan
    holed = dem_mod.Dem(z, dem.transform, dem.crs)
    covered, evidence = _covered(holed, far.set_index("name"), site)
    assert bool(covered["off"]) and evidence["off"] == Evidence.RADIUS


def test_the_antenna_height_column_is_used(tmp_path):
    """A 20 m mast behind a 15 m wall at 1 km is hidden; a 60 m mast sees over it."""
    z = _wall(15.0, 10.0, 2000.0)
    transform = Affine(10.0, 0, 500_000, 0, -10.0, 2_360_000)
    dem = dem_mod.Dem(z.astype("float32"), transform, CRS.from_epsg(32648))
    to_4326 = Transformer.from_crs(32648, 4326, always_xy=True)
    x0, y = 500_015.0, 2_360_000 - 15.0
    site = gpd.GeoDataFrame(
        {"operator": ["Viettel"] * 2, "technology": ["4G"] * 2, "antenna_height_m": [8.0, 60.0]},
        geometry=[Point(*to_4326.transform(x0, y))] * 2,
        crs=4326,
    )
    village = gpd.GeoDataFrame(geometry=[Point(*to_4326.transform(x0 + 2000, y))], crs=4326)
    pairs = model.pair_table(village, site, dem, radii={"4G": 4000.0})
    assert pairs.sort_values("site")["los"].tolist() == [False, True]


def test_read_dem_windows_to_the_bounds_and_turns_nodata_into_nan(tmp_path):
    z = np.arange(200 * 300, dtype="float32").reshape(200, 300)
    z[0, :] = -9999
    transform = Affine(0.001, 0, 102.9, 0, -0.001, 21.5)
    path = _write(tmp_path / "wide.tif", z, transform, "EPSG:4326", nodata=-9999)
    whole = dem_mod.read_dem(path)
    assert np.isnan(whole.elevation).any()
    part = dem_mod.read_dem(path, (102.95, 21.40, 102.96, 21.41), margin_m=500)
    assert part.elevation.size < whole.elevation.size / 4
    with pytest.raises(InputError, match="does not cover the province") as err:
        dem_mod.read_dem(path, (105.0, 10.0, 105.1, 10.1), margin_m=0)
    assert err.value.field == "bounds" and err.value.file == str(path)


def test_a_dem_too_large_is_refused_before_reading_with_the_fix(tmp_path):
    z = np.zeros((100, 100), dtype="float32")
    path = _write(tmp_path / "big.tif", z, Affine(30, 0, 500_000, 0, -30, 2_400_000), "EPSG:32648")
    with pytest.raises(InputError, match=r"gdalwarp -tr 30 30"):
        dem_mod.read_dem(path, max_cells=5_000)


@pytest.mark.parametrize("content", [b"not a raster at all", b""])
def test_a_file_that_is_not_a_raster_names_the_file(tmp_path, content):
    path = tmp_path / "dem.tif"
    path.write_bytes(content)
    with pytest.raises(InputError, match="not a raster GDAL can read") as err:
        dem_mod.read_dem(path)
    assert "dem.tif" in str(err.value)


def test_a_dem_without_crs_asks_for_one(tmp_path):
    z = np.zeros((10, 10), dtype="float32")
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=10,
        width=10,
        count=1,
        dtype="float32",
        transform=Affine(30, 0, 0, 0, -30, 0),
    ) as dst:
        dst.write(z, 1)
    with pytest.raises(InputError, match="--crs"):
        dem_mod.read_dem(path)
    assert dem_mod.read_dem(path, crs="EPSG:9205").crs.to_epsg() == 9205


def test_write_cog_writes_a_cloud_optimized_geotiff(tmp_path):
    z = np.random.default_rng(1).random((600, 700)).astype("float32")
    out = dem_mod.write_cog(
        z,
        Affine(30, 0, 500_000, 0, -30, 2_400_000),
        CRS.from_epsg(32648),
        tmp_path / "x.tif",
        tags={"synthetic": "true"},
    )
    with rasterio.open(out) as src:
        assert src.profile["tiled"] and src.overviews(1)
        assert src.tags()["synthetic"] == "true"
        np.testing.assert_array_equal(src.read(1), z)


def test_the_dem_store_keeps_the_latest_record_per_province(tmp_path):
    path = dem_store.dem_store_path(tmp_path / "imports.sqlite")
    assert path.name == "imports.dem.sqlite"
    conn = dem_store.connect(path)
    base = {
        "province_code": "11",
        "source_file": "a.tif",
        "sha256": "0" * 64,
        "source_crs": "EPSG:9205",
        "crs": "EPSG:9205",
        "resolution_m": 30.0,
        "width": 10,
        "height": 10,
        "path": "a.tif",
    }
    first = dem_store.record(conn, base, who="An")
    second = dem_store.record(conn, base | {"source_file": "b.tif"}, who="An")
    assert dem_store.current(conn, "11")["dem_id"] == second
    dem_store.remove(conn, second, who="An")
    assert dem_store.current(conn, "11")["dem_id"] == first
    assert len(dem_store.listing(conn, "11")) == 2
    assert dem_store.current(conn, "12") is None
    conn.close()


def test_a_foreign_sqlite_file_is_refused_as_dem_store(tmp_path):
    import sqlite3

    from geo.store.sqlite import DatabaseFileError

    path = tmp_path / "imports.dem.sqlite"
    c = sqlite3.connect(path)
    c.execute("PRAGMA application_id = 42")
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()
    with pytest.raises(DatabaseFileError):
        dem_store.connect(path)


def test_coverage_rasters_give_the_best_server_and_hide_behind_the_ridge(tmp_path):
    path, villages, site = _ridge_scene(tmp_path)
    dem = dem_mod.read_dem(path)
    two = pd.concat([site, site.assign(antenna_height_m=40.0)], ignore_index=True)
    two = gpd.GeoDataFrame(two, geometry="geometry", crs=4326)
    out = model.coverage_rasters(two, dem, radii={"4G": 4000.0})
    alone = [
        model.coverage_rasters(two.iloc[[i]], dem, radii={"4G": 4000.0})["loss"] for i in (0, 1)
    ]
    best = np.fmin(alone[0], alone[1])
    np.testing.assert_allclose(out["loss"], best, rtol=0, atol=1e-4)
    reached = np.isfinite(best)
    server = out["server"]
    assert (server[~reached] == -1).all()
    assert (alone[1][server == 1] <= alone[0][server == 1]).all()
    assert (alone[0][server == 0] <= alone[1][server == 0]).all()
    assert (server[alone[1] < alone[0]] == 1).all() and (alone[1] < alone[0]).any()
    x, y = Transformer.from_crs(4326, 9205, always_xy=True).transform(
        villages.geometry["behind"].x, villages.geometry["behind"].y
    )
    col, row = dem.grid_position(np.array([x]), np.array([y]))
    behind = out["loss"][int(round(row[0])), int(round(col[0]))]
    x, y = Transformer.from_crs(4326, 9205, always_xy=True).transform(
        villages.geometry["west"].x, villages.geometry["west"].y
    )
    col, row = dem.grid_position(np.array([x]), np.array([y]))
    west = out["loss"][int(round(row[0])), int(round(col[0]))]
    assert behind > model.MAX_PATH_LOSS_DB["4G"] >= west
