"""Intake's webhook dispatcher against a local receiver: deliveries/s and attempt latency.

    uv run python bench/intake_webhooks.py [--database-url postgresql+asyncpg://…/bench_intake_webhooks]
        [--deliveries 2000] [--batch 20]

A real PostgreSQL (embedded unless a URL is given; the database is dropped, recreated and
migrated with intake's Alembic revisions), one subscription with a sealed secret and
``--deliveries`` queued deliveries (a ~600-byte event each), and a uvicorn receiver on 127.0.0.1
that verifies every signature. The dispatcher's ``run_once`` (claim with SKIP LOCKED and lease,
sign, POST ``--batch`` at a time, record each attempt and the delivery's state) runs until the
queue is empty. Prints one JSON line: deliveries/s, the attempt latency p50/p99 as logged, and
how many signatures the receiver verified.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import uvicorn
from pydantic import SecretStr
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from eldercare.common.clock import utcnow
from eldercare.common.db import make_engine, make_sessionmaker
from eldercare.common.ids import uuid7
from eldercare.intake.adapters.models import WebhookAttemptRow, WebhookSubscriptionRow
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.adapters.webhook_sender import WebhookDispatcher
from eldercare.intake.adapters.webhooks import SECRET_CONTEXT, WebhookRepository
from eldercare.intake.domain.webhooks import verify
from eldercare.intake.settings import IntakeSettings

ROOT = Path(__file__).resolve().parents[1]
SECRET = "whsec_bench"


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
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT / "services" / "intake",
        env={**os.environ, "INTAKE_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def event_body(i: int) -> str:
    data = {
        "application_id": str(uuid4()),
        "person_id": str(uuid4()),
        "district_code": "430102",
        "community_code": "430102001001",
        "circumstances": ["subsistence_allowance"],
        "submitted_at": utcnow().isoformat(),
    }
    doc = {
        "id": str(uuid7()),
        "type": "intake.application.submitted.v1",
        "source": "intake",
        "subject": data["application_id"],
        "time": utcnow().isoformat(),
        "data": data,
        "seq": i,
    }
    return json.dumps(doc, separators=(",", ":"))


async def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    verified = {"ok": 0, "bad": 0}

    async def hook(request: Request) -> Response:
        body = await request.body()
        good = verify(SECRET, request.headers["x-eldercare-signature"], body, int(time.time()), 300)
        verified["ok" if good else "bad"] += 1
        return Response(status_code=200 if good else 401)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", hook, methods=["POST"])]), log_level="warning", lifespan="off"
        )
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)

    settings = IntakeSettings(
        database_url=database_url,
        pii_keys=SecretStr("k1:" + base64.b64encode(os.urandom(32)).decode()),
        pii_blind_index_key=SecretStr(base64.b64encode(os.urandom(32)).decode()),
        webhook_allow_private_networks=True,
    )
    engine = make_engine(database_url, pool_size=5)
    sessions = make_sessionmaker(engine)
    vault = PiiVault.from_settings(settings)
    async with sessions() as session, session.begin():
        sub_id = uuid7()
        session.add(
            WebhookSubscriptionRow(
                id=sub_id,
                client="bench-platform",
                region="4301",
                url=url,
                event_types=["intake.application.submitted.v1"],
                secret_sealed=vault.seal(SECRET_CONTEXT, sub_id, SECRET),
            )
        )
        await session.flush()
        repo = WebhookRepository(session)
        for i in range(args.deliveries):
            await repo.enqueue(sub_id, uuid7(), "intake.application.submitted.v1", event_body(i), utcnow())

    dispatcher = WebhookDispatcher(settings, sessions, batch=args.batch)
    started = time.perf_counter()
    sent = 0
    while (n := await dispatcher.run_once()) > 0:
        sent += n
    seconds = time.perf_counter() - started
    await dispatcher.client.aclose()
    async with sessions() as session:
        latencies = [float(v) for v in (await session.scalars(select(WebhookAttemptRow.latency_ms))).all()]
    await engine.dispose()
    server.should_exit = True
    await serving
    return {
        "target": "webhook_dispatch",
        "deliveries": sent,
        "batch": args.batch,
        "seconds": round(seconds, 3),
        "deliveries_per_s": round(sent / seconds, 1),
        "attempt_p50_ms": percentile(latencies, 0.50),
        "attempt_p99_ms": percentile(latencies, 0.99),
        "signatures_verified": verified["ok"],
        "signatures_refused": verified["bad"],
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: an embedded PostgreSQL for the run")
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    server = None
    url = args.database_url
    if url is None:
        from eldercare.common.testing.postgres import EmbeddedPostgres

        server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="bench-intake-webhooks-")) / "data")
        server.start()
        url = server.server_url() + "/bench_intake_webhooks"
    try:
        fresh_database(url)
        print(json.dumps(asyncio.run(run(args, url))))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
