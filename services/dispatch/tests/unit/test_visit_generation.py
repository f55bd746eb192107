"""Which days a care plan's visits are generated on (domain/visit_generation.py) and the rules of a
plan's schedule (domain/plan_schedule.py): pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest

from eldercare.dispatch.domain.plan_schedule import PreferredSlot, schedule_violations
from eldercare.dispatch.domain.visit_generation import (
    Occasion,
    PlanSpan,
    chosen_between,
    chosen_in_month,
    month_occasions,
    planned_visits,
)
from eldercare.dispatch.domain.visits import Visit, VisitStatus

TUE_9 = PreferredSlot(2, time(9), time(11))
FRI_14 = PreferredSlot(5, time(14), time(16))
TUE_15 = PreferredSlot(2, time(15), time(17))


def days(occasions: list[Occasion]) -> list[date]:
    return [o.day for o in occasions]


class TestAMonthsChoice:
    def test_a_month_with_five_tuesdays_has_five_occasions_of_a_tuesday_slot(self) -> None:
        # December 2026 starts on a Tuesday.
        assert days(month_occasions(2026, 12, (TUE_9,))) == [date(2026, 12, d) for d in (1, 8, 15, 22, 29)]

    def test_four_visits_of_five_occasions_take_the_evenly_spread_first_four(self) -> None:
        # floor(k × 5 / 4) for k = 0..3 is 0, 1, 2, 3.
        assert days(chosen_in_month(2026, 12, (TUE_9,), 4)) == [date(2026, 12, d) for d in (1, 8, 15, 22)]

    def test_two_visits_are_spread_half_a_month_apart(self) -> None:
        # November 2026: Tue 3, Fri 6, Tue 10, Fri 13, Tue 17, Fri 20, Tue 24, Fri 27 (n = 8).
        chosen = chosen_in_month(2026, 11, (TUE_9, FRI_14), 2)
        assert days(chosen) == [date(2026, 11, 3), date(2026, 11, 17)]

    def test_frequency_of_four_per_slot_takes_every_occasion_of_a_four_week_month(self) -> None:
        # February 2027: 28 days from a Monday, exactly four of each weekday.
        chosen = chosen_in_month(2027, 2, (TUE_9, FRI_14), 8)
        assert len(chosen) == 8 and len({(o.day, o.slot) for o in chosen}) == 8

    def test_two_slots_on_one_weekday_are_two_occasions_of_that_day_in_time_order(self) -> None:
        occasions = month_occasions(2026, 12, (TUE_15, TUE_9))
        assert [(o.day.day, o.slot.start.hour) for o in occasions[:2]] == [(1, 9), (1, 15)]
        assert len(chosen_in_month(2026, 12, (TUE_9, TUE_15), 10)) == 10


class TestRollingWindows:
    def test_any_fourteen_day_window_sees_the_same_days_as_the_whole_span(self) -> None:
        slots, frequency = (TUE_9, FRI_14), 5
        first, last = date(2026, 11, 1), date(2027, 2, 28)
        whole = set(chosen_between(slots, frequency, first, last))
        seen: set[Occasion] = set()
        day = first
        while day + timedelta(days=13) <= last:
            window = set(chosen_between(slots, frequency, day, day + timedelta(days=13)))
            assert window <= whole
            seen |= window
            day += timedelta(days=1)
        assert seen == whole

    def test_a_window_across_a_month_end_takes_each_months_own_choice(self) -> None:
        chosen = chosen_between((TUE_9,), 2, date(2026, 11, 20), date(2026, 12, 3))
        # November's two: the 3rd and the 17th (outside); December's: the 1st and the 15th.
        assert days(chosen) == [date(2026, 12, 1)]


def span(**kw: object) -> PlanSpan:
    fields: dict[str, object] = {
        "service_codes": ("CS22", "CS25"),
        "schedule": (TUE_9, FRI_14),
        "frequency_per_month": 8,
        "minutes_per_visit": 60,
        "first_day": date(2026, 11, 1),
        "last_day": date(2027, 10, 31),
        **kw,
    }
    return PlanSpan(**fields)  # type: ignore[arg-type]


class TestPlannedVisits:
    NOW = datetime(2026, 11, 1, tzinfo=UTC)

    def test_each_item_gets_a_visit_at_each_chosen_occasion_in_the_slots_local_window(self) -> None:
        planned = planned_visits(span(), first=date(2026, 11, 23), last=date(2026, 11, 29), now=self.NOW)
        # Tue 24 09:00-11:00 and Fri 27 14:00-16:00 Asia/Shanghai (UTC+8, no daylight saving).
        assert [(p.service_code, p.window_start_at, p.window_end_at) for p in planned] == [
            ("CS22", datetime(2026, 11, 24, 1, tzinfo=UTC), datetime(2026, 11, 24, 3, tzinfo=UTC)),
            ("CS25", datetime(2026, 11, 24, 1, tzinfo=UTC), datetime(2026, 11, 24, 3, tzinfo=UTC)),
            ("CS22", datetime(2026, 11, 27, 6, tzinfo=UTC), datetime(2026, 11, 27, 8, tzinfo=UTC)),
            ("CS25", datetime(2026, 11, 27, 6, tzinfo=UTC), datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ]
        assert planned[0].scheduled_end_at == datetime(2026, 11, 24, 2, tzinfo=UTC)

    def test_the_local_window_is_the_same_utc_span_in_summer_and_winter(self) -> None:
        winter = Occasion(date(2027, 1, 5), TUE_9).window
        summer = Occasion(date(2027, 7, 6), TUE_9).window
        assert winter[0].hour == summer[0].hour == 1

    def test_a_plan_activated_mid_month_gets_only_the_chosen_days_after_its_start(self) -> None:
        mid = span(first_day=date(2026, 11, 20), frequency_per_month=4)
        planned = planned_visits(mid, first=date(2026, 11, 1), last=date(2026, 11, 30), now=self.NOW)
        # November's four of eight occasions: Tue 3, Tue 10, Tue 17, Tue 24 (indices 0, 2, 4, 6).
        assert sorted({p.window_start_at.date() for p in planned}) == [date(2026, 11, 24)]

    def test_an_agreement_ending_mid_month_gets_no_visit_after_its_last_day(self) -> None:
        ending = span(last_day=date(2026, 11, 20))
        planned = planned_visits(ending, first=date(2026, 11, 1), last=date(2026, 11, 30), now=self.NOW)
        assert max(p.window_start_at for p in planned).date() <= date(2026, 11, 20)

    def test_a_window_already_begun_is_not_generated(self) -> None:
        now = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # 09:30 local on Tuesday the 24th
        planned = planned_visits(span(), first=date(2026, 11, 24), last=date(2026, 11, 24), now=now)
        assert planned == []


class TestScheduleRules:
    def fields(self, schedule: tuple[PreferredSlot, ...], frequency: int = 4, minutes: int = 60) -> list[str]:
        return [f for f, _ in schedule_violations(schedule, frequency, minutes)]

    def test_a_valid_schedule_and_no_schedule_pass(self) -> None:
        assert self.fields((TUE_9, FRI_14), frequency=8) == []
        assert self.fields((), frequency=124) == []

    def test_an_end_before_its_start_names_the_slot(self) -> None:
        assert self.fields((TUE_9, PreferredSlot(3, time(11), time(9)))) == ["schedule.slots.1.end"]

    def test_a_window_shorter_than_a_visit_names_its_end(self) -> None:
        assert self.fields((PreferredSlot(1, time(9), time(9, 30)),), minutes=45) == ["schedule.slots.0.end"]

    def test_the_same_weekday_and_start_twice_is_refused(self) -> None:
        twice = (TUE_9, PreferredSlot(2, time(9), time(12)))
        assert self.fields(twice) == ["schedule.slots.1.start"]

    @pytest.mark.parametrize(("frequency", "ok"), [(8, True), (9, False)])
    def test_frequency_may_reach_four_per_slot_and_no_more(self, frequency: int, ok: bool) -> None:
        problems = schedule_violations((TUE_9, FRI_14), frequency, 60)
        assert (problems == []) is ok
        if not ok:
            assert problems[0][0] == "frequency_per_month"
            assert "at least 4 of each weekday" in problems[0][1]

    def test_at_most_fourteen_slots(self) -> None:
        many = tuple(PreferredSlot(d, time(h), time(h + 1)) for d in range(1, 8) for h in (8, 10, 12))
        assert "schedule.slots" in self.fields(many)


class TestReleasingAnOccasion:
    def visit(self, generated: bool) -> Visit:
        start = datetime(2026, 11, 24, 1, tzinfo=UTC)
        return Visit(
            care_plan_id=uuid4(),
            beneficiary_id=uuid4(),
            provider_id=uuid4(),
            caregiver_id=None,
            district_code="430102",
            community_code="430102001001",
            service_code="CS22",
            scheduled_start_at=start,
            scheduled_end_at=start + timedelta(hours=1),
            scheduled_by="dispatch:generation",
            generated_for_at=start if generated else None,
        )

    def test_only_a_cancelled_generated_visit_frees_its_occasion(self) -> None:
        booked, manual, cancelled = self.visit(True), self.visit(False), self.visit(True)
        manual.status = cancelled.status = VisitStatus.cancelled
        assert not booked.release_generation()
        assert not manual.release_generation()
        assert cancelled.release_generation() and cancelled.generation_released
        assert not cancelled.release_generation()
