"""Evidence: the ranking measured > declared > terrain > radius, measurements overriding the
radius model both ways, what a village's status rests on, the counts, the export columns and
the whole path through the workspace and the command line."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo import coverage, evidence
from geo import measurements as m
from geo.sites import OPERATORS
from geo.vocab import Evidence

UTM = Transformer.from_crs(4326, 32648, always_xy=True)
BACK = Transformer.from_crs(32648, 4326, always_xy=True)
X0, Y0 = UTM.transform(103.0, 21.4)


def _lonlat(dx: float, dy: float) -> tuple[float, float]:
    return BACK.transform(X0 + dx, Y0 + dy)


def _villages() -> gpd.GeoDataFrame:
    """IN: 2 km from the Viettel site (inside its 4 km radius); OUT: 6 km from it."""
    lon, lat = zip(_lonlat(2000, 0), _lonlat(6000, 0), strict=True)
    return gpd.GeoDataFrame(
        {"village_id": ["IN", "OUT"], "location_precision": ["point", "point"],
         "gid_3": ["c1", "c1"]},
        geometry=gpd.points_from_xy(lon, lat), crs=4326,
    )  # fmt: skip


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["S1"], "operator": ["Viettel"], "technology": ["4G"]},
        geometry=gpd.points_from_xy(*zip(_lonlat(0, 0), strict=True)), crs=4326,
    )  # fmt: skip


def _status():
    v = _villages()
    radius = coverage.operator_coverage(v, _sites())
    status = v.copy()
    for op in OPERATORS:
        status[op] = radius[op].to_numpy()
    return status, radius


def _measured(village: str, signal: float, n: int = 6) -> pd.DataFrame:
    lon, lat = _lonlat(2000 if village == "IN" else 6000, 50)
    points = pd.DataFrame({
        "lon": [lon] * n, "lat": [lat] * n, "operator": "Viettel", "technology": "4G",
        "signal_dbm": signal, "download_mbps": np.nan,
        "measured_at": pd.Timestamp("2026-11-03"), "file": "drive.csv",
    })  # fmt: skip
    rules = m.Rules()
    return m.village_status(m.aggregate(points, _villages(), rules), rules)


def test_the_radius_model_alone_covers_the_village_inside_the_circle():
    status, radius = _status()
    out = evidence.apply(status, radius=radius, operators=("Viettel",))
    assert out["Viettel"].tolist() == [True, False]
    assert out["evidence_Viettel"].tolist() == ["radius", "radius"]
    assert out["evidence"].tolist() == ["radius", "radius"]


def test_a_village_inside_the_radius_measured_below_threshold_is_not_covered():
    status, radius = _status()
    out = evidence.apply(status, radius=radius, measured=_measured("IN", -125.0),
                         operators=("Viettel",))  # fmt: skip
    assert out["Viettel"].tolist() == [False, False]
    assert out["evidence_Viettel"].tolist() == ["measured", "radius"]
    assert out["mobile_broadband"].tolist() == [False, False]
    assert out["gap_class"].tolist() == ["none", "none"]


def test_a_village_outside_the_radius_measured_above_threshold_is_covered():
    status, radius = _status()
    out = evidence.apply(status, radius=radius, measured=_measured("OUT", -95.0),
                         operators=("Viettel",))  # fmt: skip
    assert out["Viettel"].tolist() == [True, True]
    assert out["evidence_Viettel"].tolist() == ["radius", "measured"]
    assert out["evidence"].tolist() == ["radius", "measured"]


def test_declared_polygons_override_the_radius_model_for_the_declaring_operator_only():
    status, radius = _status()
    around_out = shapely.Point(*_lonlat(6000, 0)).buffer(0.01)
    declared = gpd.GeoDataFrame({"operator": ["Viettel"], "technology": ["4G"]},
                                geometry=[around_out], crs=4326)  # fmt: skip
    table = evidence.declared_table(status, declared)
    assert table.columns.tolist() == ["Viettel"]
    out = evidence.apply(status, radius=radius, declared=table, operators=("Viettel",))
    assert out["Viettel"].tolist() == [False, True]
    assert out["evidence_Viettel"].tolist() == ["declared", "declared"]
    assert out["evidence_VNPT"].tolist() == ["radius", "radius"]


def test_a_terrain_status_set_by_the_model_ranks_above_the_radius_model():
    status, radius = _status()
    status["Viettel"] = [False, False]  # the terrain model: IN is behind a ridge
    status["evidence"] = [Evidence.TERRAIN.value, Evidence.TERRAIN.value]
    out = evidence.apply(status, radius=radius, operators=("Viettel",))
    assert out["Viettel"].tolist() == [False, False]
    assert out["evidence_Viettel"].tolist() == ["terrain", "terrain"]
    measured = evidence.apply(status, radius=radius, measured=_measured("IN", -90.0),
                              operators=("Viettel",))  # fmt: skip
    assert measured["Viettel"].tolist() == [True, False]
    assert measured["evidence_Viettel"].tolist() == ["measured", "terrain"]


@pytest.mark.parametrize(
    ("available", "covered", "kind", "status"),
    [
        ([1, 1, 1, 1], [0, 1, 1, 1], Evidence.MEASURED, False),
        ([0, 1, 1, 1], [1, 0, 1, 1], Evidence.DECLARED, False),
        ([0, 0, 1, 1], [1, 1, 1, 0], Evidence.TERRAIN, True),
        ([0, 0, 0, 1], [1, 1, 1, 0], Evidence.RADIUS, False),
        ([1, 0, 0, 1], [1, 0, 0, 0], Evidence.MEASURED, True),
        ([0, 0, 0, 0], [1, 1, 1, 1], Evidence.RADIUS, False),
    ],
)
def test_the_strongest_available_evidence_decides(available, covered, kind, status):
    k, s = evidence.strongest(np.array(available)[:, None], np.array(covered)[:, None])
    assert evidence.KINDS[k[0]] == kind
    assert bool(s[0]) is status


def test_the_kinds_are_in_the_order_of_their_rank():
    assert [e.value for e in evidence.KINDS] == ["measured", "declared", "terrain", "radius"]
    assert [e.rank for e in evidence.KINDS] == [0, 1, 2, 3]


def test_every_piece_is_listed_with_its_source_and_date_strongest_first():
    status, radius = _status()
    got = evidence.pieces(status, radius=radius, measured=_measured("IN", -125.0),
                          radius_source="radius model: 4G 4 km")  # fmt: skip
    viettel_in = got[(got["village_id"] == "IN") & (got["operator"] == "Viettel")]
    assert viettel_in["evidence"].tolist() == ["measured", "radius"]
    assert viettel_in["covered"].tolist() == [False, True]
    assert viettel_in["source"].tolist() == ["drive.csv", "radius model: 4G 4 km"]
    assert viettel_in["date"].iloc[0] == pd.Timestamp("2026-11-03")
    assert viettel_in["count"].iloc[0] == 6
    assert len(got) == 2 * len(OPERATORS) + 1
    lines = evidence.describe(viettel_in, "vi")
    assert lines == [
        "Viettel: Đo kiểm thực tế — không có sóng (6 điểm đo, 0,0 % đạt ngưỡng, 4G, 03/11/2026) ✓",
        "Viettel: Mô hình bán kính — có sóng",
    ]


def test_a_covered_village_rests_on_its_strongest_covering_operator_and_a_gap_on_the_weakest():
    kind = np.array([[0, 3], [3, 3], [0, 3]])  # measured / radius per (village, operator)
    value = np.array([[False, True], [False, False], [True, True]])
    got = evidence._village_evidence(kind, value, [0, 1])
    assert got.tolist() == ["radius", "radius", "measured"]


def test_evidence_counts_is_a_named_series_of_every_kind():
    status = pd.DataFrame({"evidence": ["radius", "measured", "radius", "declared"]})
    got = evidence.evidence_counts(status)
    assert got.name == "evidence_counts"
    assert got.to_dict() == {"measured": 1, "declared": 1, "terrain": 0, "radius": 2}


def test_the_village_layer_carries_the_evidence_before_its_geometry():
    status, radius = _status()
    out = evidence.apply(status, radius=radius, measured=_measured("IN", -125.0))
    layer = gpd.GeoDataFrame({"village_id": ["OUT", "IN"]}, geometry=[None, None], crs=4326)
    got = evidence.export_columns(layer, out)
    assert got.columns[-1] == "geometry"
    assert got["evidence_Viettel"].tolist() == ["radius", "measured"]


# ---------------------------------------------------------------------------------------------
# Through the workspace and the command line
# ---------------------------------------------------------------------------------------------


def _store_points(db, model, ids_and_signals):
    """Commit 6 points 50 m from each village, with the given Viettel 4G signal."""
    from geo.store import measurements as store

    s = model.status.set_index("village_id")
    rows = []
    for vid, signal in ids_and_signals:
        g = s.loc[vid, "geometry"]
        rows += [(g.x + 0.0004, g.y, signal)] * 6
    frame = pd.DataFrame({
        "source_row": range(2, len(rows) + 2), "measured_at": pd.Timestamp("2026-11-03"),
        "lon": [r[0] for r in rows], "lat": [r[1] for r in rows], "operator": "Viettel",
        "technology": "4G", "signal_dbm": [r[2] for r in rows], "signal_kind": "RSRP",
        "download_mbps": np.nan,
    })  # fmt: skip
    conn = store.connect(db)
    try:
        store.add_import(conn, frame, province_code="11", file="do_kiem_mo_phong.csv",
                         sheet=None, content_hash="x", user="test")  # fmt: skip
    finally:
        conn.close()


def test_measurements_in_the_store_change_the_model_indicators_and_export(real_data, tmp_path):
    from geo import workspace

    scope = workspace.resolve_scope("11")
    bare = workspace.build(scope, stores=workspace.Stores())
    s = bare.status[bare.status["location_precision"] == "point"]
    inside = s[s["Viettel"]].iloc[0]["village_id"]
    outside = s[~s["Viettel"]].iloc[0]["village_id"]
    db = tmp_path / "m.sqlite"
    _store_points(db, bare, [(inside, -125.0), (outside, -90.0)])
    model = workspace.build(scope, stores=workspace.Stores(measurements=db))
    st = model.status.set_index("village_id")
    assert (st.loc[inside, "Viettel"], st.loc[inside, "evidence_Viettel"]) == (False, "measured")
    assert (st.loc[outside, "Viettel"], st.loc[outside, "evidence_Viettel"]) == (True, "measured")
    assert model.sources["measurements"]["points"] == 12
    result = workspace.indicators_for(model, scope, workspace.Settings())
    counts = result["evidence_counts"]
    assert counts == evidence.evidence_counts(model.status).to_dict()
    assert counts["measured"] >= 1 and sum(counts.values()) == result["villages"]
    assert result["villages_mobile_share"] == pytest.approx(model.status["mobile_broadband"].mean())
    layer = workspace.layer_for(model, scope, "villages").set_index("village_id")
    assert layer.loc[inside, "evidence_Viettel"] == "measured"
    assert not layer.loc[inside, "Viettel"]


def test_cli_export_says_the_villages_status_rests_on_the_imported_measurements(
    real_data, dienbien_model, tmp_path, capsys
):
    from geo.__main__ import main

    s = dienbien_model.status
    s = s[(s["location_precision"] == "point") & s["Viettel"]]
    target = s.iloc[0]
    lines = ["Thời gian,Kinh độ,Vĩ độ,Nhà mạng,Công nghệ,RSRP (dBm)"]
    lines += [f"0{d}/11/2026 09:00,{target.geometry.x + 0.0005:.6f},{target.geometry.y:.6f},"
              f"Viettel,4G,-121" for d in range(1, 4)]  # fmt: skip
    path = tmp_path / "do_kiem.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "m.sqlite"
    assert main(["measurements", "import", str(path), "--province", "11", "--commit",
                 "--store", str(db)]) == 0  # fmt: skip
    stores = ["--store", str(tmp_path / "imports.sqlite"), "--db", str(tmp_path / "reg.sqlite"),
              "--measurements", str(db)]  # fmt: skip
    out = tmp_path / "villages.geojson"
    # Three points are fewer than the default five: the radius model still decides.
    assert main(["export", "--province", "11", "--layer", "villages", "--output", str(out),
                 *stores]) == 0  # fmt: skip
    layer = gpd.read_file(out).set_index("village_id")
    assert (layer.loc[target.village_id, "evidence_Viettel"], layer.loc[target.village_id,
            "Viettel"]) == ("radius", True)  # fmt: skip
    assert main(["export", "--province", "11", "--layer", "villages", "--output", str(out),
                 *stores, "--measured-min-count", "3"]) == 0  # fmt: skip
    layer = gpd.read_file(out).set_index("village_id")
    assert (layer.loc[target.village_id, "evidence_Viettel"], layer.loc[target.village_id,
            "Viettel"]) == ("measured", False)  # fmt: skip
    capsys.readouterr()
    assert main(["indicators", "--province", "11", "--format", "json", *stores,
                 "--measured-min-count", "3"]) == 0  # fmt: skip
    import json

    result = json.loads(capsys.readouterr().out)
    from_layer = layer["evidence"].value_counts().to_dict()
    assert {k: v for k, v in result["evidence_counts"].items() if v} == from_layer


def test_declared_pieces_name_the_operators_files_and_the_latest_date():
    status, radius = _status()
    declared = pd.DataFrame({"Viettel": [True, False]}, index=status.index)
    imports = pd.DataFrame({
        "kind": ["coverage", "coverage", "sites"],
        "file": ["viettel_4g.kml", "viettel_3g.kml", "tram.xlsx"],
        "operators": [["Viettel"], ["Viettel", "VNPT"], ["Viettel"]],
        "committed_at": pd.to_datetime(["2026-10-01T20:00:00Z", "2026-09-01T01:00:00Z",
                                        "2026-11-01T00:00:00Z"]),
    })  # fmt: skip
    origin = evidence.declared_origin([imports, None])
    assert origin.loc["Viettel", "source"] == (
        "operator-declared coverage: viettel_3g.kml; viettel_4g.kml"
    )
    assert origin.loc["Viettel", "date"] == pd.Timestamp("2026-10-02")  # 03:00 in Viet Nam
    got = evidence.pieces(status, radius=radius, declared=declared, declared_origin=origin)
    d = got[(got["evidence"] == "declared")]
    assert d[["village_id", "covered", "date"]].values.tolist() == [
        ["IN", True, pd.Timestamp("2026-10-02")], ["OUT", False, pd.Timestamp("2026-10-02")],
    ]  # fmt: skip
