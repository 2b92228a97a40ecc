"""The values of an assignment, checked: the village, and the terms (operator, year, decision).

Every problem is added to a :class:`geo.errors.ProblemList`, so that a whole list is checked
before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo.assignments.rules import _missing, _opt_text, _parse_date, _text
from geo.errors import ProblemList
from geo.operators import OPERATORS, canonical_operator


def _village_fields(village: Mapping, problems: ProblemList, row: int | None = None) -> dict:
    """The village part of a record, checked."""

    def bad(field: str, en: str, vi: str, value=None) -> None:
        problems.add(en, vi, row=row, field=field, value=value)

    out: dict[str, Any] = {}
    vid = _text(village.get("village_id"))
    if not vid:
        bad("village_id", "village_id is empty", "village_id bị trống")
    out["village_id"] = vid
    name = _text(village.get("village"))
    if not name:
        bad("village", "the village name is empty", "tên thôn/bản bị trống")
    out["village"] = name
    commune_code = _text(village.get("commune_code"))
    if not (len(commune_code) == 5 and commune_code.isdigit()):
        bad(
            "commune_code",
            f"commune code {commune_code!r} is not 5 digits",
            f"mã xã {commune_code!r} không đủ 5 chữ số",
            commune_code,
        )
    out["commune_code"] = commune_code
    province_code = _text(village.get("province_code"))
    if not (len(province_code) == 2 and province_code.isdigit()):
        bad(
            "province_code",
            f"province code {province_code!r} is not 2 digits",
            f"mã tỉnh {province_code!r} không đủ 2 chữ số",
            province_code,
        )
    out["province_code"] = province_code
    out["district_code"] = _opt_text(village.get("district_code"))
    out["commune_2025_code"] = _opt_text(village.get("commune_2025_code"))
    for key in ("commune", "district", "province", "location_precision"):
        out[key] = _opt_text(village.get(key))
    lon, lat = village.get("lon"), village.get("lat")
    geom = village.get("geometry")
    if (_missing(lon) or _missing(lat)) and geom is not None and not _missing(geom):
        if getattr(geom, "is_empty", True):
            lon = lat = None
        else:
            lon, lat = geom.x, geom.y
    out["lon"] = None if _missing(lon) else float(lon)
    out["lat"] = None if _missing(lat) else float(lat)
    return out


def _terms(
    values: Mapping,
    problems: ProblemList,
    row: int | None = None,
    *,
    partial: bool = False,
) -> dict:
    """Operator, target year and where it comes from, decision, its date and note, checked (only
    given keys if ``partial``)."""

    def bad(field: str, en: str, vi: str, value=None) -> None:
        problems.add(en, vi, row=row, field=field, value=value)

    out: dict[str, Any] = {}
    if not partial or "operator" in values:
        raw = values.get("operator")
        op = canonical_operator(_text(raw)) if not _missing(raw) else None
        if op is None:
            bad(
                "operator",
                f"operator {raw!r} is not one of {', '.join(OPERATORS)}",
                f"doanh nghiệp {raw!r} không thuộc {', '.join(OPERATORS)}",
                raw,
            )
        out["operator"] = op
    if not partial or "target_year" in values:
        raw = values.get("target_year")
        year = None
        if not _missing(raw) and _text(raw) != "":
            try:
                year = int(float(raw))
                if not (2000 <= year <= 2100) or float(raw) != year:
                    raise ValueError
            except (TypeError, ValueError):
                bad(
                    "target_year",
                    f"target year {raw!r} is not a year between 2000 and 2100",
                    f"năm mục tiêu {raw!r} không phải năm từ 2000 đến 2100",
                    raw,
                )
                year = None
        out["target_year"] = year
    if not partial or "target_year_source" in values:
        out["target_year_source"] = _text(values.get("target_year_source"))
    if not partial or "decision" in values:
        out["decision"] = _text(values.get("decision"))
    if not partial or "decision_date" in values:
        raw = values.get("decision_date")
        try:
            d = _parse_date(raw)
        except ValueError:
            bad(
                "decision_date",
                f"decision date {raw!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)",
                f"ngày văn bản {raw!r} không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
                raw,
            )
            d = None
        out["decision_date"] = None if d is None else d.isoformat()
    if not partial or "note" in values:
        out["note"] = _text(values.get("note"))
    for key in ("proposed_operator", "proposal_reason"):
        if not partial or key in values:
            raw = values.get(key)
            if key == "proposed_operator" and not _missing(raw) and _text(raw):
                op = canonical_operator(_text(raw))
                if op is None:
                    bad(key, f"unknown operator {raw!r}", f"doanh nghiệp {raw!r} không rõ", raw)
                out[key] = op
            else:
                out[key] = _opt_text(raw)
    return out
