"""Kind ``sites``: station records (operator, technology, site id, position, on-air date)."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import sites as sites_mod
from geo.imports.matching import _outside, _province_rows, _resolve_units
from geo.imports.model import _Context, _Parsed
from geo.imports.values import (
    _issue,
    _loc_label,
    _mark_issues,
    _operators,
    _repeated,
    _text,
    _wide_lists,
)
from geo.readers import columns as cols


def _resolve_kind(
    p: _Parsed, ctx: _Context, ov: dict, options: dict
) -> tuple[pd.DataFrame, list, dict]:
    """Check and match the rows of a site list: operator, technologies, position, on-air date
    and site id of each row (one record per technology), its commune, and repeated sites."""
    rows = p.rows.copy()
    labels = p.labels
    loc_label = _loc_label(labels)
    operator, issues = _operator(rows, labels, ov)
    techs, tech_issues = _technologies(rows, labels, ov)
    issues += tech_issues
    issues.append(_no_position(p, rows, loc_label))
    dates, date_issues = _on_air_dates(rows, labels)
    issues += date_issues
    site_id, no_id = _site_ids(rows, operator)
    issues += _repeated_sites(rows, labels, loc_label, operator, site_id, techs, no_id)
    u = _resolve_units(rows, ctx, ov)
    issues.append(_outside(rows, u, ctx, loc_label))
    issues.append(_province_rows(rows, ctx, labels.get("province", "province")))
    out = pd.DataFrame(
        {
            "site_id": site_id.astype(object),
            "operator": operator.astype(object),
            "technology": techs.astype(object),
            "on_air_date": dates.to_numpy(),
            "site_name": _text(rows["site_name"]).astype(object) if "site_name" in rows else None,
            "address": _text(rows["address"]).astype(object) if "address" in rows else None,
            "antenna_height_m": _antenna_height(rows),
            "site_id_minted": no_id.to_numpy(),
            "commune_code": u["commune_code"].astype(object),
            "commune": u["commune_gso"].astype(object),
            "district_code": u["district_code"].astype(object),
            "district": u["district_gso"].astype(object),
            "province_code": ctx.province_code,
            "match_status": np.where(u["point_commune_code"].notna(), "point", "none"),
            "lon": rows["lon"].to_numpy(),
            "lat": rows["lat"].to_numpy(),
        },
        index=rows.index,
    )
    extra = {"units": u}
    if no_id.all() and len(rows):
        extra["notes"] = [
            (
                "The file has no site id column: ids were made from operator and position.",
                "Tệp không có cột mã trạm: mã được tạo từ nhà mạng và tọa độ.",
            )
        ]
    return out, issues, extra


def _operator(rows: pd.DataFrame, labels: dict, ov: dict) -> tuple[pd.Series, list[pd.DataFrame]]:
    """Each row's operator (one per record; the planner's choice when the file has no column)
    and the issues of unknown, several or empty operators."""
    issues: list[pd.DataFrame] = []
    if "operator" in rows:
        ops, bad_op = _operators(rows["operator"])
        issues.append(
            _issue(
                rows,
                bad_op,
                "error",
                labels["operator"],
                "unknown operator; write Viettel, VNPT (Vinaphone), MobiFone, Vietnamobile or "
                "Gmobile",
                "nhà mạng không rõ; hãy ghi Viettel, VNPT (Vinaphone), MobiFone, Vietnamobile hoặc "
                "Gmobile",
                rows["operator"],
            )
        )
        several = ops.map(lambda v: isinstance(v, list) and len(v) > 1, na_action="ignore")
        several = several.fillna(False).astype(bool).to_numpy()
        issues.append(
            _issue(
                rows,
                several,
                "error",
                labels["operator"],
                "a site record belongs to one operator; write one row per operator",
                "mỗi bản ghi trạm thuộc một nhà mạng; hãy ghi mỗi nhà mạng một dòng",
                rows["operator"],
            )
        )
        operator = ops.map(lambda v: v[0] if isinstance(v, list) and v else None)
    else:
        operator = pd.Series(ov.get("_operator"), index=rows.index, dtype=object)
    missing_op = operator.isna().to_numpy() & ~(
        bad_op if "operator" in rows else np.zeros(len(rows), bool)
    )
    issues.append(
        _issue(
            rows,
            missing_op,
            "error",
            labels.get("operator", "operator"),
            "the operator is empty",
            "ô nhà mạng bị trống",
        )
    )
    return operator, issues


def _technologies(
    rows: pd.DataFrame, labels: dict, ov: dict
) -> tuple[pd.Series, list[pd.DataFrame]]:
    """Each row's technologies (a list: "2G/3G/4G" gives three), from one column or one column
    per technology (else the planner's choice), and the issues of unknown or missing ones."""
    issues: list[pd.DataFrame] = []
    if "technology" in rows:
        techs = cols.technologies_in(rows["technology"])
        bad_tech = (_text(rows["technology"]).notna() & techs.isna()).to_numpy()
        issues.append(
            _issue(
                rows,
                bad_tech,
                "error",
                labels["technology"],
                "unknown technology; write 2G, 3G, 4G or 5G (LTE, NR, 2G/3G/4G are understood)",
                "công nghệ không rõ; hãy ghi 2G, 3G, 4G hoặc 5G (LTE, NR, 2G/3G/4G cũng được)",
                rows["technology"],
            )
        )
    else:
        techs, wide_issues = _wide_lists(rows, "technology")
        bad_tech = np.zeros(len(rows), bool)
        issues += _mark_issues(rows, labels, wide_issues)
        if techs is None:
            techs = pd.Series(
                [[ov["_technology"]] if ov.get("_technology") else None] * len(rows),
                index=rows.index,
                dtype=object,
            )
    empty_tech = techs.map(lambda v: not v, na_action="ignore").fillna(True).astype(bool)
    issues.append(
        _issue(
            rows,
            empty_tech.to_numpy() & ~bad_tech,
            "error",
            labels.get("technology", "technology"),
            "no technology is given",
            "không ghi công nghệ",
        )
    )
    return techs, issues


def _no_position(p: _Parsed, rows: pd.DataFrame, loc_label: str) -> pd.DataFrame:
    """The issue of sites without a position (unless reading their coordinates failed
    already)."""
    no_pos = rows["lon"].isna().to_numpy()
    already = np.zeros(len(rows), dtype=bool)
    for frame in p.issues:
        if len(frame):
            already[frame.loc[frame["severity"] == "error", "idx"].to_numpy(dtype=int)] = True
    return _issue(
        rows,
        no_pos & ~already,
        "error",
        loc_label,
        "the site has no position",
        "trạm không có tọa độ",
    )


def _on_air_dates(rows: pd.DataFrame, labels: dict) -> tuple[pd.Series, list[pd.DataFrame]]:
    """The on-air dates (day first; NaT where empty) and the issue of cells that are not
    dates."""
    issues: list[pd.DataFrame] = []
    if "on_air_date" in rows:
        raw = rows["on_air_date"]
        dates = pd.to_datetime(_text(raw), format="mixed", dayfirst=True, errors="coerce")
        bad_date = (dates.isna() & _text(raw).notna()).to_numpy()
        issues.append(
            _issue(
                rows,
                bad_date,
                "error",
                labels["on_air_date"],
                "not a date (write dd/mm/yyyy)",
                "không phải ngày (hãy ghi ngày/tháng/năm)",
                raw,
            )
        )
    else:
        dates = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    return dates, issues


def _site_ids(rows: pd.DataFrame, operator: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The site ids, and which were minted: a record without one gets an id made from its
    operator and position (stable across imports)."""
    if "site_id" in rows:
        site_id = _text(rows["site_id"])
    else:
        site_id = pd.Series(pd.NA, index=rows.index, dtype="string")
    no_id = site_id.isna()
    if no_id.any():
        # Ids for records without one, from operator and position (stable across imports).
        key = (
            operator[no_id].astype("string").fillna("")
            + ":"
            + rows.loc[no_id, "lon"].round(6).astype("string").fillna("")
            + ":"
            + rows.loc[no_id, "lat"].round(6).astype("string").fillna("")
        )
        site_id = site_id.astype(object)
        site_id[no_id] = key.map(lambda k: "S" + hashlib.sha1(k.encode()).hexdigest()[:10].upper())
    return site_id, no_id


def _repeated_sites(
    rows: pd.DataFrame,
    labels: dict,
    loc_label: str,
    operator: pd.Series,
    site_id: pd.Series,
    techs: pd.Series,
    no_id: pd.Series,
) -> list[pd.DataFrame]:
    """Rows repeating an earlier site: two rows of one site (operator, site id and technology)
    would be one record; the keys are those of the store (a row of several technologies gives
    one record per technology, all with the row's site id: see :func:`_frame`)."""
    issues: list[pd.DataFrame] = []
    site_keys = pd.Series(
        [
            [f"{op}|{sid}|{t}" for t in ts]
            if isinstance(op, str) and isinstance(ts, list) and pd.notna(sid)
            else None
            for op, sid, ts in zip(operator, site_id, techs, strict=True)
        ],
        index=rows.index,
        dtype=object,
    )
    minted = no_id.to_numpy()
    for which, label, en, vi in (
        (
            ~minted,
            labels.get("site_id", "site_id"),
            "the same site (operator, site id and technology)",
            "trùng trạm (nhà mạng, mã trạm và công nghệ)",
        ),
        (
            minted,
            loc_label,
            "the same site (operator, position and technology; the file has no site id)",
            "trùng trạm (nhà mạng, tọa độ và công nghệ; tệp không có mã trạm)",
        ),
    ):
        if which.any():
            issues.append(
                _repeated(
                    rows,
                    site_keys.where(which, None),
                    label,
                    en,
                    vi,
                    site_id.astype(object),
                )
            )
    return issues


def _antenna_height(rows: pd.DataFrame) -> np.ndarray:
    """The antenna height in metres (float, NaN where empty or not a number); decimal commas
    are read ("32,5")."""
    if "antenna_height" not in rows:
        return np.full(len(rows), np.nan)
    text = _text(rows["antenna_height"]).str.replace(",", ".", regex=False)
    text = text.str.replace(r"\s*m$", "", regex=True)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _frame(
    parsed: _Parsed, ctx: _Context, out: pd.DataFrame, extra: dict, status: np.ndarray
) -> gpd.GeoDataFrame:
    """The staged rows in the layer's schema: one record per technology, points."""
    rows = parsed.rows
    f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
    f = f.explode("technology")
    f = f[f["technology"].notna()]
    geometry = gpd.points_from_xy(f["lon"], f["lat"])
    frame = gpd.GeoDataFrame(
        f.drop(columns=["lon", "lat"]), geometry=geometry, crs="EPSG:4326"
    ).reset_index(drop=True)
    frame["on_air_date"] = pd.to_datetime(frame["on_air_date"])
    return frame.reset_index(drop=True)


def _export(f: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The staged rows (those that could be read) in the schema ``python -m geo export``
    writes for the layer."""
    out = f[["site_id", "operator", "technology", "on_air_date", "geometry"]].copy()
    out["physical_site_id"] = (
        sites_mod.physical_sites(out, 30.0) if len(out) else pd.Series(dtype=str)
    )
    out["lon"] = out.geometry.x
    out["lat"] = out.geometry.y
    out["synthetic"] = False
    for c in (
        "site_name",
        "commune_code",
        "commune",
        "district_code",
        "district",
        "match_status",
        "status",
        "source_row",
    ):
        out[c] = f[c].to_numpy()
    return out
