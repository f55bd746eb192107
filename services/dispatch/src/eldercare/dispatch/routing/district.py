"""A district's day: assign visits to caregivers and order each caregiver's round.

Hard constraints (a plan breaking one is never returned as assigned):
- qualification per item: a professional item only by a certified caregiver
  (changsha-2024-purchased-door-to-door-rules.md 第九条（八）);
- the caregiver's shift: leaves home no earlier than its start, is home again by its end;
- the visit's window: starts at or after ``window_start``, ends by ``window_end``;
- no overlaps: one caregiver does one visit at a time and travels between them;
- at most ``max_visits`` visits a day per caregiver.
Soft goal: total travel time. A visit that fits no caregiver is left unassigned and reported.

Times are whole seconds since local midnight of the day. PyVRP searches; ``check_day`` replays the
result from the travel matrix alone and is what the scheduler and the bench trust.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
from pyvrp.stop import MaxRuntime

from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.routing.travel import TravelMode, TravelTimes

# Travel to or from a visit the caregiver may not do: large enough to break any shift, small enough
# that sums of a few thousand stay far from int64 overflow.
FORBIDDEN = 10**9
# Reward for serving a visit, in the objective's unit (travel seconds): more than any detour a visit
# can cost (5.5 h), so the search leaves a visit out only when no caregiver can take it, and below
# PyVRP's largest penalty per unit of excess load or lateness (1e5), so that breaking a hard
# constraint never pays for itself.
PRIZE = 20_000


@dataclass(frozen=True)
class Worker:
    id: Hashable
    home: Point
    shift_start: int
    shift_end: int
    max_visits: int
    certified: bool
    mode: TravelMode = TravelMode.e_bike


@dataclass(frozen=True)
class Job:
    id: Hashable
    point: Point
    window_start: int
    window_end: int
    duration: int
    needs_certified: bool


@dataclass(frozen=True)
class Stop:
    job_id: Hashable
    start: int
    end: int


@dataclass(frozen=True)
class DayPlan:
    routes: dict[Hashable, list[Stop]]
    unassigned: list[Hashable]
    travel_seconds: int
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Hard-constraint violations in the solver's own answer before ``repair`` (expected 0).
    solver_violations: int = 0


class DayProblem:
    """The matrices and PyVRP data for one day; locations are the workers' homes, then the jobs."""

    def __init__(self, workers: Sequence[Worker], jobs: Sequence[Job], travel: TravelTimes) -> None:
        self.workers = list(workers)
        self.jobs = list(jobs)
        self.points = [w.home for w in self.workers] + [j.point for j in self.jobs]
        modes = sorted({w.mode for w in self.workers})
        self.matrix = {mode: travel.seconds(self.points, mode) for mode in modes}

    def _job_loc(self, k: int) -> int:
        return len(self.workers) + k

    def travel(self, worker: Worker, a: int, b: int) -> int:
        return int(self.matrix[worker.mode][a, b])

    def data(self) -> ProblemData:
        nw = len(self.workers)
        locations = [Location(x=p.lon, y=p.lat) for p in self.points]
        depots = [Depot(location=i) for i in range(nw)]
        clients = [
            Client(
                location=self._job_loc(k),
                delivery=[1],
                service_duration=job.duration,
                tw_early=job.window_start,
                tw_late=job.window_end - job.duration,
                prize=PRIZE,
                required=False,
                name=str(k),
            )
            for k, job in enumerate(self.jobs)
        ]
        profiles: dict[tuple[TravelMode, bool], int] = {}
        matrices: list[np.ndarray] = []
        restricted = np.array(
            [self._job_loc(k) for k, j in enumerate(self.jobs) if j.needs_certified], dtype=int
        )
        for w in self.workers:
            key = (w.mode, w.certified)
            if key in profiles:
                continue
            m = self.matrix[w.mode].copy()
            if not w.certified and restricted.size:
                # 第九条（八）: an uncertified caregiver can never reach a professional item.
                m[:, restricted] = FORBIDDEN
                m[restricted, :] = FORBIDDEN
                m[restricted, restricted] = FORBIDDEN
                np.fill_diagonal(m, 0)
            profiles[key] = len(matrices)
            matrices.append(m)
        vehicle_types = [
            VehicleType(
                num_available=1,
                capacity=[w.max_visits],
                start_depot=i,
                end_depot=i,
                tw_early=w.shift_start,
                tw_late=w.shift_end,
                profile=profiles[(w.mode, w.certified)],
                name=str(i),
            )
            for i, w in enumerate(self.workers)
        ]
        return ProblemData(
            locations=locations,
            clients=clients,
            depots=depots,
            vehicle_types=vehicle_types,
            # PyVRP's stubs spell the matrix type oddly (ndarray[int]); these are int64 n x n.
            distance_matrices=matrices,  # type: ignore[arg-type]
            duration_matrices=matrices,  # type: ignore[arg-type]
        )


def plan_day(
    workers: Sequence[Worker], jobs: Sequence[Job], travel: TravelTimes, seconds: float, seed: int = 1
) -> DayPlan:
    """Plan within about ``seconds`` of wall time, matrices included."""
    began = time.perf_counter()
    problem = DayProblem(workers, jobs, travel)
    if not jobs or not workers:
        return DayPlan({}, [j.id for j in jobs], 0, seconds=time.perf_counter() - began)
    data = problem.data()
    # ``seconds`` is the whole budget: building the matrices counts against it, and a reserve covers
    # PyVRP's last exhaustive search on its best solution, reading the result back and the replay
    # (1.5-2.5 s together for 1,000 visits on this loaded machine, growing with the visits).
    reserve = min(seconds / 2, 0.05 * seconds + 0.002 * len(jobs))
    left = max(0.1, seconds - (time.perf_counter() - began) - reserve)
    result = solve(data, stop=MaxRuntime(left), seed=seed, display=False, collect_stats=False)
    sequences: dict[int, list[int]] = {}
    for route in result.best.routes():
        sequences[route.vehicle_type()] = [act.idx for act in route.schedule() if act.is_client()]
    raw = check_day(problem, sequences)
    plan = check_day(problem, repair(problem, sequences)) if raw.violations else raw
    elapsed = time.perf_counter() - began
    return DayPlan(
        plan.routes, plan.unassigned, plan.travel_seconds, plan.violations, elapsed, len(raw.violations)
    )


def repair(problem: DayProblem, sequences: dict[int, list[int]]) -> dict[int, list[int]]:
    """A safety net: keep, in order, each visit the route can still take without breaking a hard
    constraint (and with time to get home); the rest become unassigned."""
    taken: set[int] = set()
    out: dict[int, list[int]] = {}
    for wi, seq in sequences.items():
        w = problem.workers[wi]
        here, t = wi, w.shift_start
        kept: list[int] = []
        for k in seq:
            job = problem.jobs[k]
            loc = problem._job_loc(k)
            start = max(t + problem.travel(w, here, loc), job.window_start)
            end = start + job.duration
            fits = (
                k not in taken
                and len(kept) < w.max_visits
                and (w.certified or not job.needs_certified)
                and end <= job.window_end
                and end + problem.travel(w, loc, wi) <= w.shift_end
            )
            if fits:
                kept.append(k)
                taken.add(k)
                here, t = loc, end
        out[wi] = kept
    return out


def check_day(problem: DayProblem, sequences: dict[int, list[int]]) -> DayPlan:
    """Replay each worker's sequence of job indices from the matrix: earliest start at every stop.

    Returns the timed routes and every hard constraint broken. The scheduler refuses to publish a
    plan with violations; the bench prints their number.
    """
    violations: list[str] = []
    routes: dict[Hashable, list[Stop]] = {}
    served: dict[int, int] = {}
    total = 0
    for wi, seq in sequences.items():
        w = problem.workers[wi]
        if len(seq) > w.max_visits:
            violations.append(f"{w.id}: {len(seq)} visits over the maximum {w.max_visits}")
        here, t = wi, w.shift_start
        stops: list[Stop] = []
        for k in seq:
            job = problem.jobs[k]
            served[k] = served.get(k, 0) + 1
            if job.needs_certified and not w.certified:
                violations.append(f"{w.id}: {job.id} needs a certified caregiver (第九条（八）)")
            leg = problem.travel(w, here, problem._job_loc(k))
            total += leg
            start = max(t + leg, job.window_start)
            end = start + job.duration
            if end > job.window_end:
                violations.append(f"{w.id}: {job.id} ends at {end} s, after its window ({job.window_end} s)")
            if stops and start < stops[-1].end:
                violations.append(f"{w.id}: {job.id} overlaps {stops[-1].job_id}")
            stops.append(Stop(job.id, start, end))
            here, t = problem._job_loc(k), end
        if seq:
            leg = problem.travel(w, here, wi)
            total += leg
            if t + leg > w.shift_end:
                violations.append(f"{w.id}: home at {t + leg} s after the shift ends at {w.shift_end} s")
            routes[w.id] = stops
    twice = [problem.jobs[k].id for k, n in served.items() if n > 1]
    if twice:
        violations.append(f"visits assigned more than once: {twice[:10]}")
    unassigned = [j.id for k, j in enumerate(problem.jobs) if k not in served]
    return DayPlan(routes, unassigned, total, violations)
