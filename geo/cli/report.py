"""``python -m geo report``: the yearly report of a plan's results (.docx, or .xlsx tables).

Examples
--------
python -m geo report --province "Điện Biên" --year 2025 --output bao_cao_2025.docx
python -m geo report --province 11 --year 2025 --format xlsx --output bao_cao_2025.xlsx
python -m geo report --province 11 --units 2025 --year 2025 --output bao_cao.docx --no-map

The figures come from the same stores as the app (imports ``--store``, the register ``--db``,
the planner's actuals ``--actuals-db``, snapshots ``--snapshot-db``); ``--demo`` reads none.
Exit codes: 0 written, 2 bad input (unknown province, plan, year or format).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from geo import report, workspace
from geo.cli import model as model_cli
from geo.errors import InputError

__all__ = ["register", "run"]

log = logging.getLogger("geo")

FORMATS = ("docx", "xlsx")


def add_parser(subparsers) -> None:
    """Add ``report`` to the command line."""
    p = subparsers.add_parser("report", help="the yearly report of the plan's results (.docx)")
    p.add_argument("--province", required=True, help="name in any spelling, or GSO code")
    p.add_argument("--district", default=None, help="only this district (name or code)")
    p.add_argument("--commune", default=None, help="--units 2025 only: one new commune")
    p.add_argument("--units", choices=["pre2025", "2025"], default="pre2025")
    p.add_argument("--year", type=int, required=True, help="the year reported on")
    p.add_argument("--output", required=True, help="F.docx or F.xlsx")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        dest="report_format",
        help="default: from the output's extension",
    )
    p.add_argument("--plan", default=None, dest="plan_id", help="e.g. dienbien_4638")
    p.add_argument("--agency", default=None, help="the reporting agency as printed (tên cơ quan)")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", dest="report_lang")
    p.add_argument("--no-map", action="store_true", help="leave the map figure out")
    p.add_argument("--store", default=None, help="the import store")
    p.add_argument("--db", default=None, help="the assignment register")
    p.add_argument("--actuals-db", default=None, help="the planner's actuals store")
    p.add_argument("--snapshot-db", default=None, help="the snapshot store")
    p.add_argument("--demo", action="store_true", help="ignore the stores: SYNTHETIC demo only")


def _format(args) -> str:
    if args.report_format:
        return args.report_format
    ext = Path(args.output).suffix.lower().lstrip(".")
    if ext in FORMATS:
        return ext
    raise InputError(
        f"Cannot tell the format of {args.output!r}: name it .docx or .xlsx, or give --format",
        f"Không rõ định dạng của {args.output!r}: đặt tên .docx hoặc .xlsx, hoặc ghi --format",
        field="--output",
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise InputError(
            f"--year {year} is not a plan year: give a year such as 2025",
            f"--year {year} không phải năm của kế hoạch: ghi năm, ví dụ 2025",
            field="--year",
        )


def run(args) -> int:
    """``report``: gather, write the .docx or .xlsx; returns the exit code."""
    from layers import report as report_layer

    fmt = _format(args)
    _check_year(args.year)
    scope = workspace.resolve_scope(
        args.province, units_system=args.units, district=args.district, commune_2025=args.commune
    )
    stores = workspace.Stores() if args.demo else workspace.Stores.default(args.store, args.db)
    data = report.gather(
        scope,
        args.year,
        stores=stores,
        plan_id=args.plan_id,
        actuals_db=args.actuals_db,
        snapshots_db=args.snapshot_db,
    )
    model_cli._say_sources(data.model, stores)
    if fmt == "xlsx":
        content = report_layer.report_xlsx(data, lang=args.report_lang)
    else:
        png, why = (
            (None, "--no-map") if args.no_map else report_layer.map_figure(data, args.report_lang)
        )
        content = report_layer.report_docx(
            data, map_png=png, map_error=why, lang=args.report_lang, agency=args.agency
        )
    Path(args.output).write_bytes(content)
    print(f"wrote {args.output} ({len(content):,} bytes)", file=sys.stderr)
    return 0


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"report": run}
