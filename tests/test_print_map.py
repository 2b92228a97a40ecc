"""The printable map: paper sizes and orientation, the synthetic stamp only when a layer is
synthetic, names from data printed literally, Vietnamese glyphs, the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pypdf
import pytest
from PIL import Image

from geo import imports, workspace
from geo.__main__ import main
from layers import maps
from layers import print_map as pm

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "Bản {{ 7*7 }} $x^2$ <script>alert(1)</script>"

#: Page sizes in PostScript points (1/72 in), (width, height) in landscape.
POINTS = {"A4": (841.89, 595.28), "A3": (1190.55, 841.89)}


@pytest.fixture(scope="module")
def demo_model(real_data):
    """Điện Biên with the synthetic demo sites and fibre (no store)."""
    return workspace.build(workspace.resolve_scope("11"), stores=workspace.Stores())


def _pdf_text(data: bytes) -> str:
    """The page's text with all whitespace removed (rotated text is broken into lines)."""
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    return re.sub(r"\s+", "", text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("paper", "orientation"),
    [("A4", "landscape"), ("A4", "portrait"), ("A3", "landscape"), ("A3", "portrait")],
)
def test_pdf_page_has_the_paper_size_in_the_requested_orientation(demo_model, paper,
                                                                   orientation):
    data = pm.print_map(demo_model, paper=paper, orientation=orientation, fmt="pdf", dpi=72)
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data)
    assert len(boxes) == 1
    x0, y0, w, h = (float(v) for v in boxes[0].split())
    long, short = POINTS[paper]
    expected = (long, short) if orientation == "landscape" else (short, long)
    assert (x0, y0) == (0, 0)
    assert (w, h) == pytest.approx(expected, abs=1.0)


@pytest.mark.parametrize(("paper", "orientation"), [("A4", "portrait"), ("A3", "landscape")])
def test_png_has_the_aspect_ratio_of_the_paper(demo_model, paper, orientation):
    data = pm.print_map(demo_model, paper=paper, orientation=orientation, fmt="png", dpi=40)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    w, h = image.size
    ratio = 297 / 210 if paper == "A4" else 420 / 297
    assert w / h == pytest.approx(ratio if orientation == "landscape" else 1 / ratio, rel=0.01)


def test_demo_layers_print_the_synthetic_stamp_date_and_sources(demo_model):
    data = pm.print_map(demo_model, fmt="pdf", today=dt.date(2026, 1, 5))
    text = _pdf_text(data)
    assert _squash("DỮ LIỆU MÔ PHỎNG") in text
    assert "05/01/2026" in text
    assert _squash("Nguồn dữ liệu: GADM 4.1") in text
    assert _squash("Bản đồ phủ sóng: Tỉnh Điện Biên") in text
    assert "km" in text
    english = _pdf_text(pm.print_map(demo_model, fmt="pdf", lang="en"))
    assert "SYNTHETICDATA" in english
    assert "MÔPHỎNG" not in english


def _csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_no_stamp_when_sites_and_fibre_are_the_planners(dienbien, tmp_path):
    store = imports.Store(tmp_path / "store.sqlite")
    v = dienbien.villages
    v = v[v["location_precision"] == "point"].iloc[::40].head(6)
    sites = ["Mã trạm,Nhà mạng,Công nghệ,Kinh độ,Vĩ độ"] + [
        f"DB{i},Viettel,4G,{g.x:.6f},{g.y:.6f}" for i, g in enumerate(v.geometry, 1)
    ]
    fibre = ["Tên thôn,Xã,Nhà mạng"] + [
        f"{r.village},{r.commune},VNPT" for r in v.head(2).itertuples()
    ]
    for name, kind, lines in (("tram.csv", "sites", sites), ("ftth.csv", "fibre", fibre)):
        path = _csv(tmp_path / name, lines)
        staged = imports.stage(path.read_bytes(), name, kind, dienbien, store=store)
        assert not staged.needs_review, staged.report
        imports.commit(staged, store, who="An")
    model = workspace.build(workspace.resolve_scope("11"),
                            stores=workspace.Stores(imports=store.path))
    assert not model.sources["sites"]["synthetic"] and not model.sources["fibre"]["synthetic"]
    text = _pdf_text(pm.print_map(model, fmt="pdf"))
    assert _squash("Bản đồ phủ sóng") in text  # the page has text at all
    assert "MÔPHỎNG" not in text.upper()
    assert "SYNTHETIC" not in text.upper()


def test_hostile_names_are_printed_literally(demo_model):
    communes = demo_model.communes.copy()
    communes.loc[communes["district_code"] == "100", "district"] = HOSTILE
    declared = demo_model.declared.assign(document=HOSTILE)
    data = dataclasses.replace(demo_model.data, declared=declared)
    model = dataclasses.replace(demo_model, communes=communes, data=data)
    text = _pdf_text(pm.print_map(model, fmt="pdf", district_code="100"))
    # Title and the legend's plan document: as written, nothing evaluated or typeset.
    assert text.count(_squash(HOSTILE)) == 2
    assert "49" not in text.replace("2026", "")  # {{ 7*7 }} was not evaluated


def test_vietnamese_text_needs_no_missing_glyph(demo_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pm.print_map(demo_model, fmt="png", dpi=40)
        pm.print_map(demo_model, fmt="pdf", orientation="portrait")


def test_communes_are_shaded_in_the_web_maps_classes():
    shares = np.array([0.0, 0.1, 0.2, 0.39, 0.4, 0.6, 0.79999, 0.8, 1.0, np.nan])
    got = pm.share_colours(shares)
    expected = [maps.SHARE_CLASSES[maps._share_class(s)][1] if not np.isnan(s)
                else maps.NO_VILLAGES_COLOUR for s in shares]
    assert list(got) == expected


@pytest.mark.parametrize(("target", "expected"),
                         [(23_000, 20_000), (9_999, 5_000), (60_000, 50_000), (1_500, 1_000)])
def test_scale_bar_is_a_round_number_of_km(target, expected):
    assert pm._nice_length(target) == expected


def test_unknown_paper_orientation_or_format_is_refused(demo_model):
    for kwargs in ({"paper": "A5"}, {"orientation": "sideways"}, {"fmt": "svg"}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            pm.print_map(demo_model, **kwargs)


def test_map_command_writes_a_printable_pdf(real_data, tmp_path):
    out = tmp_path / "ban_do.out"
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "map", "--province", "11", "--demo", "--format", "pdf",
         "--paper", "A3", "--orientation", "portrait", "--output", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "SYNTHETIC" in proc.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    w, h = (float(v) for v in re.search(rb"/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+([\d.]+)\s+"
                                        rb"([\d.]+)", data).groups())
    assert (w, h) == pytest.approx((POINTS["A3"][1], POINTS["A3"][0]), abs=1.0)


def test_map_command_takes_the_format_from_the_output_extension(real_data, tmp_path):
    png = tmp_path / "ban_do.PNG"
    assert main(["map", "--province", "11", "--demo", "--output", str(png)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")
