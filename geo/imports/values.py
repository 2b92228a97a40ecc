"""Cell values and the issues raised on them: text, yes/no marks, operators, technologies in
one-column-per-value layouts, empty and repeated rows. Every issue is a small frame (row position,
severity, field, en, vi, value) that :mod:`geo.imports.review` turns into the report.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from unidecode import unidecode

from geo.operators import canonical_operator

_TRUE_MARKS = {"x", "co", "yes", "y", "1", "true", "ok", "v", "da co", "co ftth", "+"}


_FALSE_MARKS = {"", "0", "khong", "no", "n", "false", "chua", "chua co", "-", "khong co"}


def _issue(
    rows: pd.DataFrame,
    mask: np.ndarray | pd.Series,
    severity: str,
    field_label: str | None,
    en: str | pd.Series,
    vi: str | pd.Series,
    values: pd.Series | None = None,
) -> pd.DataFrame:
    """Issues for the rows under ``mask`` (positions in ``rows``), as a frame."""
    mask = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(mask)
    if not len(idx):
        return pd.DataFrame(columns=["idx", "severity", "field", "en", "vi", "value"])

    def pick(v):
        if isinstance(v, pd.Series):
            return v.to_numpy(dtype=object)[idx]
        return v

    return pd.DataFrame(
        {
            "idx": idx,
            "severity": severity,
            "field": field_label,
            "en": pick(en),
            "vi": pick(vi),
            "value": None
            if values is None
            else pd.Series(values).astype("string").to_numpy(dtype=object)[idx],
        }
    )


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; numbers without a trailing ".0"; missing and blank as <NA>."""
    t = pd.Series(values, copy=False).astype("string").str.strip()
    t = t.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return t.mask(t == "")


def _marks(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Yes/no marks ("x", "có", "1" / "", "không", "0"): (true, unreadable)."""
    text = _text(values).fillna("")
    key = _map_unique(
        text,
        lambda v: " ".join(
            re.findall(r"[a-z0-9+\-]+", unidecode(re.sub("[✓✔☑√]", "x", v)).lower())
        ),
    )
    true = key.isin(_TRUE_MARKS).to_numpy()
    false = key.isin(_FALSE_MARKS).to_numpy()
    return true, ~true & ~false


def _map_unique(text: pd.Series, func) -> pd.Series:
    """``func`` of each distinct value, spread back to every row (object values kept as they
    are: lists stay lists); missing values give None."""
    codes, uniques = pd.factorize(text)
    lookup = np.empty(len(uniques) + 1, dtype=object)
    for i, v in enumerate(uniques):
        lookup[i] = func(str(v))
    lookup[-1] = None
    return pd.Series(lookup[codes], index=text.index, dtype=object)


def _split_operators(v: str) -> list[str] | None:
    one = canonical_operator(v)
    if one:
        return [one]
    parts = [p for p in re.split(r"\s*(?:[,;/&+|]|\bvà\b|\bva\b|\band\b)\s*", v) if p]
    found = [canonical_operator(p) for p in parts]
    return list(dict.fromkeys(found)) if parts and all(found) else None


def _operators(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Canonical operators per cell, as lists ("Viettel, VNPT" → ["Viettel", "VNPT"]); and a
    mask of non-empty cells naming an unknown operator."""
    text = _text(values)
    mapped = _map_unique(text, _split_operators)
    bad = (text.notna() & mapped.isna()).to_numpy()
    return mapped, bad


def _wide_lists(rows: pd.DataFrame, prefix: str) -> tuple[pd.Series | None, list[pd.DataFrame]]:
    """Lists of the operators (or technologies) marked in one-column-per-value layouts."""
    wide = [c for c in rows.columns if c.startswith(prefix + ":")]
    if not wide:
        return None, []
    out = pd.Series([[] for _ in range(len(rows))], index=rows.index, dtype=object)
    issues = []
    for c in wide:
        true, bad = _marks(rows[c])
        name = c.split(":", 1)[1]
        out = out.where(~true, out.map(lambda lst, n=name: [*lst, n]))
        issues.append((c, bad))
    return out, issues


def _mark_issues(
    rows: pd.DataFrame, labels: dict[str, str], wide_issues: list[tuple[str, np.ndarray]]
) -> list[pd.DataFrame]:
    """Issues for the unreadable marks of :func:`_wide_lists`' columns."""
    return [
        _issue(
            rows,
            bad,
            "error",
            labels[c],
            "write x (or leave empty)",
            "hãy ghi x (hoặc để trống)",
            rows[c],
        )
        for c, bad in wide_issues
    ]


def _operator_column(
    rows: pd.DataFrame, labels: dict[str, str], en: str, vi: str
) -> tuple[pd.Series, pd.DataFrame]:
    """The operators of the ``operator`` column (see :func:`_operators`) and the issue
    (``en``/``vi``) for its cells naming an unknown operator."""
    ops, bad = _operators(rows["operator"])
    return ops, _issue(rows, bad, "error", labels["operator"], en, vi, rows["operator"])


def _village_names(rows: pd.DataFrame, labels: dict[str, str]) -> tuple[pd.Series, pd.DataFrame]:
    """The ``village`` column as text (see :func:`_text`) and the issue for empty names."""
    village = _text(rows["village"])
    return village, _issue(
        rows,
        village.isna().to_numpy(),
        "error",
        labels["village"],
        "the village name is empty",
        "tên thôn/bản bị trống",
    )


def _ambiguous_villages(
    rows: pd.DataFrame, vm: pd.DataFrame, label: str, mask: np.ndarray | bool = True
) -> pd.DataFrame:
    """The issue for rows (under ``mask``) whose village name fits several villages of the
    commune (``vm`` from :func:`_village_matches`)."""
    return _issue(
        rows,
        (vm["village_match_status"] == "ambiguous").to_numpy() & mask,
        "review",
        label,
        "the village name fits several villages of the commune ("
        + vm["village_candidate_names"].astype(str).str.replace("|", ", ")
        + "): choose one",
        "tên thôn khớp với nhiều thôn của xã ("
        + vm["village_candidate_names"].astype(str).str.replace("|", ", ")
        + "): hãy chọn một",
        rows["village"],
    )


def _duplicates(
    out: pd.DataFrame, key: pd.Series, rows: pd.DataFrame, label: str, en: str, vi: str
) -> pd.DataFrame:
    dup = key.duplicated(keep="first") & key.notna()
    first = rows["source_row"].groupby(key.to_numpy()).transform("min")
    return _issue(
        rows,
        dup.to_numpy(),
        "error",
        label,
        en + " (row " + first.astype(str) + ")",
        vi + " (dòng " + first.astype(str) + ")",
        key,
    )


def _repeated(
    rows: pd.DataFrame,
    keys: pd.Series,
    field_label: str,
    what_en: str,
    what_vi: str,
    values: pd.Series | None = None,
    severity: str = "review",
    fix: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Issues for rows that repeat an earlier row of the file: ``keys`` holds, per row, the
    key (or list of keys) it is stored under (None when it has none). Each later row is put in
    review naming the earlier one, since the store keeps one record per key; accepted, the
    later row replaces it. ``fix`` is (en, vi) what to do instead, when accepting is not a
    way out (``severity="error"``)."""
    listed = keys.map(
        lambda v: (
            [k for k in v if k is not None]
            if isinstance(v, list)
            else ([] if v is None or v is pd.NA or (isinstance(v, float) and v != v) else [v])
        )
    )
    pairs = listed.explode().dropna()
    if not len(pairs):
        return _issue(rows, np.zeros(len(rows), dtype=bool), severity, field_label, "", "")
    frame = pd.DataFrame({"pos": pairs.index.to_numpy(dtype=int), "key": pairs.to_numpy()})
    frame = frame.drop_duplicates()
    frame["first"] = frame.groupby("key")["pos"].transform("min")
    later = frame[frame["pos"] != frame["first"]]
    earliest = later.groupby("pos")["first"].min()
    mask = np.zeros(len(rows), dtype=bool)
    mask[earliest.index.to_numpy(dtype=int)] = True
    first_row = pd.Series("", index=rows.index, dtype=object)
    src = rows["source_row"].to_numpy()
    first_row.iloc[earliest.index.to_numpy(dtype=int)] = [
        str(int(src[i])) for i in earliest.to_numpy(dtype=int)
    ]
    if fix is None:
        fix_en = "Correct the file, or accept this row to store it in place of row " + first_row
        fix_vi = "Hãy sửa tệp, hoặc chấp nhận để lưu dòng này thay cho dòng " + first_row
    else:
        fix_en, fix_vi = fix
    return _issue(
        rows,
        mask,
        severity,
        field_label,
        what_en + " as row " + first_row + ": the store keeps one record of them. " + fix_en,
        what_vi + " với dòng " + first_row + ": kho dữ liệu chỉ giữ một bản ghi. " + fix_vi,
        values,
    )


def _loc_label(labels: dict) -> str:
    for f in ("lat", "y", "northing", "coords", "lon", "x", "easting"):
        if f in labels:
            return labels[f]
    return "geometry"


def _operator_list(values: pd.Series) -> pd.Series:
    return values.map(
        lambda v: (
            list(v)
            if isinstance(v, list | tuple | np.ndarray)
            else ([] if v is None or v is pd.NA or v != v else [v])
        )
    )
