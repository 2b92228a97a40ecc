"""Hostile names never run as code: not in the map's templates, not as spreadsheet formulas.

Names that are Jinja2 code (``{{ 7*7 }}``, a process-id leak, an unclosed ``{%``), HTML and
script, quotes, an RTL override, a 10,000-character name and spreadsheet formulas are put into
the Điện Biên model (villages, communes, the plan's unserved villages, site ids, the plan's
document that names a layer, the province in the page title), into the assignment register and
into a planner's village register imported with ``python -m geo import villages … --commit``.
Every output is then checked: the map (folium page, standalone page), the layer files
(GeoJSON, GPKG, KML, KMZ), Phụ lục 1 and Phụ lục 2 workbooks, the crosswalk CSV, the import
report CSV and the register's history CSV. Each name must be there literally (HTML-escaped in
HTML, the exact text in string cells of an .xlsx, with a leading ``'`` in CSV when it starts
like a formula), never evaluated.

The committed register reaches the map both through ``python -m geo map --store`` and through
the Python API (``imports.load_layers`` + ``apply_layers`` + ``pipeline.build``).
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from geo import cells
from layers import export, maps, tables

ROOT = Path(__file__).resolve().parent.parent

JINJA_49 = "Bản Nà Hỳ {{ 7*7 }}"
PID = "Bản Y {{ cycler.__init__.__globals__.os.getpid() }}"
LONG = "Bản " + "Ngòi " * 1999 + "Xá"
SCRIPT = "</script><script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

HOSTILE: dict[str, str] = {
    "jinja_expr": JINJA_49,
    "jinja_pid": PID,
    "jinja_raw": "Bản {% raw %} Pá",
    "jinja_block_open": "Bản {% Mòn",
    "jinja_comment_open": "Bản {# Co",
    "jinja_quotes": "Bản {{ 'Nà\" }} Xá",
    "quotes": "Bản Ó'Đá \"Nà\"",
    "script": SCRIPT,
    "img": IMG,
    "rtl": "Bản \u202eàN ớp",
    "long": LONG,
    "hyperlink": '=HYPERLINK("http://x","Bấm vào đây")',
    "plus": "+1",
    "minus": "-2",
    "at": "@SUM(A1)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "js_template": "Bản `${alert(1)}` \\ $x",
}
NAMES = list(HOSTILE.values())
IDS = list(HOSTILE)
FORMULA_LIKE = [k for k, v in HOSTILE.items() if v.startswith(("=", "+", "-", "@", "\t", "\r"))]

PROVINCE = "Tỉnh Điện Biên {{ 7*7 }}"
DOCUMENT = "4638/KH-UBND {{ 7*7 }}"


def _unjson(text: str) -> str:
    """``text`` with JSON string escapes undone (what the page's scripts read)."""

    def surrogates(m: re.Match) -> str:
        raw = m.group(0).encode("ascii").decode("unicode_escape")
        return raw.encode("utf-16", "surrogatepass").decode("utf-16")

    text = re.sub(r"(?:\\u[0-9a-fA-F]{4})+", surrogates, text)
    for esc, ch in (("\\t", "\t"), ("\\r", "\r"), ("\\n", "\n"), ('\\"', '"'), ("\\/", "/")):
        text = text.replace(esc, ch)
    return text


def _no_evaluation(page: str) -> None:
    """Nothing hostile was evaluated or left active in ``page`` (markup or script strings)."""
    for text in (page, _unjson(page)):
        assert "Bản Nà Hỳ 49" not in text
        assert "Tỉnh Điện Biên 49" not in text
        assert "4638/KH-UBND 49" not in text
        assert f"Bản Y {os.getpid()}" not in text
        assert "<script>alert" not in text
        assert "<img src=x" not in text
        assert "${alert" not in text


# ---------------------------------------------------------------------------------------------
# The model with hostile names
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_model(dienbien_model):
    """A copy of the Điện Biên model with the hostile names in every data field shown."""
    m = copy.copy(dienbien_model)
    n = len(NAMES)
    status = m.status.copy()
    status.loc[status.index[:n], "village"] = NAMES
    communes = m.communes.copy()
    communes.loc[communes.index[:n], "commune"] = NAMES
    sites = m.sites.copy()
    sites["site_id"] = sites["site_id"].astype(object)
    sites.loc[sites.index[:n], "site_id"] = NAMES
    declared = m.data.declared.copy()
    declared.loc[declared.index[:n], "village"] = NAMES
    declared["source"] = declared["source"].astype(object)
    declared.loc[declared.index[:n], "source"] = NAMES[::-1]
    declared["document"] = DOCUMENT
    m.status, m.communes, m.sites = status, communes, sites
    m.data = dataclasses.replace(m.data, declared=declared, province=PROVINCE)
    m.sources = copy.deepcopy(m.sources)
    return m


@pytest.fixture(scope="module")
def pages(hostile_model) -> dict[str, str]:
    return {
        "folium_map": maps.map_html(maps.build_map(hostile_model, lang="vi")),
        "standalone_vi": maps.standalone_html(hostile_model, "vi"),
        "standalone_en": maps.standalone_html(hostile_model, "en"),
    }


PAGES = ["folium_map", "standalone_vi", "standalone_en"]


# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------


def test_escape_html_round_trips_and_hides_template_syntax():
    for name in NAMES:
        out = maps.escape_html(name)
        assert html.unescape(out) == name
        for ch in "{}<>\"'`$\\":
            assert ch not in out


@pytest.mark.parametrize("which", PAGES)
def test_map_evaluates_no_hostile_name(pages, which):
    _no_evaluation(pages[which])


@pytest.mark.parametrize("name", NAMES, ids=IDS)
@pytest.mark.parametrize("which", PAGES)
def test_map_shows_each_hostile_name_literally(pages, which, name):
    page = _unjson(pages[which])
    # Villages, communes, declared villages and site ids are all in the popups' properties.
    assert page.count(maps.escape_html(name)) >= 4


@pytest.mark.parametrize("which", ["standalone_vi", "standalone_en"])
def test_page_title_and_layer_names_are_escaped(pages, which):
    page = _unjson(pages[which])
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert html.unescape(title).count(PROVINCE) == 1
    # The plan's document names the unserved layer (layer control) and the legend.
    assert page.count(maps.escape_html(DOCUMENT)) >= 2


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_a_hostile_province_name_renders_in_the_title(hostile_model, name):
    m = copy.copy(hostile_model)
    m.data = dataclasses.replace(m.data, province=name)
    page = maps.standalone_html(m, "vi", simplify_m=2000)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert name in html.unescape(title)
    _no_evaluation(page)


# ---------------------------------------------------------------------------------------------
# Layer files
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_villages(hostile_model) -> gpd.GeoDataFrame:
    s = hostile_model.status
    return s.loc[s.index[: len(NAMES)], ["village_id", "village", "commune", "geometry"]]


@pytest.mark.parametrize("ext", [".geojson", ".gpkg", ".kml", ".kmz"])
def test_layer_files_keep_hostile_names_exactly(hostile_villages, tmp_path, ext):
    path = export.write_layer(hostile_villages, tmp_path / f"villages{ext}", layer="villages")
    back = pyogrio.read_dataframe(f"/vsizip/{path}/doc.kml" if ext == ".kmz" else path)
    got = dict(zip(back["village_id"], back["village"], strict=True))
    for vid, name in zip(hostile_villages["village_id"], hostile_villages["village"], strict=True):
        if ext in (".kml", ".kmz") and name.startswith("\r"):
            # XML turns a bare CR into LF (XML 1.0 §2.11) and libkml trims the leading
            # line break: the rest of the text comes back exactly.
            assert got[vid] in (name, "\n" + name[1:], name[1:])
        else:
            assert got[vid] == name, (ext, name[:40])


def test_layer_files_keep_markup_as_text_in_kml(hostile_villages, tmp_path):
    import xml.etree.ElementTree as ET

    path = export.write_layer(hostile_villages, tmp_path / "villages.kml", layer="villages")
    tree = ET.parse(path)
    tags = {el.tag.rsplit("}", 1)[-1] for el in tree.iter()}
    assert not tags & {"script", "img"}  # markup stays character data, never elements
    texts = {el.text for el in tree.iter() if el.tag.endswith("SimpleData")}
    assert SCRIPT in texts and IMG in texts


@pytest.mark.parametrize(
    ("lon", "lat"), [(103.0, 95.0), (103.0, -91.0), (500.0, 21.0), (float("inf"), 21.0)]
)
def test_out_of_range_coordinates_give_an_input_error(tmp_path, lon, lat):
    from shapely.geometry import Point

    from geo.errors import InputError

    gdf = gpd.GeoDataFrame(
        {"village": ["Bản Ổ", "Bản Xa"]}, geometry=[Point(103.0, 21.0), Point(lon, lat)],
        crs="EPSG:4326",
    )
    with pytest.raises(InputError) as err:
        export.write_layer(gdf, tmp_path / "out.geojson")
    assert err.value.row == 2 and err.value.field == "geometry"
    assert "kinh độ và vĩ độ có bị đảo cột" in err.value.message("vi")
    assert "longitude and latitude are not swapped" in err.value.message("en")
    assert not (tmp_path / "out.geojson").exists()


# ---------------------------------------------------------------------------------------------
# Spreadsheets
# ---------------------------------------------------------------------------------------------


def _xlsx_text(name: str) -> str:
    """``name`` as openpyxl reads it from an .xlsx: a CR is stored as ``_x000D_`` (OOXML's
    escape, which Excel turns back into CR) and openpyxl does not decode it."""
    return name.replace("\r", "_x000D_")


def _string_cells(data: bytes) -> dict[str, str]:
    """Every cell value of a workbook -> its openpyxl data type."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    out[c.value] = c.data_type
    return out


def test_safe_cell_quotes_formula_text_and_keeps_numbers():
    assert cells.safe_cell('=HYPERLINK("http://x","Bấm vào đây")') == (
        '\'=HYPERLINK("http://x","Bấm vào đây")'
    )
    assert cells.safe_cell("-2") == "'-2"
    assert cells.safe_cell(-2.0) == -2.0
    assert cells.safe_cell("Bản Nà Hỳ") == "Bản Nà Hỳ"
    frame = pd.DataFrame({"name": NAMES, "x": range(len(NAMES))})
    frame["mixed"] = [-2.5] + ["-3"] * (len(NAMES) - 1)
    safe = cells.safe_frame(frame)
    assert safe["x"].tolist() == list(range(len(NAMES)))
    assert safe["mixed"].iloc[0] == -2.5 and safe["mixed"].iloc[1] == "'-3"
    assert frame["name"].tolist() == NAMES  # the input is not changed


def test_safe_frame_leaves_an_object_column_of_numbers_and_none_alone():
    frame = pd.DataFrame({"value": pd.Series([1, 2.5, None], dtype=object)})
    assert cells.safe_frame(frame)["value"].tolist() == [1, 2.5, None]


def test_to_csv_quotes_formulas_and_ends_rows_with_crlf():
    text = cells.to_csv(pd.DataFrame({"name": ["=1+1", "a\rb"], "n": [1, 2]}))
    assert text == 'name,n\r\n\'=1+1,1\r\n"a\rb",2\r\n'


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_phu_luc_1_workbook_writes_names_as_text(hostile_model, name):
    from geo import indicators

    result = indicators.compute(hostile_model)
    result["sources"] = {name: {"source": name, "synthetic": False}}
    got = _string_cells(tables.indicators_xlsx(result, "vi"))
    assert got.get(_xlsx_text(name)) == "s", name[:40]
    assert not any(t == "f" for t in got.values())


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """A register whose villages, decisions and notes are the hostile names."""
    from geo import assignments as asg

    path = tmp_path_factory.mktemp("register") / "assignments.sqlite"
    session = asg.open_session(path, "Lan", client="test")
    for i, name in enumerate(NAMES):
        asg.assign(
            session,
            {"village_id": f"VH{i:09d}", "village": name, "commune_code": "03323",
             "commune": "Xã Hua Thanh", "district_code": "100", "district": "Huyện Điện Biên",
             "province_code": "11", "province": "Tỉnh Điện Biên", "lon": 103.0 + i * 1e-3,
             "lat": 21.5, "location_precision": "point"},
            "Viettel", target_year=2025, decision="4638/KH-UBND", note=name,
        )
    session.conn.close()
    return path


def test_phu_luc_2_workbook_writes_names_as_text(register):
    from geo import assignments as asg
    from layers import assignments_xlsx

    conn = asg.connect(register)
    try:
        current = asg.current(conn, province_code="11")
        data = assignments_xlsx.phu_luc_2_xlsx(
            current, history=asg.history(conn, province_code="11")
        )
    finally:
        conn.close()
    got = _string_cells(data)
    # The register trims names (a leading tab or CR is dropped); what it holds is written.
    stored = current.set_index("village_id")["village"]
    for i, name in enumerate(NAMES):
        assert stored[f"VH{i:09d}"] in (name, name.strip())
        assert got.get(_xlsx_text(stored[f"VH{i:09d}"])) == "s", name[:40]
    assert not any(t == "f" for t in got.values())


def test_history_csv_quotes_formula_names(register):
    out = subprocess.run(
        [sys.executable, "-m", "geo", "assignments", "history", f"VH{IDS.index('hyperlink'):09d}",
         "--db", str(register)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    values = {v for r in rows for v in r}
    assert "'" + HOSTILE["hyperlink"] in values
    assert HOSTILE["hyperlink"] not in values


def _crosswalk_rows(names: list[str]) -> list[dict]:
    table = pd.DataFrame({"village": names, "commune_code": ["03323"] * len(names),
                          "share_of_villages": [-0.5] * len(names)})
    text = tables.crosswalk_csv(table).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_crosswalk_csv_quotes_formula_names():
    names = [n for n in NAMES if "\r" not in n]
    rows = _crosswalk_rows(names)
    assert len(rows) == len(names)
    for row, name in zip(rows, names, strict=True):
        want = "'" + name if name.startswith(cells.FORMULA_PREFIXES) else name
        assert row["village"] == want, name[:40]
        assert row["share_of_villages"] == "-0.5"  # a number stays a number


def test_crosswalk_csv_keeps_a_name_with_a_carriage_return_in_one_row():
    rows = _crosswalk_rows([HOSTILE["cr"], "Bản Hai"])
    assert [r["village"] for r in rows] == ["'" + HOSTILE["cr"], "Bản Hai"]


# ---------------------------------------------------------------------------------------------
# A planner's register through the command line, then the map
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def committed(dienbien, tmp_path_factory):
    """``python -m geo import villages`` of a register with the hostile names, committed."""
    tmp = tmp_path_factory.mktemp("hostile_import")
    reg = dienbien.villages
    pts = reg[reg["location_precision"] == "point"].head(len(NAMES))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã thôn", "Tên thôn/bản", "Xã/Phường/Thị trấn", "Huyện", "Kinh độ", "Vĩ độ"])
    for i, (r, name) in enumerate(zip(pts.itertuples(), NAMES, strict=True)):
        ws.append([f"T{i:04d}", name, r.commune, r.district, round(r.geometry.x, 6),
                   round(r.geometry.y, 6)])
        ws.cell(row=i + 2, column=2).data_type = "s"  # the planner's text, not a formula
    src = tmp / "danh_muc_thon.xlsx"
    wb.save(src)
    store, report = tmp / "imports.sqlite", tmp / "report.csv"
    out = subprocess.run(
        [sys.executable, "-m", "geo", "import", "villages", str(src), "--province", "11",
         "--output", str(tmp / "villages.geojson"), "--report", str(report), "--commit",
         "--store", str(store)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return store, report


def test_import_report_csv_quotes_formula_names(committed):
    _, report = committed
    with open(report, encoding="utf-8-sig", newline="") as f:
        villages = [r["village"] for r in csv.DictReader(f)]
    # The importer trims names: "\t=1+1" is read as "=1+1", still quoted.
    for key in IDS:
        name = HOSTILE[key].strip()
        want = "'" + name if key in FORMULA_LIKE else name
        assert want in villages, key
    for key in FORMULA_LIKE:
        assert HOSTILE[key].strip() not in villages


def test_committed_register_shows_names_literally_on_the_map(committed, dienbien):
    from geo import imports, pipeline

    store, _ = committed
    layers = imports.load_layers(imports.Store(store), "11")
    model = pipeline.build(imports.apply_layers(dienbien, layers))
    page = maps.standalone_html(model, "vi")
    _no_evaluation(page)
    shown = _unjson(page)
    for key, name in HOSTILE.items():
        assert maps.escape_html(name.strip()) in shown, key  # the importer trims names


def test_geo_map_command_shows_committed_names_literally(committed, tmp_path):
    store, _ = committed
    out_html = tmp_path / "map.html"
    out = subprocess.run(
        [sys.executable, "-m", "geo", "map", "--province", "11", "--output", str(out_html),
         "--store", str(store)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    page = out_html.read_text(encoding="utf-8")
    _no_evaluation(page)
    shown = _unjson(page)
    for key, name in HOSTILE.items():
        assert maps.escape_html(name.strip()) in shown, key


def test_a_site_icon_takes_nothing_but_a_hex_colour():
    from layers.maps import page

    assert page._hex_colour("#1f77b4") == "#1f77b4"
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        page._hex_colour("red}}{{ 7*7 }}")
