"""UI words in Vietnamese and English, and numbers, percentages and dates in each language.

Labels follow the project glossary (``shared/design/glossary.md``): one word per thing,
Vietnamese first. Numbers are written the Vietnamese way in ``vi`` (1.234,5 and 97,3 %) and
the English way in ``en`` (1,234.5 and 97.3%); dates are dd/mm/yyyy in both.
"""

from __future__ import annotations

import datetime as dt
import math
from numbers import Real

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LANGS: tuple[str, ...] = ("vi", "en")
"""The UI languages, Vietnamese first (the default)."""

LOCALES: dict[str, str] = {"vi": "vi_VN", "en": "en_GB"}
"""The babel locale of each UI language."""

MISSING = "—"
"""What a missing value (None, NaN) is written as."""

LABELS: dict[str, dict[str, str]] = {
    # Units and things (glossary)
    "province": {"vi": "Tỉnh", "en": "Province"},
    "district": {"vi": "Huyện", "en": "District"},
    "commune": {"vi": "Xã", "en": "Commune"},
    "commune_code": {"vi": "Mã xã", "en": "Commune code"},
    "village": {"vi": "Thôn/Bản", "en": "Village"},
    "villages": {"vi": "Thôn/bản", "en": "Villages"},
    "operator": {"vi": "Nhà mạng", "en": "Operator"},
    "operator_formal": {"vi": "Doanh nghiệp viễn thông", "en": "Operator"},
    "assigned_operator": {"vi": "Doanh nghiệp", "en": "Operator"},
    "site": {"vi": "Trạm BTS", "en": "Site"},
    "sites": {"vi": "Trạm BTS", "en": "Sites"},
    "physical_site": {"vi": "Vị trí trạm", "en": "Physical site"},
    "physical_sites": {"vi": "Vị trí trạm", "en": "Physical sites"},
    "technology": {"vi": "Công nghệ", "en": "Technology"},
    "on_air_date": {"vi": "Ngày phát sóng", "en": "On air since"},
    "site_sharing_rate": {"vi": "Tỷ lệ dùng chung vị trí trạm BTS", "en": "Site-sharing rate"},
    "mobile_coverage": {"vi": "Phủ sóng di động băng rộng", "en": "Mobile broadband coverage"},
    "gap_all": {"vi": "Được tất cả nhà mạng phủ sóng", "en": "Covered by every operator"},
    "gap_partial": {"vi": "Phủ sóng một phần nhà mạng", "en": "Partial not-spot"},
    "gap_none": {"vi": "Vùng lõm sóng (không nhà mạng nào)", "en": "Total not-spot"},
    "gap_nosites": {"vi": "Chưa có dữ liệu trạm", "en": "No site data"},
    "gap_class": {"vi": "Tình trạng phủ sóng", "en": "Coverage status"},
    "fibre": {"vi": "Cáp quang FTTH", "en": "FTTH fibre"},
    "fibre_villages": {"vi": "Thôn/bản có cáp quang FTTH", "en": "Villages with FTTH fibre"},
    "unserved": {"vi": "Thôn/bản chưa có dịch vụ", "en": "Unserved village"},
    "unserved_declared": {
        "vi": "Thôn/bản chưa có dịch vụ (kế hoạch)",
        "en": "Unserved villages (plan)",
    },
    "assignment": {"vi": "Phân công", "en": "Assignment"},
    "indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "indicators": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "target": {"vi": "Mục tiêu", "en": "Target"},
    "target_year": {"vi": "Mục tiêu năm {year}", "en": "Target {year}"},
    "actual": {"vi": "Thực hiện", "en": "Actual"},
    "actual_year": {"vi": "Thực hiện năm {year}", "en": "Actual {year}"},
    "current_state": {"vi": "hiện trạng", "en": "current state"},
    "synthetic": {
        "vi": "Dữ liệu tổng hợp (minh họa, không phải dữ liệu thật)",
        "en": "Synthetic (demo, not real data)",
    },
    "synthetic_short": {"vi": "tổng hợp", "en": "synthetic"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "partial": {"vi": "Một phần", "en": "Partly"},
    "comparable": {"vi": "So sánh được", "en": "Comparable"},
    "comparable_yes": {"vi": "Có", "en": "Yes"},
    "comparable_partial": {"vi": "Một phần", "en": "Partly"},
    "comparable_no": {"vi": "Không", "en": "No"},
    "met": {"vi": "Đạt", "en": "Met"},
    "not_met": {"vi": "Chưa đạt", "en": "Not met"},
    "source": {"vi": "Nguồn", "en": "Source"},
    "unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "stt": {"vi": "Stt", "en": "No."},
    "population": {"vi": "Dân số (2019)", "en": "Population (2019)"},
    "population_covered": {
        "vi": "Dân số trong vùng phủ sóng",
        "en": "Population within coverage",
    },
    "population_covered_share": {
        "vi": "Tỷ lệ dân số được phủ sóng",
        "en": "Share of population covered",
    },
    "villages_mobile_share": {
        "vi": "Tỷ lệ thôn/bản được phủ sóng di động băng rộng",
        "en": "Villages with mobile broadband",
    },
    "villages_fibre_share": {
        "vi": "Tỷ lệ thôn/bản có cáp quang FTTH",
        "en": "Villages with FTTH fibre",
    },
    "total_not_spots": {
        "vi": "Số thôn/bản vùng lõm sóng (không nhà mạng nào)",
        "en": "Total not-spot villages",
    },
    "partial_not_spots": {
        "vi": "Số thôn/bản phủ sóng một phần nhà mạng",
        "en": "Partial not-spot villages",
    },
    "villages_located_by_commune": {
        "vi": "Thôn/bản chỉ định vị được theo xã",
        "en": "Villages located only by commune",
    },
    "villages_count": {"vi": "Số thôn/bản", "en": "Villages"},
    "villages_operator_share": {
        "vi": "Tỷ lệ thôn/bản được {operator} phủ sóng",
        "en": "Villages covered by {operator}",
    },
    "commune_share_legend": {
        "vi": "Tỷ lệ thôn/bản được phủ sóng di động băng rộng",
        "en": "Share of villages with mobile broadband",
    },
    "communes_layer": {
        "vi": "Xã: tỷ lệ thôn/bản có sóng di động băng rộng",
        "en": "Communes: share of villages with mobile broadband",
    },
    "villages_layer": {"vi": "Thôn/bản theo tình trạng phủ sóng", "en": "Villages by coverage"},
    "sites_layer": {"vi": "Trạm BTS theo nhà mạng", "en": "Sites by operator"},
    "location_point": {"vi": "điểm", "en": "point"},
    "location_commune": {"vi": "xã", "en": "commune"},
    "location_commune_note": {
        "vi": "Vị trí tạm đặt tại xã (chưa có tọa độ thôn/bản)",
        "en": "Placed at its commune (no village coordinates)",
    },
    "location": {"vi": "Vị trí (điểm/xã)", "en": "Location (point/commune)"},
    "approx_location": {"vi": "theo vị trí xã, chưa chắc chắn", "en": "at the commune's point, uncertain"},
    "modelled_covered": {"vi": "Mô hình: có phủ sóng?", "en": "Model: covered?"},
    "operators_covering": {"vi": "Nhà mạng phủ sóng (mô hình)", "en": "Operators covering (model)"},
    "declared_operator": {"vi": "Doanh nghiệp được phân công", "en": "Assigned operator"},
    "none_word": {"vi": "không có", "en": "none"},
    "search_placeholder": {"vi": "Tìm thôn/bản hoặc xã…", "en": "Search village or commune…"},
    "search_not_found": {"vi": "Không tìm thấy", "en": "Not found"},
    "search_cancel": {"vi": "Xóa", "en": "Clear"},
    # App
    "page_title": {"vi": "Bản đồ phủ sóng", "en": "Coverage map"},
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "province_pick": {"vi": "Tỉnh", "en": "Province"},
    "district_pick": {"vi": "Huyện", "en": "District"},
    "whole_province": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "year_pick": {"vi": "Năm (trạm phát sóng đến 31/12)", "en": "Year (sites on air by 31/12)"},
    "all_years": {"vi": "Tất cả", "en": "All"},
    "radius_header": {
        "vi": "Giả định: bán kính phủ sóng (km) (chỉ mang tính tham khảo, không tính địa hình)",
        "en": "Assumption: coverage radius (km) (indicative only, terrain not modelled)",
    },
    "radius_label": {"vi": "Bán kính {tech} (km)", "en": "{tech} radius (km)"},
    "sharing_distance": {
        "vi": "Khoảng cách gộp vị trí trạm dùng chung (m)",
        "en": "Distance to merge co-located sites (m)",
    },
    "no_sites": {
        "vi": "Tỉnh này chưa có dữ liệu trạm BTS: chỉ hiển thị đơn vị hành chính và thôn/bản.",
        "en": "This province has no site data: only units and villages are shown.",
    },
    "map_header": {"vi": "Bản đồ", "en": "Map"},
    "indicators_header": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "unserved_header": {
        "vi": "Thôn/bản chưa có dịch vụ: danh sách kế hoạch và kết quả mô hình",
        "en": "Unserved villages: the plan's list and the model",
    },
    "disagreements_header": {
        "vi": "Chênh lệch giữa kế hoạch và mô hình",
        "en": "Where the plan and the model disagree",
    },
    "declared_but_covered": {
        "vi": "Kế hoạch ghi chưa có dịch vụ nhưng mô hình cho là có phủ sóng",
        "en": "Listed as unserved by the plan but covered in the model",
    },
    "notspot_not_declared": {
        "vi": "Mô hình cho là vùng lõm sóng nhưng không có trong danh sách kế hoạch",
        "en": "Total not-spots in the model that the plan does not list",
    },
    "no_declared_list": {
        "vi": "Tỉnh này chưa có danh sách thôn/bản chưa có dịch vụ trong kế hoạch.",
        "en": "No plan lists unserved villages for this province.",
    },
    "downloads_header": {"vi": "Tải xuống", "en": "Downloads"},
    "download_layer": {"vi": "{layer} ({fmt})", "en": "{layer} ({fmt})"},
    "download_indicators": {"vi": "Chỉ tiêu (xlsx)", "en": "Indicators (xlsx)"},
    "download_map": {"vi": "Bản đồ (HTML)", "en": "Map (HTML)"},
    "layer_villages": {"vi": "Thôn/bản", "en": "Villages"},
    "layer_communes": {"vi": "Xã", "en": "Communes"},
    "layer_sites": {"vi": "Trạm BTS", "en": "Sites"},
    "layer_unserved": {"vi": "Thôn/bản chưa có dịch vụ", "en": "Unserved villages"},
    "layer_fibre": {"vi": "Cáp quang FTTH", "en": "FTTH fibre"},
    "why": {"vi": "Vì sao", "en": "Why"},
    "definition": {"vi": "Cách tính", "en": "Definition"},
    "definitions_sheet": {"vi": "Định nghĩa và nguồn", "en": "Definitions and sources"},
    "indicators_sheet": {"vi": "Phụ lục 1 - Chỉ tiêu", "en": "Annex 1 - Indicators"},
    "no_target": {"vi": "Kế hoạch không có mục tiêu cho năm này", "en": "No plan target for this year"},
    "building": {"vi": "Đang tính toán…", "en": "Computing…"},
    "scope": {"vi": "Phạm vi", "en": "Scope"},
    "plan": {"vi": "Kế hoạch", "en": "Plan"},
    "attribution": {"vi": "Nguồn dữ liệu", "en": "Data"},
    "coverage_model_note": {
        "vi": "Phủ sóng được mô hình hóa bằng bán kính quanh trạm (chỉ mang tính tham khảo, "
        "không tính địa hình).",
        "en": "Coverage is modelled by a radius around each site (indicative, terrain not "
        "modelled).",
    },
    "map_size": {"vi": "Dung lượng bản đồ", "en": "Map size"},
    "legend": {"vi": "Chú giải", "en": "Legend"},
    "ring_is_operator": {
        "vi": "Màu vòng = doanh nghiệp được phân công",
        "en": "Ring colour = assigned operator",
    },
    "no_villages": {"vi": "Xã không có thôn/bản trong danh sách", "en": "No villages listed"},
    "tool_source": {
        "vi": "Công cụ (mô hình, không có mục tiêu kế hoạch)",
        "en": "Tool (model, no plan target)",
    },
    "unit_villages": {"vi": "thôn/bản", "en": "villages"},
    "unit_population": {"vi": "người", "en": "people"},
    "unit_population_covered": {"vi": "người", "en": "people"},
    "unit_sites": {"vi": "trạm", "en": "sites"},
    "unit_physical_sites": {"vi": "vị trí", "en": "physical sites"},
    "unit_total_not_spots": {"vi": "thôn/bản", "en": "villages"},
    "unit_partial_not_spots": {"vi": "thôn/bản", "en": "villages"},
    "unit_villages_located_by_commune": {"vi": "thôn/bản", "en": "villages"},
    "xlsx_subtitle": {
        "vi": "Thực hiện: kết quả mô hình của công cụ. Mục tiêu năm {year}: theo kế hoạch "
        "(cột Nguồn). Tỷ lệ ghi bằng %.",
        "en": "Actual: the tool's model. Target {year}: from the plan (Source column). Shares "
        "in %.",
    },
    "sources_header": {"vi": "Nguồn dữ liệu theo lớp", "en": "Sources by layer"},
    "layer": {"vi": "Lớp dữ liệu", "en": "Layer"},
    "synthetic_col": {"vi": "Dữ liệu tổng hợp?", "en": "Synthetic?"},
    "generated": {"vi": "Ngày lập", "en": "Generated"},
    "disagreement_kind": {"vi": "Loại chênh lệch", "en": "Kind"},
    "layer_population": {"vi": "Dân số", "en": "Population"},
}
"""UI labels keyed by a short key, each ``{"vi": …, "en": …}``; some hold ``{placeholders}``."""

_COMPARABLE_KEYS = {"yes": "comparable_yes", "partial": "comparable_partial", "no": "comparable_no"}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGS`, else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def t(key: str, lang: str = "vi", **values) -> str:
    """The UI label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Parameters
    ----------
    key
        A key of :data:`LABELS`.
    lang
        ``"vi"`` or ``"en"``.
    **values
        Values for the label's placeholders, e.g. ``year=2025``.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        Unknown ``key``.

    Examples
    --------
    >>> t("commune", "vi")
    'Xã'
    >>> t("target_year", "en", year=2025)
    'Target 2025'
    """
    text = LABELS[key][check_lang(lang)]
    return text.format(**values) if values else text


def comparable_label(value: str | None, lang: str = "vi") -> str:
    """``yes``/``partial``/``no`` (the plans' ``comparable``) as Có / Một phần / Không."""
    key = _COMPARABLE_KEYS.get(str(value or "no"), "comparable_no")
    return t(key, lang)


def _missing(x) -> bool:
    return x is None or (isinstance(x, Real) and not isinstance(x, bool) and math.isnan(x))


def fmt_number(x, lang: str = "vi", decimals: int = 0) -> str:
    """A number in the language's style: ``1.234,5`` (vi) or ``1,234.5`` (en).

    Parameters
    ----------
    x
        Any real number; None or NaN gives :data:`MISSING`.
    lang
        ``"vi"`` or ``"en"``.
    decimals
        Digits after the decimal mark (always shown).

    Examples
    --------
    >>> fmt_number(1234.5, "vi", 1)
    '1.234,5'
    >>> fmt_number(1234.5, "en", 1)
    '1,234.5'
    """
    if _missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(x, format=pattern, locale=LOCALES[check_lang(lang)])


def fmt_percent(fraction, lang: str = "vi", decimals: int = 1) -> str:
    """A share (0–1) as a percentage: ``97,3 %`` (vi) or ``97.3%`` (en).

    Examples
    --------
    >>> fmt_percent(0.973, "vi")
    '97,3 %'
    >>> fmt_percent(0.973, "en")
    '97.3%'
    """
    if _missing(fraction):
        return MISSING
    digits = "." + "0" * decimals if decimals > 0 else ""
    # Vietnamese puts a space before %, English none.
    pattern = f"#,##0{digits}\u00a0%" if lang == "vi" else f"#,##0{digits}%"
    text = format_percent(fraction, format=pattern, locale=LOCALES[check_lang(lang)])
    return text.replace("\u00a0", " ")


def fmt_date(d, lang: str = "vi") -> str:
    """A date as dd/mm/yyyy in both languages (None or NaT gives :data:`MISSING`).

    Examples
    --------
    >>> import datetime
    >>> fmt_date(datetime.date(2020, 12, 15), "vi")
    '15/12/2020'
    """
    if d is None or d is pd.NaT or _missing(d):
        return MISSING
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    elif isinstance(d, pd.Timestamp | np.datetime64):
        d = pd.Timestamp(d).date()
    return format_date(d, format="dd/MM/yyyy", locale=LOCALES[check_lang(lang)])
