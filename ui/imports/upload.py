"""Upload and read: the kind and options, the file, its sheet and header row, and the staged
import's view (the rows read, what is to review, the save block).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import imports
from geo.errors import CoverageError, InputError
from geo.operators import OPERATOR_DISPLAY, OPERATORS
from geo.readers import tables, vector
from geo.readers.columns import ColumnMappingError
from ui.imports.common import (
    _STATE,
    KIND_EXTS,
    TECHNOLOGIES,
    _error_block,
    _kept,
    _match_text,
    _problem_table,
    _reset,
    _stage,
    _state,
    md,
    tr,
)
from ui.imports.review import _crs_form, _mapping_form, _review_table
from ui.imports.saving import _save_block, _show_result


def _import_section(lang: str, code: str, data, store: imports.Store) -> None:
    """Upload a file of a kind, read and match it, review it and save it."""
    state = _state()
    kind, operator, technology, document = _kind_options(lang)
    upload = st.file_uploader(
        tr("upload", lang),
        type=[e.lstrip(".") for e in KIND_EXTS[kind]],
        help=tr("upload_help", lang, mb=imports.MAX_BYTES // 1_000_000),
        key=f"{_STATE}_upload_{state.get('uploader', 0)}",
    )
    if upload is None:
        if state.get("abandoned"):
            st.info(tr("abandoned", lang))
        result = state.get("result")
        _reset(state)
        if result is not None:
            state["result"] = result
            _show_result(result, lang)
        return
    raw = upload.getvalue()
    ident = (
        hashlib.sha256(raw).hexdigest(),
        upload.name,
        kind,
        code,
        operator,
        technology,
        document,
    )
    if state.get("ident") != ident:
        _reset(state)
        state["ident"] = ident

    if state.get("result") is not None:
        _show_result(state["result"], lang)
        if st.button(tr("import_another", lang)):
            _reset(state, uploader=True)
            st.rerun()
        return

    # Every sheet or layer of the file.
    if "inspection" not in state:
        try:
            state["inspection"] = imports.inspect(raw, upload.name, kind, store=store)
        except InputError as exc:
            state["inspection"] = exc
    ins = state["inspection"]
    if isinstance(ins, CoverageError):
        _error_block(ins, lang, tr("file_error", lang))
        _abandon_button(state, lang)
        return
    sheet = _pick_sheet(ins, kind, lang, state)
    header_row = _pick_header_row(ins, sheet, lang, state, raw, kind, store)

    opts = {
        "sheet": sheet,
        "header_row": header_row,
        "operator": operator,
        "technology": technology,
        "document": document,
    }
    if "staged" not in state and "error" not in state:
        with st.spinner(tr("reading", lang)):
            _stage(state, raw, upload.name, kind, data, store, **opts)
    error = state.get("error")
    if error is not None:
        _error_block(error, lang, tr("file_error", lang))
        if isinstance(error, ColumnMappingError):
            _mapping_form(
                state,
                error.proposal,
                kind,
                lang,
                store,
                raw,
                upload.name,
                data,
                **opts,
                expanded=True,
            )
        _abandon_button(state, lang)
        return
    staged: imports.Staged = state["staged"]
    _staged_view(state, staged, kind, lang, store, raw, upload.name, data, **opts)


def _kind_options(lang: str) -> tuple[str, str | None, str | None, str | None]:
    """The kind of import, and what the file may not say: its operator and technology (sites,
    fibre, coverage) or the document an unserved list comes from."""
    row = st.columns(3)
    kind = _kept(
        "selectbox",
        "kind",
        tr("kind", lang),
        lang,
        imports.KINDS,
        container=row[0],
        format_func=lambda k: tr(f"kind_{k}", lang),
        default="sites",
    )
    operator = technology = document = None
    if kind in ("sites", "fibre", "coverage"):
        operator = _kept(
            "selectbox",
            f"operator_{kind}",
            tr("operator_opt", lang),
            lang,
            ["", *OPERATORS],
            container=row[1],
            format_func=lambda o: OPERATOR_DISPLAY.get(o) or tr("in_file", lang),
        )
    if kind in ("sites", "coverage"):
        technology = _kept(
            "selectbox",
            f"technology_{kind}",
            tr("technology_opt", lang),
            lang,
            ["", *TECHNOLOGIES],
            container=row[2],
            format_func=lambda x: x or tr("in_file", lang),
        )
    operator, technology = operator or None, technology or None
    if kind == "unserved":
        document = (
            _kept(
                "text_input",
                "document",
                tr("document_opt", lang),
                lang,
                container=row[1],
                max_chars=120,
            )
            or None
        )
    return kind, operator, technology, document


def _pick_sheet(ins: imports.Inspection, kind: str, lang: str, state: dict) -> str | None:
    """The sheet (workbooks) or layer (vector files) to read; None lets :func:`stage` choose
    (the only sheet, or every layer)."""
    sheets = ins.sheets
    if len(sheets) <= 1:
        return None
    by_name = {s["name"]: s for s in sheets}
    is_vector = Path(ins.file).suffix.lower() in vector.VECTOR_EXTS
    options = ([None] if is_vector else []) + list(by_name)
    default = next((s["name"] for s in sheets if s.get("kind_guess") == kind), options[0])

    def label(n):
        if n is None:
            return tr("all_layers", lang)
        s = by_name[n]
        rows = (
            tr("sheet_unreadable", lang)
            if "error_en" in s
            else tr("sheet_rows", lang, n=s.get("rows", 0))
        )
        return f"{n} ({rows})"

    key = f"{_STATE}_sheet_{state.get('uploader', 0)}"
    if st.session_state.get(key, "__unset__") not in options:
        st.session_state[key] = default
    sheet = st.selectbox(
        tr("sheet", lang),
        options,
        format_func=label,
        key=key,
        placeholder=tr("placeholder", lang),
    )
    if state.get("sheet", "__unset__") != sheet:
        for k in ("staged", "error"):
            state.pop(k, None)
        state["sheet"] = sheet
    return sheet


def _pick_header_row(
    ins: imports.Inspection, sheet: str | None, lang: str, state: dict, raw: bytes, kind, store
) -> int | None:
    """The header row of a table, as found or as the planner corrects it (a number input
    under the sheet); shows the preview read with it. Returns the planner's row number, or
    None to keep the one found."""
    sheets = ins.sheets
    entry = next((s for s in sheets if s["name"] == sheet), None) if sheet is not None else None
    if entry is None:
        entry = sheets[0] if len(sheets) == 1 else None
    is_table = Path(ins.file).suffix.lower() in (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS)
    name = None if entry is None else entry["name"]
    found = state.setdefault("header_found", {})
    if entry is not None and name not in found and not entry.get("header_given"):
        found[name] = entry.get("header_row")
    if not is_table or entry is None or not found.get(name):
        _preview(entry, lang)
        return None
    detected = int(found[name])
    key = f"{_STATE}_header_{str(state.get('ident', ('',))[0])[:12]}_{name}"
    if key not in st.session_state:
        st.session_state[key] = detected
    value = st.columns([1, 3])[0].number_input(
        tr("header_row", lang),
        min_value=1,
        step=1,
        key=key,
        help=tr("header_row_help", lang, n=detected),
    )
    given = None if value is None or int(value) == detected else int(value)
    chosen = state.setdefault("header_chosen", {})
    if chosen.get(name) != given:
        chosen[name] = given
        for k in ("staged", "error"):
            state.pop(k, None)
        # The preview, read again with the planner's header.
        try:
            again = imports.inspect(
                raw,
                ins.file,
                kind,
                store=store,
                header_row=None if given is None else {name: given},
            )
        except InputError as exc:
            entry = {"name": name, "error_en": exc.message("en"), "error_vi": exc.message("vi")}
        else:
            entry = next((s for s in again.sheets if s["name"] == name), entry)
            ins.sheets[:] = [entry if s["name"] == name else s for s in ins.sheets]
    if given is not None and "error_en" not in entry:
        st.caption(tr("header_row_given", lang, n=given, found=detected))
    _preview(entry, lang)
    return given


def _preview(sheet: dict | None, lang: str) -> None:
    if not sheet:
        return
    if "error_en" in sheet:
        st.warning(md(sheet["error_vi"] if lang == "vi" else sheet["error_en"]))
        return
    preview = sheet.get("preview")
    if preview is not None and len(preview):
        with st.expander(tr("preview", lang)):
            frame = pd.DataFrame(preview).copy()
            frame.columns = [str(c) for c in frame.columns]
            st.dataframe(frame.astype("string"), width="stretch")


def _abandon_button(state: dict, lang: str) -> None:
    if st.button(tr("abandon", lang), key=f"{_STATE}_abandon"):
        _reset(state, uploader=True)
        state["abandoned"] = True
        st.rerun()


def _staged_view(
    state, staged: imports.Staged, kind, lang, store, raw, filename, data, **options
) -> None:
    s = staged.summary()
    metrics = [
        (tr("summary_rows", lang), s["ok"] + s["confirmed"] + s["review"] + s["error"]),
        (tr("status_ok", lang), s["ok"]),
        (tr("status_confirmed", lang), s["confirmed"]),
        (tr("status_review", lang), s["review"]),
        (tr("status_error", lang), s["error"]),
        (tr("status_skipped", lang), s["skipped"]),
        (
            tr("records", lang),
            int(staged.frame["status"].isin(["ok", "confirmed"]).sum())
            if "status" in staged.frame
            else len(staged.frame),
        ),
    ]
    for col, (label, value) in zip(st.columns(len(metrics)), metrics, strict=True):
        col.metric(label, f"{value:,}".replace(",", "." if lang == "vi" else ","))
    _rows_table(staged, lang)
    if staged.already_imported:
        st.info(tr("already", lang), icon=":material/info:")
    if staged.notes:
        st.caption(
            f"**{tr('notes', lang)}**: "
            + " ".join(md(vi if lang == "vi" else en) for en, vi in staged.notes)
        )
    if staged.unlinked is not None and len(staged.unlinked):
        st.info(tr("unlinked", lang, n=len(staged.unlinked)))

    needs_mapping = staged.columns is not None and staged.columns.needs_mapping
    if staged.columns is not None:
        _mapping_form(
            state,
            staged.columns,
            kind,
            lang,
            store,
            raw,
            filename,
            data,
            expanded=needs_mapping,
            **options,
        )
    if staged.crs is not None:
        _crs_form(state, staged, lang, store)

    if staged.problems:
        st.subheader(tr("problems_header", lang, n=len(staged.problems)))
        _problem_table(staged.problems, lang)
    if len(staged.review_rows):
        _review_table(state, staged, lang, store, data)
    _save_block(state, staged, lang, store)


def _rows_table(staged: imports.Staged, lang: str) -> None:
    """Every row of the file with its status and what it was matched to (in an expander)."""
    r = staged.report
    status_text = {s: tr(f"status_{s}", lang) for s in imports.STATUSES}
    table = pd.DataFrame(
        {
            tr("col_row", lang): r["row"].astype("Int64"),
            tr("col_sheet", lang): r["sheet"],
            tr("col_status", lang): r["status"].map(status_text),
            tr("col_match", lang): [
                _match_text(s, sc, lang)
                for s, sc in zip(r["match_status"], r["match_score"], strict=True)
            ],
            tr("col_found", lang): r["commune_gso"],
            tr("col_village", lang): r["village"],
            tr("col_register", lang): r["register_name"],
            tr("col_site", lang): r["site_id"],
            tr("col_operator", lang): r["operator"],
            tr("technology_col", lang): r["technology"],
            tr("col_lon", lang): r["lon"],
            tr("col_lat", lang): r["lat"],
            tr("col_message", lang): r["message_vi" if lang == "vi" else "message_en"],
        }
    )
    table = table.loc[:, table.replace("", pd.NA).notna().any()]
    with st.expander(tr("all_rows", lang, n=len(r))):
        st.dataframe(table, hide_index=True, width="stretch")
