"""The assignment register's store (geo.store.assignments, geo.store.sqlite): a backup is verified
before it replaces the register, a read-only folder is named as such, a foreign file is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from geo import assignments as A
from geo.store import assignments as S
from geo.store import sqlite as base

PAST = dt.date(2024, 1, 15)


def _village(i: int) -> dict:
    return {
        "village_id": f"VS{i:09d}",
        "village": f"Bản Thử {i}",
        "commune_code": "03323",
        "province_code": "11",
        "lon": 103.0,
        "lat": 21.5,
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def register(tmp_path) -> Path:
    """A register with two assignments, all connections closed."""
    path = tmp_path / "register.sqlite"
    s = A.open_session(path, "Lan")
    A.assign(s, _village(1), "Viettel", assigned_on=PAST)
    A.assign(s, _village(2), "VNPT", assigned_on=PAST)
    s.conn.close()
    return path


def _backup_with(tmp_path: Path, register: Path, *statements: str) -> Path:
    """A backup of ``register`` changed by ``statements`` (the tampering)."""
    out = A.backup(register, tmp_path / "backup.sqlite")
    conn = sqlite3.connect(out, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    return out


TAMPERINGS = {
    "extra-trigger": (
        [
            "CREATE TRIGGER wipe AFTER INSERT ON assignment BEGIN "
            "UPDATE assignment SET operator = 'VNPT'; END"
        ],
        "extra trigger wipe",
        "thừa trigger wipe",
    ),
    "dropped-append-only-trigger": (
        ["DROP TRIGGER history_no_update"],
        "trigger history_no_update missing",
        "thiếu trigger history_no_update",
    ),
    "altered-append-only-trigger": (
        [
            "DROP TRIGGER history_no_delete",
            "CREATE TRIGGER history_no_delete BEFORE DELETE ON history WHEN 0 "
            "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END",
        ],
        "trigger history_no_delete altered",
        "trigger history_no_delete bị sửa đổi",
    ),
    "extra-table": (
        ["CREATE TABLE notes (x TEXT)"],
        "extra table notes",
        "thừa bảng notes",
    ),
    "extra-index": (
        ["CREATE INDEX by_operator ON assignment(operator)"],
        "extra index by_operator",
        "thừa chỉ mục by_operator",
    ),
    "newer-schema": (
        [f"PRAGMA user_version = {S.SCHEMA_VERSION + 1}"],
        "newer version of the tool",
        "phiên bản mới hơn",
    ),
    "foreign-application-id": (
        ["PRAGMA application_id = 1234"],
        "another program",
        "chương trình khác",
    ),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_a_tampered_backup_is_refused_by_name_and_the_register_is_untouched(
    tmp_path, register, name
):
    statements, en, vi = TAMPERINGS[name]
    tampered = _backup_with(tmp_path, register, *statements)
    before = _sha(register)
    with pytest.raises(A.DatabaseFileError) as err:
        A.restore(tampered, register, user="Lan")
    assert en in err.value.message("en")
    assert vi in err.value.message("vi")
    assert "not changed" in err.value.message("en")
    assert _sha(register) == before
    assert not list(tmp_path.glob("*.before-restore-*"))  # nothing was even copied
    assert not list(tmp_path.glob(".restor*"))  # no staged file left behind


def test_a_backup_without_the_history_protection_says_so(tmp_path, register):
    tampered = _backup_with(
        tmp_path, register, "DROP TRIGGER history_no_update", "DROP TRIGGER history_no_delete"
    )
    with pytest.raises(A.DatabaseFileError) as err:
        A.verify_backup(tampered)
    assert "append-only protection" in err.value.message("en")
    assert "chỉ-thêm" in err.value.message("vi")
    names = [p.value for p in err.value.problems]
    assert names == ["history_no_delete", "history_no_update"]


def test_a_backup_with_a_corrupted_page_is_refused_and_the_register_untouched(tmp_path, register):
    s = A.open_session(register, "Lan")
    A.assign_many(s, pd.DataFrame([{**_village(i), "operator": "Viettel"} for i in range(10, 310)]))
    s.conn.close()
    out = A.backup(register, tmp_path / "backup.sqlite")
    data = bytearray(out.read_bytes())
    assert len(data) > 3 * 4096
    data[2 * 4096 : 3 * 4096] = os.urandom(4096)
    out.write_bytes(bytes(data))
    before = _sha(register)
    with pytest.raises(A.DatabaseFileError) as err:
        A.restore(out, register)
    assert "damaged" in err.value.message("en") and "hỏng" in err.value.message("vi")
    assert _sha(register) == before


def test_an_index_page_broken_is_found_by_the_full_integrity_check(tmp_path, register):
    """quick_check does not compare an index with its table; integrity_check does."""
    out = A.backup(register, tmp_path / "backup.sqlite")
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    # Swap the two indexes' pages: the SQL is unchanged (the schema comparison passes), every
    # page is sound (quick_check passes), but each index holds the other's entries.
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'assignment_province'"
    ).fetchone()[0]
    other = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'assignment_commune'"
    ).fetchone()[0]
    conn.execute(f"UPDATE sqlite_master SET rootpage = {other} WHERE name = 'assignment_province'")
    conn.execute(f"UPDATE sqlite_master SET rootpage = {root} WHERE name = 'assignment_commune'")
    conn.execute("PRAGMA writable_schema = OFF")
    conn.close()
    ro = sqlite3.connect(out)
    quick = [r[0] for r in ro.execute("PRAGMA quick_check")]
    full = [r[0] for r in ro.execute("PRAGMA integrity_check")]
    ro.close()
    assert quick == ["ok"] and full != ["ok"]  # the file really is inconsistent
    with pytest.raises(A.DatabaseFileError) as err:
        A.verify_backup(out)
    assert "damaged" in err.value.message("en")


def test_a_sound_backup_of_an_older_schema_is_verified_and_restored(tmp_path, register):
    out = A.backup(register, tmp_path / "backup.sqlite")
    assert A.verify_backup(out) == ("ours", S.SCHEMA_VERSION)
    safety = A.restore(out, register, user="Minh")
    assert safety is not None and safety.is_file()
    conn = A.connect(register)
    assert len(A.current(conn)) == 2 and A.verify(conn) == []
    conn.close()


def test_the_schema_comparison_finds_nothing_in_a_fresh_register(register):
    conn = A.connect(register)
    ref = base.reference(S.MIGRATIONS, S.SCHEMA_VERSION, S.APPLICATION_ID)
    assert base.verify_schema(conn, ref) == []
    ref.close()
    conn.close()


# ----------------------------------------------------------------------------- read-only, foreign


def _read_only_message(err: pytest.ExceptionInfo) -> None:
    assert isinstance(err.value, A.DatabaseReadOnlyError)
    assert isinstance(err.value, PermissionError) and isinstance(err.value, A.DatabaseFileError)
    en, vi = err.value.message("en"), err.value.message("vi")
    assert "read-only" in en and "damaged" not in en
    assert "chỉ đọc" in vi and "hỏng" not in vi
    assert "Choose a writable folder, or set $COVERAGE_ASSIGNMENTS_DB" in en
    assert "Hãy chọn thư mục ghi được, hoặc đặt biến môi trường $COVERAGE_ASSIGNMENTS_DB" in vi


def test_a_register_in_a_read_only_folder_is_named_read_only(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    s = A.open_session(folder / "r.sqlite", "Lan")
    A.assign(s, _village(1), "Viettel", assigned_on=PAST)
    s.conn.close()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root ignores the mode bits: honour them as others do
            real = os.access
            monkeypatch.setattr(
                base.os,
                "access",
                lambda p, mode: real(p, mode) and not (Path(p) == folder and mode & os.W_OK),
            )
        before = _sha(folder / "r.sqlite")
        with pytest.raises(A.DatabaseFileError) as err:
            A.connect(folder / "r.sqlite")
        _read_only_message(err)
        with pytest.raises(A.DatabaseFileError) as err:
            A.connect(folder / "new.sqlite")  # a new register there neither
        _read_only_message(err)
        assert _sha(folder / "r.sqlite") == before
    finally:
        folder.chmod(0o755)


def test_sqlite_saying_readonly_database_is_reported_read_only_not_damaged(tmp_path, monkeypatch):
    path = tmp_path / "r.sqlite"
    A.connect(path).close()
    real = sqlite3.connect

    def readonly(*args, **kwargs):
        conn = real(*args, **kwargs)
        if args and str(args[0]) == str(path):  # the writer, not the read-only look
            conn.close()
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return conn

    monkeypatch.setattr(base.sqlite3, "connect", readonly)
    with pytest.raises(A.DatabaseFileError) as err:
        A.connect(path)
    _read_only_message(err)


def test_the_shared_inspect_refuses_a_file_of_another_store(tmp_path):
    path = tmp_path / "accounts.sqlite"
    conn = base.connect_wal(
        path,
        application_id=0x12345678,
        schema_version=1,
        migrations={1: ["CREATE TABLE account (name TEXT PRIMARY KEY)"]},
        what_en="an account store",
        what_vi="kho tài khoản",
    )
    conn.close()
    before = _sha(path)
    with pytest.raises(A.DatabaseFileError) as err:
        A.connect(path)
    assert "another program, not an assignment register" in err.value.message("en")
    assert "không phải sổ phân công" in err.value.message("vi")
    assert _sha(path) == before
    assert base.inspect_file(path, 0x12345678, 1, "an account store", "kho tài khoản") == (
        "ours",
        1,
    )
