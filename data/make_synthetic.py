"""Make the SYNTHETIC demo layers: BTS sites and FTTH villages for Điện Biên and Lai Châu.

No public BTS site list or fibre layer exists for Vietnam. These layers are invented, with a
fixed seed, only so the tool can be demonstrated; every file, layer and screen says
"synthetic". They are placed near real settlements (the GeoNames village register) and shaped
by what the plans report:

* Lai Châu (2023 plan): 1,842 site records; villages covered by Viettel 97 %, VNPT (Vinaphone)
  86 %, MobiFone 42 %, Vietnamobile 8 %; 73 % of villages with fibre.
* Điện Biên (plan 4638, 2020): 75 % of villages with 3G/4G, 80 % with fibre. The per-operator
  shares are not reported; the script assumes Viettel 60 %, VNPT 40 %, MobiFone 22 %,
  Vietnamobile 4 % (their union is near 75 %). Sites on air by 2020 avoid the 36 villages the plan lists as unserved;
  sites built 2021–2024 by the assigned operator serve about two thirds of them.

Coverage is calibrated with the tool's own model (4 km around 3G/4G sites): for each operator
the number of anchor villages is searched so that the modelled share meets the target. About
15 % of non-Viettel sites are moved within 20 m of another operator's site (site sharing).

Run from the repository root (needs the data folder, see README)::

    python data/make_synthetic.py

It rewrites ``data/sites/sites_dienbien_laichau_synthetic.csv`` and
``data/synthetic/fibre_dienbien_laichau_synthetic.csv`` and prints the shares it reached.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import coverage, province  # noqa: E402
from geo.sites import metric_crs  # noqa: E402

SEED = 20261123
OUT = ROOT / "data" / "synthetic"
SITES_FILE = ROOT / "data" / "sites" / "sites_dienbien_laichau_synthetic.csv"
FIBRE_FILE = OUT / "fibre_dienbien_laichau_synthetic.csv"
RADIUS_M = coverage.DEFAULT_RADII_M["4G"]

TARGETS = {
    "12": {  # Lai Châu, 2023
        "year": 2023,
        "shares": {"Viettel": 0.97, "VNPT": 0.86, "MobiFone": 0.42, "Vietnamobile": 0.08},
        "records": 1842,
        "fibre": 0.73,
    },
    "11": {  # Điện Biên, 2020
        "year": 2020,
        "shares": {"Viettel": 0.60, "VNPT": 0.40, "MobiFone": 0.22, "Vietnamobile": 0.04},
        "records": None,
        "fibre": 0.80,
    },
}


def _share(anchor_xy: np.ndarray, tree: shapely.STRtree, n: int) -> float:
    if len(anchor_xy) == 0:
        return 0.0
    _, vi = tree.query(shapely.points(anchor_xy), predicate="dwithin", distance=RADIUS_M)
    return len(np.unique(vi)) / n


def _offsets(rng: np.random.Generator, n: int, max_m: float) -> np.ndarray:
    r = max_m * np.sqrt(rng.random(n))
    t = 2 * np.pi * rng.random(n)
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def _calibrate(rng, xy, order, tree, target) -> np.ndarray:
    """Anchors (first k of ``order``) whose 4 km discs cover ``target`` of the villages."""
    jitter = _offsets(rng, len(order), 1500.0)
    lo, hi = 0, len(order)
    while lo < hi:
        k = (lo + hi) // 2
        if _share(xy[order[:k]] + jitter[:k], tree, len(xy)) >= target:
            hi = k
        else:
            lo = k + 1
    return xy[order[:lo]] + jitter[:lo]


def make_province(code: str, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = TARGETS[code]
    data = province.load_province(code)
    v = data.villages
    crs = metric_crs(v)
    vm = v.to_crs(crs)
    xy = np.column_stack([vm.geometry.x, vm.geometry.y])
    tree = shapely.STRtree(vm.geometry.values)
    eligible = np.ones(len(v), dtype=bool)
    if data.declared is not None:
        # Sites on air by the plan's year stay farther than radius + jitter from its unserved list.
        d = shapely.points(
            np.column_stack(
                [data.declared.to_crs(crs).geometry.x, data.declared.to_crs(crs).geometry.y]
            )
        )
        _, near = tree.query(d, predicate="dwithin", distance=RADIUS_M + 1600.0)
        eligible[near] = False
    rows = []
    for op, share in t["shares"].items():
        order = rng.permutation(np.flatnonzero(eligible))
        anchors = _calibrate(rng, xy, order, tree, share)
        rows.append(pd.DataFrame({"operator": op, "x": anchors[:, 0], "y": anchors[:, 1]}))
    sites = pd.concat(rows, ignore_index=True)
    # Site sharing: move ~15 % of non-Viettel sites next to the nearest other operator's site.
    viettel = sites[sites["operator"] == "Viettel"][["x", "y"]].to_numpy()
    others = sites.index[(sites["operator"] != "Viettel").to_numpy()]
    move = others[rng.random(len(others)) < 0.15]
    if len(move) and len(viettel):
        vt = shapely.STRtree(shapely.points(viettel))
        nearest = vt.nearest(shapely.points(sites.loc[move, ["x", "y"]].to_numpy()))
        sites.loc[move, ["x", "y"]] = viettel[nearest] + _offsets(rng, len(move), 20.0)
    n = len(sites)
    sites["technology"] = np.where(rng.random(n) < 0.7, "4G", "3G")
    start = pd.Timestamp("2008-01-01").value
    end = pd.Timestamp(f"{t['year']}-12-31").value
    sites["on_air_date"] = pd.to_datetime(rng.integers(start, end, n)).normalize()
    # 2G records at most of the same places, then standalone 2G sites up to the reported count.
    g2 = sites.sample(frac=0.6, random_state=int(rng.integers(1 << 31))).assign(technology="2G")
    g2["on_air_date"] = g2["on_air_date"] - pd.to_timedelta(rng.integers(200, 2000, len(g2)), "D")
    sites = pd.concat([sites, g2], ignore_index=True)
    if t["records"] and len(sites) < t["records"]:
        k = t["records"] - len(sites)
        pick = rng.choice(len(xy), k)
        extra = pd.DataFrame(
            {
                "operator": rng.choice(list(t["shares"]), k, p=[0.45, 0.35, 0.15, 0.05]),
                "x": xy[pick, 0] + _offsets(rng, k, 3000.0)[:, 0],
                "y": xy[pick, 1] + _offsets(rng, k, 3000.0)[:, 1],
                "technology": "2G",
                "on_air_date": pd.to_datetime(rng.integers(start, end, k)).normalize(),
            }
        )
        sites = pd.concat([sites, extra], ignore_index=True)
    # Điện Biên: after 2020, the assigned operators serve about two thirds of the plan's list.
    if data.declared is not None:
        d = data.declared.to_crs(crs)
        served = d[rng.random(len(d)) < 0.67]
        new = pd.DataFrame(
            {
                "operator": served["operator"].to_numpy(),
                "x": served.geometry.x.to_numpy() + _offsets(rng, len(served), 800.0)[:, 0],
                "y": served.geometry.y.to_numpy() + _offsets(rng, len(served), 800.0)[:, 1],
                "technology": "4G",
                "on_air_date": pd.to_datetime(
                    rng.integers(
                        pd.Timestamp("2021-03-01").value,
                        pd.Timestamp("2024-12-31").value,
                        len(served),
                    )
                ).normalize(),
            }
        )
        sites = pd.concat([sites, new], ignore_index=True)
    pts = gpd.GeoSeries(shapely.points(sites[["x", "y"]].to_numpy()), crs=crs).to_crs("EPSG:4326")
    prefix = {"11": "SYN-DB", "12": "SYN-LC"}[code]
    out = pd.DataFrame(
        {
            "site_id": [f"{prefix}-{i:05d}" for i in range(1, len(sites) + 1)],
            "operator": sites["operator"],
            "technology": sites["technology"],
            "lon": pts.x.round(6),
            "lat": pts.y.round(6),
            "on_air_date": sites["on_air_date"].dt.strftime("%Y-%m-%d"),
            "province_code": code,
        }
    )
    # Fibre: villages with 3G/4G are likelier to have FTTH; Viettel and VNPT lay most of it.
    gs = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326")
    gs["on_air_date"] = pd.to_datetime(gs["on_air_date"])
    cov = coverage.operator_coverage(v, gs[gs["on_air_date"].dt.year <= t["year"]])
    mbb = coverage.mobile_broadband(cov).to_numpy()
    weight = np.where(mbb, 3.0, 1.0) * rng.random(len(v))
    k = round(t["fibre"] * len(v))
    has = np.argsort(-weight)[:k]
    ops = rng.choice(["Viettel", "VNPT", "MobiFone"], len(has), p=[0.55, 0.4, 0.05])
    fibre = pd.DataFrame(
        {
            "village_id": v["village_id"].to_numpy()[has],
            "village": v["village"].to_numpy()[has],
            "operator": ops,
            "province_code": code,
            "source": "synthetic",
        }
    )
    share = {op: round(float(cov[op].mean()), 3) for op in t["shares"]}
    print(
        f"{data.province}: {len(v)} villages, {len(out)} site records, modelled 3G/4G share by "
        f"operator {share}, any {mbb.mean():.3f}, fibre {len(fibre) / len(v):.3f}"
    )
    return out, fibre


def main() -> None:
    rng = np.random.default_rng(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    parts = [make_province(code, rng) for code in ("11", "12")]
    pd.concat([p[0] for p in parts]).to_csv(SITES_FILE, index=False)
    pd.concat([p[1] for p in parts]).to_csv(FIBRE_FILE, index=False)
    print(f"wrote {SITES_FILE.relative_to(ROOT)} and {FIBRE_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
