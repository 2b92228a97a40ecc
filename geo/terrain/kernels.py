"""Pure numba kernels of the terrain model: line of sight and path loss on arrays.

Everything here works on plain NumPy arrays in a metric grid (a north-up DEM of ``ny × nx``
cells of ``dx × dy`` metres, NaN where there is no data) and knows nothing of files, CRSs or
frames; :mod:`geo.terrain.model` wraps it. The kernels are compiled once and cached on disk
(``cache=True``); the heavy ones run in parallel over sites or pairs (``prange``).

The model
---------
Line of sight with Earth curvature and standard refraction: an effective Earth radius
``a_e = k · 6 371 km`` with ``k = 4/3`` (ITU-R P.453/P.452 median value), so a point at ``d_i``
on a path of length ``d`` rises by ``d_i (d - d_i) / (2 a_e)`` toward the line between the ends.

Path loss: free-space loss (ITU-R P.525-4, eq. 4: ``L = 32.45 + 20 log f_MHz + 20 log d_km``)
plus the **Bullington** diffraction loss on the terrain profile as given by ITU-R P.526-16
§4.5.1 and ITU-R P.1812-6 §4.3.1 (the "Bullington part" of the delta-Bullington method):

* ``S_tim = max (h_i + b_i - h_ts) / d_i`` (the transmitter's horizon slope), ``S_tr = (h_rs -
  h_ts) / d``;
* line of sight (``S_tim < S_tr``): ``ν_max = max (h_i + b_i - (h_ts (d - d_i) + h_rs d_i) / d)
  · sqrt(2 d / (λ d_i (d - d_i)))``, ``L_uc = J(ν_max)``;
* otherwise ``S_rim = max (h_i + b_i - h_rs) / (d - d_i)``, the Bullington point at ``d_b =
  (h_rs - h_ts + S_rim d) / (S_tim + S_rim)``, ``ν_b = (h_ts + S_tim d_b - (h_ts (d - d_b) +
  h_rs d_b) / d) · sqrt(2 d / (λ d_b (d - d_b)))``, ``L_uc = J(ν_b)``;
* ``L_b = L_uc + (1 - exp(-L_uc / 6)) (10 + 0.02 d_km)``,

with ``J(ν) = 6.9 + 20 log10(sqrt((ν - 0.1)² + 1) + ν - 0.1)`` for ``ν > -0.78`` and 0 otherwise
(P.526-16 eq. 31, the single knife-edge loss). ``h_ts`` and ``h_rs`` are the antennas' heights
above sea level, ``b_i`` the curvature bulge above.

Rasters: a radial sweep per site. Phase 1 samples ``n_rays`` rays (spaced at most half a cell at
the site's range) every ``step`` metres with bilinear interpolation and keeps each ray's profile
and the running maximum of ``(h_i - d_i² / (2 a_e) - h_ts) / d_i``; since
``S_tim(d) = max_i(...) + d / (2 a_e)``, the line-of-sight test of any cell is O(1). Phase 2
visits each cell of the site's window within range, takes the ray nearest to its bearing and
applies the test and the Bullington loss to the cell's own centre and height.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = [
    "EARTH_RADIUS_M",
    "FREE_SPACE_CONSTANT_DB",
    "K_FACTOR",
    "SPEED_OF_LIGHT_M_S",
    "best_server",
    "bullington_loss",
    "free_space_loss",
    "knife_edge_loss",
    "pair_losses",
    "site_window",
]

EARTH_RADIUS_M = 6_371_000.0
"""Mean Earth radius (ITU-R P.1812: 6 371 km)."""

K_FACTOR = 4.0 / 3.0
"""Effective Earth-radius factor of standard refraction."""

SPEED_OF_LIGHT_M_S = 299_792_458.0

#: Height standing for "no data" inside a profile (never an obstacle), so that the maxima of
#: :func:`bullington_loss` need no NaN test.
_LOW = -1.0e30

#: Fast-math flags that keep NaN and infinity semantics (reassociation lets the maxima vectorise).
_FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}

FREE_SPACE_CONSTANT_DB = 20.0 * math.log10(4.0 * math.pi * 1e9 / SPEED_OF_LIGHT_M_S)
"""32.45 dB: free-space loss at 1 MHz and 1 km (ITU-R P.525-4 eq. 4 rounds it to 32.4)."""


@nb.njit(cache=True)
def knife_edge_loss(nu: float) -> float:
    """Single knife-edge diffraction loss ``J(ν)`` in dB (ITU-R P.526-16 eq. 31); 0 for
    ``ν ≤ -0.78``."""
    if nu <= -0.78:
        return 0.0
    t = nu - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)


@nb.njit(cache=True)
def free_space_loss(distance_m: float, frequency_mhz: float) -> float:
    """Free-space basic transmission loss in dB (ITU-R P.525-4 eq. 4); distance ≥ 1 m."""
    d = max(distance_m, 1.0) / 1000.0
    return FREE_SPACE_CONSTANT_DB + 20.0 * math.log10(frequency_mhz) + 20.0 * math.log10(d)


@nb.njit(cache=True)
def _stim_terms(h, k_max, step, hts, ae):
    """max over i = 1..k_max of ``(h_i - d_i² / (2 a_e) - h_ts) / d_i`` (NaN heights skipped)."""
    best = -np.inf
    for i in range(1, k_max + 1):
        hi = h[i]
        if hi == hi:
            di = i * step
            s = (hi - di * di / (2.0 * ae) - hts) / di
            if s > best:
                best = s
    return best


@nb.njit(cache=True, fastmath=_FAST)
def bullington_loss(h, hmax, k_max, step, dist, hts, hrs, ae, wavelength, stim_terms):
    """Bullington diffraction loss ``L_b`` (dB) over intermediate points ``h[1..k_max]`` at
    distances ``i · step`` of a path of length ``dist`` (ITU-R P.526-16 §4.5.1); a point
    without data holds a very low height (never an obstacle), not NaN.

    ``hmax[i]`` is the highest of ``h[1..i]`` and ``stim_terms`` is :func:`_stim_terms` of
    the same points (a ray keeps both as running maxima); ``hts``/``hrs`` are the antennas'
    heights above sea level. Beyond line of sight the receiver's horizon slope ``S_rim`` is
    sought from the receiver backwards and the search stops, exactly, once no farther point
    can beat it (its height is at most ``hmax[i]`` and its bulge at most ``d² / (8 a_e)``).
    """
    if k_max < 1:
        return 0.0
    stim = stim_terms + dist / (2.0 * ae)
    s_tr = (hrs - hts) / dist
    if stim < s_tr:
        # In line of sight every point lies below the line (excess < 0), so the largest ν is
        # the one of least excess² / (d_i (d - d_i)): no square root in the loop.
        q_min = np.inf
        inv = 1.0 / dist
        for i in range(1, k_max + 1):
            di = i * step
            rest = max(dist - di, 1e-6)
            excess = h[i] + di * rest / (2.0 * ae) - (hts * rest + hrs * di) * inv
            q_min = min(q_min, excess * excess / (di * rest))
        luc = knife_edge_loss(-math.sqrt(q_min * 2.0 * dist / wavelength))
    else:
        srim = -np.inf
        bulge_max = dist * dist / (8.0 * ae)
        for i in range(k_max, 0, -1):
            di = i * step
            rest = max(dist - di, 1e-6)
            top = hmax[i] + bulge_max - hrs
            if top <= srim * (rest if top >= 0.0 else dist):
                break
            s = (h[i] + di * rest / (2.0 * ae) - hrs) / rest
            srim = max(srim, s)
        db = (hrs - hts + srim * dist) / (stim + srim)
        db = min(max(db, 1e-3), dist - 1e-3)
        nu_b = (hts + stim * db - (hts * (dist - db) + hrs * db) / dist) * math.sqrt(
            2.0 * dist / (wavelength * db * (dist - db))
        )
        luc = knife_edge_loss(nu_b)
    return luc + (1.0 - math.exp(-luc / 6.0)) * (10.0 + 0.00002 * dist)


@nb.njit(cache=True)
def _bilinear(z, col, row):
    """``z`` at fractional (col, row) of cell centres; NaN outside or next to no data."""
    ny, nx = z.shape
    if col < 0.0 or row < 0.0 or col > nx - 1 or row > ny - 1:
        return np.nan
    c0 = min(int(col), nx - 2) if nx > 1 else 0
    r0 = min(int(row), ny - 2) if ny > 1 else 0
    fc = col - c0
    fr = row - r0
    c1 = min(c0 + 1, nx - 1)
    r1 = min(r0 + 1, ny - 1)
    top = z[r0, c0] * (1.0 - fc) + z[r0, c1] * fc
    bottom = z[r1, c0] * (1.0 - fc) + z[r1, c1] * fc
    return top * (1.0 - fr) + bottom * fr


@nb.njit(cache=True)
def _nearest(z, col, row):
    """``z`` of the cell holding fractional (col, row); NaN outside the grid."""
    ny, nx = z.shape
    i = int(math.floor(row + 0.5))
    j = int(math.floor(col + 0.5))
    if i < 0 or j < 0 or i >= ny or j >= nx:
        return np.nan
    return z[i, j]


@nb.njit(cache=True)
def _profile(z, c0, r0, c1, r1, n, out):
    """``n + 1`` evenly spaced bilinear samples from (c0, r0) to (c1, r1) into ``out``."""
    for i in range(n + 1):
        t = i / n
        out[i] = _bilinear(z, c0 + (c1 - c0) * t, r0 + (r1 - r0) * t)


@nb.njit(cache=True, parallel=True)
def pair_losses(z, dx, dy, tx_col, tx_row, tx_h, rx_col, rx_row, rx_h, freq_mhz, step, ae):
    """Path loss and line of sight for each (transmitter, receiver) pair, in parallel.

    Parameters
    ----------
    z : (ny, nx) float array
        Elevations (m), NaN where unknown.
    dx, dy : float
        Cell size in metres.
    tx_col, tx_row, rx_col, rx_row : (n,) float arrays
        Fractional grid positions of each pair's ends (cell centres at integers).
    tx_h, rx_h : (n,) float arrays
        Antenna heights above ground (m).
    freq_mhz : (n,) float array
        Frequency of each pair.
    step : float
        Profile spacing in metres (the cell size is right).
    ae : float
        Effective Earth radius in metres.

    Returns
    -------
    (loss, los) : (n,) float64 and (n,) bool
        Free-space plus Bullington loss in dB (NaN when an end has no elevation) and whether
        the receiver sees the antenna over the curved Earth.
    """
    n_pairs = tx_col.shape[0]
    loss = np.full(n_pairs, np.nan)
    los = np.zeros(n_pairs, dtype=np.bool_)
    for p in nb.prange(n_pairs):
        ddx = (rx_col[p] - tx_col[p]) * dx
        ddy = (rx_row[p] - tx_row[p]) * dy
        dist = math.sqrt(ddx * ddx + ddy * ddy)
        n = max(int(math.ceil(dist / step)), 1)
        h = np.empty(n + 1)
        _profile(z, tx_col[p], tx_row[p], rx_col[p], rx_row[p], n, h)
        if h[0] != h[0] or h[n] != h[n]:
            continue
        dist = max(dist, 1.0)
        hts = h[0] + tx_h[p]
        hrs = h[n] + rx_h[p]
        sub = dist / n
        terms = _stim_terms(h, n - 1, sub, hts, ae)
        hmax = np.empty(n + 1)
        top = _LOW
        for i in range(n + 1):
            if h[i] != h[i]:
                h[i] = _LOW
            top = max(top, h[i])
            hmax[i] = top
        lam = SPEED_OF_LIGHT_M_S / (freq_mhz[p] * 1e6)
        lb = bullington_loss(h, hmax, n - 1, sub, dist, hts, hrs, ae, lam, terms)
        loss[p] = free_space_loss(dist, freq_mhz[p]) + lb
        los[p] = n == 1 or terms + dist / (2.0 * ae) < (hrs - hts) / dist
    return loss, los


@nb.njit(cache=True)
def site_window(z, dx, dy, col, row, tx_h, rx_h, radius, freq_mhz, ae, with_loss):
    """Line of sight and path loss from one site to every cell of its window (radial sweep).

    Parameters
    ----------
    z : (ny, nx) float array
        Elevations (m), NaN where unknown.
    dx, dy : float
        Cell size in metres.
    col, row : float
        The site's fractional grid position.
    tx_h, rx_h : float
        Antenna and receiver heights above ground (m).
    radius : float
        The site's range (m): cells farther are left out.
    freq_mhz, ae : float
        Frequency and effective Earth radius (m).
    with_loss : bool
        Compute the path loss too (line of sight only otherwise; ``loss`` stays NaN).

    Returns
    -------
    (r0, c0, visible, loss)
        The window's first row and column in ``z``, a uint8 window (1 visible, 0 hidden,
        255 outside the range or without data) and the loss window in dB (float32, NaN
        where not computed).
    """
    ny, nx = z.shape
    cell = min(dx, dy)
    step = 0.5 * cell
    wr = int(math.ceil(radius / dy)) + 1
    wc = int(math.ceil(radius / dx)) + 1
    r0 = max(int(math.floor(row)) - wr, 0)
    r1 = min(int(math.ceil(row)) + wr, ny - 1)
    c0 = max(int(math.floor(col)) - wc, 0)
    c1 = min(int(math.ceil(col)) + wc, nx - 1)
    visible = np.full((r1 - r0 + 1, c1 - c0 + 1), 255, dtype=np.uint8)
    loss = np.full((r1 - r0 + 1, c1 - c0 + 1), np.nan, dtype=np.float32)
    ground = _bilinear(z, col, row)
    if ground != ground:
        return r0, c0, visible, loss
    hts = ground + tx_h
    n_rays = max(int(math.ceil(2.0 * math.pi * radius / (0.5 * cell))), 64)
    n_s = int(math.ceil(radius / step)) + 1
    prof = np.empty((n_rays, n_s + 1))
    high = np.empty((n_rays, n_s + 1))
    peak = np.empty((n_rays, n_s + 1))
    for r in range(n_rays):
        theta = 2.0 * math.pi * r / n_rays
        ux = math.cos(theta) * step / dx
        uy = -math.sin(theta) * step / dy
        prof[r, 0] = ground
        high[r, 0] = _LOW
        peak[r, 0] = _LOW
        best = _LOW
        top = _LOW
        for k in range(1, n_s + 1):
            hk = _bilinear(z, col + k * ux, row + k * uy)
            if hk == hk:
                prof[r, k] = hk
                dk = k * step
                s = (hk - dk * dk / (2.0 * ae) - hts) / dk
                if s > best:
                    best = s
            else:
                prof[r, k] = _LOW
            top = max(top, prof[r, k])
            high[r, k] = top
            peak[r, k] = best
    # The path loss reads every other sample (one per cell), the line of sight all of them.
    prof2 = np.ascontiguousarray(prof[:, ::2])
    high2 = np.ascontiguousarray(high[:, ::2])
    lam = SPEED_OF_LIGHT_M_S / (freq_mhz * 1e6)
    two_pi = 2.0 * math.pi
    for i in range(r0, r1 + 1):
        ey = (row - i) * dy
        for j in range(c0, c1 + 1):
            ex = (j - col) * dx
            dist = math.sqrt(ex * ex + ey * ey)
            zt = z[i, j]
            if dist > radius or zt != zt:
                continue
            hrs = zt + rx_h
            if dist < 0.5 * cell:
                visible[i - r0, j - c0] = 1
                if with_loss:
                    loss[i - r0, j - c0] = free_space_loss(dist, freq_mhz)
                continue
            theta = math.atan2(ey, ex)
            if theta < 0.0:
                theta += two_pi
            pos = theta / two_pi * n_rays
            ra = int(pos) % n_rays
            rb = (ra + 1) % n_rays
            wb = pos - int(pos)
            r = rb if wb >= 0.5 else ra
            k_max = min(int((dist - 0.5 * cell) / step), n_s)
            terms = peak[ra, k_max] * (1.0 - wb) + peak[rb, k_max] * wb
            vis = k_max < 1 or terms + dist / (2.0 * ae) < (hrs - hts) / dist
            visible[i - r0, j - c0] = 1 if vis else 0
            if with_loss:
                lb = bullington_loss(
                    prof2[r], high2[r], k_max // 2, 2.0 * step, dist, hts, hrs, ae, lam, terms
                )
                loss[i - r0, j - c0] = free_space_loss(dist, freq_mhz) + lb
    return r0, c0, visible, loss


@nb.njit(cache=True, parallel=True)
def best_server(z, dx, dy, cols, rows, tx_h, rx_h, radius, freq_mhz, ae, n_chunks):
    """The lowest path loss over sites and the site giving it, for every cell (in parallel).

    Sites are dealt into ``n_chunks`` groups (one per thread); each group sweeps its sites
    (:func:`site_window`) into its own layer, then the layers are reduced.

    Parameters
    ----------
    z, dx, dy, rx_h, ae
        As in :func:`site_window`.
    cols, rows, tx_h, radius, freq_mhz : (n_sites,) arrays
        Each site's grid position, antenna height, range and frequency.
    n_chunks : int
        Number of groups (threads).

    Returns
    -------
    (loss, server, visible)
        ``loss`` (float32, NaN where no site reaches), ``server`` (int32 position of the
        site in the inputs, -1 where none) and ``visible`` (uint8: number of sites in line of
        sight, saturating at 255).
    """
    ny, nx = z.shape
    n_sites = cols.shape[0]
    layer_loss = np.full((n_chunks, ny, nx), np.inf, dtype=np.float32)
    layer_server = np.full((n_chunks, ny, nx), -1, dtype=np.int32)
    layer_vis = np.zeros((n_chunks, ny, nx), dtype=np.uint8)
    for c in nb.prange(n_chunks):
        for s in range(c, n_sites, n_chunks):
            r0, c0, vis, loss = site_window(
                z, dx, dy, cols[s], rows[s], tx_h[s], rx_h, radius[s], freq_mhz[s], ae, True
            )
            h, w = vis.shape
            for i in range(h):
                for j in range(w):
                    v = vis[i, j]
                    if v == 255:
                        continue
                    if v == 1 and layer_vis[c, r0 + i, c0 + j] < 255:
                        layer_vis[c, r0 + i, c0 + j] += 1
                    lo = loss[i, j]
                    if lo < layer_loss[c, r0 + i, c0 + j]:
                        layer_loss[c, r0 + i, c0 + j] = lo
                        layer_server[c, r0 + i, c0 + j] = s
    out_loss = np.full((ny, nx), np.nan, dtype=np.float32)
    out_server = np.full((ny, nx), -1, dtype=np.int32)
    out_vis = np.zeros((ny, nx), dtype=np.uint8)
    for i in nb.prange(ny):
        for j in range(nx):
            best = np.float32(np.inf)
            who = -1
            count = 0
            for c in range(n_chunks):
                lo = layer_loss[c, i, j]
                if lo < best or (lo == best and layer_server[c, i, j] < who):
                    best = lo
                    who = layer_server[c, i, j]
                count += layer_vis[c, i, j]
            if who >= 0:
                out_loss[i, j] = best
                out_server[i, j] = who
            out_vis[i, j] = min(count, 255)
    return out_loss, out_server, out_vis
