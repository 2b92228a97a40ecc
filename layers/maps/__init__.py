"""The coverage map of a province (a package: one module per part of the map).

:func:`build_map` turns a :class:`geo.pipeline.Model` into a :class:`folium.Map` and
:func:`standalone_html` wraps it in a whole page (:mod:`layers.maps.page`, whose docstring
describes the layers, the safety rules and the payload). The parts:

* :mod:`~layers.maps.common`: colours, escaping (:func:`escape_html`), the tooltip builder;
* :mod:`~layers.maps.base`: vendored Leaflet (no CDN), base maps, tile notice, attribution;
* :mod:`~layers.maps.communes`, :mod:`~layers.maps.villages`, :mod:`~layers.maps.sites`,
  :mod:`~layers.maps.assignments` (the register's rings, the selection ring),
  :mod:`~layers.maps.legend`, :mod:`~layers.maps.search`;
* :mod:`~layers.maps.filtering` (filters applied in the browser), :mod:`~layers.maps.stacks`
  (villages stacked on one point open as a list);
* :mod:`~layers.maps.page`: the assembly.

``from layers import maps; maps.build_map(...)`` and every name below keep working.
"""

from __future__ import annotations

from layers.maps.assignments import ring_points, selection_layer
from layers.maps.base import (
    _INLINE,
    APP_VENDOR_URL,
    DROPPED,
    MAP_CREDITS,
    TILE_ERROR_TEXT,
    VENDORED,
    _inline_vendored,
    map_attribution,
    use_vendored_assets,
)
from layers.maps.common import (
    CLUSTER_ABOVE,
    DECIMALS,
    FIBRE_COLOUR,
    GAP_COLOURS,
    NO_DATA_COLOUR,
    NO_VILLAGES_COLOUR,
    OPERATOR_COLOURS,
    OVERDUE_COLOUR,
    SELECTED_COLOUR,
    SHARE_CLASSES,
    STATUS_COLOURS,
    _share_class,
    escape_html,
    synthetic_layers,
)
from layers.maps.communes import commune_layer, display_communes
from layers.maps.filtering import filter_layer
from layers.maps.page import build_map, map_html, standalone_html
from layers.maps.sites import declared_coverage_layers
from layers.maps.stacks import stack_layer

__all__ = [
    "APP_VENDOR_URL",
    "CLUSTER_ABOVE",
    "DECIMALS",
    "DROPPED",
    "FIBRE_COLOUR",
    "GAP_COLOURS",
    "MAP_CREDITS",
    "NO_DATA_COLOUR",
    "NO_VILLAGES_COLOUR",
    "OPERATOR_COLOURS",
    "OVERDUE_COLOUR",
    "SELECTED_COLOUR",
    "SHARE_CLASSES",
    "STATUS_COLOURS",
    "TILE_ERROR_TEXT",
    "VENDORED",
    "_INLINE",
    "_inline_vendored",
    "_share_class",
    "build_map",
    "commune_layer",
    "declared_coverage_layers",
    "display_communes",
    "filter_layer",
    "escape_html",
    "map_attribution",
    "map_html",
    "ring_points",
    "selection_layer",
    "stack_layer",
    "standalone_html",
    "synthetic_layers",
    "use_vendored_assets",
]
