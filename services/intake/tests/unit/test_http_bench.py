"""The HTTP bench's core on a tiny input: the bare endpoint measured, percentiles by nearest rank."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import httpx

BENCH = Path(__file__).parents[4] / "bench" / "intake_http.py"


def load_bench():  # type: ignore[no-untyped-def]
    if str(BENCH.parent) not in sys.path:  # as when run as a script: its sibling http_load.py
        sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("intake_http_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # FastAPI resolves the body model's annotations through it
    spec.loader.exec_module(bench)
    return bench


def test_percentiles_are_by_nearest_rank() -> None:
    load_bench()
    import http_load as bench  # the load helper the HTTP benches share

    values = [float(v) for v in range(1, 101)]
    assert (bench.percentile(values, 50), bench.percentile(values, 99), bench.percentile([], 50)) == (
        50.0,
        99.0,
        0.0,
    )


async def test_the_bare_endpoint_is_measured_without_errors() -> None:
    bench = load_bench()

    async def echo(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post("/echo", json=bench.CHECK)

    transport = httpx.ASGITransport(app=bench.bare_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        figures = await bench.measure(client, echo, 5, 2)
    assert (figures["requests"], figures["errors"]) == (5, 0)
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]


def test_bench_applicants_have_distinct_valid_id_numbers() -> None:
    bench = load_bench()
    numbers = {bench.application(i)["applicant"]["id_number"] for i in range(2000)}
    assert len(numbers) == 2000
