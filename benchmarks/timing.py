"""Timing helper shared by the benchmark scripts (not a test; nothing here asserts a time)."""

from __future__ import annotations

import time


def cold_warm(fn, repeat: int = 3) -> tuple[float, float, object]:
    """Time ``fn``: the first call ("cold"), then the best of ``repeat`` more ("warm").

    Returns
    -------
    (cold seconds, warm seconds, the first call's result)
    """
    t0 = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    return cold, min(warm) if warm else cold, result
