"""Đo kiểm (Measurements): import drive-test and crowd measurements, list and remove the imports,
and see the measurements per village with the evidence each status rests on.

Thin: the file is read and checked by :func:`geo.measurements.read` and
:func:`geo.measurements.check_province` (its size checked before its bytes are read), saved by
:func:`geo.measurements.commit` and taken back by :func:`geo.measurements.remove`, which check the
signed-in account (:func:`ui.account.current`); the per-village table is the model's
(:func:`geo.workspace.build`, through :func:`ui.app_common.model_for`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import evidence, measurements
from geo.auth import Action
from geo.errors import CoverageError
from geo.i18n import enum_label, fmt_date, fmt_datetime, fmt_number, fmt_percent, t
from geo.operators import OPERATOR_DISPLAY, OPERATORS
from geo.store import measurements as store
from geo.vocab import Evidence
from ui import account as account_ui
from ui import app_common

md = app_common.md
scope = app_common.current_scope()
lang = scope.lang
account = account_ui.current()
path = store.default_path()

st.title(f"{t('evidence.page_title', lang)}: {md(scope.place)}")
st.caption(t("evidence.page_intro", lang))

for kind, text in st.session_state.pop("_dk_flash", []):
    getattr(st, kind)(text)


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("_dk_flash", []).append((kind, text))


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

code = scope.codes[0]
if len(scope.codes) > 1:
    code = st.selectbox(t("evidence.pick_province", lang), scope.codes, key="dk_province")
may_import = account_ui.may(account, Action.IMPORT_COMMIT, province_code=code)
cols = st.columns(2)
op_choice = cols[0].selectbox(
    t("evidence.operator_option", lang), ["", *OPERATORS], key="dk_operator",
    format_func=lambda o: OPERATOR_DISPLAY.get(o, t("evidence.from_file", lang)),
)  # fmt: skip
tech_choice = cols[1].selectbox(
    t("evidence.technology_option", lang), ["", "2G", "3G", "4G", "5G"], key="dk_technology",
    format_func=lambda v: v or t("evidence.from_file", lang),
)  # fmt: skip
upload = st.file_uploader(
    t("evidence.upload", lang), type=["csv", "txt", "xlsx", "xls", "ods"], key="dk_upload",
    disabled=not may_import,
)  # fmt: skip
if upload is not None:
    try:
        measurements.check_size(upload.size, upload.name)  # before the bytes are read
        read = measurements.read(
            upload.getvalue(), upload.name, operator=op_choice or None,
            technology=tech_choice or None,
        )  # fmt: skip
        read = measurements.check_province(read, code)
    except CoverageError as exc:
        st.error(exc.message(lang))
        st.stop()
    st.info(t("evidence.read_summary", lang, file=read.file,
              usable=fmt_number(len(read.rows), lang),
              review=fmt_number(read.problems["row"].nunique(), lang),
              wifi=fmt_number(len(read.skipped), lang)))  # fmt: skip
    if read.needs_review:
        st.subheader(t("evidence.problems_header", lang))
        shown = read.problems[["row", "field", "value", f"message_{lang}"]].rename(columns={
            "row": t("evidence.row", lang), "field": t("evidence.field", lang),
            "value": t("evidence.value", lang), f"message_{lang}": t("evidence.fix", lang),
        })  # fmt: skip
        st.dataframe(shown, hide_index=True, width="stretch")
    skip = st.checkbox(t("evidence.skip_bad_rows", lang), key="dk_skip",
                       disabled=not read.needs_review)  # fmt: skip
    can_commit = may_import and len(read.rows) > 0 and (not read.needs_review or skip)
    if st.button(t("evidence.commit", lang), disabled=not can_commit, type="primary",
                 key="dk_commit"):  # fmt: skip
        try:
            import_id, already = measurements.commit(read, path, province_code=code,
                                                     account=account)  # fmt: skip
        except CoverageError as exc:
            _flash("error", exc.message(lang))
        else:
            _flash("info" if already else "success",
                   t("evidence.already", lang, id=import_id) if already
                   else t("evidence.committed", lang, n=fmt_number(len(read.rows), lang),
                          id=import_id))  # fmt: skip
        st.rerun()

# ---------------------------------------------------------------------------------------------
# The imports
# ---------------------------------------------------------------------------------------------

st.header(t("evidence.imports_header", lang))
done = pd.DataFrame(columns=store.IMPORT_COLUMNS)
if path.is_file():
    conn = store.connect(path)
    try:
        done = store.imports(conn, list(scope.codes))
    finally:
        conn.close()
if not len(done):
    st.caption(t("evidence.no_imports", lang))
else:
    table = pd.DataFrame({
        t("evidence.import_id", lang): done["import_id"].astype(str),
        t("evidence.file", lang): done["file"],
        t("evidence.rows", lang): done["n_rows"].map(lambda n: fmt_number(n, lang)),
        t("evidence.committed_by", lang): done["committed_by"],
        t("evidence.committed_at", lang): done["committed_at"].map(
            lambda x: fmt_datetime(x, lang)),
    })  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")
    ids = done["import_id"].tolist()
    chosen = st.selectbox(t("evidence.import_id", lang), ids, key="dk_remove_id")
    row = done.set_index("import_id").loc[chosen]
    may_remove = account_ui.may(account, Action.IMPORT_REMOVE, province_code=row["province_code"])
    if st.button(t("evidence.remove", lang), disabled=not may_remove, key="dk_remove"):
        try:
            measurements.remove(path, int(chosen), account=account)
        except CoverageError as exc:
            _flash("error", exc.message(lang))
        else:
            _flash("success", t("evidence.removed", lang, id=chosen))
        st.rerun()

# ---------------------------------------------------------------------------------------------
# Per village
# ---------------------------------------------------------------------------------------------

st.header(t("evidence.villages_header", lang))
try:
    with st.spinner(t("building", lang)):
        model = app_common.model_for(scope)
except CoverageError as exc:
    st.error(exc.message(lang))
    st.stop()
rules = model.sources.get("measurements", {})
counts = evidence.evidence_counts(app_common.scoped_status(scope, model))
st.caption(
    f"{t('evidence.counts', lang)}: "
    + "; ".join(f"{enum_label(Evidence(k), lang)} {fmt_number(v, lang)}" for k, v in counts.items())
)
measured = getattr(model, "measured", pd.DataFrame())
status = app_common.scoped_status(scope, model).drop_duplicates("village_id")
measured = (
    measured[measured["village_id"].isin(status["village_id"])] if len(measured) else measured
)
distance = fmt_number(rules.get("within_m", 500), lang)
st.caption(t("evidence.within", lang, distance=distance) + " · "
           + t("evidence.min_count", lang, n=rules.get("min_count", 5)))  # fmt: skip
if not len(measured):
    st.caption(t("evidence.none_measured", lang, distance=distance))
else:
    names = status.set_index("village_id")
    by_op = {evidence.evidence_column(op): op for op in OPERATORS
             if evidence.evidence_column(op) in names}  # fmt: skip
    stacked = names[list(by_op)].rename(columns=by_op).stack()
    key = pd.MultiIndex.from_arrays([measured["village_id"], measured["operator"]])
    ev = pd.Series(stacked.reindex(key).to_numpy(), index=measured.index)
    table = pd.DataFrame({
        t("village", lang): measured["village_id"].map(names["village"]),
        t("commune", lang): measured["village_id"].map(names["commune"]),
        t("operator", lang): measured["operator"].map(OPERATOR_DISPLAY),
        t("technology", lang): measured["technology"],
        t("evidence.count", lang): measured["count"].map(lambda n: fmt_number(n, lang)),
        t("evidence.median_signal", lang): measured["median_signal_dbm"].map(
            lambda x: fmt_number(x, lang)),
        t("evidence.median_download", lang): measured["median_download_mbps"].map(
            lambda x: fmt_number(x, lang, 1)),
        t("evidence.share_above_column", lang): measured["share_above"].map(
            lambda x: fmt_percent(x, lang)),
        t("evidence.last_measured", lang): measured["last_measured"].map(
            lambda x: fmt_date(x, lang)),
        t("evidence.column", lang): ev.map(lambda e: enum_label(Evidence(e), lang),
                                           na_action="ignore"),
    })  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")
