"""The assignment register as a workbook in the layout of Phụ lục 2 of plan 4638/KH-UBND.

Sheet 1 ("Phụ lục 2") is only the plan's table, ready to paste into the next plan: the header
row of :data:`PHU_LUC_2_HEADERS` (Stt, Thôn/Bản, Xã, Huyện, Doanh nghiệp viễn thông chịu trách
nhiệm cung cấp dịch vụ thông tin di động, as the plan prints them) and one row per village with
one operator cell (``Viettel``, ``VNPT``, ``MobiFone``, ``Vietnamobile`` or ``Gmobile``), no
title, no totals. The later sheets hold what the plan's table has no room for: the status of
each assignment ("Trạng thái"), the tool's proposals ("Đề xuất"), the history of changes
("Lịch sử"), and totals per operator and per district ("Tổng hợp", "Theo huyện").

Such a table is read back (from this tool's workbook or a planner's copy with a title block,
totals and other spellings) by the one reader of plan tables, :func:`geo.imports.stage` of kind
``unserved``, as ``python -m geo assignments import`` does.

Words (statuses, actions, field names) come from the catalog (:mod:`geo.i18n`); times are
Vietnam's (dd/mm/yyyy HH:MM); a missing value is an empty cell, never "nan" or "None".
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from geo import assignments as asg
from geo import cells
from geo.i18n import enum_label, fmt_datetime, t
from geo.operators import OPERATORS
from geo.vocab import Status

__all__ = [
    "PHU_LUC_2_HEADERS",
    "PHU_LUC_2_SHEET",
    "SHEETS",
    "phu_luc_2_xlsx",
    "write_phu_luc_2",
]

PHU_LUC_2_SHEET = "Phụ lục 2"
"""The name of the first sheet."""

PHU_LUC_2_HEADERS: tuple[str, ...] = (
    "Stt",
    "Thôn/Bản",
    "Xã",
    "Huyện",
    "Doanh nghiệp viễn thông chịu trách nhiệm cung cấp dịch vụ thông tin di động",
)
"""The header row of Phụ lục 2, as plan 4638/KH-UBND prints it."""

SHEETS: tuple[str, ...] = (
    PHU_LUC_2_SHEET,
    "Trạng thái",
    "Đề xuất",
    "Lịch sử",
    "Tổng hợp",
    "Theo huyện",
)
"""The sheets of :func:`phu_luc_2_xlsx`, in order."""

_STATUS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("village_id", "Mã thôn/bản"),
    ("village", "Thôn/Bản"),
    ("commune", "Xã"),
    ("commune_code", "Mã xã"),
    ("commune_2025_code", "Mã xã (từ 01/07/2025)"),
    ("district", "Huyện"),
    ("district_code", "Mã huyện"),
    ("province", "Tỉnh"),
    ("operator", "Doanh nghiệp viễn thông"),
    ("status_vi", "Trạng thái"),
    ("status_date", "Ngày trạng thái"),
    ("target_year", "Năm mục tiêu"),
    ("target_year_source", "Căn cứ năm mục tiêu"),
    ("overdue_vi", "Quá hạn"),
    ("decision", "Văn bản"),
    ("decision_date", "Ngày văn bản"),
    ("note", "Ghi chú"),
    ("assigned_on", "Ngày phân công"),
    ("construction_on", "Ngày khởi công"),
    ("on_air_on", "Ngày phát sóng"),
    ("verified_on", "Ngày nghiệm thu"),
    ("cancelled_on", "Ngày hủy"),
    ("location_precision_vi", "Vị trí"),
    ("source", "Nguồn"),
    ("source_row", "Stt trong nguồn"),
    ("version", "Phiên bản"),
    ("updated_by", "Người sửa cuối"),
    ("updated_at_vi", "Thời điểm sửa cuối"),
)
_DATE_COLUMNS = {
    "status_date",
    "decision_date",
    "assigned_on",
    "construction_on",
    "on_air_on",
    "verified_on",
    "cancelled_on",
}
_MISSING_WORDS = frozenset({"nan", "NaN", "None", "NaT", "<NA>"})


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value in _MISSING_WORDS


def _text(value) -> str:
    """A cell's text: "" for a missing value (None, NaN, NA, NaT, or their printed words)."""
    return "" if _missing(value) else str(value)


def _status_vi(status) -> str:
    return "" if _missing(status) else enum_label(Status(str(status)), "vi")


def _action_vi(action) -> str:
    try:
        return t(f"action_{action}", "vi")
    except KeyError:
        return _text(action)


def _field_vi(field) -> str:
    try:
        return t(f"field.{field}", "vi")
    except KeyError:
        return _text(field)


def _ordered(assignments: pd.DataFrame) -> pd.DataFrame:
    """The plan's rows first in their Stt order (per source), then district, commune, village."""
    a = assignments.copy()
    a["_no_source"] = a["source"].fillna("").eq("")
    a["_row"] = pd.to_numeric(a["source_row"]).fillna(10**9)
    return a.sort_values(
        ["_no_source", "source", "_row", "district_code", "commune_code", "village"],
        na_position="last",
        kind="stable",
    ).drop(columns=["_no_source", "_row"])


def _date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    text = str(value)
    return dt.date.fromisoformat(text[:10]) if text else None


def phu_luc_2_xlsx(
    assignments: pd.DataFrame,
    *,
    history: pd.DataFrame | None = None,
    statuses: tuple[str, ...] | list[str] | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The register as an .xlsx workbook whose first sheet is the plan's Phụ lục 2 table.

    Parameters
    ----------
    assignments
        :func:`geo.assignments.current` (one province, usually).
    history
        :func:`geo.assignments.history` of those villages, for the "Lịch sử" sheet (left empty
        when None).
    statuses
        The statuses of the villages listed on the first sheet; every status but ``cancelled``
        when None (``("assigned", "under_construction")`` lists what is still owed). The later
        sheets list every assignment.
    today
        For "Quá hạn" (overdue); today when None.

    Returns
    -------
    bytes
        The workbook; sheets :data:`SHEETS`.
    """
    import xlsxwriter

    today = today or dt.date.today()
    keep = [s for s in asg.STATUSES if s != "cancelled"] if statuses is None else list(statuses)
    a = _ordered(assignments)
    table = a[a["status"].isin(keep)]

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **cells.XLSXWRITER_OPTIONS})
    head = wb.add_format(
        {
            "bold": True,
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "align": "center",
        }
    )
    cell = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    centre = wb.add_format({"border": 1, "valign": "top", "align": "center"})
    date_f = wb.add_format({"border": 1, "valign": "top", "num_format": "dd/mm/yyyy"})
    bold = wb.add_format({"bold": True, "border": 1})

    # Sheet 1: only the plan's table.
    ws = wb.add_worksheet(PHU_LUC_2_SHEET)
    ws.write_row(0, 0, PHU_LUC_2_HEADERS, head)
    ws.set_row(0, 45)
    for i, rec in enumerate(table.to_dict("records"), start=1):
        ws.write_number(i, 0, i, centre)
        ws.write_string(i, 1, _text(rec["village"]), cell)
        ws.write_string(i, 2, _text(rec["commune"]), cell)
        ws.write_string(i, 3, _text(rec["district"]), cell)
        ws.write_string(i, 4, _text(rec["operator"]), centre)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 3, 24)
    ws.set_column(4, 4, 36)
    ws.freeze_panes(1, 0)

    # Sheet 2: status of every assignment.
    late = asg.is_overdue(a, today) if len(a) else []
    status_rows = a.assign(
        status_vi=a["status"].map(_status_vi),
        updated_at_vi=[
            "" if _missing(x) else fmt_datetime(x, "vi")
            for x in (a["updated_at"] if "updated_at" in a else [None] * len(a))
        ],
        overdue_vi=["Quá hạn" if x else "" for x in late],
        location_precision_vi=a["location_precision"].map(
            {"point": "Tọa độ thôn/bản", "commune": "Tại xã (chưa có tọa độ thôn/bản)"}
        ),
    )
    ws = wb.add_worksheet(SHEETS[1])
    ws.write_string(0, 0, "Stt", head)
    ws.write_row(0, 1, [label for _, label in _STATUS_COLUMNS], head)
    for i, rec in enumerate(status_rows.to_dict("records"), start=1):
        ws.write_number(i, 0, i, centre)
        for j, (col, _) in enumerate(_STATUS_COLUMNS, start=1):
            value = rec.get(col)
            if col in _DATE_COLUMNS:
                d = _date(value)
                if d is None:
                    ws.write_blank(i, j, None, cell)
                else:
                    ws.write_datetime(i, j, dt.datetime(d.year, d.month, d.day), date_f)
            elif _missing(value):
                ws.write_blank(i, j, None, cell)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(i, j, value, centre)
            else:
                ws.write_string(i, j, str(value), cell)
    ws.set_column(0, 0, 6)
    ws.set_column(1, len(_STATUS_COLUMNS), 18)
    ws.freeze_panes(1, 3)

    # Sheet 3: proposals.
    ws = wb.add_worksheet(SHEETS[2])
    ws.write_row(
        0,
        0,
        [
            "Stt",
            "Mã thôn/bản",
            "Thôn/Bản",
            "Xã",
            "Huyện",
            "Doanh nghiệp được phân công",
            "Doanh nghiệp đề xuất",
            "Lý do đề xuất",
            "Theo đề xuất",
        ],
        head,
    )
    for i, rec in enumerate(a.to_dict("records"), start=1):
        proposed = _text(rec.get("proposed_operator"))
        follows = "" if not proposed else ("Có" if proposed == rec["operator"] else "Không")
        values = [
            _text(rec["village_id"]),
            _text(rec["village"]),
            _text(rec["commune"]),
            _text(rec["district"]),
            _text(rec["operator"]),
            proposed,
            _text(rec.get("proposal_reason")),
            follows,
        ]
        ws.write_number(i, 0, i, centre)
        for j, v in enumerate(values, start=1):
            ws.write_string(i, j, str(v), cell)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 6, 20)
    ws.set_column(7, 7, 60)

    # Sheet 4: history.
    ws = wb.add_worksheet(SHEETS[3])
    ws.write_row(
        0,
        0,
        [
            "Mã thay đổi",
            "Thời điểm",
            "Người thực hiện",
            "Mã thôn/bản",
            "Thôn/Bản",
            "Thao tác",
            "Trường",
            "Giá trị cũ",
            "Giá trị mới",
            "Phiên bản",
            "Đã hoàn tác",
        ],
        head,
    )
    if history is not None and len(history):
        names = a.set_index("village_id")["village"]
        for i, rec in enumerate(history.to_dict("records"), start=1):
            values = [
                "" if _missing(rec["at"]) else fmt_datetime(rec["at"], "vi"),
                _text(rec["user"]),
                _text(rec["village_id"]),
                _text(names.get(rec["village_id"], "")),
                _action_vi(rec["action"]),
                _field_vi(rec["field"]),
                _history_value(rec["field"], rec["old_value"]),
                _history_value(rec["field"], rec["new_value"]),
            ]
            ws.write_number(i, 0, int(rec["change_id"]), centre)
            for j, v in enumerate(values, start=1):
                ws.write_string(i, j, str(v), cell)
            ws.write_number(i, 9, int(rec["version"]), centre)
            ws.write_string(i, 10, "Có" if rec["undone"] else "", centre)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 8, 20)

    # Sheet 5: totals per operator and status.
    ws = wb.add_worksheet(SHEETS[4])
    labels = [_status_vi(s) for s in asg.STATUSES]
    ws.write_row(0, 0, ["Doanh nghiệp", *labels, "Còn nợ (chưa phát sóng)", "Tổng"], head)
    counts = (
        pd.crosstab(a["operator"], a["status"])
        .reindex(index=list(OPERATORS), columns=list(asg.STATUSES), fill_value=0)
        .fillna(0)
        .astype(int)
        if len(a)
        else pd.DataFrame(0, index=list(OPERATORS), columns=list(asg.STATUSES))
    )
    counts = counts[counts.sum(axis=1) > 0] if len(a) else counts.iloc[:0]
    owed = counts[list(asg.OWED_STATUSES)].sum(axis=1)
    r = 1
    for op, row in counts.iterrows():
        ws.write_string(r, 0, op, cell)
        ws.write_row(r, 1, [int(x) for x in row.tolist()], centre)
        ws.write_number(r, len(labels) + 1, int(owed[op]), centre)
        ws.write_number(r, len(labels) + 2, int(row.sum()), centre)
        r += 1
    ws.write_string(r, 0, "Tổng cộng", bold)
    ws.write_row(r, 1, [int(x) for x in counts.sum(axis=0).tolist()], bold)
    ws.write_number(r, len(labels) + 1, int(owed.sum()), bold)
    ws.write_number(r, len(labels) + 2, int(counts.to_numpy().sum()), bold)
    ws.set_column(0, 0, 18)
    ws.set_column(1, len(labels) + 2, 16)

    # Sheet 6: per district.
    ws = wb.add_worksheet(SHEETS[5])
    by = asg.by_district(a, today=today)
    ws.write_row(
        0,
        0,
        [
            "Mã huyện",
            "Huyện",
            *labels,
            "Còn nợ",
            "Quá hạn",
            "Tổng",
            *(f"Còn nợ: {op}" for op in OPERATORS),
        ],
        head,
    )
    cols = [
        *asg.STATUSES,
        "owed",
        "overdue",
        "total",
        *(f"owed_{op}" for op in OPERATORS),
    ]
    for i, rec in enumerate(by.to_dict("records"), start=1):
        ws.write_string(i, 0, _text(rec["district_code"]), cell)
        ws.write_string(i, 1, _text(rec["district"]), cell)
        ws.write_row(i, 2, [int(rec[c]) for c in cols], centre)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 24)
    ws.set_column(2, len(cols) + 1, 14)
    wb.close()
    return buf.getvalue()


def _history_value(field: str, value) -> str:
    if _missing(value):
        return ""
    if field == "status":
        try:
            return _status_vi(value)
        except ValueError:
            return str(value)
    if field in _DATE_COLUMNS and isinstance(value, str) and len(value) == 10:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


def write_phu_luc_2(path: str | Path, assignments: pd.DataFrame, **kwargs) -> Path:
    """Write :func:`phu_luc_2_xlsx` to ``path`` (written whole, then renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(phu_luc_2_xlsx(assignments, **kwargs))
    tmp.replace(path)
    return path
