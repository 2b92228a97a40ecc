"""Kind ``unserved``: villages without service and the operator assigned to each (Phụ lục 2)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import names
from geo import villages as villages_mod
from geo.imports.matching import _province_rows, _resolve_units, _unit_issues, _village_matches
from geo.imports.model import SOURCE, _Context, _Parsed
from geo.imports.values import (
    _ambiguous_villages,
    _mark_issues,
    _operator_column,
    _operator_list,
    _repeated,
    _text,
    _village_names,
    _wide_lists,
)
from geo.unserved import EXPORT_COLUMNS


def _resolve_kind(p: _Parsed, ctx: _Context, ov: dict, options: dict):
    """Check and match the rows of an unserved list (as Phụ lục 2): the village, its units and
    the operators assigned; a village not in the register gets an id minted from its commune
    and name, and is located at its commune."""
    document = options["document"]
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    village, issue = _village_names(rows, labels)
    issues.append(issue)
    ops, op_issues = _assigned_operators(rows, labels)
    issues += op_issues
    u = _resolve_units(rows, ctx, ov)
    issues += _unit_issues(rows, u, labels, need_commune=True)
    issues.append(_province_rows(rows, ctx, labels.get("province", "province")))
    vm = _village_matches(rows, u, ctx, ov)
    issues.append(_ambiguous_villages(rows, vm, labels["village"]))
    code = u["commune_code"]
    key = names.name_keys(village.fillna(""), level="village")
    matched = vm["village_id"].notna()
    minted = villages_mod.mint_ids(
        pd.Series(f"{SOURCE}:{ctx.province_code}", index=rows.index),
        code.fillna("").astype(str) + ":" + key.astype(str),
    )
    village_id = vm["village_id"].where(matched, minted)
    # Two rows of one village and operator would be one record.
    keyed = (village.notna() & (matched | code.notna())).to_numpy()
    issues.append(_repeated_assignments(rows, labels, village_id, ops, keyed))
    reg = ctx.register.villages.drop_duplicates("village_id").set_index("village_id")
    at_point = gpd.GeoSeries(village_id.map(reg.geometry), index=rows.index, crs="EPSG:4326")
    at_commune = villages_mod.locate_at_commune(
        pd.DataFrame({"commune_code": code.astype(object)}, index=rows.index), ctx.communes
    )
    geometry = at_point.where(matched, at_commune)
    precision = np.where(
        matched & (village_id.map(reg["location_precision"]) == "point"), "point", "commune"
    )
    out = pd.DataFrame(
        {
            "village_id": village_id.astype(object),
            "village": village.astype(object),
            "commune": u["commune_gso"].astype(object),
            "commune_code": code.astype(object),
            "district": u["district_gso"].astype(object),
            "district_code": u["district_code"].astype(object),
            "province": u["province_gso"].astype(object),
            "province_code": ctx.province_code,
            "operators": ops.astype(object),
            "location_precision": precision,
            "match_status": u["match_status"].astype(object),
            "source": document,
            "register_name": vm["register_name"].astype(object),
            "village_match_status": vm["village_match_status"].astype(object),
            "match_score": u["match_score"],
            "match_candidates": u["candidates"].astype(object),
            "commune_printed": _text(rows["commune"]).astype(object),
            "district_printed": (
                _text(rows["district"]).astype(object) if "district" in rows else None
            ),
            "operator_printed": (
                _text(rows["operator"]).astype(object) if "operator" in rows else None
            ),
            "document": document,
            "document_date": None,
            "source_row": rows["source_row"].to_numpy(),
            "commune_2025_code": u["commune_2025_code"].astype(object),
            "gid_3": u["gid_3"].astype(object),
        },
        index=rows.index,
    )
    return out, issues, {"units": u, "villages": vm, "geometry": geometry}


def _assigned_operators(rows: pd.DataFrame, labels: dict) -> tuple[pd.Series, list]:
    """The operators assigned to each row (a list: one column, or one column per operator)
    and the issues of unknown operators or unreadable marks."""
    issues: list[pd.DataFrame] = []
    if "operator" in rows:
        ops, issue = _operator_column(
            rows,
            labels,
            "unknown operator; write Viettel, VNPT (Vinaphone), MobiFone, Vietnamobile or Gmobile",
            "doanh nghiệp không rõ; hãy ghi Viettel, VNPT (Vinaphone), MobiFone, "
            "Vietnamobile hoặc Gmobile",
        )
        issues.append(issue)
    else:
        ops, wide_issues = _wide_lists(rows, "operator")
        issues += _mark_issues(rows, labels, wide_issues)
        if ops is None:
            ops = pd.Series([[]] * len(rows), index=rows.index, dtype=object)
    return ops, issues


def _repeated_assignments(
    rows: pd.DataFrame, labels: dict, village_id: pd.Series, ops: pd.Series, keyed: np.ndarray
) -> pd.DataFrame:
    """The issue of rows repeating an earlier row's village and operator: they would be one
    record."""
    return _repeated(
        rows,
        pd.Series(
            [
                ([f"{v}|{op}" for op in ops_] or [f"{v}|"])
                if k and isinstance(ops_, list)
                else None
                for v, ops_, k in zip(village_id, ops, keyed, strict=True)
            ],
            index=rows.index,
            dtype=object,
        ),
        labels["village"],
        "the same village and operator",
        "trùng thôn/bản và doanh nghiệp",
        rows["village"],
    )


def _frame(
    parsed: _Parsed, ctx: _Context, out: pd.DataFrame, extra: dict, status: np.ndarray
) -> gpd.GeoDataFrame:
    """The staged rows in the layer's schema: one row per village and operator."""
    f = out.assign(status=status)
    f["operator"] = _operator_list(f.pop("operators"))
    f = f.explode("operator")
    f["operator"] = f["operator"].fillna("")
    geometry = extra["geometry"].reindex(f.index)
    frame = gpd.GeoDataFrame(f, geometry=geometry.to_numpy(), crs="EPSG:4326")
    return frame.reset_index(drop=True)


def _export(f: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The staged rows (those that could be read) in the schema ``python -m geo export``
    writes for the layer."""
    out = f[[*EXPORT_COLUMNS, "register_name", "document", "source_row"]].copy()
    for c in ("village_match_status", "match_score", "status"):
        out[c] = f[c].to_numpy()
    return gpd.GeoDataFrame(out, geometry=f.geometry.to_numpy(), crs="EPSG:4326")
