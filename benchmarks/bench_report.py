"""Timings of issue 15's paths: snapshots, the register as of a date, the yearly report.

Run from the repository root (needs the real data folder for Điện Biên)::

    python benchmarks/bench_report.py            # 10,000 assignments for the as-of replay
    python benchmarks/bench_report.py 50000

Prints one line per measurement (cold = first call, warm = best of the next ones,
``benchmarks/timing.py``):

* saving a snapshot of Điện Biên (model built, indicators, data versions, one insert) and
  recomputing it (rebuilt from its settings, versions compared);
* the register replayed to a past day (:func:`geo.asof.read_register_as_of`) with n
  assignments written in one transaction and n/10 status changes;
* gathering the report's data (:func:`geo.report.gather`), the .docx with and without the map
  figure, and the .xlsx, with the files' sizes.

Not a test: nothing is asserted on timings.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_assignments import _frame  # noqa: E402
from timing import cold_warm  # noqa: E402

from geo import asof, report, snapshots, workspace  # noqa: E402
from geo import assignments as A  # noqa: E402
from layers import report as report_layer  # noqa: E402


def main(n: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        scope = workspace.resolve_scope("11")
        settings = workspace.Settings.make(year=2025)
        stores = workspace.Stores(assignments=tmp / "register.sqlite")
        db = tmp / "snapshots.sqlite"

        cold, warm, saved = cold_warm(
            lambda: snapshots.take(scope, "Q4/2025", settings=settings, stores=stores, db=db), 2
        )
        print(f"snapshot of {scope.place}: cold {cold:.2f} s, warm {warm:.2f} s")
        cold, warm, (_, same) = cold_warm(lambda: snapshots.recompute(saved, stores=stores), 2)
        print(f"recompute a snapshot: cold {cold:.2f} s, warm {warm:.2f} s (same versions: {same})")

        rows = _frame(n)
        session = A.open_session(stores.assignments, "benchmark", client="bench")
        A.assign_many(session, rows)
        for vid in rows["village_id"].to_numpy()[: n // 10]:
            A.set_status(
                session, vid, "under_construction", expected_version=1, on=dt.date(2022, 5, 1)
            )
        session.conn.close()
        day = dt.datetime.now(asof.VN_TIME).date()
        cold, warm, then = cold_warm(lambda: asof.read_register_as_of(stores.assignments, day), 3)
        print(
            f"register as of a day, {n:,} assignments + {n // 10:,} changes: cold "
            f"{1000 * cold:.0f} ms, warm {1000 * warm:.0f} ms ({len(then):,} rows)"
        )

        small = workspace.Stores()
        cold, warm, data = cold_warm(lambda: report.gather(scope, 2025, stores=small), 1)
        print(f"gather the report's data: cold {cold:.2f} s, warm {warm:.2f} s")
        cold, warm, docx = cold_warm(lambda: report_layer.report_docx(data), 2)
        print(
            f"report .docx without map: cold {cold:.2f} s, warm {warm:.2f} s, "
            f"{len(docx) / 1e3:.0f} kB"
        )
        cold, warm, (png, _) = cold_warm(lambda: report_layer.map_figure(data), 1)
        print(
            f"map figure (A4 PNG, 110 dpi): cold {cold:.2f} s, warm {warm:.2f} s, "
            f"{len(png) / 1e3:.0f} kB"
        )
        size = len(report_layer.report_docx(data, map_png=png))
        print(f"report .docx with map: {size / 1e3:.0f} kB")
        cold, warm, xlsx = cold_warm(lambda: report_layer.report_xlsx(data), 2)
        print(f"report .xlsx: cold {cold:.2f} s, warm {warm:.2f} s, {len(xlsx) / 1e3:.0f} kB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
