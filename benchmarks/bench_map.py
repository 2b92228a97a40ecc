"""Time the map HTML: a province's whole map, and every commune of Vietnam (communes only).

Run from the repository root (needs the data folder; see geo/registry.py)::

    python benchmarks/bench_map.py
    python benchmarks/bench_map.py --runs 5 --simplify 0 300 1000 --skip-national

For Điện Biên it times :func:`layers.maps.standalone_html` on a built model (the build itself is
timed once, apart). For all Vietnam it reads the 11,163 commune polygons once
(:func:`geo.units.read_communes`), then times cleaning + coverage simplification
(:func:`layers.maps.display_communes`), the GeoJson layer (:func:`layers.maps.commune_layer`)
and rendering the page, for each tolerance. Each figure is the minimum of ``--runs`` runs
(time.perf_counter); sizes are of the UTF-8 HTML in MB (10^6 bytes).

The standalone page carries Leaflet and its plugins inline (it draws without Internet); the
province line also gives the same page with ``<script src>``/``<link>`` placeholders instead
(before inlining) and the time inlining takes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium
import numpy as np
import shapely

from geo import pipeline, units
from layers import maps


def best_of(runs: int, fn):
    """(minimum seconds, last result) of ``runs`` calls of ``fn``."""
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def province_map(code: str, runs: int, lang: str) -> None:
    t0 = time.perf_counter()
    model = pipeline.build(code)
    build_s = time.perf_counter() - t0
    secs, html = best_of(runs, lambda: maps.standalone_html(model, lang))
    size = len(html.encode("utf-8")) / 1e6
    print(f"{model.province} ({code}): model build {build_s:.2f} s (once); map HTML "
          f"{secs:.2f} s (min of {runs}), {size:.2f} MB; {len(model.communes)} communes, "
          f"{len(model.status)} villages, {len(model.sites)} sites")
    inline = maps._inline_vendored
    captured: list[str] = []
    maps._inline_vendored = lambda page: captured.append(page) or page
    try:
        maps.standalone_html(model, lang)
    finally:
        maps._inline_vendored = inline
    linked = captured[0]
    secs_inline, _ = best_of(runs, lambda: inline(linked))
    linked_mb = len(linked.encode("utf-8")) / 1e6
    print(f"  standalone page before inlining (links to the vendored files) {linked_mb:.2f} MB, "
          f"inlined {size:.2f} MB (+{size - linked_mb:.2f} MB); inlining {secs_inline * 1e3:.0f} ms")


def national_communes(runs: int, simplify: list[float], lang: str) -> None:
    t0 = time.perf_counter()
    communes = units.read_communes()
    read_s = time.perf_counter() - t0
    n_vertices = int(shapely.get_num_coordinates(np.asarray(communes.geometry.values)).sum())
    print(f"All Vietnam: read {len(communes)} communes in {read_s:.2f} s (once), "
          f"{n_vertices:,} vertices")
    for tol in simplify:
        secs_geom, geoms = best_of(runs, lambda tol=tol: maps.display_communes(communes, tol))
        kept = int(shapely.get_num_coordinates(np.asarray(
            [g for g in geoms if g is not None])).sum())

        def page(tol=tol) -> str:
            m = folium.Map(tiles=None, prefer_canvas=True)
            maps.commune_layer(communes, lang=lang, simplify_m=tol).add_to(m)
            return maps.map_html(m)

        secs, html = best_of(runs, page)
        size = len(html.encode("utf-8")) / 1e6
        print(f"  simplify {tol:g} m: clean+simplify {secs_geom:.2f} s, {kept:,} vertices; "
              f"layer+HTML {secs:.2f} s (min of {runs}), {size:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--province", default="11", help="GSO code or name (default 11, Điện Biên)")
    p.add_argument("--simplify", type=float, nargs="+", default=[300.0, 1000.0],
                   help="tolerances in metres for the national communes")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.add_argument("--skip-national", action="store_true")
    args = p.parse_args(argv)
    province_map(args.province, args.runs, args.lang)
    if not args.skip_national:
        national_communes(max(1, min(args.runs, 2)), args.simplify, args.lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
