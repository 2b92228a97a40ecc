"""Timings of the challenge loop (geo.challenges): steps, the open list and its exports.

Run from the repository root::

    python benchmarks/bench_challenges.py             # 200 steps, 20,000 challenges listed
    python benchmarks/bench_challenges.py 500 50000   # other sizes
    python benchmarks/bench_challenges.py 200 20000 /data/tmp   # the store's folder (its disk)

Prints one line per measurement: raising, answering and deciding challenges one by one (each
step one committed transaction: WAL, ``synchronous=FULL``, one fsync), then, over a store of
N challenges (SYNTHETIC villages ``V000001``…, made here with a fixed seed), reading them as the
province planner and as one operator, the open list by operator and age, the screen table, the
CSV and the .xlsx with their steps. No external data is needed. Cold is the first call, warm
the best of three more (:func:`timing.cold_warm`). Not a test: nothing is asserted on timings.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import cold_warm

from geo import auth
from geo import challenges as ch
from geo.auth import Account, Role
from geo.operators import OPERATORS
from geo.store import challenges as store

PLANNER = Account("canbo_db", Role.PROVINCE_PLANNER, province_code="11")
VIETTEL = Account("viettel_db", Role.OPERATOR, operator="Viettel")
T0 = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)


def _village(i: int, covered: bool) -> dict:
    """A SYNTHETIC (mô phỏng) village of Điện Biên, for timing only."""
    return {
        "village_id": f"V{i:06d}",
        "village": f"Bản mô phỏng {i}",
        "commune": "Xã mô phỏng",
        "district_code": f"{94 + i % 10:03d}",
        "province_code": "11",
        **{op: covered for op in OPERATORS},
    }


def _steps(conn, n: int) -> None:
    proof = ch.Proof(note="đo kiểm mô phỏng", measurements=ch.MeasurementSummary(8, -112.0, 0.2))
    t0 = time.perf_counter()
    ids = [
        ch.raise_challenge(
            conn, PLANNER, _village(i, True), "Viettel", reason="mất sóng", proof=proof, now=T0
        )["challenge_id"]
        for i in range(n)
    ]
    raised = time.perf_counter() - t0
    t0 = time.perf_counter()
    for cid in ids:
        ch.answer(conn, VIETTEL, cid, "accept", now=T0 + dt.timedelta(days=1))
    answered = time.perf_counter() - t0
    t0 = time.perf_counter()
    for cid in ids:
        ch.decide(conn, PLANNER, cid, "upheld", note="đúng", now=T0 + dt.timedelta(days=2))
    decided = time.perf_counter() - t0
    for what, s in (("raise", raised), ("answer", answered), ("decide", decided)):
        print(f"{what:8} {n} challenges one by one: {s:.2f} s ({1000 * s / n:.1f} ms per step)")


def _fill(conn, n: int) -> None:
    """N SYNTHETIC challenges written in one transaction (ages and states drawn, seed 14)."""
    rng = np.random.default_rng(14)
    ages = rng.integers(0, 60, n)
    states = rng.choice(["open", "accepted", "rebutted", "decided"], n, p=[0.5, 0.2, 0.1, 0.2])
    ops = rng.choice(OPERATORS, n)
    with store.transaction(conn):
        for i in range(n):
            raised = T0 + dt.timedelta(days=int(ages[i]))
            at = raised.isoformat(timespec="seconds")
            row = {
                **{k: v for k, v in _village(i, bool(i % 2)).items() if k not in OPERATORS},
                "commune_code": "",
                "district": "",
                "province": "Điện Biên",
                "operator": str(ops[i]),
                "shown_covered": i % 2,
                "claim": "not_covered" if i % 2 else "covered",
                "reason": "=mô phỏng" if i % 97 == 0 else "mất sóng",
                "state": str(states[i]),
                "deadline": (raised.date() + dt.timedelta(days=15)).isoformat(),
                "answer": None,
                "decision": "upheld" if states[i] == "decided" else None,
                "raised_by": "canbo_db",
                "raised_at": at,
                "answered_by": None,
                "answered_at": None,
                "decided_by": None,
                "decided_at": None,
                "version": 1,
                "updated_at": at,
            }
            cid = store.insert_challenge(conn, row)
            store.append_step(
                conn,
                {
                    "challenge_id": cid,
                    "version": 1,
                    "step": "raise",
                    "state": "open",
                    "value": row["claim"],
                    "note": "đo",
                    "user": "canbo_db",
                    "role": "role=province_planner province=11",
                    "at": at,
                },
            )


def main(n_steps: int = 200, n_list: int = 20_000, folder: str | None = None) -> None:
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        conn = ch.connect(Path(tmp) / "steps.sqlite")
        _steps(conn, n_steps)
        conn.close()
        conn = ch.connect(Path(tmp) / "list.sqlite")
        t0 = time.perf_counter()
        _fill(conn, n_list)
        print(f"write    {n_list} challenges in one transaction: {time.perf_counter() - t0:.2f} s")
        today = dt.date(2026, 3, 1)
        cases = {
            "read (planner)": lambda: ch.challenges(conn, PLANNER),
            "read (operator)": lambda: ch.challenges(conn, VIETTEL),
        }
        frame = ch.challenges(conn, auth.CONSOLE)
        cases |= {
            "open list": lambda: ch.open_list(frame, today),
            "screen table": lambda: ch.export_table(frame, "vi", today),
            "csv": lambda: ch.to_csv(frame, "vi", today),
        }
        steps = ch.steps(conn, auth.CONSOLE)
        cases["xlsx (+steps)"] = lambda: ch.to_xlsx(frame, steps, "vi", today)
        for name, fn in cases.items():
            cold, warm, out = cold_warm(fn)
            size = len(out) if hasattr(out, "__len__") else ""
            print(f"{name:16} {n_list} challenges: cold {cold:.3f} s, warm {warm:.3f} s ({size})")
        conn.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(
        int(args[0]) if len(args) > 0 else 200,
        int(args[1]) if len(args) > 1 else 20_000,
        args[2] if len(args) > 2 else None,
    )
