"""``python -m geo snapshots list | show | compare``: the saved snapshots (số liệu chốt kỳ).

Examples
--------
python -m geo indicators --province 11 --year 2025 --snapshot "Q4/2025" --user "Nguyễn Văn An"
python -m geo snapshots list --province 11
python -m geo snapshots show 3
python -m geo snapshots compare 2 3
python -m geo snapshots compare 3 --now          # against the figures computed now

Results go to stdout (CSV or JSON); the store is ``--db``, else ``$COVERAGE_SNAPSHOTS_DB``,
else ``snapshots.sqlite`` in the user data folder. Snapshots are never edited: saving the same
label for the same scope again supersedes the earlier one, which stays listed (``--all``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from geo import cells, snapshots, workspace
from geo.errors import InputError

__all__ = ["add_snapshot_arguments", "register", "run", "save_if_asked"]

_LIST_COLUMNS = [
    "snapshot_id",
    "label",
    "place",
    "units",
    "as_of",
    "year",
    "created_by",
    "created_at",
    "supersedes",
    "superseded_by",
    "digest",
]


def add_snapshot_arguments(p: argparse.ArgumentParser) -> None:
    """``--snapshot LABEL``, ``--as-of``, ``--user`` and ``--snapshot-db`` for ``indicators``."""
    p.add_argument(
        "--snapshot",
        default=None,
        metavar="LABEL",
        help="also save the figures as a snapshot with this label (e.g. Q4/2026)",
    )
    p.add_argument(
        "--as-of",
        default=None,
        dest="as_of",
        help="the date the snapshot stands for, dd/mm/yyyy (default today)",
    )
    p.add_argument("--user", default="", help="who saves the snapshot (họ tên)")
    p.add_argument(
        "--snapshot-db", default=None, help="the snapshot store (default $COVERAGE_SNAPSHOTS_DB)"
    )


def parse_date(text: str | None) -> dt.date | None:
    """A date written dd/mm/yyyy (or ISO yyyy-mm-dd); None for None.

    Raises
    ------
    InputError
        Not a date.
    """
    if text is None:
        return None
    t = str(text).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise InputError(
        f"{t!r} is not a date: write it dd/mm/yyyy, e.g. 31/12/2025",
        f"{t!r} không phải ngày: ghi dạng dd/mm/yyyy, ví dụ 31/12/2025",
        field="--as-of",
    )


def save_if_asked(args, scope, settings, stores, model, result) -> dict | None:
    """Save the snapshot ``--snapshot`` asks for (None when it is not given); say so on
    stderr."""
    label = getattr(args, "snapshot", None)
    if label is None:
        return None
    saved = snapshots.take(
        scope,
        label,
        settings=settings,
        stores=stores,
        user=getattr(args, "user", ""),
        as_of=parse_date(getattr(args, "as_of", None)),
        model=model,
        result=result,
        db=getattr(args, "snapshot_db", None),
    )
    more = f"; supersedes #{saved['supersedes']} (kept)" if saved["supersedes"] is not None else ""
    print(
        f"snapshot #{saved['snapshot_id']} {saved['label']!r} saved{more} / đã chốt số liệu",
        file=sys.stderr,
    )
    return saved


def add_parser(subparsers) -> None:
    """Add ``snapshots`` (list, show, compare) to the command line."""
    p = subparsers.add_parser("snapshots", help="the saved snapshots of indicators (chốt kỳ)")
    sub = p.add_subparsers(dest="snapshots_command", required=True)
    ls = sub.add_parser("list", help="the snapshots, oldest first, as CSV")
    ls.add_argument("--province", default=None, help="only this province (code or name)")
    ls.add_argument("--all", action="store_true", help="also the superseded ones")
    ls.add_argument("--db", default=None)
    sh = sub.add_parser("show", help="one snapshot as JSON (figures and data versions)")
    sh.add_argument("snapshot_id", type=int)
    sh.add_argument("--db", default=None)
    cp = sub.add_parser("compare", help="two snapshots (or one and now), figure by figure")
    cp.add_argument("first", type=int)
    cp.add_argument("second", type=int, nargs="?", default=None)
    cp.add_argument(
        "--now", action="store_true", help="compare with the figures computed now from the stores"
    )
    cp.add_argument("--demo", action="store_true", help="with --now: ignore the stores")
    cp.add_argument("--store", default=None, help="with --now: the import store")
    cp.add_argument("--assignments-db", default=None, help="with --now: the register")
    cp.add_argument("--db", default=None)


def _province_code(text: str | None) -> str | None:
    if text is None:
        return None
    t = str(text).strip()
    if t.isdigit():
        return t.zfill(2)
    return workspace.resolve_scope(t).province_code


def _list(args) -> int:
    df = snapshots.list_snapshots(
        args.db, province_code=_province_code(args.province), current_only=not args.all
    )
    sys.stdout.write(cells.to_csv(df[_LIST_COLUMNS]))
    return 0


def _show(args) -> int:
    snap = snapshots.get(args.snapshot_id, args.db)
    sys.stdout.write(json.dumps(snap, ensure_ascii=False, indent=2, default=str) + "\n")
    return 0


def _compare(args) -> int:
    first = snapshots.get(args.first, args.db)
    if args.now == (args.second is not None):
        raise InputError(
            "Give a second snapshot id, or --now to compare with the figures computed now",
            "Ghi mã kỳ chốt thứ hai, hoặc --now để so với số liệu tính hiện tại",
            field="second",
        )
    if args.now:
        stores = (
            workspace.Stores()
            if args.demo
            else workspace.Stores.default(args.store, args.assignments_db)
        )
        other, same = snapshots.recompute(first, stores=stores)
        if not same:
            print(
                "the data changed since the snapshot / dữ liệu đã thay đổi sau kỳ chốt",
                file=sys.stderr,
            )
    else:
        other = snapshots.get(args.second, args.db)["indicators"]
    table = snapshots.compare(first["indicators"], other)
    sys.stdout.write(cells.to_csv(table))
    return 0


def run(args) -> int:
    """Run ``python -m geo snapshots …``; returns the exit code."""
    return {"list": _list, "show": _show, "compare": _compare}[args.snapshots_command](args)


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"snapshots": run}
