"""Measurements: files as the apps export them (CSV and xlsx, several header spellings), every
bad row named with its file, row and field, aggregation per village against hand-computed
figures, the rules, the store, and the command line's exit codes 0/2/3."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo import measurements as m
from geo.errors import InputError
from geo.store import measurements as store

# Three layouts of the same four measurements.
LAYOUTS = {
    "g_nettrack": (
        ["Timestamp", "Longitude", "Latitude", "Operatorname", "Operator", "NetworkTech",
         "Level", "DL_bitrate"],
        [
            ["2026.11.03_09.35.23", 103.02, 21.38, "Viettel", "45204", "LTE", -97, 12000],
            ["2026.11.03_09.36.00", 103.021, 21.381, "VN VINAPHONE", "45202", "UMTS", -105, 800],
            ["2026.11.04_10.00.00", 103.022, 21.382, "", "45201", "NR", -88, 150000],
            ["2026.11.04_10.01.00", 103.023, 21.383, "Vietnamobile", "45205", "GSM", -101, ""],
        ],
    ),
    "vietnamese": (
        ["Thời gian", "Kinh độ", "Vĩ độ", "Nhà mạng", "Công nghệ", "Cường độ tín hiệu (dBm)",
         "Tốc độ tải xuống (Mb/s)"],
        [
            ["03/11/2026 09:35:23", "103,02", "21,38", "Viettel", "4G", -97, "12"],
            ["03/11/2026 09:36:00", "103,021", "21,381", "Vinaphone", "3G", -105, "0,8"],
            ["04/11/2026 10:00:00", "103,022", "21,382", "Mobifone", "5G", -88, "150"],
            ["04/11/2026 10:01:00", "103,023", "21,383", "Vietnamobile", "2G", -101, ""],
        ],
    ),
    "open_data": (
        ["time", "long", "lat", "network_name", "network_mcc_mnc", "cat_technology", "lte_rsrp",
         "download_kbit"],
        [
            ["2026-11-03 09:35:23", 103.02, 21.38, "Viettel Mobile", "452-04", "4G", -97, 12000],
            ["2026-11-03 09:36:00", 103.021, 21.381, "", "452-02", "3G", "", 800],
            ["2026-11-04 10:00:00", 103.022, 21.382, "MobiFone", "452-01", "5G", -88, 150000],
            ["2026-11-04 10:01:00", 103.023, 21.383, "Vietnamobile", "452-05", "2G", "", 100],
        ],
    ),
}  # fmt: skip


def _bytes(header: list[str], rows: list[list], fmt: str) -> tuple[bytes, str]:
    frame = pd.DataFrame(rows, columns=header).astype(object)
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8"), "do_kiem.csv"
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    return buf.getvalue(), "do_kiem.xlsx"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_measurement_files_are_read_whatever_the_app_and_the_format(layout, fmt):
    data, name = _bytes(*LAYOUTS[layout], fmt)
    read = m.read(data, name)
    rows = read.rows
    assert read.problems.empty
    assert rows["operator"].tolist() == ["Viettel", "VNPT", "MobiFone", "Vietnamobile"]
    assert rows["technology"].tolist() == ["4G", "3G", "5G", "2G"]
    assert rows["lon"].tolist() == [103.02, 103.021, 103.022, 103.023]
    assert rows["measured_at"].iloc[0] == pd.Timestamp("2026-11-03 09:35:23")
    assert rows["measured_at"].iloc[3] == pd.Timestamp("2026-11-04 10:01:00")
    assert rows["download_mbps"].iloc[0] == pytest.approx(12.0)
    assert rows["download_mbps"].iloc[1] == pytest.approx(0.8)
    assert rows["download_mbps"].iloc[2] == pytest.approx(150.0)
    assert rows["source_row"].tolist() == [2, 3, 4, 5]
    if layout != "open_data":  # NetMetr gives only LTE RSRP
        assert rows["signal_dbm"].tolist() == [-97, -105, -88, -101]
        assert rows["signal_kind"].tolist() == ["RSRP", "RSCP", "RSRP", "RSSI"]


def test_a_download_column_without_unit_is_read_as_kbit_when_its_values_are_that_large():
    header = ["Date", "ConnType", "Lat", "Lon", "Download", "Operator"]
    rows = [["2026-11-03 09:00", "Lte", 21.38, 103.02, 35012, "Viettel"],
            ["2026-11-03 09:05", "Lte", 21.38, 103.02, 8000, "Viettel"]]  # fmt: skip
    read = m.read(*_bytes(header, rows, "csv"))
    assert read.rows["download_mbps"].tolist() == pytest.approx([35.012, 8.0])
    assert any("kbit/s" in en for en, _ in read.notes)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_rows_are_named_by_file_row_and_field(fmt):
    header = ["Timestamp", "Longitude", "Latitude", "Operatorname", "NetworkTech", "Level"]
    rows = [
        ["2026-11-03 09:00", 103.02, 21.38, "Viettel", "LTE", -97],  # good
        ["2026-11-03 09:01", 0, 0, "Viettel", "LTE", -97],  # no GPS fix
        ["2026-11-03 09:02", 103.02, 21.38, "S-Fone", "LTE", -97],  # no such operator
        ["2026-11-03 09:03", 103.02, 21.38, "Viettel", "LTE", 97],  # signal without its sign
        ["hôm qua", 103.02, 21.38, "Viettel", "WCDMA", -90],  # unreadable time
        ["2026-11-03 09:05", 103.02, 21.38, "Viettel", "WiFi", ""],  # Wi-Fi: left out
    ]
    data, name = _bytes(header, rows, fmt)
    read = m.read(data, name)
    assert read.rows["source_row"].tolist() == [2]
    got = read.problems[["file", "row", "field", "message_en"]].to_records(index=False).tolist()
    assert got == [
        (name, 3, "Latitude/Longitude",
         "the position is missing or outside Viet Nam (no GPS fix, or latitude and longitude "
         "swapped): check the coordinates in decimal degrees"),
        (name, 4, "Operatorname",
         "unknown operator: write one of Viettel, VNPT, MobiFone, Vietnamobile, Gmobile "
         "(or the code 452-xx)"),
        (name, 5, "Level", "the signal must be in dBm between -150 and -20 (e.g. -97)"),
        (name, 6, "Timestamp",
         "the time cannot be read: write it as dd/mm/yyyy hh:mm:ss or yyyy-mm-dd hh:mm:ss"),
    ]  # fmt: skip
    assert read.problems.loc[read.problems["row"] == 4, "value"].tolist() == ["S-Fone"]
    assert read.skipped["row"].tolist() == [7]
    assert read.needs_review


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_without_a_position_column_is_refused_naming_the_file_and_the_columns(fmt):
    data, name = _bytes(["Thời gian", "Nhà mạng", "Công nghệ", "RSRP"],
                        [["03/11/2026 09:00", "Viettel", "4G", -90]], fmt)  # fmt: skip
    with pytest.raises(InputError) as err:
        m.read(data, name)
    assert err.value.file == name
    assert err.value.field == "lat"
    assert err.value.message_en.startswith(f"{name} has no column for Latitude, Longitude.")
    assert err.value.message_vi.startswith(f"{name} không có cột Vĩ độ, Kinh độ.")


def test_the_operator_and_technology_can_be_given_when_the_file_does_not_say():
    data, name = _bytes(["Date", "Lat", "Lon", "Download (Mbps)"],
                        [["2026-11-03 09:00", 21.38, 103.02, 4.5]], "csv")  # fmt: skip
    read = m.read(data, name, operator="vina", technology="LTE")
    assert read.rows[["operator", "technology"]].values.tolist() == [["VNPT", "4G"]]
    with pytest.raises(InputError, match="--operator 'S-Fone' is not an operator"):
        m.read(data, name, operator="S-Fone", technology="4G")


def test_a_file_larger_than_the_upload_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from geo.readers import limits

    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_text("Timestamp,Latitude,Longitude\n" * 3, encoding="utf-8")
    with pytest.raises(InputError, match="big.csv is 0 MB; the limit is"):
        m.read_file(path)


# ---------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------

UTM = Transformer.from_crs(4326, 32648, always_xy=True)
BACK = Transformer.from_crs(32648, 4326, always_xy=True)


def _villages() -> gpd.GeoDataFrame:
    """A at (103.0, 21.4); B 2 km east of A; C 1 km north of A but located by its commune."""
    ax, ay = UTM.transform(103.0, 21.4)
    pts = [(ax, ay), (ax + 2000, ay), (ax, ay + 1000)]
    lon, lat = BACK.transform([p[0] for p in pts], [p[1] for p in pts])
    return gpd.GeoDataFrame(
        {"village_id": ["A", "B", "C"], "location_precision": ["point", "point", "commune"]},
        geometry=gpd.points_from_xy(lon, lat), crs=4326,
    )  # fmt: skip


def _at(offsets: list[tuple[float, float]], origin: tuple[float, float] = (103.0, 21.4)):
    x0, y0 = UTM.transform(*origin)
    return BACK.transform([x0 + dx for dx, _ in offsets], [y0 + dy for _, dy in offsets])


def _points(rows: list[tuple]) -> pd.DataFrame:
    """rows: (dx m, dy m from A, operator, technology, signal, download, day)."""
    lon, lat = _at([(r[0], r[1]) for r in rows])
    return pd.DataFrame({
        "lon": lon, "lat": lat,
        "operator": [r[2] for r in rows], "technology": [r[3] for r in rows],
        "signal_dbm": [r[4] for r in rows], "download_mbps": [r[5] for r in rows],
        "measured_at": [pd.Timestamp(2026, 11, r[6]) for r in rows], "file": "drive.csv",
    })  # fmt: skip


def test_aggregation_per_village_matches_hand_computed_figures():
    nan = np.nan
    points = _points([
        (100, 0, "Viettel", "4G", -100.0, nan, 1),   # A: above -110
        (0, 200, "Viettel", "4G", -115.0, nan, 2),   # A: below
        (-300, 0, "Viettel", "4G", -105.0, 20.0, 3),  # A: above
        (0, -450, "Viettel", "4G", nan, 3.0, 5),     # A: no signal, 3 Mb/s < 5: below
        (600, 0, "Viettel", "4G", -90.0, nan, 9),    # 600 m from A, 1400 m from B: nobody's
        (1900, 0, "Viettel", "4G", -95.0, nan, 4),   # B (100 m)
        (1200, 0, "VNPT", "3G", -99.0, 2.0, 6),      # B (800 m): beyond 500 m
        (0, 950, "Viettel", "4G", -80.0, nan, 7),    # near C, but C is located by commune
    ])  # fmt: skip
    got = m.aggregate(points, _villages(), m.Rules())
    assert got[["village_id", "operator", "technology", "count", "above"]].values.tolist() == [
        ["A", "Viettel", "4G", 4, 2],
        ["B", "Viettel", "4G", 1, 1],
    ]
    a = got.iloc[0]
    assert a["share_above"] == 0.5
    assert a["median_signal_dbm"] == -105.0  # median of -100, -115, -105
    assert a["median_download_mbps"] == 11.5  # median of 20, 3
    assert a["last_measured"] == pd.Timestamp(2026, 11, 5)
    assert a["files"] == "drive.csv"
    wider = m.aggregate(points, _villages(), m.Rules.make(within_m=900))
    assert wider.set_index(["village_id", "operator"])["count"].to_dict() == {
        ("A", "Viettel"): 5, ("B", "Viettel"): 1, ("B", "VNPT"): 1,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("min_count", "min_share", "expected"),
    [
        (5, 0.5, {}),
        (4, 0.5, {"A": True}),
        (4, 0.75, {"A": False}),
        (1, 0.75, {"A": False, "B": True}),
    ],
)
def test_a_village_takes_its_status_from_measurements_once_measured_enough(
    min_count, min_share, expected
):
    nan = np.nan
    points = _points([
        (100, 0, "Viettel", "4G", -100.0, nan, 1), (0, 200, "Viettel", "4G", -115.0, nan, 2),
        (-300, 0, "Viettel", "4G", -105.0, nan, 3), (0, -450, "Viettel", "4G", -120.0, nan, 5),
        (1900, 0, "Viettel", "4G", -95.0, nan, 4),
    ])  # fmt: skip
    rules = m.Rules.make(min_count=min_count, min_share=min_share)
    status = m.village_status(m.aggregate(points, _villages(), rules), rules)
    assert dict(zip(status["village_id"], status["covered"], strict=True)) == expected


def test_two_g_measurements_never_decide_mobile_broadband():
    points = _points([(0, 0, "Gmobile", "2G", -60.0, np.nan, 1)] * 6)
    rules = m.Rules()
    agg = m.aggregate(points, _villages(), rules)
    assert agg["count"].tolist() == [6]
    assert m.village_status(agg, rules).empty


def test_thresholds_are_per_technology_and_editable():
    p = pd.DataFrame({"technology": ["3G", "4G", "4G", "5G"],
                      "signal_dbm": [-102.0, -102.0, np.nan, np.nan],
                      "download_mbps": [np.nan, np.nan, 6.0, 6.0]})  # fmt: skip
    assert m.above_threshold(p).tolist() == [False, True, True, False]
    rules = m.Rules.make(signal_dbm={"3G": -105}, download_mbps={"5G": 5})
    assert m.above_threshold(p, rules).tolist() == [True, True, True, True]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"within_m": 0}, "within_m must be at least 1 m"),
     ({"min_share": 1.5}, "min_share must be between 0 and 1"),
     ({"signal_dbm": {"6G": -90}}, "unknown technology ['6G']")],
)  # fmt: skip
def test_wrong_rules_are_refused_with_the_rule_named(kwargs, message):
    with pytest.raises(InputError) as err:
        m.Rules.make(**kwargs)
    assert message in err.value.message_en


# ---------------------------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------------------------


def _read_good(fmt="csv"):
    data, name = _bytes(*LAYOUTS["g_nettrack"], fmt)
    return m.read(data, name)


def test_the_store_keeps_each_import_once_and_takes_one_back(tmp_path):
    read = _read_good()
    conn = store.connect(tmp_path / "m.sqlite")
    try:
        first, already = store.add_import(conn, read.rows, province_code="11", file=read.file,
                                          sheet=None, content_hash=read.content_hash,
                                          user="Lò Văn Minh")  # fmt: skip
        again, already_again = store.add_import(conn, read.rows, province_code="11",
                                                file=read.file, sheet=None,
                                                content_hash=read.content_hash, user="x")  # fmt: skip
        assert (already, again, already_again) == (False, first, True)
        pts = store.points(conn, ["11"])
        assert len(pts) == 4
        assert pts["measured_at"].iloc[0] == pd.Timestamp("2026-11-03 09:35:23")
        assert pts["operator"].tolist() == read.rows["operator"].tolist()
        listed = store.imports(conn, ["11"])
        assert listed[["file", "n_rows", "committed_by"]].values.tolist() == [
            ["do_kiem.csv", 4, "Lò Văn Minh"]
        ]
        store.remove(conn, first, user="Lò Văn Minh")
        assert store.points(conn, ["11"]).empty
        with pytest.raises(InputError, match=f"Measurement import {first} was already removed"):
            store.remove(conn, first, user="Lò Văn Minh")
    finally:
        conn.close()


def test_a_foreign_sqlite_file_is_refused_as_the_measurement_store(tmp_path):
    import sqlite3

    from geo.store.sqlite import DatabaseFileError

    path = tmp_path / "other.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    with pytest.raises(DatabaseFileError):
        store.connect(path)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _cli(args):
    from geo.__main__ import main

    return main(args)


def test_cli_import_exits_0_when_every_row_is_usable_and_commits(real_data, tmp_path, capsys):
    data, name = _bytes(*LAYOUTS["vietnamese"], "xlsx")
    path = tmp_path / name
    path.write_bytes(data)
    db = tmp_path / "m.sqlite"
    code = _cli(["measurements", "import", str(path), "--province", "Điện Biên", "--commit",
                 "--store", str(db), "--user", "Lò Văn Minh"])  # fmt: skip
    assert code == 0
    assert "committed" in capsys.readouterr().err
    assert _cli(["measurements", "list", "--store", str(db)]) == 0
    assert "11,do_kiem.xlsx,Sheet1,4,Lò Văn Minh," in capsys.readouterr().out


def test_cli_import_exits_3_with_rows_to_review_and_commits_nothing(real_data, tmp_path, capsys):
    header, rows = LAYOUTS["g_nettrack"]
    rows = [*rows, ["2026.11.05_08.00.00", 105.85, 21.03, "Viettel", "45204", "LTE", -90, ""]]
    data, name = _bytes(header, rows, "csv")
    path = tmp_path / name
    path.write_bytes(data)
    db = tmp_path / "m.sqlite"
    report = tmp_path / "report.csv"
    code = _cli(["measurements", "import", str(path), "--province", "11", "--commit",
                 "--store", str(db), "--report", str(report)])  # fmt: skip
    assert code == 3
    lines = pd.read_csv(report, encoding="utf-8-sig")
    assert lines[["row", "field"]].values.tolist() == [[6, "Latitude/Longitude"]]
    assert "outside Tỉnh Điện Biên" in lines["message_en"].iloc[0]
    assert not db.exists()
    code = _cli(["measurements", "import", str(path), "--province", "11", "--commit",
                 "--store", str(db), "--skip-bad-rows"])  # fmt: skip
    assert code == 3
    conn = store.connect(db)
    try:
        assert len(store.points(conn, ["11"])) == 4
    finally:
        conn.close()


def test_cli_import_exits_2_when_the_file_is_unusable(real_data, tmp_path, capsys):
    path = tmp_path / "sai.csv"
    path.write_text("Nhà mạng,Công nghệ\nViettel,4G\n", encoding="utf-8")
    code = _cli(["measurements", "import", str(path), "--province", "11"])
    assert code == 2
    err = capsys.readouterr().err
    assert "file sai.csv, field measured_at: sai.csv has no column for Time, Latitude" in err


@pytest.mark.parametrize(
    ("account", "allowed"),
    [
        (("planner", "province_planner", "11", None, None), True),
        (("other", "province_planner", "12", None, None), False),
        (("viewer", "district_viewer", "11", "094", None), False),
        (("viettel", "operator", None, None, "Viettel"), False),
    ],
)
def test_committing_and_removing_measurements_is_checked_against_the_account(
    tmp_path, account, allowed
):
    from geo import auth

    who = auth.Account(account[0], auth.Role(account[1]), *account[2:])
    db = tmp_path / "m.sqlite"
    read = _read_good()
    if not allowed:
        with pytest.raises(auth.PermissionDeniedError):
            m.commit(read, db, province_code="11", account=who)
        assert not db.exists()  # refused before the store is opened
        import_id, _ = m.commit(read, db, province_code="11")  # the console may
        with pytest.raises(auth.PermissionDeniedError):
            m.remove(db, import_id, account=who)
        return
    import_id, already = m.commit(read, db, province_code="11", account=who, who="ignored")
    conn = store.connect(db)
    try:
        assert store.imports(conn)["committed_by"].tolist() == ["planner"]
    finally:
        conn.close()
    assert m.remove(db, import_id, account=who)["file"] == "do_kiem.csv"


def test_each_village_lists_the_files_its_points_come_from():
    points = _points(
        [(0, 0, "Viettel", "4G", -90.0, np.nan, 1)] * 3
        + [(1900, 0, "Viettel", "4G", -90.0, np.nan, 1), (0, 0, "VNPT", "4G", -90.0, np.nan, 1)]
    )
    points["file"] = ["b.csv", "a.csv", "b.csv", "c.csv", "a.csv"]
    got = m.aggregate(points, _villages())
    assert got[["village_id", "operator", "files"]].values.tolist() == [
        ["A", "VNPT", "a.csv"], ["A", "Viettel", "a.csv;b.csv"], ["B", "Viettel", "c.csv"],
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_date_cells_and_one_level_column_for_every_technology_are_read(fmt):
    import datetime as dt

    header = ["Ngày giờ", "Kinh độ", "Vĩ độ", "Nhà mạng", "Công nghệ", "RSRP"]
    rows = [[dt.datetime(2026, 11, 3, 9, 35), 103.02, 21.38, "Viettel", "4G", -100],
            [dt.datetime(2026, 11, 4, 10, 0), 103.03, 21.39, "VNPT", "3G", -90]]  # fmt: skip
    read = m.read(*_bytes(header, rows, fmt))
    assert read.problems.empty
    assert read.rows["measured_at"].tolist() == [pd.Timestamp("2026-11-03 09:35"),
                                                 pd.Timestamp("2026-11-04 10:00")]  # fmt: skip
    assert read.rows[["signal_dbm", "signal_kind"]].values.tolist() == [
        [-100.0, "RSRP"], [-90.0, "RSRP"],
    ]  # fmt: skip
