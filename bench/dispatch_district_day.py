"""A district's day planned by the dispatch scheduler core, on a reproducible synthetic district.

    uv run python bench/dispatch_district_day.py [--visits 1000] [--caregivers 100] [--seconds 30] [--seed 7]

Generates caregivers (home, shift, certification, maximum visits, travel mode) and visits (home,
window, duration, whether the item is professional) in a 6 km x 6 km district around central
Changsha from ``--seed``, plans the day with ``routing.district.plan_day`` and prints one JSON line:
wall time, travel, visits assigned and unassigned, and the hard-constraint violations found by the
independent replay (``check_day``), which must be 0.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.routing.district import Job, Worker, plan_day
from eldercare.dispatch.routing.travel import HaversineTravel, TravelMode

CENTRE = Point(28.1941, 112.9823)
# 6 km: about 0.054° of latitude, 0.061° of longitude at 28.2°N.
HALF_LAT, HALF_LON = 0.027, 0.0306
# Planning speeds for the bench only; the service reads its own from settings.
SPEEDS = {TravelMode.walk: 1.2, TravelMode.e_bike: 4.0}
HOUR = 3600


def _point(rng: random.Random) -> Point:
    return Point(CENTRE.lat + rng.uniform(-HALF_LAT, HALF_LAT), CENTRE.lon + rng.uniform(-HALF_LON, HALF_LON))


def generate(visits: int, caregivers: int, seed: int) -> tuple[list[Worker], list[Job]]:
    rng = random.Random(seed)
    shifts = [(7 * HOUR, 16 * HOUR), (8 * HOUR, 17 * HOUR), (9 * HOUR, 18 * HOUR), (11 * HOUR, 20 * HOUR)]
    workers = [
        Worker(
            id=f"cg{i:03d}",
            home=_point(rng),
            shift_start=(s := rng.choice(shifts))[0],
            shift_end=s[1],
            max_visits=rng.choice([10, 11, 12]),
            certified=rng.random() < 0.35,
            mode=TravelMode.walk if rng.random() < 0.15 else TravelMode.e_bike,
        )
        for i in range(caregivers)
    ]
    windows = [(7 * HOUR, 12 * HOUR), (8 * HOUR, 11 * HOUR), (13 * HOUR, 18 * HOUR), (9 * HOUR, 17 * HOUR)]
    windows += [(h * HOUR, (h + 2) * HOUR) for h in range(8, 18, 2)]
    jobs = [
        Job(
            id=f"v{k:04d}",
            point=_point(rng),
            window_start=(w := rng.choice(windows))[0],
            window_end=w[1],
            duration=rng.choice([30, 30, 45, 60]) * 60,
            needs_certified=rng.random() < 0.15,
        )
        for k in range(visits)
    ]
    return workers, jobs


def run(visits: int, caregivers: int, seconds: float, seed: int) -> dict:
    workers, jobs = generate(visits, caregivers, seed)
    plan = plan_day(workers, jobs, HaversineTravel(SPEEDS), seconds=seconds, seed=seed)
    return {
        "visits": visits,
        "caregivers": caregivers,
        "seed": seed,
        "budget_seconds": seconds,
        "seconds": round(plan.seconds, 2),
        "assigned": visits - len(plan.unassigned),
        "unassigned": len(plan.unassigned),
        "caregivers_used": len(plan.routes),
        "travel_hours": round(plan.travel_seconds / HOUR, 1),
        "hard_violations": len(plan.violations),
        "solver_violations_before_repair": plan.solver_violations,
        "violations": plan.violations[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--caregivers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    row = run(args.visits, args.caregivers, args.seconds, args.seed)
    print(json.dumps(row))
    return 0 if row["hard_violations"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
