"""Bản đồ phủ sóng: the Streamlit page (run ``streamlit run app.py``).

Thin: every figure comes from ``geo`` (the model, the indicators) and every table, map and file
from ``layers``. Caching happens here, at the edge: the province's data by its code, the model
by (code, year, radii, sharing distance).
"""

from __future__ import annotations

import functools

import streamlit as st
from streamlit_folium import st_folium

from geo import demo, indicators, pipeline, province, registry, units
from geo.coverage import DEFAULT_RADII_M
from geo.errors import CoverageError
from geo.sites import SITE_SHARING_DEFINITION
from layers import export, maps, tables
from layers.i18n import LANGS, fmt_number, t

#: Provinces with demo site and fibre layers, listed first.
PROVINCES_WITH_DATA = ("11", "12")
YEARS = (None, 2020, 2021, 2022, 2023, 2024, 2025)
TECHNOLOGIES = ("2G", "3G", "4G", "5G")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
DOWNLOAD_LAYERS = ("villages", "communes", "sites", "unserved")
DOWNLOAD_FORMATS = {
    ".geojson": ("GeoJSON", "application/geo+json"),
    ".gpkg": ("GeoPackage", "application/geopackage+sqlite3"),
    ".kml": ("KML", "application/vnd.google-earth.kml+xml"),
}

st.set_page_config(page_title="Bản đồ phủ sóng", page_icon="📶", layout="wide")


# ---------------------------------------------------------------------------------------------
# Cached loaders (the only state kept between reruns)
# ---------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def province_options() -> list[tuple[str, str]]:
    """(code, name) of every province, those with site data first."""
    table = units.provinces_table()
    names = dict(zip(table["province_code"], table["province"], strict=True))
    first = [(c, names[c]) for c in PROVINCES_WITH_DATA if c in names]
    rest = sorted(((c, n) for c, n in names.items() if c not in PROVINCES_WITH_DATA),
                  key=lambda cn: cn[1].removeprefix("Tỉnh ").removeprefix("Thành phố "))
    return first + rest


@st.cache_resource(show_spinner=False, max_entries=4)
def load_province(code: str) -> province.ProvinceData:
    """The province's units, village register and declared list, by GSO code."""
    return province.load_province(code)


@st.cache_resource(show_spinner=False, max_entries=8)
def load_model(code: str, year: int | None, radii: tuple[tuple[str, float], ...],
               sharing_distance_m: float) -> pipeline.Model:
    """The model of a province for one year, radii and sharing distance."""
    return pipeline.build(load_province(code), year=year, radii=dict(radii),
                          sharing_distance_m=sharing_distance_m)


@st.cache_data(show_spinner=False, max_entries=16)
def load_indicators(_model: pipeline.Model, key: tuple, district: str | None,
                    year: int | None) -> dict:
    """The indicators of the model (``key`` identifies the model for the cache)."""
    return indicators.compute(_model, district=district, year=year)


@st.cache_data(show_spinner=False, max_entries=16)
def map_page(_model: pipeline.Model, key: tuple, lang: str, district: str | None) -> str:
    """The standalone map page (download)."""
    return maps.standalone_html(_model, lang, district_code=district)


@st.cache_data(show_spinner=False, max_entries=32)
def layer_file(_model: pipeline.Model, key: tuple, name: str, ext: str) -> bytes:
    """One layer of the model as a file."""
    return export.layer_bytes(pipeline.layer(_model, name), ext, layer=name)


@st.cache_data(show_spinner=False, max_entries=16)
def indicators_file(result: dict, lang: str, sharing_distance_m: float) -> bytes:
    """The indicators as xlsx."""
    return tables.indicators_xlsx(result, lang, sharing_distance_m=sharing_distance_m)


# ---------------------------------------------------------------------------------------------
# Sidebar
# ---------------------------------------------------------------------------------------------

lang = st.sidebar.radio(
    "Ngôn ngữ / Language", LANGS, format_func=LANG_NAMES.get, horizontal=True, key="lang"
)
st.sidebar.title(t("page_title", lang))


def kept(widget, name: str, *args, default=None, container=st.sidebar, **kwargs):
    """A sidebar widget whose value survives a language switch.

    Labels and option texts change with the language, which makes Streamlit see a new widget;
    the value is kept in ``st.session_state["kept_" + name]`` and given back to the new one.
    """
    store = f"kept_{name}"
    if widget == "selectbox":
        options = list(args[1])
        current = st.session_state.get(store, default)
        value = container.selectbox(
            *args, index=options.index(current) if current in options else 0,
            key=f"{name}_{lang}", **kwargs,
        )
    else:
        value = container.number_input(
            *args, value=st.session_state.get(store, default), key=f"{name}_{lang}", **kwargs
        )
    st.session_state[store] = value
    return value


try:
    options = province_options()
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()
names = dict(options)
code = kept("selectbox", "province", t("province_pick", lang), [c for c, _ in options],
            format_func=names.get, default=PROVINCES_WITH_DATA[0])

try:
    with st.spinner(t("building", lang)):
        data = load_province(code)
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()

district_table = (
    data.communes.dropna(subset=["district_code"]).drop_duplicates("district_code")
    .sort_values("district")
)
district_names = dict(zip(district_table["district_code"], district_table["district"],
                          strict=True))
district = kept(
    "selectbox", f"district_{code}", t("district_pick", lang), [None, *district_names],
    format_func=lambda c: t("whole_province", lang) if c is None else district_names[c],
)
year = kept(
    "selectbox", "year", t("year_pick", lang), YEARS,
    format_func=lambda y: t("all_years", lang) if y is None else str(y),
)

st.sidebar.markdown(f"**{t('radius_header', lang)}**")
radius_cols = st.sidebar.columns(2)
radii = tuple(
    (
        tech,
        kept(
            "number_input", f"radius_{tech}", t("radius_label", lang, tech=tech),
            container=radius_cols[i % 2], default=float(DEFAULT_RADII_M[tech]) / 1000,
            min_value=0.1, max_value=50.0, step=0.5, format="%.1f",
        ) * 1000,
    )
    for i, tech in enumerate(TECHNOLOGIES)
)
sharing_distance = kept(
    "number_input", "sharing_distance", t("sharing_distance", lang), default=30.0,
    min_value=0.0, max_value=500.0, step=5.0, format="%.0f",
)

# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------

model_key = (code, year, radii, float(sharing_distance))
try:
    with st.spinner(t("building", lang)):
        model = load_model(*model_key)
        result = load_indicators(model, model_key, district, year)
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()

scope = f"{district_names[district]}, {data.province}" if district else data.province
st.title(f"{t('page_title', lang)}: {scope}")

has_sites = len(model.sites) > 0
synthetic_layers = maps.synthetic_layers(model)
register_note = data.register.note_vi if lang == "vi" else data.register.note_en
if synthetic_layers:
    label = demo.LABEL_VI if lang == "vi" else demo.LABEL_EN
    what = ", ".join(t(f"layer_{n}", lang) for n in synthetic_layers)
    st.warning(f"**{label}**: {what}.  \n{register_note}", icon="⚠️")
else:
    st.info(register_note, icon="ℹ️")
if not has_sites:
    st.info(t("no_sites", lang))

# ---------------------------------------------------------------------------------------------
# Map
# ---------------------------------------------------------------------------------------------

fmap = maps.build_map(model, lang=lang, district_code=district, collapsed_layers=True)
st_folium(fmap, key="coverage_map", returned_objects=[], height=700, use_container_width=True)
st.caption(f"{t('attribution', lang)}: {registry.attribution()}")

# ---------------------------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------------------------

st.header(t("indicators_header", lang))
rows = tables.indicator_rows(result, lang, sharing_distance_m=model.sharing_distance_m)
plan_rows = [r for r in rows if r["target"] is not None]
tool_rows = {r["key"]: r for r in rows if r["target"] is None}
badge = {"yes": ":green[●]", "partial": ":orange[●]", "no": ":red[●]"}

cols = st.columns(max(len(plan_rows), 1))
for col, r in zip(cols, plan_rows, strict=False):
    met = "" if r["met"] is None else (f" · {t('met', lang)}" if r["met"] else
                                      f" · {t('not_met', lang)}")
    col.metric(
        f"{badge.get(r['comparable'], '')} {tables.indicator_label(r['key'], lang)}",
        r["actual_text"],
        delta=f"{t('target_year', lang, year=result['target_year'])}: {r['target_text']}{met}",
        delta_color="off",
        delta_arrow="off",
        help=(
            f"**{r['indicator']}** ({r['source']})\n\n"
            f"{t('comparable', lang)}: {r['comparable_text']}\n\n"
            f"{t('definition', lang)}: {r['definition']}"
        ),
        border=True,
    )
if not plan_rows:
    st.caption(t("no_target", lang))

st.caption(
    f"{badge['yes']} {t('comparable_yes', lang)} · {badge['partial']} "
    f"{t('comparable_partial', lang)} · {badge['no']} {t('comparable_no', lang)} "
    f"({t('comparable', lang).lower()})"
)

summary = [k for k in ("villages", "total_not_spots", "partial_not_spots", "sites",
                       "physical_sites", "population_covered_share")
           if k in tool_rows and (has_sites or k in ("villages", "sites"))]
for start in range(0, len(summary), 3):
    cols = st.columns(3)
    for col, k in zip(cols, summary[start:start + 3], strict=False):
        r = tool_rows[k]
        col.metric(r["indicator"], r["actual_text"], help=r["definition"] or None)

st.caption(
    f"**{t('site_sharing_rate', lang)}**: "
    + SITE_SHARING_DEFINITION[lang].format(distance=model.sharing_distance_m)
)
with st.expander(f"{t('comparable', lang)} · {t('why', lang)} · {t('definition', lang)}"):
    for r in plan_rows:
        st.markdown(
            f"{badge.get(r['comparable'], '')} **{r['indicator']}** ({r['source']}): "
            f"{r['comparable_text']}"
        )
    st.caption(t("coverage_model_note", lang))

headers = tables.header_row(result, lang)
st.dataframe(
    [
        {headers[0]: r["stt"], headers[1]: r["indicator"], headers[2]: r["unit"],
         headers[3]: r["actual_text"], headers[4]: r["target_text"],
         headers[5]: r["comparable_text"], headers[6]: r["source"]}
        for r in rows
    ],
    hide_index=True,
    width="stretch",
    column_config={headers[1]: st.column_config.TextColumn(width="large"),
                   headers[5]: st.column_config.TextColumn(width="large")},
)

# ---------------------------------------------------------------------------------------------
# Unserved villages and disagreements
# ---------------------------------------------------------------------------------------------

st.header(t("unserved_header", lang))
unserved = tables.unserved_table(model, lang, district_code=district)
if model.declared is None:
    st.info(t("no_declared_list", lang))
else:
    st.dataframe(unserved, hide_index=True, width="stretch")
    dis = tables.disagreements(model, lang, district_code=district)
    with st.expander(f"{t('disagreements_header', lang)} ({fmt_number(len(dis), lang)})"):
        st.dataframe(dis, hide_index=True, width="stretch")

# ---------------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------------

st.header(t("downloads_header", lang))
stem = f"{code}_{year or 'all'}"
cols = st.columns(len(DOWNLOAD_LAYERS) + 1)
for col, name in zip(cols, DOWNLOAD_LAYERS, strict=False):
    col.markdown(f"**{t(f'layer_{name}', lang)}**")
    for ext, (fmt_name, mime) in DOWNLOAD_FORMATS.items():
        col.download_button(
            fmt_name,
            data=functools.partial(layer_file, model, model_key, name, ext),
            file_name=f"{name}_{stem}{ext}",
            mime=mime,
            key=f"dl_{name}_{ext}",
            on_click="ignore",
        )
last = cols[-1]
last.markdown(f"**{t('indicators', lang)} / {t('map_header', lang)}**")
last.download_button(
    t("download_indicators", lang),
    data=functools.partial(indicators_file, result, lang, model.sharing_distance_m),
    file_name=f"chi_tieu_{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="dl_xlsx",
    on_click="ignore",
)
last.download_button(
    t("download_map", lang),
    data=functools.partial(map_page, model, model_key, lang, district),
    file_name=f"ban_do_{stem}.html",
    mime="text/html",
    key="dl_map",
    on_click="ignore",
)
