"""Unit names and dates as planners write them: prefixes folded, an address split into commune,
district and province, a document date read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from geo import names, units
from geo.errors import InputError
from geo.units2025.tables import ACCEPTED, provinces_2025_table


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.lower()).replace("đ", "d")
    return "".join(ch for ch in s if not unicodedata.combining(ch))


_COMMUNE_RE = re.compile(r"^(xa|phuong|thi tran|dac khu|x\.|p\.|tt\.?)\s")


_DISTRICT_RE = re.compile(r"^(huyen|quan|thi xa|h\.|q\.|tx\.?)\s")


_PROVINCE_RE = re.compile(r"^(tinh|t\.)\s")


_CITY_RE = re.compile(r"^(thanh pho|tp\.?)\s")


def _is_province_name(text: str) -> bool:
    old = units.provinces_table().rename(columns={"province": "name", "province_code": "id"})
    new = provinces_2025_table().rename(
        columns={"province_2025": "name", "province_2025_code": "id"}
    )
    cand = pd.concat([old[["name", "id"]], new[["name", "id"]]], ignore_index=True)
    m = names.match_within(
        pd.DataFrame({"name": [text]}), cand, level="province", query_group=None, cand_group=None
    )
    return m["match_status"].iloc[0] in (*ACCEPTED, "ambiguous")


def parse_unit_text(text: str) -> dict[str, str | None]:
    """Split "Xã …, Huyện …, Tỉnh …" (or "Xã …, tỉnh …") into commune, district and province.

    The first part is the commune. The others are classed by their prefix (Huyện / Quận /
    Thị xã → district; Tỉnh → province); "Thành phố" and parts without a prefix are the
    province when last and a province's name, else the district.
    """
    parts = [p.strip() for p in re.split(r"[,;]", text or "") if p.strip()]
    out: dict[str, str | None] = {"commune": None, "district": None, "province": None}
    if not parts:
        return out
    out["commune"] = parts[0]
    rest = parts[1:]
    for i, p in enumerate(rest):
        f = _fold(p)
        last = i == len(rest) - 1
        if _DISTRICT_RE.match(f):
            out["district"] = p
            continue
        positional = len(rest) > 1 and not _CITY_RE.match(f)
        if _PROVINCE_RE.match(f) or (last and (positional or _is_province_name(p))):
            out["province"] = p
        else:
            out["district"] = p
    return out


def _parse_date(value: Any) -> date | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    if not s:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise InputError(
        f"Cannot read the date {s!r}: write it as dd/mm/yyyy or yyyy-mm-dd.",
        f"Không đọc được ngày {s!r}: hãy ghi dạng dd/mm/yyyy hoặc yyyy-mm-dd.",
        field="document_date",
    )


def _match_provinces(texts: pd.Series) -> pd.DataFrame:
    """Each distinct province text in both systems: ``p_old`` and ``p_new`` (or <NA>)."""
    q = pd.DataFrame({"name": texts.drop_duplicates().to_numpy()})
    q = q[q["name"] != ""]
    old = units.provinces_table().rename(columns={"province": "name", "province_code": "id"})
    new = provinces_2025_table().rename(
        columns={"province_2025": "name", "province_2025_code": "id"}
    )
    kw = {"level": "province", "query_group": None, "cand_group": None}
    mo = names.match_within(q, old, **kw)
    mn = names.match_within(q, new, **kw)
    return pd.DataFrame(
        {
            "p_old": mo["match_id"].where(mo["match_status"].isin(ACCEPTED)),
            "p_new": mn["match_id"].where(mn["match_status"].isin(ACCEPTED)),
        }
    ).set_index(q["name"].to_numpy())
