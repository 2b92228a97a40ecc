"""What every page of the Streamlit app shares: the sidebar, the chosen scope, the cached models,
the assignment register.

This is the app's edge (with ``app.py`` and ``ui/pages/``): Streamlit lives in ``ui`` only, and
this is where loaded provinces and built models are cached (``st.cache_*``). The models
themselves are assembled by :func:`geo.workspace.build`, the same assembly as the command line's.
Pages call :func:`current_scope` for the sidebar's choices of this run and :func:`model_for` for
the model.

Units before / from 01/07/2025: in the new units there is no district level. A new province is
made of one or more old ones (:func:`geo.units2025.provinces_2025_table`); its model is built
from all of them (:func:`merged_province`), and its figures come from
:func:`geo.units2025.indicators_2025`. Demo site and fibre layers exist only for Điện Biên and Lai
Châu (each a new province of its own); other provinces show units and villages only, and the
sidebar says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import assignments as asg
from geo import (
    auth,
    indicators,
    measurements,
    pipeline,
    plans,
    province,
    units,
    units2025,
    workspace,
)
from geo.coverage import DEFAULT_RADII_M
from geo.errors import CoverageError
from geo.names import strip_prefix, vietnamese_sort_key, vietnamese_sort_keys
from geo.store.assignments import Connection
from geo.vocab import UnitSystem
from layers.i18n import LANGS, t
from ui import account as account_ui

__all__ = [
    "LANG_NAMES",
    "PAGES",
    "PROVINCES_WITH_DATA",
    "UNITS",
    "Scope",
    "assignments_for",
    "build_model",
    "current_scope",
    "decision_default",
    "empty_assignments",
    "indicators_for",
    "load_province",
    "md",
    "merged_province",
    "model_for",
    "pages",
    "planner_session",
    "proposals_for",
    "register_conn",
    "register_exists",
    "scoped_status",
    "served_index",
    "sidebar",
]

ROOT = Path(__file__).resolve().parent.parent

#: Provinces (pre-2025 GSO codes) with demo site and fibre layers, listed first.
PROVINCES_WITH_DATA = ("11", "12")
YEARS = (None, 2020, 2021, 2022, 2023, 2024, 2025)
TECHNOLOGIES = ("2G", "3G", "4G", "5G")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
UNITS = ("pre2025", "2025")

#: The pages, in the order of the menu: (file under the repository, label key, icon, URL path).
#: A page file in ``ui/pages/`` that is not listed here is added after them, titled by its name.
PAGES: list[tuple[str, str, str, str]] = [
    ("ui/pages/ban_do.py", "page_map", ":material/map:", "ban-do"),
    ("ui/pages/nhap_du_lieu.py", "page_imports", ":material/upload_file:", "nhap-du-lieu"),
    ("ui/pages/do_kiem.py", "evidence.page_title", ":material/network_check:", "do-kiem"),
    ("ui/pages/phan_cong.py", "page_assignments", ":material/assignment:", "phan-cong"),
    ("ui/pages/phan_anh.py", "challenges.page_title", ":material/rate_review:", "phan-anh"),
    ("ui/pages/quan_tri.py", "page_admin", ":material/admin_panel_settings:", "quan-tri"),
    ("ui/pages/bao_cao.py", "report.page_title", ":material/summarize:", "bao-cao"),
    ("ui/pages/toan_quoc.py", "national.page", ":material/public:", "toan-quoc"),
]


#: Page titles not (yet) in :mod:`layers.i18n`'s catalog.
_PAGE_TITLES = {"page_admin": {"vi": "Quản trị", "en": "Admin"}}

_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


def md(text) -> str:
    """``text`` (data: a name, a reason, a message) escaped for Streamlit's Markdown: every
    character Markdown or Streamlit's directives (``:red[…]``, ``:material/…:``) would read is
    backslash-escaped, and HTML is not rendered (``unsafe_allow_html`` stays off)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


# ---------------------------------------------------------------------------------------------
# The scope: what the sidebar chose
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Scope:
    """The sidebar's choices of this run.

    Attributes
    ----------
    units
        ``"pre2025"`` or ``"2025"``.
    province_code, province
        The province in the chosen units (a pre-2025 GSO code, or a 2025 code).
    codes
        The pre-2025 provinces the model holds (one in the old units; those the new province is
        made of in the new ones).
    district, district_name
        Pre-2025 units only: the district (3-digit code) or None for the whole province.
    commune_2025, commune_2025_name
        2025 units only: the new commune or None for the whole province.
    planner
        The signed-in account's name (the demo's in the single-user demo).
    account
        The acting account (:func:`ui.account.acting_account`): every write takes it.
    """

    lang: str
    units: str
    province_code: str
    province: str
    codes: tuple[str, ...]
    district: str | None
    district_name: str | None
    commune_2025: str | None
    commune_2025_name: str | None
    year: int | None
    radii: tuple[tuple[str, float], ...]
    sharing_distance: float
    planner: str
    account: auth.Account = dataclasses.field(default_factory=auth.demo_account)

    @property
    def model_key(self) -> tuple:
        """What identifies the model (for caches)."""
        return (self.codes, self.year, self.radii, float(self.sharing_distance),
                planner_key(self.codes))

    @property
    def place(self) -> str:
        """The scope as a title: "Huyện Mường Nhé, Tỉnh Điện Biên", "Xã Sín Chải, Tỉnh Điện
        Biên"."""
        sub = self.district_name if self.units == "pre2025" else self.commune_2025_name
        return f"{sub}, {self.province}" if sub else self.province

    @property
    def stem(self) -> str:
        """A file-name stem: province, units, district or commune and year."""
        unit = "2025_" if self.units == "2025" else ""
        sub = self.district or self.commune_2025
        return f"{unit}{self.province_code}{'_' + sub if sub else ''}_{self.year or 'all'}"


def _remember(store: str, key: str) -> None:
    """Keep a sidebar widget's new value (a callback: it runs before the rerun)."""
    st.session_state[store] = st.session_state[key]


def _kept(widget: str, name: str, label: str, lang: str, *args, default=None, container=None,
          **kwargs):
    """A sidebar widget whose value survives a language switch and a change of page.

    Streamlit identifies a widget by its label and options (which change with the language)
    and by the page running (the sidebar is drawn on every page, and the first run after
    loading is identified as the app's main script): each such change makes it a new widget,
    back at its default. So the value is kept in ``st.session_state["kept_" + name]``, written
    by an ``on_change`` callback (before the rerun, so that the change that caused it is never
    lost) and given to the new widget as its default.
    """
    container = container or st.sidebar
    store = f"kept_{name}"
    key = f"{name}_{lang}"
    current = st.session_state.get(store, default)
    kwargs |= {"on_change": _remember, "args": (store, key)}
    if widget in ("selectbox", "radio"):
        options = list(args[0])
        index = options.index(current) if current in options else 0
        value = getattr(container, widget)(label, options, index=index, key=key, **kwargs)
    elif widget == "text_input":
        value = container.text_input(label, value=current or "", key=key, **kwargs)
    else:
        value = container.number_input(label, value=current, key=key, **kwargs)
    st.session_state[store] = value
    return value


@st.cache_data(show_spinner=False)
def province_options() -> list[tuple[str, str]]:
    """(code, name) of every pre-2025 province, those with site data first."""
    table = units.provinces_table()
    names = dict(zip(table["province_code"], table["province"], strict=True))
    first = [(c, names[c]) for c in PROVINCES_WITH_DATA if c in names]
    rest = sorted(((c, n) for c, n in names.items() if c not in PROVINCES_WITH_DATA),
                  key=lambda cn: vietnamese_sort_key(_sort_name(cn[1])))
    return first + rest


def _sort_name(name: str) -> str:
    return name.removeprefix("Tỉnh ").removeprefix("Thành phố ")


@st.cache_data(show_spinner=False)
def province_2025_options() -> list[tuple[str, str, tuple[str, ...]]]:
    """(code, name, old province codes) of the 34 provinces from 01/07/2025, those made of a
    province with site data first."""
    table = units2025.provinces_2025_table()
    rows = [
        (r.province_2025_code, r.province_2025, tuple(str(r.province_codes_old).split(";")))
        for r in table.itertuples(index=False)
    ]
    first = [r for c in PROVINCES_WITH_DATA for r in rows if c in r[2]]
    rest = sorted((r for r in rows if r not in first), key=lambda r: vietnamese_sort_key(_sort_name(r[1])))
    return first + rest


@st.cache_data(show_spinner=False)
def communes_2025_options(province_2025_code: str) -> list[tuple[str, str]]:
    """(code, name) of the new communes of a new province, by name."""
    u = units.units_2025()
    u = u[u["province_2025_code"] == province_2025_code].drop_duplicates("commune_2025_code")
    pairs = list(zip(u["commune_2025_code"], u["commune_2025"], strict=True))
    return sorted(pairs, key=lambda cn: vietnamese_sort_key(strip_prefix(cn[1], "commune")))


def choose_province(units_system: str, code: str) -> None:
    """Make the sidebar show ``code`` (a province in ``units_system``) on its next run: the
    kept values are set and the widgets holding the old choice forgotten."""
    if units_system not in UNITS:
        return
    st.session_state["kept_units"] = units_system
    if units_system == "2025":
        olds = {c: o for c, _, o in province_2025_options()}.get(code)
        if not olds:
            return
        st.session_state["kept_province_2025"] = code
        st.session_state["kept_province"] = olds[0]
    elif code in dict(province_options()):
        st.session_state["kept_province"] = code
    for lang in LANGS:
        for name in ("units", "province", "province_2025"):
            st.session_state.pop(f"{name}_{lang}", None)


def _from_query() -> None:
    """A link ``?tinh=CODE&don_vi=UNITS`` (the national page's popups) chooses the province."""
    code = st.query_params.get("tinh")
    if code:
        choose_province(st.query_params.get("don_vi", "pre2025"), str(code))
        for key in ("tinh", "don_vi"):
            st.query_params.pop(key, None)


def sidebar() -> Scope:
    """Draw the sidebar (language, units, province, district or commune, year, radii, the
    planner's name) and return the :class:`Scope`; also kept for :func:`current_scope`."""
    _from_query()
    kept_lang = st.session_state.get("kept_lang", LANGS[0])
    lang = st.sidebar.radio(
        "Ngôn ngữ / Language", LANGS, index=LANGS.index(kept_lang), format_func=LANG_NAMES.get,
        horizontal=True, key="lang", on_change=_remember, args=("kept_lang", "lang"),
    )
    st.session_state["kept_lang"] = lang
    st.sidebar.title(t("page_title", lang))
    account = account_ui.acting_account(lang)
    unit_sys = _kept(
        "radio", "units", t("units_pick", lang), lang, UNITS,
        format_func=lambda u: t(f"units_{u}", lang), default="pre2025",
    )
    try:
        picked = _pick_2025(lang) if unit_sys == "2025" else _pick_pre2025(lang)
    except CoverageError as exc:
        st.error(exc.message(lang))
        st.stop()
    year = _kept(
        "selectbox", "year", t("year_pick", lang), lang, YEARS,
        format_func=lambda y: t("all_years", lang) if y is None else str(y),
    )
    st.sidebar.markdown(f"**{t('radius_header', lang)}**")
    radius_cols = st.sidebar.columns(2)
    radii = tuple(
        (
            tech,
            _kept(
                "number_input", f"radius_{tech}", t("radius_label", lang, tech=tech), lang,
                container=radius_cols[i % 2], default=float(DEFAULT_RADII_M[tech]) / 1000,
                min_value=0.1, max_value=50.0, step=0.5, format="%.1f",
            ) * 1000,
        )
        for i, tech in enumerate(TECHNOLOGIES)
    )
    sharing_distance = _kept(
        "number_input", "sharing_distance", t("sharing_distance", lang), lang, default=30.0,
        min_value=0.0, max_value=500.0, step=5.0, format="%.0f",
    )
    # Who works is the signed-in account (or the demo): no name to type.
    st.session_state["kept_planner"] = auth.recorded_name(account)
    scope = Scope(
        lang=lang, units=unit_sys, year=year, radii=radii,
        sharing_distance=float(sharing_distance), planner=auth.recorded_name(account),
        account=account, **picked,
    )
    st.session_state["_scope"] = scope
    return scope


def _pick_pre2025(lang: str) -> dict:
    options = province_options()
    names = dict(options)
    code = _kept("selectbox", "province", t("province_pick", lang), lang,
                 [c for c, _ in options], format_func=names.get, default=PROVINCES_WITH_DATA[0])
    st.session_state["kept_province_2025"] = units2025.province_old_to_new().get(code)
    with st.spinner(t("building", lang)):
        data = load_province(code)
    table = (
        data.communes.dropna(subset=["district_code"]).drop_duplicates("district_code")
        .sort_values("district", key=vietnamese_sort_keys)
    )
    district_names = dict(zip(table["district_code"], table["district"], strict=True))
    district = _kept(
        "selectbox", f"district_{code}", t("district_pick", lang), lang,
        [None, *district_names],
        format_func=lambda c: t("whole_province", lang) if c is None else district_names[c],
    )
    if code not in PROVINCES_WITH_DATA:
        st.sidebar.caption(t("province_no_sites_2025", lang))
    return {
        "province_code": code, "province": names[code], "codes": (code,),
        "district": district, "district_name": district_names.get(district),
        "commune_2025": None, "commune_2025_name": None,
    }


def _pick_2025(lang: str) -> dict:
    options = province_2025_options()
    names = {c: n for c, n, _ in options}
    olds = {c: o for c, _, o in options}
    default = units2025.province_old_to_new().get(
        st.session_state.get("kept_province", PROVINCES_WITH_DATA[0])
    )
    code = _kept("selectbox", "province_2025", t("province_pick", lang), lang,
                 [c for c, _, _ in options], format_func=names.get, default=default)
    codes = olds[code]
    if st.session_state.get("kept_province") not in codes:
        with_data = [c for c in codes if c in PROVINCES_WITH_DATA]
        st.session_state["kept_province"] = (with_data or list(codes))[0]
    if len(codes) > 1:
        old_names = dict(province_options())
        st.sidebar.caption(
            md(t("province_made_of", lang, names=", ".join(old_names.get(c, c) for c in codes)))
        )
    if not set(codes) & set(PROVINCES_WITH_DATA):
        st.sidebar.caption(t("province_no_sites_2025", lang))
    communes = communes_2025_options(code)
    commune_names = dict(communes)
    commune = _kept(
        "selectbox", f"commune_2025_{code}", t("commune_pick", lang), lang,
        [None, *commune_names],
        format_func=lambda c: t("whole_province", lang) if c is None else commune_names[c],
    )
    return {
        "province_code": code, "province": names[code], "codes": tuple(codes),
        "district": None, "district_name": None,
        "commune_2025": commune, "commune_2025_name": commune_names.get(commune),
    }


def current_scope() -> Scope:
    """The scope the sidebar chose in this run (drawing the sidebar if no one did yet)."""
    scope = st.session_state.get("_scope")
    return scope if isinstance(scope, Scope) else sidebar()


def pages(lang: str) -> list:
    """The app's pages for :func:`st.navigation`, titled in ``lang`` (the map is the default).

    Every ``ui/pages/*.py`` file not in :data:`PAGES` is added after them, titled by its name, so
    that a new page shows up without changing ``app.py``.
    """
    out = []
    listed = set()
    for i, (path, key, icon, url) in enumerate(PAGES):
        if not (ROOT / path).is_file():
            continue
        listed.add(path)
        title = _PAGE_TITLES[key][lang] if key in _PAGE_TITLES else t(key, lang)
        out.append(st.Page(path, title=title, icon=icon, url_path=url, default=i == 0))
    for extra in sorted((ROOT / "ui" / "pages").glob("*.py")):
        rel = f"ui/pages/{extra.name}"
        if rel in listed or extra.name.startswith("_"):
            continue
        out.append(st.Page(rel))
    return out


# ---------------------------------------------------------------------------------------------
# Cached data and models
# ---------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=6)
def load_province(code: str) -> province.ProvinceData:
    """A pre-2025 province's units, village register and declared list, by GSO code."""
    return province.load_province(code)


def merged_province(codes: tuple[str, ...]) -> province.ProvinceData:
    """Several pre-2025 provinces as one (the provinces a new province is made of), with the
    new province's name (:func:`geo.workspace.merge_provinces`)."""
    parts = [load_province(c) for c in codes]
    if len(parts) == 1:
        return parts[0]
    new = units2025.province_old_to_new()[codes[0]]
    name = (
        units2025.provinces_2025_table().set_index("province_2025_code").loc[new, "province_2025"]
    )
    return workspace.merge_provinces(parts, name)


def workspace_scope(scope: Scope) -> workspace.Scope:
    """The sidebar's scope as the workspace's."""
    return workspace.Scope(
        UnitSystem(scope.units), scope.province_code, scope.province, scope.codes,
        scope.district, scope.district_name, scope.commune_2025, scope.commune_2025_name,
    )


def settings_for(scope: Scope) -> workspace.Settings:
    """The sidebar's year, radii and sharing distance as the workspace's settings."""
    return workspace.Settings.make(scope.year, dict(scope.radii), scope.sharing_distance)


@st.cache_resource(show_spinner=False, max_entries=8)
def _model(codes: tuple[str, ...], units_system: str, name: str, year: int | None,
           radii: tuple, distance: float, imports_path: str, store_key: tuple,
           measurements_path: str = "") -> pipeline.Model:
    scope = workspace.Scope(UnitSystem(units_system), codes[0], name, codes)
    settings = workspace.Settings(year, radii, distance)
    stores = workspace.Stores(imports=Path(imports_path),
                              measurements=Path(measurements_path) if measurements_path else None)
    return workspace.build(scope, settings, stores=stores, loader=load_province)


def build_model(
    code: str | tuple[str, ...],
    year: int | None,
    radii,
    distance: float,
    *,
    units_system: str = "pre2025",
) -> pipeline.Model:
    """The model of a province or of the old provinces of a new one, through
    :func:`geo.workspace.build` (the same assembly as the command line), cached until the
    settings or the import store change.

    Parameters
    ----------
    code
        A pre-2025 GSO province code, or a tuple of them (the provinces of a new province:
        :attr:`Scope.codes`).
    year, radii, distance
        The settings (``radii`` as a mapping or (technology, metres) pairs).
    """
    codes = (code,) if isinstance(code, str) else tuple(code)
    stores = workspace.Stores.default()
    settings = workspace.Settings.make(year, dict(radii), distance)
    key = planner_key(codes)
    name = merged_province(codes).province
    return _model(codes, units_system, name, settings.year, settings.radii,
                  settings.sharing_distance_m, str(stores.imports), key, str(stores.measurements))


def model_for(scope: Scope) -> pipeline.Model:
    """The model of the scope's province(s) (:func:`build_model`)."""
    return build_model(scope.codes, scope.year, scope.radii, scope.sharing_distance,
                       units_system=scope.units)


def planner_key(codes: tuple[str, ...]) -> tuple:
    """What identifies the import and measurement stores' content for these provinces (for
    cache keys)."""
    stores = workspace.Stores.default()
    from geo import terrain

    return (workspace.store_version(stores.imports, codes),
            measurements.store_version(stores.measurements, codes),
            terrain.dem_version(stores.imports, codes))


@st.cache_data(show_spinner=False, max_entries=32)
def _indicators(_model: pipeline.Model, key: tuple, unit_sys: str, district: str | None,
                commune_2025: str | None, year: int | None) -> dict:
    if unit_sys == "2025":
        return units2025.indicators_2025(_model, commune_2025_code=commune_2025, year=year)
    return indicators.compute(_model, district=district, year=year)


def indicators_for(scope: Scope, model: pipeline.Model) -> dict:
    """The indicators of the scope (:func:`geo.indicators.compute` or
    :func:`geo.units2025.indicators_2025`), cached."""
    return _indicators(model, scope.model_key, scope.units, scope.district, scope.commune_2025,
                       scope.year)


def scoped_status(scope: Scope, model: pipeline.Model) -> gpd.GeoDataFrame:
    """The model's villages of the scope (in the 2025 units with their new commune)."""
    if scope.units == "2025":
        s = units2025.context(model).status
        return s if scope.commune_2025 is None else s[s["commune_2025_code"] == scope.commune_2025]
    s = model.status
    return s if scope.district is None else s[s["district_code"] == scope.district]


@st.cache_data(show_spinner=False, max_entries=8)
def _proposals(_model: pipeline.Model, key: tuple) -> pd.DataFrame:
    return asg.propose_for_model(_model, unserved_only=False)


def proposals_for(scope: Scope, model: pipeline.Model) -> pd.DataFrame:
    """The tool's proposal of an operator for every village of the model (cached)."""
    return _proposals(model, scope.model_key)


# ---------------------------------------------------------------------------------------------
# The assignment register
# ---------------------------------------------------------------------------------------------


def register_exists() -> bool:
    """Whether the register's file exists (reading views do not create it)."""
    return asg.default_path().is_file()


def register_conn() -> Connection:
    """This browser session's connection to the register (:func:`geo.assignments.default_path`,
    ``$COVERAGE_ASSIGNMENTS_DB`` overrides it), opened on first use.

    One connection per session, never shared between sessions (a connection runs one
    transaction at a time); Streamlit may run a session's reruns in different threads.
    """
    path = str(asg.default_path())
    held = st.session_state.get("_register")
    if held is None or held[0] != path:
        conn = asg.connect(path, check_same_thread=False)
        st.session_state["_register"] = (path, conn)
        st.session_state.pop("_planner_session", None)
    return st.session_state["_register"][1]


def planner_session(account: auth.Account) -> asg.Session:
    """The account's session in the register (opened once per account and connection): every
    write through it is checked against the account in :mod:`geo.assignments`."""
    conn = register_conn()
    held = st.session_state.get("_planner_session")
    if (
        held is None
        or getattr(held, "account", None) != account
        or held.conn is not conn
    ):
        held = asg.open_session(conn, account, client="app")
        st.session_state["_planner_session"] = held
    return held


def served_index(scope: Scope, status: pd.DataFrame,
                 assignments: pd.DataFrame) -> indicators.ServedIndex:
    """The scope's register-dependent counts, kept in the session and brought up to date
    with only the assignments that changed since the last run
    (:class:`geo.indicators.ServedIndex`: one change costs microseconds, not a rebuild).

    Rebuilt when the model or the scope changes (the model's key, the district or commune).
    """
    key = (scope.model_key, scope.units, scope.district, scope.commune_2025)
    now = (
        assignments.drop_duplicates("village_id").set_index("village_id")[["status", "operator"]]
        .astype(str)
    )
    held = st.session_state.get("_served_index")
    if held is None or held[0] != key:
        index = indicators.ServedIndex(status, assignments)
        st.session_state["_served_index"] = (key, index, now)
        return index
    _, index, seen = held
    both = seen.join(now, how="outer", lsuffix="_seen").fillna("")
    changed = both[(both["status"] != both["status_seen"])
                   | (both["operator"] != both["operator_seen"])]
    for village_id, row in changed.iterrows():  # only the villages changed since last run
        index.update(str(village_id), row["status"], row["operator"])
    st.session_state["_served_index"] = (key, index, now)
    return index


def empty_assignments() -> pd.DataFrame:
    """An empty frame with the columns of :func:`geo.assignments.current`."""
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in [*asg.FIELDS, "status_date"]})
    for col in ("target_year", "source_row", "version"):
        out[col] = out[col].astype("Int64")
    for col in ("lon", "lat"):
        out[col] = out[col].astype("float64")
    return out


def assignments_for(scope: Scope, status: pd.DataFrame | None = None) -> pd.DataFrame:
    """The register's assignments of the scope (:func:`geo.assignments.current`) the account
    may read (:func:`geo.auth.visible`); empty when the register does not exist yet.

    In the 2025 units a commune's assignments are those of its villages (``status``: the
    scoped villages) and those the register places in it.
    """
    if not register_exists():
        return empty_assignments()
    conn = register_conn()
    parts = [asg.current(conn, province_code=c) for c in scope.codes]
    a = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    a = auth.visible(scope.account, a)  # an operator its own, a district viewer its district
    if scope.units == "pre2025" and scope.district is not None:
        a = a[a["district_code"] == scope.district]
    elif scope.units == "2025" and scope.commune_2025 is not None:
        ids = set(status["village_id"]) if status is not None else set()
        a = a[a["village_id"].isin(ids) | (a["commune_2025_code"] == scope.commune_2025)]
    return a.reset_index(drop=True)


def decision_default(codes: tuple[str, ...]) -> tuple[str, dt.date | None, str | None]:
    """The decision a new assignment refers to by default: the province's plan with an
    unserved list (4638/KH-UBND, 15/12/2020 for Điện Biên), else its first plan; with the plan
    id. ("", None, None) when no plan of the province is transcribed."""
    for code in codes:
        for plan_id in province.UNSERVED_PLANS.get(code, []):
            rows = plans.load_unserved(plan_id)
            return str(rows["document"].iloc[0]), rows["document_date"].iloc[0], plan_id
    targets = plans.load_targets()
    for code in codes:
        rows = targets[targets["province_code"] == code]
        if len(rows):
            r = rows.iloc[0]
            return str(r["document"]), r["document_date"], str(r["plan_id"])
    return "", None, None
