"""``python -m geo challenges …``: challenges of a village's coverage status (phản ánh sai lệch).

Thin: it calls :mod:`geo.challenges` as the app does. The store is ``--challenges-db`` (default
``$COVERAGE_CHALLENGES_DB``, else ``challenges.sqlite`` beside the assignment register). The
command line acts as :data:`geo.auth.CONSOLE` (an admin: whoever can write the stores' files)
and records ``--user`` (default ``$COVERAGE_USER``, else the login name); ``--account NAME``
acts with the role and scope of a stored account instead (recorded under its name), e.g. an
operator's account to answer.

``raise`` builds the province's model (as ``python -m geo export`` does, from the same stores)
to read the village's status as shown. ``list`` writes the open challenges by operator and age
(CSV or JSON) and exits 3 when one is overdue (the operator did not answer by the deadline: the
province has to decide); every command exits 2 on bad input or a refused step, with a message
that names the field.

Examples
--------
python -m geo challenges raise --province 11 --village-id V1A2B3C4D5E --operator Viettel \
    --reason "Không có sóng 4G tại nhà văn hóa" --note "đo ngày 30/10" --photo anh.jpg \
    --measured-count 12 --median-dbm -115 --share-above 0.1 --last-measured 30/10/2026
python -m geo challenges deadline 3 --deadline 30/11/2026 --user "Nguyễn Văn An"
python -m geo challenges answer 3 --answer rebut --note "Trạm DBN123 phát sóng 20/10/2026" \
    --account viettel_db
python -m geo challenges decide 3 --decision upheld --note "Đo kiểm lại 05/11: không có sóng"
python -m geo challenges history 3 --lang en
python -m geo challenges list --province 11 --format csv
python -m geo challenges export --output phan_anh.xlsx
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from geo import auth, cells
from geo.errors import InputError
from geo.i18n import t
from geo.vocab import ChallengeAnswer, ChallengeDecision

__all__ = ["register", "run"]

USER_ENV = "COVERAGE_USER"


def _common(account: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--challenges-db",
        default=None,
        help="the challenge store (default $COVERAGE_CHALLENGES_DB, else challenges.sqlite "
        "beside the assignment register)",
    )
    if account:
        p.add_argument("--user", default=None, help="your name, recorded with the step")
        p.add_argument(
            "--account",
            default=None,
            help="act with the role and scope of this stored account (e.g. an operator's)",
        )
        p.add_argument(
            "--accounts-db", default=None, help="the account store (default $COVERAGE_ACCOUNTS_DB)"
        )
    return p


def _evidence(p: argparse.ArgumentParser) -> None:
    p.add_argument("--note", default="", help="a note, e.g. where and when it was checked")
    p.add_argument("--photo", default=None, help="a photo (.jpg or .png, at most 5 MB)")
    p.add_argument("--measured-count", type=int, default=None, help="how many measurements")
    p.add_argument("--median-dbm", type=float, default=None, help="their median level, dBm")
    p.add_argument(
        "--share-above", type=float, default=None, help="share above the threshold, 0 to 1"
    )
    p.add_argument("--last-measured", default=None, help="date of the last one, dd/mm/yyyy")
    p.add_argument("--measured-source", default="", help='e.g. "đo kiểm Sở TT&TT 10/2026"')


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``challenges`` (raise, deadline, answer, decide, history, list, export) to the
    parser."""
    from geo.cli import model as model_cli

    p = subparsers.add_parser(
        "challenges",
        help="challenges of a village's coverage status: raise, answer, decide, list, export",
        description=__doc__.split("\n")[0],
    )
    sub = p.add_subparsers(dest="challenges_command", required=True)
    r = sub.add_parser("raise", parents=[_common()], help="challenge a village's status")
    model_cli._scope_arguments(r, district=False)
    r.add_argument("--village-id", required=True, help="the village's id (map tooltip)")
    r.add_argument("--operator", required=True, help="Viettel, VNPT, MobiFone, …")
    r.add_argument("--reason", required=True, help="why the status shown is wrong")
    r.add_argument("--deadline", default=None, help="the operator's deadline, dd/mm/yyyy")
    _evidence(r)
    d = sub.add_parser("deadline", parents=[_common()], help="set the operator's deadline")
    d.add_argument("challenge_id", type=int)
    d.add_argument("--deadline", required=True, help="dd/mm/yyyy")
    a = sub.add_parser("answer", parents=[_common()], help="the operator's answer")
    a.add_argument("challenge_id", type=int)
    a.add_argument("--answer", required=True, choices=[str(x) for x in ChallengeAnswer])
    _evidence(a)
    c = sub.add_parser("decide", parents=[_common()], help="the province's decision")
    c.add_argument("challenge_id", type=int)
    c.add_argument("--decision", required=True, choices=[str(x) for x in ChallengeDecision])
    c.add_argument("--note", required=True, help="the grounds of the decision")
    h = sub.add_parser("history", parents=[_common()], help="a challenge's steps as CSV")
    h.add_argument("challenge_id", type=int)
    h.add_argument("--lang", choices=("vi", "en"), default="vi", dest="table_lang")
    for name, text in (
        ("list", "open challenges by operator and age (exit 3 when one is overdue)"),
        ("export", "challenges and their steps as .xlsx, or the challenges as .csv"),
    ):
        q = sub.add_parser(name, parents=[_common()], help=text)
        q.add_argument("--province", default=None, help="name in any spelling, or GSO code")
        q.add_argument("--operator", default=None)
        q.add_argument("--lang", choices=("vi", "en"), default="vi", dest="table_lang")
        if name == "list":
            q.add_argument("--format", choices=("csv", "json"), default="csv", dest="fmt")
        else:
            q.add_argument("--output", required=True, help=".xlsx or .csv")
            q.add_argument("--open-only", action="store_true", help="only the open ones")
    return p


def _account(args) -> tuple[auth.Account, str]:
    """The acting account and the name recorded for the console."""
    if args.account:
        from geo.store import accounts as accounts_store

        conn = accounts_store.connect(args.accounts_db)
        try:
            return auth.account_named(conn, args.account), ""
        finally:
            conn.close()
    return auth.CONSOLE, args.user or os.environ.get(USER_ENV) or getpass.getuser()


def _proof(args):
    from geo import challenges as ch

    photo = ch.read_photo(args.photo, field="--photo") if args.photo else None
    measured = None
    given = (args.median_dbm, args.share_above, args.last_measured)
    if args.measured_count is not None or any(v is not None for v in given):
        if args.measured_count is None:
            raise InputError(
                t("challenges.err_measured_count", "en"),
                t("challenges.err_measured_count", "vi"),
                field="--measured-count",
            )
        last = ch.parse_date(args.last_measured, "--last-measured") if args.last_measured else None
        measured = ch.MeasurementSummary(
            args.measured_count, args.median_dbm, args.share_above, last, args.measured_source
        )
    return ch.Proof(note=args.note, measurements=measured, photo=photo)


def _print(row: dict) -> None:
    from geo.i18n import fmt_date

    print(
        f"{row['challenge_id']}\t{row['state']}\t{row['village']}\t{row['operator']}\t"
        f"deadline {fmt_date(row['deadline'])}"
    )


def _raise(args, conn) -> int:
    from geo import challenges as ch
    from geo.cli import model as model_cli

    scope, _settings, _stores, model = model_cli._model(args)
    village = ch.village_row(model.status, args.village_id, scope.province)
    account, who = _account(args)
    row = ch.raise_challenge(
        conn,
        account,
        village,
        args.operator,
        reason=args.reason,
        proof=_proof(args),
        deadline=args.deadline,
        who=who,
    )
    _print(row)
    return 0


def _deadline(args, conn) -> int:
    from geo import challenges as ch

    account, who = _account(args)
    _print(ch.set_deadline(conn, account, args.challenge_id, args.deadline, who=who))
    return 0


def _answer(args, conn) -> int:
    from geo import challenges as ch

    account, who = _account(args)
    row = ch.answer(conn, account, args.challenge_id, args.answer, proof=_proof(args), who=who)
    _print(row)
    return 0


def _decide(args, conn) -> int:
    from geo import challenges as ch

    account, who = _account(args)
    row = ch.decide(conn, account, args.challenge_id, args.decision, note=args.note, who=who)
    _print(row)
    return 0


def _frame(args, conn):
    from geo import challenges as ch
    from geo import units

    code = units.resolve_province(args.province)[0] if args.province else None
    account, _who = _account(args)
    return ch.challenges(conn, account, province_code=code, operator=args.operator)


def _history(args, conn) -> int:
    from geo import challenges as ch

    account, _who = _account(args)
    ch.get(conn, account, args.challenge_id)  # unknown, or not the account's: refused by name
    steps = ch.steps(conn, account, [args.challenge_id])
    sys.stdout.write(cells.to_csv(ch.steps_table(steps, args.table_lang)))
    return 0


def _list(args, conn) -> int:
    from geo import challenges as ch

    today = ch.today()
    listed = ch.open_list(_frame(args, conn), today)
    if args.fmt == "json":
        print(json.dumps(json.loads(listed.to_json(orient="records")), ensure_ascii=False))
    else:
        sys.stdout.write(cells.to_csv(ch.export_table(listed, args.table_lang, today)))
    late = int(listed["overdue"].sum())
    if late:
        print(f"{late} overdue / {late} quá hạn giải trình", file=sys.stderr)
        return 3
    return 0


def _export(args, conn) -> int:
    from geo import challenges as ch

    out = Path(args.output)
    ext = out.suffix.lower()
    if ext not in (".xlsx", ".csv"):
        raise InputError(
            t("challenges.err_output", "en", name=out.name),
            t("challenges.err_output", "vi", name=out.name),
            file=out.name,
        )
    today = ch.today()
    frame = _frame(args, conn)
    if args.open_only:
        frame = ch.open_list(frame, today)
    account, _who = _account(args)
    out.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".xlsx":
        steps = ch.steps(conn, account, frame["challenge_id"].tolist())
        out.write_bytes(ch.to_xlsx(frame, steps, args.table_lang, today))
    else:
        out.write_text(ch.to_csv(frame, args.table_lang, today), encoding="utf-8-sig")
    print(f"{len(frame)} challenges → {out}", file=sys.stderr)
    return 0


def run(args) -> int:
    """Run ``python -m geo challenges <subcommand>``: 0 done, 3 overdue challenges listed.

    Errors are :class:`geo.errors.CoverageError` (bad input, a refused step) left to the
    caller (exit code 2).
    """
    from geo import challenges as ch

    commands = {
        "raise": _raise,
        "deadline": _deadline,
        "answer": _answer,
        "decide": _decide,
        "history": _history,
        "list": _list,
        "export": _export,
    }
    conn = ch.connect(args.challenges_db)
    try:
        return commands[args.challenges_command](args, conn)
    finally:
        conn.close()


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return its runner by name."""
    add_parser(subparsers)
    return {"challenges": run}
