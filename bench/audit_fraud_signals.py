"""The fraud-signal batch detector over a large synthetic period of visits (issue #7: 1,000,000
visits in under 60 s).

    uv run python bench/audit_fraud_signals.py [--visits 1000000] [--seed 7] [--days 30]

Generates a reproducible month of completed visits (one caregiver about 50 visits, two or three a
day at 08:00, 10:30 and 14:00 China time, homes of the caregiver's own cluster within a few km,
about 2 % of check-ins outside the geofence at random), then injects known anomalies: overlapping
visits, a home 50 km away between two close visits (impossible travel), visits far shorter than
planned, and visits on the day of a hospital stay. Times ``domain.fraud.detect`` (the code behind
the stream detector and ``POST /v1/fraud-scans``) over all of them in one call, and checks that
every injected anomaly was found. Prints one JSON line: generation and detection seconds, peak
RSS, hits per signal and the recall of each injected anomaly.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from eldercare.audit.domain.fraud import FraudRules, HospitalStay, Signal, VisitRecord, china_day, detect

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


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def generate(
    visits: int, *, seed: int = 7, days: int = 30
) -> tuple[list[VisitRecord], list[HospitalStay], Injected]:
    rng = random.Random(seed)
    caregivers = max(1, visits // VISITS_PER_CAREGIVER)
    out: list[VisitRecord] = []
    injected = Injected(set(), set(), set(), set())
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
        count = VISITS_PER_CAREGIVER if c < caregivers - 1 else visits - len(out)
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
        kind = (i // 97) % 4
        if kind == 0:  # the next visit starts half-way through this one
            start = v.checked_in_at + (v.checked_out_at - v.checked_in_at) / 2
            out[i + 1] = replace(nxt, checked_in_at=start, checked_out_at=start + timedelta(minutes=60))
            injected.overlapping |= {v.visit_id, nxt.visit_id}
        elif kind == 1 and nxt.home is not None:  # 50 km away, about an hour and a half later
            far = (round(nxt.home[0] + 0.45, 2), nxt.home[1])
            start = v.checked_out_at + timedelta(minutes=20)
            out[i + 1] = replace(
                nxt, home=far, checked_in_at=start, checked_out_at=start + timedelta(minutes=60)
            )
            injected.impossible_travel.add(nxt.visit_id)
        elif kind == 2:
            out[i] = replace(v, checked_out_at=v.checked_in_at + timedelta(minutes=12))
            injected.short.add(v.visit_id)
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
    hits = detect(records, stays, FraudRules())
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
        },
        "injected": {
            "overlapping_visits": len(injected.overlapping),
            "impossible_travel": len(injected.impossible_travel),
            "short_visit": len(injected.short),
            "visit_while_hospitalised": len(injected.hospitalised),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.visits, args.seed, args.days), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
