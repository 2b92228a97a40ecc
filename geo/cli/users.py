"""Command line for the local accounts: ``python -m geo users …``.

The password is read from the first line of stdin with ``--password-stdin``, else from the
``COVERAGE_NEW_PASSWORD`` environment variable, else (only when stdin is a terminal) asked twice
without echo. It is never printed or logged. Whoever runs these commands can write the account
store's file, so they act as the admin :data:`geo.auth.CONSOLE`.

Examples
--------
python -m geo users add quantri --role admin --password-stdin < pw.txt
COVERAGE_NEW_PASSWORD=… python -m geo users add canbo_db --role province_planner --province 11
python -m geo users add xem_muongcha --role district_viewer --district 098
python -m geo users add viettel_db --role operator --operator Viettel --province 11
python -m geo users list
python -m geo users disable viettel_db
python -m geo users enable viettel_db
python -m geo users passwd viettel_db --password-stdin
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from geo import auth
from geo.errors import InputError
from geo.store import accounts as store_mod

PASSWORD_ENV = "COVERAGE_NEW_PASSWORD"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``users`` command (add, list, disable, enable, passwd) to the CLI's subparsers."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=None,
        help=f"the account store (default ${store_mod.DB_ENV}, else "
        "$XDG_DATA_HOME/vn-coverage/accounts.sqlite)",
    )
    pw = argparse.ArgumentParser(add_help=False)
    pw.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read the password from stdin's first line (else ${PASSWORD_ENV})",
    )
    p = subparsers.add_parser("users", help="local accounts: add, list, disable, enable, passwd")
    sub = p.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", parents=[common, pw], help="add an account")
    add.add_argument("name", help="3-40 letters without accents, digits, _ . -")
    add.add_argument("--role", required=True, choices=[str(r) for r in auth.Role])
    add.add_argument("--province", default=None, help="GSO province code, 2 digits")
    add.add_argument("--district", default=None, help="GSO district code, 3 digits")
    add.add_argument("--operator", default=None, help="Viettel, VNPT, MobiFone, …")
    ls = sub.add_parser("list", parents=[common], help="the accounts (no passwords)")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    for name, text in (
        ("disable", "disable an account and end its sessions"),
        ("enable", "enable a disabled account"),
    ):
        sub.add_parser(name, parents=[common], help=text).add_argument("name")
    sub.add_parser("passwd", parents=[common, pw], help="set a new password").add_argument("name")
    return p


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    elif sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu / password: ")
        if getpass.getpass("Nhập lại / again: ") != password:
            raise InputError(
                "The two passwords differ.", "Hai lần nhập mật khẩu khác nhau.", field="password"
            )
    else:
        raise InputError(
            f"No password: give it with --password-stdin or ${PASSWORD_ENV}.",
            f"Chưa có mật khẩu: hãy dùng --password-stdin hoặc ${PASSWORD_ENV}.",
            field="password",
        )
    return password


def _rows(accounts: list[auth.Account]) -> list[dict]:
    return [
        {
            "name": a.name,
            "role": str(a.role),
            "role_vi": a.role.label("vi"),
            "province_code": a.province_code,
            "district_code": a.district_code,
            "operator": a.operator,
            "disabled": a.disabled,
        }
        for a in accounts
    ]


def _print_list(accounts: list[auth.Account], fmt: str) -> None:
    rows = _rows(accounts)
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print(f"{'name':24} {'role':18} {'province':8} {'district':8} {'operator':12} state")
    for r in rows:
        state = "disabled / đã khóa" if r["disabled"] else "active / đang dùng"
        print(
            f"{r['name']:24} {r['role']:18} {r['province_code'] or '-':8} "
            f"{r['district_code'] or '-':8} {r['operator'] or '-':12} {state}"
        )


def run(args: argparse.Namespace) -> int:
    """Run ``python -m geo users …``; returns the exit code (errors raise CoverageError)."""
    actor = auth.CONSOLE
    if args.users_command == "add":
        account = auth.make_account(
            args.name,
            args.role,
            province_code=args.province,
            district_code=args.district,
            operator=args.operator,
        )
        password = _password(args)
        store = store_mod.connect(args.db)
        try:
            auth.add_account(store, actor, account, password)
        finally:
            store.close()
        print(f"added {account.describe('en')}", file=sys.stderr)
        return 0
    store = store_mod.connect(args.db)
    try:
        if args.users_command == "list":
            _print_list(auth.list_accounts(store, actor), args.format)
        elif args.users_command in ("disable", "enable"):
            auth.set_disabled(store, actor, args.name, args.users_command == "disable")
            print(f"{args.users_command}d {args.name}", file=sys.stderr)
        else:
            auth.set_password(store, actor, args.name, _password(args))
            print(f"new password set for {args.name}; its sessions ended", file=sys.stderr)
    finally:
        store.close()
    return 0


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"users": run}
