"""The billing charge consumer's throughput: VisitCompleted events through the real consumer path.

    uv run python bench/billing_charges.py [--database-url postgresql+asyncpg://u@host:port/bench_billing_charges]
        [--visits 5000] [--beneficiaries 500] [--duplicates 0.05] [--partitions 1] [--seed 7]

Without ``--database-url`` an embedded PostgreSQL is started for the run (the one the tests use);
with it, that database is dropped and recreated. Billing's tables are created, a price list is
entered and ``--beneficiaries`` are enrolled (through the consumer too, not timed). Then seeded
VisitCompleted events (60 % CS22 per visit, 40 % CS25 per hour, 5 % unverified, visits spread over
March 2026 in one district) are wrapped in CloudEvents envelopes and Kafka records exactly as the
outbox relay sends them, and each record goes through ``ConsumerRunner.handle_record``: envelope
parsing, contract validation, the inbox insert (idempotency), the charge handler (price, account,
settlement, outbox row) and the commit, one unit of work per event, as the worker does. A share of
the records is delivered twice (``--duplicates``) to exercise the inbox. No Kafka broker: the
records are built in memory, so the figure is billing's side of consumption (decode, database,
commit), not the network.

``--partitions P`` runs P consumers at once, the records partitioned by beneficiary as dispatch keys
them by visit (visits of one beneficiary in one partition keep account updates from racing; races
that do happen are retried by the runner on the version check).

Prints one JSON line: events handled, duplicates skipped, dead-lettered (must be 0), seconds,
events/s, p50/p99 per event, and whether every distinct visit has exactly one charge.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from eldercare.billing.adapters import models
from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.application import handlers
from eldercare.billing.consumers import SUBSCRIPTIONS
from eldercare.billing.domain.pricing import PriceItem, Unit
from eldercare.billing.settings import BillingSettings
from eldercare.common.auth import Principal
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import REGISTRY, BeneficiaryEnrolled, VisitCompleted
from eldercare.common.registry import IntegrationEvent
from eldercare.common.uow import UnitOfWork

DISTRICT = "430102"
CITY = Principal(subject="bench-city_admin", roles=frozenset({"city_admin"}), region="43")


async def recreate(database_url: str) -> AsyncEngine:
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    server, name = dsn.rsplit("/", 1)
    admin = await asyncpg.connect(f"{server}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    engine = create_async_engine(database_url, pool_size=10)
    async with engine.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
    return engine


def enrolments(rng: random.Random, count: int) -> list[BeneficiaryEnrolled]:
    return [
        BeneficiaryEnrolled(
            beneficiary_id=UUID(int=rng.getrandbits(128), version=4),
            person_id=UUID(int=rng.getrandbits(128), version=4),
            application_id=UUID(int=rng.getrandbits(128), version=4),
            district_code=DISTRICT,
            community_code=f"{DISTRICT}001001",
            masked_id_number="430***********0000",
            home_point=None,
            assessment_level=rng.randint(1, 4),
            policy={"pack_id": "changsha-2024", "version": "2024.1"},
            entitlement={
                "monthly_amount_fen": rng.choice((0, 8000, 20000)),
                "service_categories": ["daily_living"],
                "basis": [{"source": "changsha-2024-purchased-door-to-door-rules.md", "article": "第五条"}],
            },
            effective_on=date(2026, 1, 1),
            enrolled_at=datetime(2025, 12, 20, tzinfo=UTC),
        )
        for _ in range(count)
    ]


def visits(rng: random.Random, people: list[BeneficiaryEnrolled], count: int) -> list[VisitCompleted]:
    providers = [UUID(int=rng.getrandbits(128), version=4) for _ in range(20)]
    found = []
    for _ in range(count):
        person = people[rng.randrange(len(people))]
        start = datetime(2026, 3, rng.randint(1, 28), rng.randint(0, 12), tzinfo=UTC)
        minutes = rng.randint(20, 150)
        found.append(
            VisitCompleted(
                visit_id=UUID(int=rng.getrandbits(128), version=4),
                care_plan_id=UUID(int=rng.getrandbits(128), version=4),
                beneficiary_id=person.beneficiary_id,
                provider_id=providers[rng.randrange(len(providers))],
                caregiver_id=UUID(int=rng.getrandbits(128), version=4),
                district_code=DISTRICT,
                service_code="CS22" if rng.random() < 0.6 else "CS25",
                checked_in_at=start,
                checked_out_at=start + timedelta(minutes=minutes),
                duration_minutes=minutes,
                verified=rng.random() >= 0.05,
                verification_notes=[],
            )
        )
    return found


def record(event: IntegrationEvent, partition: int, offset: int) -> ConsumerRecord[bytes, bytes]:
    """The Kafka record the outbox relay would send for the event."""
    envelope = REGISTRY.envelope(event, source="bench")
    value = json.dumps(envelope.data).encode()
    key = envelope.subject.encode()
    return ConsumerRecord(
        topic=event.topic,
        partition=partition,
        offset=offset,
        timestamp=int(time.time() * 1000),
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key),
        serialized_value_size=len(value),
        headers=envelope.kafka_headers(),
    )


async def consume(
    runner: ConsumerRunner, records: list[ConsumerRecord[bytes, bytes]], outcomes: dict[str, int]
) -> list[float]:
    latencies = []
    for rec in records:
        t0 = time.perf_counter()
        outcome = await runner.handle_record(rec)
        latencies.append(time.perf_counter() - t0)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return latencies


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    rng = random.Random(args.seed)
    engine = await recreate(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    settings = BillingSettings(database_url=url)
    [sub] = SUBSCRIPTIONS
    async with UnitOfWork(sessions, MESSAGING, source="billing") as uow:
        await handlers.create_price_list(
            handlers.CreatePriceList(
                region_code=DISTRICT,
                effective_from=date(2026, 1, 1),
                items=(PriceItem("CS22", Unit.visit, 5000), PriceItem("CS25", Unit.hour, 6000)),
                principal=CITY,
            ),
            uow,
        )
        await uow.commit()
    people = enrolments(rng, args.beneficiaries)
    setup = ConsumerRunner(settings, sub, sessions, MESSAGING, producer=None)  # type: ignore[arg-type]
    for offset, person in enumerate(people):
        await setup.handle_record(record(person, 0, offset))

    events = visits(rng, people, args.visits)
    # Partition by beneficiary; redeliver a share of the records (same envelope id) right after.
    partitions: list[list[ConsumerRecord[bytes, bytes]]] = [[] for _ in range(args.partitions)]
    for event in events:
        p = event.beneficiary_id.int % args.partitions
        rec = record(event, p, len(partitions[p]))
        partitions[p].append(rec)
        if rng.random() < args.duplicates:
            partitions[p].append(rec)
    runners = [ConsumerRunner(settings, sub, sessions, MESSAGING, producer=None) for _ in partitions]  # type: ignore[arg-type]
    t0 = time.perf_counter()
    outcomes: dict[str, int] = {}
    latencies = await asyncio.gather(
        *(consume(r, recs, outcomes) for r, recs in zip(runners, partitions, strict=True))
    )
    seconds = time.perf_counter() - t0
    flat = sorted(x for part in latencies for x in part)
    async with engine.connect() as conn:
        charges = (await conn.exec_driver_sql("SELECT count(*), count(DISTINCT visit_id) FROM charges")).one()
        by_status = dict(
            (await conn.exec_driver_sql("SELECT status, count(*) FROM charges GROUP BY status")).all()
        )
    await engine.dispose()
    records_total = sum(len(p) for p in partitions)
    return {
        "visits": args.visits,
        "records": records_total,
        "partitions": args.partitions,
        "handled": outcomes.get("handled", 0),
        "duplicates_skipped": outcomes.get("duplicate", 0),
        "dead_lettered": outcomes.get("dead_lettered", 0),
        "seconds": round(seconds, 2),
        "records_per_s": round(records_total / seconds, 1),
        "handled_per_s": round(outcomes.get("handled", 0) / seconds, 1),
        "p50_ms": round(statistics.median(flat) * 1000, 2),
        "p99_ms": round(flat[int(len(flat) * 0.99) - 1] * 1000, 2),
        "charges_by_status": by_status,
        "one_charge_per_visit": charges[0] == charges[1] == args.visits,
        "broker": "none (records built in memory, real consumer path and PostgreSQL)",
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: an embedded PostgreSQL for the run")
    parser.add_argument("--visits", type=int, default=5000)
    parser.add_argument("--beneficiaries", type=int, default=500)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    server = None
    url = args.database_url
    if url is None:
        from eldercare.common.testing.postgres import EmbeddedPostgres

        server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="bench-billing-")) / "data")
        server.start()
        url = server.server_url() + "/bench_billing_charges"
    try:
        print(json.dumps(asyncio.run(run(args, url)), ensure_ascii=False))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
