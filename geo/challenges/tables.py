"""Challenges and their steps for the screen and the files (catalog words, Vietnamese
formats); CSV and .xlsx written formula-safe through :mod:`geo.cells`."""

from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd

from geo import cells
from geo.challenges.evidence import MeasurementSummary
from geo.challenges.reading import open_list
from geo.i18n import enum_label, fmt_date, fmt_datetime, t
from geo.vocab import (
    ChallengeAnswer,
    ChallengeClaim,
    ChallengeDecision,
    ChallengeState,
    ChallengeStep,
)

# ---------------------------------------------------------------------------------------------
# Tables and exports (labels from the catalog, Vietnamese formats)
# ---------------------------------------------------------------------------------------------


def _label(enum_type, value, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return ""
    return enum_label(enum_type(value), lang)


def _when(value, lang: str) -> str:
    """A stored time as dd/mm/yyyy HH:MM (Vietnam), "" when there is none."""
    return fmt_datetime(value, lang) if isinstance(value, str) and value else ""


def export_table(frame: pd.DataFrame, lang: str, today: dt.date) -> pd.DataFrame:
    """Challenges for the screen and the files: one row each, headers and values in ``lang``,
    dates dd/mm/yyyy, with age and overdue (:func:`open_list`'s rules) for open ones."""
    aged = open_list(frame, today).set_index("challenge_id")
    f = frame.set_index("challenge_id", drop=False)
    yes, no = t("challenges.yes", lang), t("challenges.no", lang)
    shown = (
        f["shown_covered"]
        .astype(bool)
        .map(
            {
                True: t("challenges.shown_covered", lang),
                False: t("challenges.shown_not_covered", lang),
            }
        )
    )
    age = aged["age_days"].reindex(f.index)
    overdue = aged["overdue"].reindex(f.index)
    columns = {
        "challenges.id": f["challenge_id"].astype("int64"),
        "village": f["village"],
        "commune": f["commune"],
        "district": f["district"],
        "province": f["province"],
        "village_id": f["village_id"],
        "operator": f["operator"],
        "challenges.shown": shown,
        "challenges.claim": f["claim"].map(lambda v: _label(ChallengeClaim, v, lang)),
        "challenges.reason": f["reason"],
        "challenges.state": f["state"].map(lambda v: _label(ChallengeState, v, lang)),
        "challenges.raised_on": f["raised_at"].map(lambda v: fmt_datetime(v, lang)),
        "challenges.raised_by": f["raised_by"],
        "challenges.deadline": f["deadline"].map(lambda v: fmt_date(v, lang)),
        "challenges.age_days": age.astype("Int64"),
        "challenges.overdue": overdue.map({True: yes, False: no}).fillna(""),
        "challenges.answer": f["answer"].map(lambda v: _label(ChallengeAnswer, v, lang)),
        "challenges.answered_by": f["answered_by"].fillna(""),
        "challenges.answered_on": f["answered_at"].map(lambda v: _when(v, lang)),
        "challenges.decision": f["decision"].map(lambda v: _label(ChallengeDecision, v, lang)),
        "challenges.decided_by": f["decided_by"].fillna(""),
        "challenges.decided_on": f["decided_at"].map(lambda v: _when(v, lang)),
    }
    out = pd.DataFrame({t(k, lang): v.reset_index(drop=True) for k, v in columns.items()})
    return out


def steps_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The steps (from :func:`steps`) for the screen and the files, in ``lang``."""

    def value(step: str, v: str) -> str:
        kind = ChallengeStep(step)
        if kind is ChallengeStep.RAISE:
            return _label(ChallengeClaim, v, lang)
        if kind is ChallengeStep.ANSWER:
            return _label(ChallengeAnswer, v, lang)
        if kind is ChallengeStep.DECIDE:
            return _label(ChallengeDecision, v, lang)
        return fmt_date(v, lang)

    def measured(text: str | None) -> str:
        m = MeasurementSummary.from_json(text)
        return m.describe(lang) if m is not None else ""

    columns = {
        "challenges.id": frame["challenge_id"].astype("int64"),
        "village": frame.get("village", pd.Series("", index=frame.index)),
        "operator": frame.get("operator", pd.Series("", index=frame.index)),
        "challenges.step": frame["step"].map(lambda v: _label(ChallengeStep, v, lang)),
        "challenges.step_value": [
            value(s, v) for s, v in zip(frame["step"], frame["value"], strict=True)
        ],
        "challenges.note": frame["note"],
        "challenges.measurements": frame["measurements"].map(measured),
        "challenges.photo_sha256": frame["photo_sha256"].fillna(""),
        "challenges.who": frame["user"],
        "challenges.role": frame["role"],
        "challenges.at": frame["at"].map(lambda v: fmt_datetime(v, lang)),
    }
    return pd.DataFrame(
        {t(k, lang): pd.Series(v).reset_index(drop=True) for k, v in columns.items()}
    )


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
