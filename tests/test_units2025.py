"""Both maps of Vietnam: the units before and after 01/07/2025, on the real mapping and polygons."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import indicators, registry, units
from geo import units2025 as u5
from geo.__main__ import main
from geo.errors import InputError

pytestmark = pytest.mark.realdata

METRIC = "EPSG:32648"
MAIN_KEYS = [
    "villages",
    "villages_mobile_share",
    "villages_fibre_share",
    "population",
    "population_covered",
    "sites",
    "physical_sites",
    "site_sharing_rate",
    "total_not_spots",
    "partial_not_spots",
    "unserved_by_operator",
]


@pytest.fixture(scope="session")
def all_communes(real_data):
    return units.read_communes()


@pytest.fixture(scope="session")
def built_all(all_communes):
    return u5.build_communes_2025(all_communes)


@pytest.fixture(scope="session")
def quangninh(real_data):
    """Quảng Ninh: borders unchanged in 2025, 11 communes split between new communes."""
    from geo import province

    data = province.load_province("22")
    base = u5.communes_for_2025(data.communes)
    built = u5.build_communes_2025(base, u5.wanted_codes(data.communes))
    return data, base, built


# ---------------------------------------------------------------------------------------------
# The mapping
# ---------------------------------------------------------------------------------------------


def test_national_counts(real_data):
    u = units.units_2025()
    m = units.mapping_2025()
    assert u["province_2025_code"].nunique() == 34
    assert u["commune_2025_code"].nunique() == len(u) == 3321
    assert m["commune_2025_code"].nunique() == 3316
    # The 5 the mapping lacks are island special zones made of a district without communes.
    lacking = u[~u["commune_2025_code"].isin(m["commune_2025_code"])]
    assert lacking["commune_2025"].str.startswith("Đặc khu").all()
    assert (lacking["commune_codes_old"].str.len() == 3).all()
    assert m["commune_code"].nunique() == len(units.gso_units()) == 10047
    assert len(u5.provinces_2025_table()) == 34
    assert len(u5.province_old_to_new()) == 63


def test_parts_table_agrees_with_the_mapping(real_data):
    p = u5.parts_2025()
    assert len(p) == units.units_2025()["n_old"].astype(int).sum()
    communes = p[p["old_level"] == "commune"]
    m = units.mapping_2025()
    left = set(
        zip(communes["old_code"], communes["commune_2025_code"], communes["kind"], strict=True)
    )
    right = set(zip(m["commune_code"], m["commune_2025_code"], m["kind"], strict=True))
    assert left == right


@pytest.mark.parametrize(("code", "n_new"), [("11", 45), ("12", 38)])
def test_every_gso_code_of_dienbien_and_laichau_maps_to_exactly_one_new_commune(
    real_data, code, n_new
):
    g = units.gso_units()
    codes = g.loc[g["province_code"] == code, "commune_code"]
    m = units.mapping_2025()
    per_code = m[m["commune_code"].isin(codes)].groupby("commune_code")["commune_2025_code"]
    assert per_code.nunique().reindex(codes).eq(1).all()
    assert m.loc[m["commune_code"].isin(codes), "kind"].eq("full").all()
    new = m.loc[m["commune_code"].isin(codes)]
    assert new["commune_2025_code"].nunique() == n_new
    assert set(new["province_2025_code"]) == {code}


def test_every_polygon_of_dienbien_and_laichau_has_one_new_commune(dienbien, laichau):
    for data in (dienbien, laichau):
        att = u5.attribute_polygons(data.communes)
        assert att["commune_2025_code"].notna().all()
        assert set(att["commune_2025_method"]) <= {"mapping", "overlap"}


# ---------------------------------------------------------------------------------------------
# Polygons
# ---------------------------------------------------------------------------------------------


def test_union_matches_the_derived_dienbien_laichau_layer(real_data, dienbien, laichau):
    derived = gpd.read_file(registry.path("communes_2025_dienbien_laichau"))
    assert derived.groupby("ma_tinh_moi").size().to_dict() == {"11": 45, "12": 38}
    both = pd.concat([dienbien.communes, laichau.communes], ignore_index=True)
    built = u5.build_communes_2025(both, set(derived["ma_xa_moi"]))
    assert len(built) == 83
    j = derived.merge(
        built.drop(columns="geometry").assign(g=built.geometry.to_numpy()),
        left_on="ma_xa_moi",
        right_on="commune_2025_code",
        validate="one_to_one",
    )
    assert len(j) == 83
    a_ref = gpd.GeoSeries(j.geometry, crs=4326).to_crs(METRIC).area.to_numpy()
    a_new = gpd.GeoSeries(j["g"], crs=4326).to_crs(METRIC).area.to_numpy()
    assert np.all(np.abs(a_new - a_ref) <= 0.001 * a_ref)
    assert (j["n_old_x"] == j["n_old_y"]).all()
    assert (j["n_old_with_polygon_x"] == j["n_old_with_polygon_y"]).all()
    assert (j["ten_xa_moi"] == j["commune_2025"]).all()
    # All merged whole; Đoàn Kết lacks the polygon of one of its 5 old units.
    counts = j["geometry_method"].value_counts().to_dict()
    assert counts == {"exact": 82, "approximate": 1}
    doan_ket = j[j["geometry_method"] == "approximate"].iloc[0]
    assert doan_ket["commune_2025"] == "Phường Đoàn Kết"
    assert (doan_ket["n_old_y"], doan_ket["n_old_with_polygon_y"]) == (5, 4)
    # The retired-code polygons attached by border: Tà Lèng to Điện Biên Phủ, and in Lai Châu
    # Nậm Loỏng and Sùng Phài to Đoàn Kết, Ma Li Chải to Sì Lở Lầu.
    added = j.set_index("commune_2025")["n_added"]
    assert added["Phường Điện Biên Phủ"] == 1 and added["Phường Đoàn Kết"] == 2
    assert added["Xã Sì Lở Lầu"] == 1 and added.sum() == 4


def test_all_3321_new_communes_are_built_and_counted(built_all):
    counts = u5.geometry_counts(built_all)
    # 2,539 full merges with every polygon, plus 3 island special zones found by district
    # (Lý Sơn) or name (Bạch Long Vĩ, Cồn Cỏ); Hoàng Sa and Côn Đảo have no GADM polygon.
    assert counts == {"exact": 2542, "approximate": 756, "missing": 23, "total": 3321}
    assert built_all["commune_2025_code"].is_unique
    present = built_all.geometry.notna()
    assert (built_all.loc[~present, "geometry_method"] == "missing").all()
    assert built_all.loc[present].geometry.is_valid.all()
    assert set(built_all.loc[present].geom_type) == {"MultiPolygon"}
    assert built_all.crs.to_epsg() == 4326
    ext = built_all.groupby(["geometry_method", "geometry_extent"]).size().to_dict()
    assert set(ext) == {
        ("exact", "union"),
        ("approximate", "merged_parts"),
        ("approximate", "split_parts"),
        ("missing", "none"),
    }
    approx = built_all[built_all["geometry_method"] == "approximate"]
    assert ((approx["n_partial"] > 0) | (approx["n_old_with_polygon"] < approx["n_old"])).all()
    zones = built_all.set_index("commune_2025")
    assert zones.loc["Đặc khu Lý Sơn", "geometry_method"] == "exact"
    assert zones.loc["Đặc khu Côn Đảo", "geometry_method"] == "missing"


def test_an_exact_commune_is_the_union_of_its_old_polygons(all_communes, built_all):
    row = built_all.set_index("commune_2025_code").loc["03301"]  # Xã Búng Lao
    assert row["geometry_method"] == "exact"
    parts = all_communes[all_communes["commune_code"].isin(row["commune_codes_old"].split(";"))]
    assert len(parts) == row["n_old"] == 3
    union = shapely.union_all(parts.geometry.to_numpy())
    assert shapely.equals(shapely.normalize(union), shapely.normalize(row.geometry)) or (
        shapely.symmetric_difference(union, row.geometry).area < 1e-9
    )


def test_approximate_communes_never_include_a_split_commune_whole(all_communes, built_all):
    """A split commune's polygon is left out of the drawn part of a commune that has whole
    parts (no boundary of the split parts exists)."""
    split = all_communes[all_communes["commune_2025_method"] == "split"]
    drawn = built_all[built_all["geometry_extent"] == "merged_parts"].set_index("commune_2025_code")
    pairs = split.assign(cand=split["commune_2025_candidates"].str.split(";")).explode("cand")
    pairs = pairs[pairs["cand"].isin(drawn.index)]
    assert len(pairs) > 500
    inter = shapely.intersection(
        pairs.geometry.to_numpy(), drawn.geometry.reindex(pairs["cand"]).to_numpy()
    )
    frac = shapely.area(inter) / shapely.area(pairs.geometry.to_numpy())
    assert np.quantile(frac, 0.99) < 0.05


# ---------------------------------------------------------------------------------------------
# Villages
# ---------------------------------------------------------------------------------------------


def test_split_communes_villages_follow_their_coordinates(quangninh):
    data, base, built = quangninh
    a = u5.assign_villages_2025(data.villages, base, built)
    in_split = data.villages["gid_3"].isin(
        base.loc[base["commune_2025_method"] == "split", "gid_3"]
    )
    assert in_split.sum() >= 30
    near = a[in_split]
    assert (near["commune_2025_method"] == "nearest").all()
    assert (near["commune_2025_distance_m"] >= 0).all()
    ok = [
        c in cands.split(";")
        for c, cands in zip(near["commune_2025_code"], near["commune_2025_candidates"], strict=True)
    ]
    assert all(ok)
    # Independently: the chosen candidate is the one whose built polygon is nearest (a
    # candidate drawn from split parts only is measured without the village's own commune).
    b = built.set_index("commune_2025_code").to_crs(METRIC)
    own = base.set_index("gid_3").to_crs(METRIC).geometry
    pts = data.villages.loc[near.index].to_crs(METRIC)
    for i, cands in near["commune_2025_candidates"].items():
        d = {}
        for c in cands.split(";"):
            ref = b.geometry[c]
            if b.at[c, "geometry_extent"] == "split_parts":
                ref = ref.difference(own[pts.at[i, "gid_3"]])
            if not ref.is_empty:  # nothing to measure to: never chosen
                d[c] = pts.geometry[i].distance(ref)
        assert min(d, key=d.get) == near.at[i, "commune_2025_code"]
        assert d[near.at[i, "commune_2025_code"]] == pytest.approx(
            near.at[i, "commune_2025_distance_m"], abs=1.0
        )
    # Outside split communes the mapping decides.
    assert a.loc[~in_split, "commune_2025_method"].isin(["mapping", "overlap"]).all()


def test_a_point_near_one_candidate_goes_to_it(quangninh):
    data, base, built = quangninh
    b = built.set_index("commune_2025_code")
    split = base[base["commune_2025_method"] == "split"]
    rows = []
    for _, s in split.iterrows():
        cands = s["commune_2025_candidates"].split(";")
        if any(b.loc[c, "geometry_extent"] != "merged_parts" for c in cands):
            continue
        for c in cands:
            near_c = shapely.intersection(s.geometry, b.loc[c].geometry.buffer(0.003))
            if near_c.is_empty:
                continue
            p = near_c.representative_point()
            others = [b.loc[o].geometry.distance(p) for o in cands if o != c]
            if min(others) > 3 * b.loc[c].geometry.distance(p) + 0.005:
                rows.append({"gid_3": s["gid_3"], "expected": c, "geometry": p})
    pts = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    assert len(pts) >= 8
    a = u5.assign_villages_2025(pts, base, built)
    assert (a["commune_2025_method"] == "nearest").all()
    assert (a["commune_2025_code"] == pts["expected"]).all()


def test_villages_without_coordinates_in_a_split_commune_are_listed(quangninh):
    data, base, built = quangninh
    v = data.villages.copy()
    split_gids = base.loc[base["commune_2025_method"] == "split", "gid_3"]
    pick = v.index[v["gid_3"].isin(split_gids)][:3]
    v.loc[pick, "location_precision"] = "commune"
    out = u5.to_2025(v, base, built)
    assert (out.loc[pick, "commune_2025_method"] == "unresolved").all()
    assert out.loc[pick, "commune_2025_code"].isna().all()
    assert (out.loc[pick, "province_2025_code"] == "22").all()
    listed = u5.unresolved_villages(out)
    assert set(listed["village_id"]) == set(v.loc[pick, "village_id"])
    assert (
        listed["candidate_names"].str.contains("/|;", regex=True).all()
        or (listed["commune_2025_candidates"].str.count(";") >= 1).all()
    )
    assert out.loc[pick, "units_display"].str.contains(r"\(mới\?\)").all()
    cw = u5.crosswalk(out)
    assert (cw.loc[cw["commune_2025_method"] == "unresolved", "commune_2025_code"] == "").all()


def test_crosswalk_shares_sum_to_one_per_old_commune(quangninh):
    data, base, built = quangninh
    cw = u5.crosswalk(u5.to_2025(data.villages, base, built))
    assert list(cw.columns) == u5.CROSSWALK_COLUMNS
    old_unit = ["district_code", "commune_code", "commune"]
    assert cw.groupby(old_unit)["share_of_villages"].sum().round(9).eq(1).all()
    assert cw["villages"].sum() == len(data.villages)
    split = cw[cw["commune_2025_method"] == "nearest"]
    assert split["commune_code"].duplicated().any()  # a split commune's villages go both ways
    # Polygons without a GSO code keep their name, with an empty code.
    coded = cw["commune_code"].str.fullmatch(r"\d{5}")
    assert coded.sum() > 100 and (cw.loc[~coded, "commune_code"] == "").all()
    assert cw.loc[~coded, "commune"].ne("").all()


def test_phu_luc_2_villages_new_communes(dienbien_model):
    un = u5.layer_2025(dienbien_model, "unserved")
    assert len(un) == 36
    assert (un["commune_2025_method"] == "mapping").all()
    m = units.mapping_2025()
    m = m[m["kind"] == "full"].set_index("commune_code")["commune_2025_code"]
    assert (un["commune_2025_code"] == un["commune_code"].map(m)).all()
    by_village = un.set_index("village")
    expected = {
        "Nậm Chan III": ("03287", "03316", "Xã Nà Tấu"),  # Ngối Cáy
        "Huổi Chỏn": ("03292", "03301", "Xã Búng Lao"),  # Ẳng Tở
        "Hầu Chua": ("03223", "03226", "Xã Sín Chải"),  # Xín Chải
        "Huổi Văng": ("03174", "03175", "Xã Chà Tở"),  # Nậm Khăn
        "Hô He": ("03175", "03175", "Xã Chà Tở"),  # Chà Tở
        "Nậm Ty 1": ("03323", "03328", "Xã Thanh Nưa"),  # Hua Thanh
    }
    for village, (old, new, name) in expected.items():
        r = by_village.loc[village]
        assert (r["commune_code"], r["commune_2025_code"], r["commune_2025"]) == (old, new, name)
    assert by_village.loc["Huổi Chỏn", "units_display"] == "Xã Ẳng Tở (cũ) → Xã Búng Lao (mới)"
    assert (un["province_2025_code"] == "11").all()


# ---------------------------------------------------------------------------------------------
# Indicators in both systems
# ---------------------------------------------------------------------------------------------


def test_indicator_totals_equal_in_both_systems_for_an_unchanged_province(dienbien_model):
    old = indicators.compute(dienbien_model)
    new = u5.indicators_2025(dienbien_model)
    assert set(old) <= set(new)
    for key in MAIN_KEYS:
        assert new[key] == old[key], key
    assert new["units"] == "2025" and old["units"] == "pre2025"
    assert new["province_2025_code"] == "11" and new["complete"] is True
    assert new["villages_by_method"]["mapping"] == old["villages"]
    assert new["villages_unresolved"] == 0
    json.dumps(new, ensure_ascii=False)  # plain JSON types
    assert u5.indicators_2025(dienbien_model, "Điện Biên")["villages"] == old["villages"]


def test_a_model_of_all_the_old_provinces_of_a_new_province_is_complete(real_data):
    """Hưng Yên from 01/07/2025 is the old Hưng Yên (33) and Thái Bình (34): a model built from
    both (as the app merges them) is complete, a model of one of them is not."""
    from geo import pipeline, province
    from ui.app_common import merged_province

    both = u5.indicators_2025(pipeline.build(merged_province(("33", "34"))))
    assert both["provinces_pre2025"] == ["33", "34"]
    assert both["provinces_in_model"] == ["33", "34"]
    assert both["complete"] is True
    one = u5.indicators_2025(pipeline.build(province.load_province("33")))
    assert one["provinces_in_model"] == ["33"]
    assert one["complete"] is False
    assert one["villages"] < both["villages"]


def test_indicator_totals_equal_where_communes_were_split(quangninh):
    """Quảng Ninh's borders did not move but 11 of its communes were split: the province's
    totals are the same, and its new communes' villages and population add up to them."""
    from geo import pipeline

    data, _, _ = quangninh
    model = pipeline.build(data)
    old = indicators.compute(model)
    new = u5.indicators_2025(model)
    for key in MAIN_KEYS:
        assert new[key] == old[key], key
    assert new["villages_by_method"]["nearest"] >= 30
    table = u5.communes_2025_table(model)
    assert table["villages"].sum() == old["villages"]
    pop = model.communes["population"].astype(float).sum()
    assert table["population"].sum() + new["population_unallocated"] == pytest.approx(pop, abs=60)
    assert set(table["geometry_method"]) == {"exact", "approximate"}


def test_new_communes_add_up_to_the_province(dienbien_model):
    table = u5.communes_2025_table(dienbien_model)
    assert len(table) == 45
    assert (table["geometry_method"] == "exact").all()
    old = dienbien_model.communes
    assert table["villages"].sum() == len(dienbien_model.status)
    assert table["population"].sum() == old["population"].sum()
    assert table["villages_mobile"].sum() == dienbien_model.status["mobile_broadband"].sum()
    one = u5.indicators_2025(dienbien_model, commune_2025_code="03301")
    row = table.set_index("commune_2025_code").loc["03301"]
    assert one["villages"] == row["villages"] and one["commune_2025"] == "Xã Búng Lao"
    assert one["unserved_by_operator"] == {"MobiFone": 1}  # Huổi Chỏn
    total_sites = sum(
        u5.indicators_2025(dienbien_model, commune_2025_code=c)["sites"]
        for c in table["commune_2025_code"]
    )
    assert total_sites <= indicators.compute(dienbien_model)["sites"]


def test_indicators_2025_refuse_another_province(dienbien_model):
    with pytest.raises(InputError):
        u5.indicators_2025(dienbien_model, "12")


def test_layers_2025_keep_both_names(dienbien_model, tmp_path):
    v = u5.layer_2025(dienbien_model, "villages")
    assert len(v) == len(dienbien_model.status)
    assert {"commune", "commune_code", "commune_2025", "commune_2025_code", "units_display"} <= set(
        v.columns
    )
    assert v["commune_2025_code"].notna().all()
    s = u5.layer_2025(dienbien_model, "sites")
    assert s["commune_2025_method"].isin(["mapping", "overlap", "nearest", "unresolved"]).all()
    c = u5.layer_2025(dienbien_model, "communes")
    from layers import export

    out = export.write_layer(c, tmp_path / "c.gpkg", layer="communes")
    back = gpd.read_file(out)
    assert len(back) == 45 and back["commune_2025_code"].str.fullmatch(r"\d{5}").all()


# ---------------------------------------------------------------------------------------------
# Names in either system
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Xã Ngối Cáy, Huyện Mường Ảng, Tỉnh Điện Biên",
            ("Xã Ngối Cáy", "Huyện Mường Ảng", "Tỉnh Điện Biên"),
        ),
        ("Xã Chà Tở, tỉnh Điện Biên", ("Xã Chà Tở", None, "tỉnh Điện Biên")),
        ("Xã Chà Tở, Huyện Nậm Pồ", ("Xã Chà Tở", "Huyện Nậm Pồ", None)),
        (
            "Phường Him Lam, Thành phố Điện Biên Phủ",
            ("Phường Him Lam", "Thành phố Điện Biên Phủ", None),
        ),
        ("Phường Ba Đình, Thành phố Hà Nội", ("Phường Ba Đình", None, "Thành phố Hà Nội")),
        ("Xã Chà Tở, Nậm Pồ, Điện Biên", ("Xã Chà Tở", "Nậm Pồ", "Điện Biên")),
    ],
)
def test_parse_unit_text(real_data, text, expected):
    p = u5.parse_unit_text(text)
    assert (p["commune"], p["district"], p["province"]) == expected


def test_a_2020_list_naming_a_district_resolves_in_pre2025_units(real_data):
    r = u5.lookup("Xã Chà Tở, Huyện Nậm Pồ")
    assert (r["status"], r["system"], r["reason"]) == ("exact", "pre2025", "district")
    (reading,) = r["readings"]
    assert reading["old"][0]["commune_code"] == "03175"
    assert reading["old"][0]["district_code"] == "103"
    assert reading["new"][0]["commune_2025_code"] == "03175"


def test_a_2026_list_naming_the_province_resolves_in_2025_units(real_data):
    r = u5.lookup("Xã Chà Tở, tỉnh Điện Biên", document_date="15/01/2026")
    assert (r["status"], r["system"]) == ("exact", "2025")
    (reading,) = r["readings"]
    assert reading["new"][0]["commune_2025_code"] == "03175"
    assert {o["commune_code"] for o in reading["old"]} == {"03174", "03175"}
    undated = u5.lookup("Xã Chà Tở, tỉnh Điện Biên")
    assert (undated["system"], undated["reason"]) == ("both", "same_code")


def test_a_name_that_fits_both_systems_with_different_codes_is_ambiguous(real_data):
    r = u5.lookup("Xã Sín Chải, tỉnh Điện Biên")
    assert r["status"] == "ambiguous" and r["reason"] == "different_codes"
    old, new = r["readings"]
    assert old["system"] == "pre2025" and old["old"][0]["commune_code"] == "03223"
    assert old["old"][0]["commune"] == "Xã Xín Chải"
    assert new["system"] == "2025" and new["new"][0]["commune_2025_code"] == "03226"
    assert "03223" in r["display"] and "03226" in r["display"]
    rows = pd.DataFrame({"commune": ["Xã Sín Chải"], "province": ["Tỉnh Điện Biên"]})
    res = u5.resolve_units(rows)
    assert res["commune_code"].isna().all()
    # Both readings lead to Sín Chải 03226: the new unit is certain, the old one is not.
    assert res["commune_2025_code"].iloc[0] == "03226"
    other = u5.resolve_units(
        pd.DataFrame({"commune": ["Phường Ba Đình"], "province": ["Thành phố Hà Nội"]})
    )
    assert other["units_status"].iloc[0] == "ambiguous"  # fuzzy Hạ Đình before, Ba Đình after
    assert other["commune_code"].isna().all() and other["commune_2025_code"].isna().all()
    assert res["match_candidates"].iloc[0] == "pre2025:03223|2025:03226"
    # The document's date settles it.
    before = u5.lookup("Xã Sín Chải, tỉnh Điện Biên", document_date="15/12/2020")
    assert before["system"] == "pre2025"
    assert before["readings"][0]["old"][0]["commune_code"] == "03223"
    after = u5.lookup("Xã Sín Chải, tỉnh Điện Biên", document_date="2026-03-01")
    assert after["system"] == "2025"
    assert after["readings"][0]["new"][0]["commune_2025_code"] == "03226"


def test_the_planner_sees_both_names(real_data):
    r = u5.lookup("Xã Ẳng Tở, tỉnh Điện Biên")
    assert r["system"] == "pre2025" and r["reason"] == "only_pre2025"
    assert r["display"] == "Xã Ẳng Tở (cũ) → Xã Búng Lao (mới)"
    n = u5.lookup("Xã Lao Chải, tỉnh Tuyên Quang")  # in Hà Giang before 2025
    assert n["system"] == "2025" and n["readings"][0]["new"][0]["province_2025_code"] == "08"
    assert n["display"].startswith("Xã Lao Chải (mới) ← ")


def test_the_phu_luc_2_table_resolves_in_pre2025_units(real_data, dienbien):
    from geo import plans

    rows = plans.load_unserved("dienbien_4638")
    res = u5.resolve_units(rows)
    assert (res["units_system"] == "pre2025").all()
    assert res["units_status"].isin(["exact", "normalised", "fuzzy"]).all()
    declared = dienbien.declared.set_index("source_row")["commune_code"]
    assert (res["commune_code"].to_numpy() == rows["source_row"].map(declared).to_numpy()).all()
    assert res["commune_2025_code"].notna().all()


def test_cli_lookup_prints_old_and_new_units_with_codes(real_data, capsys):
    assert main(["units", "lookup", "Xã Ngối Cáy, Huyện Mường Ảng, Tỉnh Điện Biên"]) == 0
    out = capsys.readouterr().out
    assert "Xã Ngối Cáy [03287]" in out and "Huyện Mường Ảng [102]" in out
    assert "Xã Nà Tấu [03316]" in out and "Tỉnh Điện Biên [11]" in out
    assert out.splitlines()[0] == "Xã Ngối Cáy (cũ) → Xã Nà Tấu (mới)"
    assert main(["units", "lookup", "Xã Sín Chải, tỉnh Điện Biên", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "ambiguous" and len(doc["readings"]) == 2
    assert main(["units", "lookup", "Xã Không Có Thật, tỉnh Điện Biên"]) == 2


@pytest.mark.parametrize("ext", [".xlsx", ".csv"])
def test_cli_crosswalk_writes_xlsx_and_csv(real_data, tmp_path, ext):
    out = tmp_path / f"cw{ext}"
    assert main(["units", "crosswalk", "--province", "Điện Biên", "--output", str(out)]) == 0
    if ext == ".csv":
        t = pd.read_csv(out, dtype=str)
    else:  # Vietnamese by default
        t = pd.read_excel(out, sheet_name="Bảng chuyển đổi", dtype=str, engine="openpyxl")
        assert list(t.columns) == [u5.CROSSWALK_HEADERS[c]["vi"] for c in u5.CROSSWALK_COLUMNS]
        t.columns = u5.CROSSWALK_COLUMNS
    assert list(t.columns) == u5.CROSSWALK_COLUMNS
    assert t["commune_code"].str.fullmatch(r"\d{5}").all()
    assert set(t["province_2025_code"]) == {"11"}
    assert t["commune_2025_code"].nunique() <= 45
    assert t["villages"].astype(int).sum() > 500


def test_cli_crosswalk_rejects_other_formats(real_data, tmp_path):
    assert (
        main(["units", "crosswalk", "--province", "11", "--output", str(tmp_path / "x.txt")]) == 2
    )


def test_crosswalk_workbook_is_vietnamese_by_default_and_english_on_request(real_data, tmp_path):
    import openpyxl

    table = pd.DataFrame(
        {
            "province_code": ["22"],
            "province": ["Tỉnh Quảng Ninh"],
            "district_code": ["193"],
            "district": ["Thành phố Hạ Long"],
            "commune_code": ["06658"],
            "commune": ["Phường Hà Khánh"],
            "commune_2025_code": ["06652"],
            "commune_2025": ["Phường Hà Tu"],
            "province_2025_code": ["22"],
            "province_2025": ["Tỉnh Quảng Ninh"],
            "commune_2025_method": ["nearest"],
            "villages": [3],
            "share_of_villages": [0.75],
        }
    )[u5.CROSSWALK_COLUMNS]
    unresolved = pd.DataFrame(
        {
            "village_id": ["V1"],
            "village": ["Thôn 1"],
            "commune_code": ["06658"],
            "commune_2025_candidates": ["06652;06655"],
            "candidate_names": ["Phường Hà Tu; X"],
        }
    )
    vi = openpyxl.load_workbook(io.BytesIO(u5.crosswalk_xlsx(table, unresolved)))
    assert vi.sheetnames == ["Bảng chuyển đổi", "Thôn chưa xác định", "Ghi chú"]
    rows = list(vi["Bảng chuyển đổi"].iter_rows(values_only=True))
    assert rows[0] == (
        "Mã tỉnh cũ",
        "Tỉnh cũ",
        "Mã huyện cũ",
        "Huyện cũ",
        "Mã xã cũ",
        "Xã cũ",
        "Mã xã mới",
        "Xã mới",
        "Mã tỉnh mới",
        "Tỉnh mới",
        "Cách xác định xã mới",
        "Số thôn/bản",
        "Tỷ lệ thôn/bản",
    )
    assert rows[1][4] == "06658" and rows[1][10] == "xã bị chia: vùng gần nhất"
    assert rows[1][12] == 0.75 and vi["Bảng chuyển đổi"]["M2"].number_format == "0.0%"
    assert next(vi["Thôn chưa xác định"].iter_rows(values_only=True))[:3] == (
        "Mã thôn/bản",
        "Thôn/bản",
        "Mã xã cũ",
    )
    notes = [r[0] for r in vi["Ghi chú"].iter_rows(values_only=True)]
    assert notes[0] == "Ghi chú" and notes[2].startswith("Tỷ lệ thôn/bản: số thôn/bản của xã cũ")

    en = openpyxl.load_workbook(io.BytesIO(u5.crosswalk_xlsx(table, unresolved, lang="en")))
    assert en.sheetnames == ["Crosswalk", "Unresolved villages", "Notes"]
    header = next(en["Crosswalk"].iter_rows(values_only=True))
    assert header[4:6] == ("Old commune code", "Old commune") and header[-1] == "Share of villages"
    assert en["Crosswalk"]["K2"].value == "split commune: nearest polygon"
    assert not any("Xã" in str(c) for c in header)
    with pytest.raises(InputError):
        u5.crosswalk_xlsx(table, lang="fr")


def test_cli_crosswalk_lang_en_writes_the_english_workbook(real_data, tmp_path):
    out = tmp_path / "cw.xlsx"
    argv = ["units", "crosswalk", "--province", "11", "--output", str(out), "--lang", "en"]
    assert main(argv) == 0
    t = pd.read_excel(out, sheet_name="Crosswalk", dtype=str, engine="openpyxl")
    assert list(t.columns) == [u5.CROSSWALK_HEADERS[c]["en"] for c in u5.CROSSWALK_COLUMNS]
    assert set(t["New province code"]) == {"11"}
