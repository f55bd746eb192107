"""The fraud-signal batch detector over a large synthetic period of visits (issue #7: 1,000,000
visits in under 60 s).

    uv run python bench/audit_fraud_signals.py [--visits 1000000] [--seed 7] [--days 30]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:25432/bench_audit_fraud | --embedded]

Generates a reproducible month of completed visits (one caregiver about 50 visits, two or three a
day at 08:00, 10:30 and 14:00 China time, homes of the caregiver's own cluster within a few km,
about 2 % of check-ins outside the geofence at random), then injects known anomalies: overlapping
visits, a home 50 km away between two close visits (impossible travel), visits far shorter than
planned, visits on the day of a hospital stay, visits on a day the beneficiary was suspended
(intake's status history), and one caregiver in every 400 with 12 extra visits on one day (density
far above the district's peers). Times ``domain.fraud.detect`` and ``domain.fraud.density`` (the
code behind the stream detector and ``POST /v1/fraud-scans``) over all of them, and checks that
every injected anomaly was found. Prints one JSON line: generation and detection seconds, peak
RSS, hits per signal and the recall of each injected anomaly.

With ``--database-url`` (or ``--embedded``: a throw-away embedded PostgreSQL), the same visits are
loaded with COPY into a scratch database migrated with audit's revisions (visits, the beneficiaries'
home cells, the hospital stays, the status changes), and ``application.fraud.run_fraud_scan`` (the code behind
``POST /v1/fraud-scans``) is timed over the whole city for the period in one unit of work: reading
the rows, detecting, and writing each flag and its ``audit.visit_flag.raised.v1`` outbox row.
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
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from eldercare.audit.domain.fraud import (
    FraudRules,
    HospitalStay,
    Signal,
    StatusChange,
    VisitRecord,
    china_day,
    density,
    detect,
    inactive_periods,
)

START = datetime(2026, 11, 1, tzinfo=UTC)  # 08:00 China is 00:00 UTC
SLOTS = (timedelta(hours=0), timedelta(hours=2, minutes=30), timedelta(hours=6))
DISTRICTS = ("430102", "430103", "430104", "430105", "430111", "430112")
VISITS_PER_CAREGIVER = 50
CLUSTER_KM = 0.03  # about 3 km in degrees of latitude


@dataclass
class Injected:
    overlapping: set[UUID]
    impossible_travel: set[UUID]
    short: set[UUID]
    hospitalised: set[UUID]
    suspended: set[UUID]
    dense: set[UUID]
    changes: list[tuple[StatusChange, str]]  # (the change, its district)


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def generate(
    visits: int, *, seed: int = 7, days: int = 30
) -> tuple[list[VisitRecord], list[HospitalStay], Injected]:
    rng = random.Random(seed)
    caregivers = max(1, visits // VISITS_PER_CAREGIVER)
    out: list[VisitRecord] = []
    injected = Injected(set(), set(), set(), set(), set(), set(), [])
    stays: list[HospitalStay] = []
    for c in range(caregivers):
        caregiver, provider = _uuid(rng), _uuid(rng)
        district = DISTRICTS[c % len(DISTRICTS)]
        centre = (28.0 + rng.random() * 0.4, 112.8 + rng.random() * 0.4)
        clients = [
            (
                _uuid(rng),
                (
                    round(centre[0] + rng.uniform(-CLUSTER_KM, CLUSTER_KM), 2),
                    round(centre[1] + rng.uniform(-CLUSTER_KM, CLUSTER_KM), 2),
                ),
            )
            for _ in range(8)
        ]
        busy = c % 400 == 399 and c < caregivers - 1  # 12 of its 50 visits crowded into one day
        count = (VISITS_PER_CAREGIVER - 12 * busy) if c < caregivers - 1 else visits - len(out)
        slots = sorted(rng.sample(range(days * len(SLOTS)), k=min(count, days * len(SLOTS))))
        for slot in slots:
            day, part = divmod(slot, len(SLOTS))
            beneficiary, home = rng.choice(clients)
            start = START + timedelta(days=day) + SLOTS[part] + timedelta(minutes=rng.randint(-10, 10))
            out.append(
                VisitRecord(
                    visit_id=_uuid(rng),
                    provider_id=provider,
                    caregiver_id=caregiver,
                    beneficiary_id=beneficiary,
                    district_code=district,
                    checked_in_at=start,
                    checked_out_at=start + timedelta(minutes=rng.randint(45, 75)),
                    planned_minutes=60,
                    location_ok=rng.random() >= 0.02,
                    home=home,
                )
            )
        if busy:  # 12 more on day 3, half an hour each
            day3 = START + timedelta(days=3, hours=9)
            beneficiary, home = clients[0]
            for k in range(12):
                start = day3 + timedelta(minutes=35 * k)
                out.append(
                    VisitRecord(
                        visit_id=(visit_id := _uuid(rng)),
                        provider_id=provider,
                        caregiver_id=caregiver,
                        beneficiary_id=beneficiary,
                        district_code=district,
                        checked_in_at=start,
                        checked_out_at=start + timedelta(minutes=30),
                        planned_minutes=30,
                        location_ok=True,
                        home=home,
                    )
                )
                injected.dense.add(visit_id)
    _inject(out, stays, injected, rng)
    return out, stays, injected


def _inject(
    out: list[VisitRecord], stays: list[HospitalStay], injected: Injected, rng: random.Random
) -> None:
    """Known anomalies at fixed rates, on visits whose next visit is of the same caregiver."""
    for i in range(0, len(out) - 1, 97):
        v, nxt = out[i], out[i + 1]
        if nxt.caregiver_id != v.caregiver_id:
            continue
        kind = (i // 97) % 5
        if kind == 0:  # the next visit starts half-way through this one
            start = v.checked_in_at + (v.checked_out_at - v.checked_in_at) / 2
            out[i + 1] = replace(nxt, checked_in_at=start, checked_out_at=start + timedelta(minutes=60))
            injected.overlapping |= {v.visit_id, nxt.visit_id}
        elif kind == 1 and nxt.home is not None:  # a home 50 km away, 20 minutes later
            far = (round(nxt.home[0] + 0.45, 2), nxt.home[1])
            start = v.checked_out_at + timedelta(minutes=20)
            out[i + 1] = replace(
                nxt,
                beneficiary_id=_uuid(rng),  # another beneficiary's home (the database keeps one per person)
                home=far,
                checked_in_at=start,
                checked_out_at=start + timedelta(minutes=60),
            )
            injected.impossible_travel.add(nxt.visit_id)
        elif kind == 2:
            out[i] = replace(v, checked_out_at=v.checked_in_at + timedelta(minutes=12))
            injected.short.add(v.visit_id)
        elif kind == 3:  # intake suspended the beneficiary that day, active again the next
            day = china_day(v.checked_in_at)
            at = v.checked_in_at - timedelta(days=2)
            injected.changes.append((StatusChange(v.beneficiary_id, "suspended", day, at), v.district_code))
            resumed = StatusChange(
                v.beneficiary_id, "active", day + timedelta(days=1), at + timedelta(minutes=1)
            )
            injected.changes.append((resumed, v.district_code))
            injected.suspended.add(v.visit_id)
        else:
            stays.append(
                HospitalStay(
                    v.beneficiary_id, v.checked_in_at - timedelta(hours=3), china_day(v.checked_in_at)
                )
            )
            injected.hospitalised.add(v.visit_id)


def run(visits: int, seed: int, days: int) -> dict[str, object]:
    t0 = time.perf_counter()
    records, stays, injected = generate(visits, seed=seed, days=days)
    generated = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t1 = time.perf_counter()
    inactive = inactive_periods(c for c, _ in injected.changes)
    hits = [*detect(records, stays, FraudRules(), inactive=inactive), *density(records, FraudRules())]
    detected = time.perf_counter() - t1
    found: dict[Signal, set[UUID]] = {s: set() for s in Signal}
    for h in hits:
        found[h.signal].add(h.visit_id)

    def recall(expected: set[UUID], signal: Signal) -> float:
        return round(len(expected & found[signal]) / len(expected), 4) if expected else 1.0

    return {
        "visits": len(records),
        "caregivers": len({r.caregiver_id for r in records}),
        "hospital_stays": len(stays),
        "generate_seconds": round(generated, 2),
        "detect_seconds": round(detected, 2),
        "visits_per_second": round(len(records) / detected) if detected else None,
        "peak_rss_mb_before_detect": round(rss_before / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "hits": dict(sorted(Counter(h.signal.value for h in hits).items())),
        "recall": {
            "overlapping_visits": recall(injected.overlapping, Signal.overlapping_visits),
            "impossible_travel": recall(injected.impossible_travel, Signal.impossible_travel),
            "short_visit": recall(injected.short, Signal.short_visit),
            "visit_while_hospitalised": recall(injected.hospitalised, Signal.visit_while_hospitalised),
            "visit_while_suspended": recall(injected.suspended, Signal.visit_while_suspended),
            "caregiver_density": recall(injected.dense, Signal.caregiver_density),
        },
        "injected": {
            "overlapping_visits": len(injected.overlapping),
            "impossible_travel": len(injected.impossible_travel),
            "short_visit": len(injected.short),
            "visit_while_hospitalised": len(injected.hospitalised),
            "visit_while_suspended": len(injected.suspended),
            "caregiver_density": len(injected.dense),
        },
    }


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _recreate(database_url: str) -> None:
    import asyncpg

    base, _, name = _pg(database_url).rpartition("/")
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def _migrate(database_url: str) -> None:
    env = {**os.environ, "AUDIT_DATABASE_URL": database_url}
    ini = Path(__file__).parents[1] / "services" / "audit" / "alembic.ini"
    subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"], check=True, env=env)


VISIT_COLUMNS = [
    "visit_id",
    "provider_id",
    "caregiver_id",
    "beneficiary_id",
    "district_code",
    "service_code",
    "scheduled_start_at",
    "scheduled_end_at",
    "checked_in_at",
    "location_ok",
    "checked_out_at",
    "verified",
]


def _visit_row(r: VisitRecord) -> tuple[object, ...]:
    planned_end = r.checked_in_at + timedelta(minutes=r.planned_minutes or 60)
    return (
        r.visit_id,
        r.provider_id,
        r.caregiver_id,
        r.beneficiary_id,
        r.district_code,
        "CS22",
        r.checked_in_at,
        planned_end,
        r.checked_in_at,
        r.location_ok,
        r.checked_out_at,
        True,
    )


async def _load(
    database_url: str,
    records: list[VisitRecord],
    stays: list[HospitalStay],
    changes: list[tuple[StatusChange, str]],
) -> None:
    import asyncpg

    homes = {r.beneficiary_id: (r.district_code, r.home) for r in records}
    conn = await asyncpg.connect(_pg(database_url))
    try:
        await conn.copy_records_to_table(
            "audit_beneficiaries",
            records=[
                (b, d, "active", h[0] if h else None, h[1] if h else None, START.date(), START)
                for b, (d, h) in homes.items()
            ],
            columns=[
                "beneficiary_id",
                "district_code",
                "status",
                "home_lat",
                "home_lon",
                "effective_on",
                "changed_at",
            ],
        )
        await conn.copy_records_to_table(
            "audit_visits", records=[_visit_row(r) for r in records], columns=VISIT_COLUMNS
        )
        rng = random.Random(0)
        await conn.copy_records_to_table(
            "hospital_stays",
            records=[
                (
                    _uuid(rng),
                    s.beneficiary_id,
                    homes[s.beneficiary_id][0],
                    s.start_at,
                    "hospitalised",
                    s.start_at,
                )
                for s in stays
            ],
            columns=[
                "emergency_id",
                "beneficiary_id",
                "district_code",
                "raised_at",
                "outcome",
                "resolved_at",
            ],
        )
        await conn.copy_records_to_table(
            "audit_beneficiary_status_changes",
            records=[(c.beneficiary_id, c.changed_at, c.effective_on, c.status, d) for c, d in changes],
            columns=["beneficiary_id", "changed_at", "effective_on", "status", "district_code"],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def _scan(database_url: str, days: int) -> tuple[float, int, int, dict[str, int]]:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from eldercare.audit.adapters.orm import MESSAGING
    from eldercare.audit.application.fraud import RunFraudScan, run_fraud_scan
    from eldercare.common.auth import Principal
    from eldercare.common.uow import UnitOfWork

    engine = create_async_engine(database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    principal = Principal(subject="bench", roles=frozenset({"auditor"}), region="4301")
    cmd = RunFraudScan("4301", START.date(), START.date() + timedelta(days=days - 1), principal)
    try:
        t0 = time.perf_counter()
        async with UnitOfWork(sessions, MESSAGING, source="bench") as uow:
            report = await run_fraud_scan(cmd, uow, FraudRules())
            await uow.commit()
        seconds = time.perf_counter() - t0
        return seconds, report.visits_scanned, len(report.flags_raised), dict(report.hits)
    finally:
        await engine.dispose()


def run_database(database_url: str, visits: int, seed: int, days: int) -> dict[str, object]:
    records, stays, injected = generate(visits, seed=seed, days=days)
    asyncio.run(_recreate(database_url))
    _migrate(database_url)
    t0 = time.perf_counter()
    asyncio.run(_load(database_url, records, stays, injected.changes))
    loaded = time.perf_counter() - t0
    count = len(records)
    del records
    seconds, scanned, raised, hits = asyncio.run(_scan(database_url, days))
    return {
        "mode": "database",
        "visits": count,
        "load_seconds": round(loaded, 2),
        "scan_seconds": round(seconds, 2),
        "visits_scanned": scanned,
        "flags_raised": raised,
        "hits": dict(sorted(hits.items())),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--database-url", help="a scratch database (dropped and recreated)")
    parser.add_argument("--embedded", action="store_true", help="a throw-away embedded PostgreSQL")
    args = parser.parse_args(argv)
    if args.embedded:
        from eldercare.common.testing.postgres import EmbeddedPostgres

        with tempfile.TemporaryDirectory(prefix="bench-audit-fraud-") as tmp:
            server = EmbeddedPostgres(Path(tmp) / "pg")
            server.start()
            try:
                url = server.database_url("bench_audit_fraud")
                result = run_database(url, args.visits, args.seed, args.days)
            finally:
                server.stop()
    elif args.database_url:
        result = run_database(args.database_url, args.visits, args.seed, args.days)
    else:
        result = run(args.visits, args.seed, args.days)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
