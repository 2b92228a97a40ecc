"""The map page run by ``streamlit.testing.v1.AppTest``: search and filters narrow the summary
and the tables, no Streamlit deprecation warning, the toolbar without Deploy.

Each test gets its own register and account store (temporary files): the single-user demo.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from geo import assignments as asg
from geo.i18n import t
from geo.readers import limits
from geo.store import accounts as accounts_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def app(real_data, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(asg.DB_ENV, str(tmp_path / "assignments.sqlite"))
    monkeypatch.setenv(accounts_store.DB_ENV, str(tmp_path / "accounts.sqlite"))
    return AppTest.from_file(APP, default_timeout=240)


class _Recorder:
    """Stands in for ``streamlit.deprecation_util._LOGGER``: keeps what is warned."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warning(self, message, *args, **kwargs) -> None:
        self.messages.append(str(message))

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _summary(at) -> pd.DataFrame:
    label = t("map.summary.villages", "vi")
    frames = [d.value for d in at.dataframe if label in d.value.columns]
    assert frames, "no summary table on the map page"
    return frames[0]


def _total_villages(frame: pd.DataFrame) -> int:
    row = frame[frame.iloc[:, 0] == t("map.summary.total", "vi")]
    return int(str(row[t("map.summary.villages", "vi")].iloc[0]).replace(".", ""))


@pytest.mark.realdata
def test_the_map_page_runs_without_a_deprecation_warning(app, monkeypatch):
    from streamlit import deprecation_util

    recorder = _Recorder()
    monkeypatch.setattr(deprecation_util, "_LOGGER", recorder)
    app.run()
    assert not app.exception, app.exception
    assert recorder.messages == []
    assert not [w.value for w in app.warning if "deprecat" in str(w.value).lower()]


@pytest.mark.realdata
def test_a_gap_class_filter_narrows_the_summary_and_says_so(app):
    app.run()
    assert not app.exception, app.exception
    whole = _total_villages(_summary(app))
    gap = next(m for m in app.multiselect if m.label == t("map.filter_gap", "vi"))
    gap.set_value(["none"]).run()
    assert not app.exception, app.exception
    narrowed = _summary(app)
    none_col = t("map.summary.total_not_spots", "vi")
    total = narrowed[narrowed.iloc[:, 0] == t("map.summary.total", "vi")]
    assert 0 < _total_villages(narrowed) < whole
    # Only total not-spots are left: every village counted is one.
    assert total[none_col].iloc[0] == total[t("map.summary.villages", "vi")].iloc[0]
    notes = [str(i.value) for i in app.info] + [str(c.value) for c in app.caption]
    assert any(n.startswith("Đang lọc") for n in notes), notes


@pytest.mark.realdata
def test_search_without_diacritics_lists_the_village(app):
    app.run()
    app.text_input(key="map_search").set_value("huoi lech").run()
    assert not app.exception, app.exception
    pick = app.selectbox(key="map_search_pick")
    assert pick.options, "nothing found"
    assert any("Huổi" in option for option in pick.options), pick.options


def test_config_has_a_minimal_toolbar_and_one_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
