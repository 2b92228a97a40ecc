"""The search control of the map (leaflet-search over the communes and villages)."""

from __future__ import annotations

import folium
from folium.plugins import Search
from folium.template import Template


class _SearchIndex(folium.FeatureGroup):
    """A feature group of existing layers, not added to the map, for the search control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup([
            {%- for layer in this.members %}{{ layer.get_name() }},{% endfor -%}
        ]);
        {% endmacro %}
        """
    )

    def __init__(self, members: list[folium.map.Layer]) -> None:
        super().__init__(control=False, show=False)
        self._name = "SearchIndex"
        self.members = members


class _Search(Search):
    """folium's search control over a :class:`_SearchIndex`, zooming to what it finds.

    Polygons (communes) are fitted to the view, points (villages) centred at zoom 13; the
    found feature's popup opens. Texts are JSON-encoded (no quoting problems).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new L.Control.Search({
            layer: {{ this.layer.get_name() }},
            propertyName: "s",
            initial: false,
            collapsed: false,
            marker: false,
            position: "topleft",
            textPlaceholder: {{ this.texts[0]|tojson }},
            textErr: {{ this.texts[1]|tojson }},
            textCancel: {{ this.texts[2]|tojson }},
            moveToLocation: function(latlng, title, map) {
                var layer = latlng.layer;
                if (layer && layer.getBounds) {
                    map.fitBounds(layer.getBounds(), {maxZoom: 13});
                } else {
                    map.setView(latlng, 13);
                }
            }
        });
        {{ this.get_name() }}.on("search:locationfound", function(e) {
            if (e.layer && e.layer.getPopup && e.layer.getPopup()) e.layer.openPopup();
        });
        {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: _SearchIndex, texts: tuple[str, str, str]) -> None:
        super().__init__(layer=layer, search_label="s")
        self._name = "SearchControl"
        self.texts = texts
