"""Kind ``coverage``: an operator's declared coverage per technology (polygons or a raster)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.imports.model import _Context, _Parsed
from geo.imports.values import _issue, _operator_column, _operators, _text


def _resolve_kind(p: _Parsed, ctx: _Context, ov: dict, options: dict):
    """Check the features of a declared coverage: the operator and technology of each (from a
    column, the layer's or feature's name, the file's name or the planner's choice), areas
    only, and areas that reach the province."""
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    layer = rows.get("layer", pd.Series(None, index=rows.index, dtype=object)).astype("string")
    name = (
        _text(rows["name"])
        if "name" in rows
        else pd.Series(pd.NA, index=rows.index, dtype="string")
    )
    operator = _operator(p, ov, layer, name)
    if "operator" in rows:
        _, issue = _operator_column(rows, labels, "unknown operator", "nhà mạng không rõ")
        issues.append(issue)
    technology = _technology(p, ov, layer, name)
    issues.append(
        _issue(
            rows,
            operator.isna().to_numpy(),
            "error",
            labels.get("operator", "operator"),
            "the operator is not named by a column, the layer (folder) name or the file "
            "name: give it (--operator in the command line)",
            "không xác định được nhà mạng từ cột, tên lớp (thư mục) hay tên tệp: hãy chọn "
            "nhà mạng (--operator khi chạy lệnh)",
        )
    )
    issues.append(
        _issue(
            rows,
            technology.isna().to_numpy(),
            "error",
            labels.get("technology", "technology"),
            "the technology is not named by a column, the layer name or the file name: give "
            "it (--technology in the command line)",
            "không xác định được công nghệ từ cột, tên lớp hay tên tệp: hãy chọn công nghệ "
            "(--technology khi chạy lệnh)",
        )
    )
    geoms = rows["geometry"].to_numpy(dtype=object)
    polygonal, outside, geometry_issues = _areas(rows, geoms, ctx)
    issues += geometry_issues
    out = pd.DataFrame(
        {
            "operator": operator.astype(object),
            "technology": technology.astype(object),
            "name": name.astype(object),
            "layer": layer.astype(object),
            "polygonal": polygonal,
            "match_status": np.where(outside, "none", "area"),
        },
        index=rows.index,
    )
    return out, issues, {"geometry": geoms}


def _operator(p: _Parsed, ov: dict, layer: pd.Series, name: pd.Series) -> pd.Series:
    """Each feature's operator: the planner's choice, else the first of the column, the
    layer's (folder's) name, the feature's name and the file's name that names one."""
    rows = p.rows
    operator = pd.Series(ov.get("_operator"), index=rows.index, dtype=object)
    found_op = pd.Series(None, index=rows.index, dtype=object)
    for source in (
        rows.get("operator"),
        layer,
        name,
        pd.Series(p.file, index=rows.index),
    ):
        if source is None:
            continue
        ops, _ = _operators(source)
        one = ops.map(
            lambda v: v[0] if isinstance(v, list) and len(v) == 1 else None, na_action="ignore"
        )
        found_op = found_op.where(found_op.notna(), one)
    return operator.where(operator.notna(), found_op)


def _technology(p: _Parsed, ov: dict, layer: pd.Series, name: pd.Series) -> pd.Series:
    """Each feature's technology: the planner's choice, else the first of the column, the
    layer's name, the feature's name and the file's name that names one (LTE → 4G, NR → 5G,
    GSM → 2G, UMTS/WCDMA → 3G)."""
    rows = p.rows
    technology = pd.Series(ov.get("_technology"), index=rows.index, dtype=object)
    found_tech = pd.Series(None, index=rows.index, dtype=object)
    for source in (
        rows.get("technology"),
        layer,
        name,
        pd.Series(re.sub(r"[_\-.]", " ", p.file), index=rows.index),
    ):
        if source is None:
            continue
        t = _text(source).fillna("")
        tech = t.str.extract(r"(?i)\b(2G|3G|4G|5G|LTE|NR|GSM|UMTS|WCDMA)\b")[0]
        tech = (
            tech.str.upper()
            .map({"LTE": "4G", "NR": "5G", "GSM": "2G", "UMTS": "3G", "WCDMA": "3G"})
            .fillna(tech.str.upper())
        )
        found_tech = found_tech.where(found_tech.notna(), tech)
    return technology.where(technology.notna(), found_tech)


def _areas(
    rows: pd.DataFrame, geoms: np.ndarray, ctx: _Context
) -> tuple[np.ndarray, np.ndarray, list[pd.DataFrame]]:
    """Which features are polygons, which of those do not reach the province, and the issues
    of points, lines, missing geometries and areas outside."""
    n = len(rows)
    issues: list[pd.DataFrame] = []
    has_geom = rows["has_geom"].to_numpy(dtype=bool)
    is_point = rows["is_point"].to_numpy(dtype=bool)
    polygonal = np.zeros(n, dtype=bool)
    ok_geom = np.array([g is not None for g in geoms])
    if ok_geom.any():
        tid = shapely.get_type_id(geoms[ok_geom])
        polygonal[ok_geom] = np.isin(
            tid, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
        )
    issues.append(
        _issue(
            rows,
            has_geom & (is_point | ~polygonal),
            "error",
            "geometry",
            "declared coverage must be polygons (areas), not points or lines",
            "vùng phủ sóng phải là vùng (đa giác), không phải điểm hay đường",
        )
    )
    issues.append(
        _issue(
            rows,
            ~has_geom,
            "error",
            "geometry",
            "the feature has no geometry",
            "đối tượng không có hình học",
        )
    )
    outside = np.zeros(n, dtype=bool)
    if polygonal.any():
        if ctx.area is None:
            ctx.inside(np.array([0.0]), np.array([0.0]))
        outside[polygonal] = ~shapely.intersects(geoms[polygonal], ctx.area)
    issues.append(
        _issue(
            rows,
            outside,
            "review",
            "geometry",
            f"the area does not reach {ctx.data.province}: check the CRS",
            f"vùng không chạm tới {ctx.data.province}: hãy kiểm tra hệ tọa độ",
        )
    )
    return polygonal, outside, issues


def _frame(
    parsed: _Parsed, ctx: _Context, out: pd.DataFrame, extra: dict, status: np.ndarray
) -> gpd.GeoDataFrame:
    """The staged rows in the layer's schema: one area per operator and technology, dissolved, with its area in km²."""
    rows = parsed.rows
    f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
    g = gpd.GeoDataFrame(f, geometry=list(extra["geometry"]), crs="EPSG:4326")
    g = g[g["polygonal"] & g["operator"].notna() & g["technology"].notna()]
    if len(g):
        g["geometry"] = shapely.make_valid(np.asarray(g.geometry.array, dtype=object))
        agg = g.dissolve(
            by=["operator", "technology"],
            aggfunc={
                "name": lambda s: "; ".join(dict.fromkeys(str(v) for v in s.dropna())),
                "layer": lambda s: "; ".join(dict.fromkeys(str(v) for v in s.dropna())),
                "status": lambda s: "review" if (s == "review").any() else "ok",
                "match_status": "first",
                "source_row": "min",
            },
        ).reset_index()
    else:
        agg = gpd.GeoDataFrame(
            columns=[
                "operator",
                "technology",
                "name",
                "layer",
                "status",
                "match_status",
                "source_row",
                "geometry",
            ],
            geometry="geometry",
            crs="EPSG:4326",
        )
    agg["source"] = parsed.file
    metric = agg.to_crs("EPSG:32648") if len(agg) else agg
    agg["area_km2"] = (metric.geometry.area / 1e6).round(3) if len(agg) else []
    frame = agg
    return frame.reset_index(drop=True)


def _export(f: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The staged rows (those that could be read) in the schema ``python -m geo export``
    writes for the layer."""
    return f[
        [
            "operator",
            "technology",
            "name",
            "layer",
            "source",
            "area_km2",
            "match_status",
            "status",
            "source_row",
            "geometry",
        ]
    ].copy()
