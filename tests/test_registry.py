"""The dataset registry: one list of external files, resolved from the data folder, checked."""

from __future__ import annotations

import shutil

import pytest

from geo import registry
from geo.errors import DatasetChecksumError, DatasetMissingError


def test_every_dataset_names_origin_licence_attribution_and_checksum():
    for ds in registry.DATASETS.values():
        assert ds.origin and ds.licence and ds.attribution
        assert len(ds.sha256) == 64 and int(ds.sha256, 16) >= 0


def test_data_dir_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_DATA_DIR", str(tmp_path))
    assert registry.data_dir() == tmp_path.resolve()


def test_data_dir_defaults_to_shared_data_beside_the_repository(monkeypatch):
    monkeypatch.delenv("COVERAGE_DATA_DIR", raising=False)
    assert registry.data_dir() == (registry.REPO_ROOT.parent / "shared" / "data").resolve()


def test_missing_file_error_names_the_file_and_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetMissingError) as info:
        registry.path("population_2019")
    err = info.value
    assert isinstance(err, FileNotFoundError)
    assert err.file == "admin/vn_commune_population_2019.csv"
    assert "hgscarlette/vn-demographic" in err.message("en")
    assert "Thiếu tệp dữ liệu admin/vn_commune_population_2019.csv" in err.message("vi")


def test_altered_file_is_refused(real_data, tmp_path, monkeypatch):
    (tmp_path / "operators").mkdir()
    copy = tmp_path / "operators" / "mcc452_operators.csv"
    shutil.copy(real_data / "operators" / "mcc452_operators.csv", copy)
    copy.write_text(copy.read_text() + "452,99,X,X,X,,\n")
    monkeypatch.setenv("COVERAGE_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetChecksumError, match="altered or is another version"):
        registry.path("operators_mcc452")


def test_all_registered_files_are_present_and_intact(real_data):
    assert {r["name"]: r["state"] for r in registry.status()} == {
        name: "ok" for name in registry.DATASETS
    }
