"""POST /v1/evaluations beside a bare FastAPI endpoint, in the same run, with the same client.

    uv run python bench/assessment_evaluations.py [--requests 5000] [--concurrency 16] [--mode http|asgi]
        [--warmup 200] [--seed 7]

Both servers run the same way: ``--mode http`` (default) starts two uvicorn processes on free local
ports (the assessment API as ``eldercare.assessment.main:app`` with a throw-away JWT key, and
``bare_app`` below: one POST that parses the JSON body and answers a constant), then drives each
with ``--concurrency`` keep-alive httpx connections; ``--mode asgi`` calls both apps in-process
through httpx's ASGI transport (no sockets: framework and engine cost only). The evaluation bodies
are random valid GB/T 42195 tables (seeded), each with a diagnosis and risk events, under a signed
city_platform token, so every request verifies the JWT, validates 26 items and an ICD-10 code and
runs the engine. Prints one JSON line per endpoint: requests/s, p50/p99/max latency in ms.
The client shares the machine's cores with the servers; compare the two lines, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from eldercare.assessment.domain.gbt42195 import ITEMS
from eldercare.common.auth import generate_keypair, mint_token

HERE = Path(__file__).parent

bare_app = FastAPI()


@bare_app.post("/v1/evaluations")
async def bare(body: dict[str, Any]) -> dict[str, int]:
    return {"total": len(body)}


def bodies(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        out.append(
            {
                "items": {item.code: rng.randint(0, item.maximum) for item in ITEMS},
                "coma": rng.random() < 0.02,
                "diagnoses": [
                    {"icd10": rng.choice(["F01", "F20.0", "I10", "E11.9"]), "by_psychiatrist": True}
                ],
                "risk_events_30d": {
                    k: rng.randint(0, 1)
                    for k in ("fall", "wandering", "choking", "suicide_self_harm", "other")
                },
            }
        )
    return out


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def drive(
    make_client: Callable[[], httpx.AsyncClient],
    payloads: list[dict[str, Any]],
    headers: dict[str, str],
    *,
    concurrency: int,
    warmup: int,
) -> dict[str, float]:
    """Send every payload once over ``concurrency`` clients; latency per request and overall rate."""
    latencies: list[float] = []
    queue = list(reversed(payloads))
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(make_client()) for _ in range(concurrency)]
        for i in range(warmup):
            response = await clients[i % concurrency].post(
                "/v1/evaluations", json=payloads[0], headers=headers
            )
            response.raise_for_status()

        async def worker(client: httpx.AsyncClient) -> None:
            while queue:
                body = queue.pop()
                start = time.perf_counter()
                response = await client.post("/v1/evaluations", json=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text[:200]}")

        began = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in clients))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 99) * 1000, 3),
        "max_ms": round(latencies[-1] * 1000, 3),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_up(url: str, proc: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):  # up to a minute on a busy machine
            if proc.returncode is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                await client.get(url + "/openapi.json")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def assessment_settings(public_pem: bytes) -> Any:
    from pydantic import SecretStr

    from eldercare.assessment.settings import AssessmentSettings

    return AssessmentSettings(
        jwt_public_key=SecretStr(public_pem.decode()),
        kafka_bootstrap_servers="127.0.0.1:1",
        log_format="text",
        log_level="WARNING",
    )


async def run(
    *, requests: int, concurrency: int, mode: str = "asgi", warmup: int = 20, seed: int = 7
) -> list[dict[str, Any]]:
    """The bench's core: both endpoints, the same payloads and client; one figure dict each."""
    private, public = generate_keypair()
    token = mint_token(private, subject="bench", roles=["city_platform"])
    headers = {"Authorization": f"Bearer {token}"}
    payloads = bodies(requests, seed)
    results = []
    if mode == "asgi":
        from eldercare.assessment.main import create_app

        real = create_app(assessment_settings(public))
        for name, app in (("bare_fastapi", bare_app), ("assessment_evaluations", real)):
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)

                def client(transport: httpx.ASGITransport = transport) -> httpx.AsyncClient:
                    return httpx.AsyncClient(transport=transport, base_url="http://bench")

                figures = await drive(client, payloads, headers, concurrency=concurrency, warmup=warmup)
            results.append({"endpoint": name, "mode": mode, "concurrency": concurrency, **figures})
        return results
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "jwt.pub"
        key.write_bytes(public)
        env = {
            **os.environ,
            "ASSESSMENT_JWT_PUBLIC_KEY_FILE": str(key),
            "ASSESSMENT_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
            "ASSESSMENT_LOG_LEVEL": "WARNING",
        }
        servers = (
            ("bare_fastapi", ["assessment_evaluations:bare_app", "--app-dir", str(HERE)]),
            ("assessment_evaluations", ["eldercare.assessment.main:app"]),
        )
        for name, target in servers:
            port = _free_port()
            cmd = [sys.executable, "-m", "uvicorn", *target, "--port", str(port), "--log-level", "warning"]
            proc = await asyncio.create_subprocess_exec(*cmd, env=env)
            try:
                base = f"http://127.0.0.1:{port}"
                await _wait_up(base, proc)
                limits = httpx.Limits(max_connections=1)
                figures = await drive(
                    lambda base=base, limits=limits: httpx.AsyncClient(base_url=base, limits=limits),
                    payloads,
                    headers,
                    concurrency=concurrency,
                    warmup=warmup,
                )
            finally:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), timeout=10)
            results.append({"endpoint": name, "mode": mode, "concurrency": concurrency, **figures})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--mode", choices=("http", "asgi"), default="http")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = asyncio.run(
        run(
            requests=args.requests,
            concurrency=args.concurrency,
            mode=args.mode,
            warmup=args.warmup,
            seed=args.seed,
        )
    )
    for line in figures:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
