"""Snapshots: reproducible from their data versions, superseded but never edited, refused with a
message that says the fix, saved and listed from the command line."""

from __future__ import annotations

import json
import sqlite3

import pytest

from geo import assignments as asg
from geo import auth, snapshots, workspace
from geo.__main__ import main
from geo.errors import InputError

pytestmark = pytest.mark.realdata


@pytest.fixture
def scope(real_data):
    return workspace.resolve_scope("11")


@pytest.fixture
def stores(tmp_path):
    return workspace.Stores(
        imports=tmp_path / "imports.sqlite", assignments=tmp_path / "register.sqlite"
    )


def _assign_first_unserved(register, province):
    """One real village of the plan's list assigned in a register of its own; returns the
    session."""
    rows = province.declared.sort_values("village_id")
    village = rows.iloc[0].to_dict()
    session = asg.open_session(register, "Lan", client="test")
    asg.assign(session, village, "Viettel", target_year=2025)
    return session, village["village_id"]


def test_a_snapshot_computed_again_from_the_same_data_versions_gives_the_same_numbers(
    scope, stores, tmp_path, dienbien
):
    session, _ = _assign_first_unserved(stores.assignments, dienbien)
    session.conn.close()
    settings = workspace.Settings.make(year=2024)
    db = tmp_path / "snap.sqlite"
    saved = snapshots.take(scope, "Năm 2024", settings=settings, stores=stores, db=db)
    assert saved["versions"]["register"]["last_change_id"] == 1
    assert saved["versions"]["coverage_model"]["year"] == 2024
    assert "sites" in saved["versions"]["synthetic"]

    again, same = snapshots.recompute(snapshots.get(saved["snapshot_id"], db), stores=stores)
    assert same
    assert snapshots.numbers(again) == snapshots.numbers(saved["indicators"])
    assert snapshots.digest(again) == saved["digest"]
    assert snapshots.numbers(again)["villages"] > 0


def test_a_register_change_after_the_snapshot_shows_as_other_data_versions(
    scope, stores, tmp_path, dienbien
):
    session, village_id = _assign_first_unserved(stores.assignments, dienbien)
    settings = workspace.Settings.make(year=2025)
    db = tmp_path / "snap.sqlite"
    saved = snapshots.take(scope, "Q3/2025", settings=settings, stores=stores, db=db)
    asg.set_status(session, village_id, "under_construction", expected_version=1)
    session.conn.close()
    _, same = snapshots.recompute(saved, stores=stores)
    assert not same


def test_the_same_label_supersedes_and_keeps_the_earlier_snapshot_which_cannot_be_edited(
    scope, tmp_path
):
    db = tmp_path / "snap.sqlite"
    settings = workspace.Settings.make(year=2025)
    stores = workspace.Stores()
    first = snapshots.take(scope, "Q4/2025", settings=settings, stores=stores, db=db)
    other = snapshots.take(scope, "Q3/2025", settings=settings, stores=stores, db=db)
    second = snapshots.take(scope, " Q4/2025 ", settings=settings, stores=stores, db=db)
    assert second["supersedes"] == first["snapshot_id"]
    assert other["supersedes"] is None

    shown = snapshots.list_snapshots(db, current_only=True)
    assert sorted(shown["snapshot_id"]) == sorted([other["snapshot_id"], second["snapshot_id"]])
    every = snapshots.list_snapshots(db).set_index("snapshot_id")
    assert every.loc[first["snapshot_id"], "superseded_by"] == second["snapshot_id"]

    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="never edited"):
        conn.execute(
            "UPDATE snapshot SET label = 'x' WHERE snapshot_id = ?", (first["snapshot_id"],)
        )
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        conn.execute("DELETE FROM snapshot")
    conn.close()


def test_a_bad_label_is_refused_with_an_example(scope, tmp_path):
    with pytest.raises(InputError) as err:
        snapshots.take(
            scope,
            "a\nb",
            settings=workspace.Settings(),
            stores=workspace.Stores(),
            db=tmp_path / "s.sqlite",
            result={"villages": 1},
        )
    assert "ví dụ 'Quý 4/2026'" in err.value.message("vi")
    assert not (tmp_path / "s.sqlite").exists()


def test_a_district_viewer_may_not_save_a_snapshot_of_its_own_district(real_data, tmp_path):
    own = workspace.resolve_scope("11", district="094")
    viewer = auth.Account("xem", auth.Role.DISTRICT_VIEWER, province_code="11", district_code="094")
    with pytest.raises(auth.PermissionDeniedError) as err:
        snapshots.take(
            own,
            "Q1/2026",
            settings=workspace.Settings(),
            stores=workspace.Stores(),
            account=viewer,
            db=tmp_path / "s.sqlite",
            result={"villages": 1},
        )
    assert "chỉ Cán bộ tỉnh hoặc Quản trị chốt số liệu" in err.value.message("vi")


def test_compare_lines_up_figures_and_their_change():
    table = snapshots.compare(
        {
            "villages": 10,
            "villages_mobile_share": 0.5,
            "unserved_by_operator": {"VNPT": 3},
            "targets": {"x": 1},
        },
        {"villages": 12, "villages_mobile_share": 0.75, "sites": 4},
    ).set_index("indicator")
    assert table.loc["villages", "change"] == 2
    assert table.loc["villages_mobile_share", "change"] == 0.25
    assert table.loc["unserved_by_operator.VNPT", "a"] == 3
    assert table["b"].isna()["unserved_by_operator.VNPT"]
    assert "targets.x" not in table.index


def test_cli_saves_lists_and_compares_snapshots_with_exit_codes(tmp_path, capsys, real_data):
    db = str(tmp_path / "snap.sqlite")
    base = ["indicators", "--province", "11", "--year", "2025", "--demo", "--snapshot-db", db]
    assert main([*base, "--snapshot", "Q4/2025", "--user", "An", "--as-of", "31/12/2025"]) == 0
    assert main([*base, "--snapshot", "Q4/2025"]) == 0
    capsys.readouterr()
    assert main(["snapshots", "list", "--db", db, "--province", "Điện Biên"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and listed[1].startswith("2,Q4/2025,Tỉnh Điện Biên")
    assert main(["snapshots", "show", "1", "--db", db]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["as_of"], shown["created_by"]) == ("2025-12-31", "An")
    assert main(["snapshots", "compare", "1", "2", "--db", db]) == 0
    assert "villages_mobile_share" in capsys.readouterr().out
    assert main(["snapshots", "show", "7", "--db", db]) == 2
    assert "No snapshot #7" in capsys.readouterr().err
    assert main([*base, "--snapshot", "Q1", "--as-of", "32/13/2025"]) == 2
    assert "dd/mm/yyyy" in capsys.readouterr().err


def test_every_setting_is_recorded_and_read_back_as_it_was():
    import dataclasses
    import datetime as dt

    settings = dataclasses.replace(
        workspace.Settings.make(
            year=2024, radii={"2G": 9000, "3G": 3500, "4G": 3000, "5G": 700}, sharing_distance_m=45
        ),
        as_of=dt.date(2024, 6, 30),
    )
    stored = json.loads(json.dumps(snapshots._settings_dict(settings)))
    assert snapshots.settings_of({"settings": stored}) == settings
    assert stored["radii_m"]["3G"] == 3500 and stored["as_of"] == "2024-06-30"
