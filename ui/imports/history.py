"""History and removal: the committed imports of the province (each can be taken back) and the
villages placed by hand.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import imports, placements
from ui.imports.common import _fmt_deg, _vn_time, md, tr


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
