"""Visits: scheduled against a care plan, checked in and out from the caregiver's phone.

Changsha rules 第十七条: the provider uses the bureau's information system and uploads service
records in real time. Every instant of the lifecycle is the server's clock: the phone's clock is
not trusted, its location is checked against the beneficiary's home point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eldercare.common.ids import uuid7
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.errors import CarePlanNotActive, RuleViolations, VisitStateConflict
from eldercare.dispatch.domain.geo import Point, haversine_m
from eldercare.dispatch.domain.providers import Caregiver

SOURCE = "changsha-2024-purchased-door-to-door-rules.md"
# One sitting; a longer block of care is booked as several visits.
MAX_VISIT_LENGTH = timedelta(hours=12)


class VisitStatus(StrEnum):
    scheduled = "scheduled"
    in_progress = "in_progress"
    completed = "completed"


VISIT_STATUS_LABELS = {
    VisitStatus.scheduled: "待服务",
    VisitStatus.in_progress: "服务中",
    VisitStatus.completed: "已完成",
}


@dataclass(frozen=True)
class VerificationRules:
    geofence_m: float
    min_visit_minutes: int


@dataclass(frozen=True)
class LocationCheck:
    """Where the phone was at a check-in or check-out, and whether that proves presence at home."""

    point: Point
    accuracy_m: float | None
    distance_m: float | None
    ok: bool
    problem: str | None = None


def check_location(
    point: Point, accuracy_m: float | None, home: Point | None, geofence_m: float
) -> LocationCheck:
    if home is None:
        return LocationCheck(point, accuracy_m, None, False, "the beneficiary's home point is unknown")
    distance = round(haversine_m(point, home), 1)
    if distance > geofence_m:
        problem = f"{distance:.0f} m from the home point (geofence {geofence_m:.0f} m)"
        return LocationCheck(point, accuracy_m, distance, False, problem)
    if accuracy_m is not None and accuracy_m > geofence_m:
        # A fix vaguer than the geofence cannot show the caregiver was at the door.
        problem = f"location accuracy {accuracy_m:.0f} m is coarser than the geofence {geofence_m:.0f} m"
        return LocationCheck(point, accuracy_m, distance, False, problem)
    return LocationCheck(point, accuracy_m, distance, True)


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Half-open intervals: a visit ending at 10:00 and one starting at 10:00 do not overlap."""
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Visit:
    care_plan_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    # None while the visit waits for the day planner (POST /v1/schedules) to give it a caregiver.
    caregiver_id: UUID | None
    district_code: str
    community_code: str
    service_code: str
    scheduled_start_at: datetime
    scheduled_end_at: datetime
    scheduled_by: str
    status: VisitStatus = VisitStatus.scheduled
    id: UUID = field(default_factory=uuid7)
    checked_in_at: datetime | None = None
    check_in: LocationCheck | None = None
    checked_out_at: datetime | None = None
    check_out: LocationCheck | None = None
    notes: str | None = None
    items_done: tuple[str, ...] = ()
    duration_minutes: int | None = None
    verified: bool | None = None
    verification_notes: tuple[str, ...] = ()
    # The span the planner may move the visit within (its length kept); None: the booked slot.
    window_start_at: datetime | None = None
    window_end_at: datetime | None = None

    @classmethod
    def request(
        cls,
        *,
        plan: CarePlan,
        service_code: str,
        start: datetime,
        end: datetime,
        start_day: date,
        window: tuple[datetime, datetime] | None,
        by: str,
    ) -> Visit:
        """A visit of the plan without a caregiver yet: the day planner assigns one."""
        if not plan.is_active:
            raise CarePlanNotActive("the care plan is not active", field="care_plan_id")
        violations = slot_violations(plan, service_code, start, end, start_day)
        if window is not None:
            if window[1] <= window[0]:
                violations.append(("window_end_at", "must be after window_start_at"))
            elif not (window[0] <= start and end <= window[1]):
                violations.append(("window_start_at", "the window must contain the scheduled slot"))
            elif window[1] - window[0] > timedelta(hours=24):
                violations.append(("window_end_at", "a window spans at most 24 hours"))
        if violations:
            raise RuleViolations.of(violations)
        return cls(
            care_plan_id=plan.id,
            beneficiary_id=plan.beneficiary_id,
            provider_id=plan.provider_id,
            caregiver_id=None,
            district_code=plan.district_code,
            community_code=plan.community_code,
            service_code=service_code,
            scheduled_start_at=start,
            scheduled_end_at=end,
            scheduled_by=by,
            window_start_at=window[0] if window else None,
            window_end_at=window[1] if window else None,
        )

    @property
    def window(self) -> tuple[datetime, datetime]:
        if self.window_start_at is not None and self.window_end_at is not None:
            return self.window_start_at, self.window_end_at
        return self.scheduled_start_at, self.scheduled_end_at

    @property
    def is_unassigned(self) -> bool:
        return self.caregiver_id is None and self.status == VisitStatus.scheduled

    def unassign(self, *, by: str) -> bool:
        """Give a booked, not yet started visit back to the planner: it keeps its slot (as its
        window when it had none). False when the visit has started or has no caregiver."""
        if self.status != VisitStatus.scheduled or self.caregiver_id is None:
            return False
        if self.window_start_at is None or self.window_end_at is None:
            self.window_start_at, self.window_end_at = self.scheduled_start_at, self.scheduled_end_at
        self.caregiver_id = None
        self.scheduled_by = by
        return True

    def assign(
        self, *, plan: CarePlan, caregiver: Caregiver, start: datetime, start_day: date, by: str
    ) -> None:
        """The planner gives the visit a caregiver and a start inside its window; the length stays."""
        if not self.is_unassigned:
            raise VisitStateConflict("the visit already has a caregiver")
        end = start + (self.scheduled_end_at - self.scheduled_start_at)
        lo, hi = self.window
        problems = schedule_violations(plan, caregiver, self.service_code, start, end, start_day)
        if start < lo or end > hi:
            problems.append(("scheduled_start_at", "the planned time leaves the visit's window"))
        if problems:
            raise RuleViolations.of(problems)
        self.caregiver_id = caregiver.id
        self.scheduled_start_at = start
        self.scheduled_end_at = end
        self.scheduled_by = by

    @classmethod
    def schedule(
        cls,
        *,
        plan: CarePlan,
        caregiver: Caregiver,
        service_code: str,
        start: datetime,
        end: datetime,
        start_day: date,
        by: str,
    ) -> Visit:
        """Book a caregiver for one item of the plan; ``start_day`` is the local date of ``start``."""
        if not plan.is_active:
            raise CarePlanNotActive("the care plan is not active", field="care_plan_id")
        violations = schedule_violations(plan, caregiver, service_code, start, end, start_day)
        if violations:
            raise RuleViolations.of(violations)
        return cls(
            care_plan_id=plan.id,
            beneficiary_id=plan.beneficiary_id,
            provider_id=plan.provider_id,
            caregiver_id=caregiver.id,
            district_code=plan.district_code,
            community_code=plan.community_code,
            service_code=service_code,
            scheduled_start_at=start,
            scheduled_end_at=end,
            scheduled_by=by,
        )

    @property
    def occupied(self) -> tuple[datetime, datetime]:
        """The time the visit takes from the caregiver's day: once done, what really happened."""
        if self.checked_in_at is not None and self.checked_out_at is not None:
            return self.checked_in_at, self.checked_out_at
        return self.scheduled_start_at, self.scheduled_end_at

    def start(self, *, location: LocationCheck, now: datetime) -> None:
        """签到: the caregiver is at the door."""
        if self.status != VisitStatus.scheduled:
            raise VisitStateConflict(f"the visit is {self.status.value}; it can be checked in only once")
        if self.caregiver_id is None:
            raise VisitStateConflict("the visit has no caregiver yet")
        self.status = VisitStatus.in_progress
        self.checked_in_at = now
        self.check_in = location

    def finish(
        self,
        *,
        location: LocationCheck,
        notes: str,
        items_done: list[str],
        plan: CarePlan,
        rules: VerificationRules,
        now: datetime,
    ) -> None:
        """签退: close the visit with its service record and decide whether it is verified."""
        if self.status != VisitStatus.in_progress or self.checked_in_at is None or self.check_in is None:
            raise VisitStateConflict(f"the visit is {self.status.value}; check in before checking out")
        outside = [code for code in items_done if not plan.covers(code)]
        if outside:
            # 第十八条（一）: service not per the care plan is a violation, so it is never recorded as done.
            raise RuleViolations.of([("record.items_done", f"not in the care plan: {', '.join(outside)}")])
        self.status = VisitStatus.completed
        self.checked_out_at = now
        self.check_out = location
        self.notes = notes
        self.items_done = tuple(dict.fromkeys(items_done))
        self.duration_minutes = max(0, int((now - self.checked_in_at).total_seconds() // 60))
        self.verification_notes = tuple(self._verification_failures(rules))
        self.verified = not self.verification_notes

    def _verification_failures(self, rules: VerificationRules) -> list[str]:
        assert self.check_in is not None and self.check_out is not None and self.duration_minutes is not None
        notes = []
        if not self.check_in.ok:
            notes.append(f"check-in location: {self.check_in.problem}")
        if not self.check_out.ok:
            notes.append(f"check-out location: {self.check_out.problem}")
        if self.duration_minutes < rules.min_visit_minutes:
            notes.append(
                f"duration: {self.duration_minutes} min is under the minimum {rules.min_visit_minutes} min"
            )
        return notes


def slot_violations(
    plan: CarePlan, service_code: str, start: datetime, end: datetime, start_day: date
) -> list[tuple[str, str]]:
    """The rules of a visit that do not depend on who does it, as (field, message)."""
    out: list[tuple[str, str]] = []
    if end <= start:
        out.append(("scheduled_end_at", "must be after scheduled_start_at"))
    elif end - start > MAX_VISIT_LENGTH:
        out.append(("scheduled_end_at", "a visit lasts at most 12 hours"))
    if not plan.covers(service_code):
        out.append(("service_code", f"{service_code} is not in the care plan"))
    if start_day > plan.agreement.ends_on:
        out.append(("scheduled_start_at", f"the agreement ended on {plan.agreement.ends_on.isoformat()}"))
    return out


def schedule_violations(
    plan: CarePlan, caregiver: Caregiver, service_code: str, start: datetime, end: datetime, start_day: date
) -> list[tuple[str, str]]:
    """Every rule the booking breaks, as (field, message)."""
    out: list[tuple[str, str]] = []
    if end <= start:
        out.append(("scheduled_end_at", "must be after scheduled_start_at"))
    elif end - start > MAX_VISIT_LENGTH:
        out.append(("scheduled_end_at", "a visit lasts at most 12 hours"))
    if not plan.covers(service_code):
        out.append(("service_code", f"{service_code} is not in the care plan"))
    elif CATALOG[service_code].requires_certified and not caregiver.is_certified:
        # 第九条（八）: professional items only by a qualified caregiver (养老护理员 and the like).
        out.append(("caregiver_id", f"{service_code} needs a certified caregiver ({SOURCE} 第九条（八）)"))
    if start_day > plan.agreement.ends_on:
        out.append(("scheduled_start_at", f"the agreement ended on {plan.agreement.ends_on.isoformat()}"))
    if caregiver.is_decertified:
        # wuhai-2017-home-care-measures.md 第三十一条: 取消养老护理上岗资格.
        out.append(
            (
                "caregiver_id",
                "the caregiver is decertified and may not be assigned "
                "(wuhai-2017-home-care-measures.md 第三十一条)",
            )
        )
    elif not caregiver.fit_for_duty_on(start_day):
        # 第九条（四）: 身体健康，取得健康合格证明后上岗.
        out.append(
            ("caregiver_id", f"the caregiver's health certificate is not valid on {start_day.isoformat()}")
        )
    return out
