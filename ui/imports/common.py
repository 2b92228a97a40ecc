"""What every section of the import page shares: its words (:func:`tr`), safe Markdown
(:func:`md`), the page's session state, kept widgets, problem tables and small formats.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd
import streamlit as st

from geo import i18n, imports
from geo.errors import CoverageError, InputError, Problem
from geo.readers import columns as cols
from geo.readers import coords, tables, vector

#: The page's words: the catalog's ``"imp.<key>"`` entries (:data:`geo.i18n.LABELS`), by key.
LABELS: dict[str, dict[str, str]] = {
    k.removeprefix("imp."): v for k, v in i18n.LABELS.items() if k.startswith("imp.")
}


#: The file types each kind accepts (Streamlit's uploader wants them without the dot).
KIND_EXTS: dict[str, tuple[str, ...]] = {
    "sites": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "villages": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "fibre": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "unserved": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS),
    "coverage": (*vector.VECTOR_EXTS, *vector.RASTER_EXTS),
}


TECHNOLOGIES = ("2G", "3G", "4G", "5G")


SECTIONS = ("import", "place", "history")


_VN_TIME = dt.timezone(dt.timedelta(hours=7))


_STATE = "imp"


#: Where the sidebar keeps the planner's name ("Người thực hiện (họ tên)"): the value of
#: :func:`ui.app_common._kept` for its text input "planner".
PLANNER_KEY = "kept_planner"


def tr(key: str, lang: str = "vi", **values) -> str:
    """The page's label ``key`` (the catalog's ``"imp.<key>"``) in ``lang``, placeholders
    filled from ``values``."""
    return i18n.t(f"imp.{key}", "en" if lang == "en" else "vi", **values)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


def md(text: object) -> str:
    """Text from a file, safe inside Markdown: HTML escaped, Markdown and LaTeX marks
    backslashed (``<script>`` shows as text, ``:red[x]`` and ``$x$`` are not rendered).

    >>> md("<b>Bản *Mới*</b>")
    '&lt;b&gt;Bản \\\\*Mới\\\\*&lt;/b&gt;'
    """
    return html.escape(_MD_SPECIAL.sub(r"\\\1", str(text)), quote=True)


def _kept(widget, name: str, label: str, lang: str, *args, default=None, container=None, **kwargs):
    """A widget whose value survives a language switch and a visit to another page.

    The value is kept in ``st.session_state["imp_kept_" + name]`` and given to the widget
    through its key (never both a default and a key, which Streamlit warns about).
    """
    container = container or st
    store = f"{_STATE}_kept_{name}"
    current = st.session_state.get(store, default)
    key = f"{_STATE}_{name}_{lang}"
    if widget in ("selectbox", "radio"):
        options = list(args[0])
        if st.session_state.get(key, "__unset__") not in options:
            st.session_state[key] = current if current in options else options[0]
        if widget == "selectbox":
            kwargs.setdefault("placeholder", tr("placeholder", lang))
        value = getattr(container, widget)(label, options, key=key, **kwargs)
    else:
        if key not in st.session_state:
            st.session_state[key] = current or ""
        value = container.text_input(label, key=key, **kwargs)
    st.session_state[store] = value
    return value


def planner_name(scope=None) -> str:
    """The planner's name as given in the sidebar (``st.session_state[PLANNER_KEY]``), or the
    scope's; "" until given."""
    name = st.session_state.get(PLANNER_KEY) or getattr(scope, "planner", "") or ""
    return str(name).strip()


def _state() -> dict:
    return st.session_state.setdefault(_STATE, {"uploader": 0})


def _reset(state: dict, *, uploader: bool = False) -> None:
    counter = state.get("uploader", 0) + (1 if uploader else 0)
    state.clear()
    state["uploader"] = counter


def _error_block(exc: CoverageError, lang: str, title: str | None = None) -> None:
    """An error: its message, and every problem of it as a table (file, sheet, row, field)."""
    head = exc.message_vi if lang == "vi" else exc.message_en
    where = Problem(head, head, exc.file, exc.sheet, exc.row, exc.field).where(lang)
    text = f"{where}: {head}" if where else head
    st.error((f"**{md(title)}**  \n" if title else "") + md(text), icon=":material/error:")
    if exc.problems:
        _problem_table(exc.problems, lang)


def _problem_table(problems: list[Problem], lang: str) -> None:
    frame = pd.DataFrame(
        {
            tr("col_file", lang): [p.file for p in problems],
            tr("col_sheet", lang): [p.sheet for p in problems],
            tr("col_row", lang): pd.array([p.row for p in problems], dtype="Int64"),
            tr("col_field", lang): [p.field for p in problems],
            tr("col_message", lang): [
                p.message_vi if lang == "vi" else p.message_en for p in problems
            ],
            tr("col_value", lang): [p.value for p in problems],
        }
    )
    frame = frame.dropna(axis=1, how="all")
    st.dataframe(frame, hide_index=True, width="stretch")


def _field_label(f: str, lang: str) -> str:
    base, _, sub = f.partition(":")
    spec = cols.FIELDS.get(base)
    name = (spec[0] if lang == "vi" else spec[1]) if spec else base
    return f"{name}: {sub}" if sub else name


def _required_fields(kind: str) -> set[str]:
    out = set()
    for alts in cols.REQUIRED.get(kind, ()):
        for a in alts:
            out |= {"lon", "lat", "x", "y"} if a == "location" else {a}
    return out


def _match_text(status, score, lang: str) -> str:
    if status is None or (isinstance(status, float) and pd.isna(status)) or status == "":
        return ""
    key = f"match_{status}"
    if key not in LABELS:
        return str(status)
    if status == "fuzzy":
        return tr(key, lang, score="" if pd.isna(score) else f"{float(score):.0f}")
    return tr(key, lang)


def _crs_label(epsg: int, lang: str, province_epsg: int | None) -> str:
    mine = tr("crs_province", lang) if epsg == province_epsg else ""
    if epsg == coords.WGS84:
        return f"{tr('crs_wgs84', lang)} (EPSG:4326)"
    for meridian, code in coords.VN2000_TM3.items():
        if code == epsg:
            d = int(meridian)
            m = f"{d}°{round((meridian - d) * 60):02d}'"
            return f"{tr('crs_tm3', lang, m=m)}{mine} (EPSG:{epsg})"
    for zone, code in coords.VN2000_UTM.items():
        if code == epsg:
            return f"{tr('crs_utm', lang, z=zone)} (EPSG:{epsg})"
    if epsg in (32648, 32649):
        return f"{tr('crs_wgs_utm', lang, z=epsg - 32600)} (EPSG:{epsg})"
    try:
        from pyproj import CRS

        return f"{CRS.from_epsg(epsg).name} (EPSG:{epsg})"
    except Exception:  # any code PROJ does not know is shown by its number
        return f"EPSG:{epsg}"


def _vn_time(iso: str | None) -> str:
    if not iso or (isinstance(iso, float) and pd.isna(iso)):
        return ""
    try:
        t = dt.datetime.fromisoformat(str(iso).replace(" ", "T"))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)  # SQLite's CURRENT_TIMESTAMP is UTC
    return t.astimezone(_VN_TIME).strftime("%d/%m/%Y %H:%M")


def _fmt_deg(v: float, lang: str) -> str:
    text = f"{v:.6f}"
    return text.replace(".", ",") if lang == "vi" else text


def _stage(state: dict, raw: bytes, filename: str, kind: str, data, store, **options) -> None:
    state.pop("error", None)
    try:
        state["staged"] = imports.stage(
            raw, filename, kind, data, store=store, on_error="skip", **options
        )
        state["version"] = state.get("version", 0) + 1
    except InputError as exc:  # ColumnMappingError included
        state.pop("staged", None)
        state["error"] = exc
