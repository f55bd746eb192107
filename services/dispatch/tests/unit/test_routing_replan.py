"""Re-planning a day under way: pinned visits stay, only the affected routes change."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.routing.district import Job, Stop, Worker
from eldercare.dispatch.routing.replan import Booked, check_timed, replan_day
from eldercare.dispatch.routing.travel import HaversineTravel, TravelMode

BENCH = Path(__file__).parents[4] / "bench" / "dispatch_district_day.py"
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


def booked(j: Job, wid: str, start: int, started: bool = False) -> Booked:
    return Booked(j, wid, start, start + j.duration, started)


# "sick" has a morning visit done and two afternoon visits; "near" lives by them with room in the
# afternoon; "far" works across town and must not be touched.
MORNING = job("morning", point=near(1000))
PM1 = job("pm1", point=near(1200), window_start=13 * H, window_end=16 * H)
PM2 = job("pm2", point=near(1400), window_start=14 * H, window_end=17 * H)
NEAR_AM = job("near-am", point=near(900), window_start=8 * H, window_end=12 * H)
NEAR_PM = job("near-pm", point=near(1100), window_start=15 * H, window_end=17 * H, duration=1800)
FAR = job("far", point=near(-9000), window_start=13 * H, window_end=17 * H)
WORKERS = [
    worker("sick", home=near(1000)),
    worker("near", home=near(1000)),
    worker("far", home=near(-9000)),
]
DAY = [
    booked(MORNING, "sick", 9 * H, started=True),
    booked(PM1, "sick", 13 * H),
    booked(PM2, "sick", 14 * H + 1800),
    booked(NEAR_AM, "near", 9 * H, started=True),
    booked(NEAR_PM, "near", 15 * H + 1800),
    booked(FAR, "far", 14 * H),
]


class TestReplanDay:
    def test_a_caregiver_off_sick_at_noon_hands_their_afternoon_to_a_neighbour(self) -> None:
        result = replan_day(
            WORKERS, DAY, [], {"sick"}, now=12 * H, travel=TRAVEL, seconds=1, helpers_per_visit=1
        )
        assert result.violations == [] and result.unassigned == []
        routes = {w: [s.job_id for s in stops] for w, stops in result.routes.items()}
        # The visit done in the morning stays on record with its caregiver and time.
        assert result.routes["sick"] == [Stop("morning", 9 * H, 10 * H)]
        assert set(routes["near"]) == {"near-am", "pm1", "pm2", "near-pm"}
        assert set(result.moved) == {"pm1", "pm2"}
        # The started visit is pinned; the route across town is left exactly as it was.
        assert result.routes["near"][0] == Stop("near-am", 9 * H, 10 * H)
        assert result.routes["far"] == [Stop("far", 14 * H, 15 * H)]
        assert "far" not in result.helpers and "far" in result.kept

    def test_a_visit_about_to_start_stays_with_its_caregiver(self) -> None:
        # At 15:20 with a 15-minute freeze, near-pm (15:30) is under way: it keeps its caregiver
        # and time even though the visits to place would fit better around it.
        result = replan_day(
            WORKERS, DAY, [], {"sick"}, now=15 * H + 1200, travel=TRAVEL, seconds=1, freeze=900
        )
        assert Stop("near-pm", 15 * H + 1800, 16 * H) in result.routes["near"]
        assert "near-pm" in result.pinned and "near-pm" in result.kept
        assert result.violations == []

    def test_a_visit_added_during_the_day_goes_to_a_caregiver_near_it(self) -> None:
        urgent = job(
            "urgent", point=near(-8800), window_start=15 * H + 1800, window_end=17 * H, duration=1800
        )
        result = replan_day(WORKERS, DAY, [urgent], set(), now=12 * H, travel=TRAVEL, seconds=1)
        assert [s.job_id for s in result.routes["far"]] == ["far", "urgent"]
        assert result.moved == ["urgent"] and result.violations == []
        # Nobody dropped out: every booked visit keeps its caregiver and time.
        assert sorted(result.kept) == sorted(b.job.id for b in DAY)

    def test_a_visit_nobody_can_take_is_reported_not_forced(self) -> None:
        nursing = job("nursing", needs_certified=True, window_start=13 * H, window_end=15 * H)
        result = replan_day(WORKERS, DAY, [nursing], set(), now=12 * H, travel=TRAVEL, seconds=1)
        assert result.unassigned == ["nursing"] and result.violations == []


class TestCheckTimed:
    def test_the_replay_reports_times_the_travel_matrix_cannot_meet(self) -> None:
        w = worker("a", home=near(0))
        jobs = [job("x", point=near(0)), job("y", point=near(4000), window_end=10 * H)]
        routes = {"a": [Stop("x", 8 * H, 9 * H), Stop("y", 9 * H + 60, 10 * H + 60)]}
        text = " | ".join(check_timed([w], jobs, routes, TRAVEL))
        assert "y starts at" in text and "before it can be reached" in text
        assert "leaves its window" in text

    def test_a_caregiver_who_is_out_may_only_hold_visits_already_started(self) -> None:
        w = worker("a")
        routes = {"a": [Stop("x", 9 * H, 10 * H), Stop("y", 11 * H, 12 * H)]}
        out = check_timed([w], [job("x"), job("y")], routes, TRAVEL, fixed={"x"}, out={"a"})
        assert out == ["a: is out but still has y"]


def test_the_bench_replans_a_small_day_without_violations() -> None:
    spec = importlib.util.spec_from_file_location("dispatch_district_day_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    row, (workers, jobs, day) = bench.plan(60, 8, seconds=1, seed=3, history=0.7)
    assert row["hard_violations"] == 0 and row["continuity_visits"] > 0
    again = bench.replan(workers, jobs, day, dropped=2, at_hour=12, seconds=1, seed=3)
    assert again["hard_violations"] == 0 and again["dropped_caregivers"] == 2
    assert (
        again["kept"] + again["retimed"] + again["moved"] + again["unassigned"] >= again["visits_of_the_day"]
    )
