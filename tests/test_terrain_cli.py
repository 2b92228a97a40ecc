"""The issue's "done when" through the command line: on a DEM in EPSG:9205 with a 1,500 m ridge
between a site and a village 3 km away, the village is not covered while a village 3 km away
in the open is, through `python -m geo export --layer villages` after `python -m geo import dem
… --commit` (with $COVERAGE_IMPORTS_DB in a temporary folder); and the errors of `import dem`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=900,
    )


def _two_villages(dienbien) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Two register villages 3 to 5 km apart (EPSG:9205 rows) and a point 3 km from both."""
    v = dienbien.villages
    v = v[v["location_precision"] == "point"].drop_duplicates("village_id").to_crs(9205)
    xy = np.column_stack([v.geometry.x, v.geometry.y])
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    i, j = np.argwhere((d > 3000) & (d < 5000))[0]
    a, b = xy[i], xy[j]
    mid, half = (a + b) / 2, np.linalg.norm(b - a) / 2
    normal = np.array([-(b - a)[1], (b - a)[0]]) / (2 * half)
    site = mid + normal * np.sqrt(3000**2 - half**2)
    return v.iloc[[i, j]], site


def _dem_with_ridge(path: Path, site: np.ndarray, village: np.ndarray) -> Path:
    """Flat ground at 500 m in EPSG:9205 (30 m cells) with a 1,500 m ridge, 800 m long and
    200 m thick, across the middle of the line from the site to ``village``."""
    cell, half = 30.0, 8000.0
    n = int(2 * half / cell)
    left, top = site[0] - half, site[1] + half
    xs = left + (np.arange(n) + 0.5) * cell
    ys = top - (np.arange(n) + 0.5) * cell
    gx, gy = np.meshgrid(xs, ys)
    along = (village - site) / np.linalg.norm(village - site)
    u = (gx - site[0]) * along[0] + (gy - site[1]) * along[1]
    w = -(gx - site[0]) * along[1] + (gy - site[1]) * along[0]
    z = np.full((n, n), 500.0, dtype="float32")
    z[(np.abs(u - 1500) < 100) & (np.abs(w) < 400)] = 2000.0
    with rasterio.open(
        path, "w", driver="GTiff", height=n, width=n, count=1, dtype="float32",
        crs="EPSG:9205", transform=Affine(cell, 0, left, 0, -cell, top), nodata=-9999,
    ) as dst:  # fmt: skip
        dst.write(z, 1)
    return path


def _villages(out: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(out).set_index("village_id")


def test_a_village_behind_a_ridge_is_not_covered_after_import_dem_while_one_in_the_open_is(
    dienbien, tmp_path
):
    env = {"COVERAGE_IMPORTS_DB": str(tmp_path / "store.sqlite")}
    pair, site = _two_villages(dienbien)
    behind, open_ = pair["village_id"].tolist()
    lon, lat = Transformer.from_crs(9205, 4326, always_xy=True).transform(*site)
    sites = tmp_path / "tram.csv"
    sites.write_text(
        "Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ,Độ cao anten (m)\n"
        f"DBN900,Viettel,4G,{lon:.6f},{lat:.6f},30\n",
        encoding="utf-8",
    )
    r = _cli("import", "sites", str(sites), "--province", "11", "--commit", "--user", "An",
             env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    before = tmp_path / "before.geojson"
    r = _cli("export", "--province", "11", "--layer", "villages", "--output", str(before),
             env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    v = _villages(before)
    assert v.loc[behind, "Viettel"] and v.loc[open_, "Viettel"]  # the radius model: both
    assert v.loc[behind, "evidence"] == "radius"

    a = np.array([pair.geometry.iloc[0].x, pair.geometry.iloc[0].y])
    dem = _dem_with_ridge(tmp_path / "dem_9205.tif", site, a)
    r = _cli("import", "dem", str(dem), "--province", "Điện Biên", "--commit", "--user", "An",
             env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "EPSG:9205" in r.stderr
    assert list((tmp_path / "store_dem").glob("dem_11_*.tif"))

    from geo import terrain

    version = terrain.dem_version(tmp_path / "store.sqlite", ("11", "12"))
    assert version[0] is not None and version[1] is None  # the app's cache key changes

    after = tmp_path / "after.geojson"
    r = _cli("export", "--province", "11", "--layer", "villages", "--output", str(after),
             env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    v = _villages(after)
    assert not v.loc[behind, "Viettel"]
    assert v.loc[open_, "Viettel"]
    assert v.loc[behind, "evidence"] == "terrain" and v.loc[open_, "evidence"] == "terrain"
    assert v.loc[behind, "gap_class"] == "none" and v.loc[open_, "gap_class"] == "all"

    # The rasters: covered/not, path loss and best server as COGs, population per commune.
    out_dir, pop = tmp_path / "rasters", tmp_path / "population.csv"
    r = _cli("terrain", "rasters", "--province", "11", "--operator", "Viettel", "--technology",
             "4G", "--output-dir", str(out_dir), "--population", str(pop), env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    with rasterio.open(out_dir / "covered_11_Viettel_4G.tif") as src:
        assert src.crs.to_epsg() == 9205 and src.overviews(1)
        at = {}
        for name, geom in zip(pair["village_id"], pair.geometry, strict=True):
            row, col = src.index(geom.x, geom.y)
            at[name] = int(src.read(1)[row, col])
    assert at == {behind: 0, open_: 1}
    with rasterio.open(out_dir / "best_server_11_Viettel_4G.tif") as src:
        assert set(np.unique(src.read(1))) == {-1, 0}
    import pandas as pd

    table = pd.read_csv(pop, dtype={"commune_code": str})
    assert (table["population_covered"] <= table["population"]).all()
    assert table["population_covered"].sum() > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--commit"], "does not exist"),
        ([], "--output"),
    ],
)
def test_import_dem_errors_exit_2_and_say_the_fix(tmp_path, args, message):
    env = {"COVERAGE_IMPORTS_DB": str(tmp_path / "store.sqlite")}
    r = _cli("import", "dem", str(tmp_path / "missing.tif"), "--province", "11", *args, env=env)
    assert r.returncode == 2
    assert message in r.stderr


def test_import_dem_of_a_raster_far_from_the_province_names_file_and_field(tmp_path):
    path = tmp_path / "hanoi.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=50, width=50, count=1, dtype="float32",
        crs="EPSG:4326", transform=Affine(0.001, 0, 105.8, 0, -0.001, 21.05),
    ) as dst:  # fmt: skip
        dst.write(np.zeros((50, 50), dtype="float32"), 1)
    r = _cli("import", "dem", str(path), "--province", "11", "--commit",
             env={"COVERAGE_IMPORTS_DB": str(tmp_path / "store.sqlite")})  # fmt: skip
    assert r.returncode == 2
    assert "does not cover the province" in r.stderr and "hanoi.tif" in r.stderr
    assert "bounds" in r.stderr
