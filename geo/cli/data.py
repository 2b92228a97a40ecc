"""``python -m geo data``: the external data files and whether each is present."""

from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def run(args: argparse.Namespace) -> int:
    """List the registry's files with their state and licence; return 0."""
    from geo import registry

    folder = registry.data_dir()
    print(f"data folder: {folder or 'not set: set COVERAGE_DATA_DIR / chưa đặt COVERAGE_DATA_DIR'}")
    for r in registry.status():
        print(f"{r['state']:8} {r['file']:60} {r['licence']}")
    return 0


def register(subparsers) -> dict:
    """Add ``data`` to ``python -m geo``; return its runner."""
    subparsers.add_parser("data", help="list the external data files and whether each is present")
    return {"data": run}
