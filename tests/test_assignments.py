"""The assignment register (geo.assignments): status rules, proposals, history and undo, version
conflicts between planners, durability when a writer is killed, damaged files, backup, the
Phụ lục 2 round trip (layers.assignments_xlsx) and the command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geo import assignments as A
from geo import plans
from geo.__main__ import main
from geo.errors import CoverageError, InputError
from geo.operators import OPERATORS
from geo.store import assignments as S
from layers import assignments_xlsx as X

ROOT = Path(__file__).resolve().parent.parent
PLAN_CSV = ROOT / "data" / "plans" / "dienbien_4638_phu_luc_2.csv"
PLAN_ARGS = ("--province", "11", "--decision", "4638/KH-UBND", "--decision-date", "15/12/2020")
"""The plan's list is imported as the planner names it: province and decision (the file's
``document`` columns are not read; the staged reader reads the table only)."""
PAST = dt.date(2024, 1, 15)


def village(i: int, commune: str = "03323", district: str = "100", **extra) -> dict:
    """A village record as the model's status frame gives it (only what the register needs)."""
    return {
        "village_id": f"VT{i:09d}",
        "village": f"Bản Thử {i}",
        "commune_code": commune,
        "commune": "Xã Hua Thanh",
        "commune_2025_code": "03328",
        "district_code": district,
        "district": f"Huyện {district}",
        "province_code": "11",
        "province": "Tỉnh Điện Biên",
        "lon": 103.0 + i * 1e-3,
        "lat": 21.5,
        "location_precision": "point",
        **extra,
    }


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "register.sqlite"


@pytest.fixture
def lan(db):
    s = A.open_session(db, "Lan", client="test")
    yield s
    s.conn.close()


# ----------------------------------------------------------------------------- the file itself


def test_a_new_register_is_wal_full_sync_with_schema_version_and_id(lan, db):
    conn = lan.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == int(A.BUSY_TIMEOUT_S * 1000)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == A.SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == A.APPLICATION_ID
    row = conn.execute("SELECT user, client FROM session").fetchone()
    assert tuple(row) == ("Lan", "test")
    assert A.verify(lan) == []


def test_the_location_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv(A.DB_ENV, str(tmp_path / "x" / "reg.sqlite"))
    assert A.default_path() == tmp_path / "x" / "reg.sqlite"
    conn = A.connect()
    conn.close()
    assert (tmp_path / "x" / "reg.sqlite").is_file()
    monkeypatch.delenv(A.DB_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert A.default_path() == tmp_path / "xdg" / "vn-coverage" / "assignments.sqlite"


def test_a_session_needs_a_name(db):
    with pytest.raises(InputError):
        A.open_session(db, "   ")


def _foreign(path: Path) -> None:
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    c.execute("INSERT INTO customers (name) VALUES ('x')")
    c.commit()
    c.close()


def _newer(path: Path) -> None:
    conn = A.connect(path)
    conn.execute(f"PRAGMA user_version = {A.SCHEMA_VERSION + 1}")
    conn.close()


def _damaged(path: Path) -> None:
    s = A.open_session(path, "Lan")
    A.assign_many(s, pd.DataFrame([{**village(i), "operator": "Viettel"} for i in range(300)]))
    s.conn.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * 4096
    data[2 * 4096 : 3 * 4096] = os.urandom(4096)  # a page of the tables overwritten
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: p.write_bytes(os.urandom(5000)), id="random-bytes"),
        pytest.param(lambda p: p.write_text("village_id,operator\nV1,Viettel\n"), id="csv-file"),
        pytest.param(_foreign, id="another-programs-sqlite"),
        pytest.param(_newer, id="newer-schema"),
        pytest.param(_damaged, id="damaged-page"),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_and_left_untouched(tmp_path, make):
    path = tmp_path / "file.sqlite"
    make(path)
    before = path.read_bytes()
    with pytest.raises(A.DatabaseFileError) as err:
        A.connect(path)
    assert isinstance(err.value, OSError) and isinstance(err.value, CoverageError)
    assert "not changed" in str(err.value) and "không bị thay đổi" in err.value.message("vi")
    assert path.read_bytes() == before
    wal = Path(str(path) + "-wal")  # a WAL-mode reader may leave an empty one, nothing more
    assert not wal.exists() or wal.stat().st_size == 0
    with pytest.raises(A.DatabaseFileError):
        A.restore(before, tmp_path / "other.sqlite")  # nor restored from


def test_migrations_run_once_per_version_and_keep_the_data(db, monkeypatch):
    s = A.open_session(db, "Lan")
    A.assign(s, village(1), "Viettel", assigned_on=PAST)
    s.conn.close()
    nxt = A.SCHEMA_VERSION + 1
    migrations = {
        **A.MIGRATIONS,
        nxt: ["ALTER TABLE assignment ADD COLUMN budget_vnd INTEGER"],
    }
    monkeypatch.setattr(S, "MIGRATIONS", migrations)
    monkeypatch.setattr(S, "SCHEMA_VERSION", nxt)
    conn = A.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == nxt
    cols = [r[1] for r in conn.execute("PRAGMA table_info(assignment)")]
    assert "budget_vnd" in cols
    assert A.get(conn, "VT000000001")["operator"] == "Viettel"
    conn.close()
    A.connect(db).close()  # already at the new version: nothing runs again


def _version_1_register(path: Path) -> None:
    """A register as version 1 of the schema wrote it, with one assignment and its history."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in A.MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {A.APPLICATION_ID}")
    conn.execute("INSERT INTO session VALUES (1, 'Lan', '2024-01-15T02:00:00+00:00', 'app')")
    conn.execute(
        "INSERT INTO assignment (village_id, commune_code, province_code, village, operator, "
        "target_year, status, assigned_on, version, updated_by, updated_at) VALUES "
        "('VT000000001', '03323', '11', 'Bản Thử 1', 'Viettel', 2025, 'assigned', "
        "'2024-01-15', 1, 'Lan', '2024-01-15T02:00:00+00:00')"
    )
    conn.execute(
        "INSERT INTO history (village_id, version, action, old_value, new_value, user, "
        "session_id, at) VALUES ('VT000000001', 1, 'assign', NULL, "
        "'{\"operator\": \"Viettel\"}', 'Lan', 1, '2024-01-15T02:00:00+00:00')"
    )
    conn.close()


def test_a_version_1_register_gains_target_year_source_and_keeps_working(db, tmp_path):
    _version_1_register(db)
    s = A.open_session(db, "Minh")
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == 2
    a = A.get(s, "VT000000001")
    assert (a["operator"], a["target_year"], a["target_year_source"]) == ("Viettel", 2025, "")
    A.set_status(s, "VT000000001", "under_construction", expected_version=1, on=PAST)
    b = A.assign(
        s,
        village(2),
        "VNPT",
        target_year=2026,
        assigned_on=PAST,
        target_year_source="Quyết định 12/QĐ-UBND",
    )
    assert b["target_year_source"] == "Quyết định 12/QĐ-UBND"
    # The planner changing the year makes it theirs; the source goes with the old year.
    c = A.edit(s, b["village_id"], expected_version=1, target_year=2027)
    assert (c["target_year"], c["target_year_source"]) == (2027, "")
    assert A.verify(s) == []
    s.conn.close()
    # A version 1 backup restored is migrated too.
    old = tmp_path / "v1-backup.sqlite"
    _version_1_register(old)
    A.restore(old, db)
    conn = A.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert A.current(conn)["target_year_source"].tolist() == [""]
    conn.close()


def test_history_is_append_only(lan):
    A.assign(lan, village(1), "Viettel", assigned_on=PAST)
    with pytest.raises(sqlite3.IntegrityError):
        lan.conn.execute("UPDATE history SET user = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError):
        lan.conn.execute("DELETE FROM history")


# ----------------------------------------------------------------------------- status rules


@pytest.mark.parametrize("now", A.STATUSES)
@pytest.mark.parametrize("to", A.STATUSES)
def test_each_status_moves_only_one_step_forward_or_to_cancelled(now, to):
    before = {"village": "Bản", "status": now, A.STATUS_DATE_FIELDS[now]: "2022-01-01"}
    allowed = {
        ("assigned", "under_construction"),
        ("under_construction", "on_air"),
        ("on_air", "verified"),
        ("assigned", "cancelled"),
        ("under_construction", "cancelled"),
        ("on_air", "cancelled"),
    }
    if (now, to) in allowed:
        A.check_transition(before, to, dt.date(2022, 6, 1))
    else:
        with pytest.raises(A.StatusTransitionError):
            A.check_transition(before, to, dt.date(2022, 6, 1))


def test_an_assignment_moves_through_its_statuses_each_change_dated(lan):
    a = A.assign(
        lan,
        village(1),
        "vinaphone",
        target_year=2025,
        decision="4638/KH-UBND",
        decision_date="15/12/2020",
        note="đường vào khó",
        assigned_on="2021-01-04",
    )
    assert (a["operator"], a["status"], a["version"]) == ("VNPT", "assigned", 1)
    assert (a["decision_date"], a["assigned_on"]) == ("2020-12-15", "2021-01-04")
    vid = a["village_id"]
    a = A.set_status(lan, vid, "under_construction", expected_version=1, on="2022-03-01")
    a = A.set_status(lan, vid, "on_air", expected_version=2, on=dt.date(2023, 5, 20))
    a = A.set_status(lan, vid, "verified", expected_version=3, on="01/06/2023")
    assert a["status"] == "verified" and a["version"] == 4
    assert (a["construction_on"], a["on_air_on"], a["verified_on"]) == (
        "2022-03-01",
        "2023-05-20",
        "2023-06-01",
    )
    row = A.current(lan).iloc[0]
    assert row["status_date"] == "2023-06-01"
    with pytest.raises(A.StatusTransitionError):  # verified is final
        A.set_status(lan, vid, "cancelled", expected_version=4)


def test_status_dates_cannot_go_back_or_into_the_future(lan):
    A.assign(lan, village(1), "Viettel", assigned_on="2022-05-01")
    vid = "VT000000001"
    with pytest.raises(A.StatusTransitionError, match="before"):
        A.set_status(lan, vid, "under_construction", expected_version=1, on="2022-04-30")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(A.StatusTransitionError, match="future"):
        A.set_status(lan, vid, "under_construction", expected_version=1, on=tomorrow)
    with pytest.raises(A.StatusTransitionError):  # skipping a step
        A.set_status(lan, vid, "on_air", expected_version=1, on="2022-06-01")
    assert A.get(lan, vid)["version"] == 1  # nothing written by the refused changes


def test_a_village_is_assigned_again_only_after_cancellation(lan):
    A.assign(lan, village(1), "Viettel", assigned_on=PAST)
    with pytest.raises(InputError, match="already assigned"):
        A.assign(lan, village(1), "VNPT", expected_version=1)
    A.set_status(lan, "VT000000001", "cancelled", expected_version=1, on=PAST)
    a = A.assign(lan, village(1), "VNPT", expected_version=2, assigned_on=PAST)
    assert (a["operator"], a["status"], a["cancelled_on"], a["version"]) == (
        "VNPT",
        "assigned",
        None,
        3,
    )


def test_the_operator_changes_only_while_assigned(lan):
    A.assign(lan, village(1), "Viettel", assigned_on=PAST)
    a = A.edit(lan, "VT000000001", expected_version=1, operator="MobiFone", target_year=2026)
    assert (a["operator"], a["target_year"], a["version"]) == ("MobiFone", 2026, 2)
    A.set_status(lan, "VT000000001", "under_construction", expected_version=2, on=PAST)
    with pytest.raises(A.StatusTransitionError):
        A.edit(lan, "VT000000001", expected_version=3, operator="Viettel")
    a = A.edit(lan, "VT000000001", expected_version=3, note="chờ điện lưới")
    assert a["note"] == "chờ điện lưới"
    with pytest.raises(InputError):
        A.edit(lan, "VT000000001", expected_version=4, operator="S-Fone")
    with pytest.raises(InputError):
        A.edit(lan, "VT000000001", expected_version=4, status="verified")


# ----------------------------------------------------------------------------- history and undo


def test_every_change_is_in_the_history_with_who_when_old_and_new(db):
    lan = A.open_session(db, "Lan")
    minh = A.open_session(db, "Minh")
    A.assign(lan, village(1), "Viettel", target_year=2025, assigned_on=PAST)
    A.set_status(minh, "VT000000001", "under_construction", expected_version=1, on=PAST)
    A.edit(lan, "VT000000001", expected_version=2, note="đã khảo sát")
    h = A.history(lan, "VT000000001")
    changes = h.drop_duplicates("change_id")
    assert changes["action"].tolist() == ["assign", "status", "edit"]
    assert changes["user"].tolist() == ["Lan", "Minh", "Lan"]
    assert changes["version"].tolist() == [1, 2, 3]
    assert all(dt.datetime.fromisoformat(t) for t in changes["at"])
    status = h[(h["action"] == "status") & (h["field"] == "status")].iloc[0]
    assert (status["old_value"], status["new_value"]) == ("assigned", "under_construction")
    date = h[(h["action"] == "status") & (h["field"] == "construction_on")].iloc[0]
    assert (date["old_value"], date["new_value"]) == (None, PAST.isoformat())
    created = h[h["action"] == "assign"].set_index("field")
    assert created.loc["operator", "new_value"] == "Viettel"
    assert created.loc["operator", "old_value"] is None
    lan.conn.close()
    minh.conn.close()


def test_undo_reverts_the_last_change_then_the_one_before(lan):
    A.assign(lan, village(1), "Viettel", target_year=2025, assigned_on=PAST)
    A.set_status(lan, "VT000000001", "under_construction", expected_version=1, on=PAST)
    A.edit(lan, "VT000000001", expected_version=2, note="sai")

    a = A.undo_last(lan, "VT000000001", expected_version=3)
    assert (a["note"], a["status"], a["version"]) == ("", "under_construction", 4)
    a = A.undo_last(lan, "VT000000001", expected_version=4)
    assert (a["status"], a["construction_on"], a["version"]) == ("assigned", None, 5)
    h = A.history(lan, "VT000000001").drop_duplicates("change_id").set_index("change_id")
    assert h["action"].tolist() == ["assign", "status", "edit", "undo", "undo"]
    undone = h.loc[h["action"] != "undo", "undone"].tolist()
    assert undone == [False, True, True]
    assert h.loc[h["action"] == "undo", "undoes"].tolist() == [3, 2]

    assert A.undo_last(lan, "VT000000001", expected_version=5) is None  # the creation
    assert A.get(lan, "VT000000001") is None
    with pytest.raises(A.NothingToUndoError):
        A.undo_last(lan, "VT000000001", expected_version=0)
    a = A.assign(lan, village(1), "VNPT", assigned_on=PAST)  # versions go on, never reused
    assert a["version"] == 7
    assert A.verify(lan) == []


# ----------------------------------------------------------------------------- two planners


def test_the_second_writer_of_a_stale_row_gets_the_current_value_and_overwrites_nothing(db):
    lan = A.open_session(A.connect(db), "Lan")
    minh = A.open_session(A.connect(db), "Minh")  # another connection to the same file
    A.assign(lan, village(1), "Viettel", target_year=2025, assigned_on=PAST)
    seen_by_minh = A.get(minh, "VT000000001")
    seen_by_lan = A.get(lan, "VT000000001")
    assert seen_by_minh["version"] == seen_by_lan["version"] == 1

    A.set_status(lan, "VT000000001", "under_construction", expected_version=1, on=PAST)
    with pytest.raises(A.StaleWriteError) as err:
        A.edit(minh, "VT000000001", expected_version=seen_by_minh["version"], operator="VNPT")
    e = err.value
    assert isinstance(e, RuntimeError) and isinstance(e, CoverageError)
    assert e.current["version"] == 2 and e.current["status"] == "under_construction"
    assert e.expected_version == 1 and e.village_id == "VT000000001"
    assert "Lan" in str(e) and "Nothing was overwritten" in str(e)
    assert "Không có gì bị ghi đè" in e.message("vi")
    assert e.field == "version" and not e.message("vi").startswith("cột")
    now = A.get(lan, "VT000000001")
    assert (now["operator"], now["status"], now["version"]) == ("Viettel", "under_construction", 2)
    assert len(A.history(lan, "VT000000001").drop_duplicates("change_id")) == 2

    # Two planners assigning the same new village: the second is told, not overwritten.
    A.assign(minh, village(2), "MobiFone", assigned_on=PAST)
    with pytest.raises(A.StaleWriteError) as err:
        A.assign(lan, village(2), "Viettel", assigned_on=PAST, expected_version=0)
    assert err.value.current["operator"] == "MobiFone"
    lan.conn.close()
    minh.conn.close()


def test_a_stale_write_says_who_when_in_vietnam_time_and_the_current_value(db, monkeypatch):
    lan = A.open_session(db, "Lan")
    minh = A.open_session(A.connect(db), "Minh")
    A.assign(lan, village(1), "VNPT", target_year=2025, assigned_on=PAST)
    monkeypatch.setattr(S, "now", lambda: "2025-03-05T07:20:00+00:00")  # 14:20 in Hà Nội
    A.set_status(lan, "VT000000001", "under_construction", expected_version=1, on=PAST)
    with pytest.raises(A.StaleWriteError) as err:
        A.edit(minh, "VT000000001", expected_version=1, note="x")
    e = err.value
    assert e.field == "version" and e.current["version"] == 2
    assert e.message("vi") == (
        "Bản Thử 1 (VT000000001) đã được Lan thay đổi lúc 05/03/2025 14:20 (giờ Việt Nam) sau "
        "khi bạn mở. Hiện tại: doanh nghiệp VNPT (Vinaphone), trạng thái Đang xây dựng, năm "
        "mục tiêu 2025. Không có gì bị ghi đè và thay đổi của bạn chưa được lưu; hãy xem giá "
        "trị hiện tại và làm lại nếu vẫn cần."
    )
    assert (
        e.message("en")
        == str(e)
        == (
            "Bản Thử 1 (VT000000001) was changed by Lan at 05/03/2025 14:20 (Vietnam time) after "
            "you opened it. Now: operator VNPT (Vinaphone), status Under construction, target "
            "year 2025. Nothing was overwritten and your change was not saved; look at the "
            "current value and make your change again if it still holds."
        )
    )
    # The assignment's creation undone meanwhile: the message says so, by the village's name.
    A.undo_last(lan, "VT000000001", expected_version=2)
    A.undo_last(lan, "VT000000001", expected_version=3)
    with pytest.raises(A.StaleWriteError) as err:
        A.edit(minh, "VT000000001", expected_version=3, note="x")
    assert err.value.current is None
    assert err.value.message("vi").startswith("Bản Thử 1 (VT000000001) đã được Lan thay đổi lúc")
    assert "Hiện tại: thôn/bản không còn phân công" in err.value.message("vi")
    lan.conn.close()
    minh.conn.close()


def test_a_writer_blocked_past_the_busy_timeout_gets_a_clear_error(db):
    lan = A.open_session(db, "Lan")
    minh = A.open_session(A.connect(db, timeout=0.2), "Minh")
    lan.conn.execute("BEGIN IMMEDIATE")  # Lan's write is in progress
    try:
        with pytest.raises(A.DatabaseBusyError) as err:
            A.assign(minh, village(1), "Viettel", assigned_on=PAST)
        assert isinstance(err.value, TimeoutError) and "busy" in str(err.value)
    finally:
        lan.conn.execute("ROLLBACK")
    assert A.assign(minh, village(1), "Viettel", assigned_on=PAST)["version"] == 1
    lan.conn.close()
    minh.conn.close()


# ----------------------------------------------------------------------------- durability

_WRITER = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from geo import assignments as A

    db, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = A.open_session(db, "writer")

    def village(i):
        return {"village_id": f"VK{i:09d}", "village": f"Bản {i}", "commune_code": "03323",
                "province_code": "11", "lon": 103.0, "lat": 21.5}

    for i in range(n):  # n committed writes
        A.assign(s, village(i), "Viettel", target_year=2025)
    print("COMMITTED", flush=True)

    from geo.store import assignments as S
    real = S.append_history
    def stall(conn, entries):
        real(conn, entries)  # rows and history written inside the open transaction
        print("INSIDE", flush=True)
        time.sleep(600)
    S.append_history = stall

    if mode == "insert":
        A.assign(s, village(n), "VNPT", target_year=2026)
    elif mode == "bulk":
        A.assign_many(s, pd.DataFrame([{**village(i), "operator": "VNPT"}
                                       for i in range(n, n + 500)]))
    else:
        A.set_status(s, village(0)["village_id"], "under_construction", expected_version=1)
    """
)


def _lines(proc: subprocess.Popen) -> queue.Queue:
    """The writer's stdout lines, read by a thread (a pipe's buffer hides lines from select)."""
    q: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            q.put(line.strip())

    threading.Thread(target=pump, daemon=True).start()
    return q


def _next(q: queue.Queue, proc: subprocess.Popen, timeout: float = 60.0) -> str:
    try:
        return q.get(timeout=timeout)
    except queue.Empty:
        proc.kill()
        raise AssertionError(
            f"the writer said nothing in {timeout} s: {proc.stderr.read()}"
        ) from None


@pytest.mark.parametrize("mode", ["insert", "bulk", "update"])
def test_a_writer_killed_mid_transaction_loses_no_commit_and_leaves_no_half_write(db, mode):
    n = 25
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db), mode, str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        lines = _lines(proc)
        assert _next(lines, proc) == "COMMITTED"
        assert _next(lines, proc) == "INSIDE"
        # While the writer sits in its open transaction, readers see only what was committed.
        reader = A.connect(db)
        assert len(A.current(reader)) == n
        reader.close()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    conn = A.connect(db)  # not refused: the file is sound
    assert A.verify(conn) == []
    now = A.current(conn)
    assert len(now) == n
    assert set(now["village_id"]) == {f"VK{i:09d}" for i in range(n)}
    assert (now["operator"] == "Viettel").all() and (now["status"] == "assigned").all()
    assert (now["version"] == 1).all()
    h = A.history(conn)
    assert h["change_id"].nunique() == n
    # The register works on after the crash.
    s = A.open_session(conn, "after")
    A.set_status(s, "VK000000000", "under_construction", expected_version=1)
    conn.close()


# ----------------------------------------------------------------------------- backup, restore


def test_backup_and_restore_round_trip_with_a_safety_copy(db, tmp_path):
    lan = A.open_session(db, "Lan")
    A.assign(lan, village(1), "Viettel", assigned_on=PAST)
    copy = A.backup(lan, tmp_path / "backups" / "b.sqlite")  # while the register is open
    A.set_status(lan, "VT000000001", "under_construction", expected_version=1, on=PAST)
    A.assign(lan, village(2), "VNPT", assigned_on=PAST)
    lan.conn.close()

    assert not Path(str(copy) + "-wal").exists()  # one self-contained file
    safety = A.restore(copy, db)
    conn = A.connect(db)
    now = A.current(conn)
    assert now["village_id"].tolist() == ["VT000000001"] and now["status"].tolist() == ["assigned"]
    assert A.verify(conn) == []
    conn.close()
    old = A.connect(safety)
    assert len(A.current(old)) == 2
    old.close()

    # From the bytes an upload gives, into a new file.
    fresh = tmp_path / "fresh" / "r.sqlite"
    assert A.restore(A.backup_bytes(db), fresh) is None
    conn = A.connect(fresh)
    assert A.current(conn)["village_id"].tolist() == ["VT000000001"]
    conn.close()


def test_open_sessions_keep_working_after_a_restore(db, tmp_path):
    lan = A.open_session(db, "Lan")
    A.assign(lan, village(1), "Viettel", assigned_on=PAST)
    copy = A.backup(lan, tmp_path / "b.sqlite")
    minh = A.open_session(A.connect(db), "Minh")  # opened after the backup was made
    A.assign(minh, village(2), "VNPT", assigned_on=PAST)

    A.restore(copy, db, user="Lan")
    assert A.current(minh)["village_id"].tolist() == ["VT000000001"]
    # Both planners write on with the sessions they had, checked against the restored rows.
    A.assign(minh, village(3), "MobiFone", assigned_on=PAST)
    A.set_status(lan, "VT000000001", "under_construction", expected_version=1, on=PAST)
    h = A.history(minh).drop_duplicates("change_id")
    assert h["user"].tolist() == ["Lan", "Minh", "Lan"]
    assert A.verify(minh) == []
    sessions = [tuple(r) for r in minh.conn.execute("SELECT user, client FROM session")]
    assert sessions == [("Lan", ""), ("Minh", ""), ("Lan", "restore")]
    lan.conn.close()
    minh.conn.close()


def test_a_session_the_restored_backup_does_not_know_gets_a_clear_error(db, tmp_path, monkeypatch):
    lan = A.open_session(db, "Lan")
    A.assign(lan, village(1), "Viettel", assigned_on=PAST)
    other = tmp_path / "other.sqlite"  # another register: its session 1 is someone else's
    s = A.open_session(other, "Hùng")
    A.assign(s, village(7), "VNPT", assigned_on=PAST)
    s.conn.close()
    monkeypatch.setattr(S, "now", lambda: "2025-03-05T07:20:00+00:00")
    A.restore(other, db)

    for write in (
        lambda: A.assign(lan, village(2), "VNPT", assigned_on=PAST),
        lambda: A.assign_many(lan, pd.DataFrame([{**village(3), "operator": "Viettel"}])),
        lambda: A.set_status(lan, "VT000000007", "under_construction", expected_version=1),
    ):
        with pytest.raises(A.RegisterRestoredError) as err:
            write()
        assert isinstance(err.value, CoverageError) and not isinstance(err.value, sqlite3.Error)
        assert err.value.message("en").startswith(
            "The register was restored from a backup at 05/03/2025 14:20 (Vietnam time) and no "
            "longer knows your session; nothing was written. Start a new session"
        )
        assert err.value.message("vi").startswith(
            "Sổ phân công đã được khôi phục từ bản sao lưu lúc 05/03/2025 14:20 (giờ Việt Nam)"
        )
        assert "Hãy bắt đầu phiên mới" in err.value.message("vi")
    assert A.current(lan)["village_id"].tolist() == ["VT000000007"]  # nothing written
    assert A.get(lan, "VT000000007")["status"] == "assigned"
    fresh = A.open_session(lan.conn, "Lan")  # a new session works
    A.assign(fresh, village(2), "VNPT", assigned_on=PAST)
    assert A.verify(fresh) == []
    lan.conn.close()


def test_restore_never_overwrites_a_foreign_file(tmp_path):
    s = A.open_session(tmp_path / "r.sqlite", "Lan")
    A.assign(s, village(1), "Viettel", assigned_on=PAST)
    s.conn.close()
    target = tmp_path / "theirs.sqlite"
    _foreign(target)
    before = target.read_bytes()
    with pytest.raises(A.DatabaseFileError):
        A.restore(tmp_path / "r.sqlite", target)
    assert target.read_bytes() == before


# ----------------------------------------------------------------------------- proposal


def _points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    """Points given in metres in UTM 48N (the zone metric_crs picks here), in EPSG:4326."""
    return gpd.GeoSeries(shapely.points(np.array(xy)), crs=32648).to_crs(4326)


def test_the_proposal_is_the_operator_with_the_nearest_site_ties_to_more_sites_in_the_commune():
    x0, y0 = 500_000.0, 2_380_000.0
    communes = gpd.GeoDataFrame(
        {"commune_code": ["00001", "00002"]},
        geometry=gpd.GeoSeries(
            [
                box(x0 - 20_000, y0 - 20_000, x0 + 20_000, y0 + 20_000),
                box(x0 + 80_000, y0 - 20_000, x0 + 120_000, y0 + 20_000),
            ],
            crs=32648,
        ).to_crs(4326),
    )
    villages = gpd.GeoDataFrame(
        {"village_id": ["A", "B"], "commune_code": ["00001", "00002"]},
        geometry=_points([(x0, y0), (x0 + 100_000, y0)]),
    )
    sites = gpd.GeoDataFrame(
        {
            "operator": ["Viettel", "VNPT", "MobiFone", "VNPT", "Viettel", "VNPT"],
            "technology": ["4G", "3G", "2G", "4G", "4G", "4G"],
        },
        geometry=_points(
            [
                (x0 + 5_200, y0),  # A: Viettel 5.2 km
                (x0, y0 + 6_000),  # A: VNPT 6 km
                (x0 + 1_000, y0),  # A: MobiFone 1 km, but 2G: not mobile broadband
                (x0 + 97_000, y0),  # B: VNPT 3 km ...
                (x0 + 97_000, y0 + 10),  # ... and Viettel 3 km at the same mast: a tie
                (x0 + 110_000, y0 + 5_000),  # B: a second VNPT site in commune 00002
            ]
        ),
    )
    p = A.propose(villages, sites, communes)
    assert p.index.equals(villages.index)
    a, b = p.iloc[0], p.iloc[1]
    assert a["proposed_operator"] == "Viettel" and not a["tie"]
    assert a["distance_m"] == pytest.approx(5_200, abs=1)
    assert a["reason_vi"] == "Viettel: trạm gần nhất 5,2 km"
    assert a["reason_en"] == "Viettel: nearest site 5.2 km"
    assert a["distance_m_MobiFone"] == np.inf and a["distance_m_VNPT"] == pytest.approx(6_000, 1)
    assert b["proposed_operator"] == "VNPT" and b["tie"]
    assert b["sites_in_commune"] == 2
    assert (
        b["reason_vi"]
        == "VNPT: trạm gần nhất 3,0 km; ngang Viettel, nhiều trạm hơn trong xã: 2 so với 1"
    )

    # Sites that carry their commune need no polygons; no broadband site at all: no proposal.
    only_2g = sites[sites["technology"] == "2G"].assign(commune_code="00001")
    none = A.propose(villages, only_2g)
    assert none["proposed_operator"].isna().all()
    assert none["reason_vi"].iloc[0].startswith("Không doanh nghiệp nào có trạm")
    assert len(A.propose(villages.iloc[:0], sites, communes)) == 0


@pytest.mark.realdata
def test_proposals_for_the_unserved_villages_match_a_brute_force_nearest_search(dienbien_model):
    m = dienbien_model
    p = A.propose_for_model(m)
    unserved = m.status[~m.status["mobile_broadband"]]
    assert len(p) == len(unserved) > 0
    assert p["proposed_operator"].isin(OPERATORS).all()
    crs = 32648
    sites = m.sites[m.sites["technology"].isin(["3G", "4G", "5G"])].to_crs(crs)
    pts = unserved.to_crs(crs).geometry
    for op in OPERATORS:
        s = sites[sites["operator"] == op]
        col = p[f"distance_m_{op}"]
        if s.empty:
            assert np.isinf(col).all()
            continue
        brute = np.array([s.distance(g).min() for g in pts])
        assert np.allclose(col.to_numpy(), brute, atol=0.01)
    best = p[[f"distance_m_{op}" for op in OPERATORS]].min(axis=1)
    assert (p["distance_m"] <= best + 30.0).all()
    assert p["reason_vi"].str.contains(r"^\w+: trạm gần nhất \d+,\d km").all()


# ----------------------------------------------------------------------------- served status


def test_served_means_verified_or_covered_and_disagreements_are_named():
    ids = [f"V{i}" for i in range(1, 9)]
    cover = {  # which operators the coverage data finds at each village
        "V1": {"Viettel"},
        "V2": set(),
        "V3": {"VNPT"},
        "V4": {"Viettel"},
        "V5": set(),
        "V6": set(),
        "V7": set(),
        "V8": set(),
    }
    status = pd.DataFrame({"village_id": ids, "village": ids}, index=range(10, 18))
    for op in OPERATORS:
        status[op] = [op in cover[v] for v in ids]
    status["mobile_broadband"] = status[list(OPERATORS)].any(axis=1)
    assignments = pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "V5", "V6", "V8", "V9"],
            "operator": ["Viettel"] * 8,
            "status": [
                "verified",
                "verified",
                "verified",
                "assigned",
                "under_construction",
                "on_air",
                "cancelled",
                "assigned",
            ],
        }
    )
    s = A.served_status(status, assignments)
    assert s.index.equals(status.index)
    assert s["served"].tolist() == [True, True, True, True, False, False, False, False]
    assert s["disagreement"].tolist() == [
        "",
        "verified_not_covered",
        "verified_operator_not_covering",
        "covered_not_verified",
        "",
        "on_air_not_covered",
        "",
        "",
    ]
    assert s["assignment_status"].tolist()[6] == ""  # V7 has no assignment
    assert set(s["disagreement"]) - {""} <= set(A.DISAGREEMENTS)
    listed = A.disagreements(
        status, assignments.assign(village="x", commune="c", district="d"), lang="en"
    )
    assert set(listed["village_id"]) == {"V2", "V3", "V4", "V6", "V9"}
    assert listed.set_index("village_id").loc["V9", "disagreement"] == "not_in_register"
    assert listed["why"].notna().all()


def test_served_status_with_an_empty_register_is_the_coverage_data_alone(lan):
    status = pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3"],
            "village": ["A", "B", "C"],
            "mobile_broadband": [True, False, True],
            "Viettel": [True, False, False],
            "VNPT": [False, False, True],
        },
        index=[5, 6, 7],
    )
    empty = A.current(lan)  # the register's own empty frame
    assert empty.empty
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' FutureWarning of a "" into a float column
        s = A.served_status(status, empty)
        listed = A.disagreements(status, empty)
    assert s.index.tolist() == [5, 6, 7]
    assert s["served"].tolist() == [True, False, True]
    assert s["assignment_status"].tolist() == ["", "", ""]
    assert s["assigned_operator"].tolist() == ["", "", ""]
    assert s["disagreement"].tolist() == ["", "", ""]
    assert listed.empty and "why" in listed.columns


# ----------------------------------------------------------------------------- views


@pytest.fixture
def register(lan):
    rows = []
    spec = [  # (district, operator, target_year)
        ("100", "Viettel", 2021),
        ("100", "Viettel", 2021),
        ("100", "VNPT", 2022),
        ("101", "Viettel", 2021),
        ("101", "Viettel", 2023),
        ("101", "MobiFone", None),
    ]
    for i, (district, op, year) in enumerate(spec):
        rows.append(
            {
                **village(i, district=district),
                "operator": op,
                "target_year": year,
                "assigned_on": "2020-12-15",
            }
        )
    A.assign_many(lan, pd.DataFrame(rows))
    A.set_status(lan, "VT000000000", "under_construction", expected_version=1, on="2021-02-01")
    A.set_status(lan, "VT000000000", "on_air", expected_version=2, on="2021-09-01")
    A.set_status(lan, "VT000000000", "verified", expected_version=3, on="2022-01-10")
    A.set_status(lan, "VT000000001", "under_construction", expected_version=1, on="2021-03-01")
    A.set_status(lan, "VT000000003", "cancelled", expected_version=1, on="2021-03-01")
    return A.current(lan)


def test_the_per_operator_view_says_what_each_operator_still_owes(register):
    v = A.by_operator(register, "viettel")
    assert set(v["operator"]) == {"Viettel"}
    by = v.set_index(["district_code", "target_year"])
    assert by.loc[("100", 2021), "owed"] == 1  # one verified, one under construction
    assert by.loc[("100", 2021), "verified"] == 1
    assert by.loc[("101", 2021), "cancelled"] == 1 and by.loc[("101", 2021), "owed"] == 0
    assert by.loc[("101", 2023), "owed"] == 1
    everyone = A.by_operator(register)
    assert everyone["operator"].tolist()[0] == "Viettel"
    assert everyone["total"].sum() == len(register)
    assert everyone["target_year"].isna().sum() == 1  # MobiFone, no target year
    assert (A.by_operator(register, owed_only=True)["owed"] > 0).all()


def test_the_district_and_overdue_views(register):
    today = dt.date(2023, 6, 1)
    late = A.overdue(register, today=today)
    # Target year passed (2021, 2022) and not on air: village 1 (under construction), 2 (VNPT).
    assert late["village_id"].tolist() == ["VT000000001", "VT000000002"]
    assert late["years_late"].tolist() == [2, 1]
    d = A.by_district(register, today=today).set_index("district_code")
    assert d.loc["100", "owed"] == 2 and d.loc["100", "overdue"] == 2
    assert d.loc["100", "owed_Viettel"] == 1 and d.loc["100", "owed_VNPT"] == 1
    assert d.loc["101", "cancelled"] == 1 and d.loc["101", "overdue"] == 0
    assert d["total"].sum() == len(register)


def test_the_progress_chart_data_by_year_against_the_plans_targets(register):
    p = A.progress(register, "dienbien_4638", today=dt.date(2025, 3, 1)).set_index("year")
    assert p.index.min() == 2020 and p.index.max() == 2025
    assert (p["total"] == 5).all()  # the cancelled one is left out
    assert p.loc[2021, "due"] == 2 and p.loc[2023, "due"] == 4
    assert p.loc[2021, "on_air"] == 1 and p.loc[2021, "verified"] == 0
    assert p.loc[2022, "verified"] == 1
    assert p.loc[2021, "plan_target_share"] == pytest.approx(0.80)
    assert p.loc[2025, "plan_target_share"] == pytest.approx(1.0)
    assert p.loc[2020, "plan_actual_share"] == pytest.approx(0.75)
    assert p["on_air"].is_monotonic_increasing


def test_assignments_as_points_and_found_by_either_commune_code(register, lan):
    g = A.to_geodataframe(register)
    assert g.crs.to_epsg() == 4326 and (g.geom_type == "Point").all()
    assert len(A.current(lan, commune_2025_code="03328")) == len(register) == 6
    assert len(A.current(lan, commune_code="03323", district_code="101")) == 3
    assert A.current(lan, commune_2025_code="99999").empty
    assert set(A.current(lan, statuses=["verified"])["village_id"]) == {"VT000000000"}


# ----------------------------------------------------------------------------- bulk and import


def test_assign_many_is_all_or_nothing_and_never_overwrites(lan):
    bad = pd.DataFrame(
        [
            {**village(1), "operator": "Viettel"},
            {**village(2), "operator": "S-Fone"},
            {**village(1), "operator": "VNPT"},
            {**village(3, commune="3323"), "operator": "VNPT", "target_year": 1990},
        ]
    )
    with pytest.raises(InputError) as err:
        A.assign_many(lan, bad)
    fields = {(p.row, p.field) for p in err.value.problems}
    assert {(2, "operator"), (3, "village_id"), (4, "commune_code"), (4, "target_year")} <= fields
    assert A.current(lan).empty

    rep = A.assign_many(
        lan, pd.DataFrame([{**village(i), "operator": "Viettel"} for i in range(3)])
    )
    assert rep.added == 3
    A.edit(lan, "VT000000001", expected_version=1, operator="VNPT")
    again = pd.DataFrame([{**village(i), "operator": "Viettel"} for i in range(4)])
    rep = A.assign_many(lan, again)
    assert rep.added == 1 and len(rep.unchanged) == 2
    assert rep.conflicts[["village_id", "operator", "current_operator"]].values.tolist() == [
        ["VT000000001", "Viettel", "VNPT"]
    ]
    assert A.get(lan, "VT000000001")["operator"] == "VNPT"


def _write_table(path: Path, rows: list[tuple], title: bool = True) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bảng"
    if title:
        ws.append(["PHÂN CÔNG NHIỆM VỤ CUNG CẤP DỊCH VỤ VIỄN THÔNG"])
        ws.append([])
    ws.append(["STT", "Thôn / bản", "Xã", "Huyện", "Doanh nghiệp viễn thông chịu trách nhiệm"])
    for r in rows:
        ws.append(list(r))
    wb.save(path)


# ----------------------------------------------------------------------------- Phụ lục 2, real


@pytest.mark.realdata
def test_phu_luc_2_round_trip_import_36_export_xlsx_read_back(dienbien, db, tmp_path):
    assert (
        main(["assignments", "import", str(PLAN_CSV), *PLAN_ARGS, "--db", str(db), "--user", "Lan"])
        == 0
    )
    conn = A.connect(db)
    now = A.current(conn)
    assert len(now) == 36
    assert set(now["village_id"]) == set(dienbien.declared["village_id"])
    assert (now["decision"] == "4638/KH-UBND").all() and (
        now["decision_date"] == "2020-12-15"
    ).all()
    assert (now["source"] == "4638/KH-UBND Phụ lục 2").all()
    assert (now["target_year"] == 2025).all() and (now["status"] == "assigned").all()
    # The plan gives no year per village: the year is the plan's last, and the register says so.
    assert (now["target_year_source"] == "năm cuối của kế hoạch 4638/KH-UBND").all()
    assert now["commune_2025_code"].notna().all() and now["commune_code"].str.len().eq(5).all()
    conn.close()

    out = tmp_path / "phu_luc_2.xlsx"
    assert (
        main(
            [
                "assignments",
                "export",
                "--db",
                str(db),
                "--province",
                "Điện Biên",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(X.SHEETS)
    first = wb.worksheets[0]
    assert (first.max_row, first.max_column) == (37, 5)  # only the table
    rows = list(first.iter_rows(values_only=True))
    assert rows[0] == X.PHU_LUC_2_HEADERS
    assert [r[0] for r in rows[1:]] == list(range(1, 37))
    status = list(wb["Trạng thái"].iter_rows(values_only=True))
    col = status[0].index("Căn cứ năm mục tiêu")
    assert status[0][col - 1] == "Năm mục tiêu"
    assert {r[col] for r in status[1:]} == {"năm cuối của kế hoạch 4638/KH-UBND"}

    # The table as the sheet holds it (the plan tables' reader is geo.imports.stage, used by
    # the import below; layers.assignments_xlsx no longer reads workbooks).
    back = pd.DataFrame(rows[1:], columns=["stt", "village", "commune", "district", "operator"])
    plan = plans.load_unserved("dienbien_4638")
    declared = dienbien.declared.set_index("source_row")
    assert back["village"].tolist() == plan["village"].tolist()
    assert back["operator"].tolist() == plan["operator"].tolist()
    assert back["district"].tolist() == plan["district"].tolist()
    # Communes as the GSO list spells them (the plan misspells 3 of them).
    assert back["commune"].tolist() == declared.loc[plan["source_row"], "commune"].tolist()

    # Importing the exported sheet into a new register finds the same villages and units.
    db2 = tmp_path / "second.sqlite"
    assert (
        main(
            [
                "assignments",
                "import",
                str(out),
                "--province",
                "11",
                "--db",
                str(db2),
                "--decision",
                "4638/KH-UBND",
                "--decision-date",
                "15/12/2020",
                "--user",
                "Minh",
            ]
        )
        == 0
    )
    a = A.current(A.connect(db), province_code="11").set_index("village_id")
    b = A.current(A.connect(db2), province_code="11").set_index("village_id")
    assert set(a.index) == set(b.index)
    cols = ["commune_code", "commune_2025_code", "district_code", "operator", "target_year"]
    pd.testing.assert_frame_equal(a.loc[b.index, cols], b[cols])


@pytest.mark.realdata
def test_cli_geojson_export_and_reimport_overwrites_nothing(dienbien, db, tmp_path, capsys):
    assert (
        main(["assignments", "import", str(PLAN_CSV), *PLAN_ARGS, "--db", str(db), "--user", "Lan"])
        == 0
    )
    capsys.readouterr()
    assert (
        main(["assignments", "import", str(PLAN_CSV), *PLAN_ARGS, "--db", str(db), "--user", "Lan"])
        == 0
    )
    assert "0 assignments added; 36 already there" in capsys.readouterr().out
    out = tmp_path / "a.geojson"
    assert (
        main(["assignments", "export", "--db", str(db), "--province", "11", "--output", str(out)])
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["features"]) == 36
    props = doc["features"][0]["properties"]
    assert props["status"] == "assigned" and props["status_vi"] == "Đã phân công"
    assert {
        "village_id",
        "commune_code",
        "commune_2025_code",
        "operator",
        "target_year",
        "decision",
        "version",
    } <= set(props)
    assert all(f["geometry"]["type"] == "Point" for f in doc["features"])
    vid = props["village_id"]
    assert main(["assignments", "history", vid, "--db", str(db)]) == 0
    assert "import" in capsys.readouterr().out
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 100)
    assert (
        main(["assignments", "export", "--db", str(bad), "--province", "11", "--output", str(out)])
        == 2
    )
    assert "not an assignment register" in capsys.readouterr().err


@pytest.mark.realdata
def test_the_plans_villages_against_the_coverage_model(dienbien_model, lan):
    data = dienbien_model.data
    A.import_table(lan, plans.load_unserved("dienbien_4638"), data, source="4638/KH-UBND Phụ lục 2")
    s = A.served_status(dienbien_model.status, A.current(lan))
    declared = dienbien_model.status["declared_unserved"]
    assert (s.loc[declared, "assignment_status"] == "assigned").all()
    assert (s.loc[~declared, "assignment_status"] == "").all()
    covered = dienbien_model.status["mobile_broadband"]
    assert (s["served"] == covered).all()  # nothing verified yet
    assert (s.loc[declared & covered, "disagreement"] == "covered_not_verified").all()


@pytest.mark.realdata
def test_the_planner_accepts_a_proposal_from_the_map(dienbien_model, lan):
    proposals = A.propose_for_model(dienbien_model)
    pick = proposals.iloc[0]
    row = dienbien_model.status.loc[pick.name]  # the village clicked on the map
    a = A.assign(
        lan,
        row,
        pick["proposed_operator"],
        target_year=2026,
        decision="4638/KH-UBND",
        decision_date="15/12/2020",
        proposed_operator=pick["proposed_operator"],
        proposal_reason=pick["reason_vi"],
    )
    assert (a["village_id"], a["commune_2025_code"]) == (
        row["village_id"],
        row["commune_2025_code"],
    )
    assert (a["lon"], a["lat"]) == pytest.approx((row.geometry.x, row.geometry.y))
    assert a["proposal_reason"].startswith(f"{pick['proposed_operator']}: trạm gần nhất")
    g = A.to_geodataframe(A.current(lan))
    assert g.geometry.iloc[0].equals_exact(row.geometry, 1e-9)


@pytest.mark.realdata
def test_a_new_village_register_orphans_no_assignment(dienbien, lan):
    from geo import villages

    A.import_table(
        lan, plans.load_unserved("dienbien_4638"), dienbien, source="4638/KH-UBND Phụ lục 2"
    )
    v = dienbien.villages
    planner = gpd.GeoDataFrame(  # the planner's own register: other source, other ids
        {
            "source_id": [f"P{i}" for i in range(len(v))],
            "village": v["village"].to_numpy(),
            "commune_code": v["commune_code"].to_numpy(),
        },
        geometry=v.geometry.to_numpy(),
        crs=4326,
    )
    new, _ = villages.link_register(planner, dienbien.register, source="planner")
    now = A.current(lan)
    assert now["village_id"].isin(new.villages["village_id"]).all()
    # The 2025 units: every assignment is found by its commune from 01/07/2025.
    mapping = dienbien.communes.drop_duplicates("commune_code").set_index("commune_code")
    assert (now["commune_2025_code"] == now["commune_code"].map(mapping["commune_2025_code"])).all()
    for code, group in now.groupby("commune_2025_code"):
        assert set(A.current(lan, commune_2025_code=code)["village_id"]) == set(group["village_id"])


@pytest.mark.realdata
def test_an_unknown_commune_is_sent_to_review_with_its_line_and_nothing_is_imported(
    dienbien, db, tmp_path, capsys
):
    table = tmp_path / "list.xlsx"
    _write_table(
        table,
        [
            (1, "Nậm Ty 1", "Xã Hua Thanh", "Huyện Điện Biên", "Viettel"),
            (2, "Bản Mới", "Xã Không Có", "Huyện Điện Biên", "VNPT"),
        ],
    )
    args = ["assignments", "import", str(table), "--province", "11", "--db", str(db)]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "row 5" in err and "nothing was written" in err
    assert A.current(A.connect(db)).empty
