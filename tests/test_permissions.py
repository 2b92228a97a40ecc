"""Every write of the tool, called with every role: allowed or refused, as a table written out
by hand (not derived from geo.auth), on a small real setup (Điện Biên's villages, a temporary
register and a temporary import store).

A refused write raises :class:`geo.auth.PermissionDeniedError` and leaves its store exactly as
it was; an allowed one records the acting account's name (history, ``committed_by``, ``who``).
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from geo import assignments as asg
from geo import auth, imports, placements
from geo import challenges as ch
from geo.auth import Account, PermissionDeniedError, Role

pytestmark = pytest.mark.realdata

ROLES = {
    "admin": Account("quantri", Role.ADMIN),
    "planner_11": Account("canbo_db", Role.PROVINCE_PLANNER, province_code="11"),
    "planner_12": Account("canbo_lc", Role.PROVINCE_PLANNER, province_code="12"),
    # the district of the villages written below (set by the fixture `where`)
    "viewer": None,
    "viettel": Account("viettel_db", Role.OPERATOR, operator="Viettel"),
    "vnpt": Account("vnpt_db", Role.OPERATOR, operator="VNPT"),
    "demo": auth.demo_account(),
}

# Y: allowed, N: refused. The villages are in Điện Biên (11), in the viewer's district, and the
# assignment written on is Viettel's, as are the challenges answered, decided and given a
# deadline (raise_challenge challenges Viettel's status of another village).
EXPECTED = """
write            admin planner_11 planner_12 viewer viettel vnpt demo
import_commit    Y     Y          N          N      N       N    Y
import_remove    Y     Y          N          N      N       N    Y
place_village    Y     Y          N          N      N       N    Y
assign           Y     Y          N          N      N       N    Y
assign_many      Y     Y          N          N      N       N    Y
edit             Y     Y          N          N      N       N    Y
set_status       Y     Y          N          N      N       N    Y
report_progress  Y     Y          N          N      Y       N    Y
undo             Y     Y          N          N      N       N    Y
backup           Y     N          N          N      N       N    Y
restore          Y     N          N          N      N       N    Y
raise_challenge  Y     Y          N          Y      N       N    Y
answer_challenge Y     N          N          N      Y       N    Y
decide_challenge Y     Y          N          N      N       N    Y
set_deadline     Y     Y          N          N      N       N    Y
"""


def _table() -> list[tuple[str, str, bool]]:
    lines = [line.split() for line in EXPECTED.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    return [
        (write, role, cell == "Y")
        for write, *cells in rows
        for role, cell in zip(header, cells, strict=True)
    ]


CASES = _table()


def test_the_table_has_every_role_and_every_write():
    assert {role for _, role, _ in CASES} == set(ROLES)
    assert {write for write, _, _ in CASES} == set(WRITES)


# ---------------------------------------------------------------------------------------------
# The setup
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def where(dienbien):
    """Two villages of one district of Điện Biên (one located only at its commune, to place)
    and the viewer account of that district."""
    v = dienbien.villages
    placeable = v[v["location_precision"] == "commune"].iloc[0]
    same = v[
        (v["district_code"] == placeable["district_code"]) & (v["location_precision"] == "point")
    ]
    district = str(placeable["district_code"])
    ROLES["viewer"] = Account(
        "xem_huyen", Role.DISTRICT_VIEWER, province_code="11", district_code=district
    )
    return {
        "placeable": placeable,
        "assigned": same.iloc[0],
        "free": same.iloc[1],
        "district": district,
    }


@pytest.fixture(scope="module")
def staged(dienbien):
    """A one-row unserved list of Điện Biên, staged (not committed)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Tên thôn", "Xã", "Huyện", "Doanh nghiệp"])
    ws.append([1, "Nậm Ty 1", "Hua Thanh", "Điện Biên", "Viettel"])
    buf = io.BytesIO()
    wb.save(buf)
    out = imports.stage(buf.getvalue(), "ds.xlsx", "unserved", dienbien)
    assert not out.needs_review
    return out


class Setup:
    """A temporary register holding one Viettel assignment (made by the command line) and a
    temporary import store holding one committed import."""

    def __init__(self, tmp_path, where, staged) -> None:
        self.tmp = tmp_path
        self.where = where
        self.staged = staged
        self.db = tmp_path / "register.sqlite"
        console = asg.open_session(self.db, auth.CONSOLE, client="test")
        asg.assign(console, where["assigned"], "Viettel", target_year=2025)
        self.conn = console.conn
        self.store = imports.Store(tmp_path / "imports.sqlite")
        self.import_id = imports.commit(staged, self.store).import_id
        self.other = imports.Store(tmp_path / "imports-2.sqlite")  # empty: commits go here
        # Two challenges of Viettel's status of the free village, by the command line: one
        # awaiting the answer, one answered (to decide).
        self.challenges = ch.connect(tmp_path / "challenges.sqlite")
        free = {**where["free"].to_dict(), "Viettel": True, "VNPT": False}
        self.awaiting = ch.raise_challenge(
            self.challenges,
            auth.CONSOLE,
            free,
            "Viettel",
            reason="mất sóng",
            proof=ch.Proof(note="đo"),
        )["challenge_id"]
        answered = ch.raise_challenge(
            self.challenges,
            auth.CONSOLE,
            free,
            "VNPT",
            reason="có sóng",
            proof=ch.Proof(note="đo"),
        )["challenge_id"]
        ch.answer(self.challenges, auth.CONSOLE, answered, "accept")
        self.answered = answered

    def state(self) -> tuple:
        """Everything a write could change."""
        hist = asg.history(self.conn)
        return (
            asg.current(self.conn).drop(columns=["geometry"], errors="ignore").to_json(),
            hist.to_json(),
            self.store.imports(removed=True).to_json(),
            self.other.imports(removed=True).to_json(),
            placements.placements(self.store.path, "11").to_json(),
            ch.challenges(self.challenges, auth.CONSOLE).to_json(),
            ch.steps(self.challenges, auth.CONSOLE).to_json(),
            sorted(p.name for p in self.tmp.iterdir()),
        )

    def version(self) -> int:
        return int(asg.get(self.conn, self.where["assigned"]["village_id"])["version"])

    def last_user(self) -> str:
        return str(asg.history(self.conn).iloc[-1]["user"])


def _session(setup: Setup, account: Account):
    return asg.open_session(setup.conn, account, client="test")


def _import_commit(s: Setup, account: Account) -> str:
    imports.commit(s.staged, s.other, account=account)
    return str(s.other.imports().iloc[0]["committed_by"])


def _import_remove(s: Setup, account: Account) -> str:
    return str(
        s.store.remove(s.import_id, account=account)
        and s.store.imports(removed=True).iloc[0]["removed_by"]
    )


def _place(s: Setup, account: Account) -> str:
    row = s.where["placeable"]
    p = row["geometry"]
    got = placements.place(
        s.store.path, row["village_id"], p.x, p.y, "", province=_dienbien(), account=account
    )
    return got.who


def _assign(s: Setup, account: Account) -> str:
    asg.assign(_session(s, account), s.where["free"], "VNPT", target_year=2026)
    return s.last_user()


def _assign_many(s: Setup, account: Account) -> str:
    rows = pd.DataFrame([{**s.where["free"].to_dict(), "operator": "VNPT"}])
    asg.assign_many(_session(s, account), rows, action="assign")
    return s.last_user()


def _edit(s: Setup, account: Account) -> str:
    vid = s.where["assigned"]["village_id"]
    asg.edit(_session(s, account), vid, expected_version=s.version(), note="khảo sát lại")
    return s.last_user()


def _set_status(s: Setup, account: Account) -> str:
    vid = s.where["assigned"]["village_id"]
    asg.set_status(_session(s, account), vid, "under_construction", expected_version=s.version())
    return s.last_user()


def _report_progress(s: Setup, account: Account) -> str:
    vid = s.where["assigned"]["village_id"]
    asg.report_progress(
        _session(s, account),
        vid,
        "under_construction",
        dt.date.today(),
        "Quyết định khởi công số 12/2025",
        expected_version=s.version(),
    )
    return s.last_user()


def _undo(s: Setup, account: Account) -> str:
    vid = s.where["assigned"]["village_id"]
    asg.undo_last(_session(s, account), vid, expected_version=s.version())
    return s.last_user()


def _backup(s: Setup, account: Account) -> str:
    asg.backup(s.conn, s.tmp / "backup.sqlite", account=account)
    asg.backup_bytes(s.conn, account=account)
    return account.name


def _restore(s: Setup, account: Account) -> str:
    copy = asg.backup(s.conn, s.tmp.parent / f"{s.tmp.name}-copy.sqlite")
    asg.restore(copy, s.db, account=account)
    return str(
        asg.connect(s.db)
        .execute("SELECT user FROM session WHERE client = 'restore' ORDER BY session_id DESC")
        .fetchone()[0]
    )


def _last_step_user(s: Setup) -> str:
    return str(ch.steps(s.challenges, auth.CONSOLE).iloc[-1]["user"])


def _raise_challenge(s: Setup, account: Account) -> str:
    village = {**s.where["assigned"].to_dict(), "Viettel": True}
    ch.raise_challenge(
        s.challenges,
        account,
        village,
        "Viettel",
        reason="không gọi được",
        proof=ch.Proof(note="đo kiểm 30/10"),
    )
    return _last_step_user(s)


def _answer_challenge(s: Setup, account: Account) -> str:
    ch.answer(s.challenges, account, s.awaiting, "rebut", proof=ch.Proof(note="trạm mới"))
    return _last_step_user(s)


def _decide_challenge(s: Setup, account: Account) -> str:
    ch.decide(s.challenges, account, s.answered, "upheld", note="đúng")
    return _last_step_user(s)


def _set_deadline(s: Setup, account: Account) -> str:
    ch.set_deadline(s.challenges, account, s.awaiting, ch.today() + dt.timedelta(days=30))
    return _last_step_user(s)


WRITES = {
    "import_commit": _import_commit,
    "import_remove": _import_remove,
    "place_village": _place,
    "assign": _assign,
    "assign_many": _assign_many,
    "edit": _edit,
    "set_status": _set_status,
    "report_progress": _report_progress,
    "undo": _undo,
    "backup": _backup,
    "restore": _restore,
    "raise_challenge": _raise_challenge,
    "answer_challenge": _answer_challenge,
    "decide_challenge": _decide_challenge,
    "set_deadline": _set_deadline,
}

_PROVINCE = {}


def _dienbien():
    return _PROVINCE["11"]


@pytest.fixture
def setup(tmp_path, where, staged, dienbien):
    _PROVINCE["11"] = dienbien
    s = Setup(tmp_path, where, staged)
    yield s
    s.conn.close()
    s.challenges.close()


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("write", "role", "allowed"), CASES)
def test_each_write_with_each_role_is_allowed_or_refused_as_the_table_says(
    setup, write, role, allowed
):
    account = ROLES[role]
    before = setup.state()
    if allowed:
        recorded = WRITES[write](setup, account)
        assert recorded == account.name  # who did it is the signed-in account
    else:
        with pytest.raises(PermissionDeniedError) as err:
            WRITES[write](setup, account)
        assert account.name in err.value.message("vi")
        assert account.name in err.value.message("en")
        assert setup.state() == before  # nothing written, no file made


def test_a_refused_operator_says_whose_village_it_is(setup):
    vid = setup.where["assigned"]["village_id"]
    session = _session(setup, ROLES["vnpt"])
    with pytest.raises(PermissionDeniedError, match="Viettel") as err:
        asg.report_progress(session, vid, "on_air", dt.date.today(), "ảnh trạm", expected_version=1)
    assert "VNPT" in err.value.message("vi")


def test_an_operator_may_not_set_a_status_even_on_its_own_village(setup):
    vid = setup.where["assigned"]["village_id"]
    before = setup.state()
    with pytest.raises(PermissionDeniedError):
        asg.set_status(
            _session(setup, ROLES["viettel"]), vid, "under_construction", expected_version=1
        )
    assert setup.state() == before


def test_a_progress_report_needs_evidence_and_keeps_it_in_the_note_and_history(setup):
    vid = setup.where["assigned"]["village_id"]
    session = _session(setup, ROLES["viettel"])
    with pytest.raises(auth.InputError, match="evidence"):
        asg.report_progress(
            session, vid, "under_construction", dt.date.today(), "  ", expected_version=1
        )
    with pytest.raises(auth.InputError, match="date"):
        asg.report_progress(
            session,
            vid,
            "under_construction",
            dt.date.today() + dt.timedelta(days=3),
            "ảnh",
            expected_version=1,
        )
    today = dt.date.today()
    row = asg.report_progress(
        session,
        vid,
        "under_construction",
        f"{today:%d/%m/%Y}",
        "Biên bản khởi công 7/2025",
        expected_version=1,
    )
    assert row["status"] == "under_construction"
    assert row["construction_on"] == today.isoformat()
    assert "Biên bản khởi công 7/2025" in row["note"] and f"{today:%d/%m/%Y}" in row["note"]
    last = asg.history(setup.conn, vid).iloc[-1]
    assert last["user"] == "viettel_db"


def test_the_session_records_the_account_role_and_scope(setup):
    session = _session(setup, ROLES["planner_11"])
    client = setup.conn.execute(
        "SELECT client FROM session WHERE session_id = ?", (session.session_id,)
    ).fetchone()[0]
    assert client == "test role=province_planner province=11"
    assert session.user == "canbo_db" and session.account == ROLES["planner_11"]


def test_a_name_given_as_text_is_the_command_line_acting_as_console(setup):
    session = asg.open_session(setup.conn, "Lò Văn Minh", client="cli")
    assert session.account == auth.CONSOLE and session.user == "Lò Văn Minh"
    asg.assign(session, setup.where["free"], "VNPT")
    assert setup.last_user() == "Lò Văn Minh"


def test_a_session_without_an_account_is_refused(setup):
    bare = asg.Session(setup.conn, "ai đó", 1)
    before = setup.state()
    with pytest.raises(PermissionDeniedError, match="names no account"):
        asg.assign(bare, setup.where["free"], "VNPT")
    assert setup.state() == before


def test_a_disabled_account_is_refused_every_write(setup):
    disabled = Account("canbo_cu", Role.PROVINCE_PLANNER, province_code="11", disabled=True)
    before = setup.state()
    with pytest.raises(PermissionDeniedError, match="disabled"):
        _assign(setup, disabled)
    assert setup.state() == before
