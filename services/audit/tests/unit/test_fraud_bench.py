"""The fraud-signal bench on a small period: reproducible, and every injected anomaly is found."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).parents[4] / "bench" / "audit_fraud_signals.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("audit_fraud_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses resolve their module by name
    spec.loader.exec_module(bench)
    return bench


def test_the_bench_finds_every_injected_anomaly_reproducibly() -> None:
    bench = load_bench()
    first = bench.run(25000, seed=3, days=30)
    assert first["visits"] == 25000
    assert first["recall"] == {
        "overlapping_visits": 1.0,
        "impossible_travel": 1.0,
        "short_visit": 1.0,
        "visit_while_hospitalised": 1.0,
        "visit_while_suspended": 1.0,
        "caregiver_density": 1.0,
    }
    assert all(n > 0 for n in first["injected"].values())
    assert bench.run(25000, seed=3, days=30)["hits"] == first["hits"]
