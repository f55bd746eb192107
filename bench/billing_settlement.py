"""A month's settlement runs on a reproducible synthetic ledger.

    uv run python bench/billing_settlement.py [--database-url postgresql+asyncpg://u@host:port/bench_billing]
        [--beneficiaries 100000] [--visits 1000000] [--providers 100] [--seed 6] [--period 2026-03]

Without ``--database-url`` an embedded PostgreSQL is started for the run. Drops and recreates the
database, creates billing's tables, generates beneficiaries (entitlement
0, 8,000 or 20,000 fen a month, three districts) and charges of completed visits (CS22 per visit at
5,000 fen, CS25 per hour at 6,000 fen; 5 % unverified and held) from ``--seed``, splitting each
between the entitlement and self-pay as billing does, and loads them with COPY. Then runs
``handlers.run_month`` for the city (every provider's statement in every district, a few statements
of set-based SQL in one transaction) and prints one JSON line: generation and load time, run time,
number of statements and lines, peak Python memory (tracemalloc) and peak RSS, and whether the
statements reconcile to the fen with a plain recomputation from the charges (it must be true).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
import tracemalloc
from datetime import UTC, date, datetime
from uuid import UUID

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from eldercare.billing.adapters import models
from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.application import handlers
from eldercare.common.auth import Principal
from eldercare.common.ids import uuid7
from eldercare.common.uow import UnitOfWork

DISTRICTS = ("430102", "430103", "430104")
PRICES = {"CS22": ("visit", 5000), "CS25": ("hour", 6000)}
CHARGE_COLUMNS = (
    "id", "created_at", "updated_at", "version", "visit_id", "beneficiary_id", "provider_id",
    "district_code", "service_code", "visit_on", "period", "duration_minutes", "verified", "status",
    "reason", "notes", "price_list_id", "unit", "unit_price_fen", "amount_fen", "covered_fen",
    "beneficiary_pays_fen", "posted_at",
)  # fmt: skip
CITY = Principal(subject="bench-city_admin", roles=frozenset({"city_admin"}), region="43")


def generate_charges(
    beneficiaries: int, visits: int, providers: int, seed: int, period: str
) -> list[tuple[object, ...]]:
    """Charge rows of one month; the covered part is taken from the entitlement in visit order."""
    rng = random.Random(seed)
    year, month = map(int, period.split("-"))
    now = datetime(year, month, 28, tzinfo=UTC)
    price_list_id = uuid7()
    people = [
        (UUID(int=rng.getrandbits(128), version=4), rng.choice(DISTRICTS), rng.choice((0, 8000, 20000)))
        for _ in range(beneficiaries)
    ]
    remaining = {pid: monthly for pid, _, monthly in people}
    provider_ids = [UUID(int=rng.getrandbits(128), version=4) for _ in range(providers)]
    rows: list[tuple[object, ...]] = []
    for _ in range(visits):
        beneficiary, district, _monthly = people[rng.randrange(beneficiaries)]
        provider = provider_ids[rng.randrange(providers)]
        code = "CS22" if rng.random() < 0.6 else "CS25"
        minutes = rng.randint(20, 150)
        day = date(year, month, rng.randint(1, 28))
        common = (
            uuid7(),
            now,
            now,
            1,
            UUID(int=rng.getrandbits(128), version=4),
            beneficiary,
            provider,
            district,
        )
        common += (code, day, period, minutes)
        if rng.random() < 0.05:
            rows.append(
                (*common, False, "held", "unverified", "[]", None, None, None, None, None, None, None)
            )
            continue
        unit, price = PRICES[code]
        amount = price if unit == "visit" else (2 * price * minutes + 60) // 120
        covered = min(amount, remaining[beneficiary])
        remaining[beneficiary] -= covered
        rows.append(
            (
                *common,
                True,
                "posted",
                None,
                "[]",
                price_list_id,
                unit,
                price,
                amount,
                covered,
                amount - covered,
                now,
            )
        )
    return rows


async def recreate(database_url: str) -> AsyncEngine:
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    server, name = dsn.rsplit("/", 1)
    admin = await asyncpg.connect(f"{server}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
    return engine


async def load(database_url: str, rows: list[tuple[object, ...]]) -> None:
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.copy_records_to_table("charges", records=rows, columns=list(CHARGE_COLUMNS))
        await conn.execute("ANALYZE charges")
    finally:
        await conn.close()


async def run_month(sessions: async_sessionmaker, period: str) -> list[object]:  # type: ignore[type-arg]
    """The month's settlement for the whole city: every provider and district, one unit of work."""
    async with UnitOfWork(sessions, MESSAGING, source="billing") as uow:
        statements = await handlers.run_month(handlers.RunMonth("43", period, CITY), uow)
        await uow.commit()
    return list(statements)


async def main(args: argparse.Namespace) -> dict[str, object]:
    started = time.perf_counter()
    rows = generate_charges(args.beneficiaries, args.visits, args.providers, args.seed, args.period)
    generated = time.perf_counter()
    engine = await recreate(args.database_url)
    await load(args.database_url, rows)
    loaded = time.perf_counter()
    expected = {"gross": 0, "covered": 0, "self_pay": 0}
    for row in rows:
        if row[13] == "posted":
            expected["gross"] += row[19]  # type: ignore[operator]
            expected["covered"] += row[20]  # type: ignore[operator]
            expected["self_pay"] += row[21]  # type: ignore[operator]
    del rows
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    tracemalloc.start()
    t0 = time.perf_counter()
    statements = await run_month(sessions, args.period)
    run_seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    async with engine.connect() as conn:
        line_count = (await conn.exec_driver_sql("SELECT count(*) FROM statement_lines")).scalar_one()
        line_sums = (
            await conn.exec_driver_sql(
                "SELECT sum(amount_fen), sum(covered_fen), sum(self_pay_fen) FROM statement_lines"
            )
        ).one()
    await engine.dispose()
    totals = {
        "gross": sum(s.gross_fen for s in statements),  # type: ignore[attr-defined]
        "covered": sum(s.covered_fen for s in statements),  # type: ignore[attr-defined]
        "self_pay": sum(s.self_pay_fen for s in statements),  # type: ignore[attr-defined]
    }
    return {
        "beneficiaries": args.beneficiaries,
        "visits": args.visits,
        "statements": len(statements),
        "lines": line_count,
        "generate_s": round(generated - started, 2),
        "load_s": round(loaded - generated, 2),
        "run_s": round(run_seconds, 2),
        "run_python_peak_mib": round(peak / 2**20, 2),
        "process_max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "covered_fen": totals["covered"],
        "reconciles": totals == expected
        and list(line_sums) == [expected[k] for k in ("gross", "covered", "self_pay")],
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: an embedded PostgreSQL for the run")
    parser.add_argument("--beneficiaries", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--period", default="2026-03")
    return parser.parse_args(argv)


def cli() -> None:
    args = parse()
    server = None
    if args.database_url is None:
        import tempfile
        from pathlib import Path

        from eldercare.common.testing.postgres import EmbeddedPostgres

        server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="bench-billing-")) / "data")
        server.start()
        args.database_url = server.server_url() + "/bench_billing"
    try:
        print(json.dumps(asyncio.run(main(args))))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    cli()
