"""Command line: ``python -m geo …``. Thin: it calls the same functions as the app.

Only results go to stdout; logs and errors go to stderr. Exit codes: 0 done, 2 bad input or a
missing data file (the message names the file, row and field).

Examples
--------
python -m geo data
python -m geo export --province "Điện Biên" --layer unserved --output unserved.geojson
python -m geo indicators --province 11 --year 2025 --format json
python -m geo map --province "Điện Biên" --output map.html
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from geo import assignments_cli, imports_cli, units_cli, users_cli
from geo.errors import CoverageError

log = logging.getLogger("geo")

LAYERS = ("communes", "villages", "unserved", "sites", "fibre")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description=__doc__.split("\n")[0])
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    p.add_argument("--lang", choices=("vi", "en"), default="en", help="language of error messages")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("data", help="list the external data files and whether each is present")

    e = sub.add_parser("export", help="write a layer of a province")
    e.add_argument("--province", required=True, help="name in any spelling, or GSO code")
    e.add_argument("--layer", required=True, choices=LAYERS)
    e.add_argument("--output", required=True, help=".geojson, .gpkg, .kml, .kmz or .shp")
    e.add_argument("--crs", default=None, help="e.g. EPSG:9205 (VN-2000 TM-3) for .gpkg/.shp")
    e.add_argument("--units", choices=("pre2025", "2025"), default="pre2025")
    e.add_argument("--year", type=int, default=None, help="sites on air by 31/12 of this year")

    i = sub.add_parser("indicators", help="the plan's indicators for a province")
    i.add_argument("--province", required=True)
    i.add_argument("--district", default=None, help="only this district (name or code)")
    i.add_argument("--year", type=int, default=None)
    i.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    i.add_argument("--output", default=None, help="file to write (required for xlsx)")
    i.add_argument("--units", choices=("pre2025", "2025"), default="pre2025")

    m = sub.add_parser("map", help="the standalone map of a province as HTML")
    m.add_argument("--province", required=True)
    m.add_argument("--output", required=True)
    m.add_argument("--year", type=int, default=None)
    m.add_argument("--lang", choices=("vi", "en"), default="vi", dest="map_lang")
    units_cli.add_parser(sub)
    assignments_cli.add_parser(sub)
    imports_cli.add_parser(sub)
    users_cli.add_parser(sub)
    return p


def _units_guard(args) -> None:
    """Districts were abolished on 01/07/2025: no --district with --units 2025."""
    if getattr(args, "units", "pre2025") == "2025" and getattr(args, "district", None):
        from geo.errors import InputError

        raise InputError(
            "--district cannot be used with --units 2025: districts were abolished on 01/07/2025.",
            "Không dùng --district với --units 2025: cấp huyện đã bỏ từ 01/07/2025.",
            field="--district",
        )


def _cmd_data(args) -> int:
    from geo import registry

    print(f"data folder: {registry.data_dir()}")
    for r in registry.status():
        print(f"{r['state']:8} {r['file']:60} {r['licence']}")
    return 0


def _cmd_export(args) -> int:
    from geo import pipeline
    from layers import export

    _units_guard(args)
    model = pipeline.build(args.province, year=args.year)
    if args.units == "2025":
        from geo import units2025

        gdf = units2025.layer_2025(model, args.layer)
    else:
        gdf = pipeline.layer(model, args.layer)
    out = export.write_layer(gdf, args.output, layer=args.layer, crs=args.crs)
    log.info("wrote %d features to %s", len(gdf), out)
    return 0


def _cmd_indicators(args) -> int:
    from geo import indicators, pipeline

    _units_guard(args)
    model = pipeline.build(args.province, year=args.year)
    if args.units == "2025":
        from geo import units2025

        result = units2025.indicators_2025(model, year=args.year)
    else:
        result = indicators.compute(model, district=args.district, year=args.year)
    if args.format == "json":
        text = json.dumps(result, ensure_ascii=False, indent=2)
    elif args.format == "csv":
        text = indicators.to_frame(result).to_csv(index=False)
    else:
        if not args.output:
            from geo.errors import InputError

            raise InputError(
                "--format xlsx needs --output FILE.xlsx",
                "--format xlsx cần --output TỆP.xlsx",
                field="--output",
            )
        from layers import tables

        Path(args.output).write_bytes(tables.indicators_xlsx(result))
        log.info("wrote %s", args.output)
        return 0
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _cmd_map(args) -> int:
    from geo import pipeline
    from layers import maps

    model = pipeline.build(args.province, year=args.year)
    html = maps.standalone_html(model, lang=args.map_lang)
    Path(args.output).write_text(html, encoding="utf-8")
    log.info("wrote %s (%d bytes)", args.output, len(html.encode()))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    commands = {
        "data": _cmd_data,
        "export": _cmd_export,
        "indicators": _cmd_indicators,
        "map": _cmd_map,
        "units": units_cli.run,
        "assignments": assignments_cli.run,
        "import": imports_cli.run,
        "users": users_cli.run,
    }
    try:
        return commands[args.command](args)
    except CoverageError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
