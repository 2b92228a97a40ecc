"""Challenges and their steps for the screen and the files (catalog words, Vietnamese
formats); CSV and .xlsx written formula-safe through :mod:`geo.cells`."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from geo import cells
from geo.challenges.evidence import MeasurementSummary
from geo.challenges.reading import open_list
from geo.i18n import VN_TIME, enum_label, t
from geo.vocab import (
    ChallengeAnswer,
    ChallengeClaim,
    ChallengeDecision,
    ChallengeState,
    ChallengeStep,
    Evidence,
)

# ---------------------------------------------------------------------------------------------
# Tables and exports (labels from the catalog, Vietnamese formats), whole columns at once
# ---------------------------------------------------------------------------------------------


def _labels(values: pd.Series, enum_types, lang: str) -> pd.Series:
    """Each value's label in ``lang`` ("" for a missing one)."""
    words = {str(m): enum_label(m, lang) for e in enum_types for m in e}
    return values.map(words).fillna("")


def _dates(values: pd.Series) -> pd.Series:
    """ISO dates as dd/mm/yyyy ("" when missing)."""
    return pd.to_datetime(values, errors="coerce").dt.strftime("%d/%m/%Y").fillna("")


def _times(values: pd.Series) -> pd.Series:
    """Stored UTC times as dd/mm/yyyy HH:MM in Vietnam's time ("" when missing)."""
    ts = pd.to_datetime(values, utc=True, errors="coerce").dt.tz_convert(VN_TIME)
    return ts.dt.strftime("%d/%m/%Y %H:%M").fillna("")


def _frame(columns: dict, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {t(k, lang): pd.Series(v).reset_index(drop=True) for k, v in columns.items()}
    )


def export_table(frame: pd.DataFrame, lang: str, today: dt.date) -> pd.DataFrame:
    """Challenges for the screen and the files: one row each, in the frame's order, headers and
    values in ``lang``, dates dd/mm/yyyy, with age and overdue (:func:`open_list`'s rules)
    for the open ones.

    Parameters
    ----------
    frame
        Challenges (:func:`geo.challenges.challenges`, or :func:`open_list` of them).
    lang
        ``"vi"`` or ``"en"``.
    today
        The day ages and overdue are counted at (:func:`geo.challenges.today`).
    """
    aged = open_list(frame, today).set_index("challenge_id")
    f = frame.set_index("challenge_id", drop=False)
    covered = f["shown_covered"].astype(bool)
    shown = covered.map(
        {True: t("challenges.shown_covered", lang), False: t("challenges.shown_not_covered", lang)}
    )
    overdue = aged["overdue"].reindex(f.index)
    yes_no = {True: t("challenges.yes", lang), False: t("challenges.no", lang)}
    columns = {
        "challenges.id": f["challenge_id"].astype("int64"),
        "village": f["village"],
        "commune": f["commune"],
        "district": f["district"],
        "province": f["province"],
        "village_id": f["village_id"],
        "operator": f["operator"],
        "challenges.shown": shown,
        "challenges.shown_evidence": _labels(f["shown_evidence"], [Evidence], lang),
        "challenges.claim": _labels(f["claim"], [ChallengeClaim], lang),
        "challenges.reason": f["reason"],
        "challenges.state": _labels(f["state"], [ChallengeState], lang),
        "challenges.raised_on": _times(f["raised_at"]),
        "challenges.raised_by": f["raised_by"],
        "challenges.deadline": _dates(f["deadline"]),
        "challenges.age_days": aged["age_days"].reindex(f.index).astype("Int64"),
        "challenges.overdue": overdue.map(yes_no).fillna(""),
        "challenges.answer": _labels(f["answer"], [ChallengeAnswer], lang),
        "challenges.answered_by": f["answered_by"].fillna(""),
        "challenges.answered_on": _times(f["answered_at"]),
        "challenges.decision": _labels(f["decision"], [ChallengeDecision], lang),
        "challenges.decided_by": f["decided_by"].fillna(""),
        "challenges.decided_on": _times(f["decided_at"]),
    }
    return _frame(columns, lang)


def steps_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The steps (from :func:`geo.challenges.steps`) for the screen and the files, in
    ``lang``: the step, its value (the claim, the answer, the decision, or the new deadline),
    the note, the measurement summary, the photo's SHA-256, who, their role, when."""
    value = _labels(frame["value"], [ChallengeClaim, ChallengeAnswer, ChallengeDecision], lang)
    is_deadline = frame["step"] == str(ChallengeStep.DEADLINE)
    value = value.where(~is_deadline, _dates(frame["value"].where(is_deadline)))
    held = frame["measurements"].notna()
    measured = pd.Series("", index=frame.index, dtype=object)
    measured[held] = [
        MeasurementSummary.from_json(x).describe(lang) for x in frame.loc[held, "measurements"]
    ]
    blank = pd.Series("", index=frame.index, dtype=object)
    columns = {
        "challenges.id": frame["challenge_id"].astype("int64"),
        "village": frame.get("village", blank),
        "operator": frame.get("operator", blank),
        "challenges.step": _labels(frame["step"], [ChallengeStep], lang),
        "challenges.step_value": value,
        "challenges.note": frame["note"],
        "challenges.measurements": measured,
        "challenges.photo_sha256": frame["photo_sha256"].fillna(""),
        "challenges.who": frame["user"],
        "challenges.role": frame["role"],
        "challenges.at": _times(frame["at"]),
    }
    return _frame(columns, lang)


def to_csv(frame: pd.DataFrame, lang: str, today: dt.date) -> str:
    """The challenges as CSV text (:func:`export_table`), formula-like text quoted
    (:func:`geo.cells.to_csv`)."""
    return cells.to_csv(export_table(frame, lang, today))


def to_xlsx(frame: pd.DataFrame, step_frame: pd.DataFrame, lang: str, today: dt.date) -> bytes:
    """The challenges and their steps as an .xlsx workbook (two sheets); every text cell is
    written as text, never as a formula (:func:`geo.cells.xlsxwriter_engine_kwargs`)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf, engine="xlsxwriter", engine_kwargs=cells.xlsxwriter_engine_kwargs()
    ) as writer:
        for key, table in (
            ("challenges.sheet_list", export_table(frame, lang, today)),
            ("challenges.sheet_steps", steps_table(step_frame, lang)),
        ):
            name = t(key, lang)
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes(1, 0)
            for i, column in enumerate(table.columns):
                sheet.set_column(i, i, min(60, max(10, len(str(column)) + 2)))
    return buf.getvalue()
