"""All Vietnam, light: the national outlines (one clean coverage, simplified once), each
province's data origin and figures, the page (size, counts, styles by class, escaped names) and
the command line."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import imports, national, workspace
from geo.vocab import DataOrigin, UnitSystem
from layers import national as national_layers

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 3 * 1024 * 1024
DATA_RE = re.compile(r"var data = (\{.*?\});\n", re.S)


@pytest.fixture(scope="module")
def cache(tmp_path_factory, real_data):
    """A cache folder of this module only (the outlines are made once here)."""
    folder = tmp_path_factory.mktemp("national_cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("COVERAGE_CACHE_DIR", str(folder))
    yield folder
    mp.undo()


@pytest.fixture(scope="module")
def outlines_2025(cache):
    return national.outlines(UnitSystem.U2025)


@pytest.fixture(scope="module")
def figures_2025(real_data):
    return national.province_figures(UnitSystem.U2025, stores=workspace.Stores())


@pytest.fixture(scope="module")
def page_2025(outlines_2025, figures_2025):
    return national_layers.national_html(outlines_2025, figures_2025, lang="vi")


def _data(page: str) -> dict:
    found = DATA_RE.search(page)
    assert found, "the page holds no national data"
    return json.loads(found[1])


# ---------------------------------------------------------------------------------------------
# Outlines
# ---------------------------------------------------------------------------------------------


def test_cleaning_matches_a_mismatched_shared_edge_and_closes_the_sliver():
    """Two neighbours whose shared edge is noded differently, with a 0.0001° sliver between
    them: after cleaning they share the very same edge, without overlap or gap."""
    left = shapely.Polygon([(0, 0), (1, 0), (1, 0.5), (1, 1), (0, 1)])
    right = shapely.Polygon([(1.0001, 0), (2, 0), (2, 1), (1.0001, 1)])
    got = national.clean_coverage(np.array([left, right], dtype=object), tolerance=0.0)
    assert shapely.coverage_is_valid(got)
    assert shapely.area(shapely.intersection(got[0], got[1])) == pytest.approx(0, abs=1e-12)
    shared = shapely.intersection(got[0].boundary, got[1].boundary)
    assert shared.length == pytest.approx(1.0, abs=1e-3)
    union = shapely.union_all(got)
    assert len(union.interiors) == 0 if union.geom_type == "Polygon" else False
    assert union.area == pytest.approx(2.0, abs=2e-4)


def test_the_2025_outlines_have_34_provinces_and_3321_communes(outlines_2025):
    o = outlines_2025
    assert len(o.provinces) == 34 and o.provinces["province_code"].is_unique
    assert len(o.communes) == 3321 and o.communes["unit_code"].is_unique
    assert o.provinces.geometry.notna().all()
    missing = o.communes["geometry_method"].eq("missing")
    # No boundary is invented: a commune without an old polygon has no geometry.
    assert o.communes.loc[missing].geometry.isna().all()
    assert o.communes.loc[~missing].geometry.notna().all()
    assert missing.sum() < 50


def test_simplified_communes_do_not_overlap(outlines_2025):
    g = outlines_2025.communes.geometry.dropna().to_numpy()
    tree = shapely.STRtree(g)
    i, j = tree.query(g, predicate="intersects")
    pair = i < j
    overlap = shapely.area(shapely.intersection(g[i[pair]], g[j[pair]])).sum()
    assert overlap < 1e-6 * shapely.area(g).sum()


def test_simplification_opens_no_sliver_between_communes(outlines_2025):
    """The union of the communes has no small hole: shared edges stayed shared."""
    g = outlines_2025.communes.geometry.dropna().to_numpy()
    union = shapely.coverage_union_all(g)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    small = [h for h in holes if h.area < 1e-5]  # about 12 ha
    assert small == []


def test_neighbouring_communes_still_share_an_edge(outlines_2025):
    """Neighbours share lines (not just points) and the edge is the same on both sides."""
    g = outlines_2025.communes.geometry.dropna().to_numpy()
    tree = shapely.STRtree(g)
    i, j = tree.query(g, predicate="touches")
    pair = i < j
    shared = shapely.intersection(shapely.boundary(g[i[pair]]), shapely.boundary(g[j[pair]]))
    linear = shapely.length(shared) > 0
    assert pair.sum() > 8000  # 3,300 communes have many neighbours
    assert linear.mean() > 0.9


def test_each_province_is_exactly_its_communes(outlines_2025):
    o = outlines_2025
    for code in ("11", "01", "79"):
        prov = o.provinces.set_index("province_code").geometry[code]
        mine = o.communes[o.communes["province_code"] == code].geometry.dropna()
        union = shapely.union_all(mine.to_numpy())
        assert shapely.symmetric_difference(prov, union).area < 1e-6 * prov.area + 1e-9


def test_coordinates_are_quantised_to_the_grid_in_the_page(page_2025):
    geom = _data(page_2025)["units"]["geom"]
    assert geom["q"] == national.GRID
    assert all(isinstance(v, int) for v in geom["c"][:5000])
    # mostly small steps: the delta encoding is what keeps the page light
    steps = np.abs(np.array(geom["c"]))
    assert np.median(steps) < 100


def test_the_cache_gives_the_same_outlines(outlines_2025, cache):
    again = national.outlines(UnitSystem.U2025)
    assert list(cache.glob("national_2025_*.gpkg"))
    assert again.communes["unit_code"].tolist() == outlines_2025.communes["unit_code"].tolist()
    a = again.communes.geometry.fillna(shapely.Polygon()).to_numpy()
    b = outlines_2025.communes.geometry.fillna(shapely.Polygon()).to_numpy()
    # The GeoPackage stores polygons as multipolygons: the same vertices, exactly.
    assert np.array_equal(shapely.get_coordinates(a), shapely.get_coordinates(b))


def test_a_split_old_commune_is_drawn_once():
    from geo import units

    c = units.read_communes(["11", "01"])
    key = national.partition_keys_2025(c)
    assert len(key) == len(c)
    split = c["commune_2025_method"].eq("split")
    cands = c.loc[split, "commune_2025_candidates"].str.split(";")
    assert all(k in cs for k, cs in zip(key[split], cands, strict=True))


# ---------------------------------------------------------------------------------------------
# Province figures
# ---------------------------------------------------------------------------------------------


def test_demo_provinces_say_synthetic_and_the_others_no_data(figures_2025):
    f = figures_2025.set_index("province_code")
    assert len(f) == 34
    assert f.loc["11", "origin"] == DataOrigin.SYNTHETIC
    assert f.loc["12", "origin"] == DataOrigin.SYNTHETIC
    others = f.drop(index=["11", "12"])
    assert (others["origin"] == DataOrigin.NONE).all()
    assert others["villages_mobile_share"].isna().all()
    assert 0 < f.loc["11", "villages_mobile_share"] <= 1
    assert f.loc["11", "total_not_spots"] >= 0


def test_a_committed_site_import_makes_the_province_real(dienbien, tmp_path):
    v = dienbien.villages
    pts = v[v["location_precision"] == "point"].geometry.iloc[::40].head(4)
    lines = ["Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ,Độ cao anten (m),Địa chỉ"]
    lines += [f"DB{i},Viettel,4G,{p.x:.6f},{p.y:.6f},30,x" for i, p in enumerate(pts)]
    path = tmp_path / "sites.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = imports.Store(tmp_path / "store.sqlite")
    staged = imports.stage(path.read_bytes(), path.name, "sites", dienbien, store=store)
    imports.commit(staged, store, who="An")
    stores = workspace.Stores(imports=tmp_path / "store.sqlite")
    f = national.province_figures("pre2025", stores=stores).set_index("province_code")
    assert f.loc["11", "origin"] == DataOrigin.PLANNER
    assert "sites" in f.loc["11", "imported"].split(";")
    assert f.loc["12", "origin"] == DataOrigin.SYNTHETIC
    assert len(f) == 63
    demo = national.province_figures("pre2025", stores=workspace.Stores())
    demo = demo.set_index("province_code")
    # Four real sites cover far fewer villages than the synthetic demo layer.
    assert f.loc["11", "villages_mobile_share"] < demo.loc["11", "villages_mobile_share"]


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def test_the_page_is_under_3_mb_with_34_provinces_and_3321_communes(page_2025):
    assert len(page_2025.encode("utf-8")) < MAX_BYTES
    data = _data(page_2025)
    assert len(data["provinces"]["code"]) == 34
    assert len(data["units"]["code"]) == 3321
    # every drawn commune has polygons; the missing ones have none
    ends = data["units"]["geom"]["f"]
    assert len(ends) == 3321
    assert sum(b > a for a, b in zip([0, *ends[:-1]], ends, strict=True)) > 3250


def test_the_page_decodes_back_to_the_outlines(outlines_2025):
    g = outlines_2025.provinces.geometry.to_numpy()[:3]
    enc = national_layers.encode_geometries(g)
    c = np.array(enc["c"], dtype=np.int64).reshape(-1, 2)
    starts = np.concatenate([[0], enc["r"][:-1]])
    first = np.zeros(len(c), dtype=bool)
    first[starts] = True
    groups = np.cumsum(first) - 1
    absolute = np.zeros_like(c)
    for r in range(len(enc["r"])):  # rings of three provinces
        sel = groups == r
        absolute[sel] = np.cumsum(c[sel], axis=0)
    xy = absolute * enc["q"]
    want = shapely.get_coordinates(g)
    assert len(xy) == len(want) - len(enc["r"])  # closing vertices dropped
    assert np.allclose(xy[:5], want[:5], atol=1e-9)


def test_styles_are_by_class_not_per_feature(page_2025):
    data = _data(page_2025)
    assert set(data["provinces"]["k"]) <= set(range(-1, 5))
    assert set(data["provinces"]["o"]) <= {"p", "s", "n"}
    assert set(data["units"]["k"]) <= {0, 1, 2}
    script = DATA_RE.sub("", page_2025)
    ours = script[script.index("var COLOURS") :]
    # two fixed style functions (provinces, units), no per-feature style object
    assert ours.count("style: function") == 2
    assert ours.count("fillColor") == 1


def test_the_page_needs_no_network(page_2025):
    assert not re.search(r"""<script[^>]+src=["']https?://""", page_2025)
    assert not re.search(r"""<link[^>]+href=["']https?://""", page_2025)
    assert "vendored-inline:" not in page_2025
    assert "L.Map" in page_2025 or "L.map(" in page_2025


HOSTILE = "</script><script>alert(1)</script> {{ 7*7 }} {% raw %}"


def test_hostile_names_are_escaped_never_template_source(outlines_2025, figures_2025):
    prov = outlines_2025.provinces.copy()
    prov.loc[prov["province_code"] == "11", "province"] = HOSTILE
    com = outlines_2025.communes.copy()
    com.loc[com.index[0], "unit"] = HOSTILE
    figs = figures_2025.copy()
    figs.loc[figs["province_code"] == "11", "province"] = HOSTILE
    hostile = dataclasses.replace(outlines_2025, provinces=prov, communes=com)
    page = national_layers.national_html(hostile, figs)
    assert "<script>alert(1)" not in page
    assert "{{ 7*7 }}" not in page and " 49 " not in page
    data = _data(page)
    names = data["provinces"]["name"] + data["units"]["name"]
    assert html.unescape(national_layers.escape_html(HOSTILE)) == HOSTILE
    assert names.count(national_layers.escape_html(HOSTILE)) == 2
    popup = data["provinces"]["popup"][data["provinces"]["code"].index("11")]
    assert national_layers.escape_html(HOSTILE) in popup and "<script>" not in popup


def test_app_popups_link_to_the_map_page_with_the_province(outlines_2025, figures_2025):
    m = national_layers.national_map(outlines_2025, figures_2025, lang="en", link="app")
    page = m.get_root().render()
    data = _data(page)
    popup = data["provinces"]["popup"][data["provinces"]["code"].index("11")]
    assert "./ban-do?tinh=11&amp;don_vi=2025" in popup
    assert "Synthetic" in popup


def test_english_page_says_no_data_in_english(outlines_2025, figures_2025):
    page = national_layers.national_html(outlines_2025, figures_2025, lang="en")
    data = _data(page)
    popup = data["provinces"]["popup"][data["provinces"]["code"].index("01")]
    assert "No data yet" in popup


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_map_national_writes_the_page_and_a_province_with_it_is_refused(cache, tmp_path):
    out = tmp_path / "vn.html"
    env = {"COVERAGE_CACHE_DIR": str(cache)}
    r = _cli("map", "--national", "--units", "2025", "--demo", "--output", str(out), env=env)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size < MAX_BYTES
    assert "synthetic: Tỉnh Điện Biên, Tỉnh Lai Châu" in r.stderr
    r = _cli("map", "--national", "--province", "11", "--output", str(out), env=env)
    assert r.returncode == 2 and "--national" in r.stderr


def test_pre2025_national_has_63_provinces(tmp_path, monkeypatch, real_data):
    monkeypatch.setenv("COVERAGE_CACHE_DIR", str(tmp_path))
    o = national.outlines(UnitSystem.PRE2025)
    assert len(o.provinces) == 63 and o.provinces.geometry.notna().all()
    assert len(o.communes) > 680  # districts
    figs = (
        pd.DataFrame(national.provinces("pre2025"))
        .assign(
            origin="none",
            imported="",
            villages=pd.NA,
            villages_mobile_share=np.nan,
            total_not_spots=pd.NA,
            partial_not_spots=pd.NA,
        )
        .drop(columns="codes_old")
    )
    page = national_layers.national_html(o, figs)
    assert len(page.encode()) < MAX_BYTES
    assert len(_data(page)["provinces"]["code"]) == 63
