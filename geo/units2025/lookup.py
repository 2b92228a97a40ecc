"""Names in either system: rows resolved to old and new units (:func:`resolve_units`), and one
address looked up (:func:`lookup`), ambiguous names shown both ways and never given a code.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import names, units
from geo.errors import InputError
from geo.units2025.parsing import _match_provinces, _parse_date, parse_unit_text
from geo.units2025.tables import (
    ACCEPTED,
    REFORM_DATE,
    _old_to_new,
    _units_info,
    parts_2025,
    province_old_to_new,
    provinces_2025_table,
)
from geo.units2025.villages import display_pair, names_of


def _old_reading(
    rows: pd.DataFrame, p_old: pd.Series, communes: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    """Pre-2025 reading of each row (``resolve_communes`` within its province; the province
    from the district, nationally, when the row names none)."""
    out = pd.DataFrame(
        {
            "commune_code": pd.array([pd.NA] * len(rows), dtype="string"),
            "commune_gso": pd.NA,
            "district_code": pd.NA,
            "district_gso": pd.NA,
            "province_code": p_old.astype("string"),
            "status": "none",
            "score": 0.0,
            "candidates": "",
        },
        index=rows.index,
    )
    g = units.gso_units()
    # Province from a district named without its province.
    nop = out["province_code"].isna() & rows["district"].ne("")
    if nop.any():
        dcand = g.drop_duplicates("district_code").rename(
            columns={"district": "name", "district_code": "id"}
        )
        dm = names.match_within(
            pd.DataFrame({"name": rows.loc[nop, "district"]}),
            dcand,
            level="district",
            query_group=None,
            cand_group=None,
        )
        ok = dm["match_status"].isin(ACCEPTED)
        dist_prov = g.drop_duplicates("district_code").set_index("district_code")["province_code"]
        out.loc[ok[ok].index, "province_code"] = dm.loc[ok, "match_id"].map(dist_prov)
    for code, idx in out.groupby("province_code", dropna=True).groups.items():
        sub = rows.loc[idx]
        res = units.resolve_communes(
            sub, str(code), communes, commune_col="commune", district_col="district"
        )
        out.loc[idx, "commune_code"] = res["commune_code"]
        out.loc[idx, "commune_gso"] = res["commune_gso"]
        out.loc[idx, "district_code"] = res["district_code"]
        out.loc[idx, "district_gso"] = res["district_gso"]
        out.loc[idx, "status"] = res["match_status"]
        out.loc[idx, "score"] = res["match_score"]
        out.loc[idx, "candidates"] = res["match_candidates"]
    nowhere = out["province_code"].isna() & rows["district"].eq("") & rows["commune"].ne("")
    if nowhere.any():
        cand = g.rename(columns={"commune": "name", "commune_code": "id"})
        m = names.match_within(
            pd.DataFrame({"name": rows.loc[nowhere, "commune"]}),
            cand,
            level="commune",
            query_group=None,
            cand_group=None,
        )
        ok = m["match_status"].isin(ACCEPTED)
        info = g.set_index("commune_code")
        out.loc[nowhere, "commune_code"] = m["match_id"].where(ok)
        out.loc[nowhere, "commune_gso"] = m["match_name"].where(ok)
        out.loc[nowhere, "status"] = m["match_status"]
        out.loc[nowhere, "score"] = m["match_score"]
        out.loc[nowhere, "candidates"] = m["match_candidates"]
        hit = ok[ok].index
        codes = m.loc[hit, "match_id"]
        out.loc[hit, "district_code"] = codes.map(info["district_code"])
        out.loc[hit, "district_gso"] = codes.map(info["district"])
        out.loc[hit, "province_code"] = codes.map(info["province_code"])
    return out


def _new_reading(rows: pd.DataFrame, p_new: pd.Series) -> pd.DataFrame:
    """2025 reading of each row: the commune among the new communes of its new province (all
    of Vietnam when the row names no province)."""
    out = pd.DataFrame(
        {
            "commune_2025_code": pd.array([pd.NA] * len(rows), dtype="string"),
            "status": "none",
            "score": 0.0,
            "candidates": "",
        },
        index=rows.index,
    )
    u = units.units_2025().rename(columns={"commune_2025": "name", "commune_2025_code": "id"})
    group = p_new.fillna("").astype(str)
    named = rows["province"].ne("")
    # A province that matches nothing gives no 2025 reading; no province at all: all Vietnam.
    todo = ~named | group.ne("")
    if not todo.any():
        return out
    q = pd.DataFrame({"name": rows.loc[todo, "commune"], "group": group[todo]})
    parts = []
    grouped = q[q["group"] != ""]
    if len(grouped):
        parts.append(
            names.match_within(
                grouped, u.rename(columns={"province_2025_code": "group"}), level="commune"
            )
        )
    whole = q[q["group"] == ""]
    if len(whole):
        parts.append(
            names.match_within(whole, u, level="commune", query_group=None, cand_group=None)
        )
    m = pd.concat(parts).reindex(q.index)
    ok = m["match_status"].isin(ACCEPTED)
    out.loc[q.index, "commune_2025_code"] = m["match_id"].where(ok)
    out.loc[q.index, "status"] = m["match_status"]
    out.loc[q.index, "score"] = m["match_score"]
    out.loc[q.index, "candidates"] = m["match_candidates"]
    return out


def resolve_units(
    rows: pd.DataFrame,
    *,
    commune_col: str = "commune",
    district_col: str | None = "district",
    province_col: str | None = "province",
    date_col: str | None = "document_date",
    document_date: str | date | None = None,
    communes: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Resolve each row's commune in whichever system it names.

    Rules, in order:

    1. A row that names a district, or whose document is dated before 01/07/2025, is read in
       pre-2025 units (``units_reason`` ``district`` / ``dated_before``).
    2. A row dated from 01/07/2025 is read in 2025 units when its name fits them, else in
       pre-2025 units (``dated_after``).
    3. Otherwise both readings are tried: one that fits alone wins (``only_pre2025`` /
       ``only_2025``); both fitting with the same code is ``both`` (``same_code``); both
       fitting with different codes is ``ambiguous`` (``different_codes``): no pre-2025 code
       is set, and ``display`` and ``match_candidates`` show both readings. The 2025 commune is
       set only when both readings lead to it (the old commune merged whole into the new one
       the name reads as), since then it is certain.

    Parameters
    ----------
    rows
        One unit per row.
    commune_col, district_col, province_col
        Column names (district and province may be absent or empty).
    date_col
        Column with each row's document date (dd/mm/yyyy or yyyy-mm-dd), when present.
    document_date
        The date of the whole file, used where ``date_col`` gives none.
    communes
        Pre-2025 polygons, to also find communes whose code was retired before 2025.

    Returns
    -------
    DataFrame
        Aligned to ``rows.index``: ``units_status`` (exact, normalised, fuzzy, ambiguous,
        none), ``units_system`` (pre2025, 2025, both, ""), ``units_reason``, the pre-2025 unit
        (``commune_code``, ``commune_gso``, ``district_code``, ``district_gso``,
        ``province_code``), the 2025 unit (``commune_2025_code``, ``commune_2025``,
        ``province_2025_code``, ``province_2025``), ``commune_2025_candidates`` (an old commune
        split between several), ``commune_codes_old`` (the old codes the new commune is made
        of), ``match_score``, ``match_candidates`` and ``display``.
    """
    if commune_col not in rows.columns:
        raise InputError(
            f"The table has no column {commune_col!r}.",
            f"Bảng không có cột {commune_col!r}.",
            field=commune_col,
        )

    r = _unit_texts(rows, commune_col, district_col, province_col)
    before, after = _before_after(rows, date_col, document_date)

    prov = _match_provinces(r["province"])
    p_old = r["province"].map(prov["p_old"]).astype("string")
    p_new = r["province"].map(prov["p_new"]).astype("string")
    p_new = p_new.fillna(p_old.map(province_old_to_new()))

    old = _old_reading(r, p_old, communes)
    pre_only = r["district"].ne("") | before
    new = _new_reading(r[~pre_only], p_new[~pre_only]).reindex(r.index)
    new["status"] = new["status"].fillna("none")
    new["candidates"] = new["candidates"].fillna("")
    new["score"] = new["score"].fillna(0.0)

    system, reason, status, use_new, use_old, both, amb = _choose_system(
        r, old, new, pre_only, before, after
    )

    keep_old = pd.Series(use_old | both, index=r.index)
    out = pd.DataFrame(index=r.index)
    out["units_status"] = status.astype(str)
    out["units_system"] = system.astype(str)
    out["units_reason"] = reason.astype(str)
    for col in ("commune_code", "commune_gso", "district_code", "district_gso", "province_code"):
        out[col] = old[col].where(keep_old).astype("string")
    # 2025 unit: read directly, or the old commune's new commune through the mapping.
    o2n = _old_to_new()
    via_old = out["commune_code"].map(o2n["new_codes"])
    n_new = out["commune_code"].map(o2n["n_new"])
    # Ambiguous between the systems, but both readings give the same new commune ("Sín Chải":
    # Xín Chải 03223 merged whole into Sín Chải 03226): the 2025 unit is certain, the old is not.
    amb_via = old["commune_code"].map(o2n["new_codes"])
    agree = amb & (amb_via == new["commune_2025_code"]).fillna(False)
    code_2025 = new["commune_2025_code"].where(use_new | both | agree).astype("string")
    code_2025 = code_2025.fillna(via_old.where(n_new.eq(1)).astype("string"))
    out["commune_2025_code"] = code_2025
    info = _units_info()
    out["commune_2025"] = code_2025.map(info["commune_2025"]).astype("string")
    prov_2025 = code_2025.map(info["province_2025_code"]).fillna(
        out["province_code"].map(province_old_to_new())
    )
    out["province_2025_code"] = prov_2025.astype("string")
    ptable = provinces_2025_table().set_index("province_2025_code")["province_2025"]
    out["province_2025"] = prov_2025.map(ptable).astype("string")
    out["commune_2025_candidates"] = via_old.where(n_new.gt(1)).fillna("").astype(str)
    out["commune_codes_old"] = code_2025.map(info["commune_codes_old"]).fillna("").astype(str)
    out["match_score"] = np.where(use_new, new["score"], old["score"]).astype(float)
    cands = np.where(
        amb,
        "pre2025:"
        + old["commune_code"].fillna("").astype(str)
        + "|2025:"
        + new["commune_2025_code"].fillna("").astype(str),
        np.where(old["status"].eq("ambiguous"), old["candidates"], new["candidates"]),
    )
    out["match_candidates"] = np.where(out["units_status"].eq("ambiguous"), cands, "")
    out["display"] = _display_rows(out, old, new, amb)
    return out


def _unit_texts(
    rows: pd.DataFrame, commune_col: str, district_col: str | None, province_col: str | None
) -> pd.DataFrame:
    """The commune, district and province as written (stripped text; "" where absent)."""

    def text(col: str | None) -> pd.Series:
        if col is None or col not in rows.columns:
            return pd.Series("", index=rows.index)
        return rows[col].fillna("").astype(str).str.strip()

    return pd.DataFrame(
        {
            "commune": text(commune_col),
            "district": text(district_col),
            "province": text(province_col),
        },
        index=rows.index,
    )


def _before_after(
    rows: pd.DataFrame, date_col: str | None, document_date
) -> tuple[pd.Series, pd.Series]:
    """Which rows' documents are dated before 01/07/2025, and which from it (neither when
    undated)."""
    default = _parse_date(document_date)
    if date_col and date_col in rows.columns:
        dates = rows[date_col].map(_parse_date)
        dates = dates.where(dates.notna(), default)
    else:
        dates = pd.Series([default] * len(rows), index=rows.index, dtype=object)
    before = dates.map(lambda d: d is not None and d < REFORM_DATE).astype(bool)
    after = dates.map(lambda d: d is not None and d >= REFORM_DATE).astype(bool)
    return before, after


def _choose_system(r, old, new, pre_only, before, after):
    """Which reading each row takes (rules 1–3 of :func:`resolve_units`): the system
    (``both``, ``2025``, ``pre2025`` or ""), the reason, the status, and the masks of rows
    read in 2025 units, in pre-2025 units, in both with one code, and ambiguous between them."""
    old_ok = old["status"].isin(ACCEPTED)
    new_ok = new["status"].isin(ACCEPTED) & ~pre_only
    same = old_ok & new_ok & (old["commune_code"] == new["commune_2025_code"]).fillna(False)
    use_new = ~pre_only & new_ok & (after | ~old_ok)
    use_old = old_ok & (pre_only | (after & ~new_ok) | (~after & ~new_ok))
    both = ~pre_only & ~after & same
    amb = ~pre_only & ~after & old_ok & new_ok & ~same
    use_new &= ~both & ~amb
    use_old &= ~both & ~amb

    system = np.select([both, use_new, use_old], ["both", "2025", "pre2025"], "")
    fits = both | use_new | use_old | amb
    reason = np.select(
        [
            ~fits,
            r["district"].ne("") & pre_only,
            before,
            after,
            amb,
            both,
            use_old,
        ],
        [
            "no_match",
            "district",
            "dated_before",
            "dated_after",
            "different_codes",
            "same_code",
            "only_pre2025",
        ],
        "only_2025",
    )
    status = np.select(
        [amb, use_new, use_old | both],
        ["ambiguous", new["status"], old["status"]],
        "none",
    ).astype(object)
    # A reading ambiguous within its own system stays ambiguous.
    none_yet = system == ""
    within_amb = none_yet & (
        old["status"].eq("ambiguous") | (new["status"].eq("ambiguous") & ~pre_only)
    )
    status[within_amb.to_numpy()] = "ambiguous"
    return system, reason, status, use_new, use_old, both, amb


def _display_rows(
    out: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame, amb: pd.Series
) -> pd.Series:
    info = _units_info()
    gso = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")["commune"]

    text = pd.Series("", index=out.index, dtype=object)
    sys_ = out["units_system"]
    pre = sys_.isin(["pre2025", "both"])
    text[pre] = display_pair(
        out.loc[pre, "commune_gso"],
        out.loc[pre, "commune_2025"],
        out.loc[pre, "commune_2025_candidates"],
    )
    n25 = sys_.eq("2025")
    text[n25] = (
        out.loc[n25, "commune_2025"].astype(str)
        + " (mới) ← "
        + names_of(out.loc[n25, "commune_codes_old"], gso, ", ")
        + " (cũ)"
    )
    if amb.any():
        at = out.index[amb.to_numpy()]
        o_code = old.loc[at, "commune_code"].astype(str)
        n_code = new.loc[at, "commune_2025_code"].astype(str)
        via = o_code.map(_old_to_new()["new_codes"]).fillna("")
        text[at] = (
            "trước 01/07/2025: "
            + old.loc[at, "commune_gso"].astype(str)
            + " "
            + o_code
            + " (cũ) → "
            + names_of(via, info["commune_2025"], " / ")
            + " "
            + via
            + " (mới) | từ 01/07/2025: "
            + n_code.map(info["commune_2025"]).fillna("")
            + " "
            + n_code
            + " (mới) ← "
            + names_of(n_code.map(info["commune_codes_old"]).fillna(""), gso, ", ")
            + " (cũ)"
        )
    return text


def lookup(
    text: str,
    *,
    document_date: str | date | None = None,
    communes: gpd.GeoDataFrame | None = None,
) -> dict:
    """Resolve "Xã …, Huyện …, Tỉnh …" or "Xã …, tỉnh …" in both systems.

    Parameters
    ----------
    text
        A commune with its district and/or province, comma-separated.
    document_date
        The date of the document it comes from (before 01/07/2025: pre-2025 units).
    communes
        Pre-2025 polygons, to also find communes whose code was retired before 2025.

    Returns
    -------
    dict
        ``text``, ``parsed`` (commune, district, province), ``status``, ``system``, ``reason``,
        ``display`` and ``readings``: one reading per system the text is read in (two when
        ``ambiguous``), each with ``system``, ``old`` (pre-2025 communes with codes, district
        and province) and ``new`` (2025 communes with codes, province and ``kind``: ``full``
        merged whole, ``partial`` a share of a split commune).

    Raises
    ------
    InputError
        If the text names no commune.
    """
    parsed = parse_unit_text(text)
    if not parsed["commune"]:
        raise InputError(
            "Give a commune: 'Xã …, Huyện …, Tỉnh …' or 'Xã …, tỉnh …'.",
            "Hãy nhập xã: 'Xã …, Huyện …, Tỉnh …' hoặc 'Xã …, tỉnh …'.",
            field="text",
        )
    row = pd.DataFrame({k: [v or ""] for k, v in parsed.items()})
    res = resolve_units(row, document_date=document_date, communes=communes).iloc[0]
    readings: list[dict] = []
    system = res["units_system"]
    if res["units_status"] == "ambiguous" and res["match_candidates"].startswith("pre2025:"):
        o, n = res["match_candidates"].split("|")
        readings.append(_reading_old(o.removeprefix("pre2025:"), "pre2025"))
        readings.append(_reading_new(n.removeprefix("2025:")))
    elif system in ("pre2025", "both"):
        readings.append(_reading_old(str(res["commune_code"]), system))
    elif system == "2025":
        readings.append(_reading_new(str(res["commune_2025_code"])))
    return {
        "text": text,
        "parsed": parsed,
        "document_date": None if document_date is None else str(document_date),
        "status": res["units_status"],
        "system": system,
        "reason": res["units_reason"],
        "score": float(res["match_score"]),
        "candidates": res["match_candidates"],
        "display": res["display"],
        "readings": readings,
    }


def _old_unit(code: str) -> dict:
    g = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")
    if code not in g.index:
        return {"commune_code": code}
    r = g.loc[code]
    return {
        "commune_code": code,
        "commune": r["commune"],
        "district_code": r["district_code"],
        "district": r["district"],
        "province_code": r["province_code"],
        "province": r["province"],
    }


def _new_unit(code: str, kind: str | None = None) -> dict:
    info = _units_info()
    r = info.loc[code]
    d = {
        "commune_2025_code": code,
        "commune_2025": r["commune_2025"],
        "province_2025_code": r["province_2025_code"],
        "province_2025": r["province_2025"],
    }
    if kind:
        d["kind"] = kind
    return d


def _reading_old(code: str, system: str) -> dict:
    m = units.mapping_2025()
    rows = m[m["commune_code"] == code]
    return {
        "system": system,
        "old": [_old_unit(code)],
        "new": [
            _new_unit(c, k) for c, k in zip(rows["commune_2025_code"], rows["kind"], strict=True)
        ],
    }


def _reading_new(code: str) -> dict:
    p = parts_2025()
    rows = p[p["commune_2025_code"] == code]
    return {
        "system": "2025",
        "old": [
            _old_unit(c) | {"kind": k} for c, k in zip(rows["old_code"], rows["kind"], strict=True)
        ],
        "new": [_new_unit(code)],
    }
