"""Phủ sóng thôn bản: the Streamlit app (run ``streamlit run app.py``).

Thin: the sidebar and the cached models are in :mod:`ui.app_common`, the pages in ``ui/pages/``
(Bản đồ: the coverage map and indicators; Phân công: the assignment register). Every figure
comes from ``geo``, every table, map and file from ``layers``.
"""

from __future__ import annotations

import streamlit as st

from ui import app_common

st.set_page_config(page_title="Bản đồ phủ sóng", page_icon="📶", layout="wide")

scope = app_common.sidebar()
st.navigation(app_common.pages(scope.lang)).run()
