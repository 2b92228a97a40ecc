"""Commit: the save block (all rows, or the resolved ones), and what the commit changed
(rows added, updated, unchanged).
"""

from __future__ import annotations

import json

import streamlit as st

from geo import imports
from geo.errors import CoverageError
from ui import account as account_ui
from ui.imports.common import _STATE, LABELS, _error_block, _reset, md, tr

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
