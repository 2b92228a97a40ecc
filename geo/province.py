"""One province's data, loaded together: communes, village register, declared unserved list.

This is the I/O edge the command line and the app share; everything it returns is validated
frames in EPSG:4326 and the functions after it are pure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd

from geo import units, unserved, villages

log = logging.getLogger(__name__)

# Plans whose unserved-village list is transcribed in data/plans, by province code.
UNSERVED_PLANS: dict[str, list[str]] = {"11": ["dienbien_4638"]}


@dataclass
class ProvinceData:
    """What the tool knows of one province (pre-2025 units)."""

    province_code: str
    province: str
    communes: gpd.GeoDataFrame
    register: villages.Register
    declared: gpd.GeoDataFrame | None = None
    plan_ids: list[str] = field(default_factory=list)

    @property
    def villages(self) -> gpd.GeoDataFrame:
        return self.register.villages


def load_province(province: str) -> ProvinceData:
    """Load a province given by name in any spelling or by GSO code.

    The demo register (GeoNames) gets the plan's declared villages it lacks, located at their
    commune (``location_precision=commune``), so counts include them.
    """
    code, name = units.resolve_province(province)
    communes = units.read_communes([code])
    neighbours = units.read_communes_bbox(tuple(communes.total_bounds))
    register = villages.build_register(communes, neighbours=neighbours)
    declared = None
    plan_ids = UNSERVED_PLANS.get(code, [])
    if plan_ids:
        declared = unserved.declared_unserved(plan_ids[0], communes, register)
        register = unserved.add_to_register(register, declared)
    log.info("%s: %d communes, %d villages", name, len(communes), len(register.villages))
    return ProvinceData(code, name, communes, register, declared, plan_ids)
