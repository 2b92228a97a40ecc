"""Recompute fast: after one assignment or status change the register-dependent indicators are
updated in place (:class:`geo.indicators.ServedIndex`) and equal a full rebuild."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import assignments as asg
from geo import indicators
from geo.operators import OPERATORS

STATUSES = ["", "assigned", "under_construction", "on_air", "verified", "cancelled"]


def _status(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ops = rng.random((n, len(OPERATORS))) < 0.4
    frame = pd.DataFrame(ops, columns=list(OPERATORS))
    frame.insert(0, "village_id", [f"V{i:04d}" for i in range(n)])
    frame["mobile_broadband"] = ops.any(axis=1)
    return frame


def _register(state: dict[str, tuple[str, str]]) -> pd.DataFrame:
    rows = [(v, s, o) for v, (s, o) in state.items() if s]
    return pd.DataFrame(rows, columns=["village_id", "status", "operator"])


def _full(status: pd.DataFrame, register: pd.DataFrame) -> dict[str, int]:
    ss = asg.served_status(status, register)
    served = ss["served"].to_numpy(dtype=bool)
    covered = status["mobile_broadband"].to_numpy(dtype=bool)
    return {
        "villages_served": int(served.sum()),
        "villages_verified_only": int((served & ~covered).sum()),
        "register_disagreements": int((ss["disagreement"] != "").sum()),
    }


change = st.tuples(
    st.integers(0, 59), st.sampled_from(STATUSES), st.sampled_from([*OPERATORS, "Khác"])
)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    start=st.lists(change, max_size=30),
    changes=st.lists(change, min_size=1, max_size=40),
)
def test_incremental_counts_equal_the_full_rebuild_after_random_changes(seed, start, changes):
    status = _status(60, seed)
    state = {f"V{i:04d}": (s, o) for i, s, o in start}
    index = indicators.ServedIndex(status, _register(state))
    assert index.counts() == _full(status, _register(state))
    for i, s, o in changes:
        vid = f"V{i:04d}"
        state[vid] = (s, o)
        assert index.update(vid, s, o)
        assert index.counts() == _full(status, _register(state))
    assert index.served_share() == pytest.approx(index.counts()["villages_served"] / 60)


def test_a_village_outside_the_scope_changes_nothing():
    status = _status(10, 1)
    index = indicators.ServedIndex(status, _register({}))
    before = index.counts()
    assert not index.update("NOT-HERE", "verified", "Viettel")
    assert index.counts() == before


def test_verifying_an_uncovered_village_serves_it_and_is_a_disagreement():
    status = _status(20, 3)
    uncovered = status.loc[~status["mobile_broadband"], "village_id"].iloc[0]
    index = indicators.ServedIndex(status, _register({}))
    before = index.counts()
    index.update(uncovered, "verified", "Viettel")
    after = index.counts()
    assert after["villages_served"] == before["villages_served"] + 1
    assert after["villages_verified_only"] == before["villages_verified_only"] + 1
    assert after["register_disagreements"] == before["register_disagreements"] + 1
    index.update(uncovered, "", "")  # undone
    assert index.counts() == before


def test_on_the_real_model_the_index_matches_count_served(dienbien_model):
    from layers import tables

    status = dienbien_model.status
    ids = status["village_id"].iloc[::25].tolist()
    register = pd.DataFrame({"village_id": ids, "status": "verified", "operator": "VNPT"})
    index = indicators.ServedIndex(status, register.iloc[:0])
    for v in ids:
        index.update(v, "verified", "VNPT")
    result = indicators.compute(dienbien_model)
    want = tables.count_served(result, status, register)
    for key, value in index.counts().items():
        assert want[key] == value
    assert want["villages_mobile_share"] == pytest.approx(index.served_share())
