"""``python -m geo measurements …``: import drive-test and crowd measurements, list, remove, sum up.

Examples
--------
python -m geo measurements import g_nettrack.csv --province "Điện Biên" --report report.csv
python -m geo measurements import do_kiem.xlsx --province 11 --commit --user "Lò Văn Minh"
python -m geo measurements import speedtest.csv --province 11 --operator Viettel --commit
python -m geo measurements list --province 11
python -m geo measurements remove 3 --user "Lò Văn Minh"
python -m geo measurements villages --province 11 --within 500 --min-count 5 --output do_kiem.csv

Exit codes of ``import``: 0 every row is usable (and committed with ``--commit``); 3 some rows
need review (listed with ``--report``; nothing is committed unless ``--skip-bad-rows``, which
commits the usable rows); 2 the file cannot be used (unreadable, a needed column missing, no
usable row; the message names the file, sheet, row and field). Rows of Wi-Fi tests are left out
and counted. Store: ``--store``, else ``$COVERAGE_MEASUREMENTS_DB``, else ``measurements.sqlite``
in the user data folder. Once committed, the measurements count in every model of the province
(``python -m geo export --layer villages`` gives each status's ``evidence``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from geo import cells
from geo.errors import InputError

__all__ = ["register"]

EXIT_OK = 0
EXIT_REVIEW = 3


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``measurements`` (``import``, ``list``, ``remove``, ``villages``)."""
    p = subparsers.add_parser(
        "measurements",
        help="drive-test and crowd measurements (kết quả đo kiểm): import, list, remove",
    )
    sub = p.add_subparsers(dest="measurements_command", required=True)
    im = sub.add_parser("import", help="read a measurement file (.csv, .xlsx) and check every row")
    im.add_argument("file", help=".csv or .xlsx as the app (G-NetTrack, Speedtest, nPerf) exports")
    im.add_argument("--province", required=True, help="name in any spelling, or GSO code")
    im.add_argument("--sheet", default=None, help="the sheet of a workbook")
    im.add_argument("--operator", default=None, help="the operator, when the file does not say")
    im.add_argument("--technology", default=None, help="2G/3G/4G/5G, when the file does not say")
    im.add_argument("--report", default=None, help="CSV of the rows to review and left out")
    im.add_argument("--commit", action="store_true", help="save the rows in the store")
    im.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="commit the usable rows even when some need review (exit 3 all the same)",
    )
    im.add_argument("--store", default=None, help="the measurement store (SQLite file)")
    im.add_argument("--user", default="", help="who commits (kept with the import)")
    ls = sub.add_parser("list", help="the committed measurement imports, newest first")
    ls.add_argument("--province", default=None, help="only this province (name or GSO code)")
    ls.add_argument("--removed", action="store_true", help="also the removed imports")
    ls.add_argument("--store", default=None)
    rm = sub.add_parser("remove", help="take one import back")
    rm.add_argument("import_id", type=int)
    rm.add_argument("--user", required=True, help="who removes it (kept with the import)")
    rm.add_argument("--store", default=None)
    vi = sub.add_parser("villages", help="the measurements per village, operator, technology")
    vi.add_argument("--province", required=True)
    vi.add_argument("--within", type=float, default=500.0, help="metres around a village")
    vi.add_argument("--min-count", type=int, default=5, help="points to decide a status")
    vi.add_argument("--store", default=None)
    vi.add_argument("--output", default=None, help="CSV file (default: stdout)")
    return p


def _store_path(args) -> Path:
    from geo.store import measurements as store

    return Path(args.store) if args.store else store.default_path()


def run_import(args) -> int:
    """``measurements import``: read, check, report and (with ``--commit``) store."""
    from geo import measurements, units

    code, _ = units.resolve_province(args.province)
    read = measurements.read_file(
        args.file, sheet=args.sheet, operator=args.operator, technology=args.technology
    )
    read = measurements.check_province(read, code)
    if not len(read.rows):
        first = read.problems.iloc[0] if len(read.problems) else None
        raise InputError(
            f"{read.file} has no usable measurement ({len(read.problems)} problems, "
            f"{len(read.skipped)} Wi-Fi rows)" + (f"; first: {first['message_en']}"
                                                  if first is not None else ""),
            f"{read.file} không có kết quả đo dùng được ({len(read.problems)} lỗi, "
            f"{len(read.skipped)} dòng Wi-Fi)" + (f"; đầu tiên: {first['message_vi']}"
                                                 if first is not None else ""),
            file=read.file,
            sheet=read.sheet,
            row=None if first is None else int(first["row"]),
            field=None if first is None else str(first["field"]),
        )  # fmt: skip
    if args.report:
        report = pd.concat([read.problems.assign(status="review"),
                            read.skipped.assign(status="skipped")], ignore_index=True)  # fmt: skip
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        cells.to_csv(report, args.report, encoding="utf-8-sig")
    lang = getattr(args, "lang", "en")
    rows_to_review = read.problems["row"].nunique()
    print(
        f"{read.file}: {len(read.rows)} measurements usable, {rows_to_review} rows to review, "
        f"{len(read.skipped)} Wi-Fi rows left out; columns "
        + ", ".join(f"{f} ← {c}" for f, c in read.mapping.items()),
        file=sys.stderr,
    )
    for en, vi in read.notes:
        print(vi if lang == "vi" else en, file=sys.stderr)
    for p in read.problems.head(20).itertuples(index=False):
        where = f"{p.file}, row {p.row}, field {p.field}"
        print(f"  {where}: {p.message_vi if lang == 'vi' else p.message_en}", file=sys.stderr)
    if read.needs_review and not args.report:
        print("Write every row to review with --report REPORT.csv.", file=sys.stderr)
    if args.commit and (not read.needs_review or args.skip_bad_rows):
        import_id, already = measurements.commit(
            read, _store_path(args), province_code=code, who=args.user
        )
        print(
            f"committed to {_store_path(args)} (import {import_id}"
            + (", already there" if already else "")
            + ")",
            file=sys.stderr,
        )
    elif args.commit:
        print("Nothing committed: fix the rows, or pass --skip-bad-rows.", file=sys.stderr)
    return EXIT_REVIEW if read.needs_review else EXIT_OK


def run_list(args) -> int:
    """``measurements list``: the imports as CSV on stdout."""
    from geo import units
    from geo.store import measurements as store

    codes = [units.resolve_province(args.province)[0]] if args.province else None
    conn = store.connect(_store_path(args))
    try:
        done = store.imports(conn, codes, removed=args.removed)
    finally:
        conn.close()
    columns = ["import_id", "province_code", "file", "sheet", "n_rows", "committed_by",
               "committed_at"] + (["removed_by", "removed_at"] if args.removed else [])  # fmt: skip
    sys.stdout.write(cells.to_csv(done[columns]))
    return EXIT_OK


def run_remove(args) -> int:
    """``measurements remove``: take one import back."""
    from geo import measurements

    record = measurements.remove(_store_path(args), args.import_id, who=args.user)
    print(f"removed measurement import {args.import_id} ({record['file']})", file=sys.stderr)
    return EXIT_OK


def run_villages(args) -> int:
    """``measurements villages``: the per-village table of the province's measurements."""
    from geo import measurements, workspace

    scope = workspace.resolve_scope(args.province)
    rules = measurements.Rules.make(within_m=args.within, min_count=args.min_count)
    stores = workspace.Stores.default(measurements_path=args.store)
    model = workspace.build(scope, workspace.Settings(measured=rules), stores=stores)
    table = model.measured
    names = model.status.drop_duplicates("village_id").set_index("village_id")
    out = table.copy()
    for col in ("village", "commune", "district"):
        out.insert(1, col, out["village_id"].map(names[col]).to_numpy())
    out = out[["village_id", "village", "commune", "district", *table.columns[1:]]]
    text = cells.to_csv(out)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8-sig")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run(args) -> int:
    """Run ``python -m geo measurements …``; return the exit code."""
    return {
        "import": run_import,
        "list": run_list,
        "remove": run_remove,
        "villages": run_villages,
    }[args.measurements_command](args)


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"measurements": run}
