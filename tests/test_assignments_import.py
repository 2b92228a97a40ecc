"""``python -m geo assignments import``: a plan's Phụ lục 2 as planners have it, read by the
import reader (:func:`geo.imports.stage`), with the import command's report and exit codes, and
village ids minted once per distinct village."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo import assignments as A

ROOT = Path(__file__).resolve().parents[1]
PLAN_CSV = ROOT / "data" / "plans" / "dienbien_4638_phu_luc_2.csv"
TITLE = "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN"
SUBTITLE = "Phụ lục 2: Danh sách thôn, bản chưa có sóng di động trên địa bàn tỉnh Điện Biên"
HEADER = ["Stt", "Tên thôn/bản", "Xã", "Huyện", "Doanh nghiệp"]
FIRST_DATA_ROW = 5  # title, subtitle, a blank row, the header
MERGED = 4  # the district of the first rows is one merged cell


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", "assignments", "import", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COVERAGE_USER": "Lan"},
        timeout=300,
    )


def _plain(text: str) -> str:
    """Without diacritics, as typed on a keyboard without Vietnamese input (đ → d)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _unprefixed(text: str) -> str:
    for prefix in ("Huyện ", "Xã "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _messy_rows() -> list[list]:
    """The 36 rows of the plan, spelled as planners type them: some without diacritics, some
    without "Xã"/"Huyện", some in another case."""
    plan = pd.read_csv(PLAN_CSV, dtype=str)
    rows = []
    for i, r in enumerate(plan.itertuples()):
        village, commune, district = r.village, r.commune, r.district
        if i % 4 == 1:
            village, commune, district = _plain(village), _plain(commune), _plain(district)
        elif i % 4 == 2:
            commune, district = _unprefixed(commune), _unprefixed(district)
        elif i % 4 == 3:
            village, commune, district = village.upper(), commune.lower(), district.upper()
        rows.append([int(r.source_row), village, commune, district, r.operator])
    return rows


def _write_phu_luc_2(path: Path, rows: list[list]) -> Path:
    """A Phụ lục 2 as planners have it: title block, header, rows, the district of the first
    rows in one merged cell, and a total row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục 2"
    ws.append([TITLE])
    ws.append([SUBTITLE])
    ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(list(r))
    # Rows 1-4 are in one district: printed once, merged down (as Word and Excel do).
    for k in range(1, MERGED):
        ws.cell(FIRST_DATA_ROW + k, 4).value = None
    ws.merge_cells(
        start_row=FIRST_DATA_ROW, end_row=FIRST_DATA_ROW + MERGED - 1, start_column=4, end_column=4
    )
    ws.append([f"Tổng cộng: {len(rows)} thôn, bản"])
    wb.save(path)
    return path


def _register(db: Path) -> pd.DataFrame:
    if not db.exists():
        return pd.DataFrame(columns=["village_id"])
    conn = A.connect(db)
    try:
        return A.current(conn)
    finally:
        conn.close()


@pytest.mark.realdata
def test_a_messy_phu_luc_2_is_imported_whole_skipping_title_and_total(real_data, tmp_path):
    rows = _messy_rows()
    plan = pd.read_csv(PLAN_CSV, dtype=str)
    assert plan["district"].head(MERGED).nunique() == 1  # the merge hides no other district
    table = _write_phu_luc_2(tmp_path / "phu_luc_2.xlsx", rows)
    db, report = tmp_path / "reg.sqlite", tmp_path / "report.csv"

    done = _run(
        str(table),
        "--province",
        "Điện Biên",
        "--db",
        str(db),
        "--report",
        str(report),
        "--decision",
        "4638/KH-UBND",
        "--decision-date",
        "15/12/2020",
    )

    assert done.returncode == 0, done.stderr
    now = _register(db)
    assert len(now) == 36
    assert sorted(now["operator"]) == sorted(plan["operator"])
    assert (now["province_code"] == "11").all() and now["commune_code"].str.len().eq(5).all()
    # The rows under the merged district cell are in that district.
    first = now.set_index("source_row").loc[range(FIRST_DATA_ROW, FIRST_DATA_ROW + MERGED)]
    assert (first["district"] == "Huyện Điện Biên").all()
    assert (now["target_year"] == 2025).all() and (now["source"] == "4638/KH-UBND Phụ lục 2").all()
    rep = pd.read_csv(report, dtype=str)
    assert rep.loc[rep["status"] == "skipped", "message_en"].str.contains("Tổng cộng").any()
    assert rep["status"].isin(["ok", "skipped", "note"]).all()


@pytest.mark.realdata
def test_an_unknown_commune_stops_the_import_for_review_and_the_report_names_its_row(
    real_data, tmp_path
):
    rows = _messy_rows()
    rows[9][2] = "Xã Không Có"  # the tenth village: row 14 of the sheet
    table = _write_phu_luc_2(tmp_path / "phu_luc_2.xlsx", rows)
    db, report = tmp_path / "reg.sqlite", tmp_path / "report.csv"

    done = _run(str(table), "--province", "11", "--db", str(db), "--report", str(report))

    assert done.returncode == 3, done.stderr
    assert "review" in done.stderr and "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert _register(db).empty
    rep = pd.read_csv(report, dtype=str)
    review = rep[rep["status"] == "review"]
    assert review["row"].tolist() == [str(FIRST_DATA_ROW + 9)]
    assert review["commune"].tolist() == ["Xã Không Có"]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", bytes(range(256)) * 4, "not a text"),
        # Windows-1258 text (Th\xf4n = Thôn) with 0x81 and 0x8D, undefined in Windows-1258 and
        # invalid in UTF-8.
        (
            "cp1258.csv",
            b"Stt,Th\xf4n,Xa,Doanh nghi\xeap\n1,N\x81m Ty,H\x8dua Thanh,Viettel\n",
            "not text",
        ),
    ],
)
def test_an_unreadable_csv_exits_2_with_a_named_error_and_no_traceback(
    tmp_path, name, content, says
):
    path = tmp_path / name
    path.write_bytes(content)
    db = tmp_path / "reg.sqlite"

    done = _run(str(path), "--province", "11", "--db", str(db))

    assert done.returncode == 2, done.stderr
    assert name in done.stderr and says in done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()


def _one_village(path: Path, village: str) -> Path:
    """A one-row list under the same document label and Stt as any other."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Stt", "Thôn/bản", "Xã", "Huyện", "Doanh nghiệp"])
        w.writerow([1, village, "Xã Hua Thanh", "Huyện Điện Biên", "Viettel"])
    return path


@pytest.mark.realdata
def test_unknown_villages_get_one_id_each_and_keep_it_across_files(real_data, tmp_path):
    db = tmp_path / "reg.sqlite"
    same = ("--province", "11", "--db", str(db), "--decision", "4638/KH-UBND")
    a = _one_village(tmp_path / "a.csv", "Bản Khó Tìm Một")
    b = _one_village(tmp_path / "b.csv", "Bản Khó Tìm Hai")
    a_again = _one_village(tmp_path / "c.csv", "Bản Khó Tìm Một")

    for path in (a, b):
        done = _run(str(path), *same)
        assert done.returncode == 0, done.stderr
    now = _register(db).set_index("village")
    assert len(now) == 2
    assert now.loc["Bản Khó Tìm Một", "village_id"] != now.loc["Bản Khó Tìm Hai", "village_id"]

    done = _run(str(a_again), *same)
    assert done.returncode == 0, done.stderr
    assert "0 assignments added; 1 already there" in done.stdout
    again = _register(db).set_index("village")
    assert again["village_id"].to_dict() == now["village_id"].to_dict()
