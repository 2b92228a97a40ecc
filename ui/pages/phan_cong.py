"""Phân công: which operator must serve each unserved village, and how far it got.

The planner gives a name (sidebar) and works on the register (:mod:`geo.assignments`, one SQLite
file: :func:`geo.assignments.default_path`, ``$COVERAGE_ASSIGNMENTS_DB`` overrides it). A village
is picked on the map (its id is the last line of every village tooltip) or in the unserved table
(several at once); the tool proposes an operator with its reason and the planner accepts or
overrides it. Status changes, edits and undo write with the version the planner saw: a change
made meanwhile by someone else is refused with the current value (optimistic locking).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import assignments as asg
from geo import plans, province, units2025
from geo.auth import Action
from geo.errors import CoverageError
from geo.operators import OPERATOR_DISPLAY, OPERATORS
from layers import export, maps, tables
from layers.assignments_xlsx import phu_luc_2_xlsx
from layers.i18n import fmt_date, fmt_number, fmt_percent, t
from ui import account as account_ui
from ui import app_common

MAP_KEY = "assign_map"
TIP_ID = re.compile(r"(?:Mã thôn/bản|Village ID):\s*(\S+)\s*$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------
# State between reruns: the selected village, the version shown, messages
# ---------------------------------------------------------------------------------------------


def _select(village_id: str | None) -> None:
    st.session_state["selected_village"] = village_id


def _flash(kind: str, text: str, current: dict | None = None) -> None:
    st.session_state.setdefault("_flash", []).append((kind, text, current))


def _shown_version(village_id: str) -> int:
    """The version of the village's assignment the planner saw (0: no assignment)."""
    return int(st.session_state.get("_shown_versions", {}).get(village_id, 0))


def _village_row(village_id: str) -> pd.Series | None:
    scope = app_common.current_scope()
    model = app_common.model_for(scope)
    s = units2025.context(model).status if scope.units == "2025" else model.status
    hit = s[s["village_id"] == village_id]
    return None if hit.empty else hit.iloc[0]


def _session() -> asg.Session | None:
    return app_common.planner_session(app_common.current_scope().account)


def _write(action, village_id: str, lang: str):
    """Run a write; a version conflict or a refused change becomes a message."""
    try:
        return action()
    except asg.StaleWriteError as exc:
        _flash("conflict", exc.message(lang), exc.current)
    except asg.RegisterRestoredError as exc:
        _restored(exc, lang)
    except CoverageError as exc:
        _flash("error", exc.message(lang))
    return None


def _restored(exc: asg.RegisterRestoredError, lang: str) -> None:
    """A backup that does not know this planner's session replaced the register: the next run
    opens a new session (restore keeps the sessions it can, so this is rare)."""
    st.session_state.pop("_planner_session", None)
    _flash("error", exc.message(lang))


# ---------------------------------------------------------------------------------------------
# Callbacks (run before the page, with the values of the last render)
# ---------------------------------------------------------------------------------------------


def _do_import(plan_id: str, lang: str) -> None:
    scope = app_common.current_scope()
    session = _session()
    if session is None:
        return
    data = app_common.load_province(scope.codes[0])
    for code in scope.codes:
        if plan_id in province.UNSERVED_PLANS.get(code, []):
            data = app_common.load_province(code)
    table = plans.load_unserved(plan_id)
    source = f"{table['document'].iloc[0]} {table['appendix'].iloc[0]}"
    try:
        report = asg.import_table(session, table, data, source=source)
    except asg.RegisterRestoredError as exc:
        _restored(exc, lang)
        return
    except CoverageError as exc:
        _flash("error", exc.message(lang))
        return
    _flash("success", t("imported", lang, summary=report.summary(lang)))


def _do_assign(village_id: str, lang: str, proposed: str | None, reason: str | None) -> None:
    session = _session()
    row = _village_row(village_id)
    if session is None or row is None:
        return
    ss = st.session_state
    operator = ss[f"op_{village_id}"]
    note = ss.get(f"note_{village_id}", "")

    def go():
        return asg.assign(
            session, row, operator, expected_version=_shown_version(village_id),
            target_year=ss.get(f"ty_{village_id}"), decision=ss.get(f"dec_{village_id}", ""),
            decision_date=ss.get(f"decd_{village_id}"), note=note,
            proposed_operator=proposed, proposal_reason=reason, source="app",
        )

    if _write(go, village_id, lang) is not None:
        which = (
            t("follows_proposal", lang) if proposed == operator
            else t("overrides_proposal", lang, operator=proposed) if proposed else ""
        )
        text = t("assigned_ok", lang, village=row["village"],
                 operator=OPERATOR_DISPLAY.get(operator, operator))
        _flash("success", f"{text} ({which})." if which else f"{text}.")


def _do_status(village_id: str, lang: str, village: str) -> None:
    session = _session()
    if session is None:
        return
    ss = st.session_state
    status, on = ss[f"st_{village_id}"], ss.get(f"ston_{village_id}")

    def go():
        return asg.set_status(session, village_id, status,
                              expected_version=_shown_version(village_id), on=on)

    if _write(go, village_id, lang) is not None:
        _flash("success", t("status_changed", lang, village=village,
                            status=asg.STATUS_LABELS[status][lang], date=fmt_date(on, lang)))


def _do_edit(village_id: str, lang: str, village: str, before: dict) -> None:
    session = _session()
    if session is None:
        return
    ss = st.session_state
    new = {
        "operator": ss.get(f"eop_{village_id}", before["operator"]),
        "target_year": ss.get(f"ety_{village_id}"),
        "decision": ss.get(f"edec_{village_id}", ""),
        "decision_date": ss.get(f"edecd_{village_id}"),
        "note": ss.get(f"enote_{village_id}", ""),
    }
    old_date = dt.date.fromisoformat(before["decision_date"]) if before["decision_date"] else None
    old = {"operator": before["operator"], "target_year": before["target_year"],
           "decision": before["decision"] or "", "decision_date": old_date,
           "note": before["note"] or ""}
    changes = {k: v for k, v in new.items() if v != old[k]}
    if not changes:
        return

    def go():
        return asg.edit(session, village_id, expected_version=_shown_version(village_id),
                        **changes)

    if _write(go, village_id, lang) is not None:
        _flash("success", t("edited", lang, village=village))


def _do_undo(village_id: str, lang: str, village: str) -> None:
    session = _session()
    if session is None:
        return

    def go():
        asg.undo_last(session, village_id, expected_version=_shown_version(village_id))
        return True

    if _write(go, village_id, lang) is not None:
        _flash("success", t("undone", lang, village=village))


def _do_assign_many(ids: list[str], lang: str) -> None:
    scope = app_common.current_scope()
    session = _session()
    if session is None or not ids:
        return
    model = app_common.model_for(scope)
    status = units2025.context(model).status if scope.units == "2025" else model.status
    prop = app_common.proposals_for(scope, model).drop_duplicates("village_id")
    prop = prop.set_index("village_id")
    rows = status[status["village_id"].isin(ids)].drop_duplicates("village_id").copy()
    ss = st.session_state
    choice = ss["many_op"]
    rows["proposed_operator"] = rows["village_id"].map(prop["proposed_operator"])
    rows["proposal_reason"] = rows["village_id"].map(prop["reason_vi"])
    rows["operator"] = rows["proposed_operator"] if choice == "__proposal__" else choice
    without = rows["operator"].isna()
    rows = rows[~without]
    if not len(rows):
        _flash("error", t("no_proposal", lang))
        return
    rows["target_year"] = ss.get("many_ty")
    rows["decision"] = ss.get("many_dec", "")
    rows["decision_date"] = ss.get("many_decd")
    rows["note"] = ss.get("many_note", "")
    rows["source"] = "app"
    try:
        report = asg.assign_many(session, rows, action="assign")
    except asg.RegisterRestoredError as exc:
        _restored(exc, lang)
        return
    except CoverageError as exc:
        _flash("error", exc.message(lang))
        return
    skipped = len(report.unchanged) + len(report.conflicts) + int(without.sum())
    _flash("success", t("assign_many_done", lang, added=report.added, skipped=skipped))


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

scope = app_common.current_scope()
lang = scope.lang
try:
    with st.spinner(t("building", lang)):
        model = app_common.model_for(scope)
        status = app_common.scoped_status(scope, model)
        proposals = app_common.proposals_for(scope, model)
    conn = app_common.register_conn()
    assignments = app_common.assignments_for(scope, status)
    session = app_common.planner_session(scope.account)
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()
all_status = units2025.context(model).status if scope.units == "2025" else model.status
pairs = tables.commune_pairs(assignments, lang, all_status) if scope.units == "2025" else None
decision, decision_date, plan_id = app_common.decision_default(scope.codes)
# A new assignment is due by the plan's last year, and never before this year.
default_year = max(asg.plan_end_year(decision) or 0, dt.date.today().year)

md = app_common.md


def _card(facts: list[tuple[str, str]]) -> None:
    st.markdown("  \n".join(f"{md(label)}: **{md(value)}**" for label, value in facts))


st.title(f"{t('page_assignments', lang)}: {md(scope.place)}")
where = t("units_2025_long", lang) if scope.units == "2025" else t("units_pre2025_long", lang)
st.caption(f"{t('register_file', lang)}: {md(asg.default_path())} · {where}")
st.caption(f"✍️ {md(t('planner_session', lang, name=session.user))}")
# Buttons the account could not use are disabled; geo refuses the write anyway.
can_write = any(
    account_ui.may(scope.account, Action.ASSIGN, province_code=c) for c in scope.codes
)

for kind, text, current in st.session_state.pop("_flash", []):
    if kind == "success":
        st.success(md(text))
    elif kind == "conflict":
        with st.container(border=True):
            st.error(f"**{t('conflict', lang)}** {md(text)}")
            if current:
                st.markdown(f"**{t('conflict_current', lang)}** ({md(current['village'])})")
                _card(tables.assignment_facts(current, lang))
    else:
        st.error(md(text))

# Starting content: the plan's Phụ lục 2.
if plan_id in plans.UNSERVED_FILES:
    registered = sum(len(asg.current(conn, province_code=c)) for c in scope.codes)
    if registered == 0:
        n = len(plans.load_unserved(plan_id))
        st.info(md(t("register_empty_import", lang, province=scope.province, n=n, doc=decision)))
        st.button(md(t("import_phu_luc_2", lang, doc=decision)), on_click=_do_import,
                  args=(plan_id, lang), disabled=not can_write, key="import_pl2")

# Figures of the register.
open_ = assignments[assignments["status"] != "cancelled"]
late = asg.is_overdue(assignments) if len(assignments) else []
figures = (
    ("assignments_metrics_total", len(open_)),
    ("assignments_metrics_owed", int(assignments["status"].isin(asg.OWED_STATUSES).sum())),
    ("assignments_metrics_on_air", int((assignments["status"] == "on_air").sum())),
    ("assignments_metrics_verified", int((assignments["status"] == "verified").sum())),
    ("assignments_metrics_overdue", int(sum(late))),
)
for col, (key, value) in zip(st.columns(len(figures)), figures, strict=True):
    col.metric(t(key, lang), fmt_number(value, lang), border=True)
# Villages served (verified, or covered by the data): updated by the changes only.
served = app_common.served_index(scope, status, assignments)
st.caption(t("national.villages_served", lang, n=fmt_number(served.n_served, lang),
             total=fmt_number(served.n, lang), share=fmt_percent(served.served_share(), lang)))

# A click on the map selects a village (read before drawing, so the map marks it).
clicked = (st.session_state.get(MAP_KEY) or {}).get("last_object_clicked_tooltip")
if clicked and clicked != st.session_state.get("_last_tip"):
    st.session_state["_last_tip"] = clicked
    found = TIP_ID.search(clicked)
    if found:
        _select(found.group(1))
selected = st.session_state.get("selected_village")

left, right = st.columns([5, 3], gap="medium")
with left:
    fmap = maps.build_map(
        model, lang=lang, district_code=scope.district, units=scope.units,
        commune_2025_code=scope.commune_2025, collapsed_layers=True,
        assignments=asg.to_geodataframe(assignments) if len(assignments) else None,
        village_ids=True, legend_open=False,
    )
    # The selection is drawn without reloading the map (it keeps the planner's view), and the
    # map pans to a village picked in a table.
    ring = maps.selection_layer(all_status, selected)
    point = all_status.loc[all_status["village_id"] == selected].geometry
    center = (point.iloc[0].y, point.iloc[0].x) if selected and len(point) else None
    st_folium(fmap, key=MAP_KEY, returned_objects=["last_object_clicked_tooltip"], height=620,
              use_container_width=True, feature_group_to_add=ring, center=center)
    st.caption(t("click_village_hint", lang))

with right:
    st.subheader(t("village_panel", lang))
    row = all_status[all_status["village_id"] == selected] if selected else all_status.iloc[:0]
    current = asg.get(conn, selected) if selected else None
    if not selected or (row.empty and current is None):
        st.info(t("click_village_hint", lang))
    else:
        info = row.iloc[0] if len(row) else pd.Series(current)
        name = str(info["village"])
        st.markdown(f"#### {md(name)}")
        if scope.units == "2025" and len(row):
            place = str(tables.commune_pairs(row, lang, row).iloc[0])
        else:
            place = ", ".join(str(x) for x in (info.get("commune"), info.get("district")) if x)
        st.markdown(md(place))
        lines = []
        if len(row) and "gap_class" in row:
            covering = [OPERATOR_DISPLAY[o] for o in OPERATORS if o in row and bool(info[o])]
            gap = info["gap_class"] if len(model.sites) else "nosites"
            lines.append(f"{t('gap_class_short', lang)}: **{t(f'gap_{gap}', lang)}**"
                         + (f" ({md(', '.join(covering))})" if covering else ""))
            if bool(info.get("declared_unserved")):
                lines.append(f"{t('unserved_declared', lang)}: "
                             f"**{md(OPERATOR_DISPLAY.get(info['declared_operator'], ''))}**")
            if info.get("location_precision") == "commune":
                lines.append(f"_{t('location_commune_note', lang)}_")
        lines.append(f"{t('village_id', lang)}: {md(selected)}")
        st.markdown("  \n".join(lines))

        prop = proposals[proposals["village_id"] == selected]
        proposed = prop["proposed_operator"].iloc[0] if len(prop) else None
        reason = prop[f"reason_{lang}"].iloc[0] if len(prop) else None
        st.markdown(f"**{t('proposal', lang)}**: {md(reason or t('no_proposal', lang))}")

        version = 0 if current is None else int(current["version"])
        if current is None or current["status"] == "cancelled":
            if current is not None:
                st.caption(f"{t('status', lang)}: {asg.STATUS_LABELS['cancelled'][lang]}")
            default_op = proposed or (info.get("declared_operator") or None) or OPERATORS[0]
            with st.form(f"assign_form_{selected}", border=True):
                st.selectbox(t("assigned_operator", lang), OPERATORS,
                             index=OPERATORS.index(default_op) if default_op in OPERATORS else 0,
                             format_func=lambda o: OPERATOR_DISPLAY.get(o, o),
                             key=f"op_{selected}")
                c1, c2 = st.columns(2)
                c1.number_input(t("target_year_short", lang), 2000, 2100, int(default_year), 1,
                                key=f"ty_{selected}")
                c2.text_input(t("decision_number", lang), decision, key=f"dec_{selected}")
                c1.date_input(t("decision_date", lang), decision_date, format="DD/MM/YYYY",
                              key=f"decd_{selected}")
                st.text_input(t("note", lang), "", key=f"note_{selected}")
                st.form_submit_button(
                    t("assign_button", lang), type="primary", disabled=not can_write,
                    on_click=_do_assign,
                    args=(selected, lang, proposed, prop["reason_vi"].iloc[0] if len(prop) else None),
                )
        else:
            st.markdown(f"**{t('current_assignment', lang)}**")
            _card(tables.assignment_facts(current, lang))
            nxt = asg.TRANSITIONS[current["status"]]
            if nxt:
                with st.form(f"status_form_{selected}", border=True):
                    st.markdown(f"**{t('change_status', lang)}**")
                    c1, c2 = st.columns(2)
                    c1.selectbox(t("status_new", lang), nxt,
                                 format_func=lambda s: asg.STATUS_LABELS[s][lang],
                                 key=f"st_{selected}")
                    c2.date_input(t("status_on", lang), dt.date.today(),
                                  max_value=dt.date.today(), format="DD/MM/YYYY",
                                  key=f"ston_{selected}")
                    st.form_submit_button(t("status_button", lang), type="primary",
                                          disabled=not can_write, on_click=_do_status,
                                          args=(selected, lang, name))
            else:
                st.caption(t("status_final", lang))
            with (
                st.expander(t("edit_header", lang)),
                st.form(f"edit_form_{selected}", border=False),
            ):
                locked = current["status"] != "assigned"
                st.selectbox(t("assigned_operator", lang), OPERATORS,
                             index=OPERATORS.index(current["operator"]),
                             format_func=lambda o: OPERATOR_DISPLAY.get(o, o),
                             disabled=locked, key=f"eop_{selected}",
                             help=t("operator_locked", lang) if locked else None)
                c1, c2 = st.columns(2)
                c1.number_input(t("target_year_short", lang), 2000, 2100,
                                int(current["target_year"] or default_year), 1,
                                key=f"ety_{selected}")
                c2.text_input(t("decision_number", lang), current["decision"] or "",
                              key=f"edec_{selected}")
                c1.date_input(
                    t("decision_date", lang),
                    dt.date.fromisoformat(current["decision_date"])
                    if current["decision_date"] else None,
                    format="DD/MM/YYYY", key=f"edecd_{selected}",
                )
                st.text_input(t("note", lang), current["note"] or "", key=f"enote_{selected}")
                st.form_submit_button(t("edit_button", lang), disabled=not can_write,
                                      on_click=_do_edit,
                                      args=(selected, lang, name, dict(current)))
        village_history = asg.history(conn, selected)
        if len(village_history):
            st.button(t("undo_last", lang), on_click=_do_undo, args=(selected, lang, name),
                      disabled=not can_write, key=f"undo_{selected}", icon="↩️")
            with st.expander(t("history", lang), expanded=False):
                st.dataframe(tables.history_table(village_history, lang), hide_index=True,
                             width="stretch")
        # What the planner saw: the next write is based on this version.
        st.session_state.setdefault("_shown_versions", {})[selected] = version

# ---------------------------------------------------------------------------------------------
# Unserved villages: select one or several to assign
# ---------------------------------------------------------------------------------------------

st.header(t("unserved_candidates_header", lang))
st.caption(t("select_rows_hint", lang))
cand = tables.candidates_table(status, proposals, assignments, lang, units=scope.units)
id_col = t("village_id", lang)
picked = st.dataframe(cand, on_select="rerun", selection_mode="multi-row", hide_index=True,
                      width="stretch", key=f"cand_{lang}", height=min(320, 38 + 35 * len(cand)))
ids = cand.iloc[picked.selection.rows][id_col].tolist() if picked.selection.rows else []
if tuple(ids) != st.session_state.get("_last_cand"):
    st.session_state["_last_cand"] = tuple(ids)
    if len(ids) == 1:
        _select(ids[0])
        st.rerun()
if ids:
    with st.form("assign_many", border=True):
        st.markdown(f"**{t('assign_many_header', lang, n=len(ids))}**")
        st.selectbox(t("assign_many_operator", lang), ["__proposal__", *OPERATORS],
                     format_func=lambda o: t("assign_many_follow", lang) if o == "__proposal__"
                     else OPERATOR_DISPLAY.get(o, o), key="many_op")
        c1, c2, c3 = st.columns(3)
        c1.number_input(t("target_year_short", lang), 2000, 2100, int(default_year), 1,
                        key="many_ty")
        c2.text_input(t("decision_number", lang), decision, key="many_dec")
        c3.date_input(t("decision_date", lang), decision_date, format="DD/MM/YYYY",
                      key="many_decd")
        st.text_input(t("note", lang), "", key="many_note")
        st.form_submit_button(t("assign_many_button", lang, n=len(ids)), type="primary",
                              disabled=not can_write, on_click=_do_assign_many,
                              args=(ids, lang))

# ---------------------------------------------------------------------------------------------
# The register: list and views
# ---------------------------------------------------------------------------------------------

st.header(t("assignments_table_header", lang))
if not len(assignments):
    st.caption(t("nothing_here", lang))
else:
    listing = tables.assignments_table(assignments, lang, units=scope.units, pairs=pairs)
    chosen = st.dataframe(listing, on_select="rerun", selection_mode="single-row",
                          hide_index=True, width="stretch", key=f"asg_{lang}",
                          height=min(320, 38 + 35 * len(listing)))
    rows = chosen.selection.rows
    pick = listing.iloc[rows[0]][id_col] if rows else None
    if pick != st.session_state.get("_last_asg"):
        st.session_state["_last_asg"] = pick
        if pick:
            _select(pick)
            st.rerun()

st.header(t("views_header", lang))
by_where = "view_by_commune_2025" if scope.units == "2025" else "view_by_district"
tabs = st.tabs([t(k, lang) for k in ("view_by_operator", by_where, "view_overdue",
                                     "view_progress", "view_disagreements", "view_history")])
with tabs[0]:
    present = [o for o in OPERATORS if o in set(assignments["operator"])] or list(OPERATORS)
    op = st.selectbox(t("assigned_operator", lang), present,
                      format_func=lambda o: OPERATOR_DISPLAY.get(o, o), key=f"view_op_{lang}")
    owed = int(assignments.loc[assignments["operator"] == op, "status"]
               .isin(asg.OWED_STATUSES).sum())
    st.caption(md(t("owes_caption", lang, operator=OPERATOR_DISPLAY.get(op, op),
                    n=fmt_number(owed, lang))))
    st.dataframe(tables.by_operator_table(assignments, lang, operator=op, units=scope.units),
                 hide_index=True, width="stretch")
with tabs[1]:
    st.dataframe(tables.by_district_table(assignments, lang, units=scope.units),
                 hide_index=True, width="stretch")
with tabs[2]:
    late_table = tables.overdue_table(assignments, lang, units=scope.units, pairs=pairs)
    if len(late_table):
        # Why: the rule, and why a plan's whole list fell overdue at once (its last year).
        st.caption(md(tables.overdue_note(assignments, lang)))
        st.dataframe(late_table, hide_index=True, width="stretch")
    else:
        st.caption(t("nothing_overdue", lang))
with tabs[3]:
    prog = tables.progress_long(assignments, plan_id, lang)
    if len(prog):
        prog["kind"] = prog["series"].str.startswith("plan").map({True: "plan", False: "reg"})
        percent = "datum.value + ' %'" if lang == "vi" else "datum.value + '%'"
        chart = (
            alt.Chart(prog)
            .mark_line(point=True)
            .encode(
                x=alt.X("year:O", title=t("year", lang), axis=alt.Axis(labelAngle=0)),
                y=alt.Y("percent:Q", title=t("progress_share", lang),
                        scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(labelExpr=percent)),
                color=alt.Color("label:N", title=None, sort=None,
                                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420)),
                strokeDash=alt.StrokeDash("kind:N", legend=None,
                                          scale=alt.Scale(domain=["reg", "plan"],
                                                          range=[[1, 0], [6, 4]])),
                tooltip=[alt.Tooltip("year:O", title=t("year", lang)),
                         alt.Tooltip("label:N", title=t("series", lang)),
                         alt.Tooltip("text:N", title="%"),
                         alt.Tooltip("count:N", title=t("villages_count", lang))],
            )
            .properties(height=360)
        )
        st.altair_chart(chart, width="stretch")
        st.caption(t("progress_note", lang))
    else:
        st.caption(t("nothing_here", lang))
with tabs[4]:
    st.caption(t("served_definition", lang))
    st.dataframe(tables.register_disagreements(status, assignments, lang, units=scope.units),
                 hide_index=True, width="stretch")
with tabs[5]:
    hist = pd.concat([asg.history(conn, province_code=c) for c in scope.codes],
                     ignore_index=True)
    hist = hist[hist["village_id"].isin(set(assignments["village_id"]))]
    names = assignments.drop_duplicates("village_id").set_index("village_id")["village"]
    st.dataframe(tables.history_table(hist, lang, names=names), hide_index=True, width="stretch")

# ---------------------------------------------------------------------------------------------
# Outputs (backup and restore are on the Quản trị page)
# ---------------------------------------------------------------------------------------------


def _geojson(a: pd.DataFrame) -> bytes:
    return export.layer_bytes(asg.to_geodataframe(a), ".geojson", layer="assignments")


def _phu_luc_2(a: pd.DataFrame, h: pd.DataFrame) -> bytes:
    return phu_luc_2_xlsx(a, history=h)


st.header(t("outputs_header", lang))
c1, c2 = st.columns(2)
c1.download_button(t("download_assignments_geojson", lang),
                   data=functools.partial(_geojson, assignments),
                   file_name=f"phan_cong_{scope.stem}.geojson", mime="application/geo+json",
                   key="dl_asg_geojson", on_click="ignore", disabled=not len(assignments))
c2.download_button(t("download_phu_luc_2", lang),
                   data=functools.partial(_phu_luc_2, assignments, hist),
                   file_name=f"phu_luc_2_{scope.stem}.xlsx", mime=XLSX,
                   key="dl_asg_xlsx", on_click="ignore", disabled=not len(assignments))
