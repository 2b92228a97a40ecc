"""The command line: exports per RFC 7946, indicators on stdout only, errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from geo.__main__ import main
from geo.unserved import EXPORT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.realdata


def test_export_unserved_geojson_has_36_features_with_the_documented_columns(real_data, tmp_path):
    out = tmp_path / "unserved.geojson"
    assert (
        main(["export", "--province", "Điện Biên", "--layer", "unserved", "--output", str(out)])
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "crs" not in doc  # RFC 7946: WGS84 only, no crs member
    feats = doc["features"]
    assert len(feats) == 36
    props = feats[0]["properties"]
    assert set(EXPORT_COLUMNS) <= set(props)
    assert all(f["geometry"] is not None for f in feats)
    codes = {f["properties"]["village"]: f["properties"]["commune_code"] for f in feats}
    assert codes["Huổi Chỏn"] == "03292" and codes["Hầu Chua"] == "03223"
    assert isinstance(props["province_code"], str) and props["province_code"] == "11"


@pytest.mark.parametrize("ext", [".gpkg", ".kml", ".kmz", ".geojson"])
def test_export_formats_follow_the_extension(real_data, tmp_path, ext):
    out = tmp_path / f"communes{ext}"
    assert main(["export", "--province", "11", "--layer", "communes", "--output", str(out)]) == 0
    if ext == ".kmz":
        import zipfile

        assert zipfile.ZipFile(out).namelist() == ["doc.kml"]
    else:
        info = pyogrio.read_info(out)
        assert info["features"] == 130


def test_export_gpkg_in_vn2000_tm3(real_data, tmp_path):
    out = tmp_path / "sites.gpkg"
    assert (
        main(
            [
                "export",
                "--province",
                "11",
                "--layer",
                "sites",
                "--output",
                str(out),
                "--crs",
                "EPSG:9205",
            ]
        )
        == 0
    )
    assert "VN-2000 / TM-3 103-00" in pyogrio.read_info(out)["crs"] or pyogrio.read_info(out)[
        "crs"
    ].endswith("9205")


def test_indicators_json_goes_to_stdout_alone(real_data):
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "indicators", "--province", "dien bien", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(proc.stdout)
    assert r["unserved_by_operator"] == {"Viettel": 18, "VNPT": 14, "MobiFone": 4}
    assert r["province_code"] == "11"


def test_indicators_csv_has_one_row_per_indicator(real_data, capsys):
    assert main(["indicators", "--province", "12", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].startswith("indicator,value,")
    assert any(line.startswith("sites,1842") for line in text.splitlines())


def test_missing_data_file_exits_2_and_names_the_file(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "export",
            "--province",
            "11",
            "--layer",
            "communes",
            "--output",
            str(tmp_path / "x.geojson"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"COVERAGE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert "boundaries/gso_units_pre2025_20250301.csv is missing" in proc.stderr
    assert proc.stdout == ""


def test_unknown_province_exits_2_with_a_hint(real_data, capsys):
    assert main(["indicators", "--province", "Atlantis"]) == 2
    assert "Give a name such as" in capsys.readouterr().err
