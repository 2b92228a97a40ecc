"""Bản đồ: the coverage map, the indicators, the unserved villages and the downloads.

Follows the sidebar's units: before 01/07/2025 (province → district) or from 01/07/2025
(province → commune, the new communes' boundaries built from the old ones). The register's
assignments are a layer of the map, and a village counts as served only when its assignment is
verified or when the coverage data says so (:func:`layers.tables.count_served`).
"""

from __future__ import annotations

import functools

import streamlit as st

from geo import assignments as asg
from geo import coverage, demo, finding, pipeline, registry, units2025
from geo.errors import CoverageError
from geo.sites import SITE_SHARING_DEFINITION
from layers import export, maps, print_map, tables
from layers.i18n import fmt_number, t
from ui import app_common, map_view

DOWNLOAD_LAYERS = ("villages", "communes", "sites", "unserved")
DOWNLOAD_FORMATS = {
    ".geojson": ("GeoJSON", "application/geo+json"),
    ".gpkg": ("GeoPackage", "application/geopackage+sqlite3"),
    ".kml": ("KML", "application/vnd.google-earth.kml+xml"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False, max_entries=16)
def map_page(_model: pipeline.Model, key: tuple, lang: str, district: str | None, unit_sys: str,
             commune_2025: str | None) -> str:
    """The standalone map page (download)."""
    return maps.standalone_html(_model, lang, district_code=district, units=unit_sys,
                                commune_2025_code=commune_2025)


@st.cache_data(show_spinner=False, max_entries=32)
def layer_file(_model: pipeline.Model, key: tuple, unit_sys: str, name: str, ext: str) -> bytes:
    """One layer of the model as a file, in the chosen units."""
    frame = (units2025.layer_2025(_model, name) if unit_sys == "2025"
             else pipeline.layer(_model, name))
    return export.layer_bytes(frame, ext, layer=name)


@st.cache_data(show_spinner=False, max_entries=16)
def indicators_file(result: dict, lang: str, sharing_distance_m: float) -> bytes:
    """The indicators as xlsx (Phụ lục 1 layout)."""
    return tables.indicators_xlsx(result, lang, sharing_distance_m=sharing_distance_m)


@st.cache_data(show_spinner=False, max_entries=8)
def crosswalk_file(_model: pipeline.Model, key: tuple, ext: str, lang: str = "vi") -> bytes:
    """Old commune → new commune, weighted by villages (.xlsx with the unresolved villages, or
    .csv)."""
    status = units2025.context(_model).status
    table = units2025.crosswalk(status)
    if ext == ".csv":
        return tables.crosswalk_csv(table)
    return units2025.crosswalk_xlsx(table, units2025.unresolved_villages(status), lang=lang)


scope = app_common.current_scope()
lang = scope.lang

try:
    with st.spinner(t("building", lang)):
        model = app_common.model_for(scope)
        result = app_common.indicators_for(scope, model)
        status = app_common.scoped_status(scope, model)
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()

try:
    assignments = app_common.assignments_for(scope, status)
except CoverageError as exc:
    st.warning(f"{t('register_unreadable', lang)}: {exc.message(lang)}")
    assignments = app_common.empty_assignments()
result = tables.count_served(result, status, assignments)

md = app_common.md
st.title(f"{t('page_title', lang)}: {md(scope.place)}")
if scope.units == "2025":
    notes = [t("units_2025_long", lang)]
    if not result.get("complete", True):
        notes.append(t("incomplete_2025", lang, have=", ".join(scope.codes),
                       all=", ".join(result.get("provinces_pre2025", []))))
    if result.get("population_unallocated"):
        notes.append(t("population_unallocated", lang,
                       n=fmt_number(result["population_unallocated"], lang)))
    st.caption(" · ".join(notes))

has_sites = len(model.sites) > 0
synthetic_layers = maps.synthetic_layers(model)
register_note = model.data.register.note_vi if lang == "vi" else model.data.register.note_en
if synthetic_layers:
    label = demo.LABEL_VI if lang == "vi" else demo.LABEL_EN
    what = ", ".join(t(f"layer_{n}", lang) for n in synthetic_layers)
    st.warning(f"**{label}**: {what}.  \n{md(register_note)}", icon="⚠️")
else:
    st.info(md(register_note), icon="ℹ️")
if not has_sites:
    st.info(t("no_sites", lang))

# ---------------------------------------------------------------------------------------------
# Map
# ---------------------------------------------------------------------------------------------

declared_cov = model.declared_coverage
assignments_gdf = asg.to_geodataframe(assignments) if len(assignments) else None

# Finding: search a village (no diacritics, part of a name, commune code), filter the map.
search_col, pick_col = st.columns([2, 3])
query = search_col.text_input(t("map.search", lang), key="map_search",
                              help=t("map.search_help", lang))
found = finding.search_villages(status, query)
picked = None
if query.strip() and not len(found):
    pick_col.info(t("map.search_none", lang, query=query.strip()))
elif len(found):
    labels = {
        r.village_id: f"{r.village} — {r.commune} ({t(f'map.match.{r.match}', lang)})"
        for r in found.itertuples()
    }
    picked = pick_col.selectbox(t("map.search_pick", lang, n=fmt_number(len(found), lang)),
                                list(labels), format_func=labels.get, key="map_search_pick")
statuses = ([s for s in asg.STATUSES if s in set(assignments["status"])]
            if len(assignments) else [])
flt = map_view.filter_widgets(lang, has_sites=len(model.sites) > 0, statuses=statuses)
shown = finding.village_mask(status, flt, assignments)
sites_shown = finding.site_mask(model.sites, flt)
shown_ids = set(status.loc[shown, "village_id"]) if flt.active else None

groups = [maps.filter_layer(
    None if shown_ids is None else sorted(shown_ids),
    None if not flt.active else sites_shown.to_numpy().nonzero()[0].tolist(),
)]
center = zoom = None
if picked is not None:
    ring = maps.selection_layer(status, picked)
    if ring is not None:
        groups.append(ring)
        point = status.loc[status["village_id"] == picked].geometry.iloc[0]
        center, zoom = (point.y, point.x), 14
map_view.show(map_view.drawn_map(model, scope, assignments_gdf), key="coverage_map",
              groups=groups, center=center, zoom=zoom, height=700)
if flt.active:
    st.info(map_view.filtered_note(lang, flt, int(shown.sum()), len(status),
                                   int(sites_shown.sum()), len(model.sites)), icon="🔎")
st.caption(f"{t('attribution', lang)}: {registry.attribution()}")
if declared_cov is not None and len(declared_cov):
    cmp = coverage.compare_declared(
        coverage.operator_coverage(model.status, model.sites, radii=model.radii),
        coverage.declared_coverage(model.status, declared_cov),
    )
    with st.expander(
        ("Vùng phủ sóng doanh nghiệp công bố so với mô hình" if lang == "vi"
         else "Declared coverage compared with the model") + f" ({len(cmp)})"
    ):
        names = model.status["village"].astype(str)
        shown = cmp.assign(village=cmp["village"].map(names))
        st.dataframe(shown, hide_index=True, width="stretch")

# ---------------------------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------------------------

st.header(t("indicators_header", lang))
if flt.active:
    st.caption(map_view.filtered_note(lang, flt, int(shown.sum()), len(status),
                                      int(sites_shown.sum()), len(model.sites)))
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
            f"**{md(r['indicator'])}** ({md(r['source'])})\n\n"
            f"{t('comparable', lang)}: {md(r['comparable_text'])}\n\n"
            f"{t('definition', lang)}: {md(r['definition'])}"
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
        col.metric(md(r["indicator"]), r["actual_text"], help=md(r["definition"]) or None)

served_bits = [f"**{t('villages_served_share', lang)}**: {t('served_definition', lang)}"]
if result.get("villages_verified_only"):
    served_bits.append(t("served_verified_only", lang,
                         n=fmt_number(result["villages_verified_only"], lang)))
st.caption(" ".join(served_bits))
st.caption(
    f"**{t('site_sharing_rate', lang)}**: "
    + SITE_SHARING_DEFINITION[lang].format(distance=model.sharing_distance_m)
)
with st.expander(f"{t('comparable', lang)} · {t('why', lang)} · {t('definition', lang)}"):
    for r in plan_rows:
        st.markdown(
            f"{badge.get(r['comparable'], '')} **{md(r['indicator'])}** ({md(r['source'])}): "
            f"{md(r['comparable_text'])}"
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
# Summary per district (per new commune in the 2025 units), filtered as the map
# ---------------------------------------------------------------------------------------------

st.header(t("map.summary_header_2025" if scope.units == "2025" else "map.summary_header", lang))
if flt.active:
    st.caption(map_view.filtered_note(lang, flt, int(shown.sum()), len(status),
                                      int(sites_shown.sum()), len(model.sites)))
st.dataframe(tables.area_summary(status[shown], lang, units=scope.units, has_sites=has_sites),
             hide_index=True, width="stretch")
if synthetic_layers:
    st.caption(t("map.summary.synthetic", lang))

# ---------------------------------------------------------------------------------------------
# Unserved villages and disagreements
# ---------------------------------------------------------------------------------------------

st.header(t("unserved_header", lang))
where = {"district_code": scope.district, "units": scope.units,
         "commune_2025_code": scope.commune_2025}
if model.declared is None:
    st.info(t("no_declared_list", lang))
else:
    st.dataframe(tables.unserved_table(model, lang, **where, village_ids=shown_ids),
                 hide_index=True, width="stretch")
    dis = tables.disagreements(model, lang, **where)
    with st.expander(f"{t('disagreements_header', lang)} ({fmt_number(len(dis), lang)})"):
        st.dataframe(dis, hide_index=True, width="stretch")
reg_dis = tables.register_disagreements(status, assignments, lang, units=scope.units)
with st.expander(
    f"{t('register_disagreements_header', lang)} ({fmt_number(len(reg_dis), lang)})"
):
    st.caption(t("served_definition", lang))
    st.dataframe(reg_dis, hide_index=True, width="stretch")

# ---------------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------------

st.header(t("downloads_header", lang))
key = scope.model_key
stem = scope.stem
cols = st.columns(len(DOWNLOAD_LAYERS) + 1)
for col, name in zip(cols, DOWNLOAD_LAYERS, strict=False):
    col.markdown(f"**{t(f'layer_{name}', lang)}**")
    for ext, (fmt_name, mime) in DOWNLOAD_FORMATS.items():
        col.download_button(
            fmt_name,
            data=functools.partial(layer_file, model, key, scope.units, name, ext),
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
    mime=XLSX,
    key="dl_xlsx",
    on_click="ignore",
)
last.download_button(
    t("download_map", lang),
    data=functools.partial(map_page, model, key, lang, scope.district, scope.units,
                           scope.commune_2025),
    file_name=f"ban_do_{stem}.html",
    mime="text/html",
    key="dl_map",
    on_click="ignore",
)
# The printable map (layers.print_map): made only when the button is pressed.
paper = last.selectbox(print_map.print_label("paper", lang), print_map.PAPERS_MM, key="print_paper")
orientation = last.radio(print_map.print_label("orientation", lang), print_map.ORIENTATIONS,
                         format_func=lambda o: print_map.print_label(o, lang),
                         key="print_orientation", horizontal=True)
last.download_button(
    print_map.print_label("download", lang),
    data=functools.partial(
        print_map.print_map, model, paper=paper, orientation=orientation, fmt="pdf", lang=lang,
        district_code=scope.district, units=scope.units, commune_2025_code=scope.commune_2025,
        assignments=asg.to_geodataframe(assignments) if len(assignments) else None,
    ),
    file_name=f"ban_do_in_{stem}_{paper}.pdf",
    mime="application/pdf",
    key="dl_print_pdf",
    on_click="ignore",
)
if scope.units == "2025":
    last.markdown(f"**{t('crosswalk_header', lang)}**")
    last.download_button(
        t("download_crosswalk_xlsx", lang),
        data=functools.partial(crosswalk_file, model, key, ".xlsx", lang),
        file_name=f"chuyen_doi_xa_{scope.province_code}.xlsx",
        mime=XLSX,
        key="dl_crosswalk_xlsx",
        on_click="ignore",
    )
    last.download_button(
        t("download_crosswalk_csv", lang),
        data=functools.partial(crosswalk_file, model, key, ".csv"),
        file_name=f"chuyen_doi_xa_{scope.province_code}.csv",
        mime="text/csv",
        key="dl_crosswalk_csv",
        on_click="ignore",
    )
