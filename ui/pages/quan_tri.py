"""Quản trị (Admin): accounts, and the register's backup and restore.

* Single-user demo (no account yet): a form creates the first admin
  (:func:`geo.auth.create_first_admin`); after it, the app asks to sign in.
* An admin: the accounts (list, add, disable/enable: :func:`geo.auth.add_account`,
  :func:`geo.auth.set_disabled`), a backup of the register to download and a restore upload.
* Others: what they may not do is said; nothing is offered. Every call checks the account in
  ``geo`` anyway.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from geo import assignments as asg
from geo import auth
from geo.auth import Action, Role
from geo.errors import CoverageError
from layers.i18n import t
from ui import account as account_ui
from ui import app_common

TEXT = {
    "title": {"vi": "Quản trị", "en": "Admin"},
    "first_admin": {"vi": "Tạo tài khoản Quản trị đầu tiên", "en": "Create the first admin"},
    "first_admin_help": {
        "vi": "Khi đã có tài khoản, ứng dụng yêu cầu đăng nhập và có thể dùng qua mạng.",
        "en": "Once an account exists, the app asks to sign in and may be used over a network.",
    },
    "password_again": {"vi": "Nhập lại mật khẩu", "en": "Password again"},
    "passwords_differ": {"vi": "Hai mật khẩu không giống nhau.", "en": "The passwords differ."},
    "create": {"vi": "Tạo tài khoản", "en": "Create the account"},
    "created": {"vi": "Đã tạo tài khoản {name}.", "en": "Account {name} created."},
    "accounts": {"vi": "Tài khoản", "en": "Accounts"},
    "add": {"vi": "Thêm tài khoản", "en": "Add an account"},
    "role": {"vi": "Vai trò", "en": "Role"},
    "province": {"vi": "Mã tỉnh (2 số)", "en": "Province code (2 digits)"},
    "district": {"vi": "Mã huyện (3 số)", "en": "District code (3 digits)"},
    "operator": {"vi": "Doanh nghiệp", "en": "Operator"},
    "disable": {"vi": "Khóa / mở khóa", "en": "Disable / enable"},
    "toggle": {"vi": "Đổi trạng thái khóa", "en": "Toggle"},
    "disabled_col": {"vi": "Đã khóa", "en": "Disabled"},
    "backup_header": {"vi": "Sao lưu và khôi phục sổ phân công",
                      "en": "Back up and restore the register"},
    "not_admin": {
        "vi": "Trang này dành cho Quản trị: tài khoản của bạn không quản lý tài khoản, sao lưu "
        "hay khôi phục.",
        "en": "This page is for admins: your account does not manage accounts, backups or "
        "restores.",
    },
}


def tr(key: str, lang: str, **kwargs) -> str:
    text = TEXT[key]["en" if lang == "en" else "vi"]
    return text.format(**kwargs) if kwargs else text


md = app_common.md
scope = app_common.current_scope()
lang = scope.lang
account = scope.account
conn = account_ui.accounts_conn()
st.title(tr("title", lang))

for kind, text in st.session_state.pop("_admin_flash", []):
    (st.success if kind == "success" else st.error)(md(text))


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("_admin_flash", []).append((kind, text))


# --- The first admin (single-user demo) ------------------------------------------------------
if not auth.accounts_exist(conn):
    st.subheader(tr("first_admin", lang))
    st.caption(tr("first_admin_help", lang))
    with st.form("first_admin"):
        name = st.text_input(account_ui.tr("sign_in_name", lang), key="first_name", max_chars=40)
        pw = st.text_input(account_ui.tr("sign_in_password", lang), type="password",
                           key="first_pw")
        pw2 = st.text_input(tr("password_again", lang), type="password", key="first_pw2")
        if st.form_submit_button(tr("create", lang), type="primary"):
            if pw != pw2:
                st.error(tr("passwords_differ", lang))
            else:
                try:
                    auth.create_first_admin(conn, name, pw)
                except CoverageError as exc:
                    st.error(md(exc.message(lang)))
                else:
                    _flash("success", tr("created", lang, name=name))
                    st.rerun()

# --- Accounts (admin) ------------------------------------------------------------------------
if account_ui.may(account, Action.MANAGE_ACCOUNTS):
    st.subheader(tr("accounts", lang))
    listed = auth.list_accounts(conn, account)
    st.dataframe(
        pd.DataFrame(
            {
                account_ui.tr("sign_in_name", lang): [a.name for a in listed],
                tr("role", lang): [a.role.label(lang) for a in listed],
                tr("province", lang): [a.province_code or "" for a in listed],
                tr("district", lang): [a.district_code or "" for a in listed],
                tr("operator", lang): [a.operator or "" for a in listed],
                tr("disabled_col", lang): [a.disabled for a in listed],
            }
        ),
        hide_index=True,
        key="accounts_table",
    )
    with st.form("add_account"):
        st.markdown(f"**{tr('add', lang)}**")
        name = st.text_input(account_ui.tr("sign_in_name", lang), key="new_name", max_chars=40)
        role = st.selectbox(tr("role", lang), list(Role), format_func=lambda r: r.label(lang),
                            key="new_role")
        c1, c2, c3 = st.columns(3)
        prov = c1.text_input(tr("province", lang), key="new_province", max_chars=2)
        dist = c2.text_input(tr("district", lang), key="new_district", max_chars=3)
        op = c3.text_input(tr("operator", lang), key="new_operator", max_chars=20)
        pw = st.text_input(account_ui.tr("sign_in_password", lang), type="password",
                           key="new_pw")
        if st.form_submit_button(tr("create", lang), type="primary"):
            try:
                new = auth.make_account(
                    name, role, province_code=prov.strip() or None,
                    district_code=dist.strip() or None, operator=op.strip() or None,
                )
                auth.add_account(conn, account, new, pw)
            except CoverageError as exc:
                st.error(md(exc.message(lang)))
            else:
                _flash("success", tr("created", lang, name=name))
                st.rerun()
    if listed:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        who = c1.selectbox(tr("disable", lang), [a.name for a in listed], key="toggle_name")
        if c2.button(tr("toggle", lang), key="toggle_btn"):
            now = next(a for a in listed if a.name == who)
            try:
                auth.set_disabled(conn, account, who, not now.disabled)
            except CoverageError as exc:
                st.error(md(exc.message(lang)))
            else:
                st.rerun()

# --- Backup and restore (admin, or the single-user demo) --------------------------------------
if account_ui.may(account, Action.BACKUP):
    st.subheader(tr("backup_header", lang))
    reg = app_common.register_conn()
    st.download_button(
        t("download_backup", lang),
        data=functools.partial(asg.backup_bytes, reg, account=account),
        file_name=f"so_phan_cong_{dt.date.today():%Y%m%d}.sqlite",
        mime="application/vnd.sqlite3", key="dl_backup", on_click="ignore",
    )
    with st.expander(t("restore_upload", lang)):
        upload = st.file_uploader(t("restore_upload", lang), type=["sqlite", "db", "sqlite3"],
                                  key="restore_file")
        confirm = st.checkbox(t("restore_confirm", lang), key="restore_ok")
        if st.button(t("restore_button", lang), disabled=upload is None or not confirm,
                     key="restore_btn"):
            try:
                # The open sessions (this account's and the others') are kept in the file.
                safety = asg.restore(upload.getvalue(), asg.default_path(), account=account)
            except CoverageError as exc:
                st.error(md(exc.message(lang)))
            else:
                st.session_state.pop("_planner_session", None)
                st.success(md(t("restored", lang, path=str(safety) if safety else "—")))
elif not account_ui.may(account, Action.MANAGE_ACCOUNTS):
    st.info(tr("not_admin", lang))
