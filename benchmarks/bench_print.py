"""Time the printable map (:func:`layers.print_map.print_map`) and give the files' sizes.

Run from the repository root (needs the data folder; see geo/registry.py)::

    python benchmarks/bench_print.py
    python benchmarks/bench_print.py --province 12 --runs 5 --dpi 150

For each paper (A4, A3), orientation and format (PDF, PNG) it times the page of a built model
(the workspace's demo model: synthetic sites and fibre; the build is timed once, apart): the
first call ("cold", fonts loaded) and the best of ``--runs`` more ("warm"), with
:func:`time.perf_counter`. Sizes are in kB (10^3 bytes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import cold_warm

from geo import workspace
from layers import print_map


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--province", default="11", help="name or GSO code (default 11 Điện Biên)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--dpi", type=int, default=200)
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    model = workspace.build(workspace.resolve_scope(args.province), stores=workspace.Stores())
    print(f"{model.province}: model build {time.perf_counter() - t0:.2f} s (once); "
          f"{len(model.communes)} communes, {len(model.status)} villages, {len(model.sites)} sites")
    for paper in print_map.PAPERS_MM:
        for orientation in print_map.ORIENTATIONS:
            for fmt in print_map.FORMATS:
                cold, warm, data = cold_warm(
                    lambda paper=paper, orientation=orientation, fmt=fmt: print_map.print_map(
                        model, paper=paper, orientation=orientation, fmt=fmt, dpi=args.dpi),
                    repeat=args.runs,
                )
                print(f"  {paper} {orientation:9} {fmt}: cold {cold:.2f} s, warm {warm:.2f} s, "
                      f"{len(data) / 1e3:,.0f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
