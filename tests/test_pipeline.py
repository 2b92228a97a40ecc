"""A province's model and its indicators on the real units with the synthetic demo layers."""

from __future__ import annotations

import pytest

from geo import indicators, pipeline

pytestmark = pytest.mark.realdata

KEYS = [
    "villages",
    "villages_mobile_share",
    "villages_fibre_share",
    "population_covered",
    "sites",
    "physical_sites",
    "site_sharing_rate",
    "total_not_spots",
    "partial_not_spots",
    "unserved_by_operator",
]


def test_indicators_json_has_the_plans_keys_and_shares_as_fractions(dienbien_model):
    r = indicators.compute(dienbien_model)
    assert set(KEYS) <= set(r) and "targets" in r
    for k in ("villages_mobile_share", "villages_fibre_share", "site_sharing_rate"):
        assert 0 <= r[k] <= 1
    assert r["unserved_by_operator"] == {"Viettel": 18, "VNPT": 14, "MobiFone": 4}
    assert r["villages"] == len(dienbien_model.status)
    assert r["population"] == 598_856
    assert 0 < r["population_covered"] < r["population"]


def test_counts_are_consistent_with_the_village_status(dienbien_model):
    s = dienbien_model.status
    r = indicators.compute(dienbien_model)
    assert r["total_not_spots"] == int((~s["mobile_broadband"]).sum())
    assert r["total_not_spots"] + r["partial_not_spots"] + int(
        (s["gap_class"] == "all").sum()
    ) == len(s)
    assert r["villages_mobile_share"] == pytest.approx(s["mobile_broadband"].mean())


def test_sites_on_air_by_the_year_only_are_counted(dienbien):
    early = pipeline.build(dienbien, year=2020)
    late = pipeline.build(dienbien, year=2025)
    assert (early.sites["on_air_date"].dt.year <= 2020).all()
    assert len(early.sites) < len(late.sites)
    # The synthetic layer keeps 2020's sites away from the plan's unserved villages.
    r2020 = indicators.compute(early, year=2020)
    assert r2020["declared_vs_modelled"]["declared_unserved_modelled_covered"] == 0


def test_targets_for_2025_come_from_plan_4638_with_comparability(dienbien_model):
    r = indicators.compute(dienbien_model, year=2025)
    mobile = [t for t in r["targets"]["villages_mobile_share"] if t["kind"] == "target"]
    assert mobile[0]["document"] == "4638/KH-UBND"
    assert mobile[0]["value"] == 100.0 and mobile[0]["comparable"] == "yes"
    sharing = r["targets"]["site_sharing_rate"][0]
    assert sharing["comparable"] == "partial" and sharing["why"]


def test_a_district_is_a_subset_of_its_province(dienbien_model):
    whole = indicators.compute(dienbien_model)
    part = indicators.compute(dienbien_model, district="Nậm Pồ")
    assert part["district_code"] == "111" or part["district"].endswith("Nậm Pồ")
    assert 0 < part["villages"] < whole["villages"]
    assert sum(part["unserved_by_operator"].values()) == 9  # rows 28–36 of Phụ lục 2


def test_layers_keep_codes_as_strings_and_never_null_geometry(dienbien_model):
    for name in ("communes", "villages", "unserved", "sites", "fibre"):
        gdf = pipeline.layer(dienbien_model, name)
        assert len(gdf) > 0
        assert gdf.geometry.notna().all()
        for col in ("commune_code", "district_code", "province_code"):
            if col in gdf:
                assert gdf[col].dropna().map(type).eq(str).all(), (name, col)


def test_disagreements_list_both_directions_without_merging(dienbien):
    late = pipeline.build(dienbien, year=2025)
    d = pipeline.disagreements(late)
    r = indicators.compute(late)
    counts = d["disagreement"].value_counts().to_dict()
    dvm = r["declared_vs_modelled"]
    assert (
        counts.get("declared_unserved_modelled_covered", 0)
        == dvm["declared_unserved_modelled_covered"]
    )
    assert counts.get("modelled_not_spot_not_declared", 0) == dvm["modelled_not_spot_not_declared"]
    # The declared list is untouched: still 36 rows with their operators.
    assert late.declared["operator"].value_counts().sum() == 36


def test_a_province_without_sites_or_fibre_reports_no_data_not_zero(real_data):
    model = pipeline.build("Sơn La")
    r = indicators.compute(model)
    assert r["sites"] == 0 and r["villages"] > 0
    assert r["villages_mobile_share"] is None and r["total_not_spots"] is None
    assert r["villages_fibre_share"] is None
    assert r["sources"]["sites"] == {"synthetic": False, "source": None, "available": False}


def test_population_share_targets_compare_with_the_share_not_the_head_count(real_data):
    r = indicators.compute(pipeline.build("Lai Châu"), year=2025)
    row = r["targets"]["population_covered_share"][0]
    assert row["unit"] == "%" and 0 < row["actual"] <= 1
    assert "population_covered" not in r["targets"]


def test_targets_carry_why_vi_from_the_plans_indicator_map(dienbien_model):
    from geo import plans

    r = indicators.compute(dienbien_model, year=2025)
    expected = plans.targets_for("dienbien_4638", 2025).set_index("source_row")["why_vi"]
    targets = [t for ts in r["targets"].values() for t in ts if t["kind"] == "target"]
    assert targets
    for t in targets:
        assert t["why_vi"] == expected[t["source_row"]]
    sharing = r["targets"]["site_sharing_rate"][0]
    assert sharing["why_vi"].startswith("Kế hoạch tính mọi công trình hạ tầng")
    assert sharing["why"].startswith("The plan counts all shared passive")
    assert r["targets_not_measured"]
    for t in r["targets_not_measured"]:
        assert t["why_vi"] and t["why_vi"] != t["why"]
