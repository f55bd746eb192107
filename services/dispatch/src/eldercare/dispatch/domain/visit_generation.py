"""Which visits an active care plan asks for (issue #5, "Scheduling and assignment": "Visits are
generated from active plans for a horizon (e.g. next 14 days)"). Pure: the caller brings the plan,
the days and the instant.

The rule, chosen so that generating in rolling windows on different days gives the same visits:

- A month's occasions are the occurrences of the plan's preferred slots on the month's days, in
  time order (``n`` of them; at least 4 per slot, plan_schedule.MIN_WEEKDAYS_A_MONTH).
- Of those, the month's ``f = frequency_per_month`` visits (of each item) are at the occasions
  ``floor(k × n / f)`` for ``k = 0 .. f-1``: spread evenly over the month, the first occasion always
  taken. They depend only on the month, the slots and the frequency, never on the day the
  generation runs, so any window of days sees the same choice (idempotent by construction).
- A partial month (the plan activated mid-month, its agreement ending mid-month) keeps the chosen
  occasions that fall inside the plan's span and adds none: the month's visits are not squeezed
  into the days left, so a plan activated on the 20th gets about a third of a month's visits.
- Only occasions whose window has not begun are generated: a window already under way or past
  would only be marked missed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from eldercare.common.clock import DISPLAY_ZONE
from eldercare.dispatch.domain.plan_schedule import PreferredSlot, Schedule


@dataclass(frozen=True, order=True)
class Occasion:
    """One occurrence of a preferred slot on a day."""

    day: date
    slot: PreferredSlot

    @property
    def window(self) -> tuple[datetime, datetime]:
        """The window in UTC; Asia/Shanghai has no daylight saving, so no day is skipped or doubled."""
        start = datetime.combine(self.day, self.slot.start, tzinfo=DISPLAY_ZONE).astimezone(UTC)
        end = datetime.combine(self.day, self.slot.end, tzinfo=DISPLAY_ZONE).astimezone(UTC)
        return start, end


def month_occasions(year: int, month: int, schedule: Schedule) -> list[Occasion]:
    """Every occurrence of the slots in the month, in time order."""
    days = calendar.monthrange(year, month)[1]
    out = [
        Occasion(day, slot)
        for d in range(1, days + 1)
        for slot in schedule
        if (day := date(year, month, d)).isoweekday() == slot.weekday
    ]
    return sorted(out, key=lambda o: (o.day, o.slot.start, o.slot.end))


def chosen_in_month(year: int, month: int, schedule: Schedule, frequency: int) -> list[Occasion]:
    """The month's visits: occasions floor(k × n / f), k = 0 .. f-1 (all of them when f ≥ n)."""
    occasions = month_occasions(year, month, schedule)
    n = len(occasions)
    if n == 0 or frequency <= 0:
        return []
    if frequency >= n:
        return occasions
    return [occasions[k * n // frequency] for k in range(frequency)]


def _months(first: date, last: date) -> list[tuple[int, int]]:
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def chosen_between(schedule: Schedule, frequency: int, first: date, last: date) -> list[Occasion]:
    """The chosen occasions of every month touched by [first, last] that fall inside it."""
    if last < first:
        return []
    return [
        o
        for year, month in _months(first, last)
        for o in chosen_in_month(year, month, schedule, frequency)
        if first <= o.day <= last
    ]


@dataclass(frozen=True)
class PlannedVisit:
    """A visit the plan asks for: the item, the slot's window, and the booked slot the planner
    starts from (the window's start + the visit's length)."""

    service_code: str
    window_start_at: datetime
    window_end_at: datetime
    minutes: int

    @property
    def key(self) -> tuple[str, datetime]:
        """What makes a generated visit unique within its plan (the database's unique index)."""
        return self.service_code, self.window_start_at

    @property
    def scheduled_end_at(self) -> datetime:
        return self.window_start_at + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class PlanSpan:
    """What generation needs of a plan: its items, schedule, frequency, visit length and span."""

    service_codes: tuple[str, ...]
    schedule: Schedule
    frequency_per_month: int
    minutes_per_visit: int
    first_day: date
    last_day: date


def planned_visits(span: PlanSpan, *, first: date, last: date, now: datetime) -> list[PlannedVisit]:
    """The visits the plan asks for on the days [first, last] inside its span, whose window has not
    begun at ``now``; each item of the plan at each chosen occasion (one visit is one item)."""
    lo, hi = max(first, span.first_day), min(last, span.last_day)
    out = []
    for occasion in chosen_between(span.schedule, span.frequency_per_month, lo, hi):
        start, end = occasion.window
        if start < now:
            continue
        out += [PlannedVisit(code, start, end, span.minutes_per_visit) for code in span.service_codes]
    return out
