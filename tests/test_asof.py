"""As of a date: the register replayed from its history to the end of a day (Vietnam time),
the status the dated fields give, and the sites on air by then."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import asof
from geo import assignments as asg
from geo.store import assignments as store


def _village(i: int) -> dict:
    return {
        "village_id": f"V{i}",
        "village": f"Bản {i}",
        "commune_code": "03175",
        "commune": "Xã Chà Tở",
        "district_code": "096",
        "district": "Huyện Nậm Pồ",
        "province_code": "11",
        "province": "Tỉnh Điện Biên",
        "lon": 103.0 + i / 100,
        "lat": 21.5,
        "location_precision": "point",
    }


@pytest.fixture
def register(tmp_path, monkeypatch):
    """A register written at known times: V1 assigned 10/01/2025, under construction
    01/03, on air saved at 18:00 UTC on 30/06 (01/07 in Vietnam); V2 assigned 01/02, its
    creation undone 05/02, assigned again to another operator 01/04."""
    times = iter(
        [
            "2025-01-10T02:00:00+00:00",  # the session
            "2025-01-10T03:00:00+00:00",
            "2025-02-01T03:00:00+00:00",
            "2025-02-05T03:00:00+00:00",
            "2025-03-01T03:00:00+00:00",
            "2025-04-01T03:00:00+00:00",
            "2025-06-30T18:00:00+00:00",
        ]
    )
    monkeypatch.setattr(store, "now", lambda: next(times))
    path = tmp_path / "register.sqlite"
    s = asg.open_session(path, "Lan", client="test")
    asg.assign(s, _village(1), "Viettel", target_year=2025, assigned_on="2025-01-10")
    asg.assign(s, _village(2), "VNPT", target_year=2025, assigned_on="2025-02-01")
    asg.undo_last(s, "V2", expected_version=1)
    asg.set_status(s, "V1", "under_construction", expected_version=1, on="2025-03-01")
    asg.assign(s, _village(2), "MobiFone", target_year=2026, assigned_on="2025-04-01")
    asg.set_status(s, "V1", "on_air", expected_version=2, on="2025-06-28")
    current = asg.current(s.conn)
    s.conn.close()
    return path, current


def _state(path, day: str) -> dict:
    frame = asof.read_register_as_of(path, dt.date.fromisoformat(day))
    return {r.village_id: (r.operator, r.status) for r in frame.itertuples()}


def test_before_the_first_change_the_register_was_empty(register):
    path, _ = register
    assert _state(path, "2025-01-09") == {}
    assert list(asof.read_register_as_of(path, dt.date(2025, 1, 9)).columns) == [
        *store.FIELDS,
        "status_date",
    ]


def test_each_village_has_the_status_and_operator_the_history_gave_it_then(register):
    path, _ = register
    assert _state(path, "2025-01-10") == {"V1": ("Viettel", "assigned")}
    assert _state(path, "2025-02-03") == {"V1": ("Viettel", "assigned"), "V2": ("VNPT", "assigned")}
    assert _state(path, "2025-02-05") == {"V1": ("Viettel", "assigned")}  # undone that day
    assert _state(path, "2025-04-01") == {
        "V1": ("Viettel", "under_construction"),
        "V2": ("MobiFone", "assigned"),
    }


def test_a_change_saved_after_17_utc_belongs_to_the_next_day_in_vietnam(register):
    path, _ = register
    assert _state(path, "2025-06-30")["V1"] == ("Viettel", "under_construction")
    assert _state(path, "2025-07-01")["V1"] == ("Viettel", "on_air")


def test_replayed_to_today_the_register_is_the_current_one(register):
    path, current = register
    replayed = asof.read_register_as_of(path, dt.date.today())
    fields = [f for f in store.FIELDS if f not in ("updated_at",)]

    def plain(frame: pd.DataFrame) -> list[dict]:
        rows = frame[fields].astype(object).to_dict("records")
        return [{k: None if pd.isna(v) else v for k, v in r.items()} for r in rows]

    assert plain(replayed) == plain(current)
    assert list(replayed["status_date"]) == list(current["status_date"].astype(object))


def test_the_dated_fields_give_the_status_a_village_had_on_a_day(register):
    _, current = register
    frame = current.set_index("village_id")
    on = {
        d: asof.effective_status(frame, dt.date.fromisoformat(d)).to_dict()
        for d in ("2025-01-09", "2025-03-01", "2025-06-28")
    }
    assert on["2025-01-09"] == {"V1": None, "V2": None}
    assert on["2025-03-01"] == {"V1": "under_construction", "V2": None}
    assert on["2025-06-28"] == {"V1": "on_air", "V2": "assigned"}


def test_sites_on_air_by_the_end_of_a_day_keep_undated_ones_unless_strict():
    dates = ["2024-12-31", "2025-01-01", None]
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"], "on_air_date": pd.to_datetime(dates)},
        geometry=shapely.points([(103, 21)] * 3),
        crs="EPSG:4326",
    )
    assert list(asof.sites_on_air(sites, dt.date(2024, 12, 31))["site_id"]) == ["a", "c"]
    assert list(asof.sites_on_air(sites, dt.date(2025, 1, 1), keep_unknown=False)["site_id"]) == [
        "a",
        "b",
    ]


def test_the_workspace_reads_the_register_as_of_a_day(register, real_data):
    from geo import workspace

    path, current = register
    scope = workspace.resolve_scope("11")
    stores = workspace.Stores(assignments=path)
    then = workspace.register_for(scope, stores, dt.date(2025, 2, 3))
    assert list(zip(then["village_id"], then["operator"], strict=True)) == [
        ("V1", "Viettel"),
        ("V2", "VNPT"),
    ]
    now = workspace.register_for(scope, stores)
    assert list(now["operator"]) == list(current["operator"])
    assert workspace.register_for(scope, workspace.Stores()).empty


def test_a_model_as_of_a_day_holds_only_the_sites_on_air_by_then(real_data):
    from geo import workspace

    scope = workspace.resolve_scope("11")
    all_sites = workspace.build(scope, workspace.Settings(), stores=workspace.Stores()).sites
    dates = pd.to_datetime(all_sites["on_air_date"])
    day = dates.dropna().sort_values().iloc[len(dates.dropna()) // 2].date()
    then = workspace.build(scope, workspace.Settings(as_of=day), stores=workspace.Stores()).sites
    expected = ((dates <= pd.Timestamp(day)) | dates.isna()).sum()
    assert 0 < len(then) == expected < len(all_sites)
