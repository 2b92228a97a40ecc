"""Finding things on the map: search (no diacritics, part of a name, commune code), filters,
the summary table against hand counts, stacked villages listed, the nearest site of each
operator, the assignment ring following a placed village, filter keys in the map.

Small frames made here (a few villages and sites with known positions); the map tests build
the map of these frames through :func:`layers.maps.build_map`'s parts.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import finding
from geo.vocab import GapClass, Operator, Status, Technology
from layers import maps, tables
from layers.maps import stacks

# Villages: A and B alone; C, D, E stacked at one commune point; F without a point.
VILLAGES = pd.DataFrame(
    {
        "village_id": ["v1", "v2", "v3", "v4", "v5", "v6"],
        "village": ["Bản Nà Hỳ", "Huổi Lếch", "Bản Púng", "Bản Nậm Chua", "Pá Lông", "Hô Hài"],
        "commune": ["Xã Nà Hỳ", "Xã Nà Hỳ", "Xã Chà Cang", "Xã Chà Cang", "Xã Chà Cang",
                    "Xã Pa Tần"],
        "commune_code": ["03169", "03169", "03172", "03172", "03172", "03175"],
        "district": ["Huyện Nậm Pồ", "Huyện Nậm Pồ", "Huyện Nậm Pồ", "Huyện Nậm Pồ",
                     "Huyện Nậm Pồ", "Huyện Mường Chà"],
        "gap_class": ["all", "partial", "none", "none", "partial", "none"],
        "mobile_broadband": [True, True, False, False, True, False],
        "fibre": [True, False, False, False, True, False],
        "Viettel": [True, True, False, False, True, False],
        "VNPT": [True, False, False, False, False, False],
        "declared_operator": [None, None, "VNPT", None, None, "Viettel"],
        "location_precision": ["point", "point", "commune", "commune", "commune", "point"],
    }
)
POINTS = [(103.0, 22.0), (103.01, 22.0), (103.2, 22.1), (103.2, 22.1), (103.2, 22.1), None]


def _status() -> gpd.GeoDataFrame:
    geoms = [shapely.Point(p) if p else None for p in POINTS]
    return gpd.GeoDataFrame(VILLAGES.copy(), geometry=geoms, crs="EPSG:4326")


def _sites() -> gpd.GeoDataFrame:
    # Viettel: one site 0.01° east of v1 (≈1,032 m at 22° N), one far away; VNPT: one at v2.
    return gpd.GeoDataFrame(
        {
            "site_id": ["s1", "s2", "s3"],
            "operator": ["Viettel", "Viettel", "VNPT"],
            "technology": ["4G", "2G", "3G"],
        },
        geometry=[shapely.Point(103.01, 22.0), shapely.Point(104.0, 23.0),
                  shapely.Point(103.01, 22.0)],
        crs="EPSG:4326",
    )


# ---------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------


def test_search_without_diacritics_finds_the_village_first():
    found = finding.search_villages(_status(), "na hy")
    assert found["village_id"].iloc[0] == "v1"
    assert found["match"].iloc[0] == finding.MATCH_EXACT


def test_search_by_part_of_a_name():
    found = finding.search_villages(_status(), "lech")
    assert found["village_id"].tolist()[:1] == ["v2"]
    assert found["match"].iloc[0] == finding.MATCH_PART


def test_search_by_commune_code_lists_its_villages():
    found = finding.search_villages(_status(), "03172")
    assert sorted(found["village_id"]) == ["v3", "v4", "v5"]
    assert set(found["match"]) == {finding.MATCH_CODE}


def test_search_tolerates_a_close_spelling_and_ignores_noise():
    assert finding.search_villages(_status(), "Nam Chuaa")["village_id"].iloc[0] == "v4"
    assert finding.search_villages(_status(), "zzzz").empty
    assert finding.search_villages(_status(), "  ").empty


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


def test_no_filter_keeps_everything():
    flt = finding.MapFilter()
    assert not flt.active
    assert finding.village_mask(_status(), flt).all()
    assert finding.site_mask(_sites(), flt).all()


def test_gap_class_filter():
    mask = finding.village_mask(_status(), finding.MapFilter(gap_classes=frozenset({GapClass.NONE})))
    assert mask.name == "shown"
    assert _status().loc[mask, "village_id"].tolist() == ["v3", "v4", "v6"]


def test_operator_filter_keeps_covered_declared_and_assigned_villages():
    assignments = pd.DataFrame({"village_id": ["v4"], "operator": ["VNPT"], "status": ["on_air"]})
    flt = finding.MapFilter(operators=frozenset({Operator.VNPT}))
    mask = finding.village_mask(_status(), flt, assignments)
    # v1 covered by VNPT, v3 declared to VNPT, v4 assigned to VNPT.
    assert _status().loc[mask, "village_id"].tolist() == ["v1", "v3", "v4"]
    assert _sites().loc[finding.site_mask(_sites(), flt), "site_id"].tolist() == ["s3"]


def test_status_and_technology_filters():
    assignments = pd.DataFrame({"village_id": ["v4", "v5"], "operator": ["VNPT", "Viettel"],
                                "status": ["on_air", "assigned"]})
    flt = finding.MapFilter(statuses=frozenset({Status.ASSIGNED}),
                            technologies=frozenset({Technology.G4, Technology.G3}))
    assert _status().loc[finding.village_mask(_status(), flt, assignments),
                         "village_id"].tolist() == ["v5"]
    assert _sites().loc[finding.site_mask(_sites(), flt), "site_id"].tolist() == ["s1", "s3"]


# ---------------------------------------------------------------------------------------------
# Summary table
# ---------------------------------------------------------------------------------------------


def test_summary_counts_match_hand_counts():
    counts = tables.summary_counts(_status(), "district")
    # Huyện Mường Chà: v6 (none). Huyện Nậm Pồ: v1..v5.
    assert counts.index.tolist() == ["Huyện Mường Chà", "Huyện Nậm Pồ"]
    np_ = counts.loc["Huyện Nậm Pồ"]
    assert (np_["villages"], np_["covered"], np_["total_not_spots"],
            np_["partial_not_spots"], np_["fibre"], np_["Viettel"], np_["VNPT"]) == (
        5, 3, 2, 2, 2, 3, 1)
    mc = counts.loc["Huyện Mường Chà"]
    assert (mc["villages"], mc["covered"], mc["total_not_spots"]) == (1, 0, 1)


def test_summary_table_has_catalog_labels_vietnamese_numbers_and_a_total():
    frame = tables.area_summary(_status(), "vi")
    assert frame.columns[0] == "Huyện"
    assert "Số thôn/bản" in frame.columns and "Phủ sóng: Viettel" in frame.columns
    total = frame.iloc[-1]
    assert total.iloc[0] == "Tổng cộng"
    assert total["Số thôn/bản"] == "6"
    assert total["Tỷ lệ có băng rộng di động"] == "50,0 %"
    english = tables.area_summary(_status(), "en")
    assert english.iloc[-1]["Share with mobile broadband"] == "50.0%"


def test_summary_per_new_commune_in_the_2025_units():
    s = _status().assign(commune_2025=["Xã B", "Xã B", "Xã A", "Xã A", "Xã A", "Xã A"])
    frame = tables.area_summary(s, "vi", units="2025")
    assert frame.columns[0] == "Xã (từ 01/07/2025)"
    assert frame.iloc[:, 0].tolist() == ["Xã A", "Xã B", "Tổng cộng"]
    assert frame["Lõm sóng hoàn toàn"].tolist() == ["3", "0", "3"]


# ---------------------------------------------------------------------------------------------
# Stacked villages, nearest site
# ---------------------------------------------------------------------------------------------


def test_stacked_villages_share_one_group():
    group = finding.stacked(_status())
    assert group.name == "stack"
    assert group.isna().tolist() == [True, True, False, False, False, True]
    assert group.iloc[2] == group.iloc[3] == group.iloc[4]


def test_stacked_villages_open_as_one_list():
    layer = stacks.stack_layer(_status(), "vi", has_sites=True, name="x")
    features = layer.data["features"]
    assert len(features) == 1
    p = features[0]["properties"]
    assert p["c"] == 3 and sorted(p["m"]) == ["v3", "v4", "v5"]
    names = re.findall(r"<b>([^<]+)</b>", p["l"])
    assert names == ["Bản Nậm Chua", "Bản Púng", "Pá Lông"]  # Vietnamese order
    assert "3 thôn/bản" in p["t"]


def test_nearest_site_per_operator_against_a_hand_computed_distance():
    dist = finding.nearest_site_m(_status(), _sites())
    assert dist.columns.tolist() == ["Viettel", "VNPT"]
    # 0.01° of longitude at 22° N: 111,320 m × cos(22°) ≈ 1,032 m (UTM differs by < 1 %).
    expected = 0.01 * 111_320 * np.cos(np.radians(22.0))
    assert dist.loc[0, "Viettel"] == pytest.approx(expected, rel=0.01)
    assert dist.loc[1, "Viettel"] == pytest.approx(0.0, abs=1.0)
    assert dist.loc[0, "VNPT"] == pytest.approx(expected, rel=0.01)
    assert np.isnan(dist.loc[5, "Viettel"])  # no point


def test_the_popup_says_how_far_each_operators_site_is():
    dist = finding.nearest_site_m(_status(), _sites())
    text = maps.villages.nearest_text(dist, "vi")
    assert text[0].startswith("Viettel 1,0 km · VNPT (Vinaphone) 1,0 km")
    assert text[5] == ""


# ---------------------------------------------------------------------------------------------
# The assignment ring follows a placement; filter keys
# ---------------------------------------------------------------------------------------------


def test_the_ring_follows_a_village_placed_by_hand():
    from geo import placements

    status = _status()
    placed = pd.DataFrame({"placement_id": [1], "village_id": ["v3"], "lon": [103.5],
                           "lat": [22.3], "who": ["Lò Văn Minh"],
                           "when": ["2026-01-01T00:00:00Z"]})
    moved = placements.apply_placements(status, placed)
    register = gpd.GeoDataFrame({"village_id": ["v3", "v9"]},
                                geometry=[shapely.Point(103.2, 22.1), shapely.Point(1, 1)],
                                crs="EPSG:4326")
    ring = maps.ring_points(register, moved)
    assert (ring.iloc[0].x, ring.iloc[0].y) == (103.5, 22.3)
    assert (ring.iloc[1].x, ring.iloc[1].y) == (1, 1)  # not in the model: the stored point


def test_filter_layer_carries_escaped_keys_as_json():
    group = maps.filter_layer(["v1", "<b>{{x}}</b>"], [0, 2])
    child = next(iter(group._children.values()))
    assert child.spec["s"] == [0, 2]
    assert child.spec["v"][1] == maps.escape_html("<b>{{x}}</b>")
    script = child._template.module.script(child)
    assert "{{" not in script and "<b>" not in script
    assert json.loads(re.search(r"coverageFilter\((.*)\);", script)[1]) == child.spec


def test_stacked_villages_name_both_communes_in_the_2025_units():
    pairs = np.array(["Xã Chà Cang (cũ) → Xã Nà Khoa (mới)"] * len(VILLAGES), dtype=object)
    layer = stacks.stack_layer(_status(), "vi", has_sites=True, name="x", pairs=pairs)
    listed = layer.data["features"][0]["properties"]["l"]
    assert listed.count("Xã (cũ → mới): Xã Chà Cang (cũ) → Xã Nà Khoa (mới)") == 3
