"""Declared unserved villages: the plans' lists (Phụ lục 2 of 4638/KH-UBND) on the map.

The declared list is the plan's statement, kept apart from the modelled coverage: it is shown
beside it, with its source, never merged into it. Each row is resolved to its pre-2025 commune
(the plan is dated before 01/07/2025 and names districts), matched to the village register
within that commune, and located at the register's point or, failing that, at the commune's
representative point (``location_precision=commune``). Geometry is never null.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import plans, units, villages

EXPORT_COLUMNS = [
    *villages.PLACE_COLUMNS,
    "operator",
    "location_precision",
    "match_status",
    "source",
]


def declared_unserved(
    plan_id: str,
    communes: gpd.GeoDataFrame,
    register: villages.Register,
) -> gpd.GeoDataFrame:
    """Resolve a plan's unserved-village list to communes and register villages.

    Parameters
    ----------
    plan_id
        A plan with an unserved list in ``data/plans`` (``dienbien_4638``).
    communes
        The province's communes (:func:`geo.units.read_communes`).
    register
        The province's village register.

    Returns
    -------
    GeoDataFrame
        :data:`EXPORT_COLUMNS` plus ``register_name``, ``village_match_status``,
        ``match_score``, ``match_candidates``, ``commune_printed``, ``district_printed``,
        ``operator_printed``, ``document``, ``document_date``, ``source_row``, ``commune_2025_code``.
        ``village`` is the name as printed in the plan.
    """
    rows = plans.load_unserved(plan_id)
    province_code = _plan_province(plan_id, communes)
    res = units.resolve_communes(rows, province_code, communes)
    rows = rows.join(res.drop(columns=["district_gso"]))
    vm = villages.match_villages(rows, register.villages)
    rows = rows.join(vm)
    info = communes.dropna(subset=["commune_code"]).drop_duplicates("commune_code")
    info = info.set_index("commune_code")
    reg = register.villages.set_index("village_id")
    matched = rows["village_id"].notna()
    source = rows["document"] + " " + rows["appendix"]
    minted = villages.mint_ids(source, rows["source_row"].astype(str))
    rows["village_id"] = rows["village_id"].fillna(minted)
    at_point = gpd.GeoSeries(rows["village_id"].map(reg.geometry), index=rows.index)
    at_commune = villages.locate_at_commune(rows, communes)
    geometry = at_point.where(matched, at_commune)
    out = pd.DataFrame(
        {
            "village_id": rows["village_id"],
            "village": rows["village"],
            "commune": rows["commune_code"].map(info["commune"]),
            "commune_code": rows["commune_code"],
            "district": rows["district_code"].map(_district_names(communes)),
            "district_code": rows["district_code"],
            "province": rows["commune_code"].map(info["province"]),
            "province_code": province_code,
            "operator": rows["operator"],
            "location_precision": matched.map({True: "point", False: "commune"}),
            "match_status": rows["match_status"],
            "source": source
            + " ("
            + rows["document_date"].map(lambda d: d.strftime("%d/%m/%Y"))
            + ")",
            "register_name": rows["register_name"],
            "village_match_status": rows["village_match_status"],
            "match_score": rows["match_score"],
            "match_candidates": rows["match_candidates"],
            "commune_printed": rows["commune"],
            "district_printed": rows["district"],
            "operator_printed": rows["operator_printed"],
            "document": rows["document"],
            "document_date": rows["document_date"],
            "source_row": rows["source_row"],
            "commune_2025_code": rows["commune_code"].map(info["commune_2025_code"]),
            "gid_3": rows["commune_code"].map(info["gid_3"]),
        },
        index=rows.index,
    )
    return gpd.GeoDataFrame(out, geometry=geometry.values, crs="EPSG:4326")


def _district_names(communes: gpd.GeoDataFrame) -> pd.Series:
    return (
        communes.dropna(subset=["district_code"])
        .drop_duplicates("district_code")
        .set_index("district_code")["district"]
    )


def _plan_province(plan_id: str, communes: gpd.GeoDataFrame) -> str:
    rows = plans.load_unserved(plan_id)
    code, _ = units.resolve_province(str(rows["province"].iloc[0]))
    return code


def add_to_register(register: villages.Register, declared: gpd.GeoDataFrame) -> villages.Register:
    """The register with the declared villages it lacks, located at their commune.

    A plan's village that the register does not hold is still a village of the province: it
    joins the register with ``location_precision=commune`` and the plan as its source, so that
    village counts include it and it can be placed later.
    """
    new = declared[~declared["village_id"].isin(register.villages["village_id"])]
    if new.empty:
        return register
    add = gpd.GeoDataFrame(
        {
            "village_id": new["village_id"].to_numpy(),
            "village": new["village"].to_numpy(),
            "commune_code": new["commune_code"].to_numpy(),
            "commune": new["commune"].to_numpy(),
            "district_code": new["district_code"].to_numpy(),
            "district": new["district"].to_numpy(),
            "province_code": new["province_code"].to_numpy(),
            "province": new["province"].to_numpy(),
            "commune_2025_code": new["commune_2025_code"].to_numpy(),
            "gid_3": new["gid_3"].to_numpy(),
            "location_precision": "commune",
            "source": new["document"].to_numpy(),
            "source_id": new["source_row"].astype(str).to_numpy(),
            "join_method": "commune",
        },
        geometry=new.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    v = pd.concat([register.villages, add[villages.VILLAGE_COLUMNS]], ignore_index=True)
    v = gpd.GeoDataFrame(v, geometry="geometry", crs="EPSG:4326")
    return villages.Register(v, villages.aliases_for(v), register.note_vi, register.note_en)
