"""Terrain-aware coverage on a planner's DEM: line of sight, path loss, best server.

* :mod:`geo.terrain.kernels` — numba kernels on arrays (line of sight with k = 4/3, free-space
  + Bullington diffraction loss after ITU-R P.526, radial sweeps per site, best server);
* :mod:`geo.terrain.dem` — reading a DEM windowed to a province (bounded), Cloud-Optimized
  GeoTIFF output;
* :mod:`geo.terrain.model` — the model on frames: villages covered per operator, rasters;
* :mod:`geo.terrain.committed` — committing a province's DEM and finding it again;
* :mod:`geo.terrain.apply` — the terrain model inside a province's model (the workspace).

Numba is imported only when a kernel runs, so importing this package stays cheap.
"""

from geo.terrain.apply import apply_to_model
from geo.terrain.committed import committed_dem, committed_dems, dem_version, import_dem
from geo.terrain.dem import Dem, read_dem, write_cog
from geo.terrain.model import (
    DEFAULT_ANTENNA_HEIGHT_M,
    FREQUENCY_MHZ,
    MAX_PATH_LOSS_DB,
    RECEIVER_HEIGHT_M,
    coverage_rasters,
    on_dem,
    pair_table,
    terrain_coverage,
)

__all__ = [
    "DEFAULT_ANTENNA_HEIGHT_M",
    "FREQUENCY_MHZ",
    "MAX_PATH_LOSS_DB",
    "RECEIVER_HEIGHT_M",
    "Dem",
    "apply_to_model",
    "committed_dem",
    "committed_dems",
    "coverage_rasters",
    "dem_version",
    "import_dem",
    "on_dem",
    "pair_table",
    "read_dem",
    "terrain_coverage",
    "write_cog",
]
