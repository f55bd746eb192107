"""Re-planning a day already under way: a caregiver drops out, or visits are added.

Only the affected routes are planned again (issue #5: "re-plans only the affected routes within
5 s with started and completed visits pinned"):

- a visit started (checked in) or completed is pinned to its caregiver and time, and so is every
  booked visit of a caregiver still on duty that starts before ``now + freeze`` (the caregiver may
  be on the way to it): the pinned visits are the head of each route, and the rest of the route
  starts where and when the last of them ends;
- the visits to place are the not yet started visits of the caregivers who dropped out, and the new
  visits; the helpers are, per visit to place, the ``helpers_per_visit`` caregivers nearest to it
  who may do it (qualification, sex), at most ``max_helpers`` in all;
- the helpers' unpinned visits and the visits to place are planned again among the helpers, a
  booked visit moved to another caregiver costing ``Weights.keep_seconds`` (so it stays where it
  is unless that makes room for a visit that would otherwise be left out);
- every other route is left exactly as it was (caregiver, order and times).

``check_timed`` replays the whole day with the planned times from the travel matrix alone.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from eldercare.dispatch.routing.district import (
    DayProblem,
    Job,
    Stop,
    Weights,
    Worker,
    check_day,
    repair,
    search_routes,
)
from eldercare.dispatch.routing.travel import TravelTimes

# A re-plan ends before its budget once this many PyVRP iterations in a row find nothing better: a
# single urgent visit then takes well under a second instead of the whole budget.
PATIENCE = 2_000


@dataclass(frozen=True)
class Booked:
    """A visit of the day as it stands: its caregiver and planned (or actual) times."""

    job: Job
    worker_id: Hashable
    start: int
    end: int
    # Checked in or completed: never moves.
    started: bool = False


@dataclass(frozen=True)
class Replan:
    routes: dict[Hashable, list[Stop]]
    unassigned: list[Hashable]
    # Same caregiver and time / same caregiver, new time / another caregiver (or newly placed).
    kept: list[Hashable] = field(default_factory=list)
    retimed: list[Hashable] = field(default_factory=list)
    moved: list[Hashable] = field(default_factory=list)
    pinned: list[Hashable] = field(default_factory=list)
    helpers: list[Hashable] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0


def replan_day(
    workers: Sequence[Worker],
    booked: Sequence[Booked],
    new_jobs: Sequence[Job],
    out: set[Hashable],
    now: int,
    travel: TravelTimes,
    seconds: float = 5.0,
    *,
    weights: Weights | None = None,
    freeze: int = 0,
    helpers_per_visit: int = 4,
    max_helpers: int = 40,
    seed: int = 1,
) -> Replan:
    """``workers`` are all the caregivers of the day (those in ``out`` included, if they have
    visits); ``booked`` every visit of the day with a caregiver; ``now`` and all times in seconds
    since local midnight."""
    began = time.perf_counter()
    weights = weights or Weights(keep_seconds=1800)
    by_worker: dict[Hashable, list[Booked]] = {}
    for b in sorted(booked, key=lambda b: b.start):
        by_worker.setdefault(b.worker_id, []).append(b)
    pinned: dict[Hashable, list[Booked]] = {}
    free: dict[Hashable, list[Booked]] = {}
    orphans: list[Job] = []
    for wid, visits in by_worker.items():
        if wid in out:
            pinned[wid] = [b for b in visits if b.started]
            orphans.extend(b.job for b in visits if not b.started)
        else:
            pinned[wid] = [b for b in visits if b.started or b.start < now + freeze]
            free[wid] = [b for b in visits if not (b.started or b.start < now + freeze)]
    to_place = orphans + list(new_jobs)
    on_duty = [w for w in workers if w.id not in out]
    helpers = _helpers(on_duty, free, pinned, to_place, travel, helpers_per_visit, max_helpers)

    routes: dict[Hashable, list[Stop]] = {
        wid: [Stop(b.job.id, b.start, b.end) for b in visits] for wid, visits in by_worker.items()
    }
    for wid in out:
        routes[wid] = [Stop(b.job.id, b.start, b.end) for b in pinned.get(wid, [])]
    unassigned: list[Hashable] = []
    sub_workers = []
    for w in list(helpers):
        head = pinned.get(w.id, [])
        start_point, available = (head[-1].job.point, head[-1].end) if head else (w.home, w.shift_start)
        if max(now, available) >= w.shift_end:
            helpers.remove(w)  # their day is over: nothing to re-plan
            continue
        sub_workers.append(
            replace(
                w,
                start_point=start_point,
                available_from=max(now, available, w.shift_start),
                max_visits=max(0, w.max_visits - len(head)),
            )
        )
    sub_jobs = [replace(b.job, current=b.worker_id) for w in helpers for b in free.get(w.id, [])]
    sub_jobs += to_place
    original = {b.job.id: b for b in booked}
    if to_place and sub_workers:
        problem = DayProblem(sub_workers, sub_jobs, travel, weights)
        # The search starts from the helpers' routes as booked (the visits to place left out).
        index = {j.id: k for k, j in enumerate(sub_jobs)}
        initial = {wi: [index[b.job.id] for b in free.get(w.id, [])] for wi, w in enumerate(sub_workers)}
        sequences = search_routes(problem, seconds, began, seed, initial, patience=PATIENCE)
        if check_day(problem, sequences).violations:
            sequences = repair(problem, sequences)
        for wi, w in enumerate(sub_workers):
            routes[w.id] = [Stop(b.job.id, b.start, b.end) for b in pinned.get(w.id, [])]
            routes[w.id] += _timed(problem, wi, sequences.get(wi, []), original)
        placed = {s.job_id for stops in routes.values() for s in stops}
        unassigned = [j.id for j in sub_jobs if j.id not in placed]
    else:
        unassigned = [j.id for j in to_place]
    routes = {wid: stops for wid, stops in routes.items() if stops}

    kept, retimed, moved = [], [], []
    for wid, stops in routes.items():
        for s in stops:
            before = original.get(s.job_id)
            if before is None or before.worker_id != wid:
                moved.append(s.job_id)
            elif before.start == s.start:
                kept.append(s.job_id)
            else:
                retimed.append(s.job_id)
    all_jobs = [b.job for b in booked] + list(new_jobs)
    pinned_ids = [b.job.id for visits in pinned.values() for b in visits]
    violations = check_timed(list(workers), all_jobs, routes, travel, fixed=set(pinned_ids), out=out)
    return Replan(
        routes=routes,
        unassigned=unassigned,
        kept=kept,
        retimed=retimed,
        moved=moved,
        pinned=pinned_ids,
        helpers=[w.id for w in helpers],
        violations=violations,
        seconds=time.perf_counter() - began,
    )


def _helpers(
    on_duty: Sequence[Worker],
    free: dict[Hashable, list[Booked]],
    pinned: dict[Hashable, list[Booked]],
    to_place: Sequence[Job],
    travel: TravelTimes,
    per_visit: int,
    cap: int,
) -> list[Worker]:
    """The caregivers whose routes pass nearest to the visits to place and who may do them."""
    if not to_place or not on_duty:
        return []
    # A route's points: home, and every visit of the day it holds.
    owners: list[int] = []
    points = []
    for wi, w in enumerate(on_duty):
        for p in [w.home] + [b.job.point for b in pinned.get(w.id, []) + free.get(w.id, [])]:
            owners.append(wi)
            points.append(p)
    n = len(points)
    m = travel.seconds(points + [j.point for j in to_place], on_duty[0].mode)
    near = np.full((len(on_duty), len(to_place)), np.iinfo(np.int64).max, dtype=np.int64)
    owner = np.array(owners)
    for k in range(len(to_place)):
        col = m[:n, n + k]
        np.minimum.at(near[:, k], owner, col)
    votes = np.zeros(len(on_duty), dtype=float)
    for k, job in enumerate(to_place):
        allowed = [wi for wi, w in enumerate(on_duty) if job.allows(w) and w.max_visits > 0]
        ranked = sorted(allowed, key=lambda wi: near[wi, k])[:per_visit]
        for rank, wi in enumerate(ranked):
            votes[wi] += 1.0 / (1 + rank)
    chosen = [wi for wi in np.argsort(-votes, kind="stable") if votes[wi] > 0][:cap]
    return [on_duty[wi] for wi in sorted(chosen)]


def _timed(problem: DayProblem, wi: int, seq: list[int], original: dict[Hashable, Booked]) -> list[Stop]:
    """Times for a re-planned route: each visit as close to its booked start as the route allows
    (the caregiver and the beneficiary were told that time), else as early as possible.

    A backward pass gives each stop's latest start that still lets the rest of the route (and the
    way home) fit; the forward pass then takes the booked start clamped between the earliest
    arrival and that latest start."""
    w = problem.workers[wi]
    locs = [problem._job_loc(k) for k in seq]
    latest: list[int] = [0] * len(seq)
    bound = w.shift_end
    nxt = wi  # home
    for n in range(len(seq) - 1, -1, -1):
        job = problem.jobs[seq[n]]
        bound = min(job.window_end, bound - problem.travel(w, locs[n], nxt)) - job.duration
        latest[n] = bound
        nxt = locs[n]
    here, t = problem.start_loc(wi), problem.start_time(wi)
    stops: list[Stop] = []
    for n, k in enumerate(seq):
        job = problem.jobs[k]
        earliest = max(t + problem.travel(w, here, locs[n]), job.window_start)
        before = original.get(job.id)
        wanted = before.start if before is not None else earliest
        start = max(earliest, min(wanted, latest[n]))
        stops.append(Stop(job.id, start, start + job.duration))
        here, t = locs[n], start + job.duration
    return stops


def check_timed(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    routes: dict[Hashable, list[Stop]],
    travel: TravelTimes,
    *,
    fixed: set[Hashable] = frozenset(),  # type: ignore[assignment]
    out: set[Hashable] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    """Replay timed routes from the travel matrix: every hard rule of ``district`` on the times as
    planned. Visits in ``fixed`` (started or completed) are facts, not plans: their own window is
    not checked, but what follows them must still fit. A caregiver in ``out`` holds fixed visits only.
    """
    violations: list[str] = []
    job_of = {j.id: j for j in jobs}
    worker_of = {w.id: w for w in workers}
    seen: dict[Hashable, int] = {}
    for wid, stops in routes.items():
        w = worker_of.get(wid)
        if w is None:
            violations.append(f"{wid}: not a caregiver of the day")
            continue
        if len(stops) > w.max_visits:
            violations.append(f"{wid}: {len(stops)} visits over the maximum {w.max_visits}")
        m = travel.seconds([w.home] + [job_of[s.job_id].point for s in stops], w.mode)
        here, t = 0, w.shift_start
        for n, s in enumerate(stops, start=1):
            job = job_of[s.job_id]
            seen[s.job_id] = seen.get(s.job_id, 0) + 1
            if s.job_id in fixed:
                here, t = n, s.end
                continue
            if wid in out:
                violations.append(f"{wid}: is out but still has {s.job_id}")
            if not (job.needs_certified <= w.certified):
                violations.append(f"{wid}: {s.job_id} needs a certified caregiver (第九条（八）)")
            if job.required_sex is not None and job.required_sex != w.sex:
                violations.append(f"{wid}: {s.job_id} needs a caregiver of sex {job.required_sex}")
            if s.start < t + int(m[here, n]):
                violations.append(f"{wid}: {s.job_id} starts at {s.start} s, before it can be reached")
            if s.start < job.window_start or s.end > job.window_end:
                violations.append(f"{wid}: {s.job_id} at {s.start}-{s.end} s leaves its window")
            if s.end - s.start != job.duration:
                violations.append(f"{wid}: {s.job_id} does not last its {job.duration} s")
            here, t = n, s.end
        if stops and stops[-1].job_id not in fixed and t + int(m[here, 0]) > w.shift_end:
            violations.append(f"{wid}: home at {t + int(m[here, 0])} s after the shift ends")
    twice = [j for j, n in seen.items() if n > 1]
    if twice:
        violations.append(f"visits assigned more than once: {twice[:10]}")
    return violations
