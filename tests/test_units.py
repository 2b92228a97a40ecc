"""Administrative units before 01/07/2025 on the real data, and their 2025 unit."""

from __future__ import annotations

import pytest

from geo import plans, units
from geo.errors import UnitNotFoundError

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def vietnam(real_data):
    return units.read_communes()


@pytest.fixture(scope="module")
def two_provinces(real_data):
    return units.read_communes(["11", "12"])


def test_all_63_provinces_and_11163_commune_polygons_load(vietnam):
    assert vietnam["province_code"].nunique() == 63
    assert len(vietnam) == 11163
    assert vietnam.crs.to_epsg() == 4326


def test_codes_are_strings_with_leading_zeros(vietnam):
    coded = vietnam.dropna(subset=["commune_code"])
    assert coded["commune_code"].str.fullmatch(r"\d{5}").all()
    assert vietnam["province_code"].str.fullmatch(r"\d{2}").all()
    assert vietnam["district_code"].dropna().str.fullmatch(r"\d{3}").all()
    assert set(vietnam.loc[vietnam["province"] == "Tỉnh Điện Biên", "province_code"]) == {"11"}


@pytest.mark.parametrize(("code", "communes", "districts"), [("11", 130, 10), ("12", 108, 8)])
def test_dienbien_and_laichau_unit_counts(two_provinces, code, communes, districts):
    p = two_provinces[two_provinces["province_code"] == code]
    assert len(p) == communes
    assert p["district_code"].nunique() == districts


def test_official_gso_names_are_used_for_display(two_provinces):
    row = two_provinces.set_index("gid_3").loc["VNM.20.2.5_1"]  # Tà Lèng
    assert row["commune"] == "Xã Tà Lèng"
    assert row["district"] == "Thành phố Điện Biên Phủ"
    # A polygon without a GSO code gets GADM's name, re-spaced, and its district by majority.
    nl = two_provinces[two_provinces["commune_code"].isna()].iloc[0]
    assert nl["commune"] == "Xã Nậm Loỏng"
    assert nl["district_code"] == "105"
    assert nl["code_status"] == "missing"


@pytest.mark.parametrize(
    ("name", "new_code", "new_name"),
    [
        ("Xã Tà Lèng", "03127", "Phường Điện Biên Phủ"),
        ("Xã Nậm Loỏng", "03388", "Phường Đoàn Kết"),
        ("Xã Sùng Phài", "03388", "Phường Đoàn Kết"),
        ("Xã Ma Li Chải", "03562", "Xã Sì Lở Lầu"),
    ],
)
def test_retired_or_missing_codes_take_their_2025_commune_by_largest_overlap(
    two_provinces, name, new_code, new_name
):
    row = two_provinces[two_provinces["commune"] == name].iloc[0]
    assert row["commune_2025_method"] == "overlap"
    assert row["commune_2025"] == new_name
    assert row["commune_2025_code"] == new_code


def test_every_other_commune_of_the_two_provinces_takes_its_2025_unit_from_the_mapping(
    two_provinces,
):
    others = two_provinces[two_provinces["commune_2025_method"] != "overlap"]
    assert (others["commune_2025_method"] == "mapping").all()
    assert others["commune_2025_code"].str.fullmatch(r"\d{5}").all()
    assert set(two_provinces["province_2025_code"]) == {"11", "12"}


def test_overlap_agrees_with_the_derived_2025_layer(real_data, two_provinces):
    import geopandas as gpd

    from geo import registry

    derived = gpd.read_file(registry.path("communes_2025_dienbien_laichau"))
    used = derived.assign(gid_3=derived["gid_3_used"].str.split(";")).explode("gid_3")
    expected = used.set_index("gid_3")["ma_xa_moi"]
    got = two_provinces.set_index("gid_3")["commune_2025_code"]
    assert (got.reindex(expected.index) == expected).all()


@pytest.mark.parametrize(
    "text", ["11", "Điện Biên", "Tỉnh Điện Biên", "dien bien", "ĐiệnBiên", "  tỉnh điện biên "]
)
def test_province_resolves_from_any_spelling_or_code(real_data, text):
    assert units.resolve_province(text) == ("11", "Tỉnh Điện Biên")


def test_unknown_province_error_says_what_to_type(real_data):
    with pytest.raises(UnitNotFoundError, match="Give a name such as"):
        units.resolve_province("Atlantis")
    with pytest.raises(UnitNotFoundError, match="GSO code '99'"):
        units.resolve_province("99")


EXPECTED_4638 = {
    "Xã Hua Thanh": "03323",
    "Xã Pa Thơm": "03340",
    "Xã Hẹ Muông": "03359",
    "Xã Mường Nhà": "03364",
    "Xã Mường Lói": "03367",
    "Xã Phình Giàng": "03382",
    "Xã Xa Dung": "03373",
    "Xã Ngồi Cáy": "03287",
    "Xã Ảng Tờ": "03292",
    "Xã Ta Ma": "03265",
    "Xã Sín Chải": "03223",
    "Xã Nậm Nèn": "03194",
    "Xã Mường Mươn": "03202",
    "Xã Sen Thượng": "03155",
    "Xã Mường Toong": "03163",
    "Xã Quảng Lâm": "03164",
    "Xã Na Cô Sa": "03167",
    "Xã Nậm Khăn": "03174",
    "Xã Chà Tở": "03175",
}


def test_all_36_rows_of_phu_luc_2_resolve_to_their_pre2025_commune(two_provinces):
    rows = plans.load_unserved("dienbien_4638")
    res = units.resolve_communes(rows, "11", two_provinces)
    assert len(res) == 36
    got = dict(zip(rows["commune"], res["commune_code"], strict=True))
    assert got == EXPECTED_4638
    assert res["match_status"].isin(["exact", "normalised", "fuzzy"]).all()
    status = dict(zip(rows["commune"], res["match_status"], strict=True))
    assert status["Xã Ngồi Cáy"] == "normalised"
    assert status["Xã Ảng Tờ"] == "normalised"
    assert status["Xã Sín Chải"] == "fuzzy"
    assert status["Xã Hua Thanh"] == "exact"


def test_a_commune_outside_the_named_district_is_not_accepted(two_provinces):
    import pandas as pd

    rows = pd.DataFrame({"commune": ["Xã Chà Tở"], "district": ["Huyện Điện Biên"]})
    res = units.resolve_communes(rows, "11", two_provinces)
    assert res["commune_code"].isna().all()
    assert res["match_status"].iloc[0] in ("none", "ambiguous")
