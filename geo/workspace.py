"""The workspace: the ONE assembly of a scope's model, for the app and the command line alike.

A *scope* is what a planner looks at: a province in the units before or from 01/07/2025, and
in it a district (before) or a new commune (from). :func:`build` turns a scope, the settings
(year, coverage radii, sharing distance) and the stores into a :class:`geo.pipeline.Model`:

1. the boundaries and village register of every pre-2025 province the scope is made of
   (:func:`geo.province.load_province`; a new province merged from several old ones gets all
   of them, :func:`merge_provinces`);
2. for each, the planner's committed layers from the import store (:func:`committed_layers`):
   the imported village register and unserved list, the villages placed by hand, and the
   sites and fibre, each old province's own imports; where an old province has no committed
   sites (or fibre) the SYNTHETIC demo layer of that province is used, and ``model.sources``
   says, per layer and per old province, which is which (:func:`layer_sources`);
3. the coverage, population and indicators (:func:`geo.pipeline.build`).

The app caches these steps (``ui``); the command line calls them once. Both read the same
stores: ``$COVERAGE_IMPORTS_DB`` and ``$COVERAGE_ASSIGNMENTS_DB`` (or paths given with
``--store``/``--db``), so a figure on screen and in a file agree (tested).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import (
    asof,
    coverage,
    evidence,
    imports,
    indicators,
    measurements,
    pipeline,
    province,
    terrain,
    units,
    units2025,
)
from geo import placements as placements_mod
from geo.errors import InputError, UnitNotFoundError
from geo.vocab import UnitSystem

__all__ = [
    "Scope",
    "Settings",
    "Stores",
    "build",
    "committed_kinds",
    "committed_layers",
    "indicators_for",
    "layer_for",
    "layer_sources",
    "register_for",
    "merge_provinces",
    "resolve_scope",
    "scoped_status",
    "store_version",
]

log = logging.getLogger(__name__)

#: Provinces (pre-2025 GSO codes) with synthetic demo site and fibre layers.
PROVINCES_WITH_DEMO = ("11", "12")


# ---------------------------------------------------------------------------------------------
# Scope, settings, stores
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Settings:
    """How the model is computed.

    Attributes
    ----------
    year
        Sites on air by 31/12 of this year (None: all).
    radii
        Coverage radius in metres per technology, as sorted (technology, metres) pairs.
    sharing_distance_m
        Records of different operators within this distance form one physical site.
    measured
        How measurements become a village's status (distance, minimum count, thresholds).
    max_path_loss
        Where a DEM is committed: the terrain model's largest path loss in dB per technology,
        as sorted pairs (:data:`geo.terrain.MAX_PATH_LOSS_DB`).
    as_of
        Only the sites on air by the end of this day (:func:`geo.asof.sites_on_air`); None:
        by ``year``.
    """

    year: int | None = None
    radii: tuple[tuple[str, float], ...] = tuple(sorted(coverage.DEFAULT_RADII_M.items()))
    sharing_distance_m: float = 30.0
    measured: measurements.Rules = measurements.Rules()
    max_path_loss: tuple[tuple[str, float], ...] = tuple(sorted(terrain.MAX_PATH_LOSS_DB.items()))
    as_of: dt.date | None = None

    @classmethod
    def make(cls, year=None, radii=None, sharing_distance_m: float = 30.0) -> Settings:
        """Settings from a mapping of radii (or pairs); defaults where None."""
        r = coverage.DEFAULT_RADII_M if radii is None else dict(radii)
        return cls(year, tuple(sorted((str(k), float(v)) for k, v in r.items())),
                   float(sharing_distance_m))

    @property
    def radii_m(self) -> dict[str, float]:
        """The radii as a mapping."""
        return dict(self.radii)


@dataclasses.dataclass(frozen=True)
class Scope:
    """What the planner looks at.

    Attributes
    ----------
    units
        The unit system.
    province_code, province
        The province in that system (a pre-2025 GSO code, or a 2025 code).
    codes
        The pre-2025 provinces the model holds (one before 2025; those the new province is
        made of from 2025).
    district_code, district
        Before 2025 only: a district, or None for the whole province.
    commune_2025_code, commune_2025
        From 2025 only: a new commune, or None for the whole province.
    """

    units: UnitSystem
    province_code: str
    province: str
    codes: tuple[str, ...]
    district_code: str | None = None
    district: str | None = None
    commune_2025_code: str | None = None
    commune_2025: str | None = None

    @property
    def place(self) -> str:
        """The scope as a title: "Huyện Mường Nhé, Tỉnh Điện Biên"."""
        sub = self.district if self.units == UnitSystem.PRE2025 else self.commune_2025
        return f"{sub}, {self.province}" if sub else self.province

    def stem(self, year: int | None) -> str:
        """A file-name stem: units, province, district or commune and year."""
        unit = "2025_" if self.units == UnitSystem.U2025 else ""
        sub = self.district_code or self.commune_2025_code
        return f"{unit}{self.province_code}{'_' + sub if sub else ''}_{year or 'all'}"


@dataclasses.dataclass(frozen=True)
class Stores:
    """Where the planner's data is kept (None: nothing of that kind is read).

    Use :meth:`default` for the paths the app uses (``$COVERAGE_IMPORTS_DB``,
    ``$COVERAGE_ASSIGNMENTS_DB`` or the user's data folder).
    """

    imports: Path | None = None
    assignments: Path | None = None
    measurements: Path | None = None

    @classmethod
    def default(cls, imports_path=None, assignments_path=None, measurements_path=None) -> Stores:
        """The given paths, else the environment's, else the user's data folder."""
        from geo import assignments
        from geo.store import measurements as measurement_store

        return cls(
            Path(imports_path) if imports_path else imports.default_store_path(),
            Path(assignments_path) if assignments_path else assignments.default_path(),
            Path(measurements_path) if measurements_path else measurement_store.default_path(),
        )


def resolve_scope(
    province_text: str,
    *,
    units_system: UnitSystem | str = UnitSystem.PRE2025,
    district: str | None = None,
    commune_2025: str | None = None,
) -> Scope:
    """The scope named by a planner: a province in any spelling or by code, and optionally a
    district (before 2025) or a new commune (from 2025), by name or code.

    Raises
    ------
    InputError
        A district with the units from 2025, or a new commune with those before.
    UnitNotFoundError, AmbiguousUnitError
        The province, district or commune is not found (the message says which).
    """
    system = UnitSystem(units_system)
    if system == UnitSystem.U2025:
        if district:
            raise InputError(
                "A district cannot be chosen with the units from 01/07/2025: districts were "
                "abolished. Choose a new commune, or use the units before 2025.",
                "Không chọn huyện với đơn vị hành chính từ 01/07/2025: cấp huyện đã bỏ. Hãy "
                "chọn xã mới, hoặc dùng đơn vị trước 2025.",
                field="--district",
            )
        code, name = units2025.resolve_province_2025(province_text)
        row = units2025.provinces_2025_table().set_index("province_2025_code").loc[code]
        codes = tuple(c for c in str(row["province_codes_old"]).split(";") if c)
        commune = _resolve_commune_2025(code, commune_2025) if commune_2025 else (None, None)
        return Scope(system, code, name, codes, None, None, *commune)
    if commune_2025:
        raise InputError(
            "A new commune can only be chosen with the units from 01/07/2025 (--units 2025).",
            "Chỉ chọn xã mới khi dùng đơn vị hành chính từ 01/07/2025 (--units 2025).",
            field="--commune",
        )
    code, name = units.resolve_province(province_text)
    if not district:
        return Scope(system, code, name, (code,))
    communes = units.read_communes([code])
    dcode = indicators.resolve_district(district, communes)
    dname = communes.loc[communes["district_code"] == dcode, "district"].iloc[0]
    return Scope(system, code, name, (code,), dcode, dname)


def _resolve_commune_2025(province_2025_code: str, text: str) -> tuple[str, str]:
    u = units.units_2025()
    u = u[u["province_2025_code"] == province_2025_code].drop_duplicates("commune_2025_code")
    t = str(text).strip()
    if t.isdigit() and t.zfill(5) in set(u["commune_2025_code"]):
        hit = u[u["commune_2025_code"] == t.zfill(5)].iloc[0]
        return str(hit["commune_2025_code"]), str(hit["commune_2025"])
    from geo import names

    cand = u.rename(columns={"commune_2025": "name", "commune_2025_code": "id"})
    m = names.match_within(
        pd.DataFrame({"name": [t]}), cand[["id", "name"]], level="commune", query_group=None,
        cand_group=None,
    )
    if m["match_status"].iloc[0] in ("exact", "normalised", "fuzzy"):
        code = str(m["match_id"].iloc[0])
        return code, str(u.set_index("commune_2025_code").loc[code, "commune_2025"])
    raise UnitNotFoundError(
        f"No commune {t!r} in the province (units from 01/07/2025); give its name or its "
        "5-digit code (python -m geo units lookup …).",
        f"Không có xã {t!r} trong tỉnh (đơn vị từ 01/07/2025); hãy ghi tên hoặc mã 5 chữ số "
        "(python -m geo units lookup …).",
        field="--commune",
    )


# ---------------------------------------------------------------------------------------------
# The planner's committed layers
# ---------------------------------------------------------------------------------------------


def store_version(store_path: Path | None, codes: Sequence[str]) -> tuple:
    """What identifies the import store's content for these provinces (a cache key); empty
    tuples when the store does not exist."""
    if store_path is None or not Path(store_path).is_file():
        return tuple(() for _ in codes)
    store = imports.Store(store_path)
    return tuple(store.version(c) for c in codes)


def committed_kinds(store_path: Path | None) -> dict[str, set[str]]:
    """The kinds of layer (sites, fibre, villages, …) with a committed, not removed, import,
    per pre-2025 province code; empty when the store does not exist."""
    if store_path is None or not Path(store_path).is_file():
        return {}
    active = imports.Store(store_path).imports(removed=False)
    return {str(code): set(g["kind"]) for code, g in active.groupby("province_code")}


def committed_layers(
    store_path: Path | None, code: str, data: province.ProvinceData
) -> imports.Layers | None:
    """The planner's committed layers of one pre-2025 province, or None when the store is
    absent or holds nothing of it.

    The villages placed by hand are moved in the register (the imported one, or ``data``'s)
    and in the imported unserved list; :func:`geo.imports.apply_layers` moves them in the
    plan's declared list too.
    """
    if store_path is None or not Path(store_path).is_file():
        return None
    layers = imports.load_layers(imports.Store(store_path), code)
    if layers.placed is not None:
        register = layers.villages or data.register
        moved = placements_mod.apply_placements(register.villages, layers.placed)
        layers.villages = dataclasses.replace(register, villages=moved)
        if layers.unserved is not None:
            layers.unserved = placements_mod.apply_placements(layers.unserved, layers.placed)
    kinds = ("sites", "fibre", "villages", "unserved", "coverage")
    if all(getattr(layers, k) is None for k in kinds) and layers.placed is None:
        return None
    return layers


def merge_provinces(
    parts: Sequence[province.ProvinceData], name: str | None = None
) -> province.ProvinceData:
    """Several pre-2025 provinces as one (those a new province is made of).

    Communes, villages (one row per ``village_id``), aliases and declared lists are put
    together; the first code stays the ``province_code`` (it leads to the new province in
    :func:`geo.units2025.context`) and the name is ``name`` (the new province's).
    """
    if len(parts) == 1:
        return parts[0]
    communes = gpd.GeoDataFrame(
        pd.concat([p.communes for p in parts], ignore_index=True), geometry="geometry",
        crs=parts[0].communes.crs,
    )
    villages = gpd.GeoDataFrame(
        pd.concat([p.register.villages for p in parts], ignore_index=True)
        .drop_duplicates("village_id").reset_index(drop=True),
        geometry="geometry", crs=parts[0].register.villages.crs,
    )
    aliases = pd.concat([p.register.aliases for p in parts], ignore_index=True)
    register = dataclasses.replace(parts[0].register, villages=villages, aliases=aliases)
    declared_parts = [p.declared for p in parts if p.declared is not None]
    declared = (
        gpd.GeoDataFrame(pd.concat(declared_parts, ignore_index=True), geometry="geometry",
                         crs=declared_parts[0].crs)
        if declared_parts else None
    )
    plan_ids = [pid for p in parts for pid in p.plan_ids]
    return province.ProvinceData(
        parts[0].province_code, name or parts[0].province, communes, register, declared, plan_ids
    )


def layer_sources(
    codes: Sequence[str], layers: Sequence[imports.Layers | None], kind: str
) -> tuple[pd.DataFrame | None, dict]:
    """The sites or fibre of the scope and where they come from.

    Per old province: the planner's committed layer when there is one, else the synthetic
    demo layer (Điện Biên, Lai Châu), else nothing. Real and synthetic rows are never mixed
    silently: the returned description says, per old province, ``planner``, ``synthetic`` or
    None, and ``synthetic`` is True when any part is synthetic.

    Returns
    -------
    (frame or None, dict)
        The frame (None when no province has any row) and ``{"synthetic", "source",
        "by_province", "imports"}``.
    """
    from geo import demo

    frames, by_province, import_files = [], {}, []
    for code, lay in zip(codes, layers, strict=True):
        own = getattr(lay, kind) if lay is not None else None
        if own is not None and len(own):
            frames.append(own)
            by_province[code] = "planner"
            if lay.imports is not None:
                done = lay.imports[lay.imports["kind"] == kind]
                import_files += [f"{r.file} ({r.import_id})" for r in done.itertuples()]
            continue
        synthetic = demo.synthetic_sites(code) if kind == "sites" else demo.synthetic_fibre(code)
        if len(synthetic):
            frames.append(synthetic)
            by_province[code] = "synthetic"
        else:
            by_province[code] = None
    any_synthetic = "synthetic" in by_province.values()
    any_planner = "planner" in by_province.values()
    source = (
        "planner + synthetic" if any_planner and any_synthetic
        else "planner" if any_planner
        else (demo.SITES_FILE if kind == "sites" else demo.FIBRE_FILE) if any_synthetic
        else None
    )
    info = {
        "synthetic": any_synthetic,
        "source": source,
        "by_province": by_province,
        "imports": import_files,
    }
    if not frames:
        return None, info
    if kind == "sites":
        frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                                 crs="EPSG:4326")
    else:
        frame = pd.concat([pd.DataFrame(f) for f in frames], ignore_index=True)
    return frame, info


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


def build(
    scope: Scope,
    settings: Settings | None = None,
    *,
    stores: Stores | None = None,
    loader: Callable[[str], province.ProvinceData] = province.load_province,
) -> pipeline.Model:
    """The model of a scope: boundaries, the planner's committed layers (or the labelled
    synthetic demo), placements and settings.

    Parameters
    ----------
    scope
        From :func:`resolve_scope`.
    settings
        Year, radii, sharing distance (defaults when None).
    stores
        Where the planner's imports are (``Stores()`` reads none; :meth:`Stores.default` the
        app's). Default: :meth:`Stores.default`.
    loader
        Loads one pre-2025 province by code (the app passes its cached loader).

    Returns
    -------
    geo.pipeline.Model
        ``model.sources["sites"]`` and ``["fibre"]`` say per old province whether the layer is
        the planner's, synthetic, or missing, and which imports made it.
    """
    settings = settings or Settings()
    stores = Stores.default() if stores is None else stores
    parts, layers = [], []
    for code in scope.codes:
        data = loader(code)
        lay = committed_layers(stores.imports, code, data)
        if lay is not None:
            data = imports.apply_layers(data, lay)
        parts.append(data)
        layers.append(lay)
    name = scope.province if len(scope.codes) > 1 else None
    data = merge_provinces(parts, name)
    sites, site_info = layer_sources(scope.codes, layers, "sites")
    if settings.as_of is not None and sites is not None:
        sites = asof.sites_on_air(sites, settings.as_of)
    fibre, fibre_info = layer_sources(scope.codes, layers, "fibre")
    model = pipeline.build(
        data,
        year=settings.year,
        radii=settings.radii_m,
        sharing_distance_m=settings.sharing_distance_m,
        sites=sites if sites is not None else _no_sites(),
        fibre=fibre if fibre is not None else pd.DataFrame(columns=["village_id", "operator",
                                                                    "source"]),
    )
    for key, info in (("sites", site_info), ("fibre", fibre_info)):
        model.sources[key] = info | {"available": model.sources[key]["available"]}
        if not model.sources[key]["available"]:
            model.sources[key] |= {"synthetic": False, "source": None}
    declared = [lay.coverage for lay in layers if lay is not None and lay.coverage is not None]
    model.declared_coverage = (
        gpd.GeoDataFrame(pd.concat(declared, ignore_index=True), geometry="geometry",
                         crs="EPSG:4326")
        if declared else None
    )
    if any(lay is not None and lay.villages is not None for lay in layers):
        model.sources["villages"] = {"synthetic": False, "source": "planner"}
    # Provinces with a committed DEM: the terrain model replaces the radius model (evidence).
    terrain.apply_to_model(model, terrain.committed_dems(stores.imports, scope.codes),
                           max_path_loss=dict(settings.max_path_loss))
    points = measurements.load_points(stores.measurements, scope.codes)
    evidence.apply_model(  # the status rests on the strongest evidence
        model, points, settings.measured, [lay.imports for lay in layers if lay is not None]
    )
    log.info("built %s (%s): sites %s, fibre %s", scope.place, scope.units,
             site_info["source"], fibre_info["source"])
    return model


def _no_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": [], "operator": [], "technology": [],
         "on_air_date": pd.Series([], dtype="datetime64[ns]")},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )


def indicators_for(model: pipeline.Model, scope: Scope, settings: Settings) -> dict:
    """The indicators of the scope (:func:`geo.indicators.compute` before 2025,
    :func:`geo.units2025.indicators_2025` from 2025)."""
    if scope.units == UnitSystem.U2025:
        return units2025.indicators_2025(
            model, commune_2025_code=scope.commune_2025_code, year=settings.year
        )
    return indicators.compute(model, district=scope.district_code, year=settings.year)


def layer_for(model: pipeline.Model, scope: Scope, name: str) -> gpd.GeoDataFrame:
    """A layer of the model in its export schema, in the scope's unit system."""
    if scope.units == UnitSystem.U2025:
        out = units2025.layer_2025(model, name)
    else:
        out = pipeline.layer(model, name)
    return evidence.export_columns(out, model.status) if name == "villages" else out


def register_for(scope: Scope, stores: Stores, as_of: dt.date | None = None) -> pd.DataFrame:
    """The register's assignments of the scope's provinces (district or new commune not
    filtered): the current ones, or as the register stood at the end of ``as_of``
    (:func:`geo.asof.read_register_as_of`); empty when the register does not exist."""
    path = stores.assignments
    if path is None or not Path(path).is_file():
        return asof.empty_register()
    if as_of is not None:
        parts = [asof.read_register_as_of(path, as_of, province_code=c) for c in scope.codes]
    else:
        from geo import assignments as asg

        conn = asg.connect(path)
        try:
            parts = [asg.current(conn, province_code=c) for c in scope.codes]
        finally:
            conn.close()
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def scoped_status(model: pipeline.Model, scope: Scope) -> gpd.GeoDataFrame:
    """The model's villages of the scope (from 2025 with their new commune)."""
    if scope.units == UnitSystem.U2025:
        s = units2025.context(model).status
        code = scope.commune_2025_code
        return s if code is None else s[s["commune_2025_code"] == code]
    s = model.status
    return s if scope.district_code is None else s[s["district_code"] == scope.district_code]


def synthetic_layers(model: pipeline.Model) -> list[str]:
    """The layers of the model that are (at least in part) synthetic."""
    return [k for k, v in model.sources.items() if isinstance(v, dict) and v.get("synthetic")]


def env_paths() -> dict[str, str | None]:
    """The store paths the environment sets (for messages)."""
    return {k: os.environ.get(k) for k in ("COVERAGE_IMPORTS_DB", "COVERAGE_ASSIGNMENTS_DB")}
