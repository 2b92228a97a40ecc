"""The terrain model in a province's model: the villages' coverage where a DEM is committed.

:func:`apply_to_model` is what :func:`geo.workspace.build` calls after the radius model: for
each province of the scope with a committed DEM, the villages' coverage per operator comes
from :func:`geo.terrain.model.terrain_coverage` and the counts that depend on it (mobile
broadband, gap class, villages covered per commune) are recomputed. Every village gets an
``evidence`` column (:class:`geo.vocab.Evidence`): ``terrain`` where the terrain model decided,
``radius`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo import coverage
from geo.sites import MOBILE_BROADBAND, OPERATORS
from geo.terrain.dem import Dem
from geo.terrain.model import MAX_PATH_LOSS_DB, terrain_coverage
from geo.vocab import Evidence

__all__ = ["apply_to_model"]


def apply_to_model(
    model,
    dems: Mapping[str, Dem],
    *,
    max_path_loss: Mapping[str, float] = MAX_PATH_LOSS_DB,
) -> None:
    """Replace the radius model by the terrain model for the provinces of ``dems``, in place.

    Parameters
    ----------
    model
        A :class:`geo.pipeline.Model` (its ``status`` and ``communes`` are updated).
    dems
        The committed DEM per pre-2025 province code (may be empty: the evidence column is
        still added, all ``radius``).
    max_path_loss
        Largest path loss in dB per technology.
    """
    status = model.status
    evidence = pd.Series(Evidence.RADIUS.value, index=status.index, dtype=object)
    sites = model.sites
    radii = {t: r for t, r in model.radii.items() if t in MOBILE_BROADBAND}
    broadband = sites[sites["technology"].isin(list(radii))] if len(sites) else sites
    changed = False
    for code, dem in dems.items():
        rows = (status["province_code"].astype(str) == str(code)).to_numpy()
        if not rows.any():
            continue
        cov, ev = terrain_coverage(
            status[rows],
            broadband,
            dem,
            operators=OPERATORS,
            radii=radii,
            max_path_loss=max_path_loss,
        )
        for op in OPERATORS:
            status.loc[rows, op] = cov[op].to_numpy()
        evidence[rows] = ev.astype(str).to_numpy()
        changed = True
    status["evidence"] = evidence.to_numpy()
    model.sources["coverage"] = {
        "synthetic": False,
        "source": "terrain (DEM) + radius" if changed else "radius",
        "terrain_provinces": sorted(dems),
    }
    if not changed:
        return
    table = status[list(OPERATORS)].astype(bool)
    present = set(broadband["operator"]) if len(broadband) else set()
    table.attrs["operators"] = tuple(op for op in OPERATORS if op in present)
    status["mobile_broadband"] = coverage.mobile_broadband(table).to_numpy()
    status["gap_class"] = coverage.gap_class(table).to_numpy()
    counts = status.groupby("gid_3")["mobile_broadband"].sum()
    communes = model.communes
    communes["villages_mobile"] = communes["gid_3"].map(counts).fillna(0).astype(int).to_numpy()
    communes["villages_mobile_share"] = communes["villages_mobile"] / communes["villages"].where(
        communes["villages"] > 0
    )
