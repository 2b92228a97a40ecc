"""After one assignment or status change: the province's indicators current again.

Run from the repository root::

    python benchmarks/bench_recompute.py

Điện Biên (the synthetic demo sites), a register with every 10th village assigned. Three ways
to make the indicators current after one status change:

``incremental``
    :meth:`geo.indicators.ServedIndex.update` on the kept per-village status, then its counts
    and served share (what the app needs after a write).
``served_status``
    The model kept, the register-dependent part redone whole: :func:`layers.tables.count_served`
    over the province's indicators (:func:`geo.assignments.served_status` on every village).
``full rebuild``
    :func:`geo.workspace.build` (boundaries, sites, coverage), :func:`geo.indicators.compute`
    and :func:`layers.tables.count_served`.

Prints one line per way: the best of several runs (the full rebuild: of 2). Not a test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from geo import indicators, workspace
from layers import tables

STATUSES = ("assigned", "under_construction", "on_air", "verified")


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    scope = workspace.resolve_scope("11")
    settings = workspace.Settings()
    model = workspace.build(scope, settings, stores=workspace.Stores())
    status = model.status
    ids = status["village_id"].iloc[::10].tolist()
    register = pd.DataFrame({"village_id": ids, "status": "assigned", "operator": "Viettel"})
    result = indicators.compute(model)
    index = indicators.ServedIndex(status, register)
    n = len(status)
    step = iter(range(10**9))

    def incremental():
        i = next(step)
        index.update(ids[i % len(ids)], STATUSES[i % 4], "Viettel")
        return index.counts(), index.served_share()

    def whole_register():
        i = next(step)
        register.loc[i % len(ids), "status"] = STATUSES[i % 4]
        return tables.count_served(result, status, register)

    def full():
        m = workspace.build(scope, settings, stores=workspace.Stores())
        return tables.count_served(indicators.compute(m), m.status, register)

    print(f"Điện Biên: {n:,} villages, {len(ids):,} assignments")
    print(f"incremental (ServedIndex.update + counts): {_best(incremental, 200) * 1e3:.3f} ms")
    print(
        f"served_status over all villages (count_served): {_best(whole_register, 20) * 1e3:.1f} ms"
    )
    print(f"full rebuild (workspace.build + compute + count_served): {_best(full, 2):.2f} s")


if __name__ == "__main__":
    main()
