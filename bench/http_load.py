"""Load for the HTTP benchmarks: requests with a fixed number in flight, latencies by nearest rank.

Shared by bench/intake_http.py and bench/dispatch_checkin.py, so their figures are computed alike.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


async def measure(
    client: httpx.AsyncClient, request: Request, n: int, concurrency: int, start: int = 0
) -> dict[str, Any]:
    """Send requests ``start .. start+n-1`` with ``concurrency`` in flight; latencies in ms."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(start, start + n))

    async def worker() -> None:
        nonlocal errors
        for i in counter:
            t0 = time.perf_counter()
            response = await request(client, i)
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code >= 300:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {
        "requests": n,
        "seconds": round(elapsed, 3),
        "requests_per_s": round(n / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        "errors": errors,
    }
