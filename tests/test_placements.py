"""geo.placements: a village located only by its commune, placed by hand with who and when.

The villages and communes are the real ones of Điện Biên (the ``dienbien`` fixture): the plan's
villages GeoNames lacks are located at their commune (``location_precision=commune``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import shapely

from geo import imports, placements
from geo.errors import InputError
from geo.readers.coords import format_dms

pytestmark = pytest.mark.realdata


@pytest.fixture
def db(tmp_path):
    return tmp_path / "imports.sqlite"


def _commune_village(data):
    """A village of the register located only at its commune, and its commune's polygon."""
    v = data.villages
    row = v[v["location_precision"] == "commune"].iloc[0]
    poly = data.communes.loc[data.communes["gid_3"] == row["gid_3"], "geometry"].iloc[0]
    return row, poly


def _inside(poly) -> tuple[float, float]:
    p = poly.representative_point()
    return round(p.x, 6), round(p.y, 6)


def test_place_stores_who_and_when_and_apply_moves_the_village(dienbien, db):
    row, poly = _commune_village(dienbien)
    lon, lat = _inside(poly)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    got = placements.place(
        db, row["village_id"], lon, lat, "  Lò Văn Minh ", "khảo sát 03/2025", province=dienbien
    )
    after = dt.datetime.now(dt.UTC)
    assert got.inside_commune and got.warning("vi") is None
    assert got.who == "Lò Văn Minh" and got.note == "khảo sát 03/2025"
    when = dt.datetime.fromisoformat(got.when)
    assert when.utcoffset() == dt.timedelta(0)
    assert before <= when <= after

    stored = placements.placements(db, "11")
    assert list(stored.columns) == placements.COLUMNS
    assert len(stored) == 1
    s = stored.iloc[0]
    assert (s["village_id"], s["who"], s["when"], s["note"]) == (
        row["village_id"],
        "Lò Văn Minh",
        got.when,
        "khảo sát 03/2025",
    )
    assert (s["lon"], s["lat"]) == (lon, lat)
    assert s["commune_code"] == row["commune_code"] and bool(s["inside_commune"])

    villages = dienbien.villages
    moved = placements.apply_placements(villages, stored)
    assert villages is not moved
    assert len(moved) == len(villages)
    m = moved[moved["village_id"] == row["village_id"]].iloc[0]
    assert (m.geometry.x, m.geometry.y) == (lon, lat)
    assert m["location_precision"] == "point" and m["join_method"] == "placed"
    assert (m["placed_by"], m["placed_at"]) == ("Lò Văn Minh", got.when)
    # The other villages, and the register itself, are untouched.
    others = moved["village_id"] != row["village_id"]
    assert moved.loc[others, "placed_by"].isna().all()
    assert moved.loc[others].geometry.equals(villages.loc[others.to_numpy()].geometry)
    assert (
        villages.loc[villages["village_id"] == row["village_id"], "location_precision"].iloc[0]
        == "commune"
    )


def test_coordinates_in_degrees_minutes_seconds_and_decimal_comma(dienbien, db):
    row, poly = _commune_village(dienbien)
    lon, lat = _inside(poly)
    got = placements.place(
        db, row["village_id"], format_dms(lon, "lon", 3), format_dms(lat, "lat", 3), "An",
        province=dienbien,
    )  # fmt: skip
    assert got.lon == pytest.approx(lon, abs=1e-6) and got.lat == pytest.approx(lat, abs=1e-6)
    got = placements.place(
        db, row["village_id"], str(lon).replace(".", ","), str(lat).replace(".", ","), "An",
        province="Điện Biên",
    )  # fmt: skip
    assert (got.lon, got.lat) == (lon, lat)


def test_a_point_outside_the_commune_is_stored_with_a_flag(dienbien, db):
    row, _ = _commune_village(dienbien)
    other = dienbien.communes[dienbien.communes["gid_3"] != row["gid_3"]].iloc[40]
    lon, lat = _inside(other.geometry)
    got = placements.place(db, row["village_id"], lon, lat, "An", province=dienbien)
    assert got.inside_commune is False
    assert got.distance_m > 0
    assert row["commune"] in got.warning("vi") and "ngoài" in got.warning("vi")
    assert "outside" in got.warning("en")
    stored = placements.placements(db, village_ids=[row["village_id"]])
    assert len(stored) == 1 and not stored["inside_commune"].iloc[0]
    assert stored["distance_m"].iloc[0] == got.distance_m


@pytest.mark.parametrize(
    ("lon", "lat", "fields", "text"),
    [
        ("abc", 21.38, ["lon"], "Không đọc được kinh độ “abc”"),
        (103.01, 30.0, ["lat"], "Vĩ độ 30.0 nằm ngoài Việt Nam"),
        ("", 21.38, ["lon"], "Kinh độ đang trống"),
        (103.01, None, ["lat"], "Vĩ độ đang trống"),
        ("21°23'15\"N", "103°01'02\"E", ["lon", "lat"], "hai giá trị có bị đảo"),
        (21.38, 103.01, ["lon", "lat"], "kinh độ và vĩ độ có vẻ bị đảo"),
        (103.01, "21°75'00\"N", ["lat"], "Không đọc được vĩ độ"),
    ],
)
def test_bad_coordinates_name_the_field_and_store_nothing(dienbien, db, lon, lat, fields, text):
    row, _ = _commune_village(dienbien)
    with pytest.raises(InputError) as exc:
        placements.place(db, row["village_id"], lon, lat, "An", province=dienbien)
    assert [p.field for p in exc.value.problems] == fields
    assert text in exc.value.message("vi")
    if len(fields) == 1:
        assert exc.value.field == fields[0]
    assert not db.exists()
    assert placements.placements(db).empty


def test_who_is_required_and_the_village_must_be_in_the_register(dienbien, db):
    row, poly = _commune_village(dienbien)
    lon, lat = _inside(poly)
    with pytest.raises(InputError) as exc:
        placements.place(db, row["village_id"], lon, lat, "   ", province=dienbien)
    assert exc.value.field == "who"
    assert "người thực hiện" in exc.value.message("vi")
    with pytest.raises(InputError) as exc:
        placements.place(db, "VNOTAVILLAGE", lon, lat, "An", province=dienbien)
    assert exc.value.field == "village_id"
    assert placements.placements(db).empty


def test_the_latest_placement_wins_and_history_is_kept(dienbien, db, monkeypatch):
    row, poly = _commune_village(dienbien)
    lon, lat = _inside(poly)
    first = placements.place(db, row["village_id"], lon, lat, "An", province=dienbien)
    second = placements.place(
        db, row["village_id"], lon + 0.001, lat, "Bình", "sửa lại", province=dienbien
    )
    latest = placements.placements(db, "11")
    assert len(latest) == 1 and latest["who"].iloc[0] == "Bình"
    history = placements.placements(db, "11", history=True)
    assert list(history["placement_id"]) == [second.placement_id, first.placement_id]
    moved = placements.apply_placements(dienbien.villages, history)
    m = moved[moved["village_id"] == row["village_id"]].iloc[0]
    assert m.geometry.x == pytest.approx(lon + 0.001) and m["placed_by"] == "Bình"
    assert placements.placements(db, "12").empty
    assert placements.placements(db, ["VOTHER"]).empty
    assert len(placements.placements(db, [row["village_id"]])) == 1


def test_placements_share_the_import_store_file(dienbien, tmp_path, monkeypatch):
    path = tmp_path / "store" / "imports.sqlite"
    monkeypatch.setenv("COVERAGE_IMPORTS_DB", str(path))
    assert placements.placements().empty
    assert not path.exists()  # reading does not create the store
    row, poly = _commune_village(dienbien)
    lon, lat = _inside(poly)
    placements.place(None, row["village_id"], lon, lat, "An", province=dienbien)
    store = imports.Store()
    assert store.path == path
    assert store.imports().empty
    assert len(placements.placements(store)) == 1
    assert imports.load_layers(store, "11").sites is None


def test_apply_to_the_declared_list_and_without_placements(dienbien, db):
    declared = dienbien.declared
    unchanged = placements.apply_placements(declared, placements.placements(db))
    assert unchanged.drop(columns=["placed_by", "placed_at"]).equals(declared)
    assert unchanged["placed_by"].isna().all()
    row = declared[declared["location_precision"] == "commune"].iloc[0]
    given = pd.DataFrame(
        {
            "placement_id": [1],
            "village_id": [row["village_id"]],
            "lon": [103.0],
            "lat": [21.5],
            "who": ["An"],
            "when": ["2025-03-01T02:00:00+00:00"],
        }
    )
    moved = placements.apply_placements(declared, given)
    m = moved[moved["village_id"] == row["village_id"]]
    assert (m.geometry == shapely.Point(103.0, 21.5)).all()
    assert (m["location_precision"] == "point").all()
    assert (m["placed_at"] == "2025-03-01T02:00:00+00:00").all()


def _declared_at_commune(data):
    d = data.declared
    return d[d["location_precision"] == "commune"].iloc[0]


def test_a_placed_declared_village_moves_in_the_declared_list_too(dienbien, tmp_path):
    store = imports.Store(tmp_path / "imports.sqlite")
    row = _declared_at_commune(dienbien)
    poly = dienbien.communes.loc[dienbien.communes["gid_3"] == row["gid_3"], "geometry"].iloc[0]
    lon, lat = _inside(poly)
    placements.place(store, row["village_id"], lon, lat, "Lò Văn Minh", province=dienbien)
    layers = imports.load_layers(store, "11")
    assert layers.placed["village_id"].tolist() == [row["village_id"]]
    out = imports.apply_layers(dienbien, layers)
    for frame in (out.declared, out.villages):
        m = frame[frame["village_id"] == row["village_id"]]
        assert len(m) >= 1
        assert (m.geometry == shapely.Point(lon, lat)).all()
        assert (m["location_precision"] == "point").all()
        assert (m["placed_by"] == "Lò Văn Minh").all()
    # The plan's list itself is not changed, and the other villages stay where they were.
    plan = dienbien.declared[dienbien.declared["village_id"] == row["village_id"]]
    assert (plan["location_precision"] == "commune").all()
    others = out.declared["village_id"] != row["village_id"]
    assert out.declared.loc[others].geometry.equals(
        dienbien.declared.loc[others.to_numpy()].geometry
    )
    # Without placements nothing moves.
    empty = imports.load_layers(imports.Store(tmp_path / "other.sqlite"), "11")
    assert empty.placed is None
    assert imports.apply_layers(dienbien, empty).declared.equals(dienbien.declared)


def test_a_placed_village_moves_in_an_imported_unserved_list_and_on_the_map_page(
    dienbien, tmp_path, monkeypatch
):
    from geo import workspace
    from tests.test_imports import _phu_luc_2_xlsx

    path = tmp_path / "imports.sqlite"
    monkeypatch.setenv("COVERAGE_IMPORTS_DB", str(path))
    store = imports.Store()
    staged = imports.stage(_phu_luc_2_xlsx(dienbien.declared), "pl2.xlsx", "unserved", dienbien)
    imports.commit(staged, store)
    row = _declared_at_commune(dienbien)
    poly = dienbien.communes.loc[dienbien.communes["gid_3"] == row["gid_3"], "geometry"].iloc[0]
    lon, lat = _inside(poly)
    before = imports.load_layers(store, "11")
    assert before.placed is None
    hit = before.unserved[before.unserved["village_id"] == row["village_id"]]
    assert len(hit) and (hit["location_precision"] == "commune").all()

    placements.place(None, row["village_id"], lon, lat, "An", province=dienbien)
    out = imports.apply_layers(dienbien, imports.load_layers(store, "11"))
    m = out.declared[out.declared["village_id"] == row["village_id"]]
    assert len(m) == len(hit)
    assert (m.geometry == shapely.Point(lon, lat)).all()
    assert (m["location_precision"] == "point").all()
    # The map page's layers (the workspace assembles them for the app and the command line):
    # register and list moved alike.
    layers = workspace.committed_layers(path, "11", dienbien)
    for frame in (layers.unserved, layers.villages.villages):
        m = frame[frame["village_id"] == row["village_id"]]
        assert (m.geometry == shapely.Point(lon, lat)).all()
        assert (m["location_precision"] == "point").all()


def test_placements_close_every_connection(dienbien, db, monkeypatch):
    import sqlite3

    opened = []
    connect = sqlite3.connect

    def recording(*args, **kwargs):
        con = connect(*args, **kwargs)
        opened.append(con)
        return con

    monkeypatch.setattr(sqlite3, "connect", recording)
    row, poly = _commune_village(dienbien)
    lon, lat = _inside(poly)
    placements.place(db, row["village_id"], lon, lat, "An", province=dienbien)
    placements.placements(db, "11")
    placements.placements(db, "11", history=True)
    assert len(opened) >= 3  # the store also looks at the file read-only before writing
    for con in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            con.execute("SELECT 1")


@pytest.mark.parametrize("with_table", [True, False])
def test_a_store_of_schema_2_is_migrated_and_keeps_its_placements(dienbien, db, with_table):
    """Schema 2 made the placements table on first use; schema 3 has it in the store's schema
    (geo.store.placements): a v2 file, with or without the table, opens as v3, rows kept."""
    import sqlite3
    from contextlib import closing

    from geo.store import imports as store_sql

    row, poly = _commune_village(dienbien)
    lon, lat = _inside(poly)
    if with_table:
        placements.place(db, row["village_id"], lon, lat, "An", province=dienbien)
    else:
        imports.Store(db)
    with closing(sqlite3.connect(db)) as con:
        if not with_table:
            con.execute("DROP TABLE placements")
        con.execute("PRAGMA user_version = 2")
        con.commit()
    got = placements.placements(db, "11")
    assert len(got) == (1 if with_table else 0)
    store = imports.Store(db)
    assert store.version("11")[-2:] == ((1, 1) if with_table else (0, 0))
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == store_sql.SCHEMA_VERSION == 3
        assert con.execute("SELECT name FROM sqlite_master WHERE name = 'placements'").fetchone()
    placements.place(db, row["village_id"], lon, lat, "Bình", province=dienbien)
    assert placements.placements(db, "11")["who"].tolist() == ["Bình"]
