"""The column mapping a file is read with: the fields given as options instead of columns, and
the required columns, whose absence stops the import with the best guess attached.
"""

from __future__ import annotations

from geo.errors import Problem
from geo.readers import columns as cols
from geo.readers.columns import ColumnMappingError, ColumnProposal


def _provided(opts: dict) -> tuple[str, ...]:
    return tuple(f for f in ("operator", "technology") if opts.get(f))


def _require_columns(proposal: ColumnProposal, file: str, sheet: str | None) -> None:
    missing = proposal.missing
    if not missing:
        return
    labels_vi = {
        "location": "tọa độ (Kinh độ và Vĩ độ, hoặc X và Y)",
        **{f: spec[0] for f, spec in cols.FIELDS.items()},
    }
    labels_en = {
        "location": "coordinates (longitude and latitude, or X and Y)",
        **{f: spec[1] for f, spec in cols.FIELDS.items()},
    }
    problems = [
        Problem(
            "không tìm thấy cột " + " hoặc ".join(labels_vi[a] for a in m.split("|")),
            "no column for " + " or ".join(labels_en[a] for a in m.split("|")),
            file,
            sheet,
            None,
            m,
        )
        for m in missing
    ]
    shown = ", ".join(proposal.labels) or "none"
    raise ColumnMappingError(
        f"The columns of {file} could not all be recognised (its columns: {shown}). Map them "
        "in the app, or rename the headers (e.g. 'Tên thôn', 'Xã', 'Nhà mạng', 'Kinh độ').",
        f"Không nhận ra đủ các cột của {file} (các cột: {shown}). Hãy gán cột trong ứng dụng "
        "hoặc đổi tên tiêu đề (ví dụ 'Tên thôn', 'Xã', 'Nhà mạng', 'Kinh độ').",
        file=file,
        sheet=sheet,
        problems=problems,
        proposal=proposal,
    )
