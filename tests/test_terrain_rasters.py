"""The terrain model's rasters: image overlays with a legend on the map (escaped, labelled
synthetic), the population covered per commune (census × WorldPop × the coverage raster), the
`terrain rasters` command's Cloud-Optimized GeoTIFFs."""

from __future__ import annotations

import base64
import io
import re

import folium
import numpy as np
import pytest
from affine import Affine
from PIL import Image
from pyproj import CRS

from geo.terrain import dem as dem_mod
from geo.terrain import raster_outputs
from layers import rasters

CRS_9205 = CRS.from_epsg(9205)
T = Affine(30.0, 0, 480_000, 0, -30.0, 2_370_000)


def _decoded(page: str) -> str:
    """The page with JSON's \\uXXXX escapes undone: what the browser's script receives."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def _overlay_png(page: str) -> Image.Image:
    data = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page).group(1)
    return Image.open(io.BytesIO(base64.b64decode(data)))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_covered_raster_becomes_a_png_overlay_with_its_legend(lang):
    covered = np.full((200, 300), 255, dtype=np.uint8)
    covered[:, :150] = 1
    covered[:, 150:] = 0
    m = folium.Map(location=[21.4, 102.8], zoom_start=10, tiles=None)
    rasters.add_raster(m, covered, T, CRS_9205, kind="covered", name="Viettel 4G",
                       lang=lang, threshold=140.0, synthetic=True)  # fmt: skip
    page = _decoded(m.get_root().render())
    image = _overlay_png(page)
    assert image.mode == "RGBA"
    pixels = np.asarray(image)
    left, right = pixels[pixels.shape[0] // 2, 5], pixels[pixels.shape[0] // 2, -5]
    assert left[1] > left[0] and right[0] > right[1]  # green (covered) west, red east
    words = {"vi": ("Có sóng", "mô phỏng", "140 dB"), "en": ("Covered", "Synthetic", "140 dB")}
    for word in words[lang]:
        assert word in page


def test_the_overlay_sits_on_the_raster_bounds_in_degrees():
    from pyproj import Transformer

    values = np.full((100, 100), 130.0, dtype=np.float32)
    m = folium.Map(location=[21.4, 102.8], zoom_start=10, tiles=None)
    overlay = rasters.add_raster(m, values, T, CRS_9205, kind="loss", name="loss")
    (south, west), (north, east) = overlay.bounds
    to_deg = Transformer.from_crs(9205, 4326, always_xy=True)
    lon0, lat0 = to_deg.transform(T.c, T.f)
    lon1, lat1 = to_deg.transform(T.c + 3000, T.f - 3000)
    assert west == pytest.approx(lon0, abs=0.002) and north == pytest.approx(lat0, abs=0.002)
    assert east == pytest.approx(lon1, abs=0.002) and south == pytest.approx(lat1, abs=0.002)


def test_a_hostile_layer_name_reaches_the_page_escaped():
    values = np.zeros((20, 20), dtype=np.int32)
    m = folium.Map(location=[21.4, 102.8], zoom_start=10, tiles=None)
    folium.LayerControl().add_to(m)
    rasters.add_raster(m, values, T, CRS_9205, kind="server", name="{{ 7*7 }}<script>x</script>")
    page = _decoded(m.get_root().render())
    assert "<script>x</script>" not in page and "{{ 7*7 }}" not in page
    assert "&lt;script&gt;x" in page and "&#123;&#123; 7*7 &#125;&#125;" in page


def test_population_covered_is_the_census_where_all_is_covered_and_nothing_where_none(laichau):
    communes = laichau.communes.head(6).copy()
    from geo import census, registry

    communes["population"] = census.census_population(communes)
    communes = communes[communes["population"].notna()]
    utm = communes.to_crs(32648)
    left, bottom, right, top = utm.total_bounds
    cell = 200.0
    transform = Affine(cell, 0, left - 2000, 0, -cell, top + 2000)
    shape = (int((top - bottom + 4000) / cell), int((right - left + 4000) / cell))
    dem = dem_mod.Dem(np.zeros(shape, dtype=np.float32), transform, CRS.from_epsg(32648))
    worldpop = registry.path("worldpop_2020")
    everything = raster_outputs.population_covered(
        communes, np.ones(shape, dtype=np.uint8), dem, worldpop
    )
    np.testing.assert_allclose(everything, communes["population"].astype(float), rtol=1e-3)
    nothing = raster_outputs.population_covered(
        communes, np.zeros(shape, dtype=np.uint8), dem, worldpop
    )
    assert (nothing == 0).all()
    half = np.zeros(shape, dtype=np.uint8)
    half[:, : shape[1] // 2] = 1
    part = raster_outputs.population_covered(communes, half, dem, worldpop)
    assert ((part >= 0) & (part <= everything + 1e-6)).all() and 0 < part.sum() < everything.sum()
