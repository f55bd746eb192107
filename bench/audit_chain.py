"""Verification of a long audit trail, on a reproducible synthetic chain in a scratch database.

    uv run python bench/audit_chain.py [--database-url postgresql+asyncpg://postgres@127.0.0.1:25432/bench_audit]
        [--entries 1000000] [--alg sm3] [--batch-size 1000] [--seed 7] [--tamper-seq N] [--embedded]

Drops and recreates the database, migrates it with audit's Alembic revisions (so the append-only
trigger and the chain head row are the real ones), generates ``--entries`` hash-chained entries
(visit-completed summaries of the shape the consumer stores, hashed with ``--alg`` by the domain's
own ``next_entry``) into one district's chain (the trail is one chain per district since revision
0014: a chain's verification reads only its rows, so one chain of ``--entries`` is the figure) and
loads them with COPY, moves that chain's head to the last one, then times
``application.trail.verify_trail`` (the code behind GET /v1/audit-trail/verification?chain=) with
``--batch-size`` rows per query. ``--tamper-seq`` then rewrites that entry as a superuser would
(triggers off) and verifies again: the answer must name that seq. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from eldercare.audit.application.trail import verify_trail
from eldercare.audit.domain.trail import AuditEntry, ChainHead, ChainVerifier, HashAlgorithm, next_entry

AUDIT_DIR = Path(__file__).parents[1] / "services" / "audit"
DISTRICT = "430102"  # the chain generated (domain.trail.chain_for)
START = datetime(2026, 1, 1, tzinfo=UTC)
COLUMNS = (
    "id",
    "chain",
    "seq",
    "event_id",
    "event_type",
    "subject",
    "district_code",
    "occurred_at",
    "recorded_at",
    "summary",
    "prev_hash",
    "hash",
    "hash_alg",
)


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def entries(n: int, alg: HashAlgorithm, seed: int) -> Iterator[AuditEntry]:
    """``n`` chained entries from ``seed``: the same seed gives the same chain, hash for hash."""
    rng = random.Random(seed)
    head = ChainHead()
    for i in range(n):
        at = START + timedelta(seconds=30 * i)
        visit = _uuid(rng)
        data = {
            "visit_id": str(visit),
            "care_plan_id": str(_uuid(rng)),
            "beneficiary_id": str(_uuid(rng)),
            "provider_id": str(_uuid(rng)),
            "caregiver_id": str(_uuid(rng)),
            "district_code": DISTRICT,
            "service_code": rng.choice(("CS22", "CS25", "CS03")),
            "checked_in_at": (at - timedelta(minutes=60)).isoformat(),
            "checked_out_at": at.isoformat(),
            "duration_minutes": 60,
            "verified": rng.random() > 0.05,
            "verification_notes": [],
        }
        entry = next_entry(
            head,
            entry_id=_uuid(rng),
            event_id=_uuid(rng),
            event_type="dispatch.visit.completed.v1",
            subject=str(visit),
            district_code=data["district_code"],
            data=data,
            recorded_at=at,
            hash_alg=alg,
        )
        head = ChainHead(entry.content.seq, entry.hash)
        yield entry


def as_row(e: AuditEntry) -> tuple[object, ...]:
    c = e.content
    return (
        e.id,
        c.chain,
        c.seq,
        c.event_id,
        c.event_type,
        c.subject,
        c.district_code,
        e.occurred_at,
        e.recorded_at,
        json.dumps(c.data, ensure_ascii=False),
        c.prev_hash,
        e.hash,
        c.hash_alg.value,
    )


def verify_in_memory(chain: list[AuditEntry], head: ChainHead) -> tuple[bool, int | None]:
    """The verifier over entries already in memory (what the smoke test runs)."""
    verifier = ChainVerifier()
    verifier.feed((e.content, e.hash) for e in chain)
    result = verifier.finish(head)
    return result.valid, result.first_broken_seq


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def recreate(database_url: str) -> None:
    base, _, name = _pg(database_url).rpartition("/")
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def migrate(database_url: str) -> None:
    env = {**os.environ, "AUDIT_DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(AUDIT_DIR / "alembic.ini"), "upgrade", "head"],
        check=True,
        cwd=AUDIT_DIR,
        env=env,
    )


async def load(database_url: str, n: int, alg: HashAlgorithm, seed: int, chunk: int = 50_000) -> ChainHead:
    conn = await asyncpg.connect(_pg(database_url))
    head = ChainHead()
    try:
        rows: list[tuple[object, ...]] = []
        for e in entries(n, alg, seed):
            rows.append(as_row(e))
            head = ChainHead(e.content.seq, e.hash)
            if len(rows) >= chunk:
                await conn.copy_records_to_table("audit_entries", records=rows, columns=COLUMNS)
                rows = []
        if rows:
            await conn.copy_records_to_table("audit_entries", records=rows, columns=COLUMNS)
        await conn.execute(
            "INSERT INTO audit_chain_heads (chain, last_seq, last_hash) VALUES ($3, $1, $2)",
            head.seq,
            head.hash,
            DISTRICT,
        )
        await conn.execute("ANALYZE audit_entries")
    finally:
        await conn.close()
    return head


async def timed_verification(database_url: str, batch_size: int) -> tuple[float, dict[str, object]]:
    engine = create_async_engine(database_url)
    try:
        async with async_sessionmaker(engine)() as session:
            started = time.perf_counter()
            result = await verify_trail(session, batch_size=batch_size, chain=DISTRICT)
            elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    return elapsed, {
        "entries": result.entries,
        "valid": result.valid,
        "first_broken_seq": result.first_broken_seq,
    }


async def tamper(database_url: str, seq: int) -> None:
    conn = await asyncpg.connect(_pg(database_url))
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            rewrite = "UPDATE audit_entries SET summary = jsonb_set(summary, '{duration_minutes}', '90')"
            await conn.execute(f"{rewrite} WHERE chain = $2 AND seq = $1", seq, DISTRICT)
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> dict[str, object]:
    alg = HashAlgorithm(args.alg)
    await recreate(args.database_url)
    migrate(args.database_url)
    started = time.perf_counter()
    await load(args.database_url, args.entries, alg, args.seed)
    loaded = time.perf_counter() - started
    seconds, verdict = await timed_verification(args.database_url, args.batch_size)
    figures: dict[str, object] = {
        "entries": args.entries,
        "alg": alg.value,
        "batch_size": args.batch_size,
        "generate_and_load_seconds": round(loaded, 1),
        "verify_seconds": round(seconds, 1),
        "verified_per_second": round(args.entries / seconds) if seconds else None,
        "verdict": verdict,
    }
    if args.tamper_seq:
        await tamper(args.database_url, args.tamper_seq)
        t_seconds, t_verdict = await timed_verification(args.database_url, args.batch_size)
        figures["tampered_seq"] = args.tamper_seq
        figures["tampered_verdict"] = t_verdict
        figures["tampered_verify_seconds"] = round(t_seconds, 1)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:25432/bench_audit")
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--alg", choices=[a.value for a in HashAlgorithm], default="sm3")
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--tamper-seq", type=int, default=0)
    p.add_argument("--embedded", action="store_true", help="a throw-away embedded PostgreSQL")
    return p.parse_args(argv)


def run_cli(args: argparse.Namespace) -> dict[str, object]:
    if not args.embedded:
        return asyncio.run(main(args))
    import tempfile

    from eldercare.common.testing.postgres import EmbeddedPostgres

    with tempfile.TemporaryDirectory(prefix="bench-audit-chain-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pg")
        server.start()
        try:
            args.database_url = server.database_url("bench_audit")
            return asyncio.run(main(args))
        finally:
            server.stop()


if __name__ == "__main__":
    print(json.dumps(run_cli(parse())))
