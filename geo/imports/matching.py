"""Matching rows to the administrative units and the village register: by name within the
district (or commune), by position, by the planner's confirmations (now or remembered); and the
issues of rows whose unit is unsure, missing, in another province or outside it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import names, units
from geo import villages as villages_mod
from geo.errors import InputError
from geo.imports.model import _Context
from geo.imports.values import _issue, _text


def _point_communes(lon: np.ndarray, lat: np.ndarray, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each position: the commune it lies in (``point_commune_code``, ``join_method``)."""
    out = pd.DataFrame(
        {
            "point_commune_code": pd.array([None] * len(lon), dtype="string"),
            "join_method": pd.Series([None] * len(lon), dtype=object),
        }
    )
    ok = ~np.isnan(lon) & ~np.isnan(lat)
    if not ok.any():
        return out
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon[ok], lat[ok]), crs="EPSG:4326", index=np.flatnonzero(ok)
    )
    c = communes.reset_index(drop=True)
    placed = villages_mod.place_in_communes(pts, c)
    idx = placed["commune_index"]
    hit = idx.notna()
    codes = pd.Series(pd.NA, index=placed.index, dtype="string")
    codes[hit] = c["commune_code"].to_numpy(dtype=object)[idx[hit].astype(int).to_numpy()]
    out.loc[placed.index, "point_commune_code"] = codes.to_numpy()
    out.loc[placed.index, "join_method"] = placed["join_method"].to_numpy(dtype=object)
    return out


def _commune_info(communes: gpd.GeoDataFrame) -> pd.DataFrame:
    return (
        communes.dropna(subset=["commune_code"])
        .drop_duplicates("commune_code")
        .set_index("commune_code")
    )


def _resolve_units(rows: pd.DataFrame, ctx: _Context, overrides: dict) -> pd.DataFrame:
    """Each row's commune: by its names (within its district), by its position, by the
    planner's confirmation (now or remembered); with how it was found and why not."""
    out = _units_by_name(rows, ctx)
    if ctx.store is not None and "commune" in rows:
        _apply_remembered(rows, ctx, out)
    # Positions.
    pc = _point_communes(rows["lon"].to_numpy(), rows["lat"].to_numpy(), ctx.communes)
    pc.index = rows.index
    out["point_commune_code"] = pc["point_commune_code"]
    out["join_method"] = pc["join_method"]
    use_point = out["commune_code"].isna() & out["point_commune_code"].notna()
    out.loc[use_point, "commune_code"] = out.loc[use_point, "point_commune_code"]
    out.loc[use_point, "commune_source"] = "point"

    # The planner's confirmations in this review.
    for i, o in overrides.items():
        if i not in out.index:
            continue
        if o.get("commune_code"):
            out.loc[i, "commune_code"] = o["commune_code"]
            out.loc[i, "match_status"] = "confirmed"
            out.loc[i, "commune_source"] = "confirmed"

    return _with_unit_names(out, ctx)


def _units_by_name(rows: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Each row's commune and district found by the names written (the commune within its
    district), with match status, score and candidates; ``none`` without a commune column."""
    n = len(rows)
    out = pd.DataFrame(index=rows.index)
    if "commune" in rows:
        q = pd.DataFrame(
            {
                "commune": _text(rows["commune"]).fillna("").to_numpy(dtype=object),
                "district": (
                    _text(rows["district"]).fillna("").to_numpy(dtype=object)
                    if "district" in rows
                    else ""
                ),
            },
            index=rows.index,
        )
        res = units.resolve_communes(
            q,
            ctx.province_code,
            ctx.communes,
            district_col="district" if "district" in rows else None,
        )
        out["commune_code"] = res["commune_code"].astype("string")
        out["match_status"] = res["match_status"].astype(object)
        out["match_score"] = res["match_score"].astype(float)
        out["candidates"] = res["match_candidates"].astype(object)
        out["district_code"] = res["district_code"].astype("string")
        out["district_match_status"] = res["district_match_status"].astype(object)
        # A district written but not found: the commune was searched in the whole province.
        out.loc[q["commune"] == "", "match_status"] = "none"
    else:
        out["commune_code"] = pd.array([None] * n, dtype="string")
        out["match_status"] = "none"
        out["match_score"] = 0.0
        out["candidates"] = ""
        out["district_code"] = pd.array([None] * n, dtype="string")
        out["district_match_status"] = "none"
    out["commune_source"] = np.where(out["commune_code"].notna(), "name", None)
    return out


def _apply_remembered(rows: pd.DataFrame, ctx: _Context, out: pd.DataFrame) -> None:
    """Apply the planner's remembered confirmations to ``out`` (in place): the same printed
    name in the same district (or one confirmed without a district, in any district), unless
    the name matched exactly."""
    conf = ctx.store.confirmations(ctx.province_code, "commune")
    if len(conf):
        key = names.name_keys(_text(rows["commune"]).fillna(""), level="commune")
        scope = out["district_code"].fillna("").astype(object)
        lookup = conf.set_index(["scope", "name_key"])["target_id"]
        lookup = lookup[~lookup.index.duplicated()]
        idx = pd.MultiIndex.from_arrays([scope.to_numpy(), key.to_numpy()])
        hit = pd.Series(lookup.reindex(idx).to_numpy(), index=rows.index)
        # A confirmation made without a district applies in any district.
        anyd = conf[conf["scope"] == ""].drop_duplicates("name_key").set_index("name_key")
        anywhere = key.map(anyd["target_id"]).astype(object)
        hit = hit.astype(object).where(hit.notna(), anywhere)
        use = hit.notna() & ~out["match_status"].isin(["exact", "normalised"])
        out.loc[use, "commune_code"] = hit[use].astype(str)
        out.loc[use, "match_status"] = "confirmed"
        out.loc[use, "commune_source"] = "remembered"


def _with_unit_names(out: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """``out`` with the units' names and codes as the GSO list (or the commune layer) has
    them, and the candidates' names for the review table."""
    info = _commune_info(ctx.communes)
    gso = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")
    code = out["commune_code"]
    out["commune_gso"] = code.map(info["commune"]).fillna(code.map(gso["commune"]))
    dcode = code.map(info["district_code"]).fillna(code.map(gso["district_code"]))
    out["district_code"] = dcode.where(dcode.notna(), out["district_code"]).astype("string")
    dnames = (
        ctx.communes.dropna(subset=["district_code"])
        .drop_duplicates("district_code")
        .set_index("district_code")["district"]
    )
    out["district_gso"] = out["district_code"].map(dnames)
    out["province_gso"] = code.map(info["province"]).fillna(ctx.data.province)
    out["gid_3"] = code.map(info["gid_3"])
    out["commune_2025_code"] = code.map(info["commune_2025_code"])
    # The candidates' names, for the review table.
    names_by_code = pd.concat([gso["commune"], info["commune"]])
    names_by_code = names_by_code[~names_by_code.index.duplicated()]
    out["candidate_names"] = _candidate_names(out["candidates"], names_by_code)
    return out


def _candidate_names(candidates: pd.Series, table: pd.Series) -> pd.Series:
    c = candidates.fillna("").astype(str)
    out = pd.Series("", index=c.index, dtype=object)
    several = c != ""
    if several.any():
        exploded = c[several].str.split("|").explode()
        named = exploded.map(table).fillna(exploded)
        out[several] = named.groupby(level=0).agg("|".join)
    return out


def _village_matches(
    rows: pd.DataFrame, units_: pd.DataFrame, ctx: _Context, overrides: dict
) -> pd.DataFrame:
    """Each row's village in the register (within its commune), remembered and confirmed
    choices applied."""
    q = pd.DataFrame(
        {
            "village": _text(rows["village"]).fillna("").to_numpy(dtype=object),
            "commune_code": units_["commune_code"].fillna("").to_numpy(dtype=object),
        },
        index=rows.index,
    )
    reg = ctx.register.villages
    vm = villages_mod.match_villages(q, reg)
    vm["village_source"] = np.where(vm["village_id"].notna(), "name", None)
    if ctx.store is not None:
        conf = ctx.store.confirmations(ctx.province_code, "village")
        if len(conf):
            key = names.name_keys(q["village"], level="village")
            lookup = conf.set_index(["scope", "name_key"])["target_id"]
            lookup = lookup[~lookup.index.duplicated()]
            idx = pd.MultiIndex.from_arrays([q["commune_code"].to_numpy(), key.to_numpy()])
            hit = pd.Series(lookup.reindex(idx).to_numpy(), index=rows.index)
            use = hit.notna() & ~vm["village_match_status"].isin(["exact", "normalised"])
            vm.loc[use, "village_id"] = hit[use]
            vm.loc[use, "village_match_status"] = "confirmed"
            vm.loc[use, "village_source"] = "remembered"
    for i, o in overrides.items():
        if i in vm.index and o.get("village_id"):
            vm.loc[i, "village_id"] = o["village_id"]
            vm.loc[i, "village_match_status"] = "confirmed"
            vm.loc[i, "village_source"] = "confirmed"
    by_id = reg.drop_duplicates("village_id").set_index("village_id")
    vm["register_name"] = vm["village_id"].map(by_id["village"])
    vm["village_candidate_names"] = _candidate_names(
        vm["village_match_candidates"], by_id["village"]
    )
    return vm


def _province_rows(rows: pd.DataFrame, ctx: _Context, label: str) -> pd.DataFrame:
    """Issues for rows that name another province."""
    if "province" not in rows:
        return _issue(rows, np.zeros(len(rows), bool), "review", label, "", "")
    text = _text(rows["province"])
    other = np.zeros(len(rows), dtype=bool)
    for value in pd.unique(text.dropna()):
        try:
            code, _ = units.resolve_province(str(value))
        except InputError:
            continue
        if code != ctx.province_code:
            other |= (text == value).fillna(False).to_numpy()
    return _issue(
        rows,
        other,
        "review",
        label,
        f"the row names another province than {ctx.data.province}",
        f"dòng ghi tỉnh khác với {ctx.data.province}",
        rows["province"],
    )


def _unit_issues(
    rows: pd.DataFrame, u: pd.DataFrame, labels: dict, *, need_commune: bool
) -> list[pd.DataFrame]:
    """The issues of the rows' communes: a name fitting several communes or none, an empty
    commune (when one is needed), a position in another commune than the name's."""
    issues = []
    c_label = labels.get("commune", "commune")
    status = u["match_status"]
    code = u["commune_code"]
    if "commune" in rows:
        written = _text(rows["commune"]).notna()
        amb = (status == "ambiguous") & code.isna()
        issues.append(
            _issue(
                rows,
                amb,
                "review",
                c_label,
                "the commune name fits several communes ("
                + u["candidate_names"].astype(str).str.replace("|", ", ")
                + "): choose one",
                "tên xã khớp với nhiều xã ("
                + u["candidate_names"].astype(str).str.replace("|", ", ")
                + "): hãy chọn một",
                rows["commune"],
            )
        )
        none = (status == "none") & code.isna() & written
        issues.append(
            _issue(
                rows,
                none,
                "review",
                c_label,
                "no commune of the province has this name (checked without diacritics and "
                "prefixes): correct it or choose the commune",
                "không có xã nào của tỉnh mang tên này (đã so cả khi bỏ dấu và tiền tố): hãy sửa "
                "hoặc chọn xã",
                rows["commune"],
            )
        )
        empty = ~written & code.isna()
        issues.append(
            _issue(
                rows,
                empty & need_commune,
                "review",
                c_label,
                "the commune is empty",
                "ô xã bị trống",
            )
        )
        issues.append(_position_conflict(rows, u, c_label))
    elif need_commune:
        issues.append(
            _issue(
                rows,
                code.isna().to_numpy(),
                "review",
                "commune",
                "the row has no commune and its position is not in the province",
                "dòng không có xã và tọa độ không nằm trong tỉnh",
            )
        )
    return issues


def _position_conflict(rows: pd.DataFrame, u: pd.DataFrame, c_label: str) -> pd.DataFrame:
    """The issue of rows whose position lies in another commune than the one their name
    found."""
    code = u["commune_code"]
    conflict = (
        u["point_commune_code"].notna()
        & code.notna()
        & (u["commune_source"] == "name")
        & (u["point_commune_code"] != code)
    ).fillna(False)
    info_name = u["commune_gso"].astype(str)
    return _issue(
        rows,
        conflict,
        "review",
        c_label,
        "the position lies in another commune than "
        + info_name
        + " (code "
        + u["point_commune_code"].astype(str)
        + "): check the name or the coordinates",
        "tọa độ nằm ở xã khác với "
        + info_name
        + " (mã "
        + u["point_commune_code"].astype(str)
        + "): hãy kiểm tra tên hoặc tọa độ",
    )


def _outside(rows: pd.DataFrame, u: pd.DataFrame, ctx: _Context, label: str) -> pd.DataFrame:
    located = rows["lon"].notna().to_numpy()
    out = located & u["point_commune_code"].isna().to_numpy()
    text = pd.Series(
        np.char.add(
            np.char.add(np.round(rows["lat"].to_numpy(), 6).astype(str), ", "),
            np.round(rows["lon"].to_numpy(), 6).astype(str),
        ),
        index=rows.index,
    )
    return _issue(
        rows,
        out,
        "review",
        label,
        f"the position lies outside {ctx.data.province} (more than 1 km from its communes): "
        "check the coordinates and the CRS",
        f"tọa độ nằm ngoài {ctx.data.province} (cách các xã của tỉnh hơn 1 km): hãy kiểm tra "
        "tọa độ và hệ tọa độ",
        text,
    )
