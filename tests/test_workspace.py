"""The workspace: one model for the app and the command line, layers made of several imports,
per-technology site records, merged 2025 provinces with imports, a busy store named."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo import imports, workspace
from geo.store import imports as store_sql
from geo.vocab import ImportMode, UnitSystem

ROOT = Path(__file__).resolve().parent.parent


def _points(dienbien, n: int, offset: int = 0) -> list[tuple[float, float]]:
    """``n`` village points of Điện Biên, spread over the province."""
    v = dienbien.villages
    v = v[v["location_precision"] == "point"].iloc[offset::17].head(n)
    return [(round(g.x, 6), round(g.y, 6)) for g in v.geometry]


def _csv(rows: list[tuple], path: Path) -> Path:
    lines = ["Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ,Độ cao anten (m),Địa chỉ"]
    lines += [",".join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def site_files(dienbien, tmp_path):
    """Viettel: 5 stations × (3G, 4G) = 10 rows; VNPT: 3 stations (4G), the first 8 m from
    Viettel's first station (a shared physical site)."""
    pts = _points(dienbien, 8)
    viettel = [
        (f"DBN{i:03d}", "Viettel", tech, lon, lat, "30", f"Bản {i}")
        for i, (lon, lat) in enumerate(pts[:5], 1)
        for tech in ("3G", "4G")
    ]
    (lon0, lat0) = pts[0]
    vnpt_pts = [(round(lon0 + 0.00007, 6), lat0), *pts[5:7]]
    vnpt = [
        (f"VNP{i:02d}", "Vinaphone", "4G", lon, lat, "", "")
        for i, (lon, lat) in enumerate(vnpt_pts, 1)
    ]
    return _csv(viettel, tmp_path / "viettel.csv"), _csv(vnpt, tmp_path / "vnpt.csv")


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_two_operators_lists_give_physical_and_shared_sites_through_the_command_line(
    site_files, tmp_path
):
    """The issue's "done when": a per-technology site list, then a second operator's list,
    committed through the command line, give the expected physical and shared sites through
    `python -m geo indicators` and draw on `python -m geo map`, with $COVERAGE_IMPORTS_DB."""
    env = {"COVERAGE_IMPORTS_DB": str(tmp_path / "store.sqlite")}
    viettel, vnpt = site_files
    for f in (viettel, vnpt):
        r = _cli("import", "sites", str(f), "--province", "11", "--commit", "--user", "An",
                 env=env)
        assert r.returncode == 0, r.stderr
    r = _cli("indicators", "--province", "11", "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["sites"] == 8  # 5 Viettel + 3 VNPT stations
    assert got["site_records"] == 13  # 10 + 3 rows
    assert got["physical_sites"] == 7  # VNPT's first is Viettel's first mast
    assert got["shared_physical_sites"] == 1
    assert got["site_sharing_rate"] == pytest.approx(1 / 7)
    assert got["sources"]["sites"]["synthetic"] is False
    assert got["sources"]["sites"]["by_province"] == {"11": "planner"}
    assert "sites: 11: planner" in r.stderr
    out = tmp_path / "map.html"
    r = _cli("map", "--province", "11", "--output", str(out), env=env)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "DBN001" in page and "VNP03" in page
    # --demo ignores the store: back to the synthetic layers, said so.
    r = _cli("indicators", "--province", "11", "--demo", "--format", "json", env=env)
    assert json.loads(r.stdout)["sources"]["sites"]["synthetic"] is True
    assert "SYNTHETIC" in r.stderr


def _commit(path: Path, dienbien, store, mode=None, who="An"):
    staged = imports.stage(path.read_bytes(), path.name, "sites", dienbien, store=store)
    assert not staged.needs_review, staged.report
    return imports.commit(staged, store, mode=mode, who=who)


def _model(store, scope=None):
    scope = scope or workspace.resolve_scope("11")
    return workspace.build(scope, stores=workspace.Stores(imports=store.path))


def test_a_second_operator_replaces_only_its_own_sites_by_default(site_files, dienbien, tmp_path):
    store = imports.Store(tmp_path / "s.sqlite")
    viettel, vnpt = site_files
    _commit(viettel, dienbien, store)
    _commit(vnpt, dienbien, store)
    sites = _model(store).sites
    assert sorted(sites["operator"].value_counts().items()) == [("VNPT", 3), ("Viettel", 10)]
    # A new Viettel list (replace-operator) replaces Viettel's rows only.
    new = _csv([("DBN900", "Viettel", "4G", 103.0125, 21.3875, "", "")], tmp_path / "v2.csv")
    _commit(new, dienbien, store)
    sites = _model(store).sites
    assert sorted(sites["operator"].value_counts().items()) == [("VNPT", 3), ("Viettel", 1)]
    assert set(sites.loc[sites["operator"] == "Viettel", "site_id"]) == {"DBN900"}
    listed = store.imports("11")
    assert list(listed["file"]) == ["v2.csv", "vnpt.csv", "viettel.csv"]
    assert set(listed["mode"]) == {"replace-operator"}
    assert listed["committed_by"].eq("An").all()
    assert listed.loc[listed["file"] == "vnpt.csv", "operators"].iloc[0] == ["VNPT"]


def test_add_keeps_earlier_rows_and_replace_all_drops_them(site_files, dienbien, tmp_path):
    store = imports.Store(tmp_path / "s.sqlite")
    viettel, _ = site_files
    _commit(viettel, dienbien, store)
    extra = _csv([("DBN900", "Viettel", "4G", 103.0125, 21.3875, "", "")], tmp_path / "add.csv")
    _commit(extra, dienbien, store, mode=ImportMode.ADD)
    assert len(_model(store).sites) == 11
    only = _csv([("DBN901", "Viettel", "5G", 103.0125, 21.3875, "", "")], tmp_path / "all.csv")
    _commit(only, dienbien, store, mode="replace-all")
    sites = _model(store).sites
    assert list(sites["site_id"]) == ["DBN901"]


def test_removing_an_import_recomputes_the_layer_from_the_others(site_files, dienbien, tmp_path):
    store = imports.Store(tmp_path / "s.sqlite")
    viettel, vnpt = site_files
    first = _commit(viettel, dienbien, store)
    second = _commit(vnpt, dienbien, store)
    replacing = _commit(
        _csv([("DBN900", "Viettel", "4G", 103.0125, 21.3875, "", "")], tmp_path / "v2.csv"),
        dienbien, store,
    )
    store.remove(replacing.import_id, "Bình")
    # Viettel's first list is back: the replacing import no longer counts.
    counts = _model(store).sites["operator"].value_counts().to_dict()
    assert counts == {"Viettel": 10, "VNPT": 3}
    store.remove(second.import_id, "Bình")
    assert _model(store).sites["operator"].unique().tolist() == ["Viettel"]
    store.remove(first.import_id, "Bình")
    model = _model(store)
    # No planner's sites left: the synthetic demo is back, and said so.
    assert model.sources["sites"]["synthetic"] is True
    removed = store.imports("11", removed=True)
    assert removed["removed_by"].eq("Bình").all() and removed["removed_at"].notna().all()
    with pytest.raises(imports.InputError, match="already removed"):
        store.remove(first.import_id, "Bình")


def test_store_remove_and_list_on_the_command_line(site_files, tmp_path):
    db = str(tmp_path / "s.sqlite")
    viettel, _ = site_files
    r = _cli("import", "sites", str(viettel), "--province", "11", "--commit", "--store", db)
    assert r.returncode == 0, r.stderr
    r = _cli("store", "list", "--store", db)
    listed = pd.read_csv(pd.io.common.StringIO(r.stdout))
    assert listed["file"].tolist() == ["viettel.csv"] and listed["n_rows"].tolist() == [10]
    r = _cli("store", "remove", str(listed["import_id"].iloc[0]), "--user", "An", "--store", db)
    assert r.returncode == 0, r.stderr
    r = _cli("store", "remove", "99", "--user", "An", "--store", db)
    assert r.returncode == 2 and "no import 99" in r.stderr and "Traceback" not in r.stderr


def test_per_technology_rows_keep_optional_columns(site_files, dienbien, tmp_path):
    store = imports.Store(tmp_path / "s.sqlite")
    viettel, _ = site_files
    _commit(viettel, dienbien, store)
    sites = _model(store).sites
    one = sites[sites["site_id"] == "DBN001"]
    assert sorted(one["technology"]) == ["3G", "4G"]
    assert one["physical_site_id"].nunique() == 1
    assert one["antenna_height_m"].tolist() == [30.0, 30.0]
    assert one["address"].tolist() == ["Bản 1", "Bản 1"]


def test_the_same_record_twice_in_a_file_names_both_rows(dienbien, tmp_path):
    f = _csv(
        [("DBN001", "Viettel", "4G", 103.0125, 21.3875, "", ""),
         ("DBN001", "Viettel", "4G", 103.0126, 21.3876, "", "")],
        tmp_path / "twice.csv",
    )
    staged = imports.stage(f.read_bytes(), f.name, "sites", dienbien)
    r = staged.report.set_index("row")
    assert r.loc[3, "status"] == "review"
    assert "as row 2" in r.loc[3, "message_en"]


def test_a_merged_2025_province_uses_the_imports_of_each_old_province(tmp_path):
    """Tuyên Quang (from 01/07/2025) is Hà Giang (02) and Tuyên Quang (08): sites committed
    for Hà Giang are in the new province's model."""
    from geo import province

    scope = workspace.resolve_scope("Tuyên Quang", units_system=UnitSystem.U2025)
    assert set(scope.codes) == {"02", "08"}
    hagiang = province.load_province("02")
    v = hagiang.villages.iloc[::50].head(3)
    rows = [(f"HG{i}", "Viettel", "4G", round(g.x, 6), round(g.y, 6), "", "")
            for i, g in enumerate(v.geometry, 1)]
    f = _csv(rows, tmp_path / "hagiang.csv")
    store = imports.Store(tmp_path / "s.sqlite")
    staged = imports.stage(f.read_bytes(), f.name, "sites", hagiang, store=store)
    imports.commit(staged, store)
    model = workspace.build(scope, stores=workspace.Stores(imports=store.path))
    assert sorted(model.sites["site_id"]) == ["HG1", "HG2", "HG3"]
    assert model.sources["sites"]["by_province"] == {"02": "planner", "08": None}
    result = workspace.indicators_for(model, scope, workspace.Settings())
    assert result["sites"] == 3 and result["province_2025_code"] == scope.province_code


def test_a_locked_store_is_named_to_the_user_not_replaced_by_the_demo(
    site_files, dienbien, tmp_path, monkeypatch
):
    store = imports.Store(tmp_path / "s.sqlite")
    _commit(site_files[0], dienbien, store)
    monkeypatch.setattr(store_sql, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(store_sql.StoreFileError) as info:
            _model(store)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "is busy" in info.value.message("en")
    assert "đang bận" in info.value.message("vi")
    assert str(store.path) in info.value.message("en")


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(store_sql.StoreFileError, match="another program"):
        imports.Store(path)
    assert path.read_bytes() == before


def test_a_store_of_the_first_schema_is_migrated_with_its_rows(tmp_path):
    path = tmp_path / "v1.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE imports (import_id INTEGER PRIMARY KEY AUTOINCREMENT, province_code TEXT
          NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL, sheet TEXT NOT NULL DEFAULT '',
          content_hash TEXT NOT NULL, n_rows INTEGER NOT NULL, committed_at TEXT NOT NULL
          DEFAULT CURRENT_TIMESTAMP, summary TEXT NOT NULL DEFAULT '{}',
          UNIQUE (province_code, kind, content_hash, sheet));
        CREATE TABLE layer_rows (province_code TEXT NOT NULL, kind TEXT NOT NULL, row_key TEXT
          NOT NULL, import_id INTEGER NOT NULL REFERENCES imports (import_id), props TEXT NOT
          NULL, wkb BLOB, PRIMARY KEY (province_code, kind, row_key));
        INSERT INTO imports (province_code, kind, file, content_hash, n_rows)
          VALUES ('11', 'fibre', 'ftth.xlsx', 'abc', 1);
        INSERT INTO layer_rows VALUES ('11', 'fibre', 'V1|VNPT', 1,
          '{"village_id":"V1","operator":"VNPT","source":"ftth.xlsx"}', NULL);
        """
    )
    con.commit()
    con.close()
    store = imports.Store(path)
    assert store.count_rows("11", "fibre") == 1
    assert store.imports("11")["mode"].tolist() == ["add"]
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == store_sql.SCHEMA_VERSION
        assert con.execute("PRAGMA application_id").fetchone()[0] == store_sql.APPLICATION_ID


def test_a_read_only_store_says_read_only(tmp_path, monkeypatch):
    path = tmp_path / "ro" / "s.sqlite"
    imports.Store(path)
    monkeypatch.setattr(store_sql.os, "access", lambda p, mode: False)
    with pytest.raises(store_sql.StoreFileError) as info:
        imports.Store(path)
    assert "read-only" in info.value.message("en")
    assert "chỉ đọc" in info.value.message("vi")


PARITY_KEYS = (
    "villages", "villages_mobile_share", "villages_fibre_share", "population_covered", "sites",
    "site_records", "physical_sites", "shared_physical_sites", "site_sharing_rate",
    "total_not_spots", "partial_not_spots", "unserved_by_operator",
)


@pytest.mark.parametrize("units_system", ["pre2025", "2025"])
def test_the_app_and_the_command_line_give_the_same_indicators(
    site_files, tmp_path, monkeypatch, real_data, units_system
):
    """The same scope built through the app's code (the sidebar's scope, the app's cached
    model and indicators) and through `python -m geo indicators` gives the same figures, with
    the planner's committed sites read from the same store."""
    from streamlit.testing.v1 import AppTest

    store = tmp_path / "store.sqlite"
    monkeypatch.setenv("COVERAGE_IMPORTS_DB", str(store))
    monkeypatch.setenv("COVERAGE_ASSIGNMENTS_DB", str(tmp_path / "reg.sqlite"))
    r = _cli("import", "sites", str(site_files[0]), "--province", "11", "--commit")
    assert r.returncode == 0, r.stderr

    from ui import app_common

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["kept_units"] = units_system
    at.run()
    assert not at.exception, at.exception
    scope = at.session_state["_scope"]
    assert scope.units == units_system and scope.codes == ("11",)
    model = app_common.model_for(scope)
    on_screen = app_common.indicators_for(scope, model)

    r = _cli("indicators", "--province", "11", "--units", units_system, "--format", "json")
    assert r.returncode == 0, r.stderr
    in_file = json.loads(r.stdout)
    assert on_screen["sources"]["sites"]["by_province"] == {"11": "planner"}
    for key in PARITY_KEYS:
        assert in_file[key] == pytest.approx(on_screen[key]), key
    assert in_file["sites"] == 5


def test_the_sites_template_maps_every_column_without_review(dienbien):
    """data/sites' template, filled with one row, is read with every column recognised."""
    from geo import paths

    template = (paths.package_data() / "sites" / "mau_danh_sach_tram_bts.csv").read_bytes()
    row = "DBN001,Bản Nà Hỳ,Viettel,3G/4G,103.0125,21.3875,15/03/2021,32,Bản Nà Hỳ,,,\n"
    staged = imports.stage(template + row.encode("utf-8"), "tram.csv", "sites", dienbien)
    assert not staged.columns.needs_mapping, staged.columns
    assert staged.frame["status"].eq("ok").all()
    assert sorted(staged.frame["technology"]) == ["3G", "4G"]
    assert staged.frame["antenna_height_m"].tolist() == [32.0, 32.0]
