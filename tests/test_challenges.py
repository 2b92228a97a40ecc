"""The challenge loop (geo.challenges): who may take each step, deadlines and overdue, the photo
check, the history nobody edits, the open list and its exports. Tiny villages made here; the
store in a temporary folder; the time injected (``now``)."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3

import openpyxl
import pandas as pd
import pytest

from geo import auth
from geo import challenges as ch
from geo.auth import Account, PermissionDeniedError, Role
from geo.errors import InputError
from geo.store import challenges as store
from geo.store.sqlite import DatabaseFileError
from geo.vocab import ChallengeClaim, ChallengeState

T0 = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)  # 02/11/2026 10:00 in Vietnam
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)

PLANNER = Account("canbo_db", Role.PROVINCE_PLANNER, province_code="11")
PLANNER_12 = Account("canbo_lc", Role.PROVINCE_PLANNER, province_code="12")
VIEWER = Account("xem_nampo", Role.DISTRICT_VIEWER, province_code="11", district_code="099")
VIEWER_OTHER = Account("xem_tuangiao", Role.DISTRICT_VIEWER, district_code="100")
VIETTEL = Account("viettel_db", Role.OPERATOR, operator="Viettel")
VNPT = Account("vnpt_db", Role.OPERATOR, operator="VNPT")
ADMIN = Account("quantri", Role.ADMIN)


def _village(vid: str = "V001", *, district_code: str = "099", viettel: bool = True) -> dict:
    return {
        "village_id": vid,
        "village": f"Bản {vid}",
        "commune": "Nà Hỳ",
        "commune_code": "03200",
        "district": "Nậm Pồ",
        "district_code": district_code,
        "province": "Điện Biên",
        "province_code": "11",
        "Viettel": viettel,
        "VNPT": not viettel,
    }


MEASURED = ch.MeasurementSummary(12, -112.5, 0.25, dt.date(2026, 10, 30), "đo kiểm Sở TT&TT")


@pytest.fixture
def conn(tmp_path):
    c = ch.connect(tmp_path / "challenges.sqlite")
    yield c
    c.close()


def _raise(conn, account=PLANNER, village=None, operator="Viettel", **kw):
    kw.setdefault("reason", "Người dân báo không gọi được")
    kw.setdefault("proof", ch.Proof(note="đo tại nhà văn hóa", measurements=MEASURED))
    kw.setdefault("now", T0)
    return ch.raise_challenge(conn, account, village or _village(), operator, **kw)


def _state(conn) -> tuple:
    return (
        store.select_challenges(conn).to_json(),
        store.select_steps(conn).to_json(),
        conn.execute("SELECT count(*) FROM photo").fetchone()[0],
    )


def _days(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


# ---------------------------------------------------------------------------------------------
# Raising
# ---------------------------------------------------------------------------------------------


def test_a_raise_records_the_claim_opposite_to_the_status_shown_dated_and_attributed(conn):
    c = _raise(conn)
    assert c["claim"] == ChallengeClaim.NOT_COVERED and c["shown_covered"] == 1
    assert c["state"] == ChallengeState.OPEN
    assert c["raised_by"] == "canbo_db" and c["raised_at"] == "2026-11-02T03:00:00+00:00"
    assert c["deadline"] == "2026-11-17"  # 15 days by default
    other = _raise(conn, village=_village("V002", viettel=False))
    assert other["claim"] == ChallengeClaim.COVERED
    steps = ch.steps(conn, PLANNER, [c["challenge_id"]])
    assert steps[["step", "state", "user", "role"]].values.tolist() == [
        ["raise", "open", "canbo_db", "role=province_planner province=11"]
    ]
    assert ch.MeasurementSummary.from_json(steps["measurements"].iloc[0]) == MEASURED


def test_a_district_viewer_raises_in_its_district_but_not_outside(conn):
    c = _raise(conn, VIEWER)
    assert c["raised_by"] == "xem_nampo"
    before = _state(conn)
    with pytest.raises(PermissionDeniedError, match="district 100") as err:
        _raise(conn, VIEWER_OTHER, village=_village("V003"))
    assert "xem_tuangiao" in err.value.message("vi")
    assert _state(conn) == before


def test_operators_and_planners_of_another_province_cannot_raise(conn):
    for account in (VIETTEL, PLANNER_12):
        with pytest.raises(PermissionDeniedError):
            _raise(conn, account)
    assert store.select_challenges(conn).empty


def test_only_the_province_planner_sets_the_deadline_and_not_in_the_past(conn):
    with pytest.raises(PermissionDeniedError, match="set a challenge's deadline"):
        _raise(conn, VIEWER, deadline="30/11/2026")
    with pytest.raises(InputError, match="must be after today") as err:
        _raise(conn, deadline="01/11/2026")
    assert err.value.field == "deadline"
    with pytest.raises(InputError, match="31/12/2026") as err:
        _raise(conn, deadline="31/13/2026")
    c = _raise(conn, deadline="30/11/2026")
    assert c["deadline"] == "2026-11-30"


def test_a_raise_needs_a_reason_and_some_evidence_each_refusal_naming_its_field(conn):
    with pytest.raises(InputError, match="reason") as err:
        _raise(conn, reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(InputError, match="at least one piece of evidence") as err:
        _raise(conn, proof=ch.Proof())
    assert err.value.field == "evidence"
    bad = ch.MeasurementSummary(5, -100, 1.5)
    with pytest.raises(InputError, match="share_above") as err:
        _raise(conn, proof=ch.Proof(measurements=bad))
    assert err.value.field == "measurements"
    with pytest.raises(InputError, match="Unknown operator") as err:
        _raise(conn, operator="Orange")
    assert err.value.field == "operator"
    assert store.select_challenges(conn).empty


def test_a_second_open_challenge_of_one_village_and_operator_is_refused_naming_the_first(conn):
    first = _raise(conn)
    with pytest.raises(InputError, match=f"challenge no. {first['challenge_id']}"):
        _raise(conn, VIEWER)
    assert len(store.select_challenges(conn)) == 1
    _raise(conn, operator="VNPT")  # another operator of the same village is another matter


# ---------------------------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------------------------


def test_a_photo_is_told_by_its_magic_bytes_not_its_name(tmp_path):
    (tmp_path / "tram.jpg").write_bytes(PNG)
    assert ch.read_photo(tmp_path / "tram.jpg").media_type == "image/png"
    assert ch.check_photo(JPEG, "a.png").media_type == "image/jpeg"
    (tmp_path / "anh.jpg").write_bytes(b"%PDF-1.7 not a photo")
    with pytest.raises(InputError, match="anh.jpg is not a JPEG or PNG image") as err:
        ch.read_photo(tmp_path / "anh.jpg")
    assert err.value.field == "photo"
    assert "không phải ảnh JPEG hoặc PNG" in err.value.message("vi")
    with pytest.raises(InputError, match="not a JPEG or PNG"):
        ch.check_photo(b"\x89PNG\r\n\x1a\n" + bytes(32), "half.png")  # no IHDR chunk


def test_a_photo_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "lon.jpg"
    with big.open("wb") as f:
        f.write(JPEG)
        f.truncate(ch.MAX_PHOTO_BYTES + 1)
    read = []
    monkeypatch.setattr(type(big), "open", lambda *a, **k: read.append(a) or None)
    with pytest.raises(InputError, match="more than the limit of 5000000") as err:
        ch.read_photo(big)
    assert err.value.field == "photo" and not read
    with pytest.raises(InputError, match="empty"):
        ch.check_photo(b"", "rong.png")


def test_a_photo_is_kept_once_by_its_sha256_and_read_back_only_by_who_may_see_it(conn):
    photo = ch.check_photo(PNG, "tram.png")
    a = _raise(conn, proof=ch.Proof(photo=photo))
    _raise(conn, operator="VNPT", proof=ch.Proof(photo=photo))
    assert conn.execute("SELECT count(*) FROM photo").fetchone()[0] == 1
    sha = ch.steps(conn, PLANNER, [a["challenge_id"]])["photo_sha256"].iloc[0]
    assert sha == photo.sha256
    assert ch.photo(conn, VIETTEL, sha).data == PNG
    with pytest.raises(ch.ChallengeNotFoundError):
        ch.photo(conn, PLANNER_12, sha)


# ---------------------------------------------------------------------------------------------
# Answer and decision
# ---------------------------------------------------------------------------------------------


def test_only_the_operator_concerned_answers(conn):
    c = _raise(conn)
    before = _state(conn)
    for account in (VNPT, PLANNER, VIEWER):
        with pytest.raises(PermissionDeniedError) as err:
            ch.answer(conn, account, c["challenge_id"], "accept", now=_days(1))
        assert account.name in err.value.message("en")
    assert _state(conn) == before
    got = ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(1))
    assert got["state"] == ChallengeState.ACCEPTED and got["answered_by"] == "viettel_db"


def test_a_rebuttal_needs_the_operators_own_evidence(conn):
    c = _raise(conn)
    with pytest.raises(InputError, match="evidence") as err:
        ch.answer(conn, VIETTEL, c["challenge_id"], "rebut", now=_days(1))
    assert err.value.field == "evidence"
    proof = ch.Proof(note="Trạm DBN123 phát sóng 4G từ 20/10/2026", photo=ch.check_photo(JPEG))
    got = ch.answer(conn, VIETTEL, c["challenge_id"], "rebut", proof=proof, now=_days(1))
    assert got["state"] == ChallengeState.REBUTTED


def test_an_answer_after_the_deadline_is_refused_until_the_province_extends_it(conn):
    c = _raise(conn, deadline="10/11/2026")
    with pytest.raises(ch.ChallengeStateError, match="has passed \\(10/11/2026\\)"):
        ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(9))
    # the whole last day counts, in Vietnam's time (23:00 on 10/11 in Hà Nội is 16:00 UTC)
    late_evening = dt.datetime(2026, 11, 10, 16, 0, tzinfo=dt.UTC)
    assert ch.get(conn, VIETTEL, c["challenge_id"])["state"] == "open"
    with pytest.raises(PermissionDeniedError):
        ch.set_deadline(conn, VIEWER, c["challenge_id"], "20/11/2026", now=_days(9))
    ch.set_deadline(conn, PLANNER, c["challenge_id"], "20/11/2026", now=_days(9))
    got = ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(10))
    assert got["state"] == "accepted"
    d = _raise(conn, operator="VNPT", deadline="10/11/2026")
    assert ch.answer(conn, VNPT, d["challenge_id"], "accept", now=late_evening)["version"] == 2


def test_the_province_planner_decides_after_the_answer_or_once_the_deadline_has_passed(conn):
    c = _raise(conn)
    with pytest.raises(ch.ChallengeStateError, match="within its deadline"):
        ch.decide(conn, PLANNER, c["challenge_id"], "upheld", note="đo lại", now=_days(3))
    late = ch.decide(conn, PLANNER, c["challenge_id"], "upheld", note="quá hạn", now=_days(16))
    assert late["state"] == "decided" and late["decision"] == "upheld"
    d = _raise(conn, operator="VNPT")
    ch.answer(conn, VNPT, d["challenge_id"], "rebut", proof=ch.Proof(note="có sóng"), now=_days(1))
    with pytest.raises(InputError, match="grounds") as err:
        ch.decide(conn, PLANNER, d["challenge_id"], "rejected", note="", now=_days(2))
    assert err.value.field == "note"
    got = ch.decide(
        conn, PLANNER, d["challenge_id"], "rejected", note="đo lại có sóng", now=_days(2)
    )
    assert got["decided_by"] == "canbo_db" and got["decision"] == "rejected"


def test_a_decision_only_by_the_province_planner_of_that_province(conn):
    c = _raise(conn)
    ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(1))
    before = _state(conn)
    for account in (PLANNER_12, VIEWER, VIETTEL, VNPT):
        with pytest.raises(PermissionDeniedError):
            ch.decide(conn, account, c["challenge_id"], "upheld", note="ok", now=_days(2))
    assert _state(conn) == before
    assert ch.decide(conn, ADMIN, c["challenge_id"], "upheld", note="ok", now=_days(2))


def test_a_decided_challenge_takes_no_further_step(conn):
    c = _raise(conn)
    ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(1))
    ch.decide(conn, PLANNER, c["challenge_id"], "upheld", note="đúng", now=_days(2))
    before = _state(conn)
    with pytest.raises(ch.ChallengeStateError, match="never changed"):
        ch.decide(conn, PLANNER, c["challenge_id"], "rejected", note="đổi ý", now=_days(3))
    with pytest.raises(ch.ChallengeStateError):
        ch.answer(conn, VIETTEL, c["challenge_id"], "rebut", proof=ch.Proof(note="x"), now=_days(3))
    with pytest.raises(ch.ChallengeStateError):
        ch.set_deadline(conn, PLANNER, c["challenge_id"], "30/11/2026", now=_days(3))
    assert _state(conn) == before
    # a new challenge may be raised now that the first is decided
    assert _raise(conn, now=_days(3))["challenge_id"] != c["challenge_id"]


def test_a_step_on_a_challenge_changed_meanwhile_is_refused(conn):
    c = _raise(conn)
    ch.set_deadline(conn, PLANNER, c["challenge_id"], "25/11/2026", now=_days(1))
    with pytest.raises(ch.ChallengeStateError, match="changed by someone else"):
        ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(1), expected_version=1)


def test_nobody_edits_history(conn):
    c = _raise(conn, proof=ch.Proof(note="ảnh", photo=ch.check_photo(PNG)))
    ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(1))
    before = _state(conn)
    for sql in (
        "UPDATE step SET user = 'ai đó' WHERE step_id = 1",
        "DELETE FROM step WHERE step_id = 1",
        "UPDATE photo SET data = x'00'",
        "DELETE FROM photo",
        "DELETE FROM challenge",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(sql)
    assert _state(conn) == before
    steps = ch.steps(conn, ADMIN)
    assert steps["step"].tolist() == ["raise", "answer"]
    assert steps["version"].tolist() == [1, 2]


def test_a_raise_keeps_what_the_status_shown_rested_on(conn):
    village = {**_village(), "evidence_Viettel": "measured", "evidence_VNPT": "radius"}
    c = _raise(conn, village=village)
    d = _raise(conn, village=village, operator="VNPT")
    assert (c["shown_evidence"], d["shown_evidence"]) == ("measured", "radius")
    assert _raise(conn, village=_village("V009"))["shown_evidence"] == ""
    table = ch.export_table(ch.challenges(conn, PLANNER), "vi", dt.date(2026, 11, 3))
    assert table["Căn cứ của tình trạng đang ghi"].tolist() == [
        "Đo kiểm thực tế",
        "Mô hình bán kính",
        "",
    ]


def test_a_store_of_schema_1_is_migrated_keeping_its_challenges(tmp_path):
    from geo.store import sqlite as base

    path = tmp_path / "v1.sqlite"
    old = base.connect_wal(
        path,
        application_id=store.APPLICATION_ID,
        schema_version=1,
        migrations={1: store.MIGRATIONS[1]},
        what_en="test",
        what_vi="test",
    )
    fields = [f for f in store.CHALLENGE_FIELDS if f not in ("challenge_id", "shown_evidence")]
    row = {f: None for f in fields} | {
        "village_id": "V1", "village": "Bản V1", "province_code": "11", "operator": "VNPT",
        "shown_covered": 1, "claim": "not_covered", "reason": "mất sóng", "state": "open",
        "deadline": "2026-11-17", "raised_by": "canbo_db", "raised_at": "2026-11-02T03:00:00+00:00",
        "version": 1, "updated_at": "2026-11-02T03:00:00+00:00",
    }  # fmt: skip
    for f in ("commune", "commune_code", "district", "district_code", "province"):
        row[f] = ""
    old.execute(
        f"INSERT INTO challenge ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
        [row[f] for f in fields],
    )
    step = {"challenge_id": 1, "version": 1, "step": "raise", "state": "open", "value": "",
            "note": "", "user": "canbo_db", "role": "", "at": row["raised_at"]}  # fmt: skip
    store.append_step(old, step)
    old.close()
    conn = ch.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == 2
        got = ch.get(conn, ADMIN, 1)
        assert got["reason"] == "mất sóng" and got["shown_evidence"] == ""
        assert store.verify(conn) == []
    finally:
        conn.close()


def test_verify_finds_a_removed_append_only_trigger(conn):
    _raise(conn)
    assert store.verify(conn) == []
    conn.execute("DROP TRIGGER step_no_update")
    assert "trigger step_no_update missing" in store.verify(conn)


# ---------------------------------------------------------------------------------------------
# Reading, the open list, exports
# ---------------------------------------------------------------------------------------------


def test_an_operator_reads_only_its_own_challenges_and_a_viewer_its_district(conn):
    a = _raise(conn)
    b = _raise(conn, operator="VNPT")
    _raise(conn, village=_village("V100", district_code="100"))
    assert ch.challenges(conn, VIETTEL)["challenge_id"].tolist() == [a["challenge_id"], 3]
    assert ch.challenges(conn, VNPT)["challenge_id"].tolist() == [b["challenge_id"]]
    assert len(ch.challenges(conn, VIEWER)) == 2 and len(ch.challenges(conn, PLANNER)) == 3
    assert ch.challenges(conn, PLANNER_12).empty
    assert set(ch.steps(conn, VNPT)["challenge_id"]) == {b["challenge_id"]}
    with pytest.raises(PermissionDeniedError):
        ch.get(conn, VNPT, a["challenge_id"])
    with pytest.raises(ch.ChallengeNotFoundError, match="No challenge has the number 99"):
        ch.get(conn, ADMIN, 99)


def test_the_open_list_is_by_operator_and_age_with_overdue_past_the_deadline(conn):
    old = _raise(conn, operator="VNPT", deadline="05/11/2026")
    answered = _raise(conn, village=_village("V002"), deadline="05/11/2026")
    ch.answer(conn, VIETTEL, answered["challenge_id"], "accept", now=_days(1))
    young = _raise(conn, village=_village("V003"), now=_days(5))
    done = _raise(conn, village=_village("V004"))
    ch.answer(conn, VIETTEL, done["challenge_id"], "accept", now=_days(1))
    ch.decide(conn, PLANNER, done["challenge_id"], "upheld", note="ok", now=_days(2))
    today = dt.date(2026, 11, 12)
    listed = ch.open_list(ch.challenges(conn, PLANNER), today)
    assert listed["challenge_id"].tolist() == [
        answered["challenge_id"],
        young["challenge_id"],
        old["challenge_id"],
    ]  # Viettel before VNPT; the oldest first within an operator
    assert listed["age_days"].tolist() == [10, 5, 10]
    # only a challenge still awaiting its answer is overdue; 12/11 is 7 days past 05/11
    assert listed["overdue"].tolist() == [False, False, True]
    assert listed["days_overdue"].tolist() == [0, 0, 7]


def test_exports_write_formula_like_text_as_text_in_csv_and_xlsx(conn):
    hostile = '=HYPERLINK("http://x.example","Bấm vào đây")'
    _raise(conn, reason=hostile, proof=ch.Proof(note="+84 912 345 678"))
    frame = ch.challenges(conn, PLANNER)
    today = dt.date(2026, 11, 20)
    text = ch.to_csv(frame, "vi", today)
    read = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert read.loc[0, "Lý do"] == "'" + hostile
    assert read.loc[0, "Quá hạn giải trình"] == "có"
    assert read.loc[0, "Hạn giải trình"] == "17/11/2026"
    assert read.loc[0, "Số ngày từ khi phản ánh"] == "18"
    data = ch.to_xlsx(frame, ch.steps(conn, PLANNER), "vi", today)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Phản ánh", "Các bước"]
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert hostile in values and "+84 912 345 678" in values
    headers = [c.value for c in wb["Phản ánh"][1]]
    assert headers[:3] == ["Số phản ánh", "Thôn/Bản", "Xã"]
    assert not {"nan", "None", "NaT", "<NA>"} & {str(v) for v in values}


def test_the_english_export_speaks_english(conn):
    _raise(conn)
    table = ch.export_table(ch.challenges(conn, PLANNER), "en", dt.date(2026, 11, 3))
    row = table.iloc[0]
    assert row["Claim"] == "Not covered in fact (shown as covered)"
    assert row["State"] == "Awaiting the answer" and row["Days since raised"] == 1


def test_upheld_challenges_settle_the_status_and_rejected_ones_do_not(conn):
    up = _raise(conn, village=_village("V001", viettel=False))
    no = _raise(conn, village=_village("V002"))
    for c, decision in ((up, "upheld"), (no, "rejected")):
        ch.answer(conn, VIETTEL, c["challenge_id"], "accept", now=_days(1))
        ch.decide(conn, PLANNER, c["challenge_id"], decision, note="kết luận", now=_days(2))
    settled = ch.decided_statuses(conn, "11")
    assert settled[["village_id", "operator", "covered"]].values.tolist() == [
        ["V001", "Viettel", True]
    ]


def test_the_store_refuses_another_programs_sqlite_file_and_leaves_it_unchanged(tmp_path):
    path = tmp_path / "other.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseFileError, match="another program"):
        ch.connect(path)
    assert path.read_bytes() == before


def test_the_command_line_records_its_user_name_and_the_demo_its_own(conn):
    c = _raise(conn, auth.CONSOLE, who="Lò Văn Minh")
    d = _raise(conn, auth.demo_account(), operator="VNPT")
    assert c["raised_by"] == "Lò Văn Minh" and d["raised_by"] == auth.DEMO_NAME
