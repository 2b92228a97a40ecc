"""The crosswalk from old communes to new ones, weighted by villages, as a table and a workbook."""

from __future__ import annotations

import pandas as pd

from geo import cells, names
from geo.errors import InputError
from geo.units2025.tables import CROSSWALK_COLUMNS


def crosswalk(villages: pd.DataFrame) -> pd.DataFrame:
    """Old commune → new commune, weighted by villages.

    Parameters
    ----------
    villages
        Villages with their pre-2025 commune (``commune_code``, ``commune``, ``district_code``,
        ``district``, ``province_code``, ``province``) and their 2025 commune as
        :func:`to_2025` sets it.

    Returns
    -------
    DataFrame
        :data:`CROSSWALK_COLUMNS`: one row per (old commune, new commune, method), with the
        number of villages and their share of the old commune's villages (0–1), by province
        code, then old district and commune in Vietnamese alphabetical order. Villages left
        unresolved form a row with an empty new commune. A GADM polygon without a GSO code
        keeps its name with an empty ``commune_code``.
    """
    v = pd.DataFrame(villages.drop(columns=villages.geometry.name, errors="ignore"))
    for col in CROSSWALK_COLUMNS[:-2]:
        if col not in v.columns:
            v[col] = pd.NA
    keys = CROSSWALK_COLUMNS[:-2]
    g = v[keys].astype("string").fillna("")
    counts = g.groupby(keys, sort=False).size().rename("villages").reset_index()
    old_unit = ["province_code", "district_code", "commune_code", "commune"]
    totals = counts.groupby(old_unit)["villages"].transform("sum")
    counts["share_of_villages"] = counts["villages"] / totals
    # Old units by name in Vietnamese alphabetical order, the largest share first within one.
    counts = counts.assign(
        _district=counts["district"].map(names.vietnamese_sort_key),
        _commune=counts["commune"].map(names.vietnamese_sort_key),
    ).sort_values(
        ["province_code", "_district", "_commune", "commune_code", "villages"],
        ascending=[True, True, True, True, False],
        kind="stable",
    )
    return counts[CROSSWALK_COLUMNS].reset_index(drop=True)


CROSSWALK_HEADERS: dict[str, dict[str, str]] = {
    "province_code": {"vi": "Mã tỉnh cũ", "en": "Old province code"},
    "province": {"vi": "Tỉnh cũ", "en": "Old province"},
    "district_code": {"vi": "Mã huyện cũ", "en": "Old district code"},
    "district": {"vi": "Huyện cũ", "en": "Old district"},
    "commune_code": {"vi": "Mã xã cũ", "en": "Old commune code"},
    "commune": {"vi": "Xã cũ", "en": "Old commune"},
    "commune_2025_code": {"vi": "Mã xã mới", "en": "New commune code"},
    "commune_2025": {"vi": "Xã mới", "en": "New commune"},
    "province_2025_code": {"vi": "Mã tỉnh mới", "en": "New province code"},
    "province_2025": {"vi": "Tỉnh mới", "en": "New province"},
    "commune_2025_method": {"vi": "Cách xác định xã mới", "en": "How the new commune was found"},
    "villages": {"vi": "Số thôn/bản", "en": "Villages"},
    "share_of_villages": {"vi": "Tỷ lệ thôn/bản", "en": "Share of villages"},
    "village_id": {"vi": "Mã thôn/bản", "en": "Village ID"},
    "village": {"vi": "Thôn/bản", "en": "Village"},
    "location_precision": {"vi": "Vị trí", "en": "Location"},
    "commune_2025_candidates": {
        "vi": "Mã các xã mới có thể",
        "en": "Candidate new communes (codes)",
    },
    "candidate_names": {"vi": "Các xã mới có thể", "en": "Candidate new communes"},
}
"""The column headers of :func:`crosswalk_xlsx` (crosswalk and unresolved villages) by language."""


CROSSWALK_METHODS: dict[str, dict[str, str]] = {
    "mapping": {"vi": "sáp nhập nguyên xã", "en": "merged whole"},
    "overlap": {"vi": "mã cũ gắn theo ranh giới chung", "en": "retired code, by shared border"},
    "nearest": {"vi": "xã bị chia: vùng gần nhất", "en": "split commune: nearest polygon"},
    "unresolved": {"vi": "chưa xác định", "en": "unresolved"},
}
"""How each village's new commune was found (``commune_2025_method``), as the workbook says it."""


_CROSSWALK_SHEETS = {
    "vi": ("Bảng chuyển đổi", "Thôn chưa xác định", "Ghi chú"),
    "en": ("Crosswalk", "Unresolved villages", "Notes"),
}


_CROSSWALK_NOTES = {
    "vi": (
        "Ghi chú",
        [
            "Đơn vị hành chính trước 01/07/2025: danh mục của Tổng cục Thống kê ngày 01/03/2025. "
            "Đơn vị từ 01/07/2025: dvhcvn/20250701 (Nghị quyết 1654–1687/NQ-UBTVQH15), giấy "
            "phép MIT.",
            "Tỷ lệ thôn/bản: số thôn/bản của xã cũ nằm trong xã mới / tổng số thôn/bản của xã cũ "
            "trong danh sách thôn/bản (GeoNames, chưa đầy đủ).",
            "Cách xác định xã mới: sáp nhập nguyên xã; mã cũ gắn theo ranh giới chung (mã xã đã "
            "bỏ); xã bị chia: vùng gần nhất (thôn/bản có tọa độ); chưa xác định (xã bị chia, "
            'thôn/bản không có tọa độ riêng: xem trang "Thôn chưa xác định").',
        ],
    ),
    "en": (
        "Note",
        [
            "Units before 01/07/2025: GSO list of 01/03/2025. Units from 01/07/2025: "
            "dvhcvn/20250701 (Resolutions 1654–1687/NQ-UBTVQH15), MIT.",
            "Share of villages: villages of the old commune in the new one / all villages of the "
            "old commune in the register (GeoNames, partial).",
            "How the new commune was found: merged whole; retired code, by shared border; split "
            "commune: nearest polygon (villages with coordinates); unresolved (split commune, "
            'village without coordinates: see the "Unresolved villages" sheet).',
        ],
    ),
}


def crosswalk_xlsx(
    table: pd.DataFrame, unresolved: pd.DataFrame | None = None, *, lang: str = "vi"
) -> bytes:
    """The crosswalk (and the unresolved villages) as an .xlsx workbook in ``lang``.

    Sheets, headers (:data:`CROSSWALK_HEADERS`), the method of each row
    (:data:`CROSSWALK_METHODS`) and the notes are in Vietnamese ("Bảng chuyển đổi", "Mã xã cũ",
    "Xã cũ", …) or English (``lang="en"``: "Crosswalk", "Old commune code", …). Codes stay text;
    the share of villages is a number shown as a percentage.

    Raises
    ------
    InputError
        ``lang`` is neither "vi" nor "en".
    """
    import io

    from openpyxl.utils import get_column_letter

    if lang not in _CROSSWALK_SHEETS:
        raise InputError(
            f"lang must be 'vi' or 'en', not {lang!r}",
            f"lang phải là 'vi' hoặc 'en', không phải {lang!r}",
            field="lang",
        )
    main_sheet, unresolved_sheet, notes_sheet = _CROSSWALK_SHEETS[lang]

    def localised(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame(frame).copy()
        if "commune_2025_method" in out:
            out["commune_2025_method"] = out["commune_2025_method"].map(
                lambda m: CROSSWALK_METHODS.get(m, {}).get(lang, m)
            )
        return out.rename(columns={c: h[lang] for c, h in CROSSWALK_HEADERS.items()})

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        localised(table).to_excel(xl, sheet_name=main_sheet, index=False)
        ws = xl.sheets[main_sheet]
        if "share_of_villages" in table:
            col = get_column_letter(list(table.columns).index("share_of_villages") + 1)
            for cell in ws[col][1:]:
                cell.number_format = "0.0%"
        if unresolved is not None:
            localised(unresolved).to_excel(xl, sheet_name=unresolved_sheet, index=False)
        header, notes = _CROSSWALK_NOTES[lang]
        pd.DataFrame({header: notes}).to_excel(xl, sheet_name=notes_sheet, index=False)
        for sheet in xl.sheets.values():  # names stay text, never formulas
            cells.openpyxl_text_cells(sheet)
    return buf.getvalue()
