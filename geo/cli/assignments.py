"""``python -m geo assignments …``: the assignment register from the command line.

Thin: it calls :mod:`geo.assignments` and :mod:`layers.assignments_xlsx` as the app does. The
register's file is ``--db`` (default: ``$COVERAGE_ASSIGNMENTS_DB``, else
``~/.local/share/vn-coverage/assignments.sqlite``); changes are recorded under ``--user``
(default: ``$COVERAGE_USER``, else the login name).

``import`` reads a plan's list through the same reader and matcher as ``python -m geo import
unserved`` (:func:`geo.imports.stage`) and exits as it does: 0 every row resolved (and written
to the register), 3 some rows need review (listed in ``--report``; nothing written), 2 the file
cannot be read (the message names the file, row and field).

Examples
--------
python -m geo assignments import data/plans/dienbien_4638_phu_luc_2.csv --province 11 \
    --decision 4638/KH-UBND --decision-date 15/12/2020 --db reg.sqlite --user "Lan"
python -m geo assignments import phu_luc_2.xlsx --province "Điện Biên" --decision 4638/KH-UBND \
    --decision-date 15/12/2020 --db reg.sqlite --report review.csv
python -m geo assignments export --db reg.sqlite --province "Điện Biên" --output phu_luc_2.xlsx
python -m geo assignments export --db reg.sqlite --province 11 --output assignments.geojson
python -m geo assignments history V00D5EDE2B7 --db reg.sqlite
python -m geo assignments backup --db reg.sqlite --output reg-backup.sqlite
python -m geo assignments restore reg-backup.sqlite --db reg.sqlite
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

from geo import cells
from geo.errors import InputError

log = logging.getLogger("geo.assignments")

USER_ENV = "COVERAGE_USER"


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``assignments`` command and its subcommands to ``python -m geo``'s parser."""
    p = subparsers.add_parser(
        "assignments",
        help="the assignment register: import a plan's list, export Phụ lục 2 or GeoJSON",
        description=__doc__.split("\n")[0],
    )
    sub = p.add_subparsers(dest="assignments_command", required=True)

    def db(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--db",
            default=None,
            help="the register's SQLite file (default $COVERAGE_ASSIGNMENTS_DB or "
            "~/.local/share/vn-coverage/assignments.sqlite)",
        )

    i = sub.add_parser(
        "import",
        help="import a list of villages and operators (a plan's Phụ lục 2) as assignments",
    )
    i.add_argument(
        "file",
        help="the plan's list of unserved villages (Phụ lục 2) as .xlsx or .csv, as planners have "
        "it: title block, total row, merged cells and any spelling of the units are read as "
        "`python -m geo import unserved` reads them",
    )
    db(i)
    i.add_argument("--province", required=True, help="name in any spelling, or GSO code")
    i.add_argument("--report", default=None, help="CSV of every row's match status")
    i.add_argument("--decision", default=None, help='e.g. "4638/KH-UBND"')
    i.add_argument("--decision-date", default=None, help="dd/mm/yyyy or yyyy-mm-dd")
    i.add_argument(
        "--target-year",
        type=int,
        default=None,
        help="default: the last target year of the plan the decision names (2025 for 4638)",
    )
    i.add_argument(
        "--source",
        default=None,
        help='e.g. "4638/KH-UBND Phụ lục 2" (default: "DECISION Phụ lục 2", else the file name)',
    )
    i.add_argument("--sheet", default=None, help=".xlsx sheet (default: the first that fits)")
    i.add_argument(
        "--header-row",
        type=int,
        default=None,
        metavar="N",
        help="the row number (1-based, as in Excel) of the column names, when the one found "
        "is wrong",
    )
    i.add_argument("--user", default=None, help="your name, recorded with every change")

    e = sub.add_parser("export", help="write a province's assignments (.xlsx Phụ lục 2 or GIS)")
    db(e)
    e.add_argument("--province", required=True, help="name in any spelling, or GSO code")
    e.add_argument(
        "--output",
        required=True,
        help=".xlsx (Phụ lục 2 first, then status, proposals, history, totals) or "
        ".geojson/.gpkg/.kml/.kmz/.shp (points with the current status)",
    )
    e.add_argument(
        "--owed-only",
        action="store_true",
        help="list on the Phụ lục 2 sheet only villages not yet on air (default: all but "
        "cancelled)",
    )

    h = sub.add_parser("history", help="a village's changes as CSV on stdout")
    h.add_argument("village_id")
    db(h)

    b = sub.add_parser("backup", help="copy the register (SQLite backup API)")
    db(b)
    b.add_argument("--output", required=True)

    r = sub.add_parser("restore", help="replace the register by a backup (a safety copy is kept)")
    r.add_argument("backup")
    db(r)
    r.add_argument("--user", default=None, help="your name, recorded with the restore")
    return p


def _user(args) -> str:
    return args.user or os.environ.get(USER_ENV) or getpass.getuser()


def _import(args) -> int:
    """Stage the list as ``python -m geo import unserved`` does; write it only when every row
    is resolved (0), else write the review report and nothing else (3)."""
    import pandas as pd

    from geo import assignments, imports
    from geo.assignments.plan_table import import_staged, review_error
    from geo.cli import imports as imports_cli

    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"File {path} does not exist.", f"Không có tệp {path}.", file=str(path))
    source = args.source or (f"{args.decision} Phụ lục 2" if args.decision else path.name)
    staged = imports.stage(
        path,
        kind="unserved",
        province=args.province,
        sheet=args.sheet,
        header_row=args.header_row,
        document=source,
    )
    items = imports_cli.file_items(staged)
    if args.report:
        full = (
            pd.concat([items, staged.report], ignore_index=True)
            if len(items)
            else staged.report.copy()
        )
        full["row"] = full["row"].astype("Int64")
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        cells.to_csv(full, args.report, encoding="utf-8-sig")
    s = staged.summary()
    print(
        f"{staged.file}: {s['ok'] + s['confirmed']} resolved, {s['review']} to review, "
        f"{s['error']} unreadable, {s['skipped']} skipped",
        file=sys.stderr,
    )
    if staged.needs_review:
        err = review_error(staged)
        print(err.message(args.lang), file=sys.stderr)
        if not args.report:
            print(
                "Ghi các dòng cần xem lại bằng --report REPORT.csv."
                if args.lang == "vi"
                else "Write the rows to review with --report REPORT.csv.",
                file=sys.stderr,
            )
        return imports_cli.EXIT_REVIEW
    session = assignments.open_session(args.db, _user(args), client="cli")
    try:
        report = import_staged(
            session,
            staged,
            source=source,
            decision=args.decision,
            decision_date=args.decision_date,
            target_year=args.target_year,
        )
    finally:
        session.conn.close()
    print(report.summary(args.lang))
    if len(report.conflicts):
        sys.stdout.write(cells.to_csv(report.conflicts))
    log.info("imported %s into %s", path, args.db or assignments.default_path())
    return imports_cli.EXIT_OK


def _export(args) -> int:
    from geo import assignments, units
    from layers import export

    code, name = units.resolve_province(args.province)
    out = Path(args.output)
    ext = out.suffix.lower()
    if ext not in (".xlsx", *export.FORMATS):
        raise InputError(
            f"Cannot write {out.name}: use .xlsx or one of {', '.join(sorted(export.FORMATS))}",
            f"Không ghi được {out.name}: hãy dùng .xlsx hoặc một trong "
            f"{', '.join(sorted(export.FORMATS))}",
            file=out.name,
        )
    conn = assignments.connect(args.db)
    try:
        frame = assignments.current(conn, province_code=code)
        hist = assignments.history(conn, province_code=code) if ext == ".xlsx" else None
    finally:
        conn.close()
    if frame.empty:
        log.warning("the register has no assignment in %s (%s)", name, code)
    if ext == ".xlsx":
        from layers import assignments_xlsx

        statuses = assignments.OWED_STATUSES if args.owed_only else None
        assignments_xlsx.write_phu_luc_2(out, frame, history=hist, statuses=statuses)
    else:
        gdf = assignments.to_geodataframe(frame)
        export.write_layer(gdf, out, layer="assignments")
    log.info("wrote %d assignments to %s", len(frame), out)
    return 0


def _history(args) -> int:
    from geo import assignments

    conn = assignments.connect(args.db)
    try:
        h = assignments.history(conn, args.village_id)
    finally:
        conn.close()
    if h.empty:
        raise assignments.AssignmentNotFoundError(
            f"village {args.village_id} has no history in the register",
            f"thôn/bản {args.village_id} không có lịch sử trong sổ phân công",
            field="village_id",
        )
    sys.stdout.write(cells.to_csv(assignments.reading.history_local(h)))
    return 0


def _backup(args) -> int:
    from geo import assignments

    src = args.db or assignments.default_path()
    out = assignments.backup(src, args.output)
    log.info("backed up %s to %s", src, out)
    return 0


def _restore(args) -> int:
    from geo import assignments

    db = args.db or assignments.default_path()
    safety = assignments.restore(args.backup, db, user=_user(args))
    if safety is not None:
        print(f"{db} restored from {args.backup}; the register as it was is in {safety}")
    else:
        print(f"{db} restored from {args.backup}")
    return 0


def run(args) -> int:
    """Run ``python -m geo assignments <subcommand>``; 0 when done.

    Errors are :class:`geo.errors.CoverageError` and left to the caller (exit code 2).
    """
    commands = {
        "import": _import,
        "export": _export,
        "history": _history,
        "backup": _backup,
        "restore": _restore,
    }
    if not hasattr(args, "lang"):
        args.lang = "en"
    return commands[args.assignments_command](args)


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"assignments": run}
