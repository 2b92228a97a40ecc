"""Aggregating 1,000,000 measurement points onto Điện Biên's villages.

Run from the repository root::

    python benchmarks/bench_measurements.py            # 1,000,000 points
    python benchmarks/bench_measurements.py 200000     # another number of points

The points are SYNTHETIC (mô phỏng; fixed seed 20261205, made here, never written to a file):
80 % scattered within 1 km of a random village of the real register (GeoNames, partial), 20 %
anywhere in the province's box; five operators, 3G/4G/5G, RSRP/RSCP around −100 dBm, a download
speed on half of them. Timed, cold (first call) and warm (best of 3):

``nearest``
    :func:`geo.measurements.nearest_village`: the points and villages projected to UTM with
    pyproj, one k-d tree query with ``distance_upper_bound`` 500 m.
``aggregate``
    :func:`geo.measurements.aggregate`: the above plus the threshold test and one grouped
    aggregation per village, operator and technology (count, medians, share, last date).
``status``
    :func:`geo.measurements.village_status` on the aggregate.
``peer``
    geopandas ``sjoin_nearest(max_distance=500)`` of the same points onto the same villages
    in the same UTM zone (the peer library's nearest join; the points' GeoDataFrame is built
    and projected inside the timing, as :func:`nearest_village` does with the arrays).

Prints one line per measurement with the throughput in points per second, and whether the
k-d tree and the peer attach every point to the same village; the register has villages at
identical coordinates (GeoNames), between which either may pick.
Not a test: no timing is asserted anywhere in the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import geopandas as gpd
import numpy as np
import pandas as pd
from timing import cold_warm

from geo import measurements, province
from geo.sites import OPERATORS, metric_crs

SEED = 20261205


def synthetic_points(villages: gpd.GeoDataFrame, n: int, seed: int = SEED) -> pd.DataFrame:
    """``n`` SYNTHETIC measurement points around the villages (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    v = villages[villages["location_precision"] != "commune"]
    near = int(n * 0.8)
    pick = rng.integers(0, len(v), near)
    # About 1 km: 0.009° of latitude; longitude scaled by cos(21.5°).
    lon = np.concatenate(
        [
            v.geometry.x.to_numpy()[pick] + rng.normal(0, 0.0045 / 0.93, near),
            rng.uniform(*villages.total_bounds[[0, 2]], n - near),
        ]
    )
    lat = np.concatenate(
        [
            v.geometry.y.to_numpy()[pick] + rng.normal(0, 0.0045, near),
            rng.uniform(*villages.total_bounds[[1, 3]], n - near),
        ]
    )
    tech = rng.choice(["3G", "4G", "5G"], n, p=[0.2, 0.7, 0.1])
    download = rng.gamma(2.0, 6.0, n)
    download[rng.random(n) < 0.5] = np.nan
    return pd.DataFrame({
        "lon": lon, "lat": lat,
        "operator": pd.Categorical(rng.choice(OPERATORS, n, p=[0.4, 0.25, 0.2, 0.1, 0.05]),
                                   categories=OPERATORS),
        "technology": pd.Categorical(tech, categories=["2G", "3G", "4G", "5G"]),
        "signal_dbm": rng.normal(-100, 12, n).round(),
        "download_mbps": download,
        "measured_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 330, n), "D"),
        "file": "bench_measurements_synthetic",
    })  # fmt: skip


def _peer(points: pd.DataFrame, villages: gpd.GeoDataFrame, within_m: float) -> np.ndarray:
    crs = metric_crs(villages)
    usable = villages[villages["location_precision"] != "commune"].to_crs(crs)
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(points["lon"], points["lat"]), crs=4326
    ).to_crs(crs)
    joined = pts.sjoin_nearest(usable[["geometry"]], how="left", max_distance=within_m)
    joined = joined[~joined.index.duplicated()].sort_index()  # ties: keep one village
    pos = pd.Index(villages.index).get_indexer(joined["index_right"].fillna(-1).astype(int))
    return np.where(joined["index_right"].isna().to_numpy(), -1, pos)


def main(n: int = 1_000_000) -> None:
    data = province.load_province("11")
    villages = data.villages.reset_index(drop=True)
    points = synthetic_points(villages, n)
    rules = measurements.Rules()
    print(f"Điện Biên: {len(villages)} villages; {n:,} SYNTHETIC points (seed {SEED})")

    def line(name: str, cold: float, warm: float, extra: str = "") -> None:
        print(f"{name:10} cold {cold:7.3f} s  warm {warm:7.3f} s  "
              f"{n / warm:12,.0f} points/s {extra}")  # fmt: skip

    cold, warm, pos = cold_warm(
        lambda: measurements.nearest_village(points["lon"], points["lat"], villages,
                                             rules.within_m))  # fmt: skip
    line("nearest", cold, warm, f"({(pos >= 0).sum():,} points within {rules.within_m:g} m)")
    cold, warm, agg = cold_warm(lambda: measurements.aggregate(points, villages, rules))
    line("aggregate", cold, warm, f"({len(agg):,} village × operator × technology rows)")
    cold, warm, status = cold_warm(lambda: measurements.village_status(agg, rules))
    print(
        f"{'status':10} cold {cold:7.3f} s  warm {warm:7.3f} s  "
        f"({len(status):,} village × operator statuses from {len(agg):,} rows)"
    )
    cold, warm, peer = cold_warm(lambda: _peer(points, villages, rules.within_m), repeat=1)
    xy = np.column_stack([villages.geometry.x, villages.geometry.y])
    both = (peer >= 0) & (pos >= 0)
    same_place = (peer == pos) | (both & (xy[peer] == xy[pos]).all(axis=1))
    line(
        "peer",
        cold,
        warm,
        f"(geopandas sjoin_nearest; same village or one at the same point "
        f"for {same_place.mean():.4%} of points, same village for {np.mean(peer == pos):.2%})",
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
