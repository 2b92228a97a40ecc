"""The terrain model for a whole province, side by side with xarray-spatial's viewshed.

Run from the repository root::

    python benchmarks/bench_terrain.py                 # 1,842 sites, 40 peer sites
    python benchmarks/bench_terrain.py --peer-sites 50 --cold   # cold numba cache too

Scene (SYNTHETIC, fixed seed 2026): a DEM of Lai Châu's extent (3,000 × 3,300 cells of 30 m,
8,910 km², 9.9 million cells) of spectral noise (amplitude ∝ 1/f^1.5: a median slope of 18°,
as in Lai Châu's mountains) scaled to 1,500 m of relief over a 300 m base; 1,842 sites (Lai Châu's count) placed uniformly, antenna 30 m, range
4 km (3G/4G), 1,800 MHz; receivers 1.5 m above ground.

Measured:

* ours: :func:`geo.terrain.model.coverage_rasters` — line of sight with k = 4/3 and free-space
  + Bullington path loss from every site to every cell of its 4 km window, reduced to the
  province's path-loss, best-server and line-of-sight-count rasters — in one process, numba
  compilation included (the kernels' on-disk cache warm; ``--cold`` times it with an empty
  cache too); plus the 1,080 villages' pair losses.
* peer: ``xrspatial.viewshed`` once per site on the site's 8 km window, with the Earth's
  curvature (k = 4/3) subtracted from the window beforehand (viewshed has none), observer 30 m,
  target 1.5 m; run on ``--peer-sites`` sites of the 1,842 (its compilation timed apart) and
  extrapolated to all of them. Agreement and the Jaccard index of the visible cells compare
  its answer with our line of sight (:func:`geo.terrain.kernels.site_window`) on the same
  windows, cells within 4 km.
* memory: the process's peak RSS (``ru_maxrss``).

Measured on 05/12/2026 on the shared 2-core machine (other jobs running), 40 peer sites: ours
44.1 s wall (54.5 s CPU, 29.6 ms CPU per site) for all 1,842 sites, 46.8 s with loading and
the cached kernels, 47.8 s with the DEM's synthesis; peak RSS 609 MB. Peer: 0.103 s per site
plus 24.9 s of compilation → 214 s extrapolated (5× slower than ours; line of sight alone ours
is 9× faster per site). Agreement 99.44 % (min 98.83 %), Jaccard of visible cells 0.931 (min
0.880): below the issue's 0.95 goal on this rough terrain (0.97–0.98 on smoother relief).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 2026
N_SITES = 1842
CELL = 30.0
SHAPE = (3000, 3300)
RANGE_M = 4000.0
FREQ_MHZ = 1800.0


def synthetic_dem(shape=SHAPE, seed=SEED, relief=1500.0, base=300.0) -> np.ndarray:
    """Spectral-noise terrain (SYNTHETIC): amplitude ∝ 1/f^1.5, scaled to ``relief`` metres."""
    rng = np.random.default_rng(seed)
    ny, nx = shape
    fy = np.fft.fftfreq(ny)[:, None]
    fx = np.fft.rfftfreq(nx)[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    spec = (rng.standard_normal(f.shape) + 1j * rng.standard_normal(f.shape)) / f**1.5
    spec[0, 0] = 0.0
    del f
    z = np.fft.irfft2(spec, s=shape)
    del spec
    z -= z.min()
    z *= relief / z.max()
    return (z + base).astype(np.float32)


def synthetic_sites(shape=SHAPE, n=N_SITES, seed=SEED) -> tuple[np.ndarray, np.ndarray]:
    """Site positions (col, row) at cell centres, uniform over the grid (SYNTHETIC)."""
    rng = np.random.default_rng(seed + 1)
    rows = rng.integers(0, shape[0], n).astype(float)
    cols = rng.integers(0, shape[1], n).astype(float)
    return cols, rows


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ours(z, cols, rows, threads):
    from geo.terrain import kernels
    from geo.terrain.model import effective_radius

    n = len(cols)
    t0 = time.perf_counter()
    loss, server, visible = kernels.best_server(
        z, CELL, CELL, cols, rows, np.full(n, 30.0), 1.5, np.full(n, RANGE_M),
        np.full(n, FREQ_MHZ), effective_radius(), threads,
    )  # fmt: skip
    total = time.perf_counter() - t0
    return total, loss, server, visible


def villages(z, cols, rows):
    """The 1,080 villages' (site, village) pairs within 4 km: pair losses."""
    from geo.terrain import kernels
    from geo.terrain.model import effective_radius

    rng = np.random.default_rng(SEED + 2)
    vr = rng.uniform(0, z.shape[0] - 1, 1080)
    vc = rng.uniform(0, z.shape[1] - 1, 1080)
    d = np.hypot(vc[:, None] - cols[None, :], vr[:, None] - rows[None, :]) * CELL
    vi, si = np.nonzero(d <= RANGE_M)
    one = np.ones(len(vi))
    t0 = time.perf_counter()
    kernels.pair_losses(
        z, CELL, CELL, cols[si], rows[si], one * 30.0, vc[vi], vr[vi], one * 1.5,
        one * FREQ_MHZ, CELL, effective_radius(),
    )  # fmt: skip
    return time.perf_counter() - t0, len(vi)


def peer(z, cols, rows, sample):
    """xrspatial's viewshed on each sampled site's window; agreement with our line of sight."""
    import xarray as xr
    from xrspatial import viewshed

    from geo.terrain import kernels
    from geo.terrain.model import effective_radius

    ae = effective_radius()
    times, ours_t, agree, jaccard = [], [], [], []
    t0 = time.perf_counter()
    tiny = xr.DataArray(np.zeros((5, 5)), dims=("y", "x"),
                        coords={"y": -np.arange(5.0), "x": np.arange(5.0)})  # fmt: skip
    viewshed(tiny, x=2.0, y=-2.0, observer_elev=30, target_elev=1.5)
    compile_s = time.perf_counter() - t0
    kernels.site_window(z, CELL, CELL, cols[0], rows[0], 30.0, 1.5, RANGE_M, FREQ_MHZ, ae, False)
    for s in sample:
        col, row = cols[s], rows[s]
        t0 = time.perf_counter()
        r0, c0, vis, _ = kernels.site_window(
            z, CELL, CELL, col, row, 30.0, 1.5, RANGE_M, FREQ_MHZ, ae, False
        )
        ours_t.append(time.perf_counter() - t0)
        h, w = vis.shape
        yy, xx = np.mgrid[r0 : r0 + h, c0 : c0 + w]
        dist = np.hypot((xx - col) * CELL, (yy - row) * CELL)
        window = z[r0 : r0 + h, c0 : c0 + w].astype(float) - dist**2 / (2 * ae)
        da = xr.DataArray(window, dims=("y", "x"),
                          coords={"y": -np.arange(h) * CELL, "x": np.arange(w) * CELL})  # fmt: skip
        t0 = time.perf_counter()
        vs = viewshed(da, x=(col - c0) * CELL, y=-(row - r0) * CELL, observer_elev=30,
                      target_elev=1.5).values  # fmt: skip
        times.append(time.perf_counter() - t0)
        inside = vis != 255
        a = vis[inside] == 1
        b = vs[inside] > -1
        agree.append((a == b).mean())
        jaccard.append((a & b).sum() / max((a | b).sum(), 1))
    return compile_s, np.array(times), np.array(ours_t), np.array(agree), np.array(jaccard)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer-sites", type=int, default=40)
    parser.add_argument("--cold", action="store_true", help="also time with an empty cache")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    if args.cold and not os.environ.get("NUMBA_CACHE_DIR"):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            cmd = [sys.executable, __file__, "--no-peer"]
            print("--- cold numba cache (compilation included) ---", flush=True)
            subprocess.run(cmd, env=env, check=True)
            print("--- warm numba cache ---", flush=True)
    t_start = time.perf_counter()
    import numba

    threads = numba.get_num_threads()
    z = synthetic_dem()
    t_dem = time.perf_counter() - t_start
    cols, rows = synthetic_sites()
    print(f"SYNTHETIC DEM {z.shape[1]} × {z.shape[0]} cells of {CELL:g} m "
          f"({z.size / 1e6:.1f} M cells, {z.size * CELL**2 / 1e6:,.0f} km², relief "
          f"{z.max() - z.min():,.0f} m) made in {t_dem:.1f} s; {len(cols)} SYNTHETIC sites, "
          f"{threads} threads")  # fmt: skip
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    from geo.terrain import kernels  # noqa: F401  (the import loads the cached kernels)

    total, loss, server, visible = ours(z, cols, rows, threads)
    cpu = time.process_time() - cpu0
    t_pairs, n_pairs = villages(z, cols, rows)
    whole = time.perf_counter() - t0
    reached = np.isfinite(loss)
    print(f"ours: terrain model for {len(cols)} sites (line of sight + Bullington path loss to "
          f"every cell within 4 km, best server): {total:.1f} s "
          f"(process CPU {cpu:.1f} s, {cpu / len(cols) * 1000:.1f} ms per site); villages: {n_pairs:,} "
          f"pairs in {t_pairs:.2f} s; with loading/compilation {whole:.1f} s; "
          f"{reached.mean():.1%} of cells reached, {(visible > 0).mean():.1%} in line of sight")  # fmt: skip
    print(f"whole run so far (DEM synthesis included): {time.perf_counter() - t_start:.1f} s; "
          f"peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip
    if args.no_peer:
        return
    rng = np.random.default_rng(SEED + 3)
    sample = rng.choice(len(cols), args.peer_sites, replace=False)
    compile_s, times, ours_t, agree, jac = peer(z, cols, rows, sample)
    per_site = float(np.mean(times))
    extrapolated = per_site * len(cols) + compile_s
    print(f"peer: xrspatial.viewshed on {len(sample)} sites' 8 km windows: {per_site:.3f} s per "
          f"site (compilation {compile_s:.1f} s) → {extrapolated:,.0f} s for {len(cols)} sites "
          f"(EXTRAPOLATED from {len(sample)})")  # fmt: skip
    print(f"ours, line of sight only, same sites: {np.mean(ours_t) * 1000:.1f} ms per site "
          f"(one thread)")  # fmt: skip
    print(f"speed-up: whole terrain model vs viewshed for all sites: {extrapolated / total:.0f}× "
          f"(line of sight alone: {per_site / np.mean(ours_t):.0f}× per site)")  # fmt: skip
    print(f"agreement with viewshed: mean {agree.mean():.2%} (min {agree.min():.2%}); Jaccard of "
          f"visible cells: mean {jac.mean():.3f} (min {jac.min():.3f})")  # fmt: skip
    print(f"peak RSS {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
