"""Kind ``villages``: a full village register, linked to the current one through the aliases."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import names
from geo import villages as villages_mod
from geo.imports.matching import (
    _candidate_names,
    _commune_info,
    _outside,
    _province_rows,
    _resolve_units,
    _unit_issues,
)
from geo.imports.model import SOURCE, _Context, _Parsed
from geo.imports.values import _duplicates, _issue, _loc_label, _repeated, _text, _village_names


def _resolve_kind(p: _Parsed, ctx: _Context, ov: dict, options: dict):
    """Check and match the rows of a village register: names, units, repeated villages, and
    the link to the current register (ids kept through the aliases)."""
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    village, issue = _village_names(rows, labels)
    issues.append(issue)
    u = _resolve_units(rows, ctx, ov)
    issues += _unit_issues(rows, u, labels, need_commune=True)
    issues.append(_outside(rows, u, ctx, _loc_label(labels)))
    issues.append(_province_rows(rows, ctx, labels.get("province", "province")))
    code = u["commune_code"]
    key = names.name_keys(village.fillna(""), level="village")
    if "source_id" in rows:
        source_id = _text(rows["source_id"])
    else:
        source_id = pd.Series(pd.NA, index=rows.index, dtype="string")
    source_id = source_id.fillna(code.fillna("") + ":" + key.astype("string"))
    point = ~rows["lon"].isna()
    geometry = _geometry(rows, code, ctx)
    info = _commune_info(ctx.communes)
    out = pd.DataFrame(
        {
            "village_id": None,
            "village": village.astype(object),
            "commune_code": code.astype(object),
            "commune": u["commune_gso"].astype(object),
            "district_code": u["district_code"].astype(object),
            "district": u["district_gso"].astype(object),
            "province_code": ctx.province_code,
            "province": u["province_gso"].astype(object),
            "commune_2025_code": code.map(info["commune_2025_code"]).astype(object),
            "gid_3": u["gid_3"].astype(object),
            "location_precision": np.where(point, "point", "commune"),
            "source": SOURCE,
            "source_id": source_id.astype(object),
            "join_method": np.where(point, u["join_method"].fillna("within"), "commune"),
            "match_status": u["match_status"].astype(object),
            "match_score": u["match_score"],
            "lon": rows["lon"].to_numpy(),
            "lat": rows["lat"].to_numpy(),
        },
        index=rows.index,
    )
    for extra in ("households", "population"):
        if extra in rows:
            out[extra] = pd.to_numeric(_text(rows[extra]), errors="coerce")
    issues.append(_repeated_names(rows, labels, out, code, village, key))
    # Link to the current register: ids kept through the aliases, or by name in the commune.
    linkable = (code.notna() & village.notna()).to_numpy()
    extra: dict = {"units": u, "geometry": geometry}
    if linkable.any():
        forced = {
            i: o["village_id"]
            for i, o in ov.items()
            if not isinstance(i, str) and o.get("village_id")
        }
        frame = gpd.GeoDataFrame(out, geometry=geometry.to_numpy(), crs="EPSG:4326")
        register, link, ids = _link(frame, linkable, ctx, forced)
        out.loc[linkable, "village_id"] = ids
        extra.update(register=register, link=link, forced=forced)
        issues.append(_linked_twice(rows, labels, out, village))
        if len(link.review):
            issues.append(_ambiguous_links(rows, labels, link.review, village, ctx, forced))
    return out, issues, extra


def _geometry(rows: pd.DataFrame, code: pd.Series, ctx: _Context) -> gpd.GeoSeries:
    """Each village at its point, or at its commune's point when the row has none."""
    point = ~rows["lon"].isna()
    geometry = gpd.GeoSeries(
        gpd.points_from_xy(rows["lon"], rows["lat"]), index=rows.index, crs="EPSG:4326"
    )
    at_commune = villages_mod.locate_at_commune(
        pd.DataFrame({"commune_code": code.astype(object)}, index=rows.index), ctx.communes
    )
    geometry = geometry.where(point, at_commune)
    return geometry


def _repeated_names(
    rows: pd.DataFrame,
    labels: dict,
    out: pd.DataFrame,
    code: pd.Series,
    village: pd.Series,
    key: pd.Series,
) -> pd.DataFrame:
    """The issue of a repeated village code, or (without codes) of a village name written
    twice in one commune."""
    dup_key = pd.Series(
        np.where(
            code.notna() & village.notna(),
            code.fillna("").astype(str) + "|" + key.astype(str),
            None,
        ),
        index=rows.index,
    )
    if "source_id" in rows:
        return _duplicates(
            out,
            _text(rows["source_id"]),
            rows,
            labels["source_id"],
            "the village code repeats",
            "mã thôn bị trùng",
        )
    else:
        dup = dup_key.duplicated(keep="first") & dup_key.notna()
        first = rows["source_row"].groupby(dup_key.fillna("").to_numpy()).transform("min")
        return _issue(
            rows,
            dup.to_numpy(),
            "review",
            labels["village"],
            "the same village name appears twice in this commune (row "
            + first.astype(str)
            + "); give each a village code (Mã thôn) if both are real",
            "tên thôn lặp lại trong cùng xã (dòng "
            + first.astype(str)
            + "); nếu cả hai đều đúng, hãy thêm cột mã thôn",
            village,
        )


def _linked_twice(
    rows: pd.DataFrame, labels: dict, out: pd.DataFrame, village: pd.Series
) -> pd.DataFrame:
    """The issue of two rows linked (by hand) to one register village: they would be one
    record (a repeated village code is reported already)."""
    same = _repeated(
        rows,
        out["village_id"].where(out["village_id"].notna(), None),
        labels["village"],
        "linked to the same register village",
        "được gắn với cùng một thôn/bản của danh mục",
        village,
        severity="error",
        fix=(
            "Choose another village for one of them (or stage the file again).",
            "Hãy chọn thôn/bản khác cho một trong hai dòng (hoặc nhập lại tệp).",
        ),
    )
    if "source_id" in rows:  # a repeated village code is reported already
        sid = _text(rows["source_id"])
        code_dup = (sid.duplicated(keep="first") & sid.notna()).to_numpy()
        same = same[~code_dup[same["idx"].to_numpy(dtype=int)]]
    return same


def _ambiguous_links(
    rows: pd.DataFrame,
    labels: dict,
    review: pd.DataFrame,
    village: pd.Series,
    ctx: _Context,
    forced: dict,
) -> pd.DataFrame:
    """The issue of names that fit several villages of the current register (given a new id
    unless the planner chose one)."""
    old_names = ctx.register.villages.drop_duplicates("village_id").set_index("village_id")[
        "village"
    ]
    amb = np.zeros(len(rows), dtype=bool)
    amb[review.index.to_numpy(dtype=int)] = True
    cand = pd.Series("", index=rows.index, dtype=object)
    cand[review.index] = (
        _candidate_names(review["village_match_candidates"], old_names)
        .str.replace("|", ", ")
        .to_numpy()
    )
    return _issue(
        rows,
        amb & ~np.isin(np.arange(len(rows)), list(forced)),
        "review",
        labels["village"],
        "the name fits several villages of the current register ("
        + cand
        + "); it was given a new id: choose one of them, or confirm it is new",
        "tên khớp với nhiều thôn của danh mục hiện có ("
        + cand
        + "); đã cấp mã mới: hãy chọn một thôn, hoặc xác nhận là thôn mới",
        village,
    )


def _link(
    frame: gpd.GeoDataFrame, mask: np.ndarray, ctx: _Context, forced: Mapping[int, str]
) -> tuple[villages_mod.Register, villages_mod.LinkReport, np.ndarray]:
    """Link the rows under ``mask`` to the current register (ids kept through aliases and
    names); ``forced`` maps a row position to the register village the planner chose.

    Returns the new register, the link report and the ids given to the rows under ``mask``.
    """
    new = frame.loc[mask, [*villages_mod.VILLAGE_COLUMNS]].drop(columns=["village_id"])
    new = gpd.GeoDataFrame(new, geometry="geometry", crs="EPSG:4326")
    register, report = villages_mod.link_register(new, ctx.register, source=SOURCE)
    v = register.villages
    n_new = int(mask.sum())
    ids = v["village_id"].to_numpy(dtype=object)[:n_new].copy()
    positions = np.flatnonzero(mask)
    chosen = {j: forced[p] for j, p in enumerate(positions) if p in forced}
    if chosen:
        ids[list(chosen)] = list(chosen.values())
        keep_old = ~(
            v["village_id"].isin(chosen.values()).to_numpy() & ~v["in_register"].to_numpy()
        )
        keep_old[:n_new] = True
        v = v.assign(village_id=np.concatenate([ids, v["village_id"].to_numpy()[n_new:]]))
        v = v[keep_old].reset_index(drop=True)
        aliases = pd.concat(
            [register.aliases, villages_mod.aliases_for(v.iloc[list(chosen)])], ignore_index=True
        ).drop_duplicates(["source", "source_id", "village_id"])
        register = villages_mod.Register(
            gpd.GeoDataFrame(v, geometry="geometry", crs="EPSG:4326"),
            aliases,
            register.note_vi,
            register.note_en,
        )
        report = dataclasses.replace(
            report,
            kept_unlinked=report.kept_unlinked[
                ~report.kept_unlinked["village_id"].isin(chosen.values())
            ],
        )
    return register, report, ids


def _frame(
    parsed: _Parsed, ctx: _Context, out: pd.DataFrame, extra: dict, status: np.ndarray
) -> gpd.GeoDataFrame:
    """The staged rows in the layer's schema: the register's rows, at their point or commune."""
    rows = parsed.rows
    f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
    frame = gpd.GeoDataFrame(
        f.drop(columns=["lon", "lat"]), geometry=extra["geometry"].to_numpy(), crs="EPSG:4326"
    )
    return frame.reset_index(drop=True)


def _export(f: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The staged rows (those that could be read) in the schema ``python -m geo export``
    writes for the layer."""
    out = f[villages_mod.EXPORT_COLUMNS].copy()
    out["register_note"] = "Village register imported by the planner."
    for c in ("match_status", "match_score", "status", "source_row"):
        out[c] = f[c].to_numpy()
    return gpd.GeoDataFrame(out, geometry=f.geometry.to_numpy(), crs="EPSG:4326")
