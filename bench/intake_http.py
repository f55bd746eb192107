"""Intake's HTTP paths against a bare FastAPI endpoint measured in the same run.

    uv run python bench/intake_http.py [--database-url postgresql+asyncpg://postgres@127.0.0.1:25432/bench_intake]
        [--requests 2000] [--concurrency 8] [--warmup 50]

In-process ASGI (httpx.ASGITransport, no sockets), the real intake app with its middleware, JWT
check and a real PostgreSQL database (dropped, recreated and migrated with intake's Alembic
revisions). Three targets, each measured the same way (``--concurrency`` requests in flight):

- ``bare``: a FastAPI app with one POST that parses a small Pydantic body and echoes it;
- ``eligibility``: ``POST /v1/eligibility-checks`` (Changsha pack, stateless);
- ``application``: ``POST /v1/applications`` (a new applicant each time: GB 11643 checks, AES-GCM
  sealing of the PII, blind index, person + application rows, outbox row, one commit).

Prints one JSON line per target (requests/s, p50/p99 in ms, errors) and a line with the ratios
of each target's requests/s to the bare endpoint's: the figure that travels between machines.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from http_load import measure
from pydantic import BaseModel, SecretStr

from eldercare.common.auth import generate_keypair, mint_token
from eldercare.common.id_numbers import make_id_number
from eldercare.intake.main import create_app
from eldercare.intake.settings import IntakeSettings

ROOT = Path(__file__).resolve().parents[1]


class Echo(BaseModel):
    policy: str
    as_of: date
    person: dict[str, Any]


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(body: Echo) -> dict[str, Any]:
        return body.model_dump(mode="json")

    return app


CHECK = {
    "policy": "changsha",
    "as_of": "2026-11-23",
    "person": {"birth_date": "1944-03-08", "hukou_region": "430102", "residence_region": "430102"},
    "circumstances": ["subsistence_allowance"],
    "assessment_level": 1,
}


def application(i: int) -> dict[str, Any]:
    born = date(1930 + i % 30, 1 + i % 12, 1 + i % 28)
    sequence = 100 + (i // 360) % 899  # 360 birth dates x 899 sequences: distinct ID numbers
    return {
        "policy": "changsha",
        "applicant": {
            "name": f"压测老人{i}",
            "id_number": make_id_number("430102", born, sequence),
            "sex": "male" if sequence % 2 else "female",
            "birth_date": born.isoformat(),
            "phone": f"138{i:08d}"[:11],
            "address": f"芙蓉区压测路{i}号",
            "hukou_region": "430102",
            "community_code": "430102001001",
        },
        "circumstances": ["subsistence_allowance"],
        "guardian": "family",
        "declaration_accepted": True,
    }


def fresh_database(url: str) -> None:
    """Drop and recreate the bench database and migrate it with intake's Alembic revisions."""
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0].replace("postgresql+asyncpg", "postgresql")

    async def recreate() -> None:
        conn = await asyncpg.connect(server + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    env = {**os.environ, "INTAKE_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT / "services" / "intake",
        env=env,
        check=True,
        capture_output=True,
    )


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    private, public = generate_keypair()
    key = base64.b64encode(os.urandom(32)).decode()
    settings = IntakeSettings(
        database_url=args.database_url,
        jwt_public_key=SecretStr(public.decode()),
        kafka_bootstrap_servers="127.0.0.1:1",
        log_format="text",
        log_level="WARNING",
        policy_settings={"changsha-2024": {"monthly_service_amount_fen": 30000}},  # a bench value
        pii_keys=SecretStr(f"k1:{key}"),
        pii_blind_index_key=SecretStr(key),
    )
    worker = {
        "Authorization": "Bearer "
        + mint_token(private, subject="bench", roles=["community_worker"], region="430102001001")
    }
    platform = {
        "Authorization": "Bearer "
        + mint_token(private, subject="bench", roles=["city_platform"], region="4301")
    }

    async def bare(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post("/echo", json=CHECK)

    async def eligibility(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post("/v1/eligibility-checks", json=CHECK, headers=platform)

    async def submit(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post("/v1/applications", json=application(i), headers=worker)

    results = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bare_app()), base_url="http://bench") as c:
        await measure(c, bare, args.warmup, args.concurrency)
        results.append({"target": "bare", **await measure(c, bare, args.requests, args.concurrency)})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            await measure(c, eligibility, args.warmup, args.concurrency)
            results.append(
                {"target": "eligibility", **await measure(c, eligibility, args.requests, args.concurrency)}
            )
            await measure(c, submit, args.warmup, args.concurrency, start=10**6)
            results.append(
                {"target": "application", **await measure(c, submit, args.requests, args.concurrency)}
            )
    bare_rate = results[0]["requests_per_s"] or 1.0
    results.append(
        {
            "ratio_to_bare": {r["target"]: round(r["requests_per_s"] / bare_rate, 3) for r in results[1:]},
            "concurrency": args.concurrency,
            "cpus": os.cpu_count(),
        }
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:25432/bench_intake"
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    fresh_database(args.database_url)
    for line in asyncio.run(run(args)):
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
