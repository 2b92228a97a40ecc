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
import logging
import sys

from geo import actuals_cli, assignments_cli, imports_cli, model_cli, units_cli, users_cli
from geo.errors import CoverageError

log = logging.getLogger("geo")

LAYERS = model_cli.LAYERS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description=__doc__.split("\n")[0])
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    p.add_argument("--lang", choices=("vi", "en"), default="en", help="language of error messages")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("data", help="list the external data files and whether each is present")

    model_cli.add_parsers(sub)
    units_cli.add_parser(sub)
    assignments_cli.add_parser(sub)
    imports_cli.add_parser(sub)
    users_cli.add_parser(sub)
    actuals_cli.add_parser(sub)
    return p


def _cmd_data(args) -> int:
    from geo import registry

    folder = registry.data_dir()
    print(f"data folder: {folder or 'not set: set COVERAGE_DATA_DIR / chưa đặt COVERAGE_DATA_DIR'}")
    for r in registry.status():
        print(f"{r['state']:8} {r['file']:60} {r['licence']}")
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
        "export": model_cli.run_export,
        "indicators": model_cli.run_indicators,
        "map": model_cli.run_map,
        "units": units_cli.run,
        "assignments": assignments_cli.run,
        "import": imports_cli.run,
        "store": imports_cli.run_store,
        "users": users_cli.run,
        "actuals": actuals_cli.run,
    }
    try:
        return commands[args.command](args)
    except CoverageError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
