"""Viet Nam's extent: the one box every check of "is this point in Viet Nam?" uses."""

from __future__ import annotations

import numpy as np

__all__ = ["VIETNAM_BBOX", "inside_vietnam"]

#: Viet Nam's extent with a margin, (min lon, min lat, max lon, max lat) in EPSG:4326: the
#: mainland from 102°08' E (A Pa Chải) and 8°34' N (Mũi Cà Mau) to 23°23' N (Lũng Cú), and the
#: islands east and south to the Trường Sa (Spratly) group (about 117°50' E, 6°50' N). Used to
#: catch swapped or unprojected coordinates, not as a border.
VIETNAM_BBOX = (102.0, 6.0, 118.0, 23.5)


def inside_vietnam(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each (lon, lat) pair lies within :data:`VIETNAM_BBOX` (NaN is outside).

    Parameters
    ----------
    lon, lat
        Arrays of degrees (EPSG:4326), broadcastable to one shape.

    Returns
    -------
    numpy.ndarray
        Booleans.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x0, y0, x1, y1 = VIETNAM_BBOX
    return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
