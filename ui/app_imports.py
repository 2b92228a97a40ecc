"""Nhập dữ liệu (Import data): the app's page for the planner's own files and village placements.

The planner replaces a synthetic or demo layer of a province with a file of their own (sites,
village register, fibre, unserved list, declared coverage) and places villages that are
located only at their commune. The page is a thin face on :mod:`geo.imports` and
:mod:`geo.placements`:

1. choose the kind and the province, upload the file; every sheet or layer is offered
   (:func:`geo.imports.inspect`), and the header row found in a table can be corrected (a
   number input: the row number as Excel shows it);
2. the file is read and matched (:func:`geo.imports.stage`, nothing stored); when the column
   proposal is unsure a mapping form asks for each field's column, and the detected or
   proposed CRS can be changed (:func:`geo.imports.confirm_file`, the mapping remembered);
3. every problem is listed at once (file, sheet, row, field, message in the UI language) and
   the rows in review are confirmed or corrected in a table (:func:`geo.imports.confirm`,
   remembered for the next file);
4. **Lưu** commits in one step (:func:`geo.imports.commit`); an abandoned or failed import
   leaves the store as it was, and the page says how many rows were added, updated or
   unchanged.

Placing a village records the planner's name given in the sidebar ("Người thực hiện (họ
tên)", ``st.session_state[PLANNER_KEY]``); the page does not ask for it again. Every selectbox
has its placeholder in the UI language ("Chọn…" / "Choose…").

The store is :func:`geo.imports.default_store_path` (``$COVERAGE_IMPORTS_DB``). Strings from a
file reach the page only through ``st.dataframe``/``st.data_editor`` (escaped by Streamlit) or
through :func:`md` (HTML and Markdown escaped).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import re
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import i18n, imports, placements
from geo.auth import PermissionDeniedError
from geo.errors import CoverageError, InputError, Problem
from geo.names import vietnamese_sort_keys
from geo.operators import OPERATOR_DISPLAY, OPERATORS
from geo.readers import columns as cols
from geo.readers import coords, tables, vector
from geo.readers.columns import ColumnMappingError
from layers.i18n import t
from layers.maps import escape_html
from ui import account as account_ui

__all__ = [
    "KIND_EXTS",
    "LABELS",
    "PLANNER_KEY",
    "md",
    "planner_name",
    "render",
    "tr",
]

#: The page's words: the catalog's ``"imp.<key>"`` entries (:data:`geo.i18n.LABELS`), by key.
LABELS: dict[str, dict[str, str]] = {
    k.removeprefix("imp."): v for k, v in i18n.LABELS.items() if k.startswith("imp.")
}

#: The file types each kind accepts (Streamlit's uploader wants them without the dot).
KIND_EXTS: dict[str, tuple[str, ...]] = {
    "sites": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "villages": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "fibre": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "unserved": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS),
    "coverage": (*vector.VECTOR_EXTS, *vector.RASTER_EXTS),
}
TECHNOLOGIES = ("2G", "3G", "4G", "5G")
SECTIONS = ("import", "place", "history")
#: Keys of a layer row's attributes that say how it was read, not what it is (left out when
#: telling an updated row from an unchanged one).
_VOLATILE = frozenset(
    {
        "status",
        "source_row",
        "sheet",
        "match_status",
        "match_score",
        "village_match_status",
        "source",
        "document",
    }
)
_VN_TIME = dt.timezone(dt.timedelta(hours=7))
_STATE = "imp"
#: Where the sidebar keeps the planner's name ("Người thực hiện (họ tên)"): the value of
#: :func:`ui.app_common._kept` for its text input "planner".
PLANNER_KEY = "kept_planner"


def tr(key: str, lang: str = "vi", **values) -> str:
    """The page's label ``key`` (the catalog's ``"imp.<key>"``) in ``lang``, placeholders
    filled from ``values``."""
    return i18n.t(f"imp.{key}", "en" if lang == "en" else "vi", **values)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


def md(text: object) -> str:
    """Text from a file, safe inside Markdown: HTML escaped, Markdown and LaTeX marks
    backslashed (``<script>`` shows as text, ``:red[x]`` and ``$x$`` are not rendered).

    >>> md("<b>Bản *Mới*</b>")
    '&lt;b&gt;Bản \\\\*Mới\\\\*&lt;/b&gt;'
    """
    return html.escape(_MD_SPECIAL.sub(r"\\\1", str(text)), quote=True)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _kept(widget, name: str, label: str, lang: str, *args, default=None, container=None, **kwargs):
    """A widget whose value survives a language switch and a visit to another page.

    The value is kept in ``st.session_state["imp_kept_" + name]`` and given to the widget
    through its key (never both a default and a key, which Streamlit warns about).
    """
    container = container or st
    store = f"{_STATE}_kept_{name}"
    current = st.session_state.get(store, default)
    key = f"{_STATE}_{name}_{lang}"
    if widget in ("selectbox", "radio"):
        options = list(args[0])
        if st.session_state.get(key, "__unset__") not in options:
            st.session_state[key] = current if current in options else options[0]
        if widget == "selectbox":
            kwargs.setdefault("placeholder", tr("placeholder", lang))
        value = getattr(container, widget)(label, options, key=key, **kwargs)
    else:
        if key not in st.session_state:
            st.session_state[key] = current or ""
        value = container.text_input(label, key=key, **kwargs)
    st.session_state[store] = value
    return value


def planner_name(scope=None) -> str:
    """The planner's name as given in the sidebar (``st.session_state[PLANNER_KEY]``), or the
    scope's; "" until given."""
    name = st.session_state.get(PLANNER_KEY) or getattr(scope, "planner", "") or ""
    return str(name).strip()


def _state() -> dict:
    return st.session_state.setdefault(_STATE, {"uploader": 0})


def _reset(state: dict, *, uploader: bool = False) -> None:
    counter = state.get("uploader", 0) + (1 if uploader else 0)
    state.clear()
    state["uploader"] = counter


def _error_block(exc: CoverageError, lang: str, title: str | None = None) -> None:
    """An error: its message, and every problem of it as a table (file, sheet, row, field)."""
    head = exc.message_vi if lang == "vi" else exc.message_en
    where = Problem(head, head, exc.file, exc.sheet, exc.row, exc.field).where(lang)
    text = f"{where}: {head}" if where else head
    st.error((f"**{md(title)}**  \n" if title else "") + md(text), icon=":material/error:")
    if exc.problems:
        _problem_table(exc.problems, lang)


def _problem_table(problems: list[Problem], lang: str) -> None:
    frame = pd.DataFrame(
        {
            tr("col_file", lang): [p.file for p in problems],
            tr("col_sheet", lang): [p.sheet for p in problems],
            tr("col_row", lang): pd.array([p.row for p in problems], dtype="Int64"),
            tr("col_field", lang): [p.field for p in problems],
            tr("col_message", lang): [
                p.message_vi if lang == "vi" else p.message_en for p in problems
            ],
            tr("col_value", lang): [p.value for p in problems],
        }
    )
    frame = frame.dropna(axis=1, how="all")
    st.dataframe(frame, hide_index=True, width="stretch")


def _field_label(f: str, lang: str) -> str:
    base, _, sub = f.partition(":")
    spec = cols.FIELDS.get(base)
    name = (spec[0] if lang == "vi" else spec[1]) if spec else base
    return f"{name}: {sub}" if sub else name


def _required_fields(kind: str) -> set[str]:
    out = set()
    for alts in cols.REQUIRED.get(kind, ()):
        for a in alts:
            out |= {"lon", "lat", "x", "y"} if a == "location" else {a}
    return out


def _match_text(status, score, lang: str) -> str:
    if status is None or (isinstance(status, float) and pd.isna(status)) or status == "":
        return ""
    key = f"match_{status}"
    if key not in LABELS:
        return str(status)
    if status == "fuzzy":
        return tr(key, lang, score="" if pd.isna(score) else f"{float(score):.0f}")
    return tr(key, lang)


def _crs_label(epsg: int, lang: str, province_epsg: int | None) -> str:
    mine = tr("crs_province", lang) if epsg == province_epsg else ""
    if epsg == coords.WGS84:
        return f"{tr('crs_wgs84', lang)} (EPSG:4326)"
    for meridian, code in coords.VN2000_TM3.items():
        if code == epsg:
            d = int(meridian)
            m = f"{d}°{round((meridian - d) * 60):02d}'"
            return f"{tr('crs_tm3', lang, m=m)}{mine} (EPSG:{epsg})"
    for zone, code in coords.VN2000_UTM.items():
        if code == epsg:
            return f"{tr('crs_utm', lang, z=zone)} (EPSG:{epsg})"
    if epsg in (32648, 32649):
        return f"{tr('crs_wgs_utm', lang, z=epsg - 32600)} (EPSG:{epsg})"
    try:
        from pyproj import CRS

        return f"{CRS.from_epsg(epsg).name} (EPSG:{epsg})"
    except Exception:  # any code PROJ does not know is shown by its number
        return f"EPSG:{epsg}"


def _vn_time(iso: str | None) -> str:
    if not iso or (isinstance(iso, float) and pd.isna(iso)):
        return ""
    try:
        t = dt.datetime.fromisoformat(str(iso).replace(" ", "T"))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)  # SQLite's CURRENT_TIMESTAMP is UTC
    return t.astimezone(_VN_TIME).strftime("%d/%m/%Y %H:%M")


def _fmt_deg(v: float, lang: str) -> str:
    text = f"{v:.6f}"
    return text.replace(".", ",") if lang == "vi" else text


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def render() -> None:
    """Draw the import page (called by ``pages/2_Nhap_du_lieu.py``)."""
    from ui import app_common

    scope = app_common.current_scope()
    lang = scope.lang
    st.title(tr("title", lang))
    options = app_common.province_options()
    names = dict(options)
    # The province follows the sidebar's until the planner picks another one here.
    sidebar = scope.codes[0] if scope.codes and scope.codes[0] in names else options[0][0]
    if st.session_state.get(f"{_STATE}_sidebar_province") != sidebar:
        st.session_state[f"{_STATE}_sidebar_province"] = sidebar
        st.session_state[f"{_STATE}_kept_province"] = sidebar
        st.session_state[f"{_STATE}_province_{lang}"] = sidebar
    top = st.columns([2, 3])
    code = _kept(
        "selectbox",
        "province",
        tr("province", lang),
        lang,
        [c for c, _ in options],
        format_func=names.get,
        container=top[0],
    )
    section = _kept(
        "radio",
        "section",
        tr("section_pick", lang),
        lang,
        SECTIONS,
        container=top[1],
        format_func=lambda s: tr(f"section_{s}", lang),
        horizontal=True,
        default="import",
    )
    try:
        with st.spinner(tr("reading", lang)):
            data = app_common.load_province(code)
    except CoverageError as exc:
        _error_block(exc, lang)
        return
    store = imports.Store()
    if section == "import":
        st.markdown(tr("intro", lang))
        _import_section(lang, code, data, store)
    elif section == "place":
        _place_section(lang, code, data, store, scope)
    else:
        _history_section(lang, code, store)


# --- Import ------------------------------------------------------------------------------------


def _import_section(lang: str, code: str, data, store: imports.Store) -> None:
    state = _state()
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

    if "staged" not in state and "error" not in state:
        with st.spinner(tr("reading", lang)):
            _stage(
                state,
                raw,
                upload.name,
                kind,
                data,
                store,
                sheet=sheet,
                header_row=header_row,
                operator=operator,
                technology=technology,
                document=document,
            )
    error = state.get("error")
    if isinstance(error, ColumnMappingError):
        _error_block(error, lang, tr("file_error", lang))
        _mapping_form(
            state,
            error.proposal,
            kind,
            lang,
            store,
            raw,
            upload.name,
            data,
            sheet=sheet,
            header_row=header_row,
            operator=operator,
            technology=technology,
            document=document,
            expanded=True,
        )
        _abandon_button(state, lang)
        return
    if error is not None:
        _error_block(error, lang, tr("file_error", lang))
        _abandon_button(state, lang)
        return
    staged: imports.Staged = state["staged"]
    _staged_view(
        state,
        staged,
        kind,
        lang,
        store,
        raw,
        upload.name,
        data,
        sheet=sheet,
        header_row=header_row,
        operator=operator,
        technology=technology,
        document=document,
    )


def _stage(state: dict, raw: bytes, filename: str, kind: str, data, store, **options) -> None:
    state.pop("error", None)
    try:
        state["staged"] = imports.stage(
            raw, filename, kind, data, store=store, on_error="skip", **options
        )
        state["version"] = state.get("version", 0) + 1
    except InputError as exc:  # ColumnMappingError included
        state.pop("staged", None)
        state["error"] = exc


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
    review = staged.review_rows.reset_index(drop=True)
    st.subheader(tr("review_header", lang, n=len(review)))
    st.caption(tr("review_help", lang))
    options = _choice_options(staged, review, lang, data)
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
        return
    state["staged"] = new
    state["version"] = version + 1
    st.rerun()


def _snapshot(store: imports.Store, code: str, kind: str) -> dict[str, tuple[int, str, bytes]]:
    rows = store.stored_rows(code, kind)
    out = {}
    for key, import_id, props, wkb in rows:
        try:
            p = {k: v for k, v in json.loads(props).items() if k not in _VOLATILE}
        except ValueError:
            p = props
        out[key] = (int(import_id), json.dumps(p, sort_keys=True, default=str), wkb)
    return out


def _save_block(state, staged: imports.Staged, lang, store: imports.Store) -> None:
    st.subheader(tr("save_header", lang))
    pending = []
    if staged.columns is not None and staged.columns.needs_mapping:
        pending.append(tr("what_mapping", lang))
    if staged.crs is not None and staged.crs.needs_confirmation:
        pending.append(tr("what_crs", lang))
    n_review = len(staged.review_rows)
    partial = False
    if n_review:
        partial = st.checkbox(
            tr("partial", lang, n=n_review), key=f"{_STATE}_partial_{state.get('version', 0)}"
        )
    if pending:
        st.warning(tr("confirm_first", lang, what=", ".join(pending)))
    elif n_review and not partial:
        st.caption(tr("review_first", lang, n=n_review))
    buttons = st.container(horizontal=True)
    save = buttons.button(
        tr("save", lang),
        type="primary",
        disabled=bool(pending) or (n_review > 0 and not partial),
        key=f"{_STATE}_save",
    )
    if buttons.button(tr("abandon", lang), key=f"{_STATE}_abandon"):
        _reset(state, uploader=True)
        state["abandoned"] = True
        st.rerun()
    if not save:
        return
    kind = staged.kind
    code = staged.province_code
    before = _snapshot(store, code, kind)
    try:
        result = imports.commit(staged, store, allow_partial=partial, account=account_ui.current())
    except CoverageError as exc:
        _error_block(exc, lang, tr("save_failed", lang))
        return
    after = _snapshot(store, code, kind)
    mine = {k: v for k, v in after.items() if v[0] == result.import_id}
    added = sum(1 for k in mine if k not in before)
    unchanged = sum(1 for k, v in mine.items() if k in before and before[k][1:] == v[1:])
    updated = len(mine) - added - unchanged
    removed = sum(1 for k in before if k not in after)
    state["result"] = {
        "file": staged.file,
        "kind": kind,
        "import_id": result.import_id,
        "already": result.already_imported,
        "added": added,
        "updated": updated,
        "unchanged": unchanged,
        "removed": removed,
        "left_out": int(len(result.rows_left_out)) if partial else 0,
    }
    for k in ("staged", "inspection", "error"):
        state.pop(k, None)
    st.rerun()


def _show_result(result: dict, lang: str) -> None:
    if result["already"]:
        st.info(md(tr("saved_same", lang, file=result["file"], id=result["import_id"])))
        return
    removed = tr("saved_removed", lang, n=result["removed"]) if result["removed"] else ""
    text = tr(
        "saved",
        lang,
        file=result["file"],
        id=result["import_id"],
        added=result["added"],
        updated=result["updated"],
        unchanged=result["unchanged"],
        removed=removed,
    )
    st.success(md(text), icon=":material/check_circle:")
    if result["left_out"]:
        st.caption(tr("saved_left_out", lang, n=result["left_out"]))
    if f"saved_map_{result['kind']}" in LABELS:
        st.caption(tr(f"saved_map_{result['kind']}", lang))


# --- History -----------------------------------------------------------------------------------


def _history_section(lang: str, code: str, store: imports.Store) -> None:
    st.subheader(tr("history_imports", lang))
    done = store.imports(code)
    if not len(done):
        st.info(tr("history_none", lang))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    tr("col_import", lang): done["import_id"],
                    tr("col_kind", lang): done["kind"].map(lambda k: tr(f"kind_{k}", lang)),
                    tr("col_file", lang): done["file"],
                    tr("col_sheet", lang): done["sheet"],
                    tr("col_rows", lang): done["n_rows"],
                    tr("col_when", lang): done["committed_at"].map(_vn_time),
                }
            ),
            hide_index=True,
            width="stretch",
        )
    _placements_table(lang, code, store)
    st.caption(tr("store_path", lang, path=md(store.path)))


def _placements_table(lang: str, code: str, store: imports.Store) -> None:
    placed = placements.placements(store.path, code)
    if not len(placed):
        return
    st.subheader(tr("place_list", lang))
    st.dataframe(
        pd.DataFrame(
            {
                tr("place_village", lang): placed["village"],
                tr("col_commune_plain", lang): placed["commune"],
                tr("col_lon", lang): placed["lon"].map(lambda v: _fmt_deg(v, lang)),
                tr("col_lat", lang): placed["lat"].map(lambda v: _fmt_deg(v, lang)),
                tr("col_who", lang): placed["who"],
                tr("col_when", lang): placed["when"].map(_vn_time),
                tr("col_inside", lang): placed["inside_commune"].map(
                    lambda b: tr("yes", lang) if b else tr("no", lang)
                ),
                tr("col_note", lang): placed["note"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


# --- Placement ---------------------------------------------------------------------------------


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
    v = by_id.loc[vid]
    latest = placed[placed["village_id"] == vid]
    communes = data.communes
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
    _placements_table(lang, code, store)
