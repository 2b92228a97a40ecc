"""Who is using the app: sign-in, the single-user demo, the account in the sidebar.

:func:`acting_account` runs first on every page (from :func:`ui.app_common.sidebar`):

* When the account store (:mod:`geo.store.accounts`, ``$COVERAGE_ACCOUNTS_DB``) holds no
  account, the app is the **single-user demo**: it acts as :func:`geo.auth.demo_account`, shows
  "Chế độ dùng thử một người (single-user demo)" on every page, and the Quản trị page offers to
  create the first admin. The demo serves **localhost only**: a request whose client address
  (``st.context.ip_address``, Streamlit ≥ 1.45) is not a loopback address, or whose ``Host``
  header names another host, is refused with a message and ``st.stop()``. (Binding the server
  with ``server.address = "localhost"`` would do it for the whole server, accounts or not;
  when neither the address nor the header is known — ``streamlit.testing`` — the run is
  treated as local.)
* When accounts exist, a page shows the sign-in form until a name and password are accepted
  (:func:`geo.auth.sign_in`: errors and the rate limit come from ``geo.auth``, shown as text).
  The session token is kept in ``st.session_state`` only; every run checks it
  (:func:`geo.auth.account_for_token`: idle and absolute expiry); the sidebar shows the
  account's name and role and a sign-out button.

Permissions are checked in ``geo`` (every write takes the account); :func:`may` only hides
buttons an account could not use anyway.
"""

from __future__ import annotations

import ipaddress

import streamlit as st

from geo import auth
from geo.auth import Account, Action
from geo.errors import CoverageError
from geo.store import accounts as accounts_store
from geo.store.accounts import Connection

__all__ = [
    "TEXT",
    "accounts_conn",
    "acting_account",
    "current",
    "is_local_request",
    "may",
    "tr",
]

TOKEN_KEY = "_auth_token"
ACCOUNT_KEY = "_account"

TEXT: dict[str, dict[str, str]] = {
    "demo_banner": {
        "vi": "Chế độ dùng thử một người (single-user demo): chưa có tài khoản nào; ứng dụng chỉ "
        "phục vụ máy này (localhost). Tạo tài khoản Quản trị đầu tiên ở trang Quản trị.",
        "en": "Single-user demo (chế độ dùng thử một người): no account exists yet; the app "
        "serves this computer only (localhost). Create the first admin on the Admin page.",
    },
    "demo_not_local": {
        "vi": "Chế độ dùng thử một người chỉ mở trên chính máy chạy ứng dụng (localhost). Hãy "
        "mở http://localhost:8501 trên máy đó, hoặc tạo tài khoản Quản trị để dùng qua mạng.",
        "en": "The single-user demo opens only on the computer running the app (localhost). "
        "Open http://localhost:8501 there, or create an admin account to use it over a network.",
    },
    "sign_in_title": {"vi": "Đăng nhập", "en": "Sign in"},
    "sign_in_name": {"vi": "Tên tài khoản", "en": "Account name"},
    "sign_in_password": {"vi": "Mật khẩu", "en": "Password"},
    "sign_in_button": {"vi": "Đăng nhập", "en": "Sign in"},
    "sign_out": {"vi": "Đăng xuất", "en": "Sign out"},
    "signed_in_as": {"vi": "Tài khoản: **{name}** — {role}", "en": "Account: **{name}** — {role}"},
}


def tr(key: str, lang: str, **kwargs) -> str:
    """A text of :data:`TEXT` in ``lang`` (Vietnamese unless ``"en"``)."""
    text = TEXT[key]["en" if lang == "en" else "vi"]
    return text.format(**kwargs) if kwargs else text


def _md(text) -> str:
    from ui.app_common import md

    return md(text)


def accounts_conn() -> Connection:
    """This browser session's connection to the account store (opened on first use, again
    when ``$COVERAGE_ACCOUNTS_DB`` points elsewhere)."""
    path = str(accounts_store.default_path())
    held = st.session_state.get("_accounts")
    if held is None or held[0] != path:
        st.session_state["_accounts"] = (path, accounts_store.connect(path))
    return st.session_state["_accounts"][1]


def _loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_local_request() -> bool:
    """Whether this run's request comes from the computer running the app: the client
    address (``st.context.ip_address``) is a loopback address and the ``Host`` header names
    localhost. Unknown values (no web request: ``streamlit.testing``, where the address is not
    a string) count as local."""
    ip = st.context.ip_address
    if isinstance(ip, str) and ip and not _loopback(ip):
        return False
    host = (st.context.headers or {}).get("Host") or ""
    if host:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host.startswith("[") and "]" in host:
            name = host[1 : host.index("]")]
        return _loopback(name)
    return True


def _sign_in_form(conn: Connection, lang: str) -> None:
    """The sign-in form; on success keeps the token and reruns."""
    st.title(tr("sign_in_title", lang))
    with st.form("sign_in"):
        name = st.text_input(tr("sign_in_name", lang), key="sign_in_name", max_chars=40)
        password = st.text_input(
            tr("sign_in_password", lang), type="password", key="sign_in_password",
            max_chars=auth.MAX_PASSWORD_LENGTH,
        )
        submitted = st.form_submit_button(tr("sign_in_button", lang), type="primary")
    if not submitted:
        return
    try:
        ip = st.context.ip_address
        client = ip if isinstance(ip, str) and ip else None
        signed = auth.sign_in(conn, name, password, client=client)
    except CoverageError as exc:  # SignInError, TooManyAttemptsError: their own message
        st.error(_md(exc.message(lang)), icon=":material/lock:")
        return
    st.session_state[TOKEN_KEY] = signed.token
    st.rerun()


def _sign_out() -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        auth.sign_out(accounts_conn(), token)
    st.session_state.pop(ACCOUNT_KEY, None)
    st.session_state.pop("_planner_session", None)


def acting_account(lang: str) -> Account:
    """The account of this run (see the module's description); draws the demo banner or the
    account in the sidebar, or the sign-in form (then stops the run)."""
    conn = accounts_conn()
    if not auth.accounts_exist(conn):
        st.session_state.pop(TOKEN_KEY, None)
        if not is_local_request():
            st.error(tr("demo_not_local", lang), icon=":material/lan:")
            st.stop()
        st.warning(tr("demo_banner", lang), icon=":material/science:")
        account = auth.demo_account()
    else:
        token = st.session_state.get(TOKEN_KEY)
        account = None
        if token:
            try:
                account = auth.account_for_token(conn, token)
            except auth.SessionExpiredError as exc:
                st.session_state.pop(TOKEN_KEY, None)
                st.info(_md(exc.message(lang)))
        if account is None:
            st.session_state.pop(ACCOUNT_KEY, None)
            _sign_in_form(conn, lang)
            st.stop()
        st.sidebar.markdown(
            tr("signed_in_as", lang, name=_md(account.name), role=_md(_role_text(account, lang)))
        )
        st.sidebar.button(tr("sign_out", lang), on_click=_sign_out, key="sign_out",
                          icon=":material/logout:")
    st.session_state[ACCOUNT_KEY] = account
    return account


def _role_text(account: Account, lang: str) -> str:
    scope = account.province_code or account.district_code or account.operator
    role = account.role.label(lang)
    if account.role is auth.Role.DISTRICT_VIEWER:
        scope = account.district_code
    return f"{role} {scope}" if scope else role


def current() -> Account:
    """The account :func:`acting_account` found in this run (running it when it has not run:
    never a default account)."""
    held = st.session_state.get(ACCOUNT_KEY)
    if isinstance(held, Account):
        return held
    return acting_account(st.session_state.get("kept_lang", "vi"))


def may(account: Account, action: Action, **where) -> bool:
    """Whether ``account`` may take ``action`` (``where``: province_code, district_code,
    operator, status), to hide a button it could not use; the write itself is checked again
    in ``geo``."""
    try:
        auth.authorize(account, action, **where)
    except auth.PermissionDeniedError:
        return False
    return True
