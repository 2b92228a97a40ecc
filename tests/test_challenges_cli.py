"""``python -m geo challenges``: exit codes (0 done, 2 bad input or a refused step, 3 overdue
challenges listed), the acting account (``--user`` for the console, ``--account`` for a stored
one), the exports. The stores are temporary; the challenges are made in the test."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from geo import auth
from geo import challenges as ch
from geo.__main__ import main
from geo.store import accounts as accounts_store
from geo.store import challenges as store

PASSWORD = "núi-cao-bản-xa-2025"


def _village(vid: str) -> dict:
    return {
        "village_id": vid,
        "village": f"Bản {vid}",
        "district_code": "099",
        "province_code": "11",
        "Viettel": True,
    }


@pytest.fixture
def stores(tmp_path, monkeypatch):
    """A challenge store with one overdue challenge (1) and one within its deadline (2), both
    Viettel's, and an account store with an operator account of Viettel and one of VNPT."""
    monkeypatch.setenv(store.DB_ENV, str(tmp_path / "challenges.sqlite"))
    monkeypatch.setenv(accounts_store.DB_ENV, str(tmp_path / "accounts.sqlite"))
    monkeypatch.chdir(tmp_path)
    acc = accounts_store.connect()
    for name, op in (("viettel_db", "Viettel"), ("vnpt_db", "VNPT")):
        account = auth.make_account(name, "operator", operator=op)
        auth.add_account(acc, auth.CONSOLE, account, PASSWORD)
    acc.close()
    conn = ch.connect()
    proof = ch.Proof(note="đo tại nhà văn hóa")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    ch.raise_challenge(
        conn, auth.CONSOLE, _village("V1"), "Viettel", reason="=1+1", proof=proof, now=long_ago
    )
    ch.raise_challenge(
        conn, auth.CONSOLE, _village("V2"), "Viettel", reason="mất sóng", proof=proof
    )
    conn.close()
    return tmp_path


def _run(args, capsys) -> tuple[int, str, str]:
    code = main(["challenges", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_exits_3_when_a_challenge_is_overdue_and_writes_the_open_list(stores, capsys):
    code, out, err = _run(["list"], capsys)
    assert code == 3 and "1 overdue" in err
    table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert table["Số phản ánh"].tolist() == ["1", "2"]
    assert table["Quá hạn giải trình"].tolist() == ["có", "không"]
    assert table["Lý do"].iloc[0] == "'=1+1"  # formula-like text quoted


def test_an_answer_after_the_deadline_exits_2_naming_the_deadline(stores, capsys):
    code, _out, err = _run(["answer", "1", "--answer", "accept", "--account", "viettel_db"], capsys)
    assert code == 2 and "has passed" in err


def test_another_operators_account_cannot_answer_and_the_operator_concerned_can(stores, capsys):
    code, _out, err = _run(["answer", "2", "--answer", "accept", "--account", "vnpt_db"], capsys)
    assert code == 2 and "'vnpt_db'" in err and "Viettel" in err
    code, out, _err = _run(["answer", "2", "--answer", "accept", "--account", "viettel_db"], capsys)
    assert code == 0 and out.startswith("2\taccepted")
    conn = ch.connect()
    assert ch.get(conn, auth.CONSOLE, 2)["answered_by"] == "viettel_db"
    conn.close()


def test_the_console_decides_under_the_user_name_and_bad_input_exits_2(stores, capsys):
    code, _out, err = _run(["decide", "2", "--decision", "upheld", "--note", "ok"], capsys)
    assert code == 2 and "within its deadline" in err
    args = ["decide", "1", "--decision", "upheld", "--note", "quá hạn", "--user", "Lò Văn Minh"]
    code, out, _err = _run(args, capsys)
    assert code == 0 and out.startswith("1\tdecided")
    conn = ch.connect()
    assert ch.get(conn, auth.CONSOLE, 1)["decided_by"] == "Lò Văn Minh"
    conn.close()
    code, _out, err = _run(["decide", "99", "--decision", "upheld", "--note", "x"], capsys)
    assert code == 2 and "No challenge has the number 99" in err
    code, _out, err = _run(["answer", "2", "--answer", "accept", "--account", "ai_do"], capsys)
    assert code == 2 and "No account is named 'ai_do'" in err


def test_history_lists_the_steps_and_an_operator_sees_only_its_own(stores, capsys):
    _run(["answer", "2", "--answer", "accept", "--account", "viettel_db"], capsys)
    code, out, _err = _run(["history", "2", "--lang", "en"], capsys)
    table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert code == 0 and table["Step"].tolist() == ["Raised", "Answered"]
    assert table["By"].tolist()[1] == "viettel_db"
    code, _out, err = _run(["history", "2", "--account", "vnpt_db"], capsys)
    assert code == 2 and "'vnpt_db'" in err


def test_a_photo_that_is_not_an_image_exits_2_naming_the_option(stores, capsys):
    (stores / "anh.jpg").write_text("không phải ảnh", encoding="utf-8")
    args = ["answer", "2", "--answer", "rebut", "--photo", "anh.jpg", "--account", "viettel_db"]
    code, _out, err = _run(args, capsys)
    assert code == 2 and "--photo" in err and "anh.jpg is not a JPEG or PNG image" in err
    args = ["answer", "2", "--answer", "rebut", "--median-dbm", "-110"]
    code, _out, err = _run(args, capsys)
    assert code == 2 and "--measured-count" in err


def test_export_writes_xlsx_without_formulas_and_refuses_another_format(stores, capsys):
    code, _out, _err = _run(["export", "--output", "phan_anh.xlsx", "--lang", "en"], capsys)
    assert code == 0
    wb = openpyxl.load_workbook(stores / "phan_anh.xlsx")
    assert wb.sheetnames == ["Challenges", "Steps"]
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert "=1+1" in {c.value for c in cells}
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    code, _out, _err = _run(["export", "--output", "phan_anh.csv", "--open-only"], capsys)
    assert code == 0 and (stores / "phan_anh.csv").read_text(encoding="utf-8-sig").count("\n") == 3
    code, _out, err = _run(["export", "--output", "phan_anh.pdf"], capsys)
    assert code == 2 and "use .xlsx or .csv" in err


@pytest.mark.realdata
def test_raise_reads_the_villages_status_from_the_province_model(stores, capsys, real_data):
    from geo import province

    vid = province.load_province("11").villages.sort_values("village_id")["village_id"].iloc[0]
    args = [
        "raise",
        "--province",
        "11",
        "--village-id",
        vid,
        "--operator",
        "Viettel",
        "--reason",
        "mất sóng",
        "--note",
        "đo",
        "--demo",
        "--user",
        "Lò Văn Minh",
    ]
    code, out, err = _run(args, capsys)
    assert code == 0 and out.startswith("3\topen") and "SYNTHETIC" in err
    code, _out, err = _run([*args[:4], "NOPE", *args[5:]], capsys)
    assert code == 2 and "No village has the id NOPE" in err
    code, _out, err = _run([*args, "--account", "viettel_db"], capsys)
    assert code == 2 and "'viettel_db'" in err  # an operator may not raise
