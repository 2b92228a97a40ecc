"""All Vietnam at once: light outlines of the provinces and their units, and each province's state.

The ministry reads the provinces side by side. :func:`outlines` prepares, once, the boundaries of a
national map in either unit system and :func:`province_figures` says, per province, whether the
planner's real data is loaded and what its indicators are.

Outlines (:func:`outlines`)
    From 01/07/2025: the 34 provinces and the 3,321 new communes; before: the 63 provinces and
    their districts (10,000 communes are the province map's business: at national scale they
    would not fit a light page). The units are built from the pre-2025 GADM polygons (the new
    communes as in :mod:`geo.units2025`, each old polygon drawn ONCE: a polygon split between
    new communes goes to the first of them that has no whole part, else to the first), then as
    one coverage:

    1. coordinates snapped to a grid of :data:`GRID` degrees (about 11 m);
    2. :func:`shapely.coverage_clean`: GADM's polygons are not edge-matched (neighbours' shared
       edges are noded differently), so overlaps, and gaps narrower than :data:`GAP`, are
       merged into a neighbour and vertices within :data:`SNAP` snapped together;
    3. :func:`shapely.coverage_simplify` at :data:`TOLERANCE` (Visvalingam–Whyatt on the shared
       edges: an edge shared by two units is simplified once, the same for both, so no sliver
       opens and no overlap appears);
    4. the provinces are the union of their simplified units, so their borders are exactly the
       units' borders.

    A new commune with no polygon of its own (``missing``) keeps an empty geometry: no boundary
    is invented. ``geometry_method`` says ``exact`` (all its old communes merged whole) or
    ``approximate`` (one was split; the drawing follows old boundaries).

Province figures (:func:`province_figures`)
    ``origin`` (:class:`geo.vocab.DataOrigin`): ``planner`` when a committed site import of the
    import store covers one of its old provinces (:func:`geo.workspace.committed_kinds`),
    ``synthetic`` when only the demo layer does (Điện Biên, Lai Châu), ``none`` otherwise. For
    the first two the model is built through :func:`geo.workspace.build` (the same assembly as the
    province map) and the indicators are those of :func:`geo.indicators.compute`: villages, the
    share within mobile broadband coverage, total and partial not-spots. Provinces with
    ``none`` have no figures ("chưa có dữ liệu").
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import indicators, province, registry, units, units2025, workspace
from geo.vocab import DataOrigin, UnitSystem

__all__ = [
    "GAP",
    "GRID",
    "SNAP",
    "TOLERANCE",
    "Outlines",
    "cache_dir",
    "clean_coverage",
    "outlines",
    "partition_keys_2025",
    "province_figures",
    "provinces",
]

log = logging.getLogger(__name__)

#: Coordinates are quantised to this grid (degrees; 1e-4° is about 11 m).
GRID = 1e-4
#: Vertices closer than this are snapped together when cleaning (degrees).
SNAP = 2e-4
#: Gaps narrower than this are merged into a neighbour when cleaning (degrees; about 220 m:
#: GADM leaves thousands of thin gaps between communes, and holes inside a new commune where
#: its old communes' edges do not meet; below a pixel at national scale).
GAP = 2e-3
#: Bumped when the way outlines are made changes (invalidates the cached ones).
METHOD_VERSION = 4

#: Coverage simplification tolerance (degrees; about the square root of the area of the
#: triangles removed: 0.005° ≈ 550 m, below a pixel at the zoom that shows all Vietnam).
TOLERANCE = 0.005


@dataclasses.dataclass(frozen=True)
class Outlines:
    """The light boundaries of a national map.

    Attributes
    ----------
    units
        The unit system.
    provinces
        ``province_code``, ``province`` and the geometry (EPSG:4326), one row per province
        (34 from 2025, 63 before).
    communes
        The units inside the provinces: from 2025 the 3,321 new communes (``unit_code`` =
        ``commune_2025_code``), before the districts. Columns ``unit_code``, ``unit``,
        ``province_code``, ``geometry_method`` (``exact``, ``approximate``, ``missing``) and
        the geometry (None when missing).
    """

    units: UnitSystem
    provinces: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame


def provinces(units_system: UnitSystem | str) -> pd.DataFrame:
    """The provinces of a unit system: ``province_code``, ``province`` and ``codes_old`` (the
    pre-2025 codes it is made of, a tuple)."""
    if UnitSystem(units_system) == UnitSystem.U2025:
        t = units2025.provinces_2025_table()
        return pd.DataFrame(
            {
                "province_code": t["province_2025_code"].astype(str).to_numpy(),
                "province": t["province_2025"].astype(str).to_numpy(),
                "codes_old": [tuple(str(s).split(";")) for s in t["province_codes_old"]],
            }
        )
    t = units.provinces_table()
    return pd.DataFrame(
        {
            "province_code": t["province_code"].to_numpy(),
            "province": t["province"].to_numpy(),
            "codes_old": [(c,) for c in t["province_code"]],
        }
    )


def partition_keys_2025(communes_pre2025: gpd.GeoDataFrame) -> pd.Series:
    """The one new commune each pre-2025 polygon is drawn in, for a map that draws each old
    polygon once.

    A polygon merged whole (``mapping``, ``overlap``) goes to its new commune; a polygon split
    between several (``split``) to the first candidate with no whole part of its own (as
    :func:`geo.units2025.build_communes_2025` draws it), else to the first candidate. NA when the
    polygon has no new commune.
    """
    att = units2025.attribute_polygons(communes_pre2025)
    key = att["commune_2025_code"].astype(object).where(att["commune_2025_code"].notna(), None)
    method = att["commune_2025_method"]
    whole = set(key[method.isin(["mapping", "overlap"])].dropna())
    split = method.eq("split")
    cands = att.loc[split, "commune_2025_candidates"].str.split(";").explode()
    cands = cands[cands.ne("")]
    if len(cands):
        frame = pd.DataFrame({"row": cands.index, "cand": cands.to_numpy()})
        frame["free"] = ~frame["cand"].isin(whole)
        # Stable sort: free candidates first, each polygon's candidates kept in their order.
        first = frame.sort_values("free", ascending=False, kind="stable").drop_duplicates("row")
        key.loc[first["row"].to_numpy()] = first["cand"].to_numpy()
    return key


def clean_coverage(
    geoms: np.ndarray,
    *,
    tolerance: float = TOLERANCE,
    grid: float = GRID,
    snap: float = SNAP,
    gap: float = GAP,
) -> np.ndarray:
    """Polygons that should tile the country as one clean, simplified, quantised coverage.

    Parameters
    ----------
    geoms
        Valid polygons (neighbours may overlap or leave gaps by up to ``gap``).
    tolerance
        :func:`shapely.coverage_simplify` tolerance (degrees); 0 keeps every vertex.
    grid
        Quantisation grid (degrees) of the input. Cleaning may add vertices off the grid
        (where edges are noded); the page quantises again when it encodes them
        (:func:`layers.national.encode_geometries`), where identical vertices stay identical.
    snap, gap
        :func:`shapely.coverage_clean`'s ``snapping_distance`` and ``gap_width``.

    Returns
    -------
    numpy.ndarray
        Aligned with ``geoms``; shared edges identical on both sides.
    """
    g = shapely.set_precision(np.asarray(geoms, dtype=object), grid)
    g = shapely.coverage_clean(g, gap_width=gap, snapping_distance=snap)
    if tolerance > 0:
        g = shapely.coverage_simplify(g, tolerance)
    bad = ~shapely.is_valid(g) & ~shapely.is_missing(g)
    if bad.any():
        fixed = shapely.make_valid(g[bad])
        g[bad] = _polygonal(fixed)
    return g


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry (make_valid may add lines or points)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):  # only the few invalid ones
        parts = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)]
        out[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


def _units_2025_frame(c: gpd.GeoDataFrame) -> tuple[pd.Series, pd.DataFrame]:
    key = partition_keys_2025(c)
    u = units.units_2025().drop_duplicates("commune_2025_code")
    table = pd.DataFrame(
        {
            "unit_code": u["commune_2025_code"].to_numpy(),
            "unit": u["commune_2025"].to_numpy(),
            "province_code": u["province_2025_code"].to_numpy(),
            "partial": u["kinds"].str.contains("partial").to_numpy(),
        }
    )
    return key, table


def _units_pre2025_frame(c: gpd.GeoDataFrame) -> tuple[pd.Series, pd.DataFrame]:
    key = c["district_code"].astype(object)
    key = key.where(key.notna(), None)
    d = c.dropna(subset=["district_code"]).drop_duplicates("district_code")
    table = pd.DataFrame(
        {
            "unit_code": d["district_code"].to_numpy(),
            "unit": d["district"].to_numpy(),
            "province_code": d["province_code"].to_numpy(),
            "partial": False,
        }
    )
    return key, table


def outlines(
    units_system: UnitSystem | str,
    *,
    tolerance: float = TOLERANCE,
    communes_pre2025: gpd.GeoDataFrame | None = None,
    cache: bool = True,
) -> Outlines:
    """The light boundaries of all Vietnam in a unit system (see the module docstring).

    Parameters
    ----------
    units_system
        ``2025`` (34 provinces, 3,321 communes) or ``pre2025`` (63 provinces, their districts).
    tolerance
        Simplification tolerance in degrees (:data:`TOLERANCE`).
    communes_pre2025
        The pre-2025 polygons (:func:`geo.units.read_communes`); read when None.
    cache
        Keep the outlines made from the real data in :func:`cache_dir` (a GeoPackage named by
        the source file's checksum, the tolerance and :data:`METHOD_VERSION`) and reuse them:
        they are simplified once. Never used when ``communes_pre2025`` is given.

    Returns
    -------
    Outlines
    """
    system = UnitSystem(units_system)
    path = _cache_path(system, tolerance) if cache and communes_pre2025 is None else None
    if path is not None and path.is_file():
        try:
            return _read_cached(system, path)
        except Exception as exc:  # a damaged cache is rebuilt
            log.warning("national outlines cache %s unreadable (%s): rebuilt", path, exc)
    made = _make_outlines(system, tolerance, communes_pre2025)
    if path is not None:
        _write_cached(made, path)
    return made


def cache_dir() -> Path:
    """Where prepared outlines are kept: ``$COVERAGE_CACHE_DIR``, else the user's cache
    folder (``platformdirs``). Derived from GADM: never shared or committed."""
    env = os.environ.get("COVERAGE_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("vn-coverage"))


def _cache_path(system: UnitSystem, tolerance: float) -> Path:
    source = registry.path("communes_pre2025")
    digest = hashlib.sha256()
    digest.update(f"{source.stat().st_size}:{source.stat().st_mtime_ns}:".encode())
    digest.update(f"{system}:{tolerance}:{GRID}:{SNAP}:{GAP}:{METHOD_VERSION}".encode())
    return cache_dir() / f"national_{system}_{digest.hexdigest()[:16]}.gpkg"


def _write_cached(made: Outlines, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    made.provinces.to_file(tmp, layer="provinces", driver="GPKG", engine="pyogrio")
    made.communes.to_file(tmp, layer="units", driver="GPKG", engine="pyogrio")
    os.replace(tmp, path)


def _read_cached(system: UnitSystem, path: Path) -> Outlines:
    prov = gpd.read_file(path, layer="provinces", engine="pyogrio")
    com = gpd.read_file(path, layer="units", engine="pyogrio")
    for frame, cols in ((prov, ("province_code",)), (com, ("unit_code", "province_code"))):
        for col in cols:
            frame[col] = frame[col].astype(str)
    com["geometry"] = com.geometry.where(~com.geometry.is_empty, None)
    return Outlines(system, prov, com)


def _make_outlines(
    system: UnitSystem, tolerance: float, communes_pre2025: gpd.GeoDataFrame | None
) -> Outlines:
    c = units.read_communes() if communes_pre2025 is None else communes_pre2025
    key, table = (_units_2025_frame if system == UnitSystem.U2025 else _units_pre2025_frame)(c)
    polys = gpd.GeoDataFrame({"key": key.to_numpy()}, geometry=c.geometry.to_numpy(), crs=c.crs)
    polys = polys[polys["key"].notna()]
    merged = polys.dissolve(by="key", method="unary").geometry
    geoms = clean_coverage(merged.to_numpy(), tolerance=tolerance)
    drawn = pd.Series(geoms, index=merged.index)
    got = table["unit_code"].map(drawn)
    got = got.where(got.notna() & ~shapely.is_empty(got.fillna(shapely.Polygon())), None)
    present = got.notna().to_numpy()
    method = np.select(
        [present & ~table["partial"].to_numpy(), present], ["exact", "approximate"], "missing"
    )
    communes = gpd.GeoDataFrame(
        table.drop(columns="partial").assign(geometry_method=method),
        geometry=gpd.GeoSeries(got.to_numpy(), crs="EPSG:4326"),
        crs="EPSG:4326",
    ).sort_values("unit_code", ignore_index=True)
    prov = provinces(system)
    drawn_units = communes[communes.geometry.notna()]
    unions = (
        drawn_units[["province_code", "geometry"]]
        .dissolve(by="province_code", method="unary")
        .geometry
    )
    prov_gdf = gpd.GeoDataFrame(
        prov[["province_code", "province"]],
        geometry=gpd.GeoSeries(prov["province_code"].map(unions).to_numpy(), crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    log.info(
        "national outlines (%s): %d provinces, %d units, %d vertices",
        system,
        len(prov_gdf),
        len(communes),
        int(shapely.get_num_coordinates(communes.geometry.to_numpy()).sum()),
    )
    return Outlines(system, prov_gdf, communes)


def province_figures(
    units_system: UnitSystem | str,
    settings: workspace.Settings | None = None,
    *,
    stores: workspace.Stores | None = None,
    loader: Callable[[str], province.ProvinceData] = province.load_province,
    build: Callable[..., object] | None = None,
) -> pd.DataFrame:
    """Per province: whether real data is loaded, and its indicators where there is any.

    Parameters
    ----------
    units_system
        ``2025`` or ``pre2025``.
    settings
        Year, radii, sharing distance (defaults when None).
    stores
        The import store to read (``Stores()`` reads none: the synthetic demo only).
    loader
        Loads one pre-2025 province (the app passes its cached loader).
    build
        Builds a scope's model, ``build(scope, settings, stores=…, loader=…)``;
        :func:`geo.workspace.build` when None (the app passes its cached one).

    Returns
    -------
    DataFrame
        ``province_code``, ``province``, ``codes_old`` (";"-joined), ``origin``
        (:class:`~geo.vocab.DataOrigin` value), ``imported`` (";"-joined kinds of committed
        imports), ``villages``, ``villages_mobile_share`` (0–1), ``total_not_spots``,
        ``partial_not_spots`` (NA without site data).
    """
    system = UnitSystem(units_system)
    settings = settings or workspace.Settings()
    stores = workspace.Stores() if stores is None else stores
    build = build or workspace.build
    kinds = workspace.committed_kinds(stores.imports)
    table = provinces(system)
    rows = []
    for r in table.itertuples(index=False):  # one row per province (34 or 63)
        imported = set().union(*(kinds.get(c, set()) for c in r.codes_old))
        if "sites" in imported:
            origin = DataOrigin.PLANNER
        elif set(r.codes_old) & set(workspace.PROVINCES_WITH_DEMO):
            origin = DataOrigin.SYNTHETIC
        else:
            origin = DataOrigin.NONE
        row = {
            "province_code": r.province_code,
            "province": r.province,
            "codes_old": ";".join(r.codes_old),
            "origin": origin.value,
            "imported": ";".join(sorted(imported)),
            "villages": pd.NA,
            "villages_mobile_share": np.nan,
            "total_not_spots": pd.NA,
            "partial_not_spots": pd.NA,
        }
        if origin != DataOrigin.NONE:
            scope = workspace.Scope(system, r.province_code, r.province, tuple(r.codes_old))
            model = build(scope, settings, stores=stores, loader=loader)
            res = indicators.compute(model, year=settings.year)
            row |= {
                "villages": res["villages"],
                "villages_mobile_share": (
                    np.nan
                    if res["villages_mobile_share"] is None
                    else float(res["villages_mobile_share"])
                ),
                "total_not_spots": res["total_not_spots"],
                "partial_not_spots": res["partial_not_spots"],
            }
        rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("villages", "total_not_spots", "partial_not_spots"):
        out[col] = out[col].astype("Int64")
    return out
