"""Kind ``fibre``: villages with FTTH per operator, by name, by point or as areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.imports.matching import _resolve_units, _unit_issues, _village_matches
from geo.imports.model import _Context, _Parsed
from geo.imports.values import (
    _ambiguous_villages,
    _issue,
    _loc_label,
    _mark_issues,
    _marks,
    _operator_column,
    _operator_list,
    _repeated,
    _text,
    _wide_lists,
)
from geo.operators import OPERATORS


def _resolve_kind(p: _Parsed, ctx: _Context, ov: dict, options: dict):
    """Check and match the rows of a fibre list: operators and yes/no marks, then the villages
    named (by name in their commune), pointed at (the nearest within 1 km) or covered (the
    register's villages inside an area), and repeated villages."""
    rows = p.rows
    labels = p.labels
    ops, flag_false, issues = _fibre_operators(rows, labels, ov)
    polygons = rows.get("has_geom", pd.Series(False, index=rows.index)).to_numpy(
        dtype=bool
    ) & ~rows.get("is_point", pd.Series(True, index=rows.index)).to_numpy(dtype=bool)
    has_name = "village" in rows
    u = _resolve_units(rows, ctx, ov)
    reg = ctx.register.villages
    vm, pts = _matched_villages(rows, u, ctx, ov, polygons, has_name)
    area_rows, area_issues = _area_villages(rows, vm, reg, polygons)
    issues += area_issues
    issues += _village_issues(p, u, vm, ops, polygons, flag_false, pts, has_name)
    by_id = reg.drop_duplicates("village_id").set_index("village_id")
    out = pd.DataFrame(
        {
            "village_id": vm["village_id"].astype(object),
            "operators": ops.astype(object),
            "village": vm["register_name"].astype(object),
            "village_printed": _text(rows["village"]).astype(object) if has_name else None,
            "commune_code": vm["village_id"]
            .map(by_id["commune_code"])
            .fillna(u["commune_code"])
            .astype(object),
            "match_status": u["match_status"].astype(object),
            "match_score": u["match_score"],
            "village_match_status": vm["village_match_status"].astype(object),
            "fibre_flag": ~flag_false,
            "is_area": polygons,
        },
        index=rows.index,
    )
    return out, issues, {"units": u, "villages": vm, "areas": area_rows}


def _fibre_operators(
    rows: pd.DataFrame, labels: dict, ov: dict
) -> tuple[pd.Series, np.ndarray, list[pd.DataFrame]]:
    """The operators of each row (a column, one column per operator, or the planner's
    choice), which rows are marked as *without* fibre, and the issues of both."""
    issues: list[pd.DataFrame] = []
    if "operator" in rows:
        ops, issue = _operator_column(
            rows,
            labels,
            "unknown operator; write Viettel, VNPT, MobiFone, Vietnamobile or Gmobile",
            "nhà mạng không rõ; hãy ghi Viettel, VNPT, MobiFone, Vietnamobile hoặc Gmobile",
        )
        issues.append(issue)
    else:
        ops, wide_issues = _wide_lists(rows, "operator")
        issues += _mark_issues(rows, labels, wide_issues)
        if ops is None:
            ops = pd.Series(
                [[ov["_operator"]] if ov.get("_operator") else None] * len(rows), index=rows.index
            )
    no_op = ops.map(lambda v: not v, na_action="ignore").fillna(True).astype(bool).to_numpy()
    flag_false = np.zeros(len(rows), dtype=bool)
    if "fibre" in rows:
        true, unreadable = _marks(rows["fibre"])
        flag_false = ~true & ~unreadable
        issues.append(
            _issue(
                rows,
                unreadable,
                "error",
                labels["fibre"],
                "write x or có (or leave empty)",
                "hãy ghi x hoặc có (hoặc để trống)",
                rows["fibre"],
            )
        )
    issues.append(
        _issue(
            rows,
            no_op & ~flag_false & ("operator" in rows),
            "error",
            labels.get("operator", "operator"),
            "no operator is given",
            "không ghi nhà mạng",
        )
    )
    return ops, flag_false, issues


def _matched_villages(
    rows: pd.DataFrame, u: pd.DataFrame, ctx: _Context, ov: dict, polygons, has_name: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    """Each row's register village: by name within its commune, or for a point without a name
    the nearest register village within 1 km; and which rows are such points."""
    reg = ctx.register.villages
    if has_name:
        vm = _village_matches(rows, u, ctx, ov)
    else:
        vm = pd.DataFrame(
            {
                "village_id": pd.Series(None, index=rows.index, dtype=object),
                "village_match_status": "none",
                "village_match_score": 0.0,
                "village_match_candidates": "",
                "register_name": None,
                "village_candidate_names": "",
                "village_source": None,
            },
            index=rows.index,
        )
    # Points without a name: the nearest register village of the same commune, within 1 km.
    pts = ~polygons & rows["lon"].notna().to_numpy() & vm["village_id"].isna().to_numpy()
    if pts.any() and not has_name:
        near = _nearest_villages(rows.loc[pts], reg)
        vm.loc[near.index, "village_id"] = near["village_id"]
        vm.loc[near.index, "village_match_status"] = near["status"]
        vm.loc[near.index, "register_name"] = near["village"]
    return vm, pts


def _area_villages(
    rows: pd.DataFrame, vm: pd.DataFrame, reg: gpd.GeoDataFrame, polygons: np.ndarray
) -> tuple[pd.DataFrame | list, list[pd.DataFrame]]:
    """The register villages inside each area row (``_i``: the row's position,
    ``village_id``), their match status set in ``vm``, and the issue of empty areas."""
    issues: list[pd.DataFrame] = []
    area_rows = []
    if polygons.any():
        shapes = gpd.GeoDataFrame(
            {"_i": np.flatnonzero(polygons)},
            geometry=list(rows["geometry"].to_numpy(dtype=object)[polygons]),
            crs="EPSG:4326",
        )
        inside = gpd.sjoin(reg[["village_id", "geometry"]], shapes, predicate="within")
        counts = inside.groupby("_i").size()
        for i in np.flatnonzero(polygons):
            vm.loc[rows.index[i], "village_match_status"] = "area" if counts.get(i, 0) else "none"
        area_rows = inside[["_i", "village_id"]]
        issues.append(
            _issue(
                rows,
                polygons & ~np.isin(np.arange(len(rows)), counts.index.to_numpy()),
                "review",
                "geometry",
                "no village of the register lies in this area",
                "không có thôn nào của danh mục nằm trong vùng này",
            )
        )
    return area_rows, issues


def _village_issues(
    p: _Parsed,
    u: pd.DataFrame,
    vm: pd.DataFrame,
    ops: pd.Series,
    polygons: np.ndarray,
    flag_false: np.ndarray,
    pts: np.ndarray,
    has_name: bool,
) -> list[pd.DataFrame]:
    """The issues of the villages: units unsure, a name fitting several villages, a village
    not in the register (or no village near a point), and a village repeated for an
    operator."""
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    village_missing = (
        ~polygons
        & ~flag_false
        & vm["village_id"].isna().to_numpy()
        & (vm["village_match_status"] != "ambiguous").to_numpy()
    )
    if has_name:
        has_location = p.proposal is not None and p.proposal.has_location
        issues += _unit_issues(rows, u, labels, need_commune=not has_location)
        v_label = labels["village"]
        issues.append(_ambiguous_villages(rows, vm, v_label, ~flag_false))
        issues.append(
            _issue(
                rows,
                village_missing & u["commune_code"].notna().to_numpy(),
                "review",
                v_label,
                "the village is not in the register of its commune: choose it, or import the "
                "full village register first",
                "thôn không có trong danh mục thôn của xã: hãy chọn thôn, hoặc nhập danh mục thôn "
                "đầy đủ trước",
                rows["village"],
            )
        )
    elif pts.any():
        issues.append(
            _issue(
                rows,
                village_missing & pts,
                "review",
                _loc_label(labels),
                "no village of the register within 1 km of this point",
                "không có thôn nào của danh mục trong bán kính 1 km",
            )
        )
    if has_name:
        # Two rows naming one village for one operator would be one record.
        keyed = (~polygons & ~flag_false & vm["village_id"].notna().to_numpy()).tolist()
        issues.append(
            _repeated(
                rows,
                pd.Series(
                    [
                        [f"{v}|{op}" for op in ops_] if k and isinstance(ops_, list) else None
                        for v, ops_, k in zip(vm["village_id"], ops, keyed, strict=True)
                    ],
                    index=rows.index,
                    dtype=object,
                ),
                labels["village"],
                "the same village and operator",
                "trùng thôn/bản và nhà mạng",
                rows["village"],
            )
        )
    return issues


def _nearest_villages(rows: pd.DataFrame, reg: gpd.GeoDataFrame) -> pd.DataFrame:
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rows["lon"], rows["lat"]), index=rows.index, crs="EPSG:4326"
    )
    metric = "EPSG:32648"
    near = gpd.sjoin_nearest(
        pts.to_crs(metric),
        reg[["village_id", "village", "geometry"]].to_crs(metric),
        how="inner",
        max_distance=1000.0,
    )
    near = near[~near.index.duplicated()]
    return pd.DataFrame(
        {"village_id": near["village_id"], "village": near["village"], "status": "nearest"},
        index=near.index,
    )


def _frame(
    parsed: _Parsed, ctx: _Context, out: pd.DataFrame, extra: dict, status: np.ndarray
) -> gpd.GeoDataFrame:
    """The staged rows in the layer's schema: one row per village and operator, areas giving the villages inside them."""
    rows = parsed.rows
    f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
    f = f[f["fibre_flag"]]
    f["operator"] = _operator_list(f.pop("operators"))
    # A village named twice for one operator: the later row (accepted to replace the
    # earlier) is kept; areas add the villages no row names.
    named = f[~f["is_area"]].explode("operator")
    named = named[named["operator"].notna() & named["village_id"].notna()]
    parts = [named.drop_duplicates(["village_id", "operator"], keep="last")]
    areas = extra.get("areas")
    if areas is not None and len(areas):
        # rows has a RangeIndex: a label is the row's position.
        area_f = f[f["is_area"]].drop(columns=["village_id"])
        area_f = area_f.assign(_i=area_f.index.to_numpy())
        parts.append(areas.merge(area_f, on="_i", how="inner").drop(columns="_i"))
    f = pd.concat(parts, ignore_index=True).explode("operator")
    f = f[f["operator"].notna() & f["village_id"].notna()]
    f = f.drop_duplicates(["village_id", "operator"]).reset_index(drop=True)
    reg = ctx.register.villages.drop_duplicates("village_id").set_index("village_id")
    for c in ("village", "commune_code", "commune", "district_code", "district"):
        f[c] = f["village_id"].map(reg[c])
    f["province_code"] = ctx.province_code
    f["source"] = parsed.file
    frame = gpd.GeoDataFrame(
        f.drop(columns=["fibre_flag", "is_area"]),
        geometry=f["village_id"].map(reg.geometry).to_numpy(),
        crs="EPSG:4326",
    )
    return frame.reset_index(drop=True)


def _export(f: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The staged rows (those that could be read) in the schema ``python -m geo export``
    writes for the layer."""
    g = f.groupby("village_id", sort=False)
    first = g.first()
    out = pd.DataFrame(
        {
            "village_id": first.index.to_numpy(),
            "village": first["village"].to_numpy(),
            "commune": first["commune"].to_numpy(),
            "commune_code": first["commune_code"].to_numpy(),
            "district": first["district"].to_numpy(),
            "district_code": first["district_code"].to_numpy(),
            "province_code": first["province_code"].to_numpy(),
            "fibre_operators": g["operator"]
            .agg(lambda s: ";".join(op for op in OPERATORS if op in set(s)))
            .to_numpy(),
            "synthetic": False,
            "match_status": first["match_status"].to_numpy(),
            "village_match_status": first["village_match_status"].to_numpy(),
            "status": first["status"].to_numpy(),
            "source_row": first["source_row"].to_numpy(),
        }
    )
    geometry = gpd.GeoSeries(f.geometry.to_numpy(), index=f["village_id"].to_numpy())
    geometry = geometry[~geometry.index.duplicated()]
    return gpd.GeoDataFrame(
        out, geometry=geometry.reindex(out["village_id"]).to_numpy(), crs="EPSG:4326"
    )
