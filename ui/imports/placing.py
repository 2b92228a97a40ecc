"""Placing a village located only at its commune: a map to click, or coordinates to type."""

from __future__ import annotations

import dataclasses

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import imports, placements
from geo.auth import PermissionDeniedError
from geo.errors import InputError, Problem
from geo.readers import coords
from layers.i18n import t
from layers.maps import escape_html
from ui import account as account_ui
from ui.imports.common import _STATE, _fmt_deg, _kept, _vn_time, md, planner_name, tr
from ui.imports.history import _placements_table


def _dot(m: folium.Map, lat: float, lon: float, color: str, tip: str, radius: int = 6) -> None:
    """A circle marker (vector: no icon files to fetch) with an escaped tooltip."""
    folium.CircleMarker(
        [float(lat), float(lon)],
        radius=radius,
        color=color,
        weight=2,
        fill=True,
        fill_color=color,
        fill_opacity=0.8,
        tooltip=escape_html(tip),  # also { } ` $ \: the text sits in a JS template literal
    ).add_to(m)


def _place_section(lang: str, code: str, data, store: imports.Store, scope) -> None:
    """Place the villages located only at their commune: pick one, click the map or type the
    coordinates, save with the planner's name."""
    layers = imports.load_layers(store, code)
    if layers.villages is not None:
        # The register as imported: the grey dot is where a village was before it was placed.
        data = imports.apply_layers(data, dataclasses.replace(layers, placed=None), unserved=False)
    villages = data.villages
    todo = villages[villages["location_precision"] == "commune"]
    placed = placements.placements(store.path, code)
    st.caption(tr("place_intro", lang, n=len(todo), placed=len(placed)))
    if not len(todo) and not len(placed):
        st.info(tr("place_none", lang))
        return
    vid, by_id = _pick_village(lang, code, villages, todo, placed)
    v = by_id.loc[vid]
    latest = placed[placed["village_id"] == vid]
    _place_map(lang, data.communes, v, vid, latest)
    _place_form(lang, data, store, vid, latest, scope)
    _placements_table(lang, code, store)


def _pick_village(lang: str, code: str, villages, todo, placed):
    """The village to place (those still at their commune, and those placed already, in
    district, commune, village order), and the register by village id."""
    ids = list(dict.fromkeys([*todo["village_id"], *placed["village_id"]]))
    by_id = villages.drop_duplicates("village_id").set_index("village_id")
    ids = [i for i in ids if i in by_id.index]
    ids.sort(
        key=lambda i: (
            str(by_id.loc[i, "district"]),
            str(by_id.loc[i, "commune"]),
            str(by_id.loc[i, "village"]),
        )
    )
    done = set(placed["village_id"])

    def label(i):
        v = by_id.loc[i]
        mark = f" · ✓ {tr('place_placed', lang)}" if i in done else ""
        return f"{v['village']} — {v['commune']}, {v['district']}{mark}"

    vid = _kept(
        "selectbox",
        f"place_village_{code}",
        tr("place_village", lang),
        lang,
        ids,
        format_func=label,
    )
    return vid, by_id


def _place_map(lang: str, communes, v, vid: str, latest) -> None:
    """The map: the commune's outline, where the village is now, where it was placed, where
    the typed coordinates are; a click fills the coordinates."""
    poly = (
        communes[communes["gid_3"] == v["gid_3"]]
        if pd.notna(v.get("gid_3"))
        else communes[communes["commune_code"] == v["commune_code"]]
    )

    # The map: the commune's outline, where the village is now, where it was clicked.
    click_key = f"{_STATE}_click_{vid}"
    lon_key, lat_key = f"{_STATE}_lon_{vid}", f"{_STATE}_lat_{vid}"
    m = folium.Map(
        location=[v.geometry.y, v.geometry.x],
        zoom_start=12,
        tiles="OpenStreetMap",
        control_scale=True,
    )
    if len(poly):
        folium.GeoJson(
            poly[["geometry"]].to_json(),
            style_function=lambda _: {"color": "#1f4e79", "weight": 2, "fillOpacity": 0.05},
        ).add_to(m)
        minx, miny, maxx, maxy = poly.total_bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    _dot(m, v.geometry.y, v.geometry.x, "#777", str(v["village"]))
    if len(latest):
        p = latest.iloc[0]
        _dot(m, p["lat"], p["lon"], "#1f77b4", f"{v['village']} ({tr('place_placed', lang)})")
    typed = [st.session_state.get(lon_key), st.session_state.get(lat_key)]
    if all(typed):
        deg, bad, _ = coords.parse_degrees(pd.Series(typed, dtype=object))
        if not bad.any() and pd.notna(deg).all():
            _dot(m, deg[1], deg[0], "#d62728", tr("place_save", lang), radius=8)
    st.caption(tr("place_map_help", lang))
    out = st_folium(
        m,
        key=f"{_STATE}_map_{vid}",
        returned_objects=["last_clicked"],
        height=420,
        use_container_width=True,
    )
    click = (out or {}).get("last_clicked")
    if click and st.session_state.get(click_key) != click:
        st.session_state[click_key] = click
        st.session_state[lon_key] = _fmt_deg(click["lng"], lang)
        st.session_state[lat_key] = _fmt_deg(click["lat"], lang)
        st.rerun()


def _place_form(lang: str, data, store: imports.Store, vid: str, latest, scope) -> None:
    """The coordinates, the note and the save button (the planner's name from the sidebar);
    the result or every problem."""
    lon_key, lat_key = f"{_STATE}_lon_{vid}", f"{_STATE}_lat_{vid}"
    if len(latest):
        p = latest.iloc[0]
        st.caption(
            md(
                f"✓ {tr('place_placed', lang)}: {_fmt_deg(p['lat'], lang)}, "
                f"{_fmt_deg(p['lon'], lang)} — {p['who']}, {_vn_time(p['when'])}"
            )
        )
    c1, c2 = st.columns(2)
    lon = c1.text_input(tr("place_lon", lang), key=lon_key, help=tr("place_coord_help", lang))
    lat = c2.text_input(tr("place_lat", lang), key=lat_key, help=tr("place_coord_help", lang))
    note = st.text_input(
        tr("place_note", lang), key=f"{_STATE}_note_{vid}", max_chars=placements.MAX_NOTE
    )
    # Who places the village is the name given once in the sidebar.
    who = planner_name(scope)
    name_field = t("planner_name", lang)
    if who:
        st.caption(tr("place_who_is", lang, who=md(who), field=name_field))
    else:
        st.warning(tr("place_who_missing", lang, field=name_field), icon=":material/person:")
    if st.button(
        tr("place_save", lang), type="primary", key=f"{_STATE}_place_save", disabled=not who
    ):
        try:
            got = placements.place(
                store.path,
                vid,
                lon,
                lat,
                who,
                note,
                province=data,
                account=account_ui.current(),
            )
        except (InputError, PermissionDeniedError) as exc:
            items = exc.problems or [Problem(exc.message_vi, exc.message_en)]
            st.error(
                f"**{tr('place_failed', lang)}**  \n"
                + "  \n".join(
                    f"• {md(p.message_vi if lang == 'vi' else p.message_en)}" for p in items
                ),
                icon=":material/error:",
            )
        else:
            st.success(
                md(
                    tr(
                        "place_saved",
                        lang,
                        village=got.village,
                        lon=_fmt_deg(got.lon, lang),
                        lat=_fmt_deg(got.lat, lang),
                        who=got.who,
                        when=_vn_time(got.when),
                    )
                ),
                icon=":material/check_circle:",
            )
            warning = got.warning(lang)
            if warning:
                st.warning(md(warning), icon=":material/warning:")
