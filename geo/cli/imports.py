"""``python -m geo import KIND FILE``: import a planner's file, write the matched layer and a report.

Exit codes: 0 every row is resolved; 3 some rows (or the column mapping, or a proposed CRS)
need review, listed in the report; 2 the file cannot be read (the message names the file, row
and field). Only the layer and the report are written; messages go to stderr.

Examples
--------
python -m geo import unserved phu_luc_2.xlsx --province "Điện Biên" --output unserved.geojson \
    --report report.csv
python -m geo import sites tram_bts.csv --province 11 --output sites.gpkg --crs 9205
python -m geo import coverage viettel_4g.kml --province "Lai Châu" --output cov.geojson
python -m geo import sites tram.csv --province 11 --output sites.geojson --header-row 3
python -m geo import sites viettel.xlsx --province 11 --commit --user "Nguyễn Văn An"
python -m geo import sites vnpt.xlsx --province 11 --commit --mode add
python -m geo store list --province 11
python -m geo store remove 3 --user "Nguyễn Văn An"

A commit combines with the province's earlier imports of the same kind by ``--mode``:
``replace-operator`` (default for sites, fibre and declared coverage: the operators in the file
replace their earlier rows, other operators' rows stay), ``add`` (keep everything; a row with the
same key is replaced) or ``replace-all``. ``store remove`` takes one import back; the layer is
recomputed from the others.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from geo import cells
from geo.errors import InputError
from geo.vocab import ImportMode

log = logging.getLogger("geo.imports")

EXIT_OK = 0
EXIT_UNREADABLE = 2
EXIT_REVIEW = 3
KINDS = ("unserved", "villages", "sites", "fibre", "coverage")  # geo.imports.KINDS
RASTER_KINDS = ("dem",)  # a province's elevation model: geo.cli.terrain.run_import_dem


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``import`` subcommand to ``python -m geo``'s subparsers."""
    p = subparsers.add_parser(
        "import",
        help="import a planner's file (sites, villages, fibre, unserved, coverage)",
        description="Import a planner's file; write the matched layer and a report of every row.",
    )
    p.add_argument("kind", choices=KINDS + RASTER_KINDS, help="what the file holds")
    p.add_argument("file", help=".xlsx, .csv, .zip (Shapefile), .kml, .kmz, .geojson, .gpkg, .tif")
    p.add_argument("--province", required=True, help="name in any spelling, or GSO code")
    p.add_argument(
        "--output", default=None,
        help="write the matched layer: .geojson, .gpkg, .kml, … (needed unless --commit)",
    )
    p.add_argument("--report", default=None, help="CSV of every row's match status")
    p.add_argument(
        "--crs", default=None, help="CRS of the coordinates: 9205, EPSG:9205, 103°00', …"
    )
    p.add_argument("--sheet", default=None, help="sheet (Excel) or layer (vector) to read")
    p.add_argument(
        "--header-row",
        type=int,
        default=None,
        metavar="N",
        help="tables: the row number (1-based, as in Excel) of the column names, when the one "
        "found is wrong",
    )
    p.add_argument("--operator", default=None, help="the operator, when the file does not say")
    p.add_argument("--technology", default=None, help="2G/3G/4G/5G, when the file does not say")
    p.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="list unreadable rows in the report instead of stopping (exit 3)",
    )
    p.add_argument(
        "--commit",
        action="store_true",
        help="also commit to the import store when every row is resolved",
    )
    p.add_argument(
        "--store", default=None,
        help="the import store (default $COVERAGE_IMPORTS_DB, else the user's data folder)",
    )
    p.add_argument(
        "--mode", choices=[m.value for m in ImportMode], default=None,
        help="how a commit combines with earlier imports of the kind (default: replace-operator "
        "for sites, fibre and coverage; replace-all for unserved lists and village registers)",
    )
    p.add_argument("--user", default="", help="who commits (kept with the import)")

    s = subparsers.add_parser(
        "store",
        help="the import store: list the committed imports, or remove one",
        description="List the committed imports of the import store, or take one back.",
    )
    actions = s.add_subparsers(dest="store_action", required=True)
    ls = actions.add_parser("list", help="the committed imports, newest first")
    ls.add_argument("--province", default=None, help="only this province (name or GSO code)")
    ls.add_argument("--removed", action="store_true", help="also the removed imports")
    ls.add_argument("--store", default=None, help="the import store (SQLite file)")
    rm = actions.add_parser("remove", help="take one import back (its layer recomputes)")
    rm.add_argument("import_id", type=int)
    rm.add_argument("--user", required=True, help="who removes it (kept with the import)")
    rm.add_argument("--store", default=None, help="the import store (SQLite file)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``python -m geo import``; return the exit code (errors raise InputError → 2)."""
    from geo import imports
    from layers import export

    if args.kind in RASTER_KINDS:
        from geo.cli.terrain import run_import_dem

        return run_import_dem(args)
    path = Path(args.file)
    if not args.output and not args.commit:
        raise InputError(
            "Give --output FILE to write the matched layer, or --commit to save it in the store.",
            "Hãy cho --output TỆP để ghi lớp đã khớp, hoặc --commit để lưu vào kho.",
            field="--output",
        )
    if not path.is_file():
        raise InputError(f"File {path} does not exist.", f"Không có tệp {path}.", file=str(path))
    store = imports.Store(args.store) if (args.store or args.commit) else None
    staged = imports.stage(
        path,
        kind=args.kind,
        province=args.province,
        sheet=args.sheet,
        header_row=getattr(args, "header_row", None),
        crs=args.crs,
        operator=args.operator,
        technology=args.technology,
        store=store,
        on_error="skip" if args.skip_bad_rows else "raise",
    )
    if args.output:
        layer = imports.export_frame(staged)
        out = export.write_layer(layer, args.output, layer=args.kind)
        log.info("wrote %d features to %s", len(layer), out)
    report = staged.report
    items = file_items(staged)
    if args.report:
        import pandas as pd

        full = pd.concat([items, report], ignore_index=True) if len(items) else report
        full["row"] = full["row"].astype("Int64")
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        cells.to_csv(full, args.report, encoding="utf-8-sig")
    s = staged.summary()
    print(
        f"{staged.file}: {s['ok'] + s['confirmed']} resolved, {s['review']} to review, "
        f"{s['error']} unreadable, {s['skipped']} skipped"
        + (f"; CRS {s['crs']} ({s['crs_source']})" if s["crs"] else "")
        + (
            f"; header row {'-'.join(map(str, staged.header_rows))} (--header-row to change)"
            if staged.header_rows
            else ""
        ),
        file=sys.stderr,
    )
    lang = getattr(args, "lang", "en")
    for _, item in items.iterrows():
        print(item["message_vi" if lang == "vi" else "message_en"], file=sys.stderr)
    if staged.needs_review:
        if not args.report:
            print("Some rows need review: write them with --report REPORT.csv.", file=sys.stderr)
        return EXIT_REVIEW
    if args.commit:
        result = imports.commit(staged, store, mode=args.mode, who=args.user)
        print(
            f"committed to {store.path} (import {result.import_id}"
            + (", already there" if result.already_imported else "")
            + f", mode {imports.DEFAULT_MODES[args.kind] if args.mode is None else args.mode})",
            file=sys.stderr,
        )
    return EXIT_OK


def run_store(args: argparse.Namespace) -> int:
    """Run ``python -m geo store list|remove``."""
    from geo import imports, units

    store = imports.Store(args.store)
    if args.store_action == "remove":
        record = store.remove(args.import_id, args.user)
        print(
            f"removed import {args.import_id} ({record['kind']} of {record['province_code']}: "
            f"{record['file']}); the layer is recomputed from the other imports",
            file=sys.stderr,
        )
        return EXIT_OK
    code = units.resolve_province(args.province)[0] if args.province else None
    done = store.imports(code, removed=args.removed)
    done["operators"] = done["operators"].map(", ".join)
    columns = ["import_id", "province_code", "kind", "file", "sheet", "n_rows", "mode",
               "operators", "committed_by", "committed_at"]
    if args.removed:
        columns += ["removed_by", "removed_at"]
    sys.stdout.write(cells.to_csv(done[columns]))
    return EXIT_OK


def file_items(staged):
    """Report rows for what concerns the whole file: the column mapping and the CRS."""
    import pandas as pd

    from geo.imports import REPORT_COLUMNS

    items = []
    if staged.columns is not None and staged.columns.needs_mapping:
        unsure = ", ".join(
            f"{f} ← {staged.columns.mapping.get(f, '?')}" for f in staged.columns.unsure
        )
        items.append(
            {
                "status": "review",
                "match_status": "columns",
                "message_en": f"confirm the column mapping: {unsure}",
                "message_vi": f"hãy xác nhận cách gán cột: {unsure}",
            }
        )
    if staged.crs is not None and staged.crs.needs_confirmation:
        items.append(
            {
                "status": "review",
                "match_status": "crs",
                "message_en": staged.crs.note_en + " Pass --crs to confirm.",
                "message_vi": staged.crs.note_vi + " Dùng --crs để xác nhận.",
            }
        )
    for en, vi in staged.notes:
        items.append({"status": "note", "message_en": en, "message_vi": vi})
    return pd.DataFrame(items, columns=REPORT_COLUMNS)


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"import": run, "store": run_store}
