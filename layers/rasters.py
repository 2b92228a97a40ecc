"""Rasters on the map: the terrain model's path loss, coverage and best server as image
overlays with a legend.

The raster is warped to Web Mercator (EPSG:3857, the map's own projection, so Leaflet's linear
stretch between the image's corners is exact), coloured with a matplotlib colormap into an RGBA
PNG and embedded as a ``data:`` URL: the image is a value of folium's fixed template, never
template source, and the legend's words come from the catalogue, escaped
(:func:`layers.maps.common.escape_html`).
"""

from __future__ import annotations

import base64
import io
from enum import StrEnum

import folium
import numpy as np
from affine import Affine
from folium.template import Template
from pyproj import CRS

from geo.i18n import fmt_number, t
from layers.maps.common import escape_html

__all__ = ["RasterKind", "add_raster", "raster_png"]

MAX_PIXELS = 2048
"""Longest side of the overlay's image; larger rasters are resampled (nearest) to it."""


class RasterKind(StrEnum):
    """What a raster holds: the path loss in dB, covered (1) or not (0), the best server."""

    LOSS = "loss"
    COVERED = "covered"
    SERVER = "server"


def _to_web_mercator(values: np.ndarray, transform: Affine, crs: CRS, nodata):
    """The raster warped (nearest) to EPSG:3857 at most :data:`MAX_PIXELS` wide, with its
    (south, west, north, east) bounds in degrees."""
    from pyproj import Transformer
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    ny, nx = values.shape
    left, top = transform.c, transform.f
    right, bottom = left + nx * transform.a, top + ny * transform.e
    dst_t, width, height = calculate_default_transform(
        crs.to_wkt(), "EPSG:3857", nx, ny, left, bottom, right, top
    )
    scale = max(width, height) / MAX_PIXELS
    if scale > 1:
        width, height = int(np.ceil(width / scale)), int(np.ceil(height / scale))
        dst_t = dst_t * Affine.scale(scale)
    out = np.full((height, width), nodata, dtype=values.dtype)
    reproject(
        values, out, src_transform=transform, src_crs=crs.to_wkt(), dst_transform=dst_t,
        dst_crs="EPSG:3857", src_nodata=nodata, dst_nodata=nodata,
        resampling=Resampling.nearest,
    )  # fmt: skip
    to_deg = Transformer.from_crs(3857, 4326, always_xy=True)
    west, north = to_deg.transform(dst_t.c, dst_t.f)
    east, south = to_deg.transform(dst_t.c + width * dst_t.a, dst_t.f + height * dst_t.e)
    return out, (south, west, north, east)


def _rgba(values: np.ndarray, kind: RasterKind, *, vmin: float, vmax: float) -> np.ndarray:
    """RGBA uint8 colours of the values; transparent where empty."""
    from matplotlib import colormaps

    if kind == RasterKind.COVERED:
        rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
        rgba[values == 1] = (26, 150, 65, 150)
        rgba[values == 0] = (215, 48, 39, 170)
        return rgba
    if kind == RasterKind.SERVER:
        empty = values < 0
        colours = colormaps["tab20"](np.mod(np.maximum(values, 0), 20))
        colours[..., 3] = 0.55
    else:
        empty = ~np.isfinite(values)
        scaled = np.clip((np.nan_to_num(values, nan=vmax) - vmin) / max(vmax - vmin, 1e-9), 0, 1)
        colours = colormaps["viridis_r"](scaled)
        colours[..., 3] = 0.6
    rgba = (colours * 255).round().astype(np.uint8)
    rgba[empty] = 0
    return rgba


def raster_png(rgba: np.ndarray) -> bytes:
    """An RGBA array as PNG bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


class _RasterLegend(folium.MacroElement):
    """A legend control (class ``raster-legend``) holding pre-escaped HTML, as a value."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .raster-legend {background: rgba(255,255,255,0.94); padding: 6px 9px;
            font: 12px/1.35 "Segoe UI", Roboto, Arial, sans-serif; color: #222;
            border-radius: 5px; box-shadow: 0 1px 5px rgba(0,0,0,0.35); max-width: 260px;}
        .raster-legend .t {font-weight: 600;}
        .raster-legend .row {display: flex; align-items: center; gap: 6px; margin: 1px 0;}
        .raster-legend .sw {width: 16px; height: 11px; border: 1px solid #777;}
        .raster-legend .bar {height: 10px; border: 1px solid #777;}
        .raster-legend .ticks {display: flex; justify-content: space-between; font-size: 11px;}
        .raster-legend .note {margin-top: 4px; color: #555; font-style: italic;}
        .raster-legend .syn {margin-top: 4px; color: #8a4b00; font-weight: 600;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomright"});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", "raster-legend");
            div.innerHTML = {{ this.legend_html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "RasterLegend"
        self.legend_html = legend_html


def _hex(rgba) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(round(c * 255)) for c in rgba[:3]))


def _legend_html(
    kind: RasterKind, lang: str, *, vmin: float, vmax: float, threshold: float | None,
    servers: int, synthetic: bool,
) -> str:  # fmt: skip
    from matplotlib import colormaps

    title_key = {
        RasterKind.LOSS: "terrain.loss_title",
        RasterKind.COVERED: "terrain.covered_title",
        RasterKind.SERVER: "terrain.server_title",
    }[kind]
    parts = [f'<div class="t">{escape_html(t(title_key, lang))}</div>']
    if kind == RasterKind.COVERED:
        for colour, key in (("#1a9641", "terrain.covered"), ("#d73027", "terrain.not_covered")):
            parts.append(
                f'<div class="row"><span class="sw" style="background:{colour}"></span>'
                f"{escape_html(t(key, lang))}</div>"
            )
    elif kind == RasterKind.LOSS:
        stops = ", ".join(_hex(colormaps["viridis_r"](x)) for x in np.linspace(0, 1, 6))
        ticks = "".join(
            f"<span>{escape_html(fmt_number(v, lang))}</span>"
            for v in np.linspace(vmin, vmax, 5).round()
        )
        parts.append(f'<div class="bar" style="background:linear-gradient(90deg, {stops})"></div>')
        parts.append(f'<div class="ticks">{ticks}</div>')
    else:
        parts.append(
            f'<div class="note">{escape_html(t("terrain.server_note", lang, count=servers))}</div>'
        )
    if threshold is not None:
        value = fmt_number(threshold, lang)
        parts.append(
            f'<div class="note">{escape_html(t("terrain.threshold", lang, value=value))}</div>'
        )
    parts.append(f'<div class="note">{escape_html(t("terrain.model_note", lang))}</div>')
    if synthetic:
        parts.append(f'<div class="syn">{escape_html(t("terrain.synthetic_note", lang))}</div>')
    return "".join(parts)


def add_raster(
    target: folium.Map | folium.FeatureGroup,
    values: np.ndarray,
    transform: Affine,
    crs: CRS,
    *,
    kind: RasterKind | str,
    name: str,
    lang: str = "vi",
    threshold: float | None = None,
    synthetic: bool = False,
    vmin: float = 80.0,
    vmax: float = 160.0,
    legend: bool = True,
) -> folium.raster_layers.ImageOverlay:
    """Add a raster as an image overlay (PNG data URL) with a legend.

    Parameters
    ----------
    target
        The map (or a feature group of it) to add to.
    values, transform, crs
        The raster: path loss in dB (float, NaN empty), covered (uint8 1/0, 255 empty) or best
        server (int, -1 empty), e.g. from :func:`geo.terrain.raster_outputs.province_rasters`.
    kind
        :class:`RasterKind`.
    name
        The overlay's name in the layer control (escaped here).
    lang
        "vi" or "en" for the legend.
    threshold
        The technology's maximum path loss, said in the legend.
    synthetic
        Whether the sites are synthetic: the legend says "mô phỏng"/"synthetic".
    vmin, vmax
        The colour scale of the path loss (dB).
    legend
        Add the legend control to the map.

    Returns
    -------
    folium.raster_layers.ImageOverlay
    """
    kind = RasterKind(kind)
    nodata = {RasterKind.LOSS: np.nan, RasterKind.COVERED: 255, RasterKind.SERVER: -1}[kind]
    dtype = {RasterKind.LOSS: np.float32, RasterKind.COVERED: np.uint8,
             RasterKind.SERVER: np.int32}[kind]  # fmt: skip
    warped, (south, west, north, east) = _to_web_mercator(
        np.asarray(values, dtype=dtype), transform, crs, nodata
    )
    png = raster_png(_rgba(warped, kind, vmin=vmin, vmax=vmax))
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    overlay = folium.raster_layers.ImageOverlay(
        image=url, bounds=[[south, west], [north, east]], name=escape_html(name),
        mercator_project=False, interactive=False, cross_origin=False, zindex=2,
    )  # fmt: skip
    overlay.add_to(target)
    if legend:
        servers = int(np.unique(values[values >= 0]).size) if kind == RasterKind.SERVER else 0
        html = _legend_html(kind, lang, vmin=vmin, vmax=vmax, threshold=threshold,
                            servers=servers, synthetic=synthetic)  # fmt: skip
        root = target if isinstance(target, folium.Map) else target._parent
        _RasterLegend(html).add_to(root)
    return overlay
