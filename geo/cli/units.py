"""Command line for the units before and after 01/07/2025: ``python -m geo units …``.

Examples
--------
python -m geo units lookup "Xã Ngối Cáy, Huyện Mường Ảng, Tỉnh Điện Biên"
python -m geo units lookup "Xã Sín Chải, tỉnh Điện Biên" --date 15/01/2026 --format json
python -m geo units crosswalk --province "Điện Biên" --output crosswalk.xlsx
python -m geo units crosswalk --province "Điện Biên" --output crosswalk-en.xlsx --lang en
python -m geo units crosswalk --province 22 --output crosswalk.csv
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from geo import cells
from geo.errors import InputError

log = logging.getLogger("geo.units")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``units`` command (``lookup``, ``crosswalk``) to the CLI's subparsers."""
    p = subparsers.add_parser(
        "units", help="units before and after 01/07/2025: look a name up, or a crosswalk"
    )
    sub = p.add_subparsers(dest="units_command", required=True)
    lk = sub.add_parser("lookup", help="the old and new units (with codes) a text names")
    lk.add_argument("text", help='e.g. "Xã Ngối Cáy, Huyện Mường Ảng, Tỉnh Điện Biên"')
    lk.add_argument(
        "--date",
        default=None,
        help="date of the document (dd/mm/yyyy); before 01/07/2025 reads pre-2025 units",
    )
    lk.add_argument("--format", choices=("text", "json"), default="text")
    cw = sub.add_parser(
        "crosswalk", help="old commune → new commune with the share of villages, .xlsx or .csv"
    )
    cw.add_argument("--province", required=True, help="pre-2025 province: name or GSO code")
    cw.add_argument("--output", required=True, help="F.xlsx or F.csv")
    cw.add_argument(
        "--lang",
        choices=("vi", "en"),
        default="vi",
        dest="crosswalk_lang",
        help="language of the .xlsx sheets, headers and notes (default vi); a .csv keeps the "
        "column names of geo.units2025.CROSSWALK_COLUMNS",
    )
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``python -m geo units …``; returns the exit code (errors raise CoverageError)."""
    if args.units_command == "lookup":
        return _lookup(args)
    return _crosswalk(args)


def _unit_line(u: dict, new: bool) -> str:
    if new:
        s = f"{u.get('commune_2025', '?')} [{u['commune_2025_code']}], "
        s += f"{u.get('province_2025', '?')} [{u.get('province_2025_code', '?')}]"
    else:
        s = f"{u.get('commune', '?')} [{u['commune_code']}], {u.get('district', '?')} "
        s += f"[{u.get('district_code', '?')}], {u.get('province', '?')} "
        s += f"[{u.get('province_code', '?')}]"
    kind = u.get("kind")
    if kind == "partial":
        s += " (partial: split commune / chia tách)"
    return s


def format_lookup(result: dict) -> str:
    """The lookup as text: the display line, the status, then each reading's units."""
    lines = [result["display"] or result["text"]]
    lines.append(
        f"status: {result['status']}; units: {result['system'] or '-'} ({result['reason']})"
    )
    if result["status"] == "ambiguous" and result["candidates"]:
        lines.append(f"candidates: {result['candidates']}")
    for r in result["readings"]:
        title = {
            "pre2025": "read as units before 01/07/2025 (trước 01/07/2025)",
            "both": "the same code before and after 01/07/2025",
            "2025": "read as units from 01/07/2025 (từ 01/07/2025)",
        }[r["system"]]
        lines.append(f"{title}:")
        lines += [f"  old / cũ: {_unit_line(u, new=False)}" for u in r["old"]]
        lines += [f"  new / mới: {_unit_line(u, new=True)}" for u in r["new"]]
    return "\n".join(lines) + "\n"


def _lookup(args: argparse.Namespace) -> int:
    from geo import units2025

    result = units2025.lookup(args.text, document_date=args.date)
    if args.format == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_lookup(result))
    if result["status"] == "none":
        print(f"No unit matches {args.text!r} in either system.", file=sys.stderr)
        return 2
    return 0


def _crosswalk(args: argparse.Namespace) -> int:
    from geo import province, units2025

    out = Path(args.output)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(
            f"--output must end in .xlsx or .csv, not {out.suffix or 'nothing'!r}.",
            f"--output phải có đuôi .xlsx hoặc .csv, không phải {out.suffix or 'trống'!r}.",
            field="--output",
        )
    data = province.load_province(args.province)
    base = units2025.communes_for_2025(data.communes)
    built = units2025.build_communes_2025(base, units2025.wanted_codes(data.communes))
    villages = units2025.to_2025(data.villages, base, built)
    table = units2025.crosswalk(villages)
    unresolved = units2025.unresolved_villages(villages)
    if out.suffix.lower() == ".csv":
        cells.to_csv(table, out, encoding="utf-8")
    else:
        out.write_bytes(
            units2025.crosswalk_xlsx(table, unresolved, lang=getattr(args, "crosswalk_lang", "vi"))
        )
    log.info(
        "%s: %d villages, %d old communes → %d new communes; %d villages unresolved; wrote %s",
        data.province,
        len(villages),
        table["commune_code"].nunique(),
        table.loc[table["commune_2025_code"] != "", "commune_2025_code"].nunique(),
        len(unresolved),
        out,
    )
    if len(unresolved):
        print(
            f"{len(unresolved)} villages lie in split communes without coordinates of their own; "
            "they are listed in the 'Thôn chưa xác định' ('Unresolved villages' with --lang en) "
            "sheet (xlsx) for the planner to place.",
            file=sys.stderr,
        )
    return 0


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"units": run}
