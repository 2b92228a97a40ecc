"""Accounts and roles: who may do what where, passwords, sessions, attempts, the users command."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo import auth
from geo.__main__ import main
from geo.auth import Account, Action, PermissionDeniedError, Role
from geo.errors import CoverageError, InputError
from geo.store import accounts as store_mod

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "núi-cao-bản-xa-2025"
T0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)

# ---------------------------------------------------------------------------------------------
# The role matrix, written out by hand from the rules (not derived from geo.auth)
# ---------------------------------------------------------------------------------------------

ACCOUNTS = {
    "admin": Account("quantri", Role.ADMIN),
    "planner": Account("canbo_db", Role.PROVINCE_PLANNER, province_code="11"),
    "viewer": Account("xem_dbp", Role.DISTRICT_VIEWER, province_code="11", district_code="094"),
    "operator": Account("viettel_db", Role.OPERATOR, operator="Viettel"),
    "demo": auth.demo_account(),
}

# Where the action happens: (province_code, district_code, operator of the village).
CONTEXTS = {
    "own": ("11", "094", "Viettel"),
    "other_province": ("12", "105", "Viettel"),
    "other_district": ("11", "095", "Viettel"),
    "other_operator": ("11", "094", "VNPT"),
}
CONTEXT_ORDER = ("own", "other_province", "other_district", "other_operator")

# One letter per context in CONTEXT_ORDER: Y allowed, N refused. The new status is "on_air".
MATRIX = """
action            admin  planner  viewer  operator  demo
import_commit     YYYY   YNYY     NNNN    NNNN      YYYY
import_remove     YYYY   YNYY     NNNN    NNNN      YYYY
place_village     YYYY   YNYY     NNNN    NNNN      YYYY
assign            YYYY   YNYY     NNNN    NNNN      YYYY
assign_many       YYYY   YNYY     NNNN    NNNN      YYYY
edit              YYYY   YNYY     NNNN    NNNN      YYYY
set_status        YYYY   YNYY     NNNN    NNNN      YYYY
undo              YYYY   YNYY     NNNN    NNNN      YYYY
report_progress   YYYY   YNYY     NNNN    YYYN      YYYY
backup            YYYY   NNNN     NNNN    NNNN      YYYY
restore           YYYY   NNNN     NNNN    NNNN      YYYY
manage_accounts   YYYY   NNNN     NNNN    NNNN      NNNN
raise_challenge   YYYY   YNYY     YNNY    NNNN      YYYY
answer_challenge  YYYY   NNNN     NNNN    YYYN      YYYY
decide_challenge  YYYY   YNYY     NNNN    NNNN      YYYY
set_challenge_deadline YYYY YNYY  NNNN    NNNN      YYYY
read              YYYY   YNYY     YNNY    YYYN      YYYY
"""


def _matrix() -> list[tuple[str, str, str, bool]]:
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    cases = []
    for action, *cells in rows:
        for who, cell in zip(header, cells, strict=True):
            for ctx, mark in zip(CONTEXT_ORDER, cell, strict=True):
                cases.append((action, who, ctx, mark == "Y"))
    return cases


CASES = _matrix()


def test_the_matrix_covers_every_action_and_role():
    assert {c[0] for c in CASES} == {str(a) for a in Action}
    assert {ACCOUNTS[c[1]].role for c in CASES} == set(Role)


@pytest.mark.parametrize(("action", "who", "context", "allowed"), CASES)
def test_authorize_follows_the_role_matrix(action, who, context, allowed):
    province, district, operator = CONTEXTS[context]
    call = dict(province_code=province, district_code=district, operator=operator)
    if allowed:
        auth.authorize(ACCOUNTS[who], Action(action), status="on_air", **call)
    else:
        with pytest.raises(PermissionDeniedError):
            auth.authorize(ACCOUNTS[who], Action(action), status="on_air", **call)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("under_construction", True),
        ("on_air", True),
        ("verified", False),
        ("cancelled", False),
        ("assigned", False),
        (None, False),
    ],
)
def test_an_operator_reports_only_construction_or_on_air(status, allowed):
    op = ACCOUNTS["operator"]
    call = dict(province_code="11", district_code="094", operator="Viettel", status=status)
    if allowed:
        auth.authorize(op, Action.REPORT_PROGRESS, **call)
    else:
        with pytest.raises(PermissionDeniedError):
            auth.authorize(op, Action.REPORT_PROGRESS, **call)


def test_progress_statuses_are_statuses_of_the_assignment_register():
    from geo import assignments

    assert set(auth.PROGRESS_STATUSES) <= set(assignments.STATUSES)


def test_a_scoped_account_is_refused_when_the_call_omits_its_scope():
    with pytest.raises(PermissionDeniedError, match="names no province"):
        auth.authorize(ACCOUNTS["planner"], Action.ASSIGN)
    with pytest.raises(PermissionDeniedError):
        auth.authorize(ACCOUNTS["operator"], Action.READ, province_code="11")
    with pytest.raises(PermissionDeniedError):
        auth.authorize(ACCOUNTS["viewer"], Action.READ, province_code="11")


def test_an_operator_name_in_another_spelling_is_the_same_operator():
    auth.authorize(ACCOUNTS["operator"], Action.READ, operator="Viettel Telecom")
    vnpt = Account("vnpt_db", Role.OPERATOR, operator="VNPT")
    auth.authorize(vnpt, Action.REPORT_PROGRESS, operator="Vinaphone", status="on_air")


def test_a_disabled_account_may_do_nothing_even_an_admin():
    gone = Account("cu", Role.ADMIN, disabled=True)
    with pytest.raises(PermissionDeniedError, match="disabled"):
        auth.authorize(gone, Action.READ)


def test_refusal_names_the_account_the_action_and_the_other_operator_in_both_languages():
    with pytest.raises(PermissionDeniedError) as info:
        auth.authorize(
            ACCOUNTS["operator"], Action.REPORT_PROGRESS, operator="VNPT", status="on_air"
        )
    exc = info.value
    assert isinstance(exc, PermissionError) and isinstance(exc, CoverageError)
    vi, en = exc.message("vi"), exc.message("en")
    assert "Tài khoản 'viettel_db' (doanh nghiệp Viettel) không được báo cáo tiến độ" in vi
    assert "thôn do VNPT phụ trách" in vi
    assert "'viettel_db'" in en and "VNPT" in en and "report progress" in en


def test_a_planner_may_not_answer_a_challenge_for_the_operator_and_is_told_who_does():
    with pytest.raises(PermissionDeniedError) as info:
        auth.authorize(
            ACCOUNTS["planner"], Action.ANSWER_CHALLENGE, province_code="11", operator="Viettel"
        )
    assert "chỉ doanh nghiệp bị phản ánh được giải trình" in info.value.message("vi")
    assert "only the operator concerned answers" in info.value.message("en")


def test_auth_imports_no_sqlite3_and_keeps_no_labels_of_its_own():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(auth))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
    }
    assert "sqlite3" not in imported
    assert not hasattr(auth, "_ROLE_LABELS") and not hasattr(auth, "_ACTION_LABELS")
    assert Action.RAISE_CHALLENGE.label("vi") == "phản ánh sai lệch tình trạng phủ sóng"


def test_progress_report_needs_a_past_date_and_evidence():
    today = dt.date(2025, 6, 1)
    auth.check_progress_report("on_air", dt.date(2025, 5, 30), "Biên bản 12/2025", today=today)
    for status, on, evidence, field in [
        ("verified", dt.date(2025, 5, 30), "x", "status"),
        ("on_air", None, "x", "date"),
        ("on_air", dt.date(2025, 6, 2), "x", "date"),
        ("on_air", dt.date(2025, 5, 30), "  ", "evidence"),
    ]:
        with pytest.raises(InputError) as info:
            auth.check_progress_report(status, on, evidence, today=today)
        assert info.value.field == field


# ---------------------------------------------------------------------------------------------
# What each account may read
# ---------------------------------------------------------------------------------------------


def _villages() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_id": ["a", "b", "c", "d", "e"],
            "province_code": ["11", "11", "11", "12", "11"],
            "district_code": ["094", "094", "095", "105", None],
            "operator": ["Viettel", "VNPT", "Viettel", "Viettel", None],
        }
    )


@pytest.mark.parametrize(
    ("who", "ids"),
    [
        ("admin", ["a", "b", "c", "d", "e"]),
        ("demo", ["a", "b", "c", "d", "e"]),
        ("planner", ["a", "b", "c", "e"]),
        ("viewer", ["a", "b"]),
        ("operator", ["a", "c", "d"]),
    ],
)
def test_visible_keeps_the_rows_of_the_accounts_scope(who, ids):
    assert visible_ids(ACCOUNTS[who]) == ids


def visible_ids(account: Account) -> list[str]:
    return list(auth.visible(account, _villages())["village_id"])


def test_visible_refuses_a_frame_without_the_scope_column():
    frame = _villages().drop(columns=["operator"])
    with pytest.raises(InputError):
        auth.visible(ACCOUNTS["operator"], frame)


# ---------------------------------------------------------------------------------------------
# Making accounts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        ("operator", {}, "--operator"),
        ("operator", {"operator": "S-Fone"}, "--operator"),
        ("district_viewer", {}, "--district"),
        ("district_viewer", {"district_code": "94"}, "--district"),
        ("province_planner", {}, "--province"),
        ("province_planner", {"province_code": "1"}, "--province"),
        ("province_planner", {"province_code": "11", "operator": "Viettel"}, "--operator"),
        ("admin", {"province_code": "11"}, "--province"),
        ("chief", {}, "--role"),
    ],
)
def test_make_account_requires_exactly_the_scope_of_the_role(role, scope, field):
    with pytest.raises(InputError) as info:
        auth.make_account("someone", role, **scope)
    assert info.value.field == field


def test_make_account_writes_the_canonical_operator():
    assert auth.make_account("vina_db", "operator", operator="Vinaphone").operator == "VNPT"


# ---------------------------------------------------------------------------------------------
# The store: passwords, foreign files
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    conn = store_mod.connect(tmp_path / "accounts.sqlite")
    yield conn
    conn.close()


def _add(store, name="viettel_db", role="operator", **scope):
    if role == "operator" and not scope:
        scope = {"operator": "Viettel"}
    account = auth.make_account(name, role, **scope)
    return auth.add_account(store, auth.CONSOLE, account, PASSWORD, now=T0)


def test_the_clear_password_never_appears_in_the_store_files(tmp_path):
    path = tmp_path / "accounts.sqlite"
    conn = store_mod.connect(path)
    _add(conn)
    auth.set_password(conn, auth.CONSOLE, "viettel_db", PASSWORD + "!", now=T0)
    auth.sign_in(conn, "viettel_db", PASSWORD + "!", now=T0)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("accounts.sqlite")]
    data = b"".join(p.read_bytes() for p in files)
    conn.close()
    data += path.read_bytes()  # after the final checkpoint too
    assert b"viettel_db" in data  # the file is the one written
    assert PASSWORD.encode() not in data and (PASSWORD + "!").encode() not in data
    assert b"$argon2id$" in data


def test_a_short_password_is_refused(store):
    with pytest.raises(InputError, match="at least 10"):
        auth.add_account(store, auth.CONSOLE, auth.make_account("ngan_qua", "admin"), "short")


def test_only_an_admin_adds_accounts(store):
    new = auth.make_account("moi_them", "admin")
    for who in ("planner", "viewer", "operator", "demo"):
        with pytest.raises(PermissionDeniedError):
            auth.add_account(store, ACCOUNTS[who], new, PASSWORD)
    assert not auth.accounts_exist(store)


def test_a_foreign_sqlite_file_is_refused_by_name_and_left_unchanged(tmp_path):
    path = tmp_path / "other.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(store_mod.DatabaseFileError) as info:
        store_mod.connect(path)
    assert str(path) in info.value.message("vi") and "another program" in info.value.message("en")
    assert path.read_bytes() == before


def test_a_store_of_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "accounts.sqlite"
    store_mod.connect(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {store_mod.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(store_mod.DatabaseFileError, match="newer version"):
        store_mod.connect(path)


def test_the_first_admin_only_while_no_account_exists(store):
    assert not auth.accounts_exist(store)
    auth.create_first_admin(store, "quantri", PASSWORD, now=T0)
    assert auth.accounts_exist(store)
    with pytest.raises(PermissionDeniedError):
        auth.create_first_admin(store, "ke_khac", PASSWORD, now=T0)
    assert [a.name for a in auth.list_accounts(store, auth.CONSOLE)] == ["quantri"]


def test_the_demo_account_says_it_is_the_single_user_demo():
    demo = auth.demo_account()
    assert demo.demo and "chế độ dùng thử một người" in demo.describe("vi")
    assert "single-user demo" in demo.describe("en")


# ---------------------------------------------------------------------------------------------
# Sign-in, sessions, attempts
# ---------------------------------------------------------------------------------------------


def test_sign_in_returns_the_account_and_a_token_stored_only_hashed(store):
    _add(store)
    signed = auth.sign_in(store, "viettel_db", PASSWORD, now=T0)
    assert signed.account.operator == "Viettel" and signed.account.role is Role.OPERATOR
    assert signed.expires_at == T0 + auth.ABSOLUTE_TIMEOUT
    stored = [r[0] for r in store.execute("SELECT token_hash FROM sign_in_session")]
    assert signed.token not in stored and len(stored) == 1
    assert auth.account_for_token(store, signed.token, now=T0).name == "viettel_db"


def test_a_session_ends_after_8_idle_hours(store):
    _add(store)
    token = auth.sign_in(store, "viettel_db", PASSWORD, now=T0).token
    auth.account_for_token(store, token, now=T0 + dt.timedelta(hours=7, minutes=59))
    later = T0 + dt.timedelta(hours=7, minutes=59) + dt.timedelta(hours=8, seconds=1)
    with pytest.raises(auth.SessionExpiredError, match="expired"):
        auth.account_for_token(store, token, now=later)
    with pytest.raises(auth.SessionExpiredError):  # gone for good
        auth.account_for_token(store, token, now=T0 + dt.timedelta(hours=1))


def test_a_session_used_all_day_ends_24_hours_after_sign_in(store):
    _add(store)
    token = auth.sign_in(store, "viettel_db", PASSWORD, now=T0).token
    for hours in (7, 14, 21, 23):
        auth.account_for_token(store, token, now=T0 + dt.timedelta(hours=hours))
    with pytest.raises(auth.SessionExpiredError):
        auth.account_for_token(store, token, now=T0 + dt.timedelta(hours=24))


def test_sign_out_ends_the_session(store):
    _add(store)
    token = auth.sign_in(store, "viettel_db", PASSWORD, now=T0).token
    auth.sign_out(store, token)
    with pytest.raises(auth.SessionExpiredError):
        auth.account_for_token(store, token, now=T0)


def test_wrong_password_and_unknown_name_get_the_same_message(store):
    _add(store)
    messages = []
    for name, password in (("viettel_db", "sai-mat-khau-1"), ("khong_co", PASSWORD)):
        with pytest.raises(auth.SignInError) as info:
            auth.sign_in(store, name, password, now=T0)
        messages.append(info.value.message("vi"))
    assert messages[0] == messages[1] == "Tên tài khoản hoặc mật khẩu không đúng."


def test_five_failures_in_15_minutes_lock_the_name_for_15_minutes(store):
    _add(store)
    for minute in range(4):
        with pytest.raises(auth.SignInError) as info:
            auth.sign_in(
                store, "viettel_db", "sai-mat-khau-1", now=T0 + dt.timedelta(minutes=minute)
            )
        assert not isinstance(info.value, auth.TooManyAttemptsError)
    fifth = T0 + dt.timedelta(minutes=4)
    with pytest.raises(auth.TooManyAttemptsError) as info:
        auth.sign_in(store, "viettel_db", "sai-mat-khau-1", now=fifth)
    assert info.value.until == fifth + auth.LOCKOUT
    assert "thử lại sau" in info.value.message("vi")
    with pytest.raises(auth.TooManyAttemptsError):  # even with the right password
        auth.sign_in(store, "viettel_db", PASSWORD, now=fifth + dt.timedelta(minutes=14))
    auth.sign_in(store, "viettel_db", PASSWORD, now=fifth + auth.LOCKOUT)


def test_failures_spread_over_more_than_15_minutes_do_not_lock(store):
    _add(store)
    for minute in (0, 1, 2, 3, 16):
        with pytest.raises(auth.SignInError) as info:
            auth.sign_in(
                store, "viettel_db", "sai-mat-khau-1", now=T0 + dt.timedelta(minutes=minute)
            )
        assert not isinstance(info.value, auth.TooManyAttemptsError)
    auth.sign_in(store, "viettel_db", PASSWORD, now=T0 + dt.timedelta(minutes=17))


def test_failures_from_one_client_lock_that_client_across_names(store):
    _add(store)
    for i in range(5):
        with pytest.raises(auth.SignInError):
            auth.sign_in(store, f"doan_{i}", "sai-mat-khau-1", now=T0, client="10.0.0.9")
    with pytest.raises(auth.TooManyAttemptsError):
        auth.sign_in(store, "viettel_db", PASSWORD, now=T0, client="10.0.0.9")
    auth.sign_in(store, "viettel_db", PASSWORD, now=T0, client="10.0.0.10")


def test_a_disabled_account_cannot_sign_in_and_its_sessions_stop(store):
    _add(store)
    token = auth.sign_in(store, "viettel_db", PASSWORD, now=T0).token
    auth.set_disabled(store, auth.CONSOLE, "viettel_db", True, now=T0)
    with pytest.raises(auth.SessionExpiredError):
        auth.account_for_token(store, token, now=T0)
    with pytest.raises(auth.SignInError, match="disabled"):
        auth.sign_in(store, "viettel_db", PASSWORD, now=T0)
    auth.set_disabled(store, auth.CONSOLE, "viettel_db", False, now=T0)
    auth.sign_in(store, "viettel_db", PASSWORD, now=T0)


def test_the_last_enabled_admin_cannot_be_disabled(store):
    auth.create_first_admin(store, "quantri", PASSWORD, now=T0)
    with pytest.raises(PermissionDeniedError, match="last enabled admin"):
        auth.set_disabled(store, auth.CONSOLE, "quantri", True)


def test_a_new_password_ends_the_sessions_and_replaces_the_old_one(store):
    _add(store)
    token = auth.sign_in(store, "viettel_db", PASSWORD, now=T0).token
    auth.set_password(store, auth.CONSOLE, "viettel_db", "mat-khau-moi-2025", now=T0)
    with pytest.raises(auth.SessionExpiredError):
        auth.account_for_token(store, token, now=T0)
    with pytest.raises(auth.SignInError):
        auth.sign_in(store, "viettel_db", PASSWORD, now=T0)
    auth.sign_in(store, "viettel_db", "mat-khau-moi-2025", now=T0)


# ---------------------------------------------------------------------------------------------
# python -m geo users
# ---------------------------------------------------------------------------------------------


def _geo(*args: str, db: Path, password: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COVERAGE_NEW_PASSWORD"}
    env["COVERAGE_ACCOUNTS_DB"] = str(db)
    if password is not None:
        env["COVERAGE_NEW_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_users_command_adds_lists_and_disables_with_exit_codes(tmp_path):
    db = tmp_path / "accounts.sqlite"
    added = _geo(
        "users",
        "add",
        "viettel_db",
        "--role",
        "operator",
        "--operator",
        "Viettel",
        "--province",
        "11",
        db=db,
        password=PASSWORD,
    )
    assert added.returncode == 0, added.stderr
    again = _geo("users", "add", "viettel_db", "--role", "admin", db=db, password=PASSWORD)
    assert again.returncode == 2 and "exists already" in again.stderr
    listed = _geo("users", "list", db=db)
    assert listed.returncode == 0
    assert "viettel_db" in listed.stdout and "operator" in listed.stdout
    assert "$argon2" not in listed.stdout + listed.stderr
    assert PASSWORD not in listed.stdout + listed.stderr + added.stdout + added.stderr
    disabled = _geo("users", "disable", "viettel_db", db=db)
    assert disabled.returncode == 0
    assert "disabled" in _geo("users", "list", db=db).stdout
    missing = _geo("users", "disable", "khong_co", db=db)
    assert missing.returncode == 2 and "khong_co" in missing.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["add", "vt_db", "--role", "operator"], "--operator"),
        (["add", "xem_db", "--role", "district_viewer", "--district", "94"], "3 digits"),
        (["add", "canbo_db", "--role", "province_planner"], "--province"),
    ],
)
def test_users_add_refuses_a_missing_or_bad_scope_with_exit_2(
    tmp_path, monkeypatch, capsys, args, needle
):
    monkeypatch.setenv("COVERAGE_NEW_PASSWORD", PASSWORD)
    assert main(["users", *args, "--db", str(tmp_path / "a.sqlite")]) == 2
    assert needle in capsys.readouterr().err


def test_users_add_without_a_password_source_fails_when_stdin_is_not_a_terminal(tmp_path):
    result = _geo("users", "add", "quantri", "--role", "admin", db=tmp_path / "a.sqlite")
    assert result.returncode == 2 and "--password-stdin" in result.stderr
