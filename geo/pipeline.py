"""A province's whole model: units, villages, sites, fibre, coverage, population.

:func:`build` is the one entry point the command line, the app and the benchmarks share. It
loads the province (:mod:`geo.province`), takes sites and fibre (the planner's, or the synthetic
demo layers, said so in ``sources``), computes the modelled coverage of every village and the
population within coverage, and returns a :class:`Model` of plain frames.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo import census, coverage, demo, population, province, registry
from geo import sites as sites_mod
from geo import villages as villages_mod
from geo.unserved import EXPORT_COLUMNS

log = logging.getLogger(__name__)


@dataclass
class Model:
    """Everything the map, the indicators and the exports of one province need.

    Attributes
    ----------
    status
        The villages with ``Viettel`` … ``Gmobile`` (bool: modelled mobile broadband by that
        operator), ``mobile_broadband``, ``gap_class`` (all / partial / none), ``fibre``,
        ``fibre_operators``, ``declared_unserved`` (bool), ``declared_operator``.
    communes
        Communes with ``population`` (2019 census), ``population_covered``, ``villages``,
        ``villages_mobile``, ``villages_mobile_share``.
    sites
        Site records on air by 31/12 of ``year`` (all when ``year`` is None), with
        ``physical_site_id``.
    sources
        Per layer, where it comes from and whether it is synthetic.
    """

    data: province.ProvinceData
    status: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    fibre: pd.DataFrame
    year: int | None
    radii: dict[str, float]
    sharing_distance_m: float
    sources: dict[str, dict] = field(default_factory=dict)
    declared_coverage: gpd.GeoDataFrame | None = None
    """Operators' declared coverage polygons imported by the planner (operator, technology)."""

    @property
    def province_code(self) -> str:
        return self.data.province_code

    @property
    def province(self) -> str:
        return self.data.province

    @property
    def declared(self) -> gpd.GeoDataFrame | None:
        return self.data.declared


def build(
    province_name: str | province.ProvinceData,
    *,
    year: int | None = None,
    sites: gpd.GeoDataFrame | None = None,
    fibre: pd.DataFrame | None = None,
    radii: Mapping[str, float] | None = None,
    sharing_distance_m: float = 30.0,
) -> Model:
    """Build the model of a province.

    Parameters
    ----------
    province_name
        Name in any spelling, GSO code, or an already loaded :class:`~geo.province.ProvinceData`.
    year
        Count sites on air by 31/12 of this year (sites of unknown date count).
    sites, fibre
        The planner's layers; the synthetic demo layers when None.
    radii
        Coverage radius in metres per technology (default :data:`geo.coverage.DEFAULT_RADII_M`).
    sharing_distance_m
        Records of different operators within this distance form one physical site.
    """
    data = (
        province_name
        if isinstance(province_name, province.ProvinceData)
        else province.load_province(province_name)
    )
    radii = dict(coverage.DEFAULT_RADII_M if radii is None else radii)
    sources: dict[str, dict] = {
        "villages": {"synthetic": False, "source": data.register.note_en},
    }
    if sites is None:
        sites = demo.synthetic_sites(data.province_code)
        sources["sites"] = {"synthetic": True, "source": demo.SITES_FILE}
    else:
        sources["sites"] = {"synthetic": False, "source": "planner"}
    if fibre is None:
        fibre = demo.synthetic_fibre(data.province_code)
        sources["fibre"] = {"synthetic": True, "source": demo.FIBRE_FILE}
    else:
        sources["fibre"] = {"synthetic": False, "source": "planner"}
    # A province without any site or fibre row has no data, which is not the same as 0 %.
    sources["sites"]["available"] = bool(len(sites))
    sources["fibre"]["available"] = bool(len(fibre))
    for key in ("sites", "fibre"):
        if not sources[key]["available"]:
            sources[key] |= {"synthetic": False, "source": None}
    if year is not None and len(sites):
        sites = sites_mod.on_air_by(sites, year)
    sites = sites.copy()
    sites["physical_site_id"] = (
        sites_mod.physical_sites(sites, sharing_distance_m) if len(sites) else pd.Series(dtype=str)
    )

    villages = data.villages
    cov = coverage.operator_coverage(villages, sites, radii=radii)
    status = villages.copy()
    for op in cov.columns:
        status[op] = cov[op].to_numpy()
    status["mobile_broadband"] = coverage.mobile_broadband(cov).to_numpy()
    status["gap_class"] = coverage.gap_class(cov).to_numpy()
    status["fibre"] = coverage.fibre_status(villages, fibre).to_numpy()
    status["fibre_operators"] = coverage.fibre_operators(villages, fibre).to_numpy()
    declared = data.declared
    if declared is not None:
        d = declared.drop_duplicates("village_id").set_index("village_id")
        status["declared_unserved"] = status["village_id"].isin(d.index)
        status["declared_operator"] = status["village_id"].map(d["operator"]).fillna("")
    else:
        status["declared_unserved"] = False
        status["declared_operator"] = ""

    communes = data.communes.copy()
    communes["population"] = census.census_population(communes)
    missing_pop = communes["population"].isna()
    if missing_pop.any():
        log.warning("%d communes have no census population", int(missing_pop.sum()))
    area = coverage.coverage_buffers(sites, radii=radii) if len(sites) else None
    raster = registry.path("worldpop_2020")
    with_pop = communes[~missing_pop]
    covered = population.population_within(
        with_pop.assign(population=with_pop["population"].astype(float)), area, raster
    )
    communes["population_covered"] = covered.reindex(communes.index)
    per_commune = status.groupby("gid_3").agg(
        villages=("village_id", "size"),
        villages_mobile=("mobile_broadband", "sum"),
        villages_fibre=("fibre", "sum"),
    )
    communes = communes.join(per_commune, on="gid_3")
    communes[["villages", "villages_mobile", "villages_fibre"]] = (
        communes[["villages", "villages_mobile", "villages_fibre"]].fillna(0).astype(int)
    )
    communes["villages_mobile_share"] = communes["villages_mobile"] / communes["villages"].where(
        communes["villages"] > 0
    )
    sources["population"] = {
        "synthetic": False,
        "source": registry.attribution(["population_2019", "worldpop_2020"]),
    }
    return Model(data, status, communes, sites, fibre, year, radii, sharing_distance_m, sources)


def layer(model: Model, name: str) -> gpd.GeoDataFrame:
    """A layer of the model in its export schema (see the README's table of columns)."""
    if name == "communes":
        cols = [
            "commune_code",
            "commune",
            "commune_type",
            "district_code",
            "district",
            "province_code",
            "province",
            "code_status",
            "commune_2025_code",
            "commune_2025",
            "province_2025_code",
            "commune_2025_method",
            "population",
            "population_covered",
            "villages",
            "villages_mobile",
            "villages_fibre",
            "villages_mobile_share",
            "geometry",
        ]
        return model.communes[cols]
    if name == "villages":
        s = model.status
        out = s[
            [
                *villages_mod.EXPORT_COLUMNS,
                "mobile_broadband",
                "gap_class",
                "Viettel",
                "VNPT",
                "MobiFone",
                "Vietnamobile",
                "Gmobile",
                "fibre",
                "fibre_operators",
                "declared_unserved",
                "declared_operator",
                "geometry",
            ]
        ].copy()
        out["register_note"] = model.data.register.note_en
        out["coverage_model"] = (
            "radius (indicative): "
            + ", ".join(f"{t} {r / 1000:g} km" for t, r in model.radii.items())
            + ("; sites SYNTHETIC" if model.sources["sites"]["synthetic"] else "")
            + ("; fibre SYNTHETIC" if model.sources["fibre"]["synthetic"] else "")
        )
        return out
    if name == "unserved":
        if model.declared is None:
            return gpd.GeoDataFrame(
                columns=[*EXPORT_COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326"
            )
        d = model.declared
        modelled = model.status.drop_duplicates("village_id").set_index("village_id")
        out = d[[*EXPORT_COLUMNS, "register_name", "document", "source_row", "geometry"]].copy()
        out["modelled_mobile_broadband"] = d["village_id"].map(modelled["mobile_broadband"])
        return out
    if name == "sites":
        s = model.sites.copy()
        s["lon"] = s.geometry.x
        s["lat"] = s.geometry.y
        s["synthetic"] = model.sources["sites"]["synthetic"]
        return s
    if name == "fibre":
        f = model.status[model.status["fibre"]][
            [
                "village_id",
                "village",
                "commune",
                "commune_code",
                "district",
                "district_code",
                "province_code",
                "fibre_operators",
                "geometry",
            ]
        ].copy()
        f["synthetic"] = model.sources["fibre"]["synthetic"]
        return f
    raise ValueError(f"unknown layer {name!r}")


def disagreements(model: Model) -> pd.DataFrame:
    """Villages where the plan's declared list and the modelled coverage disagree.

    Returns
    -------
    DataFrame
        ``village_id``, ``village``, ``commune``, ``district``, ``operator`` (declared),
        ``location_precision`` and ``disagreement``: ``declared_unserved_modelled_covered`` (the
        plan lists it as unserved but a modelled site covers it) or
        ``modelled_not_spot_not_declared`` (no operator covers it in the model and the plan does
        not list it). Never merged: the two statuses stay side by side.
    """
    s = model.status
    covered_declared = s["declared_unserved"] & s["mobile_broadband"]
    uncovered_undeclared = ~s["declared_unserved"] & ~s["mobile_broadband"]
    out = s.loc[
        covered_declared | uncovered_undeclared,
        [
            "village_id",
            "village",
            "commune",
            "district",
            "declared_operator",
            "location_precision",
        ],
    ].rename(columns={"declared_operator": "operator"})
    out["disagreement"] = "modelled_not_spot_not_declared"
    out.loc[covered_declared[covered_declared].index, "disagreement"] = (
        "declared_unserved_modelled_covered"
    )
    return out.sort_values(["disagreement", "district", "commune", "village"]).reset_index(
        drop=True
    )
