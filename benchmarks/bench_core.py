"""Timings of the domain's hot paths on the real data.

Run from the repository root::

    python benchmarks/bench_core.py            # all
    python benchmarks/bench_core.py communes   # one: communes, geonames, province, coverage

Prints one line per measurement: the best of a few runs (``time.perf_counter``). "cold" is the
first call in this process (file reads, caches empty), "warm" the best of the following calls.
Not a test: no timing is asserted anywhere in the test suite.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import cold_warm

from geo import coverage, indicators, pipeline, province, units, villages

_best = cold_warm


def bench_communes() -> None:
    cold, warm, c = _best(units.read_communes, 2)
    print(
        f"load all Vietnam's communes ({len(c):,} polygons, 2025 units attached): "
        f"cold {cold:.2f} s, warm {warm:.2f} s"
    )


def bench_geonames() -> None:
    communes = units.read_communes()
    pts = villages.read_geonames()
    cold, warm, placed = _best(lambda: villages.place_in_communes(pts, communes), 2)
    n_in = int(placed["commune_index"].notna().sum())
    print(
        f"place {len(pts):,} GeoNames points in {len(communes):,} communes: cold {cold:.2f} s, "
        f"warm {warm:.2f} s ({len(pts) / warm:,.0f} points/s; {n_in:,} placed)"
    )


def bench_province(name: str = "Điện Biên") -> None:
    def run():
        data = province.load_province(name)
        model = pipeline.build(data)
        return indicators.compute(model)

    cold, warm, r = _best(run, 3)
    print(
        f"{name}: full pipeline (load, join, coverage, population, indicators; "
        f"{r['villages']} villages, {r['sites']} sites): cold {cold:.2f} s, warm {warm:.2f} s"
    )
    data = province.load_province(name)
    cold, warm, _ = _best(lambda: indicators.compute(pipeline.build(data)), 3)
    print(f"{name}: model + indicators from loaded units: warm {warm:.2f} s")


def _synthetic_country(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(102.2, 109.4, n)
    lat = rng.uniform(8.6, 23.3, n)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"), rng


def bench_coverage(n: int = 100_000) -> None:
    v, rng = _synthetic_country(n, 1)
    v["village_id"] = np.arange(n).astype(str)
    s, _ = _synthetic_country(n, 2)
    s["site_id"] = np.arange(n).astype(str)
    s["operator"] = rng.choice(["Viettel", "VNPT", "MobiFone", "Vietnamobile"], n)
    s["technology"] = rng.choice(["2G", "3G", "4G", "5G"], n)
    cold, warm, cov = _best(lambda: coverage.operator_coverage(v, s), 2)
    print(
        f"coverage of {n:,} villages by {n:,} synthetic sites (vectorised, STRtree): "
        f"cold {cold:.2f} s, warm {warm:.2f} s; {int(cov.any(axis=1).sum()):,} covered"
    )
    # The per-village loop the vectorised form replaces, on a sample, extrapolated.
    crs = "EPSG:32648"
    vm = v.to_crs(crs).geometry.to_numpy()
    sm = s.to_crs(crs)
    mbb = sm[sm["technology"].isin(["3G", "4G", "5G"])]
    radius = mbb["technology"].map(coverage.DEFAULT_RADII_M).to_numpy()
    sx, sy = mbb.geometry.x.to_numpy(), mbb.geometry.y.to_numpy()
    ops = mbb["operator"].to_numpy()
    k = 300
    t0 = time.perf_counter()
    for geom in vm[:k]:
        d = np.hypot(sx - shapely.get_x(geom), sy - shapely.get_y(geom))
        set(ops[d <= radius])
    loop = (time.perf_counter() - t0) / k * n
    print(
        f"  same with a per-village loop (numpy distance to every site; timed on {k} villages, "
        f"extrapolated): {loop:.1f} s, {loop / warm:.0f}× slower"
    )


BENCHES = {
    "communes": bench_communes,
    "geonames": bench_geonames,
    "province": bench_province,
    "coverage": bench_coverage,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or BENCHES:
        BENCHES[name]()
