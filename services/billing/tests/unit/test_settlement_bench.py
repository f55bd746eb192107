"""The settlement bench's generator on a tiny input: reproducible, and its splits add up."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

BENCH = Path(__file__).parents[4] / "bench" / "billing_settlement.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("billing_settlement_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_the_bench_generates_the_same_month_from_the_same_seed_with_splits_that_add_up() -> None:
    bench = load_bench()
    first = bench.generate_charges(20, 300, 3, 1, "2026-03")
    again = bench.generate_charges(20, 300, 3, 1, "2026-03")
    columns = bench.CHARGE_COLUMNS
    key = [columns.index(c) for c in ("visit_id", "beneficiary_id", "amount_fen", "covered_fen")]
    assert [[r[i] for i in key] for r in first] == [[r[i] for i in key] for r in again]
    assert len(first) == 300
    amount, covered, pays = (columns.index(c) for c in ("amount_fen", "covered_fen", "beneficiary_pays_fen"))
    posted = [r for r in first if r[columns.index("status")] == "posted"]
    assert posted and all(r[covered] + r[pays] == r[amount] and r[covered] >= 0 for r in posted)
