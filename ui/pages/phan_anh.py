"""Phản ánh phủ sóng: challenges of a village's coverage status between province and operator.

A province planner (or a district viewer, in its district) challenges what the tool shows for a
village and an operator, with a reason and evidence; the operator concerned answers by the
deadline the province sets; the province planner decides. The open list is by operator and
age. Every step goes through :mod:`geo.challenges`, which checks the signed-in account
(:func:`ui.account.current`); buttons an account could not use are disabled only for clarity.
The store is :func:`geo.challenges.default_path` (``$COVERAGE_CHALLENGES_DB`` overrides it).
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from geo import challenges as ch
from geo.auth import Action
from geo.errors import CoverageError
from geo.i18n import enum_label, fmt_date, fmt_number, t
from geo.operators import OPERATOR_DISPLAY, OPERATORS
from geo.store.challenges import Connection
from geo.vocab import ChallengeAnswer, ChallengeDecision, ChallengeState, Evidence
from ui import account as account_ui
from ui import app_common

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
md = app_common.md


def _conn() -> Connection:
    """This browser session's connection to the challenge store (opened on first use)."""
    path = str(ch.default_path())
    held = st.session_state.get("_challenges")
    if held is None or held[0] != path:
        st.session_state["_challenges"] = (path, ch.connect(path, check_same_thread=False))
    return st.session_state["_challenges"][1]


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("_ch_flash", []).append((kind, text))


def _write(step, lang: str, ok_key: str, **values) -> None:
    """Run a step; its refusal (permission, state, input) becomes a message."""
    try:
        row = step()
    except CoverageError as exc:
        _flash("error", exc.message(lang))
        return
    _flash(
        "success",
        t(ok_key, lang, id=row["challenge_id"], deadline=fmt_date(row["deadline"], lang), **values),
    )


def _proof(prefix: str) -> ch.Proof:
    """The evidence typed in a form (keys ``<prefix>_…``); the photo's size is checked before
    its bytes are read."""
    ss = st.session_state
    upload = ss.get(f"{prefix}_photo")
    photo = None
    if upload is not None:
        ch.check_photo_size(upload.size, upload.name)
        photo = ch.check_photo(upload.getvalue(), upload.name)
    measured = None
    if int(ss.get(f"{prefix}_count") or 0) > 0:
        share = ss.get(f"{prefix}_share")
        measured = ch.MeasurementSummary(
            int(ss[f"{prefix}_count"]),
            ss.get(f"{prefix}_median"),
            None if share is None else float(share) / 100,
            ss.get(f"{prefix}_last"),
            ss.get(f"{prefix}_source") or "",
        )
    return ch.Proof(note=ss.get(f"{prefix}_note") or "", measurements=measured, photo=photo)


def _evidence_inputs(prefix: str, lang: str) -> None:
    st.text_area(t("challenges.note", lang), key=f"{prefix}_note", max_chars=ch.MAX_TEXT)
    st.file_uploader(
        t("challenges.photo", lang), type=["jpg", "jpeg", "png"], key=f"{prefix}_photo"
    )
    with st.expander(t("challenges.measurements", lang)):
        c1, c2 = st.columns(2)
        c1.number_input(
            t("challenges.measurements_count", lang), 0, 1_000_000, 0, 1, key=f"{prefix}_count"
        )
        c2.number_input(
            t("challenges.measurements_median", lang),
            -150.0,
            -20.0,
            None,
            1.0,
            key=f"{prefix}_median",
        )
        c1.number_input(
            t("challenges.measurements_share", lang), 0.0, 100.0, None, 1.0, key=f"{prefix}_share"
        )
        c2.date_input(
            t("challenges.measurements_last", lang),
            None,
            format="DD/MM/YYYY",
            max_value=dt.date.today(),
            key=f"{prefix}_last",
        )
        st.text_input(t("challenges.measurements_source", lang), key=f"{prefix}_source")


# ---------------------------------------------------------------------------------------------
# Callbacks (run before the page, with the values of the last render)
# ---------------------------------------------------------------------------------------------


def _do_raise(village: dict, lang: str, may_deadline: bool) -> None:
    ss = st.session_state
    account = account_ui.current()

    def go():
        return ch.raise_challenge(
            _conn(),
            account,
            village,
            ss["raise_operator"],
            reason=ss.get("raise_reason", ""),
            proof=_proof("raise"),
            deadline=ss.get("raise_deadline") if may_deadline else None,
        )

    _write(
        go,
        lang,
        "challenges.raised_ok",
        village=village["village"],
        operator=OPERATOR_DISPLAY.get(ss["raise_operator"], ss["raise_operator"]),
    )


def _do_answer(challenge_id: int, version: int, lang: str) -> None:
    ss = st.session_state

    def go():
        return ch.answer(
            _conn(),
            account_ui.current(),
            challenge_id,
            ss["answer_value"],
            proof=_proof("answer"),
            expected_version=version,
        )

    _write(go, lang, "challenges.answered_ok")


def _do_deadline(challenge_id: int, version: int, lang: str) -> None:
    def go():
        return ch.set_deadline(
            _conn(),
            account_ui.current(),
            challenge_id,
            st.session_state["new_deadline"],
            expected_version=version,
        )

    _write(go, lang, "challenges.deadline_ok")


def _do_decide(challenge_id: int, version: int, lang: str) -> None:
    ss = st.session_state

    def go():
        return ch.decide(
            _conn(),
            account_ui.current(),
            challenge_id,
            ss["decision_value"],
            note=ss.get("decision_note", ""),
            expected_version=version,
        )

    _write(go, lang, "challenges.decided_ok")


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

scope = app_common.current_scope()
lang = scope.lang
account = scope.account
today = ch.today()
try:
    model = app_common.model_for(scope)
    status = app_common.scoped_status(scope, model)
    conn = _conn()
    seen = pd.concat(
        [ch.challenges(conn, account, province_code=c) for c in scope.codes], ignore_index=True
    )
except CoverageError as exc:
    st.error(md(exc.message(lang)))
    st.stop()
if scope.district is not None:
    seen = seen[seen["district_code"] == scope.district]
if scope.units == "2025" and scope.commune_2025 is not None:
    seen = seen[seen["village_id"].isin(set(status["village_id"]))]
seen = seen.reset_index(drop=True)

st.title(f"{t('challenges.page_title', lang)}: {md(scope.place)}")
st.caption(md(t("challenges.page_intro", lang)))
if model.sources.get("sites", {}).get("synthetic"):
    st.warning(t("challenges.synthetic_note", lang), icon=":material/science:")

for kind, text in st.session_state.pop("_ch_flash", []):
    (st.success if kind == "success" else st.error)(md(text))

opened = ch.open_list(seen, today)
figures = (
    ("challenges.metric_open", len(opened)),
    ("challenges.metric_overdue", int(opened["overdue"].sum())),
    ("challenges.metric_to_decide", int(opened["state"].isin(["accepted", "rebutted"]).sum())),
    ("challenges.metric_decided", int((seen["state"] == "decided").sum())),
)
for col, (key, value) in zip(st.columns(len(figures)), figures, strict=True):
    col.metric(t(key, lang), fmt_number(value, lang), border=True)

# ---------------------------------------------------------------------------------------------
# The open list, by operator and age
# ---------------------------------------------------------------------------------------------

st.header(t("challenges.open_header", lang))
if opened.empty:
    st.caption(t("challenges.none_open", lang))
else:
    st.dataframe(
        ch.export_table(opened, lang, today), hide_index=True, width="stretch", key=f"open_{lang}"
    )


def _xlsx(frame: pd.DataFrame) -> bytes:
    return ch.to_xlsx(frame, ch.steps(conn, account, frame["challenge_id"].tolist()), lang, today)


c1, c2 = st.columns(2)
c1.download_button(
    t("challenges.download_xlsx", lang),
    data=functools.partial(_xlsx, seen),
    file_name=f"phan_anh_{scope.stem}.xlsx",
    mime=XLSX,
    key="dl_ch_xlsx",
    on_click="ignore",
    disabled=seen.empty,
)
c2.download_button(
    t("challenges.download_csv", lang),
    data=functools.partial(ch.to_csv, seen, lang, today),
    file_name=f"phan_anh_{scope.stem}.csv",
    mime="text/csv",
    key="dl_ch_csv",
    on_click="ignore",
    disabled=seen.empty,
)

# ---------------------------------------------------------------------------------------------
# Raise from a village
# ---------------------------------------------------------------------------------------------

st.header(t("challenges.raise_header", lang))
villages = status.drop_duplicates("village_id").sort_values(["commune", "village"])
ids = villages["village_id"].tolist()
labels = dict(
    zip(
        ids,
        (
            f"{v} — {c} ({i})"
            for v, c, i in zip(villages["village"], villages["commune"], ids, strict=True)
        ),
        strict=True,
    )
)
picked = st.session_state.get("selected_village")
with st.container(border=True):
    vid = st.selectbox(
        t("challenges.pick_village", lang),
        ids,
        format_func=labels.get,
        index=ids.index(picked) if picked in ids else 0,
        key="raise_village",
    )
    op = st.selectbox(
        t("challenges.pick_operator", lang),
        OPERATORS,
        format_func=lambda o: OPERATOR_DISPLAY.get(o, o),
        key="raise_operator",
    )
    row = villages[villages["village_id"] == vid].iloc[0] if vid else None
    where = (
        {
            "province_code": str(row["province_code"]),
            "district_code": str(row["district_code"]) if row.get("district_code") else None,
            "operator": op,
        }
        if row is not None
        else {}
    )
    may_raise = row is not None and account_ui.may(account, Action.RAISE_CHALLENGE, **where)
    may_deadline = row is not None and account_ui.may(
        account, Action.SET_CHALLENGE_DEADLINE, **where
    )
    if row is not None:
        shown = bool(row[op])
        claim = "not_covered" if shown else "covered"
        st.markdown(
            md(
                t(
                    "challenges.status_now",
                    lang,
                    operator=OPERATOR_DISPLAY.get(op, op),
                    status=t(
                        "challenges.shown_covered" if shown else "challenges.shown_not_covered",
                        lang,
                    ),
                    claim=t(f"ChallengeClaim.{claim}", lang),
                )
            )
        )
        basis = row.get(f"evidence_{op}")
        if basis in set(Evidence):
            st.caption(
                f"{t('challenges.shown_evidence', lang)}: {enum_label(Evidence(basis), lang)}"
            )
    with st.form("raise_form", border=False):
        st.text_area(t("challenges.reason", lang), key="raise_reason", max_chars=ch.MAX_TEXT)
        _evidence_inputs("raise", lang)
        if may_deadline:
            st.date_input(
                t("challenges.deadline", lang),
                today + dt.timedelta(days=ch.DEFAULT_ANSWER_DAYS),
                min_value=today + dt.timedelta(days=1),
                format="DD/MM/YYYY",
                key="raise_deadline",
            )
        else:
            st.caption(t("challenges.deadline_default", lang, days=ch.DEFAULT_ANSWER_DAYS))
        village_facts = (
            {
                k: (None if pd.isna(row.get(k)) else row.get(k))
                for k in (
                    "village_id",
                    "village",
                    "commune",
                    "commune_code",
                    "district",
                    "district_code",
                    "province",
                    "province_code",
                    op,
                    f"evidence_{op}",
                )
            }
            if row is not None
            else {}
        )
        st.form_submit_button(
            t("challenges.raise_button", lang),
            type="primary",
            disabled=not may_raise,
            on_click=_do_raise,
            args=(village_facts, lang, may_deadline),
        )
    if row is not None and not may_raise:
        st.caption(t("challenges.not_yours", lang))

# ---------------------------------------------------------------------------------------------
# Work on one challenge: its history, the answer, the deadline, the decision
# ---------------------------------------------------------------------------------------------

st.header(t("challenges.work_header", lang))
if seen.empty:
    st.caption(t("challenges.none_open", lang))
else:
    state_words = {str(m): enum_label(m, lang) for m in ChallengeState}
    text = (
        seen["challenge_id"].astype(str)
        + " — "
        + seen["village"]
        + " — "
        + seen["operator"]
        + " — "
        + seen["state"].map(state_words)
    )
    names = dict(zip(seen["challenge_id"].astype(int), text, strict=True))
    first_open = opened["challenge_id"].iloc[0] if len(opened) else seen["challenge_id"].iloc[-1]
    order = list(names)
    cid = st.selectbox(
        t("challenges.pick_challenge", lang),
        order,
        format_func=names.get,
        index=order.index(int(first_open)),
        key="work_challenge",
    )
    c = ch.get(conn, account, cid)
    version = int(c["version"])
    facts = ch.export_table(seen[seen["challenge_id"] == cid], lang, today).iloc[0]
    st.markdown(
        "  \n".join(f"{md(k)}: **{md(v)}**" for k, v in facts.items() if str(v) not in ("", "<NA>"))
    )
    history = ch.steps(conn, account, [cid])
    st.subheader(t("challenges.history_header", lang))
    st.dataframe(ch.steps_table(history, lang), hide_index=True, width="stretch")
    for sha in history["photo_sha256"].dropna().unique():
        pic = ch.photo(conn, account, sha)
        st.download_button(
            t("challenges.download_photo", lang, sha=sha[:12]),
            data=pic.data,
            file_name=pic.name or f"{sha[:12]}.jpg",
            mime=pic.media_type,
            key=f"photo_{sha}",
            on_click="ignore",
        )
    where = {
        "province_code": c["province_code"],
        "district_code": c["district_code"] or None,
        "operator": c["operator"],
    }
    state = ChallengeState(c["state"])
    deadline = dt.date.fromisoformat(c["deadline"])
    if state is ChallengeState.DECIDED:
        st.info(t("challenges.nothing_to_do", lang))
    if state is ChallengeState.OPEN:
        st.caption(t("challenges.waiting_answer", lang, deadline=fmt_date(deadline, lang)))
        if account_ui.may(account, Action.ANSWER_CHALLENGE, **where):
            with st.form("answer_form", border=True):
                st.markdown(f"**{t('challenges.answer_header', lang)}**")
                st.radio(
                    t("challenges.answer", lang),
                    list(ChallengeAnswer),
                    format_func=lambda a: enum_label(a, lang),
                    key="answer_value",
                    horizontal=True,
                )
                _evidence_inputs("answer", lang)
                st.form_submit_button(
                    t("challenges.answer_button", lang),
                    type="primary",
                    on_click=_do_answer,
                    args=(cid, version, lang),
                )
        if account_ui.may(account, Action.SET_CHALLENGE_DEADLINE, **where):
            with st.form("deadline_form", border=True):
                st.markdown(f"**{t('challenges.deadline_header', lang)}**")
                st.date_input(
                    t("challenges.deadline", lang),
                    max(deadline, today) + dt.timedelta(days=1),
                    min_value=today + dt.timedelta(days=1),
                    format="DD/MM/YYYY",
                    key="new_deadline",
                )
                st.form_submit_button(
                    t("challenges.deadline_button", lang),
                    on_click=_do_deadline,
                    args=(cid, version, lang),
                )
    decidable = state in (ChallengeState.ACCEPTED, ChallengeState.REBUTTED) or (
        state is ChallengeState.OPEN and today > deadline
    )
    if decidable and account_ui.may(account, Action.DECIDE_CHALLENGE, **where):
        with st.form("decide_form", border=True):
            st.markdown(f"**{t('challenges.decide_header', lang)}**")
            st.radio(
                t("challenges.decision", lang),
                list(ChallengeDecision),
                format_func=lambda d: enum_label(d, lang),
                key="decision_value",
                horizontal=True,
            )
            st.text_area(t("challenges.note", lang), key="decision_note", max_chars=ch.MAX_TEXT)
            st.form_submit_button(
                t("challenges.decide_button", lang),
                type="primary",
                on_click=_do_decide,
                args=(cid, version, lang),
            )

    st.header(t("challenges.all_header", lang))
    st.dataframe(
        ch.export_table(seen, lang, today), hide_index=True, width="stretch", key=f"all_{lang}"
    )
