"""Soft goals of the district day (continuity of care, balanced workload) and the sex rule."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import ClassVar

import pytest

from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.routing import district
from eldercare.dispatch.routing.district import Job, Weights, Worker, plan_day
from eldercare.dispatch.routing.travel import HaversineTravel, TravelMode

H = 3600
TRAVEL = HaversineTravel({TravelMode.walk: 1.0, TravelMode.e_bike: 4.0})
HOME = Point(28.19, 112.97)


def near(metres_north: float, metres_east: float = 0.0) -> Point:
    return Point(HOME.lat + metres_north / 111_195, HOME.lon + metres_east / 98_000)


def worker(wid: str, **kw: object) -> Worker:
    base: dict = dict(home=HOME, shift_start=8 * H, shift_end=17 * H, max_visits=8, certified=False)
    base.update(kw)
    return Worker(id=wid, **base)


def job(jid: str, **kw: object) -> Job:
    base: dict = dict(
        point=near(500), window_start=8 * H, window_end=17 * H, duration=H, needs_certified=False
    )
    base.update(kw)
    return Job(id=jid, **base)


def nearest(workers: list[Worker], point: Point) -> list[Worker]:
    return sorted(workers, key=lambda w: (w.home.lat - point.lat) ** 2 + (w.home.lon - point.lon) ** 2)


class TestContinuity:
    # "closer" lives 400 m nearer the visit (100 s less each way by e-bike); "previous" served the
    # beneficiary before.
    workers: ClassVar[list[Worker]] = [worker("closer", home=near(400)), worker("previous", home=near(-400))]

    def test_without_the_weight_the_closer_caregiver_gets_the_visit(self) -> None:
        visit = job("v", point=near(600), continuity=(("previous", 1.0),))
        plan = plan_day(self.workers, [visit], TRAVEL, 0.5, weights=Weights())
        assert [s.job_id for s in plan.routes["closer"]] == ["v"]

    def test_with_the_weight_the_previous_caregiver_gets_it_at_a_little_more_travel(self) -> None:
        visit = job("v", point=near(600), continuity=(("previous", 1.0),))
        plan = plan_day(self.workers, [visit], TRAVEL, 0.5, weights=Weights(continuity_seconds=900))
        assert [s.job_id for s in plan.routes["previous"]] == ["v"]
        assert plan.violations == []

    def test_continuity_never_breaks_a_hard_rule(self) -> None:
        # The previous caregiver is not certified: the professional item goes to the other one.
        workers = [worker("certified", home=near(400), certified=True), worker("previous")]
        visit = job("nursing", needs_certified=True, continuity=(("previous", 1.0),))
        plan = plan_day(workers, [visit], TRAVEL, 0.5, weights=Weights(continuity_seconds=3600))
        assert [s.job_id for s in plan.routes["certified"]] == ["nursing"]

    def test_a_weaker_affinity_costs_less_than_none(self) -> None:
        visit = job("v", continuity=(("a", 1.0), ("b", 0.5)))
        weights = Weights(continuity_seconds=1000)
        assert [visit.penalty(worker(w), weights) for w in ("a", "b", "c")] == [0, 500, 1000]

    def test_a_day_too_large_for_a_profile_per_caregiver_is_improved_group_by_group(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(district, "MAX_PERSONAL_CELLS", 1)
        rng = random.Random(5)
        workers = [
            worker(f"w{i}", home=near(rng.uniform(-3000, 3000), rng.uniform(-3000, 3000))) for i in range(24)
        ]
        jobs = []
        for k in range(80):
            point = near(rng.uniform(-3000, 3000), rng.uniform(-3000, 3000))
            start = rng.choice([8, 10, 12, 14]) * H
            jobs.append(
                job(f"v{k}", point=point, window_start=start, window_end=start + 3 * H, duration=1800)
            )
        # The beneficiary's previous caregiver is one of the three living nearest.
        jobs = [replace(j, continuity=((rng.choice(nearest(workers, j.point)[:3]).id, 1.0),)) for j in jobs]

        def share(weights: Weights) -> tuple[float, int]:
            plan = plan_day(workers, jobs, TRAVEL, 3, weights=weights)
            assert plan.violations == [] and plan.solver_violations == 0
            served = {s.job_id: w for w, stops in plan.routes.items() for s in stops}
            same = sum(1 for j in jobs if served.get(j.id) == j.continuity[0][0])
            return same / len(jobs), len(plan.unassigned)

        off, left_off = share(Weights())
        on, left_on = share(Weights(continuity_seconds=3600))
        print(f"continuity off {off:.2f} ({left_off} left), on {on:.2f} ({left_on} left)")
        assert on > off + 0.2
        assert left_on <= left_off + 2


class TestBalancedWorkload:
    def test_the_weight_spreads_the_visits_over_the_caregivers(self) -> None:
        workers = [worker("a"), worker("b")]
        jobs = [job(f"v{k}", point=near(300 + 50 * k), duration=1800) for k in range(6)]
        one = plan_day(workers, jobs, TRAVEL, 0.5, weights=Weights())
        # Travel alone puts all six on one round (one trip out and back instead of two).
        assert sorted(len(s) for s in one.routes.values()) == [6]
        even = plan_day(workers, jobs, TRAVEL, 0.5, weights=Weights(workload_per_second=1))
        assert sorted(len(s) for s in even.routes.values()) == [3, 3]
        assert even.violations == [] and even.unassigned == []

    def test_weights_are_bounded_so_a_visit_is_never_dropped_for_them(self) -> None:
        with pytest.raises(ValueError, match="workload_per_second"):
            Weights(workload_per_second=district.MAX_WORKLOAD_PER_SECOND + 1)
        with pytest.raises(ValueError, match="continuity_seconds"):
            Weights(continuity_seconds=-1)


class TestSexPreference:
    def test_intimate_care_with_a_preference_goes_only_to_a_caregiver_of_that_sex(self) -> None:
        workers = [worker("m", sex="M", home=near(450)), worker("f", sex="F", home=near(-3000))]
        plan = plan_day(workers, [job("bath", required_sex="F")], TRAVEL, 0.5)
        assert [s.job_id for s in plan.routes["f"]] == ["bath"]

    def test_nobody_of_that_sex_leaves_the_visit_unassigned(self) -> None:
        plan = plan_day([worker("m", sex="M"), worker("x")], [job("bath", required_sex="F")], TRAVEL, 0.5)
        assert plan.unassigned == ["bath"] and plan.routes == {}
