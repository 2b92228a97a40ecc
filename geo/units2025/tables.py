"""The reform's tables: the new units, the old units each is made of, and the new province of
each old one (from the registry's ``units_2025`` and ``mapping_2025``); the words and columns the
other modules of :mod:`geo.units2025` share.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from geo import names, registry, units
from geo.errors import InputError

REFORM_DATE = date(2025, 7, 1)
"""The day the 2025 units took effect."""


GEOMETRY_METHODS = ("exact", "approximate", "missing")


ASSIGN_METHODS = ("mapping", "overlap", "nearest", "unresolved")


SYSTEMS = ("pre2025", "2025", "both")


ACCEPTED = ("exact", "normalised", "fuzzy")


COMMUNE_2025_COLUMNS = [
    "commune_2025_code",
    "commune_2025",
    "province_2025_code",
    "province_2025",
    "geometry_method",
    "geometry_extent",
    "n_old",
    "n_old_with_polygon",
    "n_partial",
    "n_added",
    "commune_codes_old",
    "geometry",
]


ASSIGNMENT_COLUMNS = [
    "commune_2025_code",
    "commune_2025",
    "province_2025_code",
    "province_2025",
    "commune_2025_method",
    "commune_2025_candidates",
    "commune_2025_distance_m",
]


CROSSWALK_COLUMNS = [
    "province_code",
    "province",
    "district_code",
    "district",
    "commune_code",
    "commune",
    "commune_2025_code",
    "commune_2025",
    "province_2025_code",
    "province_2025",
    "commune_2025_method",
    "villages",
    "share_of_villages",
]


OLD_MARK = {"vi": "cũ", "en": "old"}


NEW_MARK = {"vi": "mới", "en": "new"}


@lru_cache(maxsize=1)
def parts_2025() -> pd.DataFrame:
    """One row per (new commune, old unit it is made of), from ``units_2025``.

    Returns
    -------
    DataFrame
        ``commune_2025_code``, ``province_2025_code``, ``old_code`` (a 5-digit commune code, or
        the 3-digit code of an island district without communes for the five special zones),
        ``kind`` (``full``: merged whole; ``partial``: a share of a split commune) and
        ``old_level`` (``commune`` / ``district``).
    """
    u = units.units_2025()
    codes = u["commune_codes_old"].str.split(";")
    kinds = u["kinds"].str.split(";")
    n = codes.str.len().to_numpy()
    if not np.array_equal(n, kinds.str.len().to_numpy()):
        raise InputError(
            "units_2025: the lists of old codes and kinds differ in length.",
            "units_2025: danh sách mã cũ và kiểu sáp nhập không cùng độ dài.",
            file=registry.DATASETS["units_2025"].relpath,
            field="ma_xa_cu",
        )
    out = pd.DataFrame(
        {
            "commune_2025_code": np.repeat(u["commune_2025_code"].to_numpy(), n),
            "province_2025_code": np.repeat(u["province_2025_code"].to_numpy(), n),
            "old_code": np.concatenate(codes.to_list()),
            "kind": np.concatenate(kinds.to_list()),
        }
    )
    out["old_level"] = np.where(out["old_code"].str.len() == 5, "commune", "district")
    return out


@lru_cache(maxsize=1)
def province_old_to_new() -> dict[str, str]:
    """Pre-2025 province code → 2025 province code (provinces merged whole)."""
    m = units.mapping_2025()
    return m.drop_duplicates("ma_tinh_cu").set_index("ma_tinh_cu")["province_2025_code"].to_dict()


@lru_cache(maxsize=1)
def provinces_2025_table() -> pd.DataFrame:
    """The 34 provinces from 01/07/2025: ``province_2025_code``, ``province_2025`` and the
    pre-2025 provinces each is made of (``province_codes_old``, ";"-joined)."""
    u = units.units_2025().drop_duplicates("province_2025_code")
    olds = pd.Series(province_old_to_new()).rename_axis("old").reset_index(name="new")
    joined = olds.sort_values("old").groupby("new")["old"].agg(";".join)
    out = u[["province_2025_code", "province_2025"]].sort_values("province_2025_code")
    out = out.assign(province_codes_old=out["province_2025_code"].map(joined).fillna(""))
    return out.reset_index(drop=True)


@lru_cache(maxsize=1)
def _units_info() -> pd.DataFrame:
    return units.units_2025().drop_duplicates("commune_2025_code").set_index("commune_2025_code")


@lru_cache(maxsize=1)
def _old_to_new() -> pd.DataFrame:
    """Per old commune code: its new communes (";"-joined) and how many."""
    m = units.mapping_2025()
    return m.groupby("commune_code").agg(
        new_codes=("commune_2025_code", ";".join), n_new=("commune_2025_code", "size")
    )


def resolve_province_2025(text: str) -> tuple[str, str]:
    """A 2025 province given by code, by its name, or by the name of a pre-2025 province in it.

    Returns
    -------
    (province_2025_code, province_2025)

    Raises
    ------
    UnitNotFoundError, AmbiguousUnitError
    """
    table = provinces_2025_table()
    t = (text or "").strip()
    if re.fullmatch(r"\d{1,2}", t) and t.zfill(2) in set(table["province_2025_code"]):
        code = t.zfill(2)
    else:
        cand = table.rename(columns={"province_2025": "name", "province_2025_code": "id"})
        m = names.match_within(
            pd.DataFrame({"name": [t]}), cand, level="province", query_group=None, cand_group=None
        )
        if m["match_status"].iloc[0] in ACCEPTED:
            code = str(m["match_id"].iloc[0])
        else:
            old_code, _ = units.resolve_province(t)
            code = province_old_to_new()[old_code]
    return code, table.set_index("province_2025_code").loc[code, "province_2025"]
