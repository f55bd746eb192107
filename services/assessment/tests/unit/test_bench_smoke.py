"""The evaluation benchmark's core runs on a tiny input (bench/assessment_evaluations.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).parents[4] / "bench" / "assessment_evaluations.py"


async def test_the_bench_core_measures_both_endpoints_on_a_few_requests() -> None:
    spec = importlib.util.spec_from_file_location("assessment_evaluations_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    figures = await module.run(requests=6, concurrency=2, mode="asgi", warmup=1)
    assert [f["endpoint"] for f in figures] == ["bare_fastapi", "assessment_evaluations"]
    assert all(f["requests"] == 6 and f["requests_per_s"] > 0 and f["p99_ms"] >= f["p50_ms"] for f in figures)
