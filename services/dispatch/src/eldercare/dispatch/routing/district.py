"""A district's day: assign visits to caregivers and order each caregiver's round.

Hard constraints (a plan breaking one is never returned as assigned):
- qualification per item: a professional item only by a certified caregiver
  (changsha-2024-purchased-door-to-door-rules.md 第九条（八）);
- the caregiver's shift: leaves home no earlier than its start, is home again by its end;
- the visit's window: starts at or after ``window_start``, ends by ``window_end``;
- no overlaps: one caregiver does one visit at a time and travels between them;
- at most ``max_visits`` visits a day per caregiver;
- the caregiver's sex where the care plan sets a preference for intimate care (issue #5 lists it
  among the hard constraints): ``Job.required_sex``.
Soft goals (``Weights``, in the objective's unit, seconds of travel): total travel time; continuity
of care (a visit not done by the caregiver who served the beneficiary most often / most recently
costs up to ``continuity_seconds``); balanced workload (each second a caregiver's day runs over an
even share of the day's work costs ``workload_per_second``, PyVRP's overtime on a nominal shift);
when re-planning, a booked visit moved to another caregiver costs ``keep_seconds``. A visit that fits
no caregiver is left unassigned and reported.

Times are whole seconds since local midnight of the day. PyVRP searches; ``check_day`` replays the
result from the travel matrix alone and is what the scheduler and the bench trust.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, Route, Solution, VehicleType, solve
from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement, StoppingCriterion

from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.routing.travel import TravelMode, TravelTimes

# Travel to or from a visit the caregiver may not do: large enough to break any shift, small enough
# that sums of a few thousand stay far from int64 overflow.
FORBIDDEN = 10**9
# Reward for serving a visit, in the objective's unit (travel seconds): more than any detour a visit
# can cost (5.5 h), so the search leaves a visit out only when no caregiver can take it, and below
# PyVRP's largest penalty per unit of excess load or lateness (1e5), so that breaking a hard
# constraint never pays for itself. A visit's prize also covers the soft penalties it can carry.
PRIZE = 20_000
# Bounds on the soft weights that keep every prize below PyVRP's largest penalty (1e5).
MAX_SOFT_SECONDS = 7_200
MAX_WORKLOAD_PER_SECOND = 4


@dataclass(frozen=True)
class Weights:
    """The soft goals beside travel, in seconds of travel (the objective's unit)."""

    continuity_seconds: int = 0
    workload_per_second: int = 0
    keep_seconds: int = 0

    def __post_init__(self) -> None:
        for name in ("continuity_seconds", "keep_seconds"):
            if not 0 <= getattr(self, name) <= MAX_SOFT_SECONDS:
                raise ValueError(f"{name} must be within 0..{MAX_SOFT_SECONDS}")
        if not 0 <= self.workload_per_second <= MAX_WORKLOAD_PER_SECOND:
            raise ValueError(f"workload_per_second must be within 0..{MAX_WORKLOAD_PER_SECOND}")


@dataclass(frozen=True)
class Worker:
    id: Hashable
    home: Point
    shift_start: int
    shift_end: int
    max_visits: int
    certified: bool
    mode: TravelMode = TravelMode.e_bike
    sex: str | None = None
    # Re-planning: where and from when the rest of the day starts (after the visits pinned to the
    # caregiver). None: at home, at the shift's start.
    start_point: Point | None = None
    available_from: int | None = None


@dataclass(frozen=True)
class Job:
    id: Hashable
    point: Point
    window_start: int
    window_end: int
    duration: int
    needs_certified: bool
    # Intimate care with a sex preference in the plan: only a caregiver of that sex (hard).
    required_sex: str | None = None
    # Continuity of care: (caregiver id, affinity in (0, 1]) for caregivers who served the
    # beneficiary before; 1 is the one to prefer (most often, then most recently).
    continuity: tuple[tuple[Hashable, float], ...] = ()
    # Re-planning: the caregiver the visit is booked with now.
    current: Hashable | None = None

    def allows(self, w: Worker) -> bool:
        """The hard rules of who may do this visit."""
        if self.needs_certified and not w.certified:
            return False
        return self.required_sex is None or self.required_sex == w.sex

    def penalty(self, w: Worker, weights: Weights) -> int:
        """The soft cost, in travel seconds, of ``w`` doing this visit."""
        cost = 0
        if self.continuity and weights.continuity_seconds:
            affinity = dict(self.continuity).get(w.id, 0.0)
            cost += round(weights.continuity_seconds * (1.0 - min(1.0, max(0.0, affinity))))
        if self.current is not None and self.current != w.id:
            cost += weights.keep_seconds
        return cost


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
    """The matrices and PyVRP data for one day; locations are the workers' homes, then the jobs,
    then the re-planning start points of the workers that have one."""

    def __init__(
        self,
        workers: Sequence[Worker],
        jobs: Sequence[Job],
        travel: TravelTimes | None,
        weights: Weights | None = None,
    ) -> None:
        self.workers = list(workers)
        self.jobs = list(jobs)
        self.weights = weights or Weights()
        self.starts = {i: w.start_point for i, w in enumerate(self.workers) if w.start_point is not None}
        self._start_loc = {i: len(self.workers) + len(self.jobs) + n for n, i in enumerate(self.starts)}
        self.points = (
            [w.home for w in self.workers] + [j.point for j in self.jobs] + list(self.starts.values())
        )
        modes = sorted({w.mode for w in self.workers})
        self.matrix = {mode: travel.seconds(self.points, mode) for mode in modes} if travel else {}

    def subset(self, wis: Sequence[int], ks: Sequence[int]) -> DayProblem:
        """The same day for some workers and jobs, from this day's matrices (no new travel query)."""
        sub = DayProblem([self.workers[i] for i in wis], [self.jobs[k] for k in ks], None, self.weights)
        idx = np.array(
            list(wis) + [self._job_loc(k) for k in ks] + [self.start_loc(i) for i in wis if i in self.starts],
            dtype=int,
        )
        sub.matrix = {mode: m[np.ix_(idx, idx)] for mode, m in self.matrix.items()}
        return sub

    def personal_cells(self) -> int:
        """Matrix cells PyVRP would hold with one profile per worker (continuity, keeping visits)."""
        return len(self.workers) * len(self.points) ** 2

    def _job_loc(self, k: int) -> int:
        return len(self.workers) + k

    def start_loc(self, wi: int) -> int:
        """Where worker ``wi``'s route starts: its re-planning start point, else home."""
        return self._start_loc.get(wi, wi)

    def start_time(self, wi: int) -> int:
        w = self.workers[wi]
        return w.shift_start if w.available_from is None else max(w.shift_start, w.available_from)

    def travel(self, worker: Worker, a: int, b: int) -> int:
        return int(self.matrix[worker.mode][a, b])

    def workload_target(self) -> int:
        """An even share of the day's work per worker: visit time plus each visit's shortest way in."""
        if not self.jobs or not self.workers:
            return 0
        m = self.matrix[self.workers[0].mode]
        cols = np.arange(len(self.workers), len(self.workers) + len(self.jobs))
        sub = m[:, cols].astype(float)
        sub[cols, np.arange(len(cols))] = np.inf
        way_in = float(np.min(sub, axis=0).sum())
        work = sum(j.duration for j in self.jobs) + way_in
        return int(work / len(self.workers))

    @staticmethod
    def _prize(job: Job, penalties: np.ndarray, weights: Weights) -> int:
        """Above any detour plus the soft costs the visit can bring, so it is left out only when
        nobody can take it."""
        return PRIZE + int(penalties.max(initial=0)) + weights.workload_per_second * job.duration

    def has_personal_penalties(self) -> bool:
        return any(j.penalty(w, self.weights) for j in self.jobs for w in self.workers)

    def data(self, personal: bool = True) -> ProblemData:
        """``personal=False`` leaves out the penalties that differ between workers (continuity,
        keeping a booked visit), so the workers share a few profiles."""
        nw = len(self.workers)
        weights = self.weights if personal else replace(self.weights, continuity_seconds=0, keep_seconds=0)
        locations = [Location(x=p.lon, y=p.lat) for p in self.points]
        depot_locs = list(range(nw)) + list(self._start_loc.values())
        depots = [Depot(location=loc) for loc in depot_locs]
        depot_of = {loc: n for n, loc in enumerate(depot_locs)}
        penalties = np.array(
            [[job.penalty(w, weights) for job in self.jobs] for w in self.workers], dtype=np.int64
        ).reshape(nw, len(self.jobs))
        clients = [
            Client(
                location=self._job_loc(k),
                delivery=[1],
                service_duration=job.duration,
                tw_early=job.window_start,
                tw_late=job.window_end - job.duration,
                prize=self._prize(job, penalties[:, k], weights),
                # Re-planning: a visit already booked stays booked (with someone); its current
                # route, which the search starts from, shows that it fits.
                required=job.current is not None,
                name=str(k),
            )
            for k, job in enumerate(self.jobs)
        ]
        # One profile per kind of worker (mode, certified, sex), or per worker when soft penalties
        # differ between workers (continuity, keeping a booked visit).
        personal = bool(penalties.any())
        profiles: dict[Hashable, int] = {}
        distances: list[np.ndarray] = []
        durations: list[np.ndarray] = []
        base: dict[Hashable, np.ndarray] = {}
        for wi, w in enumerate(self.workers):
            kind = (w.mode, w.certified, w.sex)
            if kind not in base:
                m = self.matrix[w.mode].copy()
                barred = np.array(
                    [self._job_loc(k) for k, j in enumerate(self.jobs) if not j.allows(w)], dtype=int
                )
                if barred.size:
                    # 第九条（八） and the plan's sex preference: the worker can never reach the visit.
                    m[:, barred] = FORBIDDEN
                    m[barred, :] = FORBIDDEN
                    np.fill_diagonal(m, 0)
                base[kind] = m
            key: Hashable = ("worker", wi) if personal else kind
            if key in profiles:
                continue
            profiles[key] = len(distances)
            durations.append(base[kind])
            if personal:
                d = base[kind].copy()
                cols = np.arange(nw, nw + len(self.jobs))
                d[:, cols] += penalties[wi][None, :]
                d[cols, cols] = 0
                distances.append(d)
            else:
                distances.append(base[kind])
        target = self.workload_target()
        vehicle_types = []
        for i, w in enumerate(self.workers):
            early, late = self.start_time(i), w.shift_end
            span = max(0, late - early)
            balance = weights.workload_per_second > 0 and 0 < target < span
            vehicle_types.append(
                VehicleType(
                    num_available=1,
                    capacity=[w.max_visits],
                    start_depot=depot_of[self.start_loc(i)],
                    end_depot=depot_of[i],
                    tw_early=early,
                    tw_late=late,
                    # Balanced workload: a nominal day of an even share, the rest as costly overtime.
                    shift_duration=target if balance else np.iinfo(np.int64).max,
                    max_overtime=span - target if balance else 0,
                    unit_overtime_cost=weights.workload_per_second if balance else 0,
                    profile=profiles[("worker", i) if personal else (w.mode, w.certified, w.sex)],
                    name=str(i),
                )
            )
        return ProblemData(
            locations=locations,
            clients=clients,
            depots=depots,
            vehicle_types=vehicle_types,
            # PyVRP's stubs spell the matrix type oddly (ndarray[int]); these are int64 n x n.
            distance_matrices=distances,  # type: ignore[arg-type]
            duration_matrices=durations,  # type: ignore[arg-type]
        )


def plan_day(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    travel: TravelTimes,
    seconds: float,
    seed: int = 1,
    weights: Weights | None = None,
) -> DayPlan:
    """Plan within about ``seconds`` of wall time, matrices included."""
    began = time.perf_counter()
    problem = DayProblem(workers, jobs, travel, weights)
    if not jobs or not workers:
        return DayPlan({}, [j.id for j in jobs], 0, seconds=time.perf_counter() - began)
    sequences = search_routes(problem, seconds, began, seed)
    raw = check_day(problem, sequences)
    plan = check_day(problem, repair(problem, sequences)) if raw.violations else raw
    elapsed = time.perf_counter() - began
    return DayPlan(
        plan.routes, plan.unassigned, plan.travel_seconds, plan.violations, elapsed, len(raw.violations)
    )


# One PyVRP profile per worker costs workers x locations^2 cells twice (distance and duration); past
# this many (about 0.3 GB of int64 per copy) the day is solved with shared profiles first and the
# per-worker penalties are then applied group by group.
MAX_PERSONAL_CELLS = 40_000_000
GROUP_SIZE = 10


def search_routes(
    problem: DayProblem,
    seconds: float,
    began: float,
    seed: int,
    initial: dict[int, list[int]] | None = None,
    patience: int | None = None,
) -> dict[int, list[int]]:
    """PyVRP's answer as job indices per worker index, within what is left of ``seconds`` (sooner
    when ``patience`` iterations in a row bring no improvement)."""
    # ``seconds`` is the whole budget: building the matrices counts against it, and a reserve covers
    # PyVRP's last exhaustive search on its best solution, reading the result back and the replay
    # (1.5-2.5 s together for 1,000 visits on this loaded machine, growing with the visits).
    reserve = min(seconds / 2, 0.05 * seconds + 0.002 * len(problem.jobs))
    personal = problem.has_personal_penalties()
    if personal and problem.personal_cells() > MAX_PERSONAL_CELLS:
        # Too large for a profile per worker: the day with shared profiles on part of the budget,
        # then each group of neighbouring workers again with its own penalties, from that answer.
        left = max(0.1, seconds - (time.perf_counter() - began) - reserve)
        first = _solve(problem, problem.data(personal=False), 0.6 * left, seed, initial)
        return _improve_by_groups(problem, first, began + seconds - reserve, seed)
    data = problem.data(personal)
    left = max(0.1, seconds - (time.perf_counter() - began) - reserve)
    return _solve(problem, data, left, seed, initial, patience)


def _solve(
    problem: DayProblem,
    data: ProblemData,
    seconds: float,
    seed: int,
    initial: dict[int, list[int]] | None = None,
    patience: int | None = None,
) -> dict[int, list[int]]:
    start = None
    if initial:
        start = Solution(data, [Route(data, seq, wi) for wi, seq in initial.items() if seq])
    stop: StoppingCriterion = MaxRuntime(max(0.05, seconds))
    if patience:
        stop = MultipleCriteria([stop, NoImprovement(patience)])
    result = solve(
        data,
        stop=stop,
        seed=seed,
        display=False,
        collect_stats=False,
        initial_solution=start,
    )
    sequences: dict[int, list[int]] = {}
    for route in result.best.routes():
        sequences[route.vehicle_type()] = [act.idx for act in route.schedule() if act.is_client()]
    return sequences


def _groups(points: Sequence[Point], size: int) -> list[list[int]]:
    """Indices of ``points`` in groups of at most ``size`` neighbours (recursive median splits)."""

    def split(idx: list[int]) -> list[list[int]]:
        if len(idx) <= size:
            return [idx]
        lat = [points[i].lat for i in idx]
        lon = [points[i].lon for i in idx]
        axis = lat if max(lat) - min(lat) >= max(lon) - min(lon) else lon
        order = [i for _, i in sorted(zip(axis, idx, strict=True))]
        half = len(order) // 2
        return split(order[:half]) + split(order[half:])

    return split(list(range(len(points))))


def _improve_by_groups(
    problem: DayProblem, sequences: dict[int, list[int]], deadline: float, seed: int
) -> dict[int, list[int]]:
    """Re-solve each group of neighbouring workers with their own penalties, starting from their
    routes in ``sequences``; a job nobody took goes to the group of the worker it prefers."""
    out = dict(sequences)
    taken = {k for seq in sequences.values() for k in seq}
    groups = _groups([w.home for w in problem.workers], GROUP_SIZE)
    group_of = {wi: g for g, members in enumerate(groups) for wi in members}
    index = {w.id: wi for wi, w in enumerate(problem.workers)}
    loose: dict[int, list[int]] = {}
    for k, job in enumerate(problem.jobs):
        if k in taken:
            continue
        best = max(job.continuity, key=lambda c: c[1], default=None)
        wi = index.get(best[0]) if best else None
        if wi is not None:
            loose.setdefault(group_of[wi], []).append(k)
    for g, members in enumerate(groups):
        left = (deadline - time.perf_counter()) / (len(groups) - g)
        if left <= 0.05:
            break
        ks = [k for wi in members for k in sequences.get(wi, [])] + loose.get(g, [])
        if not ks:
            continue
        sub = problem.subset(members, ks)
        local = {k: n for n, k in enumerate(ks)}
        initial = {n: [local[k] for k in sequences.get(wi, [])] for n, wi in enumerate(members)}
        found = _solve(sub, sub.data(), left, seed, initial)
        for n, wi in enumerate(members):
            out[wi] = [ks[k] for k in found.get(n, [])]
    return out


def repair(problem: DayProblem, sequences: dict[int, list[int]]) -> dict[int, list[int]]:
    """A safety net: keep, in order, each visit the route can still take without breaking a hard
    constraint (and with time to get home); the rest become unassigned."""
    taken: set[int] = set()
    out: dict[int, list[int]] = {}
    for wi, seq in sequences.items():
        w = problem.workers[wi]
        here, t = problem.start_loc(wi), problem.start_time(wi)
        kept: list[int] = []
        for k in seq:
            job = problem.jobs[k]
            loc = problem._job_loc(k)
            start = max(t + problem.travel(w, here, loc), job.window_start)
            end = start + job.duration
            fits = (
                k not in taken
                and len(kept) < w.max_visits
                and job.allows(w)
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
        here, t = problem.start_loc(wi), problem.start_time(wi)
        stops: list[Stop] = []
        for k in seq:
            job = problem.jobs[k]
            served[k] = served.get(k, 0) + 1
            if job.needs_certified and not w.certified:
                violations.append(f"{w.id}: {job.id} needs a certified caregiver (第九条（八）)")
            if job.required_sex is not None and job.required_sex != w.sex:
                violations.append(f"{w.id}: {job.id} needs a caregiver of sex {job.required_sex}")
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
