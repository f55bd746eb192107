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
from eldercare.dispatch.domain.verification import (
    Flag,
    FlagAction,
    FlagCode,
    ItemRule,
    VerificationPolicy,
    duration_flags,
    location_flags,
)

SOURCE = "changsha-2024-purchased-door-to-door-rules.md"
# One sitting; a longer block of care is booked as several visits.
MAX_VISIT_LENGTH = timedelta(hours=12)


class VisitStatus(StrEnum):
    scheduled = "scheduled"
    in_progress = "in_progress"
    completed = "completed"
    # Ends other than completion (VisitCancelled's kinds).
    cancelled = "cancelled"
    missed = "missed"
    voided = "voided"


VISIT_STATUS_LABELS = {
    VisitStatus.scheduled: "待服务",
    VisitStatus.in_progress: "服务中",
    VisitStatus.completed: "已完成",
    VisitStatus.cancelled: "已取消",
    VisitStatus.missed: "未上门",
    VisitStatus.voided: "已作废",
}


class ReviewStatus(StrEnum):
    """A completed visit held by a verification flag waits in the review queue."""

    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


REVIEW_STATUS_LABELS = {
    ReviewStatus.pending: "待审核",
    ReviewStatus.accepted: "审核通过",
    ReviewStatus.rejected: "审核不通过",
}


@dataclass(frozen=True)
class Photo:
    """A photo reference taken by the caregiver's phone: the hash of the file, never the file."""

    sha256: str
    taken_at: datetime
    stage: str
    point: Point | None = None


@dataclass(frozen=True)
class LocationCheck:
    """Where the phone was at a check-in or check-out, and whether that proves presence at home."""

    point: Point
    accuracy_m: float | None
    distance_m: float | None
    ok: bool
    problem: str | None = None


def locate(
    policy: VerificationPolicy,
    rule: ItemRule,
    stage: str,
    point: Point,
    accuracy_m: float | None,
    home: Point | None,
    *,
    at_home: bool = True,
) -> tuple[LocationCheck, list[Flag]]:
    """The location record of a check-in or check-out and its flags under the item's rule.
    ``at_home`` False (a check-out of an outing) records the point without judging it."""
    distance = round(haversine_m(point, home), 1) if home is not None else None
    flags = location_flags(policy, rule, stage, point, accuracy_m, home) if at_home else []
    problem = "; ".join(f.message.split(": ", 1)[1] for f in flags) or None
    return LocationCheck(point, accuracy_m, distance, not flags, problem), flags


def refusals(flags: list[Flag]) -> None:
    """A flag whose configured action is ``refuse`` refuses the step: 422 naming the field."""
    refused = [
        (f.field, f"{f.message} ({f.code.value}: refused)") for f in flags if f.action == FlagAction.refuse
    ]
    if refused:
        raise RuleViolations.of(refused)


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
    # Verification (domain/verification.py): every flag raised at check-in and check-out.
    flags: tuple[Flag, ...] = ()
    review_status: ReviewStatus | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_comment: str | None = None
    # Cancelled, missed or voided: when and why.
    ended_at: datetime | None = None
    end_reason: str | None = None
    # The caregiver app: accepted the booking, set off ("on my way"), and the phone's own clock.
    accepted_at: datetime | None = None
    trip_started_at: datetime | None = None
    check_in_device_at: datetime | None = None
    check_out_device_at: datetime | None = None
    photos: tuple[Photo, ...] = ()
    signature_sha256: str | None = None
    missed_reason: str | None = None
    rescheduled_as: UUID | None = None
    # The sealed vital signs (ciphertext only: the domain never sees them in clear).
    vital_signs_sealed: str | None = None
    # Items done beyond the plan, each with the caregiver's reason: (code, reason).
    extra_items: tuple[tuple[str, str], ...] = ()
    # Generated from the plan's schedule (domain/visit_generation.py): the start of the preferred
    # slot's occurrence it was made for, kept for good. ``generation_released``: cancelled for a
    # reason that lets the occurrence be generated again (a suspension lifted, a new plan version).
    generated_for_at: datetime | None = None
    generation_released: bool = False

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
        self.accepted_at = self.trip_started_at = None
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

    def start(
        self,
        *,
        location: LocationCheck,
        now: datetime,
        flags: list[Flag] | None = None,
        device_at: datetime | None = None,
        photos: tuple[Photo, ...] = (),
    ) -> None:
        """签到: the caregiver is at the door. A flag configured to refuse refuses the check-in."""
        if self.status != VisitStatus.scheduled:
            raise VisitStateConflict(f"the visit is {self.status.value}; it can be checked in only once")
        if self.caregiver_id is None:
            raise VisitStateConflict("the visit has no caregiver yet")
        refusals(flags or [])
        self.status = VisitStatus.in_progress
        self.checked_in_at = now
        self.check_in = location
        self.check_in_device_at = device_at
        self.flags = tuple(flags or ())
        self.photos = self.photos + photos

    def finish(
        self,
        *,
        location: LocationCheck,
        notes: str,
        items_done: list[str],
        plan: CarePlan,
        policy: VerificationPolicy,
        now: datetime,
        flags: list[Flag] | None = None,
        device_at: datetime | None = None,
        photos: tuple[Photo, ...] = (),
        signature_sha256: str | None = None,
        extra_items: list[tuple[str, str]] | None = None,
    ) -> None:
        """签退: close the visit with its service record and decide whether it is verified: it is
        unless a flag configured to hold was raised, and then it waits in the review queue."""
        if self.status != VisitStatus.in_progress or self.checked_in_at is None or self.check_in is None:
            raise VisitStateConflict(f"the visit is {self.status.value}; check in before checking out")
        outside = [code for code in items_done if not plan.covers(code)]
        if outside:
            # 第十八条（一）: service not per the care plan is a violation, so it is never recorded as done.
            raise RuleViolations.of([("record.items_done", f"not in the care plan: {', '.join(outside)}")])
        extras = list(dict.fromkeys((code, reason) for code, reason in extra_items or []))
        planned = [code for code, _ in extras if plan.covers(code)]
        if planned:
            raise RuleViolations.of(
                [("record.extra_items", f"in the care plan, list under items_done: {', '.join(planned)}")]
            )
        minutes = max(0, int((now - self.checked_in_at).total_seconds() // 60))
        booked = int((self.scheduled_end_at - self.scheduled_start_at).total_seconds() // 60)
        raised = list(flags or []) + duration_flags(policy, policy.rule(self.service_code), minutes, booked)
        raised += [
            Flag(
                FlagCode.extra_item,
                policy.action(FlagCode.extra_item),
                "check_out",
                f"check-out: {code} is not in the care plan; reason: {reason}",
            )
            for code, reason in extras
        ]
        refusals(raised)
        self.status = VisitStatus.completed
        self.checked_out_at = now
        self.check_out = location
        self.check_out_device_at = device_at
        self.photos = self.photos + photos
        self.signature_sha256 = signature_sha256
        self.extra_items = tuple(extras)
        self.notes = notes
        self.items_done = tuple(dict.fromkeys(items_done))
        self.duration_minutes = minutes
        self.flags = self.flags + tuple(raised)
        self.verification_notes = tuple(f.message for f in self.flags)
        self.verified = not any(f.action == FlagAction.hold for f in self.flags)
        self.review_status = None if self.verified else ReviewStatus.pending

    def attach_vital_signs(self, sealed: str) -> None:
        """Vital signs belong to a health-monitoring visit (附件2 CS25 常规生理指数监测) just checked out."""
        if self.status != VisitStatus.completed:
            raise VisitStateConflict("vital signs are recorded with the check-out")
        if "CS25" not in self.items_done:
            raise RuleViolations.of([("record.vital_signs", "vital signs go with CS25 among items_done")])
        self.vital_signs_sealed = sealed

    @property
    def flag_codes(self) -> list[str]:
        return [f.code.value for f in self.flags]

    # ------------------------------------------------------------------ the caregiver app

    def _ensure_caregivers_booking(self) -> None:
        if self.status != VisitStatus.scheduled or self.caregiver_id is None:
            raise VisitStateConflict(f"the visit is {self.status.value}; only a booked visit not yet started")

    def _synced_late(self) -> bool:
        """An acceptance or a trip that reaches the server after the phone's check-in (offline,
        synced out of order) is moot: it changes nothing rather than failing the phone's queue."""
        return self.status in (VisitStatus.in_progress, VisitStatus.completed)

    def accept(self, *, now: datetime) -> None:
        """The caregiver confirms the booking (once; a repeat keeps the first time)."""
        if self._synced_late():
            return
        self._ensure_caregivers_booking()
        self.accepted_at = self.accepted_at or now

    def decline(self, *, by: str) -> UUID:
        """The caregiver gives the booking back: it returns to the planner. Returns who had it."""
        self._ensure_caregivers_booking()
        if self.trip_started_at is not None:
            raise VisitStateConflict("the caregiver is already on the way; the office reassigns it")
        caregiver_id = self.caregiver_id
        assert caregiver_id is not None
        self.unassign(by=by)
        self.accepted_at = None
        return caregiver_id

    def start_trip(self, *, now: datetime) -> None:
        """出发: the caregiver is on the way (once; a repeat keeps the first time)."""
        if self._synced_late():
            return
        self._ensure_caregivers_booking()
        self.trip_started_at = self.trip_started_at or now

    # ------------------------------------------------------------------ ends other than completion

    def cancel(self, *, reason: str, now: datetime) -> bool:
        """Cancel a visit not yet started (the beneficiary suspended or terminated, the plan ended).
        False when it has started or already ended: what happened stays on record."""
        if self.status != VisitStatus.scheduled:
            return False
        self.status, self.ended_at, self.end_reason = VisitStatus.cancelled, now, reason
        return True

    def release_generation(self) -> bool:
        """A generated visit cancelled because the beneficiary was suspended or the plan changed
        frees its occurrence: if the plan asks for it again, a new visit is generated. Other ends
        (missed, completed, voided, another cancellation) keep it: they are final."""
        if self.generated_for_at is None or self.status != VisitStatus.cancelled or self.generation_released:
            return False
        self.generation_released = True
        return True

    def is_overdue(self, now: datetime, grace: timedelta) -> bool:
        return self.status == VisitStatus.scheduled and self.window[1] + grace <= now

    def mark_missed(self, *, now: datetime, grace: timedelta) -> bool:
        """Nobody checked in by the end of the window plus the grace: missed. False otherwise."""
        if not self.is_overdue(now, grace):
            return False
        end = self.window[1]
        self.status, self.ended_at = VisitStatus.missed, now
        self.end_reason = f"no check-in by {end.isoformat()} (grace {int(grace.total_seconds() // 60)} min)"
        return True

    def ensure_reschedulable(self) -> None:
        if self.status != VisitStatus.missed:
            raise VisitStateConflict(f"the visit is {self.status.value}; only a missed visit is rescheduled")
        if self.rescheduled_as is not None:
            raise VisitStateConflict(f"the visit was already rescheduled as {self.rescheduled_as}")

    def reschedule(self, *, reason: str, replacement: Visit) -> None:
        """The provider explains a missed visit and books its replacement (issue #5), once."""
        self.ensure_reschedulable()
        if (replacement.care_plan_id, replacement.service_code) != (self.care_plan_id, self.service_code):
            raise VisitStateConflict("a replacement is for the same plan and item")
        self.missed_reason, self.rescheduled_as = reason, replacement.id

    def resolve_review(self, *, accepted: bool, by: str, comment: str | None, now: datetime) -> None:
        """The provider's supervisor or the district officer decides on a held record, with the reason.
        Rejection voids the visit (第十八条（一）: not served per the plan is not paid)."""
        if self.status != VisitStatus.completed or self.review_status != ReviewStatus.pending:
            raise VisitStateConflict("only a completed visit waiting for review can be reviewed")
        if not comment:
            # Issue #5: overriding a flag needs a reason; a rejection tells the provider why.
            raise RuleViolations.of([("comment", "a review needs a comment (the reason for the decision)")])
        self.reviewed_by, self.reviewed_at, self.review_comment = by, now, comment
        if accepted:
            self.review_status, self.verified = ReviewStatus.accepted, True
            return
        self.review_status = ReviewStatus.rejected
        self.status, self.ended_at = VisitStatus.voided, now
        self.end_reason = f"record rejected on review: {comment}"


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
    else:
        sex = plan.required_sex(service_code)
        if sex is not None and caregiver.sex != sex:
            # Issue #5: the plan's preferred caregiver sex for intimate care is a hard constraint.
            out.append(
                (
                    "caregiver_id",
                    f"{service_code} is intimate care: the plan asks for a {sex.value} caregiver",
                )
            )
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
    elif not caregiver.health_certificate_valid_on(start_day):
        # 第九条（四）: 身体健康，取得健康合格证明后上岗.
        out.append(
            ("caregiver_id", f"the caregiver's health certificate is not valid on {start_day.isoformat()}")
        )
    elif not caregiver.under_contract_on(start_day):
        # 第九条（一）: 与服务组织签订劳动合同或劳务合同.
        out.append(("caregiver_id", f"the caregiver is not under contract on {start_day.isoformat()}"))
    return out
