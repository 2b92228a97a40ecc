"""Spreadsheet-safe text: data written to CSV or .xlsx never becomes a formula.

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return followed by one of them) as a formula: a village named
``=HYPERLINK("http://…","Bấm vào đây")`` written as is into a CSV is a live link when the file is
opened in Excel (OWASP: CSV injection). This module is the one place that decides how such text
is written:

* CSV (:func:`safe_cell`, :func:`safe_frame`): a *string* starting with one of
  :data:`FORMULA_PREFIXES` gets a leading single quote ``'`` (Excel shows the text, the quote is
  not shown). Numbers stay numbers: a float ``-2.5`` is written as ``-2.5``; only text is
  changed.
* .xlsx: the text is kept exactly and written with the string type, never as a formula:
  :data:`XLSXWRITER_OPTIONS` for :class:`xlsxwriter.Workbook` (and ``pandas.ExcelWriter(...,
  engine="xlsxwriter", engine_kwargs=xlsxwriter_engine_kwargs())``), and
  :func:`openpyxl_text_cells` for a worksheet written with openpyxl (``DataFrame.to_excel``
  with ``engine="openpyxl"`` stores ``"=…"`` as a formula unless told otherwise).

Nothing here imports xlsxwriter or openpyxl at module level.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "XLSXWRITER_OPTIONS",
    "is_formula_like",
    "openpyxl_text_cells",
    "safe_cell",
    "safe_frame",
    "to_csv",
    "xlsxwriter_engine_kwargs",
]

#: First characters that make a spreadsheet program read a cell as a formula (OWASP).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: The text prefixed to such a string in CSV: Excel and LibreOffice show the rest as text.
QUOTE = "'"

#: Options for :class:`xlsxwriter.Workbook`: strings stay strings (no formulas, no links made
#: from text that looks like a URL, no numbers made from text that looks like one).
XLSXWRITER_OPTIONS: dict[str, bool] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def is_formula_like(value: Any) -> bool:
    """Whether ``value`` is a string a spreadsheet would read as a formula.

    Parameters
    ----------
    value
        Any cell value.

    Returns
    -------
    bool
        True for a ``str`` starting with one of :data:`FORMULA_PREFIXES`; False for numbers,
        dates, missing values and other strings.
    """
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that cannot run as a formula.

    Parameters
    ----------
    value
        Any cell value.

    Returns
    -------
    object
        ``"'" + value`` for a formula-like string (:func:`is_formula_like`); ``value`` itself
        otherwise (a float ``-2.0`` stays the number ``-2.0``).

    Examples
    --------
    >>> safe_cell('=HYPERLINK("http://x","Bấm vào đây")')
    '\\'=HYPERLINK("http://x","Bấm vào đây")'
    >>> safe_cell(-2.0)
    -2.0
    """
    return QUOTE + value if is_formula_like(value) else value


def _safe_series(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    elif not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
        return s  # numbers, booleans, dates: never text
    # ``.str`` gives NA for the non-strings of an object column, so numbers stored there
    # (an int -2, a float -2.5) are left as they are.
    try:
        hit = s.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
    except AttributeError:  # an object column holding no string at all (numbers, None)
        return s
    if not hit.any():
        return s
    out = s.copy()
    out[hit] = QUOTE + s[hit].astype(str)
    return out


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` ready for ``to_csv``: formula-like strings quoted (:func:`safe_cell`).

    Only text columns (object, string, category) are looked at; within them only ``str``
    values change. Column names are made safe the same way. The frame itself is not changed.

    Parameters
    ----------
    df
        Any frame (a GeoDataFrame's geometry column is left alone).

    Returns
    -------
    pandas.DataFrame
        A new frame of the same shape, index and dtypes (category columns become object).
    """
    out = df.copy()
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        if getattr(s, "dtype", None) is not None and str(s.dtype) == "geometry":
            continue
        safe = _safe_series(s)
        if safe is not s:
            out.isetitem(i, safe)
    if any(is_formula_like(c) for c in out.columns):
        out.columns = [safe_cell(c) for c in out.columns]
    return out


def xlsxwriter_engine_kwargs() -> dict[str, dict[str, bool]]:
    """``engine_kwargs`` for ``pandas.ExcelWriter(..., engine="xlsxwriter")``: strings stay
    strings (:data:`XLSXWRITER_OPTIONS`)."""
    return {"options": dict(XLSXWRITER_OPTIONS)}


def openpyxl_text_cells(ws) -> int:
    """Make every formula-like string of an openpyxl worksheet a plain string cell.

    openpyxl stores a value starting with ``=`` as a formula (``data_type "f"``); this sets the
    data type of such cells back to ``"s"``, so the text is written exactly, as text. Call it
    on each sheet after ``DataFrame.to_excel(..., engine="openpyxl")`` and before saving.

    Parameters
    ----------
    ws
        An :class:`openpyxl.worksheet.worksheet.Worksheet`.

    Returns
    -------
    int
        How many cells were changed.
    """
    changed = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.data_type = "s"
                changed += 1
    return changed


def to_csv(df: pd.DataFrame, path_or_buf: Any = None, **kwargs: Any) -> str | None:
    """Write ``df`` as CSV the safe way: formula-like text quoted (:func:`safe_frame`) and rows
    ended by CRLF (RFC 4180), so a value holding a bare carriage return or line feed is quoted
    and stays in its row when read back.

    Parameters
    ----------
    df
        The frame to write.
    path_or_buf
        As :meth:`pandas.DataFrame.to_csv`; None returns the text.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (``index`` defaults to False).

    Returns
    -------
    str or None
        The CSV text when ``path_or_buf`` is None.
    """
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\r\n")
    return safe_frame(df).to_csv(path_or_buf, **kwargs)
