"""The plans' tables (data/plans) and their loaders in geo.plans / geo.operators."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from geo import plans
from geo.errors import DatasetMissingError, InputError
from geo.operators import OPERATOR_DISPLAY, OPERATORS, canonical_operator, display_operator

# ---------------------------------------------------------------- Phụ lục 2 (unserved villages)


@pytest.fixture(scope="module")
def unserved() -> pd.DataFrame:
    return plans.load_unserved("dienbien_4638")


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return plans.load_targets()


@pytest.fixture(scope="module")
def indicator_map() -> pd.DataFrame:
    return plans.load_indicator_map()


def test_phu_luc_2_lists_36_villages_numbered_1_to_36(unserved):
    assert len(unserved) == 36
    assert unserved["source_row"].tolist() == list(range(1, 37))
    assert unserved["source_row"].dtype == "int64"


def test_phu_luc_2_operator_counts_are_18_viettel_14_vnpt_4_mobifone(unserved):
    assert unserved["operator"].value_counts().to_dict() == {
        "Viettel": 18,
        "VNPT": 14,
        "MobiFone": 4,
    }
    assert unserved["operator_printed"].value_counts().to_dict() == {
        "Viettel": 18,
        "VNPT": 14,
        "MobiFone": 4,
    }


@pytest.mark.parametrize(
    ("stt", "village", "commune", "district", "operator"),
    [
        (15, "Mường tình C", "Xã Xa Dung", "Huyện Điện Biên Đông", "VNPT"),
        (16, "Nậm Chan III", "Xã Ngồi Cáy", "Huyện Mường Ảng", "VNPT"),
        (17, "Huổi Chỏn", "Xã Ảng Tờ", "Huyện Mường Ảng", "MobiFone"),
        (20, "Lồng Chừ (sử) Phình", "Xã Sín Chải", "Huyện Tủa Chùa", "VNPT"),
        (36, "Hô He", "Xã Chà Tở", "Huyện Nậm Pồ", "Viettel"),
    ],
)
def test_phu_luc_2_rows_keep_the_printed_spelling(
    unserved, stt, village, commune, district, operator
):
    row = unserved.loc[unserved["source_row"] == stt].iloc[0]
    assert (row["village"], row["commune"], row["district"], row["operator"]) == (
        village,
        commune,
        district,
        operator,
    )


def test_phu_luc_2_row_25_commune_is_repaired_and_says_so(unserved):
    row = unserved.loc[unserved["source_row"] == 25].iloc[0]
    assert row["village"] == "Mường Toong 6"
    assert row["commune"] == "Xã Mường Toong"
    assert "repaired" in row["note"]
    assert "Toong" in row["note"]
    others = unserved.loc[unserved["source_row"] != 25, "note"]
    assert not others.str.contains("repaired").any()


def test_phu_luc_2_carries_document_date_and_province(unserved):
    assert set(unserved["document"]) == {"4638/KH-UBND"}
    assert set(unserved["document_date"]) == {dt.date(2020, 12, 15)}
    assert set(unserved["province"]) == {"Tỉnh Điện Biên"}
    assert set(unserved["appendix"]) == {"Phụ lục 2"}
    assert unserved["village"].map(type).eq(str).all()


def test_phu_luc_2_csv_is_utf8_without_bom():
    for name in ("dienbien_4638_phu_luc_2.csv", "plan_targets.csv", "indicator_map.csv"):
        raw = (plans.PLANS_DIR / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        raw.decode("utf-8")


def test_load_unserved_rejects_a_plan_without_a_list():
    with pytest.raises(InputError, match="laichau_2023"):
        plans.load_unserved("laichau_2023")


# ---------------------------------------------------------------- bad files


def _write_unserved(path: Path, rows: list[dict]) -> Path:
    base = {
        "document": "4638/KH-UBND",
        "document_date": "2020-12-15",
        "appendix": "Phụ lục 2",
        "source_row": "1",
        "village": "Nậm Ty 1",
        "commune": "Xã Hua Thanh",
        "district": "Huyện Điện Biên",
        "province": "Tỉnh Điện Biên",
        "operator": "Viettel",
        "note": "",
    }
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(base))
        w.writeheader()
        for r in rows:
            w.writerow({**base, **r})
    return path


def test_load_unserved_reads_common_operator_spellings_and_keeps_the_printed_one(tmp_path):
    path = _write_unserved(
        tmp_path / "ok.csv",
        [
            {"source_row": "1", "operator": "Vinaphone"},
            {"source_row": "2", "operator": "mobi fone"},
        ],
    )
    df = plans.load_unserved(path=path)
    assert df["operator"].tolist() == ["VNPT", "MobiFone"]
    assert df["operator_printed"].tolist() == ["Vinaphone", "mobi fone"]


def test_load_unserved_names_the_line_and_field_of_an_unknown_operator(tmp_path):
    path = _write_unserved(
        tmp_path / "bad.csv",
        [{"source_row": "1"}, {"source_row": "2"}, {"source_row": "3", "operator": "S-Fone"}],
    )
    with pytest.raises(InputError) as err:
        plans.load_unserved(path=path)
    # third data row = line 4 of the file (header is line 1)
    assert len(err.value.problems) == 1
    problem = err.value.problems[0]
    assert (problem.row, problem.field, problem.value) == (4, "operator", "S-Fone")
    assert "row 4" in str(err.value)
    assert "dòng 4" in err.value.message("vi")
    assert isinstance(err.value, ValueError)


def test_load_unserved_reports_every_bad_row_at_once(tmp_path):
    path = _write_unserved(
        tmp_path / "bad.csv",
        [
            {"source_row": "1", "village": ""},
            {"source_row": "x"},
            {"source_row": "3", "operator": ""},
            {"source_row": "4", "document_date": "15/12/2020"},
        ],
    )
    with pytest.raises(InputError) as err:
        plans.load_unserved(path=path)
    found = {(p.row, p.field) for p in err.value.problems}
    assert found == {(2, "village"), (3, "source_row"), (4, "operator"), (5, "document_date")}


def test_load_unserved_names_a_missing_column(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("source_row,village\n1,Nậm Ty 1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        plans.load_unserved(path=path)
    assert {p.field for p in err.value.problems} >= {"operator", "commune", "district"}


def test_load_targets_rejects_text_values_and_unknown_comparators(tmp_path):
    lines = (plans.PLANS_DIR / plans.TARGETS_FILE).read_text(encoding="utf-8").splitlines()
    header, first, second = lines[0], lines[1], lines[2]
    fields = header.split(",")
    rec1 = next(csv.reader([first]))
    rec1[fields.index("value")] = "80%"
    rec2 = next(csv.reader([second]))
    rec2[fields.index("comparator")] = "=>"
    path = tmp_path / "targets.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        w.writerows([rec1, rec2])
    with pytest.raises(InputError) as err:
        plans.load_targets(path)
    assert {(p.row, p.field) for p in err.value.problems} == {(2, "value"), (3, "comparator")}
    assert "row 3" in str(err.value)


# ---------------------------------------------------------------- targets


def _one(targets, plan_id, source_row, year, kind=None, indicator_start=""):
    sel = targets[
        (targets["plan_id"] == plan_id)
        & (targets["source_row"] == source_row)
        & (targets["year"] == year)
        & targets["indicator"].str.startswith(indicator_start)
    ]
    if kind:
        sel = sel[sel["kind"] == kind]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_dienbien_row_3_villages_with_3g_4g_5g_go_from_75_in_2020_to_100_in_2025(targets):
    r2020 = _one(targets, "dienbien_4638", "3", 2020)
    r2025 = _one(targets, "dienbien_4638", "3", 2025)
    assert "3G, 4G, 5G" in r2020["indicator"]
    assert (r2020["kind"], r2020["value"], r2020["unit"]) == ("actual", 75.0, "%")
    assert (r2025["kind"], r2025["value"], r2025["comparator"]) == ("target", 100.0, "=")
    years = targets.loc[(targets["plan_id"] == "dienbien_4638") & (targets["source_row"] == "3")]
    assert years.set_index("year")["value"].to_dict() == {
        2020: 75.0,
        2021: 80.0,
        2022: 85.0,
        2023: 90.0,
        2024: 95.0,
        2025: 100.0,
    }


def test_dienbien_row_2_fibre_villages_were_80_percent_in_2020(targets):
    row = _one(targets, "dienbien_4638", "2", 2020)
    assert "cáp quang" in row["indicator"]
    assert (row["kind"], row["value"], row["value_text"]) == ("actual", 80.0, "80")


def test_dienbien_phu_luc_1_has_16_indicators_over_2020_to_2025(targets):
    db = targets[targets["plan_id"] == "dienbien_4638"]
    assert db["source_row"].nunique() == 16
    assert sorted(db["year"].unique()) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert len(db) == 96
    assert set(db.loc[db["year"] == 2020, "kind"]) == {"actual"}


def test_tren_and_greater_than_are_parsed_as_strict_greater(targets):
    fibre = _one(targets, "muonglay_2855", "14", 2025)
    assert (fibre["comparator"], fibre["value"], fibre["value_text"]) == (">", 90.0, ">90")
    bts = _one(targets, "muonglay_2855", "7", 2030)
    assert (bts["comparator"], bts["value"], bts["value_text"]) == (">", 65.0, ">65")


def test_toi_thieu_and_it_nhat_are_parsed_as_at_least_and_duoi_as_less(targets):
    speed = _one(targets, "caoloc_2023", "II.2.a", 2025, indicator_start="Tốc độ băng rộng di động")
    assert (speed["comparator"], speed["value"], speed["unit"]) == ("≥", 42.0, "Mbps")
    capacity = _one(
        targets, "laichau_2023", "Phần thứ hai II.1.a", 2025, indicator_start="Dung lượng"
    )
    assert (capacity["comparator"], capacity["value"]) == ("≥", 30.0)
    twog = _one(targets, "laichau_2023", "Phần thứ hai II.1.a", 2024, indicator_start="Giảm")
    assert (twog["comparator"], twog["value"], twog["value_text"]) == ("<", 5.0, "dưới 5%")


def test_co_is_one_on_a_yes_no_unit(targets):
    row = _one(targets, "muonglay_2855", "18", 2025)
    assert (row["value"], row["value_text"], row["comparator"]) == (1.0, "Có", "=")
    assert row["unit"].lower() == "có/không"


def test_every_comparator_kind_and_value_is_valid(targets):
    assert set(targets["comparator"]) <= set(plans.COMPARATORS)
    assert set(targets["kind"]) <= set(plans.KINDS)
    assert targets["value"].dtype == "float64"
    assert targets["value"].map(math.isfinite).all()
    assert targets["year"].dtype == "int64"
    assert targets["year"].between(2020, 2030).all()


def test_decimal_commas_become_dot_decimals(targets):
    speed = _one(targets, "muonglay_2855", "4", 2022)
    assert (speed["value"], speed["value_text"]) == (37.7, "37,7")
    sites = _one(
        targets,
        "laichau_2023",
        "Phần thứ nhất I.1 (chú thích 1)",
        2023,
        indicator_start="Trạm phát sóng",
    )
    assert (sites["value"], sites["value_text"], sites["unit"]) == (1842.0, "1.842", "trạm")


def test_plan_metadata_numbers_dates_and_codes(targets):
    meta = targets.drop_duplicates("plan_id").set_index("plan_id")
    assert meta.loc["dienbien_4638", "document"] == "4638/KH-UBND"
    assert meta.loc["dienbien_4638", "document_date"] == dt.date(2020, 12, 15)
    assert meta.loc["muonglay_2855", "document_date"] == dt.date(2023, 11, 20)
    assert meta.loc["huongtra_1529", "document"] == "1529/KH-UBND"
    assert meta.loc["huongtra_1529", "document_date"] == dt.date(2024, 5, 6)
    # Lai Châu and Cao Lộc print "Số: /KH-UBND" and no day: left empty
    for pid in ("laichau_2023", "caoloc_2023"):
        assert meta.loc[pid, "document"] == ""
        assert meta.loc[pid, "document_date"] is None
    assert meta["province_code"].to_dict() == {
        "dienbien_4638": "11",
        "muonglay_2855": "11",
        "laichau_2023": "12",
        "caoloc_2023": "20",
        "huongtra_1529": "46",
    }
    assert meta["district_code"].to_dict() == {
        "dienbien_4638": "",
        "muonglay_2855": "095",
        "laichau_2023": "",
        "caoloc_2023": "183",
        "huongtra_1529": "480",
    }


@pytest.mark.realdata
def test_district_codes_match_the_gso_list(targets):
    from geo import registry

    try:
        path = registry.path("gso_units_pre2025", verify=False)
    except DatasetMissingError:
        pytest.skip("GSO unit list not in the data folder")
    gso = pd.read_csv(path, dtype=str, keep_default_na=False)
    names = gso.drop_duplicates("ma_huyen").set_index("ma_huyen")
    assert names.loc["095", "ten_huyen"].lower() == "thị xã mường lay"
    assert names.loc["183", "ten_huyen"] == "Huyện Cao Lộc"
    assert names.loc["480", "ten_huyen"] == "Thị xã Hương Trà"
    for code in ("095", "183", "480"):
        plan_province = targets.loc[targets["district_code"] == code, "province_code"].iloc[0]
        assert names.loc[code, "ma_tinh"] == plan_province


def test_laichau_current_state_matches_the_plan(targets):
    lc = targets[(targets["plan_id"] == "laichau_2023") & (targets["kind"] == "actual")]
    by_op = {
        op: lc.loc[lc["indicator"].str.endswith(f"Tỷ lệ phủ sóng {op}"), "value"].item()
        for op in ("Viettel", "Vinaphone", "MobiFone", "Vietnamobile")
    }
    assert by_op == {"Viettel": 97.0, "Vinaphone": 86.0, "MobiFone": 42.0, "Vietnamobile": 8.0}
    assert lc.loc[lc["indicator"] == "Thôn, bản chưa có sóng di động", "value"].item() == 30.0
    assert lc.loc[lc["indicator"] == "Thôn, bản chưa có internet", "value"].item() == 254.0
    assert (
        lc.loc[lc["indicator"] == "Thôn, bản có hạ tầng cáp quang phục vụ", "value"].item() == 73.0
    )


# ---------------------------------------------------------------- indicator map


def test_every_plan_in_targets_appears_in_the_indicator_map(targets, indicator_map):
    assert set(targets["plan_id"]) == set(indicator_map["plan_id"])


def test_every_map_row_names_an_indicator_that_exists_in_targets(targets, indicator_map):
    keys = set(zip(targets["plan_id"], targets["source_row"], targets["indicator"], strict=True))
    for rec in indicator_map.itertuples():
        assert (rec.plan_id, rec.source_row, rec.indicator) in keys, rec


def test_map_uses_known_tool_indicators_and_says_no_when_nothing_measures_it(indicator_map):
    tools = set(indicator_map["tool_indicator"]) - {""}
    assert tools <= set(plans.TOOL_INDICATORS)
    assert set(indicator_map["comparable"]) == {"yes", "partial", "no"}
    unmeasured = indicator_map[indicator_map["tool_indicator"] == ""]
    assert set(unmeasured["comparable"]) == {"no"}
    assert indicator_map["why"].str.len().min() > 30


def test_every_why_has_a_vietnamese_translation(indicator_map):
    assert indicator_map["why_vi"].str.len().min() > 30
    assert (indicator_map["why_vi"] != indicator_map["why"]).all()
    # Vietnamese ("công cụ": the tool), numbers the Vietnamese way ("29 %").
    assert indicator_map["why_vi"].str.contains("công cụ").all()
    why = indicator_map.set_index(["plan_id", "source_row"])["why_vi"]
    assert "cột treo cáp" in why.loc[("dienbien_4638", "6")]
    assert "chỉ mang tính tham khảo" in why.loc[("dienbien_4638", "3")]
    assert indicator_map["why_vi"].str.contains("29 %").sum() == 4


def test_targets_for_carries_why_vi_and_a_vietnamese_default():
    df = plans.targets_for("huongtra_1529", 2024)
    unmapped = df[df["tool_indicator"] == ""]
    assert unmapped["why_vi"].str.startswith("Không có trong bảng đối chiếu").any()
    mapped = df[df["tool_indicator"] == "site_sharing_rate"].iloc[0]
    assert mapped["why_vi"].startswith("Cả hai đều là tỷ lệ vị trí trạm BTS dùng chung")


@pytest.mark.parametrize(
    ("plan_id", "source_row", "start", "tool", "comparable"),
    [
        ("dienbien_4638", "3", "", "villages_mobile_share", "yes"),
        ("dienbien_4638", "2", "", "villages_fibre_share", "yes"),
        ("dienbien_4638", "4", "", "", "no"),
        ("dienbien_4638", "6", "", "site_sharing_rate", "partial"),
        (
            "laichau_2023",
            "Phần thứ hai II.1.a",
            "Tỷ lệ trạm thu phát sóng",
            "site_sharing_rate",
            "partial",
        ),
        (
            "laichau_2023",
            "Phần thứ nhất I.1",
            "Tỷ lệ thôn, bản đã được phủ sóng điện thoại di động: Tỷ lệ phủ sóng Vinaphone",
            "villages_operator_share_VNPT",
            "partial",
        ),
        ("huongtra_1529", "II.1", "Tỷ lệ dùng chung vị trí trạm BTS", "site_sharing_rate", "yes"),
    ],
)
def test_map_decisions(indicator_map, plan_id, source_row, start, tool, comparable):
    sel = indicator_map[
        (indicator_map["plan_id"] == plan_id)
        & (indicator_map["source_row"] == source_row)
        & indicator_map["indicator"].str.startswith(start)
    ]
    assert len(sel) == 1
    assert (sel.iloc[0]["tool_indicator"], sel.iloc[0]["comparable"]) == (tool, comparable)


def test_site_sharing_why_explains_passive_infrastructure_and_new_sites(indicator_map):
    why = indicator_map.set_index(["plan_id", "source_row"])["why"]
    assert "poles" in why.loc[("dienbien_4638", "6")]
    lc = indicator_map[indicator_map["indicator"].str.startswith("Tỷ lệ trạm thu phát sóng")]
    assert "NEW" in lc["why"].item()


def test_targets_for_joins_the_plan_year_to_the_map():
    df = plans.targets_for("huongtra_1529", 2024)
    assert list(df.columns) == [
        "tool_indicator",
        "indicator",
        "unit",
        "comparator",
        "value",
        "value_text",
        "comparable",
        "why",
        "why_vi",
        "source_row",
        "plan_id",
    ]
    assert len(df) == 15
    sharing = df[df["tool_indicator"] == "site_sharing_rate"].iloc[0]
    assert (sharing["value"], sharing["comparable"]) == (17.0, "yes")
    unmapped = df[df["indicator"].str.startswith("Tỷ lệ người sử dụng Internet")].iloc[0]
    assert (unmapped["tool_indicator"], unmapped["comparable"]) == ("", "no")


def test_targets_for_can_return_the_current_state_and_empty_years():
    actual = plans.targets_for("dienbien_4638", 2020, kind="actual")
    assert actual.set_index("source_row").loc["3", "value"] == 75.0
    assert plans.targets_for("dienbien_4638", 2020).empty
    assert plans.targets_for("muonglay_2855", 2030)["value"].notna().all()


def test_targets_for_rejects_an_unknown_plan():
    with pytest.raises(InputError, match="dienbien_4638"):
        plans.targets_for("hanoi_0001", 2025)


def test_plans_for_province_lists_province_and_town_plans():
    assert plans.plans_for_province("11") == ["dienbien_4638", "muonglay_2855"]
    assert plans.plans_for_province("12") == ["laichau_2023"]
    assert plans.plans_for_province("20") == ["caoloc_2023"]
    assert plans.plans_for_province(46) == ["huongtra_1529"]
    assert plans.plans_for_province("01") == []


# ---------------------------------------------------------------- meets / fractions


@pytest.mark.parametrize(
    ("actual", "comparator", "value", "expected"),
    [
        (0.95, "=", 0.95, True),
        (0.96, "=", 0.95, True),
        (0.94, "=", 0.95, False),
        (0.9, ">", 0.9, False),
        (0.91, ">", 0.9, True),
        (0.42, "≥", 0.42, True),
        (0.04, "<", 0.05, True),
        (0.05, "<", 0.05, False),
        (0.05, "≤", 0.05, True),
        (90 / 100 - 1e-12, "≥", 0.9, True),
        (float("nan"), "≥", 0.5, False),
    ],
)
def test_meets(actual, comparator, value, expected):
    assert plans.meets(actual, comparator, value) is expected


def test_meets_rejects_an_unknown_comparator():
    with pytest.raises(InputError):
        plans.meets(1.0, "=>", 1.0)


def test_target_as_fraction_converts_percent_rows_only(targets):
    row = _one(targets, "dienbien_4638", "3", 2025)
    assert plans.target_as_fraction(row) == 1.0
    assert plans.meets_target(0.97, row) is False
    assert plans.meets_target(1.0, row) is True
    mbps = _one(targets, "muonglay_2855", "4", 2025)
    with pytest.raises(InputError, match="Mbps"):
        plans.target_as_fraction(mbps)
    assert plans.meets_target(55.0, mbps) is True


# ---------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("viettel", "Viettel"),
        ("Viettel", "Viettel"),
        ("Viettel Telecom", "Viettel"),
        (" VIETTEL ", "Viettel"),
        ("VNPT", "VNPT"),
        ("Vinaphone", "VNPT"),
        ("VinaPhone", "VNPT"),
        ("VNPT-Vinaphone", "VNPT"),
        ("Vina", "VNPT"),
        ('Vinaphone "VNPT"', "VNPT"),
        ("MobiFone", "MobiFone"),
        ("Mobifone", "MobiFone"),
        ("mobi fone", "MobiFone"),
        ("VMS", "MobiFone"),
        ("Vietnamobile", "Vietnamobile"),
        ("VNMobile", "Vietnamobile"),
        ("Vietnam Mobile", "Vietnamobile"),
        ("Gmobile", "Gmobile"),
        ("G-Mobile", "Gmobile"),
        ("Beeline", "Gmobile"),
        ("GTEL", "Gmobile"),
        ("Chi nhánh Viettel Điện Biên", "Viettel"),
    ],
)
def test_canonical_operator_maps_common_spellings(spelling, canonical):
    assert canonical_operator(spelling) == canonical


@pytest.mark.parametrize("spelling", ["", "   ", None, "S-Fone", "I-Telecom", "Viettel và VNPT"])
def test_canonical_operator_returns_none_for_unknown_or_several(spelling):
    assert canonical_operator(spelling) is None


def test_operator_constants_and_display_labels():
    assert OPERATORS == ("Viettel", "VNPT", "MobiFone", "Vietnamobile", "Gmobile")
    assert set(OPERATOR_DISPLAY) == set(OPERATORS)
    assert OPERATOR_DISPLAY["VNPT"] == "VNPT (Vinaphone)"
    assert display_operator("vinaphone") == "VNPT (Vinaphone)"
    assert display_operator("Unknown Co") == "Unknown Co"
