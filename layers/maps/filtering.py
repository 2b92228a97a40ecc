"""Filters applied in the browser: the map hides what a filter leaves out without being
built or sent again.

:class:`_FilterIndex` (added to the map by :func:`layers.maps.build_map`) knows the map's
village, site and stack layers and defines ``window.coverageFilter(spec)``; :func:`filter_layer`
is a tiny feature group whose script calls it with the keys to keep. The app passes it to
``st_folium`` (``feature_group_to_add``): a filter change sends a few kilobytes, not the map.

Keys: each village feature's ``k`` is its escaped ``village_id`` (villages, the plan's declared
villages, assignments, fibre); each site's ``k`` its row position in ``Model.sites``; a stack
marker (:mod:`layers.maps.stacks`) carries its villages' keys in ``m`` and stays while one of
them is kept. ``null`` keeps everything of that kind. Which keys to keep is computed in Python
(:func:`geo.finding.village_mask`, :func:`geo.finding.site_mask`), so the map and the tables
always agree.
"""

from __future__ import annotations

from collections.abc import Iterable

import folium
from folium.template import Template

from layers.maps.common import _e

__all__ = ["filter_layer"]


class _FilterIndex(folium.MacroElement):
    """Registers the map's filterable layers and defines ``window.coverageFilter``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var groups = {
                v: [{%- for l in this.villages %}{{ l.get_name() }},{% endfor -%}],
                s: [{%- for l, c, g in this.sites %}[{{ l.get_name() }},
                    {{ c.get_name() if c else "null" }}, {{ g.get_name() if g else "null" }}],
                    {%- endfor -%}],
                st: [{%- for l in this.stacks %}{{ l.get_name() }},{% endfor -%}]
            };
            function toggle(g, on, cluster, sub) {
                if (!g._coverageAll) g._coverageAll = g.getLayers();
                var live = cluster && map.hasLayer(sub);
                g._coverageAll.forEach(function (l) {
                    var want = on(l.feature.properties), has = g.hasLayer(l);
                    if (want && !has) { g.addLayer(l); if (live) cluster.addLayer(l); }
                    else if (!want && has) { g.removeLayer(l); if (live) cluster.removeLayer(l); }
                });
            }
            window.coverageFilter = function (spec) {
                var v = spec.v ? new Set(spec.v) : null, s = spec.s ? new Set(spec.s) : null;
                var keepV = function (p) { return v === null || v.has(p.k); };
                var keepS = function (p) { return s === null || s.has(p.k); };
                var keepSt = function (p) {
                    return v === null || (p.m || []).some(function (k) { return v.has(k); });
                };
                groups.v.forEach(function (g) { toggle(g, keepV, null, null); });
                groups.s.forEach(function (t) { toggle(t[0], keepS, t[1], t[2]); });
                groups.st.forEach(function (g) { toggle(g, keepSt, null, null); });
                window.coverageFiltered = spec;
            };
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, villages: list, sites: list, stacks: list) -> None:
        super().__init__()
        self._name = "FilterIndex"
        self.villages = villages
        self.sites = sites
        self.stacks = stacks


class _ApplyFilter(folium.MacroElement):
    """Calls ``window.coverageFilter`` with the keys to keep (JSON, never template source)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.coverageFilter) window.coverageFilter({{ this.spec|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._name = "ApplyFilter"
        self.spec = spec


def filter_layer(
    village_ids: Iterable[str] | None = None, site_keys: Iterable[int] | None = None
) -> folium.FeatureGroup:
    """A feature group (no layer of its own) that makes a drawn map show only these villages
    and sites.

    Parameters
    ----------
    village_ids
        The ``village_id`` of the villages to keep (raw, escaped here as the features' keys
        are); None keeps every village.
    site_keys
        Row positions in ``Model.sites`` of the sites to keep; None keeps every site.

    Returns
    -------
    folium.FeatureGroup
        For ``st_folium(..., feature_group_to_add=...)``; not in the layer control.
    """
    spec = {
        "v": None if village_ids is None else [_e(v) for v in village_ids],
        "s": None if site_keys is None else [int(k) for k in site_keys],
    }
    group = folium.FeatureGroup(name="filter", control=False)
    _ApplyFilter(spec).add_to(group)
    return group
