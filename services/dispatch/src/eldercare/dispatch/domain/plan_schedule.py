"""A care plan's schedule: the preferred days and time windows of its visits (issue #5, "Care plans
and agreements": "... duration and frequency (e.g. 2 × 60 min a week), preferred days and time
windows"). Local time of the display zone (Asia/Shanghai, eldercare.common.clock): the home and the
caregiver live by the wall clock, and the zone has no daylight saving, so a slot is the same UTC
span every week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

# One window per weekday twice a day (e.g. lunch and dinner) is the most a plan needs; a cap keeps
# the month's occurrences (at most 5 × 14) and the request small. Our own choice, no seed fixes it.
MAX_SLOTS = 14
# Every calendar month has at least four of each weekday (28 days = 4 weeks).
MIN_WEEKDAYS_A_MONTH = 4

WEEKDAY_LABELS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


@dataclass(frozen=True, order=True)
class PreferredSlot:
    """A preferred window on an ISO weekday (1 Monday .. 7 Sunday), in local time."""

    weekday: int
    start: time
    end: time

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def as_dict(self) -> dict[str, object]:
        return {
            "weekday": self.weekday,
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PreferredSlot:
        return cls(
            int(str(data["weekday"])),
            time.fromisoformat(str(data["start"])),
            time.fromisoformat(str(data["end"])),
        )


Schedule = tuple[PreferredSlot, ...]


def schedule_violations(
    schedule: Schedule, frequency_per_month: int, minutes_per_visit: int
) -> list[tuple[str, str]]:
    """Every rule the schedule breaks, as (field, message); empty for no schedule (a plan without
    one gets no generated visits: its visits are booked by hand)."""
    out: list[tuple[str, str]] = []
    if not schedule:
        return out
    if len(schedule) > MAX_SLOTS:
        out.append(("schedule.slots", f"at most {MAX_SLOTS} preferred slots"))
    seen: set[tuple[int, time]] = set()
    for i, slot in enumerate(schedule):
        # Dotted like pydantic's paths (e.g. schedule.slots.1.end), so every 422 names fields alike.
        where = f"schedule.slots.{i}"
        if not 1 <= slot.weekday <= 7:
            out.append((f"{where}.weekday", "an ISO weekday, 1 (Monday) to 7 (Sunday)"))
        if slot.end <= slot.start:
            out.append((f"{where}.end", "must be after start (a window ends on its own day)"))
        elif slot.minutes < minutes_per_visit:
            out.append(
                (
                    f"{where}.end",
                    f"the window ({slot.minutes} min) is shorter than a visit ({minutes_per_visit} min)",
                )
            )
        if (slot.weekday, slot.start) in seen:
            out.append((f"{where}.start", "the same weekday and start are already in the schedule"))
        seen.add((slot.weekday, slot.start))
    most = MIN_WEEKDAYS_A_MONTH * len(schedule)
    if frequency_per_month > most:
        out.append(
            (
                "frequency_per_month",
                f"at most {most} with {len(schedule)} preferred slots: every month has at least "
                f"{MIN_WEEKDAYS_A_MONTH} of each weekday, so {len(schedule)} slots give at least {most} "
                "occasions a month; add slots or lower the frequency",
            )
        )
    return out
