"""Toàn quốc: all Vietnam on one light map, each province with whether real data is loaded and
its indicators; a province opens on the map page (Bản đồ).

The outlines are prepared once (:func:`geo.national.outlines`, cached on disk and here); the
figures follow the import store (:func:`geo.national.province_figures`). A click on a province
shows its popup with a link to the map page (``?tinh=CODE&don_vi=UNITS``, read by the sidebar);
the picker under the map does the same.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import national, workspace
from geo.vocab import DataOrigin
from layers import national as national_layers
from layers.i18n import enum_label, fmt_number, fmt_percent, t
from ui import app_common


@st.cache_resource(show_spinner=False, max_entries=2)
def _outlines(units: str) -> national.Outlines:
    return national.outlines(units)


@st.cache_data(show_spinner=False, max_entries=8)
def _figures(
    units: str, year: int | None, radii: tuple, distance: float, store_key: tuple
) -> pd.DataFrame:
    settings = workspace.Settings.make(year, dict(radii), distance)
    return national.province_figures(
        units, settings, stores=workspace.Stores.default(), loader=app_common.load_province
    )


scope = app_common.current_scope()
lang = scope.lang
units = scope.units
stores = workspace.Stores.default()
store_key = tuple(
    sorted((c, tuple(sorted(k))) for c, k in workspace.committed_kinds(stores.imports).items())
)
with st.spinner(t("national.building", lang)):
    outlines = _outlines(units)
    figures = _figures(units, scope.year, scope.radii, scope.sharing_distance, store_key)

md = app_common.md
st.title(t("national.title", lang))
st.caption(f"{t(f'national.units_{units}', lang)} · {t('national.simplified_note', lang)}")
synthetic = figures.loc[figures["origin"] == DataOrigin.SYNTHETIC.value, "province"]
if len(synthetic):
    st.warning(md(t("national.synthetic_banner", lang, names=", ".join(synthetic))), icon="⚠️")

fmap = national_layers.national_map(outlines, figures, lang=lang, link="app")
st_folium(fmap, key="national_map", returned_objects=[], height=720, use_container_width=True)

names = dict(zip(figures["province_code"], figures["province"], strict=True))
left, right = st.columns([3, 1], vertical_alignment="bottom")
picked = left.selectbox(t("national.pick_province", lang), list(names), format_func=names.get)
if right.button(t("national.open_province", lang), type="primary"):
    app_common.choose_province(units, picked)
    st.switch_page("ui/pages/ban_do.py")

st.subheader(t("national.table_header", lang))


def _n(values) -> list[str]:
    return [fmt_number(None if pd.isna(v) else int(v), lang) for v in values]


shown = pd.DataFrame(
    {
        t("national.province", lang): figures["province"],
        t("national.origin", lang): [enum_label(DataOrigin(o), lang) for o in figures["origin"]],
        t("national.villages", lang): _n(figures["villages"]),
        t("national.share", lang): [fmt_percent(v, lang) for v in figures["villages_mobile_share"]],
        t("national.total_not_spots", lang): _n(figures["total_not_spots"]),
        t("national.partial_not_spots", lang): _n(figures["partial_not_spots"]),
    }
)
st.dataframe(shown, hide_index=True, width="stretch")
