"""A province's model read in the 2025 units: its new communes with their status, indicators per
new commune and province, and its layers with the new units attached.
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geo import units
from geo.errors import InputError, UnitNotFoundError
from geo.units2025.polygons import (
    attribute_polygons,
    build_communes_2025,
    communes_for_2025,
    wanted_codes,
)
from geo.units2025.tables import (
    ASSIGN_METHODS,
    ASSIGNMENT_COLUMNS,
    province_old_to_new,
    provinces_2025_table,
    resolve_province_2025,
)
from geo.units2025.villages import assign_villages_2025, display_pair, names_of, to_2025

if TYPE_CHECKING:
    from geo.pipeline import Model


@dataclasses.dataclass
class Context:
    """What a model needs to be read in 2025 units (computed once per model)."""

    communes_pre2025: gpd.GeoDataFrame
    communes_2025: gpd.GeoDataFrame
    status: gpd.GeoDataFrame
    province_2025_code: str
    province_2025: str


_CONTEXTS: dict[int, tuple[weakref.ref, Context]] = {}


def context(model: Model) -> Context:
    """The model's villages assigned to new communes, and the new communes' polygons (cached
    per model object)."""
    hit = _CONTEXTS.get(id(model))
    if hit is not None and hit[0]() is model:
        return hit[1]
    base = communes_for_2025(model.data.communes)
    built = build_communes_2025(base, wanted_codes(model.data.communes))
    status = to_2025(model.status, base, built)
    code = province_old_to_new()[model.province_code]
    name = provinces_2025_table().set_index("province_2025_code").loc[code, "province_2025"]
    ctx = Context(base, built, status, code, name)
    _CONTEXTS[id(model)] = (weakref.ref(model), ctx)
    weakref.finalize(model, _CONTEXTS.pop, id(model), None)
    return ctx


def _commune_weights(model: Model, ctx: Context) -> pd.DataFrame:
    """(old polygon ``gid_3``, new commune, weight): 1 for a commune merged whole (or attached),
    the share of its located villages for a split commune."""
    att = attribute_polygons(model.communes)
    whole = pd.DataFrame(
        {
            "gid_3": model.communes["gid_3"].to_numpy(),
            "commune_2025_code": att["commune_2025_code"].to_numpy(),
            "weight": 1.0,
        }
    )[att["commune_2025_method"].isin(["mapping", "overlap"]).to_numpy()]
    s = ctx.status
    near = s[s["commune_2025_method"].eq("nearest")]
    shares = (
        (
            near.groupby(["gid_3", "commune_2025_code"]).size()
            / s[s["commune_2025_candidates"].ne("")].groupby("gid_3").size()
        )
        .rename("weight")
        .reset_index()
    )
    return pd.concat([whole, shares], ignore_index=True)


def communes_2025_table(model: Model) -> gpd.GeoDataFrame:
    """The new communes of the model's province with its indicators aggregated.

    Columns: :data:`COMMUNE_2025_COLUMNS` plus ``communes_old`` (names), ``population`` and
    ``population_covered`` (sums over the old communes; a split commune's by the share of its
    villages), ``villages``, ``villages_mobile``, ``villages_fibre`` and
    ``villages_mobile_share``.
    """
    ctx = context(model)
    built = ctx.communes_2025[ctx.communes_2025["province_2025_code"] == ctx.province_2025_code]
    w = _commune_weights(model, ctx)
    pops = model.communes[["gid_3", "population", "population_covered"]].merge(w, on="gid_3")
    pop = (
        pops.assign(
            population=pops["population"].astype(float) * pops["weight"],
            population_covered=pops["population_covered"].astype(float) * pops["weight"],
        )
        .groupby("commune_2025_code")[["population", "population_covered"]]
        .sum(min_count=1)
    )
    s = ctx.status
    per = s.groupby("commune_2025_code").agg(
        villages=("village_id", "size"),
        villages_mobile=("mobile_broadband", "sum"),
        villages_fibre=("fibre", "sum"),
    )
    out = built.join(pop.round(), on="commune_2025_code").join(per, on="commune_2025_code")
    cnt = ["villages", "villages_mobile", "villages_fibre"]
    out[cnt] = out[cnt].fillna(0).astype(int)
    out["villages_mobile_share"] = out["villages_mobile"] / out["villages"].where(
        out["villages"] > 0
    )
    gso = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")["commune"]
    out["communes_old"] = names_of(out["commune_codes_old"], gso)
    return out.reset_index(drop=True)


def indicators_2025(
    model: Model,
    province_2025_code: str | None = None,
    *,
    commune_2025_code: str | None = None,
    year: int | None = None,
) -> dict:
    """The plan's indicators of the model's villages, by new province (or one new commune).

    The same keys as :func:`geo.indicators.compute`, from the same village records, with
    ``units="2025"`` and: ``province_2025_code``, ``province_2025``, ``provinces_pre2025`` (the
    old provinces of the new one), ``provinces_in_model`` (the old provinces the model was
    built from: those of its communes, several for a merged
    :class:`~geo.province.ProvinceData`), ``complete`` (the model holds all the old provinces
    of the new one), and for a commune
    ``commune_2025_code``, ``commune_2025``, ``geometry_method``; ``villages_by_method`` (how
    the villages were placed), ``villages_unresolved`` and, for the province,
    ``population_unallocated``: the census population of split communes none of whose villages
    has coordinates, counted in the province but in no new commune.

    A split commune's population goes to its new communes in the share of its located villages.

    Parameters
    ----------
    model
        A province's model (:func:`geo.pipeline.build`).
    province_2025_code
        The new province (code or name), the one the model's province is in by default.
    commune_2025_code
        One new commune of it.
    year
        As in :func:`geo.indicators.compute`.

    Raises
    ------
    InputError
        The model's province is not in that new province.
    UnitNotFoundError
        The commune is not one of the province's new communes.
    """
    from geo import indicators

    ctx = context(model)
    if province_2025_code is not None:
        code, _ = resolve_province_2025(str(province_2025_code))
        if code != ctx.province_2025_code:
            raise InputError(
                f"The model holds {model.province}, which is in {ctx.province_2025} "
                f"({ctx.province_2025_code}) from 01/07/2025, not in province {code}.",
                f"Mô hình là {model.province}, từ 01/07/2025 thuộc {ctx.province_2025} "
                f"({ctx.province_2025_code}), không thuộc tỉnh {code}.",
                field="province_2025_code",
            )
    status, communes, site_frame, declared, scope = _scoped(model, ctx, commune_2025_code)
    data = dataclasses.replace(model.data, declared=declared)
    scoped = dataclasses.replace(
        model, data=data, status=status, communes=communes, sites=site_frame
    )
    result = indicators.compute(scoped, year=year)
    olds = (
        provinces_2025_table()
        .set_index("province_2025_code")
        .loc[ctx.province_2025_code, "province_codes_old"]
        .split(";")
    )
    held = sorted(set(model.data.communes["province_code"].dropna().astype(str)))
    methods = status["commune_2025_method"].value_counts()
    shared = _commune_weights(model, ctx).groupby("gid_3")["weight"].sum()
    left = 1.0 - shared.reindex(model.communes["gid_3"]).fillna(0.0).clip(0.0, 1.0).to_numpy()
    unallocated = float((model.communes["population"].astype(float).fillna(0.0) * left).sum())
    result.update(
        {
            "units": "2025",
            "province_2025_code": ctx.province_2025_code,
            "province_2025": ctx.province_2025,
            "provinces_pre2025": olds,
            "provinces_in_model": held,
            "complete": set(olds) <= set(held),
            **scope,
            "villages_by_method": {m: int(methods.get(m, 0)) for m in ASSIGN_METHODS},
            "villages_unresolved": int(methods.get("unresolved", 0)),
            "population_unallocated": int(round(unallocated))
            if commune_2025_code is None
            else None,
        }
    )
    return result


def _scoped(model: Model, ctx: Context, commune_2025_code: str | None):
    """The model's village statuses, communes (population shares of the new commune), sites
    and declared list, kept to one new commune when given; and what names that scope."""
    status = ctx.status
    communes = model.communes
    site_frame = model.sites
    declared = model.declared
    scope: dict[str, Any] = {}
    if commune_2025_code is None:
        return status, communes, site_frame, declared, scope
    table = communes_2025_table(model)
    row = table[table["commune_2025_code"] == str(commune_2025_code)]
    if row.empty:
        raise UnitNotFoundError(
            f"{commune_2025_code!r} is not a 2025 commune of {ctx.province_2025}.",
            f"{commune_2025_code!r} không phải xã (từ 01/07/2025) của {ctx.province_2025}.",
            field="commune_2025_code",
        )
    status = status[status["commune_2025_code"] == str(commune_2025_code)]
    w = _commune_weights(model, ctx)
    w = w[w["commune_2025_code"] == str(commune_2025_code)]
    sub = communes.merge(w[["gid_3", "weight"]], on="gid_3")
    communes = sub.assign(
        population=(sub["population"].astype(float) * sub["weight"]).round(),
        population_covered=sub["population_covered"].astype(float) * sub["weight"],
    )
    if len(site_frame):
        sa = assign_villages_2025(site_frame, ctx.communes_pre2025, ctx.communes_2025)
        site_frame = site_frame[sa["commune_2025_code"].eq(str(commune_2025_code)).fillna(False)]
    if declared is not None:
        declared = declared[declared["village_id"].isin(status["village_id"])]
    scope = {
        "commune_2025_code": str(commune_2025_code),
        "commune_2025": row["commune_2025"].iloc[0],
        "geometry_method": row["geometry_method"].iloc[0],
    }
    return status, communes, site_frame, declared, scope


def layer_2025(model: Model, name: str) -> gpd.GeoDataFrame:
    """A layer of the model in the 2025 units.

    ``communes`` is :func:`communes_2025_table` (the new communes' built polygons with their
    ``geometry_method``); ``villages``, ``unserved``, ``sites`` and ``fibre`` are the
    pre-2025 layers of :func:`geo.pipeline.layer` with :data:`ASSIGNMENT_COLUMNS` and
    ``units_display`` added (old names kept beside the new).
    """
    from geo import pipeline

    ctx = context(model)
    if name == "communes":
        return communes_2025_table(model)
    base = pipeline.layer(model, name)
    if name in ("villages", "fibre", "unserved"):
        s = ctx.status.drop_duplicates("village_id").set_index("village_id")
        extra = pd.DataFrame(
            {c: base["village_id"].map(s[c]) for c in [*ASSIGNMENT_COLUMNS, "units_display"]}
        )
        missing = extra["commune_2025_method"].isna()
        if missing.any():  # declared villages not in the status: assign them by themselves
            a = assign_villages_2025(base.loc[missing], ctx.communes_pre2025, ctx.communes_2025)
            a["units_display"] = display_pair(
                base.loc[missing, "commune"], a["commune_2025"], a["commune_2025_candidates"]
            )
            extra.loc[missing] = a[extra.columns]
    elif name == "sites":
        extra = assign_villages_2025(base, ctx.communes_pre2025, ctx.communes_2025)
    else:
        raise ValueError(f"unknown layer {name!r}")
    out = base.copy()
    for col in extra.columns:
        out[col] = extra[col].to_numpy()
    return out
