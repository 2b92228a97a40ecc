"""The one message catalog (geo/i18n.py) and the words the outputs use.

Every message has Vietnamese and English with the same placeholders; every enum value has a
label; synthetic data is "mô phỏng", never "tổng hợp"; numbers are 1.234,5, dates dd/mm/yyyy,
times Vietnam's; no output cell says "nan", "None", "NaT" or "<NA>" (Phụ lục 2 of Điện Biên's
plan 4638/KH-UBND with missing values).
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import string

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo import demo, i18n, vocab
from geo.auth import Action, Role
from geo.paths import package_data

MISSING_WORDS = {"nan", "NaN", "None", "NaT", "<NA>"}
TODAY = dt.date(2027, 6, 30)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _vocab_enums() -> list[type[enum.Enum]]:
    found = [getattr(vocab, name) for name in vocab.__all__]
    return [e for e in found if isinstance(e, type) and issubclass(e, enum.Enum)]


# ---------------------------------------------------------------------------------------------
# The catalog
# ---------------------------------------------------------------------------------------------


def test_every_message_has_a_non_empty_vietnamese_and_english_text():
    for key, texts in i18n.LABELS.items():
        assert set(texts) == set(i18n.LANGS), key
        assert all(isinstance(texts[lang], str) and texts[lang].strip() for lang in i18n.LANGS), key


def test_vietnamese_and_english_texts_have_the_same_placeholders():
    for key, texts in i18n.LABELS.items():
        assert _placeholders(texts["vi"]) == _placeholders(texts["en"]), key


@pytest.mark.parametrize("enum_type", [*_vocab_enums(), Role, Action], ids=lambda e: e.__name__)
def test_every_enum_value_has_a_label_in_both_languages(enum_type):
    for member in enum_type:
        for lang in i18n.LANGS:
            assert i18n.enum_label(member, lang).strip(), (member, lang)


def test_vocab_enums_cover_units_technology_operators_gaps_layers_modes_and_statuses():
    names = {e.__name__ for e in _vocab_enums()}
    assert {"UnitSystem", "Technology", "Operator", "GapClass", "LayerKind", "ImportMode",
            "Status"} <= names
    assert i18n.t("UnitSystem.pre2025", "vi") == "Trước 01/07/2025"
    assert i18n.t("GapClass.none", "vi") == "Vùng lõm sóng (không nhà mạng nào)"
    assert i18n.t("LayerKind.sites", "en") == "Sites"
    assert i18n.t("ImportMode.replace-operator", "vi")


def test_assignment_statuses_are_the_registers_and_named_as_in_the_glossary():
    from geo.assignments import rules
    from geo.store.assignments import STATUSES

    assert tuple(vocab.Status) == STATUSES
    assert [i18n.enum_label(s, "vi") for s in vocab.Status] == [
        "Đã phân công", "Đang xây dựng", "Đã phát sóng", "Đã nghiệm thu", "Hủy",
    ]
    # rules.STATUS_LABELS still holds its own copy: it must say the same as the catalog
    for s in vocab.Status:
        assert rules.STATUS_LABELS[s] == {lang: i18n.enum_label(s, lang) for lang in i18n.LANGS}


def test_role_and_action_labels_are_read_from_the_catalog(monkeypatch):
    assert Role.DISTRICT_VIEWER.label("vi") == "Cán bộ huyện/xã (xem)"
    assert Action.SET_STATUS.label("en") == "change an assignment's status"
    patched = {**i18n.LABELS, "Role.admin": {"vi": "QT", "en": "Adm"}}
    monkeypatch.setattr(i18n, "LABELS", patched)
    assert (Role.ADMIN.label("vi"), Role.ADMIN.label("en")) == ("QT", "Adm")


def test_the_import_pages_words_are_the_catalogs_imp_entries():
    from ui import imports as import_page

    imp = {k.removeprefix("imp."): v for k, v in i18n.LABELS.items() if k.startswith("imp.")}
    assert imp == import_page.LABELS and "title" in imp
    assert import_page.tr("title", "vi") == "Nhập dữ liệu"
    assert import_page.tr("upload_help", "en", mb=200).endswith("At most 200 MB.")


def test_layers_i18n_is_the_same_catalog():
    from layers import i18n as old

    assert old.t is i18n.t and old.LABELS is i18n.LABELS
    assert set(old.__all__) == set(i18n.__all__)


# ---------------------------------------------------------------------------------------------
# Synthetic is "mô phỏng"
# ---------------------------------------------------------------------------------------------


def test_synthetic_data_is_called_mo_phong_never_tong_hop():
    for key, texts in i18n.LABELS.items():
        assert "tổng hợp" not in texts["vi"].lower(), key
    assert i18n.t("synthetic", "vi") == "Dữ liệu mô phỏng (minh họa, không phải dữ liệu thật)"
    assert i18n.t("synthetic_short", "vi") == "mô phỏng"
    assert i18n.t("synthetic", "vi") == demo.LABEL_VI
    assert "mô phỏng" in i18n.t("imp.intro", "vi")


def test_the_data_readme_says_mo_phong_for_the_synthetic_layers():
    text = (package_data() / "README.md").read_text(encoding="utf-8")
    assert "mô phỏng" in text


# ---------------------------------------------------------------------------------------------
# Numbers, dates and times
# ---------------------------------------------------------------------------------------------


def test_numbers_are_1_234_5_in_vietnamese_and_dates_dd_mm_yyyy():
    assert i18n.fmt_number(1234.5, "vi", 1) == "1.234,5"
    assert i18n.fmt_number(1234.5, "en", 1) == "1,234.5"
    assert i18n.fmt_percent(0.973, "vi") == "97,3 %"
    assert i18n.fmt_date(dt.date(2020, 12, 15), "vi") == "15/12/2020"
    assert i18n.fmt_date("2024-01-02", "en") == "02/01/2024"


def test_times_are_vietnams_local_time_dd_mm_yyyy_hh_mm():
    # 17:30 UTC on New Year's Eve is already 00:30 on 1 January in Hà Nội
    assert i18n.fmt_datetime("2025-12-31T17:30:00+00:00", "vi") == "01/01/2026 00:30"
    assert i18n.fmt_datetime("2025-12-31T17:30:00", "en") == "01/01/2026 00:30"  # naive = UTC
    assert i18n.fmt_datetime(None) == i18n.MISSING
    assert i18n.local_iso("2025-12-31T17:30:00+00:00") == "2026-01-01T00:30:00+07:00"
    assert i18n.local_iso(None) == ""


# ---------------------------------------------------------------------------------------------
# Outputs: history and no missing words (Điện Biên's Phụ lục 2 with missing values)
# ---------------------------------------------------------------------------------------------


def _dienbien_register() -> pd.DataFrame:
    """Phụ lục 2 of 4638/KH-UBND as register rows, with holes in every optional field."""
    from geo.store.assignments import FIELDS

    plan = pd.read_csv(package_data() / "plans" / "dienbien_4638_phu_luc_2.csv", dtype=str)
    n = len(plan)
    a = pd.DataFrame({f: pd.Series([None] * n, dtype=object) for f in FIELDS})
    a["village_id"] = [f"V{i:03d}" for i in range(n)]
    a["village"] = plan["village"].to_numpy()
    a["commune"] = plan["commune"].to_numpy()
    a["district"] = plan["district"].to_numpy()
    a["province"] = plan["province"].to_numpy()
    a["province_code"] = "11"
    a["district_code"] = "0" + pd.Series(range(n)).mod(9).add(94).astype(str)
    a["commune_code"] = [f"{3000 + i:05d}" for i in range(n)]
    a["operator"] = plan["operator"].to_numpy()
    a["source"] = "4638/KH-UBND Phụ lục 2"
    a["source_row"] = pd.to_numeric(plan["source_row"]).astype("Int64")
    a["location_precision"] = "commune"
    a["status"] = "assigned"
    a["assigned_on"] = "2021-01-04"
    a["version"] = pd.array([1] * n, dtype="Int64")
    a["target_year"] = pd.array([2025] * n, dtype="Int64")
    a["lon"], a["lat"] = np.nan, np.nan
    # holes of every kind: None, NaN, pd.NA, NaT
    a.loc[0, "commune"] = np.nan
    a.loc[1, "district"] = pd.NA
    a.loc[2, "proposed_operator"] = np.nan
    a.loc[2, "proposal_reason"] = np.nan
    a.loc[3, "proposed_operator"] = "VNPT"
    a.loc[3, "proposal_reason"] = None
    a.loc[4, "target_year"] = pd.NA
    a.loc[5, "updated_at"] = pd.NaT
    a.loc[6, "updated_at"] = "2021-01-03T17:30:00+00:00"
    a.loc[7, "decision"] = np.nan
    a["status_date"] = a["assigned_on"]
    return a


def _history(a: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {"change_id": 1, "village_id": a.loc[0, "village_id"], "version": 1, "action": "import",
         "field": "commune_code", "old_value": None, "new_value": "03000", "user": None,
         "at": "2021-01-03T17:30:00+00:00", "session_id": 1, "undoes": pd.NA, "undone": False},
        {"change_id": 2, "village_id": a.loc[0, "village_id"], "version": 2, "action": "status",
         "field": "status", "old_value": "assigned", "new_value": "under_construction",
         "user": "Nguyễn Văn An", "at": "2021-06-30T18:05:00+00:00", "session_id": 1,
         "undoes": pd.NA, "undone": False},
        {"change_id": 3, "village_id": a.loc[1, "village_id"], "version": 2, "action": "edit",
         "field": "lon", "old_value": float("nan"), "new_value": 103.02, "user": "An",
         "at": None, "session_id": 1, "undoes": pd.NA, "undone": False},
    ]
    h = pd.DataFrame(rows)
    h["undoes"] = h["undoes"].astype("Int64")
    for col in ("old_value", "new_value"):
        h[col] = h[col].astype(object)
    return h


def _cell_texts(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame.astype(object).to_numpy().ravel()]


def test_phu_luc_2_workbook_of_dien_bien_with_missing_values_has_no_nan_or_none_cell():
    from layers import assignments_xlsx

    a = _dienbien_register()
    book = openpyxl.load_workbook(
        io.BytesIO(assignments_xlsx.phu_luc_2_xlsx(a, history=_history(a), today=TODAY))
    )
    texts = [
        (ws.title, str(c.value))
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert texts and not [x for x in texts if x[1] in MISSING_WORDS]
    proposals = book[assignments_xlsx.SHEETS[2]]
    assert proposals.cell(row=4, column=7).value in (None, "")  # row of a.loc[2]: no proposal
    history = book[assignments_xlsx.SHEETS[3]]
    first = [c.value for c in history[2]]
    assert first[1] == "04/01/2021 00:30"  # Vietnam's time, no "UTC"
    assert first[6] == "Mã xã"  # the field's label, not "commune_code"
    assert history.cell(row=1, column=2).value == "Thời điểm"


def test_screen_tables_of_dien_bien_with_missing_values_have_no_nan_or_none_cell():
    from layers import tables

    a = _dienbien_register()
    frames = {
        "assignments": tables.assignments_table(a, "vi", today=TODAY),
        "overdue": tables.overdue_table(a, "vi", today=TODAY),
        "by_operator": tables.by_operator_table(a, "vi"),
        "by_district": tables.by_district_table(a, "en", today=TODAY),
        "history": tables.history_table(_history(a), "vi", names=a.set_index("village_id")["village"]),
    }
    for name, frame in frames.items():
        assert len(frame), name
        bad = [x for x in _cell_texts(frame) if x in MISSING_WORDS]
        assert not bad, (name, bad)


def test_history_table_shows_local_time_and_vietnamese_field_labels():
    from layers import tables

    a = _dienbien_register()
    h = tables.history_table(_history(a), "vi")
    assert list(h["Thời điểm"]) == ["", "01/07/2021 01:05", "04/01/2021 00:30"]
    assert list(h["Nội dung"]) == ["Kinh độ", "Trạng thái", "Mã xã"]
    assert list(h["Người thực hiện"])[-1] == ""
    en = tables.history_table(_history(a), "en")
    assert list(en["Field"]) == ["Longitude", "Status", "Commune code"]


def test_history_csv_keeps_machine_columns_with_local_times_and_their_offset():
    from geo.assignments.reading import history_local

    a = _dienbien_register()
    h = _history(a)
    out = history_local(h)
    assert list(out.columns) == list(h.columns)
    assert list(out["at"]) == ["2021-01-04T00:30:00+07:00", "2021-07-01T01:05:00+07:00", ""]
    assert pd.Timestamp(out["at"][0]) == pd.Timestamp(h["at"][0])  # the same instant


def test_every_app_page_is_listed_with_a_title_in_both_languages():
    from pathlib import Path

    from ui import app_common

    root = Path(app_common.__file__).resolve().parents[1]
    files = {
        f"ui/pages/{p.name}" for p in (root / "ui" / "pages").glob("*.py")
        if not p.name.startswith("_")
    }
    assert {path for path, *_ in app_common.PAGES} == files  # none titled by its file name
    for _path, key, _icon, _url in app_common.PAGES:
        for lang in ("vi", "en"):
            title = (
                app_common._PAGE_TITLES[key][lang]
                if key in app_common._PAGE_TITLES
                else i18n.t(key, lang)
            )
            assert title and title != key, (key, lang)
