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

from geo import cli
from geo.errors import CoverageError

log = logging.getLogger("geo")


def _parser() -> tuple[argparse.ArgumentParser, dict]:
    p = argparse.ArgumentParser(prog="python -m geo", description=__doc__.split("\n")[0])
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    p.add_argument("--lang", choices=("vi", "en"), default="en", help="language of error messages")
    sub = p.add_subparsers(dest="command", required=True)
    commands: dict = {}
    for group in cli.groups():
        added = group.register(sub)
        clash = sorted(set(added) & set(commands))
        if clash:
            raise RuntimeError(f"{group.__name__} defines {', '.join(clash)} a second time")
        commands.update(added)
    return p, commands


def main(argv: list[str] | None = None) -> int:
    parser, commands = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return commands[args.command](args)
    except CoverageError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
