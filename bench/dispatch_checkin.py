"""Dispatch's check-in and check-out against a bare FastAPI endpoint measured in the same run.

    uv run python bench/dispatch_checkin.py [--database-url postgresql+asyncpg://u@host:port/bench_dispatch]
        [--requests 1000] [--concurrency 8] [--warmup 50]

In-process ASGI (httpx.ASGITransport, no sockets), the real dispatch app with its middleware, JWT
check and a real PostgreSQL database: the one at ``--database-url`` (dropped, recreated and
migrated with dispatch's Alembic revisions), else an embedded PostgreSQL started for the run. One
provider, one beneficiary and care plan, and one caregiver with one booked visit per request (a
caregiver is in one home at a time, so each request checks a different caregiver in). Targets,
each measured the same way (``--concurrency`` requests in flight):

- ``bare``: a FastAPI app with one POST that parses a check-in-sized Pydantic body and echoes it;
- ``check_in``: ``POST /v1/visits/{id}/check-ins`` with a client id and the phone's time (row lock,
  geofence, clock skew, impossible travel, visit + caregiver action + outbox rows, one commit);
- ``check_out``: ``POST /v1/visits/{id}/check-outs`` of the same visits (plan items, duration and
  evidence rules, the verification flags, the completed event, one commit).

Prints one JSON line per target (requests/s, p50/p99 in ms, errors) and a line with the ratio of
each target's requests/s to the bare endpoint's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from http_load import Request, measure
from pydantic import BaseModel, SecretStr

from eldercare.common.auth import generate_keypair, mint_token
from eldercare.common.clock import local_date
from eldercare.common.contracts import BeneficiaryEnrolled
from eldercare.common.credit_codes import check_character, organisation_check_character
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.consumers import on_beneficiary_enrolled
from eldercare.dispatch.domain.providers import Caregiver, Qualification
from eldercare.dispatch.domain.visits import Visit
from eldercare.dispatch.main import create_app
from eldercare.dispatch.settings import DispatchSettings

ROOT = Path(__file__).resolve().parents[1]
HOME = {"lat": 28.1941, "lon": 112.9761}
DISTRICT = "430102"


class Location(BaseModel):
    lat: float
    lon: float


class CheckInEcho(BaseModel):
    location: Location
    accuracy_m: float
    client_id: uuid.UUID
    device_time: datetime


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(body: CheckInEcho) -> dict[str, Any]:
        return body.model_dump(mode="json")

    return app


def fresh_database(url: str) -> None:
    """Drop and recreate the bench database and migrate it with dispatch's Alembic revisions."""
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
    env = {**os.environ, "DISPATCH_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT / "services" / "dispatch",
        env=env,
        check=True,
        capture_output=True,
    )


def credit_code() -> str:
    body = "88000001"
    first17 = "52" + DISTRICT + body + organisation_check_character(body)
    return first17 + check_character(first17)


async def build_world(app: FastAPI, client: httpx.AsyncClient, private: bytes, visits: int) -> list[Any]:
    """A provider, a beneficiary with a plan, and ``visits`` caregivers with one visit each now.
    Returns (visit id, caregiver headers) per visit."""
    officer = {
        "Authorization": "Bearer "
        + mint_token(private, subject="o", roles=["district_officer"], region=DISTRICT)
    }
    provider = (
        await client.post(
            "/v1/providers",
            headers=officer,
            json={
                "name": "压测服务中心",
                "credit_code": credit_code(),
                "district_code": DISTRICT,
                "address": "芙蓉区",
                "phone": "073188880000",
                "service_codes": ["CS15", "CS22", "CS25"],
                "has_food_licence": False,
            },
        )
    ).json()
    # changsha-2024 第七条: the provider's conditions are recorded before it takes work.
    conditions = ("registration", "qualification_premises", "help_line_24h", "staffing", "good_standing")
    for code in (*conditions, "management_rules"):
        await client.put(
            f"/v1/providers/{provider['id']}/conditions/{code}",
            headers=officer,
            json={"status": "met", "evidence": {"document_ref": f"bench-{code}"}},
        )
    admin = {
        "Authorization": "Bearer "
        + mint_token(private, subject="a", roles=["provider_admin"], provider_id=provider["id"])
    }
    rt = app.state.runtime
    beneficiary_id = uuid.uuid4()
    enrolled = BeneficiaryEnrolled.model_validate(
        {
            "beneficiary_id": beneficiary_id,
            "person_id": uuid.uuid4(),
            "application_id": uuid.uuid4(),
            "assessment_id": uuid.uuid4(),
            "district_code": DISTRICT,
            "community_code": "430102001001",
            "masked_id_number": "430***********1234",
            "home_point": HOME,
            "assessment_level": 1,
            "policy": {"pack_id": "changsha-2024", "version": "2024.1"},
            "entitlement": {
                "monthly_amount_fen": 60000,
                "service_categories": ["daily_living", "welfare_visit", "health_management"],
                "emergency_help_required": False,
                "basis": [{"source": "changsha-2024-purchased-door-to-door-rules.md", "article": "第五条"}],
            },
            "effective_on": date.today(),
            "enrolled_at": datetime.now(UTC),
        }
    )
    async with UnitOfWork(rt.sessionmaker, MESSAGING, source="bench") as uow:
        await on_beneficiary_enrolled(enrolled, uow)
        await uow.commit()
    plan = (
        await client.post(
            "/v1/care-plans",
            headers=admin,
            json={
                "beneficiary_id": str(beneficiary_id),
                "service_codes": ["CS15", "CS22", "CS25"],
                "frequency_per_month": 8,
                "agreement": {"signed_on": date.today().isoformat(), "duration_months": 12},
            },
        )
    ).json()
    start = datetime.now(UTC)
    out = []
    async with UnitOfWork(rt.sessionmaker, MESSAGING, source="bench") as uow:
        care_plan = await CarePlanRepository(uow.session).get(uuid.UUID(plan["id"]))
        assert care_plan is not None
        caregivers, booked = CaregiverRepository(uow.session), VisitRepository(uow.session)
        for i in range(visits):
            cg = Caregiver(
                provider_id=care_plan.provider_id,
                name=f"护理员{i}",
                phone="13900001111",
                qualifications=(Qualification.certified_elderly_care_worker,),
                health_certificate_valid_until=date.today() + timedelta(days=365),
            )
            await caregivers.add(cg)
            visit = Visit.schedule(
                plan=care_plan,
                caregiver=cg,
                service_code="CS22",
                start=start,
                end=start + timedelta(hours=1),
                start_day=local_date(start),
                by="bench",
            )
            await booked.add(visit)
            token = mint_token(
                private,
                subject=f"cg{i}",
                roles=["caregiver"],
                provider_id=plan["provider_id"],
                caregiver_id=str(cg.id),
            )
            out.append((str(visit.id), {"Authorization": f"Bearer {token}"}))
        await uow.commit()
    return out


async def run(args: argparse.Namespace, database_url: str) -> list[dict[str, Any]]:
    private, public = generate_keypair()
    settings = DispatchSettings(
        database_url=database_url,
        jwt_public_key=SecretStr(public.decode()),
        kafka_bootstrap_servers="127.0.0.1:1",
        log_format="text",
        log_level="WARNING",
    )
    device_time = datetime.now(UTC).isoformat()

    def check_in_body() -> dict[str, Any]:
        return {
            "location": HOME,
            "accuracy_m": 12,
            "client_id": str(uuid.uuid4()),
            "device_time": device_time,
        }

    async def bare(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post("/echo", json=check_in_body())

    results: list[dict[str, Any]] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bare_app()), base_url="http://bench") as c:
        await measure(c, bare, args.warmup, args.concurrency)
        results.append({"target": "bare", **await measure(c, bare, args.requests, args.concurrency)})

    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as c,
    ):
        world = await build_world(app, c, private, args.warmup + args.requests)

        async def check_in(client: httpx.AsyncClient, i: int) -> httpx.Response:
            visit_id, headers = world[i]
            return await client.post(
                f"/v1/visits/{visit_id}/check-ins", json=check_in_body(), headers=headers
            )

        async def check_out(client: httpx.AsyncClient, i: int) -> httpx.Response:
            visit_id, headers = world[i]
            body = {
                "location": HOME,
                "accuracy_m": 12,
                "client_id": str(uuid.uuid4()),
                "device_time": device_time,
                "record": {"notes": "上门探访", "items_done": ["CS22"]},
            }
            return await client.post(f"/v1/visits/{visit_id}/check-outs", json=body, headers=headers)

        targets: list[tuple[str, Request]] = [("check_in", check_in), ("check_out", check_out)]
        for name, request in targets:
            await measure(c, request, args.warmup, args.concurrency)
            measured = await measure(c, request, args.requests, args.concurrency, start=args.warmup)
            results.append({"target": name, **measured})
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: an embedded PostgreSQL for the run")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    server = None
    url = args.database_url
    if url is None:
        from eldercare.common.testing.postgres import EmbeddedPostgres

        server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="bench-dispatch-")) / "data")
        server.start()
        url = server.server_url() + "/bench_dispatch"
    try:
        fresh_database(url)
        for line in asyncio.run(run(args, url)):
            print(json.dumps(line, ensure_ascii=False))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
