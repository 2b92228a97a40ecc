"""The village register: GeoNames points placed in their communes, stable ids, aliases, re-linking."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import unserved, villages

pytestmark = pytest.mark.realdata


def test_register_counts_match_the_geonames_extract(dienbien, laichau):
    def geonames(p):
        return p.villages[p.villages["source"] == villages.GEONAMES]

    assert len(geonames(dienbien)) == 563
    assert len(geonames(laichau)) == 1080


def test_register_points_lie_in_their_commune(dienbien):
    v = dienbien.villages
    pts = v[v["location_precision"] == "point"]
    polys = dienbien.communes.set_index("gid_3").geometry
    inside = shapely.covers(polys.loc[pts["gid_3"]].to_numpy(), pts.geometry.to_numpy())
    within = pts["join_method"] == "within"
    assert inside[within.to_numpy()].all()
    # The few border points joined to the nearest commune lie within 1 km of it.
    near = pts[~within]
    assert (near["join_method"] == "nearest").all()


def test_villages_without_coordinates_sit_at_their_communes_representative_point(dienbien):
    v = dienbien.villages
    at_commune = v[v["location_precision"] == "commune"]
    assert len(at_commune) > 0
    reps = dienbien.communes.drop_duplicates("commune_code").set_index("commune_code")
    expected = reps.geometry.representative_point().loc[at_commune["commune_code"]]
    assert shapely.equals(expected.to_numpy(), at_commune.geometry.to_numpy()).all()


def test_village_ids_are_stable_and_unique(dienbien):
    v = dienbien.villages
    assert v["village_id"].is_unique
    assert v["village_id"].str.fullmatch(r"V[0-9A-F]{10}").all()
    again = villages.mint_ids(pd.Series(["geonames"]), pd.Series(["1590302"]))
    assert again.iloc[0] == v.loc[v["source_id"] == "1590302", "village_id"].iloc[0]


def test_huoi_chon_of_the_plan_is_matched_to_its_geonames_point(dienbien):
    d = dienbien.declared.set_index("source_row")
    row = d.loc[17]
    assert row["village"] == "Huổi Chỏn"
    assert row["commune_code"] == "03292"
    assert row["location_precision"] == "point"
    assert row["register_name"] == "Huổi Chỏn"


def test_declared_layer_has_36_rows_never_null_geometry_and_the_plans_operators(dienbien):
    d = dienbien.declared
    assert len(d) == 36
    assert d.geometry.notna().all() and not d.geometry.is_empty.any()
    assert d["operator"].value_counts().to_dict() == {"Viettel": 18, "VNPT": 14, "MobiFone": 4}
    assert set(d.columns) >= set(unserved.EXPORT_COLUMNS)
    assert (d.loc[d["source_row"] == 15, "village"] == "Mường tình C").all()


def _tiny_register():
    communes = gpd.GeoDataFrame(
        {
            "commune_code": ["00001"],
            "commune": ["Xã A"],
            "district_code": ["001"],
            "district": ["Huyện B"],
            "province_code": ["01"],
            "province": ["Tỉnh C"],
            "commune_2025_code": ["00009"],
            "gid_3": ["G1"],
        },
        geometry=[shapely.box(103.0, 21.0, 103.1, 21.1)],
        crs="EPSG:4326",
    )
    pts = gpd.GeoDataFrame(
        {
            "source_id": ["1", "2"],
            "village": ["Bản Na Sang", "Thôn III"],
            "asciiname": ["", ""],
            "feature_code": ["PPL", "PPL"],
        },
        geometry=[shapely.Point(103.05, 21.05), shapely.Point(103.02, 21.02)],
        crs="EPSG:4326",
    )
    return villages.build_register(communes, pts)


def test_a_new_register_relinks_by_alias_and_by_name_and_keeps_what_it_cannot_link():
    reg = _tiny_register()
    old_ids = dict(zip(reg.villages["village"], reg.villages["village_id"], strict=True))
    new = gpd.GeoDataFrame(
        {
            "source_id": ["1", "A7", "A8"],
            "village": ["Na Sang", "Thôn 3", "Bản Mới"],
            "commune_code": ["00001", "00001", "00001"],
        },
        geometry=[shapely.Point(103.05, 21.05)] * 3,
        crs="EPSG:4326",
    ).assign(source=["geonames", "district_list", "district_list"])
    # Row 1 keeps its id through the alias (same source and id); row 2 through its name.
    new.loc[1:, "source"] = "district_list"
    relinked, report = villages.link_register(new.iloc[1:], reg, source="district_list")
    assert report.linked_by_name == 1
    ids = dict(zip(relinked.villages["village"], relinked.villages["village_id"], strict=True))
    assert ids["Thôn 3"] == old_ids["Thôn III"]
    assert ids["Bản Mới"] not in old_ids.values()
    # Bản Na Sang is not in the new list: kept, flagged, never dropped.
    kept = relinked.villages.set_index("village").loc["Bản Na Sang"]
    assert not kept["in_register"]
    assert report.new == 1
