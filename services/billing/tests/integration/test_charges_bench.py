"""The charge consumer bench on a tiny input: every record through the real consumer path, one
charge per visit, duplicates skipped by the inbox, nothing dead-lettered."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).parents[4] / "bench" / "billing_charges.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("billing_charges_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


async def test_the_bench_charges_each_visit_once_through_the_consumer(postgres) -> None:  # type: ignore[no-untyped-def]
    bench = load_bench()
    args = bench.parse(
        ["--visits", "40", "--beneficiaries", "8", "--duplicates", "0.25", "--partitions", "2"]
    )
    result = await bench.run(args, postgres.database_url("bench_billing_charges_test"))
    assert result["dead_lettered"] == 0
    assert result["handled"] == 40
    assert result["duplicates_skipped"] == result["records"] - 40 > 0
    assert result["one_charge_per_visit"] is True
