"""The import page: the province, the section (import, place, history) and the store."""

from __future__ import annotations

import streamlit as st

from geo import imports
from geo.errors import CoverageError
from ui.imports.common import _STATE, SECTIONS, _error_block, _kept, tr
from ui.imports.history import _history_section
from ui.imports.placing import _place_section
from ui.imports.upload import _import_section


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
