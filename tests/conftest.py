"""Shared fixtures: the real data folder and the province models, built once per session."""

from __future__ import annotations

import pytest

from geo import registry


def _data_available() -> bool:
    return all(r["state"] == "ok" for r in registry.status())


@pytest.fixture(scope="session")
def real_data():
    if not _data_available():
        pytest.fail(
            f"The real data folder {registry.data_dir()} is incomplete: run `python -m geo data` "
            "to see which file is missing, or set COVERAGE_DATA_DIR."
        )
    return registry.data_dir()


@pytest.fixture(scope="session")
def dienbien(real_data):
    from geo import province

    return province.load_province("Điện Biên")


@pytest.fixture(scope="session")
def laichau(real_data):
    from geo import province

    return province.load_province("12")


@pytest.fixture(scope="session")
def dienbien_model(dienbien):
    from geo import pipeline

    return pipeline.build(dienbien)


@pytest.fixture(autouse=True)
def _own_stores(tmp_path_factory, monkeypatch):
    """Every test starts with its own, empty user data folder: the stores' default paths
    (imports, assignments, accounts, actuals) never reach the developer's real ones. A test
    that sets ``$COVERAGE_IMPORTS_DB`` or the like itself overrides this."""
    home = tmp_path_factory.mktemp("data_home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    for var in ("COVERAGE_IMPORTS_DB", "COVERAGE_ASSIGNMENTS_DB", "COVERAGE_ACCOUNTS_DB",
                "COVERAGE_ACTUALS_DB", "COVERAGE_MEASUREMENTS_DB"):
        monkeypatch.delenv(var, raising=False)
