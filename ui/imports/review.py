"""Review: the column mapping form, the CRS form, and the table where rows in review are
confirmed or corrected (remembered for the next file).
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from geo import imports
from geo.errors import InputError
from geo.names import vietnamese_sort_keys
from geo.readers import columns as cols
from geo.readers import coords
from ui.imports.common import (
    _STATE,
    LABELS,
    _crs_label,
    _error_block,
    _field_label,
    _match_text,
    _required_fields,
    _stage,
    md,
    tr,
)


def _mapping_form(
    state, proposal, kind, lang, store, raw, filename, data, *, expanded, **options
) -> None:
    fields = list(cols.KIND_FIELDS[kind])
    fields += [f for f in proposal.mapping if ":" in f and f not in fields]
    required = _required_fields(kind)
    unsure = set(proposal.unsure)
    labels = [str(x) for x in proposal.labels]
    with st.expander(tr("mapping_header", lang), expanded=expanded):
        st.markdown(tr("mapping_needed", lang) if expanded else tr("mapping_ok", lang))
        version = state.get("version", 0)
        with st.form(f"{_STATE}_mapping_{version}"):
            grid = st.columns(3)
            chosen = {}
            order = sorted(fields, key=lambda f: (f not in required, f not in proposal.mapping))
            for i, f in enumerate(order):
                current = proposal.mapping.get(f, "")
                marks = []
                if f in required:
                    marks.append(tr("required", lang))
                if f in unsure:
                    marks.append(tr("unsure", lang))
                label = _field_label(f, lang) + (f" ({', '.join(marks)})" if marks else "")
                conf = proposal.confidence.get(f)
                chosen[f] = grid[i % 3].selectbox(
                    label,
                    ["", *labels],
                    index=([""] + labels).index(current) if current in labels else 0,
                    format_func=lambda c: tr("not_used", lang) if c == "" else c,
                    help=None if conf is None else tr("confidence", lang, p=round(conf * 100)),
                    key=f"{_STATE}_map_{version}_{f}",
                    placeholder=tr("placeholder", lang),
                )
            submitted = st.form_submit_button(tr("mapping_submit", lang), type="primary")
    if not submitted:
        return
    mapping = {f: c for f, c in chosen.items() if c}
    used: dict[str, list[str]] = {}
    for f, c in mapping.items():
        used.setdefault(c, []).append(_field_label(f, lang))
    twice = {c: fs for c, fs in used.items() if len(fs) > 1}
    if twice:
        for c, fs in twice.items():
            st.error(md(tr("mapping_twice", lang, col=c, fields=", ".join(fs))))
        return
    staged = state.get("staged")
    try:
        if staged is not None:
            state["staged"] = imports.confirm_file(staged, mapping=mapping, store=store)
            state["version"] = state.get("version", 0) + 1
            state.pop("error", None)
        else:
            _stage(state, raw, filename, kind, data, store, mapping=mapping, **options)
    except InputError as exc:
        state.pop("staged", None)
        state["error"] = exc
    st.rerun()


def _crs_form(state, staged: imports.Staged, lang, store) -> None:
    crs = staged.crs
    province_epsg = coords.proposed_crs(staged.province_code)
    source = (
        tr(f"crs_source_{crs.source}", lang) if f"crs_source_{crs.source}" in LABELS else crs.source
    )
    lines = [tr("crs_now", lang, name=md(_crs_label(crs.epsg, lang, province_epsg)), source=source)]
    note = crs.note_vi if lang == "vi" else crs.note_en
    if note and crs.source != "degrees":
        lines.append(md(note))
    elif crs.inside_share is not None:
        lines.append(tr("crs_inside", lang, p=f"{crs.inside_share * 100:.0f}"))
    text = "  \n".join(lines)
    if crs.needs_confirmation:
        st.warning(f"**{tr('crs_header', lang)}**  \n{text}", icon=":material/warning:")
    else:
        st.caption(f"**{tr('crs_header', lang)}**: {text}")
    choices = [crs.epsg, coords.WGS84]
    if province_epsg:
        choices.append(province_epsg)
    choices += [*coords.VN2000_UTM.values(), 32648, 32649, *coords.VN2000_TM3.values()]
    choices = list(dict.fromkeys(choices)) + [0]
    with st.expander(tr("crs_header", lang), expanded=crs.needs_confirmation):
        version = state.get("version", 0)
        with st.form(f"{_STATE}_crs_{version}"):
            pick = st.selectbox(
                tr("crs_pick", lang),
                choices,
                format_func=lambda e: (
                    tr("crs_other", lang) if e == 0 else _crs_label(e, lang, province_epsg)
                ),
                key=f"{_STATE}_crs_pick_{version}",
                placeholder=tr("placeholder", lang),
            )
            other = st.text_input(tr("crs_other_input", lang), key=f"{_STATE}_crs_other_{version}")
            submitted = st.form_submit_button(tr("crs_submit", lang), type="primary")
    if not submitted:
        return
    try:
        epsg = coords.parse_crs(other) if pick == 0 else pick
        if epsg is None:
            epsg = crs.epsg
        state["staged"] = imports.confirm_file(staged, crs=epsg, store=store)
        state["version"] = state.get("version", 0) + 1
    except InputError as exc:
        _error_block(exc, lang)
        return
    st.rerun()


def _choice_options(staged: imports.Staged, review: pd.DataFrame, lang: str, data):
    """The review table's choices: label → (kind, id); kind ``accept``, ``commune``,
    ``village``."""
    out: dict[str, tuple[str, str | None]] = {tr("choice_accept", lang): ("accept", None)}
    reg = data.villages
    by_id = reg.drop_duplicates("village_id").set_index("village_id")
    village_ids: list[str] = []
    for c in review["candidates"].fillna("").astype(str):
        village_ids += [x for x in c.split("|") if x and not re.fullmatch(r"\d{5}", x)]
    if staged.kind in ("unserved", "fibre", "villages"):
        found = set(review["commune_code"].dropna().astype(str))
        village_ids += reg.loc[reg["commune_code"].isin(found), "village_id"].tolist()
    for vid in dict.fromkeys(village_ids):
        if vid not in by_id.index:
            continue
        v = by_id.loc[vid]
        label = tr("choice_village", lang, name=v["village"], commune=v["commune"], id=vid)
        out[label] = ("village", vid)
    communes = data.communes.drop_duplicates("commune_code").sort_values(
        ["district", "commune"], key=vietnamese_sort_keys
    )
    for c in communes.itertuples(index=False):
        out[tr("choice_commune", lang, name=f"{c.commune} — {c.district}", code=c.commune_code)] = (
            "commune",
            c.commune_code,
        )
    return out


def _review_table(state, staged: imports.Staged, lang, store, data) -> None:
    """The rows in review, in a table whose last column picks the commune or village (or
    accepts the row); the choices are applied together and remembered."""
    review = staged.review_rows.reset_index(drop=True)
    st.subheader(tr("review_header", lang, n=len(review)))
    st.caption(tr("review_help", lang))
    options = _choice_options(staged, review, lang, data)
    table = _review_frame(review, lang)
    config = {
        "row": st.column_config.NumberColumn(tr("col_row", lang), format="%d"),
        "sheet": st.column_config.TextColumn(tr("col_sheet", lang)),
        "status": st.column_config.TextColumn(tr("col_status", lang)),
        "match": st.column_config.TextColumn(tr("col_match", lang)),
        "vmatch": st.column_config.TextColumn(tr("col_vmatch", lang)),
        "village": st.column_config.TextColumn(tr("col_village", lang)),
        "commune": st.column_config.TextColumn(tr("col_commune", lang)),
        "district": st.column_config.TextColumn(tr("col_district", lang)),
        "found": st.column_config.TextColumn(tr("col_found", lang)),
        "operator": st.column_config.TextColumn(tr("col_operator", lang)),
        "site_id": st.column_config.TextColumn(tr("col_site", lang)),
        "candidates": st.column_config.TextColumn(tr("col_candidates", lang)),
        "message": st.column_config.TextColumn(tr("col_message", lang), width="large"),
        "choice": st.column_config.SelectboxColumn(
            tr("col_choice", lang), options=list(options), width="large", required=False
        ),
    }
    version = state.get("version", 0)
    edited = st.data_editor(
        table,
        column_config={k: v for k, v in config.items() if k in table.columns},
        disabled=[c for c in table.columns if c != "choice"],
        hide_index=True,
        width="stretch",
        key=f"{_STATE}_review_{version}",
    )
    if not st.button(tr("review_apply", lang), key=f"{_STATE}_apply_{version}"):
        return
    picked = edited[edited["choice"].notna() & (edited["choice"] != "")]
    if not len(picked):
        st.info(tr("review_none", lang))
        return
    new = _apply_choices(staged, review, picked, options, store, lang)
    if new is None:
        return
    state["staged"] = new
    state["version"] = version + 1
    st.rerun()


def _review_frame(review: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The review rows as shown: the columns that hold something (the sheet only for several
    sheets, the status only when some row is in error) and an empty choice column."""
    status_text = {s: tr(f"status_{s}", lang) for s in ("review", "error")}
    cand = review["candidate_names"].fillna("").astype(str).str.replace("|", ", ", regex=False)
    table = pd.DataFrame(
        {
            "row": review["row"].astype("Int64"),
            "sheet": review["sheet"],
            "site_id": review["site_id"],
            "village": review["village"],
            "commune": review["commune"],
            "candidates": cand,
            "choice": pd.Series([None] * len(review), dtype=object),
            "match": [
                _match_text(s, sc, lang)
                for s, sc in zip(review["match_status"], review["match_score"], strict=True)
            ],
            "vmatch": [_match_text(s, None, lang) for s in review["village_match_status"]],
            "district": review["district"],
            "operator": review["operator"],
            "found": review["commune_gso"],
            "status": review["status"].map(status_text),
            "message": review["message_vi" if lang == "vi" else "message_en"],
        }
    )
    keep = [
        c
        for c in table.columns
        if c in ("row", "message", "choice") or table[c].replace("", pd.NA).notna().any()
    ]
    drop = set()
    if review["sheet"].nunique(dropna=False) <= 1:
        drop.add("sheet")
    if not (review["status"] == "error").any():
        drop.add("status")
    keep = [c for c in keep if c not in drop]
    table = table[keep]
    return table


def _apply_choices(staged, review, picked, options, store, lang):
    """The staged import with the picked choices confirmed (rows grouped by sheet and choice),
    or None (the error shown) when one cannot be."""
    new = staged
    try:
        groups: dict[tuple, list[int]] = {}
        for i, choice in picked["choice"].items():
            sheet = review.loc[i, "sheet"]
            sheet = None if pd.isna(sheet) else sheet
            groups.setdefault((sheet, *options[choice]), []).append(int(review.loc[i, "row"]))
        for (sheet, what, ident), rows in groups.items():
            kwargs = (
                {"commune_code": ident}
                if what == "commune"
                else ({"village_id": ident} if what == "village" else {})
            )
            new = imports.confirm(new, rows, sheet=sheet, store=store, **kwargs)
    except InputError as exc:
        _error_block(exc, lang)
        return None
    return new
