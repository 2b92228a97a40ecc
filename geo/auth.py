"""Accounts, roles and the permission check every write calls.

Four roles (:class:`Role`, glossary: Quản trị, Cán bộ tỉnh, Cán bộ huyện/xã (xem), Doanh
nghiệp). Every write of the tool is an :class:`Action`; :func:`authorize` refuses what the
acting :class:`Account` may not do with :class:`PermissionDeniedError`, whose message (vi, en)
names the account, the action, why, and what to do instead. :func:`visible` keeps the rows of
a frame the account may read.

==========================  ==============================================================
role                        may
==========================  ==============================================================
admin                       everything, in every province: accounts, backup, restore
province_planner            imports, placements, assignments, statuses, undo, progress and
                            reads in its province only (not accounts, backup, restore);
                            raise a challenge of a village's coverage status, set the
                            operator's deadline, decide (upheld / rejected)
district_viewer             read its district only; raise a challenge in it; no other write
operator                    read the villages assigned to it; report progress
                            (under construction, on air, with a date and evidence) on them;
                            answer (accept / rebut) the challenges of its own coverage
==========================  ==============================================================

Sign-in (:func:`sign_in`) checks an argon2 hash kept in the account store
(:mod:`geo.store.accounts`), refuses a name or a client after :data:`MAX_FAILURES` failures
within :data:`FAILURE_WINDOW` for :data:`LOCKOUT`, and returns a random token whose SHA-256 only
is stored; the session ends after :data:`IDLE_TIMEOUT` without use or :data:`ABSOLUTE_TIMEOUT`
after sign-in. When no account exists (:func:`accounts_exist`), the app runs as
:func:`demo_account`: "chế độ dùng thử một người" (single-user demo) on localhost only.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.errors import CoverageError, InputError
from geo.i18n import enum_label
from geo.operators import OPERATORS, canonical_operator
from geo.store import accounts as store_mod

IDLE_TIMEOUT = dt.timedelta(hours=8)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=24)
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
PROGRESS_STATUSES: tuple[str, ...] = ("under_construction", "on_air")
"""The statuses an operator may report (values of ``geo.assignments.STATUSES``)."""

DEMO_NAME = "chế độ dùng thử một người"
DEMO_LABEL = {"vi": "Chế độ dùng thử một người", "en": "Single-user demo"}
_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,40}")


class Role(StrEnum):
    """An account's role."""

    ADMIN = "admin"
    PROVINCE_PLANNER = "province_planner"
    DISTRICT_VIEWER = "district_viewer"
    OPERATOR = "operator"

    def label(self, lang: str = "vi") -> str:
        """The role's name on screen (glossary)."""
        return enum_label(self, lang)


class Action(StrEnum):
    """Every write the tool has, and reading."""

    IMPORT_COMMIT = "import_commit"
    IMPORT_REMOVE = "import_remove"
    PLACE_VILLAGE = "place_village"
    ASSIGN = "assign"
    ASSIGN_MANY = "assign_many"
    EDIT = "edit"
    SET_STATUS = "set_status"
    UNDO = "undo"
    REPORT_PROGRESS = "report_progress"
    BACKUP = "backup"
    RESTORE = "restore"
    MANAGE_ACCOUNTS = "manage_accounts"
    RAISE_CHALLENGE = "raise_challenge"
    ANSWER_CHALLENGE = "answer_challenge"
    DECIDE_CHALLENGE = "decide_challenge"
    SET_CHALLENGE_DEADLINE = "set_challenge_deadline"
    READ = "read"

    def label(self, lang: str = "vi") -> str:
        """What the action is called in messages."""
        return enum_label(self, lang)


ADMIN_ONLY = frozenset({Action.BACKUP, Action.RESTORE, Action.MANAGE_ACCOUNTS})
"""Actions only an admin may take (the demo account may back up and restore too)."""
OPERATOR_ONLY = frozenset({Action.ANSWER_CHALLENGE})
"""Writes only the operator concerned takes (and an admin, or the demo, on its behalf): the
answer to a challenge of its coverage is the operator's, never the province's."""
PROVINCE_WRITES = frozenset(Action) - ADMIN_ONLY - OPERATOR_ONLY - {Action.READ}
"""Writes a province planner may take in its province."""
DISTRICT_ACTIONS = frozenset({Action.READ, Action.RAISE_CHALLENGE})
"""What a district viewer may do in its district: read, and challenge a village's status."""
OPERATOR_ACTIONS = frozenset({Action.READ, Action.REPORT_PROGRESS, Action.ANSWER_CHALLENGE})
"""What an operator may do on its own villages and challenges."""


@dataclass(frozen=True)
class Account:
    """A signed-in account (never holds the password or its hash).

    ``demo`` marks :func:`demo_account`, the pseudo-account of the single-user demo.
    """

    name: str
    role: Role
    province_code: str | None = None
    district_code: str | None = None
    operator: str | None = None
    disabled: bool = False
    demo: bool = False

    def describe(self, lang: str = "vi") -> str:
        """``'viettel_db' (doanh nghiệp Viettel)``: the name and what the account is."""
        vi = lang == "vi"
        if self.demo:
            what = DEMO_LABEL[lang if vi else "en"].lower()
        elif self.role is Role.ADMIN:
            what = "quản trị" if vi else "admin"
        elif self.role is Role.PROVINCE_PLANNER:
            what = (
                f"cán bộ tỉnh {self.province_code}"
                if vi
                else f"province planner of {self.province_code}"
            )
        elif self.role is Role.DISTRICT_VIEWER:
            what = (
                f"cán bộ huyện {self.district_code} (xem)"
                if vi
                else f"viewer of district {self.district_code}"
            )
        else:
            what = f"doanh nghiệp {self.operator}" if vi else f"operator {self.operator}"
        return f"'{self.name}' ({what})"


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class PermissionDeniedError(CoverageError, PermissionError):
    """The account may not take this action here; nothing was done."""


class SignInError(CoverageError, PermissionError):
    """Wrong name or password, a disabled account, or too many failed attempts."""


class TooManyAttemptsError(SignInError):
    """Attempts for this name or client are refused for a while; ``until`` says how long."""

    def __init__(self, message_en: str, message_vi: str, *, until: dt.datetime) -> None:
        super().__init__(message_en, message_vi)
        self.until = until


class SessionExpiredError(CoverageError, PermissionError):
    """The session token is unknown, expired, signed out, or its account was disabled."""


class AccountNotFoundError(CoverageError, LookupError):
    """No account has this name."""


class AccountExistsError(InputError):
    """An account with this name exists already."""


# ---------------------------------------------------------------------------------------------
# Accounts: make, check
# ---------------------------------------------------------------------------------------------


def _bad(field: str, en: str, vi: str) -> InputError:
    return InputError(en, vi, field=field)


def make_account(
    name: str,
    role: Role | str,
    *,
    province_code: str | None = None,
    district_code: str | None = None,
    operator: str | None = None,
    disabled: bool = False,
) -> Account:
    """A checked :class:`Account`: a valid name, and exactly the scope its role needs.

    admin: no scope; province planner: ``province_code`` (2 digits); district viewer:
    ``district_code`` (3 digits), ``province_code`` optional; operator: ``operator`` (any
    spelling of a canonical operator), ``province_code`` optional.

    Raises
    ------
    InputError
        Naming the field (``--role``, ``--province``, ``--district``, ``--operator``, ``name``).
    """
    if not _NAME_RE.fullmatch(name or ""):
        raise _bad(
            "name",
            f"Account name {name!r} is not valid: use 3 to 40 letters (no accents), digits, "
            "'_', '.' or '-', e.g. viettel_db.",
            f"Tên tài khoản {name!r} không hợp lệ: dùng 3 đến 40 chữ cái không dấu, chữ số, "
            "'_', '.' hoặc '-', ví dụ viettel_db.",
        )
    try:
        role = Role(role)
    except ValueError:
        roles = ", ".join(Role)
        raise _bad(
            "--role",
            f"Unknown role {role!r}; use one of {roles}.",
            f"Vai trò {role!r} không có; hãy dùng một trong {roles}.",
        ) from None
    if province_code is not None and not re.fullmatch(r"\d{2}", province_code):
        raise _bad(
            "--province",
            f"Province code {province_code!r} must be 2 digits (GSO), e.g. 11.",
            f"Mã tỉnh {province_code!r} phải gồm 2 chữ số (mã TCTK), ví dụ 11.",
        )
    if district_code is not None and not re.fullmatch(r"\d{3}", district_code):
        raise _bad(
            "--district",
            f"District code {district_code!r} must be 3 digits (GSO), e.g. 094.",
            f"Mã huyện {district_code!r} phải gồm 3 chữ số (mã TCTK), ví dụ 094.",
        )
    if operator is not None:
        canonical = canonical_operator(operator)
        if canonical is None:
            raise _bad(
                "--operator",
                f"Unknown operator {operator!r}; use one of {', '.join(OPERATORS)}.",
                f"Doanh nghiệp {operator!r} không rõ; hãy dùng một trong {', '.join(OPERATORS)}.",
            )
        operator = canonical
    needs = {
        Role.ADMIN: (),
        Role.PROVINCE_PLANNER: ("--province",),
        Role.DISTRICT_VIEWER: ("--district",),
        Role.OPERATOR: ("--operator",),
    }[role]
    allowed = set(needs) | (
        {"--province"} if role in (Role.DISTRICT_VIEWER, Role.OPERATOR) else set()
    )
    given = {"--province": province_code, "--district": district_code, "--operator": operator}
    for flag in needs:
        if given[flag] is None:
            raise _bad(
                flag,
                f"Role {role} needs {flag}.",
                f"Vai trò {role.label('vi')} cần {flag}.",
            )
    for flag, value in given.items():
        if value is not None and flag not in allowed:
            raise _bad(
                flag,
                f"Role {role} takes no {flag}: remove it.",
                f"Vai trò {role.label('vi')} không dùng {flag}: hãy bỏ đi.",
            )
    return Account(name, role, province_code, district_code, operator, disabled)


def demo_account() -> Account:
    """The pseudo-account of the single-user demo, used while no account exists.

    It has a province planner's rights in every province, plus backup and restore; it cannot
    manage accounts (the first admin is made with :func:`create_first_admin`).
    """
    return Account(DEMO_NAME, Role.PROVINCE_PLANNER, demo=True)


CONSOLE = Account("console", Role.ADMIN)
"""The acting account of the command line (``python -m geo users``, ``import``,
``assignments``): whoever can write the stores' files is their admin."""


def recorded_name(account: Account, given: str = "") -> str:
    """The name a write records (history, ``committed_by``, ``placed_by``).

    A signed-in account (or the demo) is recorded by its own name, whatever ``given`` says;
    :data:`CONSOLE` by ``given`` (the command line's ``--user``, a display name) when one is
    given, else ``"console"``.
    """
    if account == CONSOLE:
        return (given or "").strip() or CONSOLE.name
    return account.name


def scope_note(account: Account) -> str:
    """The account's role and scope as recorded with a register session, e.g.
    ``"role=province_planner province=11"`` or ``"role=operator operator=Viettel"``."""
    parts = ["role=demo" if account.demo else f"role={account.role}"]
    for field in ("province_code", "district_code", "operator"):
        value = getattr(account, field)
        if value is not None:
            parts.append(f"{field.removesuffix('_code')}={value}")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# The permission check
# ---------------------------------------------------------------------------------------------


def _deny(account: Account, action: Action, why_vi: str, why_en: str) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"Account {account.describe('en')} may not {action.label('en')}: {why_en}",
        f"Tài khoản {account.describe('vi')} không được {action.label('vi')}: {why_vi}",
    )


def _check_scope(
    account: Account, action: Action, field: str, wanted: str | None, given: str | None
) -> None:
    if wanted is None:
        return
    what_vi, what_en = {
        "province_code": ("tỉnh", "province"),
        "district_code": ("huyện", "district"),
        "operator": ("doanh nghiệp", "operator"),
    }[field]
    if given is None:
        raise _deny(
            account,
            action,
            f"lệnh không nêu {what_vi}, mà tài khoản chỉ dùng cho {what_vi} {wanted} "
            f"(lỗi của chương trình: hãy báo nhóm phát triển).",
            f"the call names no {what_en} and the account is limited to {what_en} {wanted} "
            "(a fault of the program: report it to the developers).",
        )
    if field == "operator" and canonical_operator(given) == wanted:
        return
    if str(given) != wanted:
        if field == "operator":
            raise _deny(
                account,
                action,
                f"thôn do {given} phụ trách, không phải {wanted}. Hãy nhờ {given} hoặc Cán bộ tỉnh.",
                f"the village is {given}'s, not {wanted}'s. Ask {given} or the province planner.",
            )
        raise _deny(
            account,
            action,
            f"dữ liệu thuộc {what_vi} {given}; tài khoản chỉ dùng cho {what_vi} {wanted}. "
            f"Hãy dùng tài khoản của {what_vi} {given} hoặc nhờ Quản trị.",
            f"the data is in {what_en} {given}; the account is limited to {what_en} {wanted}. "
            f"Use an account of {what_en} {given} or ask an admin.",
        )


def authorize(
    account: Account,
    action: Action | str,
    *,
    province_code: str | None = None,
    district_code: str | None = None,
    operator: str | None = None,
    status: str | None = None,
) -> None:
    """Refuse what ``account`` may not do; return None when it may.

    Parameters
    ----------
    account
        The acting account (:func:`account_for_token`, :func:`demo_account` or :data:`CONSOLE`).
    action
        What it is about to do.
    province_code, district_code, operator
        Where: the village's (or layer's) province and district codes and its assigned
        operator, as far as the action concerns them. A scoped account needs the field of its
        scope: a call that omits it is refused.
    status
        For :attr:`Action.REPORT_PROGRESS` and :attr:`Action.SET_STATUS`: the new status.

    Raises
    ------
    PermissionDeniedError
        With the account, the action, the reason and what to do, in Vietnamese and English.
    """
    action = Action(action)
    if account.disabled:
        raise _deny(
            account,
            action,
            "tài khoản đã bị khóa; hãy liên hệ Quản trị.",
            "the account is disabled; contact an admin.",
        )
    if account.role is Role.ADMIN:
        return
    if action is Action.MANAGE_ACCOUNTS or (action in ADMIN_ONLY and not account.demo):
        raise _deny(
            account,
            action,
            "chỉ Quản trị được làm việc này; hãy nhờ Quản trị.",
            "only an admin may do this; ask an admin.",
        )
    if account.demo:
        return
    if account.role is Role.PROVINCE_PLANNER:
        if action in OPERATOR_ONLY:
            raise _deny(
                account,
                action,
                "chỉ doanh nghiệp bị phản ánh được giải trình; Cán bộ tỉnh kết luận sau khi "
                "doanh nghiệp giải trình hoặc khi quá hạn.",
                "only the operator concerned answers; the province planner decides after the "
                "answer or once the deadline has passed.",
            )
        _check_scope(account, action, "province_code", account.province_code, province_code)
        return
    if account.role is Role.DISTRICT_VIEWER:
        if action not in DISTRICT_ACTIONS:
            raise _deny(
                account,
                action,
                "vai trò Cán bộ huyện/xã (xem) chỉ được xem và phản ánh sai lệch tình trạng phủ "
                "sóng trong huyện mình. Hãy nhờ Cán bộ tỉnh.",
                "a district viewer may only read and challenge a coverage status in its "
                "district. Ask the province planner.",
            )
        _check_scope(account, action, "province_code", account.province_code, province_code)
        _check_scope(account, action, "district_code", account.district_code, district_code)
        return
    # operator
    if action not in OPERATOR_ACTIONS:
        raise _deny(
            account,
            action,
            "doanh nghiệp chỉ được xem thôn được phân công, báo cáo tiến độ và giải trình phản "
            "ánh về mình. Hãy nhờ Cán bộ tỉnh.",
            "an operator may only read its assigned villages, report progress and answer the "
            "challenges of its own coverage. Ask the province planner.",
        )
    _check_scope(account, action, "operator", account.operator, operator)
    if account.province_code is not None and province_code is not None:
        _check_scope(account, action, "province_code", account.province_code, province_code)
    if action is Action.REPORT_PROGRESS and status not in PROGRESS_STATUSES:
        raise _deny(
            account,
            action,
            f"doanh nghiệp chỉ báo cáo 'Đang xây dựng' hoặc 'Đã phát sóng', không phải "
            f"{status!r}; nghiệm thu và hủy do Cán bộ tỉnh quyết định.",
            f"an operator reports only 'under_construction' or 'on_air', not {status!r}; "
            "verification and cancellation are the province planner's.",
        )


def check_progress_report(
    status: str, on: dt.date | None, evidence: str, *, today: dt.date
) -> None:
    """Check an operator's progress report: a reportable status, a date not in the future and
    some evidence (e.g. "Biên bản phát sóng số 12/2025, ảnh trạm").

    Raises
    ------
    InputError
        Naming the field (``status``, ``date``, ``evidence``).
    """
    if status not in PROGRESS_STATUSES:
        raise _bad(
            "status",
            f"Report 'under_construction' or 'on_air', not {status!r}.",
            f"Chỉ báo cáo 'Đang xây dựng' hoặc 'Đã phát sóng', không phải {status!r}.",
        )
    if on is None or on > today:
        raise _bad(
            "date",
            "Give the date it happened (not in the future).",
            "Hãy ghi ngày thực hiện (không phải ngày trong tương lai).",
        )
    if not (evidence or "").strip():
        raise _bad(
            "evidence",
            "Give the evidence: a document number, photos or a measurement.",
            "Hãy ghi căn cứ: số biên bản, ảnh hoặc kết quả đo kiểm.",
        )


def visible(account: Account, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` the account may read.

    The frame needs the column of the account's scope: ``province_code`` (province planner,
    and any account limited to a province), ``district_code`` (district viewer) or
    ``operator`` (operator). Admin and demo see everything; a disabled account nothing.

    Raises
    ------
    InputError
        The frame lacks the column the account's scope needs (nothing is shown rather than
        everything).
    """
    if account.disabled:
        return frame.iloc[0:0]
    if account.role is Role.ADMIN or account.demo:
        return frame
    keep = pd.Series(True, index=frame.index)
    scope = {"province_code": account.province_code}
    if account.role is Role.DISTRICT_VIEWER:
        scope["district_code"] = account.district_code
    if account.role is Role.OPERATOR:
        scope["operator"] = account.operator
    for column, value in scope.items():
        if value is None:
            continue
        if column not in frame.columns:
            raise _bad(
                column,
                f"The table has no column {column}: it cannot be filtered for "
                f"account {account.describe('en')}.",
                f"Bảng không có cột {column}: không lọc được cho tài khoản "
                f"{account.describe('vi')}.",
            )
        values = frame[column].astype("string")
        if column == "operator":
            values = values.map(lambda v: canonical_operator(v) if isinstance(v, str) else None)
        keep &= values.eq(value).fillna(False).astype(bool)
    return frame[keep.to_numpy()]


# ---------------------------------------------------------------------------------------------
# Passwords and account management
# ---------------------------------------------------------------------------------------------


def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown, so both take the same time."""
    return _hasher().hash(secrets.token_hex(16))


def _check_password(name: str, password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise _bad(
            "password",
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _bad(
            "password",
            f"The password may have at most {MAX_PASSWORD_LENGTH} characters.",
            f"Mật khẩu dài tối đa {MAX_PASSWORD_LENGTH} ký tự.",
        )
    if password.strip().lower() == name.lower():
        raise _bad(
            "password",
            "The password must not be the account name.",
            "Mật khẩu không được trùng tên tài khoản.",
        )


def _utc(now: dt.datetime | None) -> dt.datetime:
    """``now`` (naive = UTC), or the current time."""
    if now is None:
        return dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)


def _seconds(now: dt.datetime | None) -> int:
    return int(_utc(now).timestamp())


def _from_row(row: store_mod.AccountRow) -> Account:
    return Account(
        row.name, Role(row.role), row.province_code, row.district_code, row.operator, row.disabled
    )


def accounts_exist(store: store_mod.Connection) -> bool:
    """Whether any account exists; when not, the app runs as :func:`demo_account`."""
    return store_mod.count_accounts(store) > 0


def _insert(
    store: store_mod.Connection,
    account: Account,
    password: str,
    by: str,
    only_if_empty: bool,
    now: dt.datetime | None,
) -> Account:
    _check_password(account.name, password)
    t = _seconds(now)
    row = store_mod.AccountRow(
        account.name,
        str(account.role),
        account.province_code,
        account.district_code,
        account.operator,
        _hasher().hash(password),
        account.disabled,
        t,
        t,
        by,
    )
    if not store_mod.insert_account(store, row, only_if_empty=only_if_empty):
        if only_if_empty and accounts_exist(store):
            raise PermissionDeniedError(
                "An account exists already: sign in as an admin to add accounts.",
                "Đã có tài khoản: hãy đăng nhập bằng tài khoản Quản trị để thêm tài khoản.",
            )
        raise AccountExistsError(
            f"An account named {account.name!r} exists already; choose another name.",
            f"Đã có tài khoản tên {account.name!r}; hãy chọn tên khác.",
            field="name",
        )
    return account


def add_account(
    store: store_mod.Connection,
    actor: Account,
    account: Account,
    password: str,
    *,
    now: dt.datetime | None = None,
) -> Account:
    """Add ``account`` (made with :func:`make_account`) with ``password``; admin only.

    Raises
    ------
    PermissionDeniedError, AccountExistsError, InputError (a password too short or too long)
    """
    authorize(actor, Action.MANAGE_ACCOUNTS)
    return _insert(store, account, password, actor.name, False, now)


def create_first_admin(
    store: store_mod.Connection, name: str, password: str, *, now: dt.datetime | None = None
) -> Account:
    """Create the first admin, only while no account exists (the demo's offer).

    Raises
    ------
    PermissionDeniedError
        An account exists already.
    """
    return _insert(store, make_account(name, Role.ADMIN), password, DEMO_NAME, True, now)


def list_accounts(store: store_mod.Connection, actor: Account) -> list[Account]:
    """Every account (without hashes); admin only."""
    authorize(actor, Action.MANAGE_ACCOUNTS)
    return [_from_row(r) for r in store_mod.list_accounts(store)]


def account_named(store: store_mod.Connection, name: str) -> Account:
    """The stored account called ``name`` (its role and scope), without signing in.

    For the command line's ``--account``: whoever runs it can write the stores' files and is
    their admin (:data:`CONSOLE`), so acting as a stored account only narrows the rights.

    Raises
    ------
    AccountNotFoundError
    """
    row = store_mod.get_account(store, name or "")
    if row is None:
        raise _not_found(name)
    return _from_row(row)


def _not_found(name: str) -> AccountNotFoundError:
    return AccountNotFoundError(
        f"No account is named {name!r}; see `python -m geo users list`.",
        f"Không có tài khoản tên {name!r}; xem `python -m geo users list`.",
    )


def set_disabled(
    store: store_mod.Connection,
    actor: Account,
    name: str,
    disabled: bool,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Disable (ending its sessions) or enable an account; admin only. The last enabled admin
    cannot be disabled."""
    authorize(actor, Action.MANAGE_ACCOUNTS)
    done = store_mod.set_disabled(
        store, name, disabled, at=_seconds(now), by=actor.name, keep_enabled_role=str(Role.ADMIN)
    )
    if done is False:
        raise _not_found(name)
    if done is None:
        raise PermissionDeniedError(
            f"{name!r} is the last enabled admin: enable or add another admin first.",
            f"{name!r} là tài khoản Quản trị cuối cùng còn dùng được: hãy thêm hoặc mở khóa "
            "một tài khoản Quản trị khác trước.",
        )


def set_password(
    store: store_mod.Connection,
    actor: Account,
    name: str,
    password: str,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Set an account's password and end its sessions; admin, or the account itself."""
    if actor.name.lower() != name.lower() or actor.demo:
        authorize(actor, Action.MANAGE_ACCOUNTS)
    _check_password(name, password)
    if not store_mod.set_password_hash(
        store, name, _hasher().hash(password), at=_seconds(now), by=actor.name, sign_out=True
    ):
        raise _not_found(name)


# ---------------------------------------------------------------------------------------------
# Sign-in and sessions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """The result of :func:`sign_in`: the token to keep (in the browser's session only), the
    account and when the session ends at the latest."""

    token: str
    account: Account
    expires_at: dt.datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _locked(until: int) -> TooManyAttemptsError:
    when = dt.datetime.fromtimestamp(until, dt.UTC)
    local = when.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%H:%M %d/%m/%Y")
    return TooManyAttemptsError(
        f"Too many failed sign-ins ({MAX_FAILURES} within {FAILURE_WINDOW.seconds // 60} "
        f"minutes): try again after {local} (Vietnam time), or ask an admin to set a new "
        "password.",
        f"Đăng nhập sai quá {MAX_FAILURES} lần trong {FAILURE_WINDOW.seconds // 60} phút: hãy "
        f"thử lại sau {local} (giờ Việt Nam), hoặc nhờ Quản trị đặt lại mật khẩu.",
        until=when,
    )


def sign_in(
    store: store_mod.Connection,
    name: str,
    password: str,
    *,
    now: dt.datetime | None = None,
    client: str | None = None,
) -> SignedIn:
    """Check a name and password and open a session.

    Parameters
    ----------
    store
        The account store (:func:`geo.store.accounts.connect`).
    name, password
        As typed.
    now
        The time (tests inject it); the current time when None.
    client
        A key for the client (e.g. its address): failures are counted per client too.

    Raises
    ------
    TooManyAttemptsError
        :data:`MAX_FAILURES` failures within :data:`FAILURE_WINDOW` for this name or client:
        refused for :data:`LOCKOUT`, without checking the password.
    SignInError
        Wrong name or password (one message for both), or a disabled account.
    """
    t = _seconds(now)
    keys = [f"name:{(name or '').lower()}"] + ([f"client:{client}"] if client else [])
    until = store_mod.locked_until(store, keys, t)
    if until is not None:
        raise _locked(until)
    row = store_mod.get_account(store, name or "")
    try:
        _hasher().verify(row.password_hash if row else _dummy_hash(), password or "")
        ok = row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        until = store_mod.record_failure(
            store,
            keys,
            now=t,
            window=int(FAILURE_WINDOW.total_seconds()),
            limit=MAX_FAILURES,
            lock=int(LOCKOUT.total_seconds()),
        )
        if until is not None:
            raise _locked(until)
        raise SignInError(
            "Wrong account name or password.", "Tên tài khoản hoặc mật khẩu không đúng."
        )
    if row.disabled:
        raise SignInError(
            f"The account {row.name!r} is disabled; ask an admin to enable it.",
            f"Tài khoản {row.name!r} đã bị khóa; hãy nhờ Quản trị mở khóa.",
        )
    store_mod.clear_failures(store, keys[0])
    if _hasher().check_needs_rehash(row.password_hash):
        store_mod.set_password_hash(
            store, row.name, _hasher().hash(password), at=t, by=row.name, sign_out=False
        )
    token = secrets.token_urlsafe(32)
    absolute = t + int(ABSOLUTE_TIMEOUT.total_seconds())
    store_mod.insert_session(
        store,
        store_mod.SessionRow(
            _token_hash(token),
            row.name,
            client or "",
            t,
            t,
            min(t + int(IDLE_TIMEOUT.total_seconds()), absolute),
            absolute,
        ),
    )
    return SignedIn(token, _from_row(row), dt.datetime.fromtimestamp(absolute, dt.UTC))


def account_for_token(
    store: store_mod.Connection, token: str, *, now: dt.datetime | None = None
) -> Account:
    """The account signed in with ``token``; pushes the session's idle expiry.

    Raises
    ------
    SessionExpiredError
        Unknown, signed-out or expired token, or a disabled account: sign in again.
    """
    t = _seconds(now)
    h = _token_hash(token or "")
    session = store_mod.get_session(store, h)
    row = store_mod.get_account(store, session.name) if session else None
    if session is None or row is None:
        raise SessionExpiredError(
            "You are not signed in (or were signed out): sign in again.",
            "Bạn chưa đăng nhập (hoặc đã đăng xuất): hãy đăng nhập lại.",
        )
    if t >= session.idle_expires_at or t >= session.absolute_expires_at or row.disabled:
        store_mod.delete_session(store, h)
        if row.disabled:
            raise SessionExpiredError(
                f"The account {row.name!r} was disabled; ask an admin.",
                f"Tài khoản {row.name!r} đã bị khóa; hãy liên hệ Quản trị.",
            )
        raise SessionExpiredError(
            "The session has expired: sign in again.",
            "Phiên làm việc đã hết hạn: hãy đăng nhập lại.",
        )
    idle = min(t + int(IDLE_TIMEOUT.total_seconds()), session.absolute_expires_at)
    store_mod.touch_session(store, h, now=t, idle_expires_at=idle)
    return _from_row(row)


def sign_out(store: store_mod.Connection, token: str) -> None:
    """End the session of ``token`` (nothing happens when it is unknown)."""
    store_mod.delete_session(store, _token_hash(token or ""))
