"""The schedule of a care plan in requests and responses: preferred days and time windows."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from eldercare.dispatch.domain.plan_schedule import MAX_SLOTS, WEEKDAY_LABELS, PreferredSlot, Schedule

LocalTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class PreferredSlotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: StrictInt = Field(ge=1, le=7, description="ISO weekday: 1 Monday .. 7 Sunday", examples=[2])
    start: LocalTime = Field(description="HH:MM, local time (Asia/Shanghai)", examples=["09:00"])
    end: LocalTime = Field(description="HH:MM, after start, the same day", examples=["11:00"])

    def domain(self) -> PreferredSlot:
        return PreferredSlot(self.weekday, time.fromisoformat(self.start), time.fromisoformat(self.end))


class ScheduleIn(BaseModel):
    """Preferred days and windows (issue #5). Each visit of the plan is generated in one of these
    windows; the planner places it inside. At most 4 visits a month per slot can be guaranteed."""

    model_config = ConfigDict(extra="forbid")

    slots: list[PreferredSlotIn] = Field(min_length=1, max_length=MAX_SLOTS)

    def domain(self) -> Schedule:
        return tuple(s.domain() for s in self.slots)


def schedule_of(body: ScheduleIn | None) -> Schedule:
    return body.domain() if body is not None else ()


class PreferredSlotRead(BaseModel):
    weekday: int
    weekday_label: str
    start: str
    end: str


class ScheduleRead(BaseModel):
    slots: list[PreferredSlotRead]

    @classmethod
    def from_domain(cls, schedule: Schedule) -> ScheduleRead | None:
        if not schedule:
            return None
        return cls(
            slots=[
                PreferredSlotRead(
                    weekday=s.weekday,
                    weekday_label=WEEKDAY_LABELS.get(s.weekday, ""),
                    start=s.start.strftime("%H:%M"),
                    end=s.end.strftime("%H:%M"),
                )
                for s in schedule
            ]
        )
