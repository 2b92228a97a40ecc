"""geo.imports and ``python -m geo import``: staging, review, commit, store and the CLI.

The files are made in the tests, in every format; names are matched against the real units of
Điện Biên (the ``dienbien`` fixture).
"""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from geo import imports, pipeline
from geo.__main__ import main
from geo.errors import InputError
from geo.readers.columns import ColumnMappingError
from geo.unserved import EXPORT_COLUMNS

pytestmark = pytest.mark.realdata


def _xlsx(rows: list[list], *, title: list[str] = (), merges: list[str] = (), sheet="Sheet1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for t in title:
        ws.append([t])
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def store(tmp_path):
    return imports.Store(tmp_path / "imports.sqlite")


# ---------------------------------------------------------------------------------------------
# Phụ lục 2 as a planner would send it
# ---------------------------------------------------------------------------------------------


def _respell(text: str, i: int) -> str:
    """Other spellings of a name: without diacritics, abbreviated prefix, lower case."""
    from unidecode import unidecode

    return [unidecode(text), text.lower(), text.upper(), text][i % 4]


def _phu_luc_2_xlsx(declared: pd.DataFrame) -> bytes:
    """Phụ lục 2 of 4638/KH-UBND written as an .xlsx: title block, merged district cells,
    names in other spellings ("X. Ngối Cáy", "H. Mường Ảng", no diacritics), a total row."""
    rows = [["STT", "Tên thôn, bản", "Xã", "Huyện", "Doanh nghiệp thực hiện"]]
    merges = []
    first_row = 5  # 3 title rows, a blank, the header
    prev_district, start = None, None
    for i, r in enumerate(declared.itertuples()):
        commune = (
            r.commune_printed.replace("Xã ", "X. ")
            if i % 3 == 0
            else _respell(r.commune_printed, i)
        )
        district = r.district_printed.replace("Huyện ", "H. ")
        if r.commune_printed == "Xã Ngồi Cáy":
            commune = "X. Ngối Cáy"
        village = _respell(r.village, i)
        operator = {"VNPT": "Vinaphone", "MobiFone": "Mobi Fone"}.get(r.operator, r.operator)
        rows.append([i + 1, village, commune, district, operator])
        excel_row = first_row + i + 1
        if district != prev_district:
            if start is not None and excel_row - 1 > start:
                merges.append(f"D{start}:D{excel_row - 1}")
            prev_district, start = district, excel_row
        else:
            rows[-1][3] = None  # written once, merged down
    last = first_row + len(declared)
    if last > start:
        merges.append(f"D{start}:D{last}")
    rows.append([f"Tổng cộng: {len(declared)} thôn, bản"])
    merges.append(f"A{last + 1}:E{last + 1}")
    return _xlsx(
        [[None], *rows],
        title=[
            "PHỤ LỤC 2",
            "DANH SÁCH THÔN, BẢN CHƯA CÓ DỊCH VỤ VIỄN THÔNG TRÊN ĐỊA BÀN TỈNH",
            "(Kèm theo Kế hoạch số 4638/KH-UBND ngày 15/12/2020 của UBND tỉnh Điện Biên)",
        ],
        merges=["A1:E1", "A2:E2", "A3:E3", *merges],
        sheet="Phụ lục 2",
    )


def test_phu_luc_2_in_other_spellings_resolves_every_row(dienbien):
    declared = dienbien.declared
    data = _phu_luc_2_xlsx(declared)
    staged = imports.stage(data, "Phu luc 2 - 4638.xlsx", "unserved", dienbien)
    report = staged.report
    rows = report[report["status"] != "skipped"]
    assert len(rows) == 36
    assert (rows["status"] == "ok").all(), rows[rows["status"] != "ok"]
    assert set(rows["match_status"]) <= {"exact", "normalised", "fuzzy"}
    assert rows["commune_code"].tolist() == declared["commune_code"].tolist()
    assert rows["district_code"].tolist() == declared["district_code"].tolist()
    # "X. Ngối Cáy", "H. Mường Ảng" is the commune of Nậm Chan III.
    nam_chan = rows[rows["row"] == 5 + 16]
    assert nam_chan["commune"].item() == "X. Ngối Cáy"
    assert nam_chan["commune_code"].item() == "03287"
    # The villages are the ones the plan's list gave ids to: nothing is duplicated.
    assert staged.frame["village_id"].tolist() == declared["village_id"].tolist()
    assert staged.frame["operator"].tolist() == declared["operator"].tolist()
    skipped = report[report["status"] == "skipped"]
    assert skipped["message_en"].str.startswith("total row, skipped").any()
    assert not staged.needs_review
    assert list(imports.export_frame(staged).columns[: len(EXPORT_COLUMNS)]) == EXPORT_COLUMNS


def test_cli_imports_phu_luc_2_with_exit_0(dienbien, tmp_path):
    f = tmp_path / "phu_luc_2.xlsx"
    f.write_bytes(_phu_luc_2_xlsx(dienbien.declared))
    out = tmp_path / "unserved.geojson"
    report = tmp_path / "report.csv"
    code = main(
        [
            "import",
            "unserved",
            str(f),
            "--province",
            "Điện Biên",
            "--output",
            str(out),
            "--report",
            str(report),
        ]
    )
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["features"]) == 36
    assert set(EXPORT_COLUMNS) <= set(doc["features"][0]["properties"])
    rep = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
    assert set(rep["status"]) == {"ok", "skipped"}
    assert rep["row"].notna().all()


# ---------------------------------------------------------------------------------------------
# Sites in every format
# ---------------------------------------------------------------------------------------------

SITES = pd.DataFrame(
    {
        "site_id": ["DBN001", "DBN002", "DBN003", "DBN004"],
        "operator": ["Viettel", "Vinaphone", "mobi fone", "VNPT-Vinaphone"],
        "technology": ["4G", "LTE", "2G/3G/4G", "NR"],
        "lon": [103.0125, 103.05, 103.1, 102.95],
        "lat": [21.3875, 21.42, 21.45, 21.38],
    }
)


def _sites_csv(encoding: str) -> bytes:
    from tests.test_readers import encode

    text = "Mã trạm;Nhà mạng;Công nghệ;Kinh độ;Vĩ độ;Ngày phát sóng\n" + "".join(
        f"{r.site_id};{r.operator};{r.technology};{str(r.lon).replace('.', ',')};"
        f"{str(r.lat).replace('.', ',')};15/03/2019\n"
        for r in SITES.itertuples()
    )
    return encode(text, encoding)


def _sites_vector(fmt: str, tmp_path, crs: int = 4326, prj: bool = True) -> tuple[bytes, str]:
    from tests.test_readers import _write

    # Shapefile field names hold 10 bytes: they are written short, as in real files.
    names = (
        ("MA_TRAM", "NHA_MANG", "CONG_NGHE")
        if fmt == "shp"
        else ("Mã trạm", "Nhà mạng", "Công nghệ")
    )
    gdf = gpd.GeoDataFrame(
        {
            names[0]: SITES["site_id"],
            names[1]: SITES["operator"],
            names[2]: SITES["technology"],
        },
        geometry=gpd.points_from_xy(SITES["lon"], SITES["lat"]),
        crs="EPSG:4326",
    ).to_crs(crs)
    return _write(gdf, fmt, tmp_path, prj=prj)


SITE_SOURCES = [
    "csv-utf-8",
    "csv-utf-8-sig",
    "csv-utf-16",
    "csv-cp1258",
    "xlsx",
    "xlsx-dms",
    "geojson",
    "gpkg",
    "kml",
    "kmz",
    "shp-wgs84",
    "shp-vn2000",
    "gpkg-vn2000",
]


def _site_file(source: str, tmp_path) -> tuple[bytes, str]:
    from geo.readers.coords import format_dms

    if source.startswith("csv-"):
        return _sites_csv(source[4:]), "tram.csv"
    if source == "xlsx":
        rows = [["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"]]
        rows += [[r.site_id, r.operator, r.technology, r.lon, r.lat] for r in SITES.itertuples()]
        return _xlsx(rows, title=["DANH SÁCH TRẠM BTS"]), "tram.xlsx"
    if source == "xlsx-dms":
        rows = [["Mã trạm", "Nhà mạng", "Công nghệ", "Vĩ độ", "Kinh độ"]]
        rows += [
            [
                r.site_id,
                r.operator,
                r.technology,
                format_dms(r.lat, "lat", 3),
                format_dms(r.lon, "lon", 3),
            ]
            for r in SITES.itertuples()
        ]
        return _xlsx(rows), "tram_dms.xlsx"
    if source == "shp-wgs84":
        return _sites_vector("shp", tmp_path)
    if source == "shp-vn2000":
        return _sites_vector("shp", tmp_path, crs=9205)
    if source == "gpkg-vn2000":
        return _sites_vector("gpkg", tmp_path, crs=9205)
    return _sites_vector(source, tmp_path)


@pytest.mark.parametrize("source", SITE_SOURCES)
def test_sites_from_every_format_give_the_same_layer(dienbien, tmp_path, source):
    data, name = _site_file(source, tmp_path)
    staged = imports.stage(data, name, "sites", dienbien)
    f = staged.frame
    # DBN003 "2G/3G/4G" gives three records.
    assert len(f) == 6
    assert set(f["operator"]) == {"Viettel", "VNPT", "MobiFone"}
    assert sorted(f["technology"]) == ["2G", "3G", "4G", "4G", "4G", "5G"]
    # One record per technology, all with the station's id (one station, one physical site).
    assert set(f["site_id"]) == {"DBN001", "DBN002", "DBN003", "DBN004"}
    assert sorted(f.loc[f["site_id"] == "DBN003", "technology"]) == ["2G", "3G", "4G"]
    got = f.drop_duplicates("source_row").sort_values("source_row")
    dist = imports.coords.metres_between(
        got.geometry.x.to_numpy(), got.geometry.y.to_numpy(), SITES["lon"], SITES["lat"]
    )
    assert dist.max() < (0.2 if source == "xlsx-dms" else 0.01)
    assert (f["status"] == "ok").all()
    assert not staged.needs_review
    assert staged.crs.epsg == (9205 if "vn2000" in source else 4326)


def test_vn2000_shapefile_without_prj_is_proposed_from_the_provinces_meridian(dienbien, tmp_path):
    data, name = _sites_vector("shp", tmp_path, crs=9205, prj=False)
    staged = imports.stage(data, name, "sites", dienbien)
    assert staged.crs.epsg == 9205 and staged.crs.source == "proposed"
    assert staged.needs_review  # the proposed CRS must be confirmed
    assert staged.crs.inside_share == 1.0
    confirmed = imports.confirm_file(staged)
    assert confirmed.crs.source == "planner" and not confirmed.needs_review


def test_vn2000_xy_table_reads_x_as_northing_and_uses_the_given_crs(dienbien):
    e, n = Transformer.from_crs(4326, 9205, always_xy=True).transform(SITES["lon"], SITES["lat"])
    rows = [["Mã trạm", "Nhà mạng", "Công nghệ", "X", "Y"]]
    rows += [
        [
            r.site_id,
            r.operator,
            r.technology,
            f"{nn:.3f}".replace(".", ","),
            f"{ee:.3f}".replace(".", ","),
        ]
        for r, ee, nn in zip(SITES.itertuples(), e, n, strict=True)
    ]
    staged = imports.stage(_xlsx(rows), "tram_vn2000.xlsx", "sites", dienbien, crs="EPSG:9205")
    assert staged.crs.axis == "x_northing"
    assert any("X was read as the northing" in en for en, _ in staged.notes)
    got = staged.frame.drop_duplicates("source_row")
    d = imports.coords.metres_between(got.geometry.x, got.geometry.y, SITES["lon"], SITES["lat"])
    assert d.max() < 0.01


def test_swapped_latitude_and_longitude_columns_are_detected(dienbien):
    rows = [["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"]]
    rows += [[r.site_id, r.operator, r.technology, r.lat, r.lon] for r in SITES.itertuples()]
    staged = imports.stage(_xlsx(rows), "dao_cot.xlsx", "sites", dienbien)
    assert staged.crs.axis == "latlon"
    assert any("swapped" in en for en, _ in staged.notes)
    np.testing.assert_allclose(staged.frame.drop_duplicates("source_row").geometry.x, SITES["lon"])


def test_points_outside_the_province_are_flagged_for_review(dienbien):
    rows = [
        ["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"],
        ["HN001", "Viettel", "4G", 105.85, 21.03],
        ["DBN001", "Viettel", "4G", 103.0125, 21.3875],
    ]
    staged = imports.stage(_xlsx(rows), "t.xlsx", "sites", dienbien)
    r = staged.report.set_index("row")
    assert r.loc[2, "status"] == "review"
    assert "outside Tỉnh Điện Biên" in r.loc[2, "message_en"]
    assert r.loc[3, "status"] == "ok"
    accepted = imports.confirm(staged, 2)
    assert accepted.report.set_index("row").loc[2, "status"] == "confirmed"
    assert not accepted.needs_review


# ---------------------------------------------------------------------------------------------
# Errors: every bad row at once, with file, sheet, row and field
# ---------------------------------------------------------------------------------------------


def test_every_bad_cell_is_listed_at_once(dienbien):
    rows = [
        ["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ", "Ngày phát sóng"],
        ["A1", "Viettel", "4G", 103.01, 21.38, "01/02/2020"],
        ["A2", "S-Fone", "4G", 103.01, 21.38, None],
        ["A3", "Viettel", "6G", "abc", 21.38, None],
        ["A4", "Viettel", "4G", 103.01, None, "hôm qua"],
    ]
    with pytest.raises(InputError) as err:
        imports.stage(_xlsx(rows, sheet="Trạm"), "tram.xlsx", "sites", dienbien)
    exc = err.value
    assert exc.file == "tram.xlsx"
    assert "tram.xlsx has 5 cells that cannot be read; nothing was imported" in exc.message("en")
    where = sorted((p.row, p.field) for p in exc.problems)
    assert where == [
        (3, "Nhà mạng"),
        (4, "Công nghệ"),
        (4, "Kinh độ"),
        (5, "Ngày phát sóng"),
        (5, "Vĩ độ"),
    ]
    assert all(p.sheet == "Trạm" and p.file == "tram.xlsx" for p in exc.problems)
    text = exc.message("vi")
    assert "dòng 3, cột Nhà mạng: nhà mạng không rõ" in text
    assert "tệp tram.xlsx, trang tính Trạm, dòng 4, cột Kinh độ" in text


def test_bad_rows_can_be_kept_out_instead(dienbien):
    rows = [
        ["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"],
        ["A1", "Viettel", "4G", 103.01, 21.38],
        ["A2", "S-Fone", "4G", 103.01, 21.38],
    ]
    staged = imports.stage(_xlsx(rows), "tram.xlsx", "sites", dienbien, on_error="skip")
    assert staged.report["status"].tolist() == ["ok", "error"]
    assert staged.needs_review


def test_formula_cells_without_a_result_are_named(dienbien):
    rows = [
        ["Tên thôn", "Xã", "Doanh nghiệp"],
        ["Nậm Ty 1", "Hua Thanh", "Viettel"],
        ["=A2", "Hua Thanh", "Viettel"],
    ]
    with pytest.raises(InputError) as err:
        imports.stage(_xlsx(rows), "ds.xlsx", "unserved", dienbien)
    (p,) = err.value.problems
    assert (p.row, p.field, p.value) == (3, "Tên thôn", "=A2")
    assert "formula whose result is not saved" in p.message_en


def test_empty_file_and_empty_table(dienbien):
    with pytest.raises(InputError, match=r"empty\.csv is empty \(0 bytes\)"):
        imports.stage(b"", "empty.csv", "sites", dienbien)
    with pytest.raises(InputError, match="is empty: there is no table to import"):
        imports.stage(_xlsx([]), "empty.xlsx", "sites", dienbien)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 ...", "ke_hoach.pdf", r"a sites file must be one of .xlsx"),
        (b"Ma tram,Nha mang\n", "tram.xlsx", r"is not a \.xlsx file \(its content"),
        (b"PK\x03\x04rest", "tram.csv", r"is a spreadsheet or zip file named \.csv"),
        (b"x", "phu_song.xlsx", r"a coverage file must be one of"),
    ],
)
def test_wrong_file_types_say_what_to_upload(dienbien, data, name, message):
    kind = "coverage" if name.startswith("phu_song") else "sites"
    with pytest.raises(InputError, match=message):
        imports.stage(data, name, kind, dienbien)


def test_size_and_row_limits(dienbien):
    with pytest.raises(InputError, match=r"is 0\.0 MB; the limit is 0 MB|the limit is"):
        imports.stage(b"x" * 2000, "big.csv", "sites", dienbien, max_bytes=1000)
    rows = [["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"]]
    rows += [[f"S{i}", "Viettel", "4G", 103.0, 21.4] for i in range(20)]
    with pytest.raises(InputError, match=r"has 20 rows; the limit is 5"):
        imports.stage(_xlsx(rows), "many.xlsx", "sites", dienbien, max_rows=5)


def test_missing_columns_raise_with_a_proposal_to_correct(dienbien):
    rows = [["Cột 1", "Cột 2", "Cột 3"], ["Nậm Ty 1", "Hua Thanh", "Viettel"]]
    with pytest.raises(ColumnMappingError) as err:
        imports.stage(_xlsx(rows), "ds.xlsx", "unserved", dienbien)
    assert "could not all be recognised" in err.value.message("en")
    assert err.value.proposal.labels == ["Cột 1", "Cột 2", "Cột 3"]
    assert {p.field for p in err.value.problems} == {"village", "commune"}


def test_planners_mapping_is_remembered(dienbien, store):
    rows = [["Cột 1", "Cột 2", "Cột 3"], ["Nậm Ty 1", "Hua Thanh", "Viettel"]]
    mapping = {"village": "Cột 1", "commune": "Cột 2", "operator": "Cột 3"}
    staged = imports.stage(
        _xlsx(rows), "ds.xlsx", "unserved", dienbien, mapping=mapping, store=store
    )
    assert staged.columns.source == "planner"
    again = imports.stage(
        _xlsx(rows + [["Nậm Ty 2", "Hua Thanh", "VNPT"]]),
        "ds2.xlsx",
        "unserved",
        dienbien,
        store=store,
    )
    assert again.columns.source == "remembered"
    assert again.frame["commune_code"].tolist() == ["03323", "03323"]


# ---------------------------------------------------------------------------------------------
# Safety
# ---------------------------------------------------------------------------------------------


def test_script_in_a_name_stays_raw_and_the_file_name_is_not_trusted(
    dienbien, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    rows = [
        ["Tên thôn", "Xã", "Doanh nghiệp"],
        ["<script>alert('x')</script>", "Hua Thanh", "Viettel"],
    ]
    name = "../../<img src=x onerror=alert(1)>/..\\..\\danh sách.xlsx"
    before = set(tmp_path.parent.iterdir())
    staged = imports.stage(_xlsx(rows), name, "unserved", dienbien)
    assert staged.file == "danh sách.xlsx"
    assert staged.frame["village"].item() == "<script>alert('x')</script>"
    assert staged.report["village"].iloc[0] == "<script>alert('x')</script>"
    assert set(tmp_path.parent.iterdir()) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\An\\Phụ lục 2.xlsx", "Phụ lục 2.xlsx"),
        ("a\x00b\x1f.csv", "ab.csv"),
        ("", "upload"),
        ("..", "upload"),
    ],
)
def test_safe_name(name, expected):
    assert imports.safe_name(name) == expected


# ---------------------------------------------------------------------------------------------
# Review, confirmations, commit and the store
# ---------------------------------------------------------------------------------------------


def _unserved_with_problems() -> bytes:
    return _xlsx(
        [
            ["STT", "Tên thôn", "Xã", "Huyện", "Doanh nghiệp"],
            [1, "Nậm Ty 1", "Hua Thanh", "Điện Biên", "Viettel"],
            [2, "Bản Mới", "Xã Không Tồn Tại", "Điện Biên", "VNPT"],
            [3, "Nậm Ty 2", "Hua Than", "Điện Biên", "Viettel"],
        ]
    )


def test_rows_in_review_block_commit_until_confirmed(dienbien, store):
    staged = imports.stage(_unserved_with_problems(), "ds.xlsx", "unserved", dienbien, store=store)
    r = staged.report.set_index("row")
    assert r.loc[3, "status"] == "review" and r.loc[3, "match_status"] == "none"
    assert r.loc[4, "match_status"] == "fuzzy" and r.loc[4, "status"] == "ok"
    assert staged.needs_review
    with pytest.raises(InputError, match="is not ready to commit: 1 item"):
        imports.commit(staged, store)
    assert store.count_rows("11", "unserved") == 0  # nothing stored
    fixed = imports.confirm(staged, 3, commune_code="03340", store=store)
    r = fixed.report.set_index("row")
    assert r.loc[3, "status"] == "confirmed"
    assert r.loc[3, "commune_gso"] == "Xã Pa Thơm"
    assert not fixed.needs_review
    result = imports.commit(fixed, store)
    assert result.rows_written == 3
    # The confirmation is remembered: the same spelling resolves by itself next time.
    again = imports.stage(
        _unserved_with_problems(), "ds_v2.xlsx", "unserved", dienbien, store=store
    )
    r = again.report.set_index("row")
    assert r.loc[3, "match_status"] == "confirmed" and r.loc[3, "commune_code"] == "03340"
    assert not again.needs_review


def test_confirm_refuses_a_commune_of_another_province(dienbien):
    staged = imports.stage(_unserved_with_problems(), "ds.xlsx", "unserved", dienbien)
    with pytest.raises(InputError, match="is not a commune of Tỉnh Điện Biên"):
        imports.confirm(staged, 3, commune_code="00001")
    with pytest.raises(InputError, match="Row 99 is not a data row"):
        imports.confirm(staged, 99, commune_code="03340")


def test_partial_commit_leaves_out_the_rows_in_review(dienbien, store):
    staged = imports.stage(_unserved_with_problems(), "ds.xlsx", "unserved", dienbien)
    result = imports.commit(staged, store, allow_partial=True)
    assert result.rows_written == 2
    assert result.rows_left_out["row"].tolist() == [3]
    layers = imports.load_layers(store, "11")
    assert len(layers.unserved) == 2


def test_same_file_twice_adds_nothing_and_a_new_version_updates(dienbien, store):
    data = _phu_luc_2_xlsx(dienbien.declared)
    staged = imports.stage(data, "pl2.xlsx", "unserved", dienbien, store=store)
    first = imports.commit(staged, store)
    assert first.rows_written == 36
    again = imports.stage(data, "pl2 (1).xlsx", "unserved", dienbien, store=store)
    assert again.already_imported
    second = imports.commit(again, store)
    assert second.already_imported and second.import_id == first.import_id
    assert store.count_rows("11", "unserved") == 36
    assert len(store.imports("11")) == 1
    # A new version of the list (one more row): rows are keyed, not duplicated.
    d2 = pd.concat([dienbien.declared, dienbien.declared.iloc[[0]].assign(village="Bản Mới")])
    v2 = imports.stage(_phu_luc_2_xlsx(d2), "pl2_v2.xlsx", "unserved", dienbien, store=store)
    imports.commit(v2, store)
    assert store.count_rows("11", "unserved") == 37


def test_a_failed_commit_leaves_the_store_as_it_was(dienbien, store, monkeypatch):
    data = _phu_luc_2_xlsx(dienbien.declared)
    imports.commit(imports.stage(data, "pl2.xlsx", "unserved", dienbien), store)
    before = imports.load_layers(store, "11").unserved

    def broken(con, records):
        con.executemany(
            "INSERT OR REPLACE INTO layer_rows VALUES (?, ?, ?, ?, ?, ?, ?)", records[:3]
        )
        raise OSError("disk full")

    # commit() looks _write_rows up in geo.imports.committing (the package only re-exports
    # the public names), so that is where it is replaced.
    monkeypatch.setattr(imports.committing, "_write_rows", broken)
    other = imports.stage(_unserved_with_problems(), "ds.xlsx", "unserved", dienbien)
    with pytest.raises(OSError, match="disk full"):
        imports.commit(other, store, allow_partial=True, replace=True)
    after = imports.load_layers(store, "11").unserved
    pd.testing.assert_frame_equal(
        pd.DataFrame(before.drop(columns="geometry")), pd.DataFrame(after.drop(columns="geometry"))
    )
    assert len(store.imports("11")) == 1


def test_an_abandoned_import_stores_nothing(dienbien, store):
    imports.stage(_unserved_with_problems(), "ds.xlsx", "unserved", dienbien, store=store)
    assert store.imports().empty
    assert store.count_rows("11", "unserved") == 0


def test_store_path_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_IMPORTS_DB", str(tmp_path / "x" / "s.sqlite"))
    s = imports.Store()
    assert s.path == tmp_path / "x" / "s.sqlite" and s.path.exists()
    con = s.connect()
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


# ---------------------------------------------------------------------------------------------
# Villages, fibre, coverage, and the pipeline
# ---------------------------------------------------------------------------------------------


def _register_file(dienbien) -> bytes:
    reg = dienbien.villages
    points = reg[reg["location_precision"] == "point"].head(120)
    rows = [["Mã thôn", "Tên thôn/bản", "Xã/Phường/Thị trấn", "Huyện", "Kinh độ", "Vĩ độ"]]
    for i, r in enumerate(points.itertuples()):
        rows.append(
            [
                f"T{i:04d}",
                r.village,
                r.commune,
                r.district,
                round(r.geometry.x, 6),
                round(r.geometry.y, 6),
            ]
        )
    # Two villages GeoNames does not have, written without position.
    rows.append(["T9001", "Bản Huổi Lả", "Xã Hua Thanh", "Huyện Điện Biên", None, None])
    rows.append(["T9002", "Thôn Đoàn Kết", "Xã Pa Thơm", "Huyện Điện Biên", None, None])
    return _xlsx(rows)


def test_village_register_replaces_the_demo_one_keeping_every_id(dienbien, store):
    staged = imports.stage(
        _register_file(dienbien), "danh_muc_thon.xlsx", "villages", dienbien, store=store
    )
    assert staged.link.linked_by_name >= 110
    assert staged.link.new >= 2
    new = staged.frame[staged.frame["village"].isin(["Bản Huổi Lả", "Thôn Đoàn Kết"])]
    assert (new["location_precision"] == "commune").all()
    assert new["commune_code"].tolist() == ["03323", "03340"]
    # Old villages the new register lacks are kept and listed, never dropped.
    assert len(staged.unlinked) == len(dienbien.villages) - staged.link.linked_by_name
    imports.commit(staged, store, allow_partial=True)
    layers = imports.load_layers(store, "11")
    reg = layers.villages.villages
    assert set(dienbien.villages["village_id"]) <= set(reg["village_id"])
    assert set(dienbien.declared["village_id"]) <= set(reg["village_id"])
    assert reg["in_register"].sum() == (staged.frame["status"].isin(["ok", "confirmed"])).sum()
    # The next import of the same register links through the aliases.
    again = imports.stage(
        _register_file(dienbien), "danh_muc_thon_v2.xlsx", "villages", dienbien, store=store
    )
    assert again.link.linked_by_alias >= 110


def test_fibre_by_name_with_one_column_per_operator(dienbien):
    reg = dienbien.villages
    v = reg[reg["location_precision"] == "point"].head(3)
    rows = [["Tên thôn", "Xã", "Viettel", "VNPT", "MobiFone"]]
    marks = [["x", "", "x"], ["", "có", ""], ["", "", ""]]
    for r, m in zip(v.itertuples(), marks, strict=True):
        rows.append([r.village, r.commune, *m])
    staged = imports.stage(_xlsx(rows), "ftth.xlsx", "fibre", dienbien)
    f = staged.frame
    pairs = set(zip(f["village_id"], f["operator"], strict=True))
    ids = v["village_id"].tolist()
    assert pairs == {(ids[0], "Viettel"), (ids[0], "MobiFone"), (ids[1], "VNPT")}
    out = imports.export_frame(staged)
    assert out.set_index("village_id").loc[ids[0], "fibre_operators"] == "Viettel;MobiFone"


def test_fibre_areas_give_every_village_inside(dienbien, tmp_path):
    reg = dienbien.villages
    v = reg[reg["location_precision"] == "point"].iloc[0]
    area = gpd.GeoDataFrame(
        {"Nhà mạng": ["Viettel"], "Tên vùng": ["Vùng FTTH trung tâm"]},
        geometry=[v.geometry.buffer(0.02)],
        crs="EPSG:4326",
    )
    p = tmp_path / "ftth.geojson"
    pyogrio.write_dataframe(area, p, driver="GeoJSON")
    staged = imports.stage(p, kind="fibre", province=dienbien)
    inside = reg[reg.geometry.within(area.geometry.iloc[0])]
    assert set(staged.frame["village_id"]) == set(inside["village_id"])
    assert (staged.frame["operator"] == "Viettel").all()


def test_declared_coverage_from_kml_folders(dienbien):
    kml = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Folder><name>Viettel 4G</name>
<Placemark><name>A</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
103,21.3 103.1,21.3 103.1,21.4 103,21.3</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark>
<Placemark><name>B</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
103.2,21.3 103.3,21.3 103.3,21.4 103.2,21.3</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark></Folder>
<Folder><name>Vinaphone LTE</name>
<Placemark><name>C</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
103,21.3 103.2,21.3 103.2,21.5 103,21.3</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark></Folder></Document></kml>"""
    staged = imports.stage(kml.encode(), "phu_song.kml", "coverage", dienbien)
    f = staged.frame.sort_values("operator")
    assert f[["operator", "technology"]].values.tolist() == [["VNPT", "4G"], ["Viettel", "4G"]]
    assert f["area_km2"].gt(0).all()
    assert not staged.needs_review


def test_declared_coverage_raster_needs_operator_and_technology(dienbien, tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    arr = np.zeros((20, 20), dtype="uint8")
    arr[5:15, 5:15] = 1
    p = tmp_path / "coverage.tif"
    with rasterio.open(
        p,
        "w",
        driver="GTiff",
        width=20,
        height=20,
        count=1,
        dtype="uint8",
        crs="EPSG:4326",
        transform=from_origin(102.9, 21.5, 0.01, 0.01),
    ) as dst:
        dst.write(arr, 1)
    with pytest.raises(InputError, match="--operator in the command line"):
        imports.stage(p, kind="coverage", province=dienbien)
    staged = imports.stage(
        p, kind="coverage", province=dienbien, operator="viettel", technology="LTE"
    )
    assert staged.frame[["operator", "technology"]].values.tolist() == [["Viettel", "4G"]]


def test_committed_layers_feed_the_pipeline(dienbien, store, tmp_path):
    data, name = _site_file("xlsx", tmp_path)
    imports.commit(imports.stage(data, name, "sites", dienbien), store)
    imports.commit(
        imports.stage(_phu_luc_2_xlsx(dienbien.declared), "pl2.xlsx", "unserved", dienbien),
        store,
    )
    layers = imports.load_layers(store, "11")
    assert len(layers.sites) == 6
    assert layers.sites["on_air_date"].isna().all()
    assert set(layers.build_kwargs()) == {"sites"}
    data2 = imports.apply_layers(dienbien, layers)
    assert data2.declared is layers.unserved and dienbien.declared is not layers.unserved
    model = pipeline.build(data2, **layers.build_kwargs())
    assert model.sources["sites"]["synthetic"] is False
    assert len(pipeline.layer(model, "sites")) == 6
    assert len(pipeline.layer(model, "unserved")) == 36


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def test_cli_exit_3_lists_rows_to_review_in_the_report(dienbien, tmp_path):
    f = tmp_path / "ds.xlsx"
    f.write_bytes(_unserved_with_problems())
    report = tmp_path / "r.csv"
    code = main(
        [
            "import",
            "unserved",
            str(f),
            "--province",
            "11",
            "--output",
            str(tmp_path / "o.geojson"),
            "--report",
            str(report),
        ]
    )
    assert code == 3
    rep = pd.read_csv(report, dtype=str, encoding="utf-8-sig").set_index("row")
    assert rep.loc["3", "status"] == "review"
    assert "no commune of the province has this name" in rep.loc["3", "message_en"]
    assert "không có xã nào của tỉnh mang tên này" in rep.loc["3", "message_vi"]


def test_cli_exit_2_names_file_row_and_field(dienbien, tmp_path, capsys):
    f = tmp_path / "tram.csv"
    f.write_text(
        "Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ\nA,Viettel,4G,abc,21.4\n", encoding="utf-8"
    )
    code = main(
        ["import", "sites", str(f), "--province", "11", "--output", str(tmp_path / "o.geojson")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "file tram.csv, row 2, field Kinh độ: not a coordinate" in err


def test_cli_crs_option_and_proposal(dienbien, tmp_path):
    e, n = Transformer.from_crs(4326, 9205, always_xy=True).transform(SITES["lon"], SITES["lat"])
    lines = ["Mã trạm,Nhà mạng,Công nghệ,X,Y"] + [
        f"{r.site_id},{r.operator},4G,{nn:.2f},{ee:.2f}"
        for r, ee, nn in zip(SITES.itertuples(), e, n, strict=True)
    ]
    f = tmp_path / "xy.csv"
    f.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "o.gpkg"
    assert main(["import", "sites", str(f), "--province", "11", "--output", str(out)]) == 3
    assert (
        main(["import", "sites", str(f), "--province", "11", "--output", str(out), "--crs", "9205"])
        == 0
    )
    assert (
        main(
            [
                "import",
                "sites",
                str(f),
                "--province",
                "11",
                "--output",
                str(out),
                "--crs",
                "+proj=tmerc +towgs84=1,2,3",
            ]
        )
        == 2
    )
    got = pyogrio.read_dataframe(out)
    assert len(got) == 4
    assert {"site_id", "operator", "technology", "physical_site_id", "lon", "lat"} <= set(got)


def test_cli_commit_writes_to_the_store(dienbien, tmp_path):
    f = tmp_path / "pl2.xlsx"
    f.write_bytes(_phu_luc_2_xlsx(dienbien.declared))
    db = tmp_path / "s.sqlite"
    args = [
        "import",
        "unserved",
        str(f),
        "--province",
        "11",
        "--output",
        str(tmp_path / "o.geojson"),
        "--commit",
        "--store",
        str(db),
    ]
    assert main(args) == 0
    assert main(args) == 0
    assert imports.Store(db).count_rows("11", "unserved") == 36


def test_inspect_offers_every_sheet(dienbien):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Trạm Viettel"
    ws.append(["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"])
    ws.append(["A", "Viettel", "4G", 103.0, 21.4])
    ws2 = wb.create_sheet("Thôn chưa có sóng")
    ws2.append(["STT", "Tên thôn", "Xã", "Doanh nghiệp"])
    ws2.append([1, "Nậm Ty 1", "Hua Thanh", "Viettel"])
    buf = io.BytesIO()
    wb.save(buf)
    ins = imports.inspect(buf.getvalue(), "hai_trang.xlsx", "sites")
    assert [s["name"] for s in ins.sheets] == ["Trạm Viettel", "Thôn chưa có sóng"]
    assert [s["kind_guess"] for s in ins.sheets] == ["sites", "unserved"]
    staged = imports.stage(buf.getvalue(), "hai_trang.xlsx", "unserved", dienbien)
    assert staged.sheet == "Thôn chưa có sóng"  # the first sheet whose columns fit
    assert staged.sheets == ["Trạm Viettel", "Thôn chưa có sóng"]


def test_shapefile_field_names_cut_inside_a_letter_are_read(dienbien, tmp_path):
    from tests.test_readers import _write

    gdf = gpd.GeoDataFrame(
        {"Mã trạm": ["A"], "Nhà mạng": ["Viettel"], "Công nghệ": ["4G"]},
        geometry=[shapely.Point(103.0125, 21.3875)],
        crs="EPSG:4326",
    )
    with pytest.warns(RuntimeWarning):
        data, name = _write(gdf, "shp", tmp_path)
    staged = imports.stage(
        data,
        name,
        "sites",
        dienbien,
        mapping={"site_id": "Mã trạm", "operator": "Nhà mạn", "technology": "Công ngh"},
    )
    assert staged.frame["technology"].tolist() == ["4G"]
    assert any("cut at 10 bytes" in en for en, _ in staged.notes)


def test_kmz_and_zip_vector_sources_keep_rows_numbered(dienbien, tmp_path):
    data, name = _sites_vector("kmz", tmp_path)
    staged = imports.stage(data, name, "sites", dienbien)
    assert staged.report["row"].tolist() == [1, 2, 3, 4]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["doc.kml"]


def test_an_ambiguous_village_is_chosen_by_the_planner_and_remembered(dienbien, store):
    reg = dienbien.villages
    # The register holds "Nậm Ty 1" and "Nậm Ty 2" in Hua Thanh: "Nậm Ty" fits both.
    rows = [["Tên thôn", "Xã", "Doanh nghiệp"], ["Nậm Ty", "Hua Thanh", "Viettel"]]
    staged = imports.stage(_xlsx(rows), "ds.xlsx", "unserved", dienbien, store=store)
    row = staged.report.iloc[0]
    assert row["village_match_status"] == "ambiguous"
    assert row["status"] == "review"
    assert "fits several villages" in row["message_en"]
    choice = row["candidates"].split("|")[0]
    assert set(row["candidates"].split("|")) <= set(reg["village_id"])
    fixed = imports.confirm(staged, 2, village_id=choice, store=store)
    assert fixed.frame["village_id"].item() == choice
    assert fixed.report["status"].item() == "confirmed"
    again = imports.stage(_xlsx(rows), "ds_v2.xlsx", "unserved", dienbien, store=store)
    assert again.frame["village_id"].item() == choice
    assert again.report["village_match_status"].item() == "confirmed"


def test_a_new_register_row_can_be_linked_to_an_old_village_by_hand(dienbien):
    old = dienbien.declared.iloc[0]  # "Nậm Ty 1", located at its commune
    rows = [["Mã thôn", "Tên thôn", "Xã"], ["T1", "Bản Nậm Tỵ Một", "Hua Thanh"]]
    staged = imports.stage(_xlsx(rows), "thon.xlsx", "villages", dienbien)
    assert staged.frame["village_id"].item() != old["village_id"]
    linked = imports.confirm(staged, 2, village_id=old["village_id"])
    v = linked.register.villages
    assert linked.frame["village_id"].item() == old["village_id"]
    assert (v["village_id"] == old["village_id"]).sum() == 1
    assert v.loc[v["village_id"] == old["village_id"], "in_register"].item()
    assert old["village_id"] not in set(linked.unlinked["village_id"])


def test_declared_coverage_polygons_in_vn2000(dienbien, tmp_path):
    from tests.test_readers import _write

    area = gpd.GeoDataFrame(
        {"NHA_MANG": ["Viettel"], "CONG_NGHE": ["4G"]},
        geometry=[shapely.box(103.0, 21.3, 103.1, 21.4)],
        crs="EPSG:4326",
    ).to_crs(9205)
    data, name = _write(area, "shp", tmp_path)
    staged = imports.stage(data, name, "coverage", dienbien)
    assert staged.crs.epsg == 9205
    got = staged.frame.geometry.iloc[0]
    assert got.bounds == pytest.approx((103.0, 21.3, 103.1, 21.4), abs=1e-6)


def test_inspect_a_vector_file(tmp_path):
    data, name = _sites_vector("gpkg", tmp_path)
    ins = imports.inspect(data, name, "sites")
    (layer,) = ins.sheets
    assert layer["rows"] == 4
    assert layer["proposal"].mapping["operator"] == "Nhà mạng"


# ---------------------------------------------------------------------------------------------
# The planner's header row
# ---------------------------------------------------------------------------------------------


def _two_header_rows() -> bytes:
    """Vietnamese names over English ones: the header found is the first; the planner says
    it is the second (the first becomes the title)."""
    rows = [
        ["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ"],
        ["Site id", "Operator", "Technology", "Longitude", "Latitude"],
    ]
    rows += [[r.site_id, r.operator, "4G", r.lon, r.lat] for r in SITES.itertuples()]
    return _xlsx(rows)


def test_stage_inspect_and_cli_take_the_planners_header_row(dienbien, tmp_path, capsys):
    data = _two_header_rows()
    with pytest.raises(InputError) as exc:  # the English names are read as a data row
        imports.stage(data, "tram.xlsx", "sites", dienbien)
    assert {p.row for p in exc.value.problems} == {2}
    staged = imports.stage(data, "tram.xlsx", "sites", dienbien, header_row=2)
    assert staged.header_rows == [2]
    assert staged.summary()["header_rows"] == [2]
    assert staged.columns.labels == ["Site id", "Operator", "Technology", "Longitude", "Latitude"]
    assert staged.report["row"].tolist() == [3, 4, 5, 6]
    assert (staged.report["status"] == "ok").all()
    assert staged.frame["site_id"].tolist() == SITES["site_id"].tolist()

    found = imports.inspect(data, "tram.xlsx", "sites")
    assert found.sheets[0]["header_row"] == 1 and not found.sheets[0]["header_given"]
    for given in (2, {"Sheet1": 2}):
        ins = imports.inspect(data, "tram.xlsx", "sites", header_row=given)
        (sheet,) = ins.sheets
        assert sheet["header_row"] == 2 and sheet["header_given"]
        assert sheet["columns"][0] == "Site id" and sheet["rows"] == 4
        assert sheet["proposal"].mapping["site_id"] == "Site id"
    ins = imports.inspect(data, "tram.xlsx", "sites", header_row=40)
    assert "has no row 40: the header row must be between 1 and 6" in ins.sheets[0]["error_en"]

    f = tmp_path / "tram.xlsx"
    f.write_bytes(data)
    args = ["import", "sites", str(f), "--province", "11", "--output", str(tmp_path / "o.gpkg")]
    assert main(args) == 2
    capsys.readouterr()
    assert main([*args, "--header-row", "2"]) == 0
    assert "header row 2" in capsys.readouterr().err
    assert main([*args, "--header-row", "9"]) == 2
    assert "has no row 9: the header row must be between 1 and 6" in capsys.readouterr().err

    vec, name = _sites_vector("geojson", tmp_path)
    with pytest.raises(InputError, match="a header row can only be given for a table") as exc:
        imports.stage(vec, name, "sites", dienbien, header_row=2)
    assert exc.value.field == "header_row"


# ---------------------------------------------------------------------------------------------
# Rows repeated within a file
# ---------------------------------------------------------------------------------------------


def _repeated_unserved() -> bytes:
    return _xlsx(
        [
            ["STT", "Tên thôn", "Xã", "Huyện", "Doanh nghiệp"],
            [1, "Nậm Ty 1", "Hua Thanh", "Điện Biên", "Viettel"],
            [2, "Nậm Ty 2", "Hua Thanh", "Điện Biên", "VNPT"],
            [3, "Nam Ty 1", "Xã Hua Thanh", "Điện Biên", "Viettel, VNPT"],  # row 2 again
        ]
    )


def test_repeated_unserved_rows_are_reported_naming_both_rows(dienbien, tmp_path):
    staged = imports.stage(_repeated_unserved(), "ds.xlsx", "unserved", dienbien)
    r = staged.report.set_index("row")
    assert r.loc[4, "village_id"] == r.loc[2, "village_id"]
    assert r.loc[2, "status"] == "ok" and r.loc[3, "status"] == "ok"
    assert r.loc[4, "status"] == "review"
    assert r.loc[4, "message_en"].startswith("the same village and operator as row 2: the store")
    assert r.loc[4, "message_vi"].startswith("trùng thôn/bản và doanh nghiệp với dòng 2")
    (problem,) = staged.problems
    assert (problem.row, problem.field, problem.value) == (4, "Tên thôn", "Nam Ty 1")
    assert "row 2" in problem.message_en
    store = imports.Store(tmp_path / "a.sqlite")
    with pytest.raises(InputError, match="is not ready to commit: 1 item"):
        imports.commit(staged, store)
    # Left out: the counts are those of the store.
    result = imports.commit(staged, store, allow_partial=True)
    assert result.rows_left_out["row"].tolist() == [4]
    assert result.rows_written == 2 == store.count_rows("11", "unserved")
    assert result.replaced_in_file == 0
    # Accepted: row 4 replaces row 2 (Viettel) and adds VNPT; one record per key.
    accepted = imports.confirm(staged, 4)
    assert accepted.report.set_index("row").loc[4, "status"] == "confirmed"
    other = imports.Store(tmp_path / "b.sqlite")
    result = imports.commit(accepted, other)
    assert len(accepted.frame) == 4
    assert result.rows_written == 3 == other.count_rows("11", "unserved")
    assert result.replaced_in_file == 1
    assert other.imports("11")["n_rows"].tolist() == [3]
    stored = imports.load_layers(other, "11").unserved
    viettel = stored[
        (stored["village_id"] == r.loc[2, "village_id"]) & (stored["operator"] == "Viettel")
    ]
    assert viettel["source_row"].tolist() == [4]


def test_repeated_sites_and_fibre_rows_are_reported(dienbien, tmp_path):
    lines = [
        "Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ",
        "DB1,Viettel,4G,103.0125,21.3875",
        "DB1,Viettel,4G,103.0130,21.3880",  # the same site again
        "DB1,Viettel,3G,103.0125,21.3875",  # another technology: another record
        "DB2,Viettel,2G/4G,103.05,21.42",
        "DB2,Viettel,4G,103.05,21.42",  # DB2 4G is already in row 5 ("2G/4G"): a repeat
    ]
    staged = imports.stage("\n".join(lines).encode(), "tram.csv", "sites", dienbien)
    r = staged.report.set_index("row")
    assert r["status"].to_dict() == {2: "ok", 3: "review", 4: "ok", 5: "ok", 6: "review"}
    assert r.loc[3, "message_en"].startswith(
        "the same site (operator, site id and technology) as row 2"
    )
    assert r.loc[6, "message_en"].startswith(
        "the same site (operator, site id and technology) as row 5"
    )
    assert [(p.row, p.field) for p in staged.problems] == [(3, "Mã trạm"), (6, "Mã trạm")]
    store = imports.Store(tmp_path / "s.sqlite")
    result = imports.commit(staged, store, allow_partial=True)
    # DB1 4G, DB1 3G, DB2 2G, DB2 4G: two stations, four records.
    assert result.rows_written == 4 == store.count_rows("11", "sites")

    reg = dienbien.villages
    v = reg[reg["location_precision"] == "point"].head(2)
    a, b = v.iloc[0], v.iloc[1]
    rows = [
        ["Tên thôn", "Xã", "Nhà mạng"],
        [a["village"], a["commune"], "Viettel"],
        [b["village"], b["commune"], "Viettel"],
        [a["village"], a["commune"], "VNPT, Viettel"],
    ]
    staged = imports.stage(_xlsx(rows), "ftth.xlsx", "fibre", dienbien)
    r = staged.report.set_index("row")
    assert r["status"].to_dict() == {2: "ok", 3: "ok", 4: "review"}
    assert "the same village and operator as row 2" in r.loc[4, "message_en"]
    assert "trùng thôn/bản và nhà mạng với dòng 2" in r.loc[4, "message_vi"]
    result = imports.commit(imports.confirm(staged, 4), store)
    assert result.rows_written == 3 == store.count_rows("11", "fibre")


# ---------------------------------------------------------------------------------------------
# A partial commit still needs the mapping and the CRS confirmed
# ---------------------------------------------------------------------------------------------


def _xy_sites(header: str = "Mã trạm,Nhà mạng,Công nghệ,X,Y") -> bytes:
    e, n = Transformer.from_crs(4326, 9205, always_xy=True).transform(SITES["lon"], SITES["lat"])
    lines = [header] + [
        f"{r.site_id},{r.operator},4G,{nn:.2f},{ee:.2f}"
        for r, ee, nn in zip(SITES.itertuples(), e, n, strict=True)
    ]
    return "\n".join(lines).encode()


def test_partial_commit_still_needs_a_proposed_crs_confirmed(dienbien, store):
    staged = imports.stage(_xy_sites(), "xy.csv", "sites", dienbien)
    assert staged.crs.source == "proposed" and staged.crs.epsg == 9205
    assert staged.review_rows.empty
    for partial in (False, True):
        with pytest.raises(InputError) as exc:
            imports.commit(staged, store, allow_partial=partial)
        text = exc.value.message("en")
        assert (
            "xy.csv cannot be committed, not even in part: confirm the CRS (proposed "
            "EPSG:9205; confirm_file(crs=…)) first (every row is read with it)" in text
        )
        assert "hãy xác nhận hệ tọa độ (đề xuất EPSG:9205)" in exc.value.message("vi")
        assert exc.value.field == "crs"
        assert [p.field for p in exc.value.problems] == ["crs"]
    assert store.count_rows("11", "sites") == 0 and store.imports().empty
    confirmed = imports.confirm_file(staged, crs=9205)
    result = imports.commit(confirmed, store, allow_partial=True)
    assert result.rows_written == 4 == store.count_rows("11", "sites")


def test_partial_commit_still_needs_an_unsure_mapping_confirmed(dienbien, store):
    data = _xy_sites("Mã,Nhà mạng,Công nghệ,X,Y")
    staged = imports.stage(data, "xy.csv", "sites", dienbien, crs=9205)
    assert staged.columns.unsure == ["site_id"]
    with pytest.raises(InputError) as exc:
        imports.commit(staged, store, allow_partial=True)
    assert "confirm the column mapping (confirm_file(mapping=…)) first" in exc.value.message("en")
    assert "site_id ← Mã" in exc.value.message("en")
    assert exc.value.field == "columns"
    assert store.count_rows("11", "sites") == 0
    result = imports.commit(imports.confirm_file(staged), store, allow_partial=True)
    assert result.rows_written == 4


# ---------------------------------------------------------------------------------------------
# Connections are closed
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def opened(monkeypatch):
    """Every sqlite3 connection opened during the test."""
    import sqlite3

    cons = []
    connect = sqlite3.connect

    def recording(*args, **kwargs):
        con = connect(*args, **kwargs)
        cons.append(con)
        return con

    monkeypatch.setattr(sqlite3, "connect", recording)
    return cons


def _all_closed(cons) -> bool:
    import sqlite3

    for con in cons:
        try:
            con.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            continue
        return False
    return True


def test_the_store_closes_every_connection(dienbien, tmp_path, opened):
    store = imports.Store(tmp_path / "s.sqlite")
    staged = imports.stage(_unserved_with_problems(), "ds.xlsx", "unserved", dienbien, store=store)
    fixed = imports.confirm(staged, 3, commune_code="03340", store=store)
    imports.commit(fixed, store)
    imports.commit(fixed, store)  # already there: rolled back
    store.confirmations("11", "commune")
    store.count_rows("11", "unserved")
    imports.load_layers(store, "11")
    imports.inspect(_unserved_with_problems(), "ds.xlsx", "unserved", store=store)
    with pytest.raises(InputError):
        imports.commit(staged, store)
    assert len(opened) >= 10
    assert _all_closed(opened)
