"""Timings of the 2025 units on the real data.

Run from the repository root::

    python benchmarks/bench_units2025.py            # all
    python benchmarks/bench_units2025.py build      # one: build, reaggregate, resolve

``build``
    Build the polygons of all 3,321 new communes from the 11,163 pre-2025 ones (one grouped
    dissolve), with the counts of exact / approximate / missing.
``reaggregate``
    Re-aggregate a province's indicators in the other system: Điện Biên (borders unchanged,
    every commune merged whole) and Quảng Ninh (11 communes split, villages placed by nearest
    polygon). "cold" includes reading the neighbouring polygons, building the province's new
    communes and assigning its villages; "warm" reuses them (cached per model). The pre-2025
    :func:`geo.indicators.compute` of the same model is timed beside it.
``resolve``
    Resolve the 10,047 pre-2025 communes of the GSO list by "commune, province" in both
    systems (no district, undated: both readings are tried for every row).

Prints one line per measurement: "cold" is the first call, "warm" the best of the following.
Not a test: no timing is asserted anywhere in the test suite.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import cold_warm

from geo import indicators, pipeline, units
from geo import units2025 as u5

_best = cold_warm


def bench_build() -> None:
    t0 = time.perf_counter()
    communes = units.read_communes()
    read = time.perf_counter() - t0
    cold, warm, built = _best(lambda: u5.build_communes_2025(communes), 3)
    c = u5.geometry_counts(built)
    print(
        f"build all {c['total']:,} new communes from {len(communes):,} old polygons: "
        f"cold {cold:.2f} s, warm {warm:.2f} s (reading the old polygons: {read:.2f} s); "
        f"exact {c['exact']:,}, approximate {c['approximate']:,}, missing {c['missing']:,}"
    )


def bench_reaggregate(name: str) -> None:
    model = pipeline.build(name)

    def cold_run():
        u5.scope._CONTEXTS.clear()  # the per-model cache lives in geo.units2025.scope
        return u5.indicators_2025(model)

    cold_best = min(_best(cold_run, 2)[:2])
    _, warm, r = _best(lambda: u5.indicators_2025(model), 3)
    _, old, _ = _best(lambda: indicators.compute(model), 3)
    _, table, t = _best(lambda: u5.communes_2025_table(model), 3)
    print(
        f"{model.province}: indicators in 2025 units ({r['villages']:,} villages, "
        f"{len(t)} new communes, {r['villages_by_method']['nearest']} placed by nearest polygon): "
        f"cold {cold_best:.3f} s, warm {warm:.3f} s; pre-2025 compute {old:.3f} s; "
        f"new-commune table {table:.3f} s"
    )


def bench_resolve() -> None:
    g = units.gso_units()
    rows = g[["commune", "province"]]
    cold, warm, res = _best(lambda: u5.resolve_units(rows), 1)
    counts = res["units_system"].replace("", "(none)").value_counts().to_dict()
    amb = res["units_status"] == "ambiguous"
    print(
        f"resolve {len(rows):,} 'commune, province' rows in both systems: cold {cold:.2f} s, "
        f"warm {warm:.2f} s ({len(rows) / warm:,.0f} rows/s); systems {counts}; "
        f"ambiguous {int(amb.sum()):,} (of which the new commune is certain: "
        f"{int((amb & res['commune_2025_code'].notna()).sum()):,})"
    )


def main(argv: list[str]) -> None:
    which = argv[1:] or ["build", "reaggregate", "resolve"]
    if "build" in which:
        bench_build()
    if "reaggregate" in which:
        bench_reaggregate("Điện Biên")
        bench_reaggregate("Quảng Ninh")
    if "resolve" in which:
        bench_resolve()


if __name__ == "__main__":
    main(sys.argv)
