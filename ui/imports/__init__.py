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

Modules: :mod:`~ui.imports.page` (:func:`render`), :mod:`~ui.imports.upload` (kind, file,
sheet, header row, the staged view), :mod:`~ui.imports.review` (mapping, CRS, rows in review),
:mod:`~ui.imports.saving` (commit and its result), :mod:`~ui.imports.history` (committed imports
and their removal, placements), :mod:`~ui.imports.placing` (a village placed on the map) and
:mod:`~ui.imports.common` (words, state and small helpers).
"""

from __future__ import annotations

from ui.imports.common import KIND_EXTS, LABELS, PLANNER_KEY, md, planner_name, tr
from ui.imports.page import render

__all__ = [
    "KIND_EXTS",
    "LABELS",
    "PLANNER_KEY",
    "md",
    "planner_name",
    "render",
    "tr",
]
