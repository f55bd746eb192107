"""Follow-up calls (回访): the district calls back every beneficiary and measures satisfaction.

changsha-2024-purchased-door-to-door-rules.md 第十九条: 区县（市）民政部门应当对辖区内享受政府购买
居家养老上门服务的老年人进行全覆盖回访，开展满意度测评.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eldercare.audit.domain.errors import FollowUpClosed, InvalidCall, InvalidPeriod
from eldercare.common.ids import uuid7


class FollowUpReason(StrEnum):
    enrolment = "enrolment"
    periodic = "periodic"  # the period's round of 全覆盖回访


class FollowUpStatus(StrEnum):
    open = "open"
    unreached = "unreached"
    completed = "completed"
    escalated = "escalated"


REASON_LABELS = {FollowUpReason.enrolment: "新纳入服务对象回访", FollowUpReason.periodic: "定期全覆盖回访"}
STATUS_LABELS = {
    FollowUpStatus.open: "待回访",
    FollowUpStatus.unreached: "未联系上",
    FollowUpStatus.completed: "已回访",
    FollowUpStatus.escalated: "多次未联系上，已转上门核查",
}
SATISFACTION_LABELS = {1: "很不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
CLOSED = frozenset({FollowUpStatus.completed, FollowUpStatus.escalated})


def due_on(enrolled_on: date, due_days: int | None) -> date:
    """The date the enrolment call is due.

    第十九条 requires full coverage but sets no deadline. With no ``follow_up_due_days`` setting the
    call falls due on the last day of the enrolment month, the bureau's usual monthly review cycle
    (and FollowUpOpened.due_on is a required date); the setting overrides it.
    """
    if due_days is not None:
        return enrolled_on + timedelta(days=due_days)
    last_day = calendar.monthrange(enrolled_on.year, enrolled_on.month)[1]
    return enrolled_on.replace(day=last_day)


@dataclass(frozen=True)
class FollowUpCall:
    """One call attempt; ``satisfaction`` (1-5, 满意度测评) only when the beneficiary was reached."""

    reached: bool
    satisfaction: int | None
    notes: str | None
    called_by: str
    called_at: datetime
    id: UUID = field(default_factory=uuid7)


@dataclass
class FollowUp:
    beneficiary_id: UUID
    district_code: str
    reason: FollowUpReason
    trigger_key: str
    due_on: date
    opened_at: datetime
    status: FollowUpStatus = FollowUpStatus.open
    calls: list[FollowUpCall] = field(default_factory=list)
    assignee: str | None = None  # the district staff member who makes the calls
    period: str | None = None  # FollowUpPeriod.key of a periodic round
    id: UUID = field(default_factory=uuid7)

    @property
    def reached_on_attempt(self) -> int | None:
        for i, call in enumerate(self.calls, start=1):
            if call.reached:
                return i
        return None

    @property
    def attempts(self) -> int:
        return len(self.calls)

    @property
    def satisfaction(self) -> int | None:
        reached = [c for c in self.calls if c.reached]
        return reached[-1].satisfaction if reached else None

    def record_call(
        self,
        *,
        reached: bool,
        satisfaction: int | None,
        notes: str | None,
        by: str,
        at: datetime,
        max_unreached: int,
    ) -> FollowUpCall:
        """Record a call: reached completes the follow-up; ``max_unreached`` misses escalate it."""
        if self.status in CLOSED:
            raise FollowUpClosed(f"the follow-up is {self.status.value}; it takes no more calls")
        if reached and satisfaction is None:
            raise InvalidCall("a reached beneficiary is asked for satisfaction", field="satisfaction")
        if not reached and satisfaction is not None:
            raise InvalidCall("no satisfaction without reaching the beneficiary", field="satisfaction")
        call = FollowUpCall(reached, satisfaction, notes, by, at)
        self.calls.append(call)
        if reached:
            self.status = FollowUpStatus.completed
        elif self.attempts >= max_unreached:
            self.status = FollowUpStatus.escalated
        else:
            self.status = FollowUpStatus.unreached
        return call


@dataclass(frozen=True)
class FollowUpPeriod:
    """A period of the periodic round: ``months`` long (settings.follow_up_period_months), starting
    on the first day of ``start`` (YYYY-MM); periods tile the year from January."""

    year: int
    month: int
    months: int

    @classmethod
    def parse(cls, start: str, months: int) -> FollowUpPeriod:
        year, month = map(int, start.split("-"))
        if (month - 1) % months:
            raise InvalidPeriod(
                f"periods of {months} months start in January and every {months} months after",
                field="period_start",
            )
        return cls(year, month, months)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}/{self.months}m"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        end_month = self.month + self.months - 1
        year, month = self.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1
        return date(year, month, calendar.monthrange(year, month)[1])


def assign_round_robin(beneficiary_ids: list[UUID], assignees: list[str]) -> dict[UUID, str]:
    """Spread a round's calls evenly over the staff named, in a stable order."""
    ordered = sorted(beneficiary_ids, key=lambda b: b.int)
    return {b: assignees[i % len(assignees)] for i, b in enumerate(ordered)}


@dataclass(frozen=True)
class Coverage:
    """Who of a round was reached, who not, and after how many calls."""

    tasks: int
    reached: int
    escalated: int
    unreached: int  # called, nobody answered yet, not escalated
    not_called: int
    reached_by_attempts: dict[int, int]

    @property
    def not_reached(self) -> int:
        return self.tasks - self.reached


def coverage(follow_ups: list[FollowUp]) -> Coverage:
    by_attempts: dict[int, int] = {}
    for f in follow_ups:
        if (n := f.reached_on_attempt) is not None:
            by_attempts[n] = by_attempts.get(n, 0) + 1
    count = lambda status: sum(f.status is status for f in follow_ups)  # noqa: E731
    return Coverage(
        tasks=len(follow_ups),
        reached=count(FollowUpStatus.completed),
        escalated=count(FollowUpStatus.escalated),
        unreached=count(FollowUpStatus.unreached),
        not_called=count(FollowUpStatus.open),
        reached_by_attempts=dict(sorted(by_attempts.items())),
    )
