"""Timings of the assignment register (geo.assignments) at 10,000 assignments.

Run from the repository root::

    python benchmarks/bench_assignments.py            # 10,000 assignments in a temporary folder
    python benchmarks/bench_assignments.py 50000      # another size
    python benchmarks/bench_assignments.py 10000 /data/tmp   # the register's folder (its disk)

Prints one line per measurement: writing the assignments in one transaction (WAL,
``synchronous=FULL``), single committed writes (one fsync each), reading them back (checked
equal to what was written), the per-operator view over them and the other views, a history read,
an online backup, and the proposal (nearest 3G/4G/5G site per operator) for as many villages
over the synthetic sites of Điện Biên (``data/sites``; no external data is needed). Times are
the best of a few runs (``time.perf_counter``). Not a test: nothing is asserted on timings.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import assignments as A
from geo import demo
from geo.operators import OPERATORS


def _best(fn, repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def _frame(n: int, seed: int = 4638) -> pd.DataFrame:
    """n villages of Điện Biên's extent in 60 communes of 8 districts, with an operator each."""
    rng = np.random.default_rng(seed)
    communes = [f"{3150 + i:05d}" for i in range(60)]
    commune = rng.choice(communes, n)
    district = pd.Series(commune).map(lambda c: f"{94 + int(c) % 8:03d}").to_numpy()
    return pd.DataFrame(
        {
            "village_id": [f"VB{i:09d}" for i in range(n)],
            "village": [f"Bản {i}" for i in range(n)],
            "commune_code": commune,
            "commune": [f"Xã {c}" for c in commune],
            "commune_2025_code": commune,
            "district_code": district,
            "district": [f"Huyện {d}" for d in district],
            "province_code": "11",
            "province": "Tỉnh Điện Biên",
            "lon": rng.uniform(102.2, 103.6, n),
            "lat": rng.uniform(20.9, 22.5, n),
            "location_precision": "point",
            "operator": rng.choice(OPERATORS, n, p=[0.5, 0.3, 0.15, 0.04, 0.01]),
            "target_year": rng.integers(2021, 2031, n),
            "decision": "4638/KH-UBND",
            "decision_date": "2020-12-15",
            "assigned_on": "2020-12-15",
            "source": "benchmark",
            "source_row": np.arange(1, n + 1),
        }
    )


def main(n: int = 10_000, folder: str | None = None) -> None:
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        db = Path(tmp) / "register.sqlite"
        rows = _frame(n)
        session = A.open_session(db, "benchmark", client="bench")

        t0 = time.perf_counter()
        report = A.assign_many(session, rows)
        t_write = time.perf_counter() - t0
        print(
            f"write {report.added:,} assignments (+ {report.added:,} history rows) in one "
            f"transaction: {t_write:.2f} s ({report.added / t_write:,.0f}/s); "
            f"file {db.stat().st_size / 1e6:.1f} MB"
        )

        k = 300
        ids = rows["village_id"].to_numpy()[:k]
        t0 = time.perf_counter()
        for vid in ids:
            A.set_status(
                session, vid, "under_construction", expected_version=1, on=dt.date(2022, 5, 1)
            )
        t_single = time.perf_counter() - t0
        print(
            f"{k} single status changes, each its own committed transaction "
            f"(synchronous=FULL): {t_single:.2f} s ({1000 * t_single / k:.1f} ms each)"
        )

        t_read, back = _best(lambda: A.current(session), 5)
        same = back.set_index("village_id").loc[rows["village_id"]]
        cols = ["operator", "commune_code", "district_code", "target_year"]
        ok = (same[cols].astype(str).to_numpy() == rows[cols].astype(str).to_numpy()).all()
        print(
            f"read back {len(back):,} assignments: {1000 * t_read:.0f} ms (equal to written: {ok})"
        )

        t_view, view = _best(lambda: A.by_operator(back), 10)
        print(
            f"per-operator view (operator × district × target year) over {len(back):,}: "
            f"{1000 * t_view:.1f} ms ({len(view)} rows)"
        )
        t_v2, _ = _best(lambda: A.by_operator(back, "Viettel", owed_only=True), 10)
        print(f"one operator's owed view (Viettel): {1000 * t_v2:.1f} ms")
        t_both, _ = _best(lambda: A.by_operator(A.current(session)), 5)
        print(f"read + per-operator view: {1000 * t_both:.0f} ms")
        t_d, _ = _best(lambda: A.by_district(back), 10)
        t_o, late = _best(lambda: A.overdue(back), 10)
        t_p, _ = _best(lambda: A.progress(back, "dienbien_4638"), 5)
        print(
            f"by district {1000 * t_d:.1f} ms; overdue {1000 * t_o:.1f} ms ({len(late):,} rows); "
            f"progress by year with the plan's targets {1000 * t_p:.0f} ms"
        )
        t_h, hist = _best(lambda: A.history(session), 3)
        print(
            f"read the whole history ({hist['change_id'].nunique():,} changes, {len(hist):,} "
            f"field rows): {t_h:.2f} s"
        )
        t_one, _ = _best(lambda: A.history(session, ids[0]), 10)
        print(f"one village's history: {1000 * t_one:.1f} ms")

        t_b, _ = _best(lambda: A.backup(session, Path(tmp) / "backup.sqlite"), 3)
        print(f"online backup: {1000 * t_b:.0f} ms")
        t_c, _ = _best(lambda: A.connect(db).close(), 5)
        print(
            f"open the register (header, application id, quick_check, pragmas): {1000 * t_c:.0f} ms"
        )

        from layers import assignments_xlsx

        t_x, data = _best(lambda: assignments_xlsx.phu_luc_2_xlsx(back, history=None), 2)
        print(
            f"Phụ lục 2 workbook of {len(back):,} assignments (without history): "
            f"{t_x:.2f} s, {len(data) / 1e6:.1f} MB"
        )

        sites = demo.synthetic_sites("11")
        sites = sites.assign(
            commune_code=rows["commune_code"]
            .sample(len(sites), replace=True, random_state=1)
            .to_numpy()
        )
        villages = gpd.GeoDataFrame(
            rows[["village_id", "commune_code"]],
            geometry=gpd.points_from_xy(rows["lon"], rows["lat"]),
            crs="EPSG:4326",
        )
        t_prop, prop = _best(lambda: A.propose(villages, sites), 3)
        print(
            f"proposal for {len(villages):,} villages over {len(sites)} synthetic sites: "
            f"{1000 * t_prop:.0f} ms ({prop['tie'].sum()} ties)"
        )
        problems = A.verify(session)
        print(f"verify: {'ok' if not problems else problems[:3]}")
        session.conn.close()


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    main(size, sys.argv[2] if len(sys.argv) > 2 else None)
