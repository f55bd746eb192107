"""Request and response bodies for care plans and visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from eldercare.dispatch.api.plan_schedule_schemas import ScheduleIn, ScheduleRead, schedule_of
from eldercare.dispatch.api.provider_schemas import ServiceCode
from eldercare.dispatch.application.care_plans import PlanTerms
from eldercare.dispatch.application.visits import AppCall
from eldercare.dispatch.domain.care_plans import CARE_PLAN_STATUS_LABELS, Agreement, CarePlan, CarePlanVersion
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.offline import TimelineEntry
from eldercare.dispatch.domain.plan_fit import FIT_STATUS_LABELS, PlanFit
from eldercare.dispatch.domain.providers import Sex
from eldercare.dispatch.domain.visits import (
    REVIEW_STATUS_LABELS,
    VISIT_STATUS_LABELS,
    LocationCheck,
    Photo,
    Visit,
)

_FORBID = ConfigDict(extra="forbid")


class AgreementIn(BaseModel):
    """服务协议 (第十四条)."""

    model_config = _FORBID

    signed_on: date
    duration_months: StrictInt = Field(ge=1, le=60)
    family_consent_obtained: StrictBool = Field(
        default=False, description="the family agreed to outings and medical accompaniment (CS13, CS16, CS17)"
    )


class CarePlanTermsIn(BaseModel):
    """What a version of a plan says, the same on activation and on every new version (第十四条)."""

    model_config = _FORBID

    service_codes: list[ServiceCode] = Field(min_length=1, max_length=32, examples=[["CS22", "CS25"]])
    frequency_per_month: StrictInt = Field(ge=1, le=124, description="visits a month (at most four a day)")
    agreement: AgreementIn
    preferred_caregiver_sex: Sex | None = Field(
        default=None,
        description="only a caregiver of this sex for intimate care (CS05-CS10, CS18, one in the plan)",
    )
    minutes_per_visit: StrictInt | None = Field(
        default=None,
        ge=5,
        le=480,
        description="the length of a visit: prices hourly items and counts minutes (omitted: 60)",
    )
    self_paid_per_month: StrictInt = Field(
        default=0,
        ge=0,
        le=124,
        description="of frequency_per_month, the visits of each item the beneficiary pays himself:"
        " outside the monthly entitlement (issue #5)",
    )
    schedule: ScheduleIn | None = Field(
        default=None,
        description="preferred days and windows; the plan's visits are generated in them. Omitted: no"
        " generated visits (book them with POST /v1/visits)",
    )

    def terms(self) -> PlanTerms:
        return PlanTerms(
            service_codes=list(self.service_codes),
            frequency_per_month=self.frequency_per_month,
            agreement=Agreement(**self.agreement.model_dump()),
            preferred_caregiver_sex=self.preferred_caregiver_sex,
            minutes_per_visit=self.minutes_per_visit,
            self_paid_per_month=self.self_paid_per_month,
            schedule=schedule_of(self.schedule),
        )


class CarePlanCreate(CarePlanTermsIn):
    beneficiary_id: UUID


class CarePlanVersionCreate(CarePlanTermsIn):
    """A change of plan: the whole new version and the agreement signed for it (第十四条)."""

    agreement: AgreementIn = Field(description="signed for this version, on or after the current one")
    preferred_caregiver_sex: Sex | None = Field(
        default=None, description="as on creation; omitted, the new version has no preference"
    )


class CarePlanEndCreate(BaseModel):
    model_config = _FORBID

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        examples=["家属申请终止服务"]
    )


class AgreementRead(BaseModel):
    signed_on: date
    duration_months: int
    ends_on: date = Field(description="the last day the agreement covers")
    family_consent_obtained: bool


class PlanFitRead(BaseModel):
    """The plan against the monthly entitlement (issue #5), checked at activation, at each version,
    and again when a price list or an entitlement arrives later: ``fits``, ``unchecked`` with the
    reason (an item with no price in force, no entitlement known), or ``over_entitlement`` (only
    from such a later re-check: a new plan or version over the entitlement is refused)."""

    status: str
    status_label: str
    monthly_cost_fen: int | None = Field(
        description="the visits within the entitlement, at the prices; null if an item has none"
    )
    monthly_minutes: int
    note: str | None
    checked_on: date | None = Field(description="the day the plan was checked for")

    @classmethod
    def from_domain(cls, fit: PlanFit | None) -> PlanFitRead | None:
        if fit is None:
            return None
        return cls(
            status=fit.status.value,
            status_label=FIT_STATUS_LABELS[fit.status],
            monthly_cost_fen=fit.monthly_cost_fen,
            monthly_minutes=fit.monthly_minutes,
            note=fit.note,
            checked_on=fit.checked_on,
        )


class CarePlanRead(BaseModel):
    id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str
    community_code: str
    service_codes: list[str]
    frequency_per_month: int
    agreement: AgreementRead
    status: str
    status_label: str
    activated_at: datetime
    preferred_caregiver_sex: Sex | None
    version: int = Field(description="a change of plan is a new version (GET .../versions lists them)")
    changed_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    minutes_per_visit: int | None
    self_paid_per_month: int
    fit: PlanFitRead | None = Field(description="null for a plan activated before the check existed")
    schedule: ScheduleRead | None = Field(default=None, description="null: no schedule, no generated visits")

    @classmethod
    def from_domain(cls, plan: CarePlan) -> CarePlanRead:
        a = plan.agreement
        return cls(
            id=plan.id,
            beneficiary_id=plan.beneficiary_id,
            provider_id=plan.provider_id,
            district_code=plan.district_code,
            community_code=plan.community_code,
            service_codes=list(plan.service_codes),
            frequency_per_month=plan.frequency_per_month,
            agreement=AgreementRead(
                signed_on=a.signed_on,
                duration_months=a.duration_months,
                ends_on=a.ends_on,
                family_consent_obtained=a.family_consent_obtained,
            ),
            status=plan.status.value,
            status_label=CARE_PLAN_STATUS_LABELS[plan.status],
            activated_at=plan.activated_at,
            preferred_caregiver_sex=plan.preferred_caregiver_sex,
            version=plan.version,
            changed_at=plan.changed_at,
            ended_at=plan.ended_at,
            end_reason=plan.end_reason,
            minutes_per_visit=plan.minutes_per_visit,
            self_paid_per_month=plan.self_paid_per_month,
            fit=PlanFitRead.from_domain(plan.fit),
            schedule=ScheduleRead.from_domain(plan.schedule),
        )


def _agreement_read(a: Agreement) -> AgreementRead:
    return AgreementRead(
        signed_on=a.signed_on,
        duration_months=a.duration_months,
        ends_on=a.ends_on,
        family_consent_obtained=a.family_consent_obtained,
    )


class CarePlanChangeRead(CarePlanRead):
    cancelled_visit_ids: list[UUID] = Field(
        description="visits not yet started cancelled by the change (item gone, or after the agreement)"
    )
    unassigned_visit_ids: list[UUID] = Field(
        description="intimate-care visits whose caregiver no longer fits the sex preference (to the planner)"
    )
    generated_visit_ids: list[UUID] = Field(
        default_factory=list, description="visits generated for the new version's schedule (horizon)"
    )


class CarePlanEndRead(CarePlanRead):
    cancelled_visit_ids: list[UUID] = Field(description="its visits still ahead, cancelled (plan ended)")


class CarePlanVersionRead(BaseModel):
    version: int
    service_codes: list[str]
    frequency_per_month: int
    preferred_caregiver_sex: Sex | None
    agreement: AgreementRead
    effective_at: datetime
    created_by: str
    schedule: ScheduleRead | None = None
    minutes_per_visit: int | None
    self_paid_per_month: int | None
    fit: PlanFitRead | None = Field(description="the version's fit as checked when it took effect")

    @classmethod
    def from_domain(cls, v: CarePlanVersion) -> CarePlanVersionRead:
        return cls(
            version=v.version,
            service_codes=list(v.service_codes),
            frequency_per_month=v.frequency_per_month,
            preferred_caregiver_sex=v.preferred_caregiver_sex,
            agreement=_agreement_read(v.agreement),
            effective_at=v.effective_at,
            created_by=v.created_by,
            schedule=ScheduleRead.from_domain(v.schedule),
            minutes_per_visit=v.minutes_per_visit,
            self_paid_per_month=v.self_paid_per_month,
            fit=PlanFitRead.from_domain(v.fit),
        )


class CarePlanVersionList(BaseModel):
    items: list[CarePlanVersionRead]


class VisitCreate(BaseModel):
    model_config = _FORBID

    care_plan_id: UUID
    caregiver_id: UUID | None = Field(
        default=None, description="omit to leave the visit to the day planner (POST /v1/schedules)"
    )
    service_code: ServiceCode
    scheduled_start_at: AwareDatetime
    scheduled_end_at: AwareDatetime
    window_start_at: AwareDatetime | None = Field(
        default=None, description="without a caregiver: the planner may move the visit within this window"
    )
    window_end_at: AwareDatetime | None = None


class ReschedulingCreate(BaseModel):
    """A missed visit booked again: the provider's reason, and the new slot (with a caregiver, or
    left to the planner within a window)."""

    model_config = _FORBID

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    caregiver_id: UUID | None = None
    scheduled_start_at: AwareDatetime
    scheduled_end_at: AwareDatetime
    window_start_at: AwareDatetime | None = None
    window_end_at: AwareDatetime | None = None


class Location(BaseModel):
    """WGS-84 degrees, as the phone reports them."""

    model_config = _FORBID

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

    def point(self) -> Point:
        return Point(self.lat, self.lon)


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class PhotoIn(BaseModel):
    """A photo taken on the phone: its SHA-256 (the file stays with the provider), when and where."""

    model_config = _FORBID

    sha256: Sha256
    taken_at: AwareDatetime
    location: Location | None = None


class AppCallIn(BaseModel):
    """Offline tolerance (issue #5): the phone generates ``client_id`` once per action and sends
    it with every retry or late sync; ``device_time`` is the phone's clock when the caregiver
    acted. The server's clock is the record; a phone clock far off is flagged."""

    model_config = _FORBID

    client_id: UUID | None = Field(default=None, description="generated by the phone; retries reuse it")
    device_time: AwareDatetime | None = Field(default=None, description="the phone's clock at the action")
    sent_time: AwareDatetime | None = Field(
        default=None,
        description="the phone's clock when the call left it (a retry sends its own): the server then "
        "tells a call that waited offline from a phone clock that is off",
    )

    def call(self) -> AppCall:
        return AppCall(self.client_id, self.device_time, self.sent_time)


class AppCallEntryRead(BaseModel):
    client_id: UUID
    kind: str = Field(examples=["check_in"])
    device_time: datetime | None
    sent_time: datetime | None
    received_at: datetime = Field(description="the server's clock: the record")
    clock_skew_seconds: float | None = Field(description="the phone's clock error (positive: ahead)")
    acted_at: datetime = Field(description="device_time corrected by the clock error: the order of the list")
    queued_seconds: float = Field(description="how long the call waited on the phone")
    out_of_order: bool = Field(description="a call the caregiver made later reached the server first")

    @classmethod
    def from_domain(cls, e: TimelineEntry) -> AppCallEntryRead:
        a = e.action
        return cls(
            client_id=a.client_id,
            kind=a.kind,
            device_time=a.device_at,
            sent_time=a.sent_at,
            received_at=a.received_at,
            clock_skew_seconds=a.clock_skew_seconds,
            acted_at=a.acted_at,
            queued_seconds=round(a.queued_seconds, 3),
            out_of_order=e.out_of_order,
        )


class AppCallList(BaseModel):
    items: list[AppCallEntryRead]


class CheckInCreate(AppCallIn):
    location: Location
    accuracy_m: float = Field(ge=0, le=100_000, description="the phone's accuracy radius")
    photos: list[PhotoIn] = Field(default_factory=list, max_length=10)

    def domain_photos(self) -> tuple[Photo, ...]:
        return _photos(self.photos, "check_in")


def _photos(photos: list[PhotoIn], stage: str) -> tuple[Photo, ...]:
    return tuple(
        Photo(p.sha256, p.taken_at, stage, p.location.point() if p.location else None) for p in photos
    )


class ExtraItemIn(BaseModel):
    """An item done beyond the care plan (issue #5: extra items need a reason); it holds the visit
    for review (changsha-2024 第十八条（一）)."""

    model_config = _FORBID

    code: ServiceCode
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class VitalSignsIn(BaseModel):
    """常规生理指数监测 (附件2 CS25): temperature, weight, blood pressure, breathing, pulse, glucose.
    Health data: sealed at rest, readable only with pii:read. Ranges refuse typing slips, not
    clinical values."""

    model_config = _FORBID

    temperature_c: float | None = Field(default=None, ge=30, le=45)
    weight_kg: float | None = Field(default=None, ge=15, le=300)
    systolic_mmhg: int | None = Field(default=None, ge=40, le=300)
    diastolic_mmhg: int | None = Field(default=None, ge=20, le=200)
    respiration_per_min: int | None = Field(default=None, ge=4, le=80)
    pulse_bpm: int | None = Field(default=None, ge=20, le=250)
    glucose_mmol_l: float | None = Field(default=None, ge=0.5, le=50)
    measured_at: AwareDatetime | None = None


class ServiceRecordIn(BaseModel):
    """服务记录: what was done, uploaded at check-out (第十七条)."""

    model_config = _FORBID

    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    items_done: list[ServiceCode] = Field(min_length=1, max_length=32)
    vital_signs: VitalSignsIn | None = Field(default=None, description="only with CS25 among items_done")
    extra_items: list[ExtraItemIn] = Field(
        default_factory=list, max_length=10, description="items done beyond the care plan, each with a reason"
    )


class CheckOutCreate(AppCallIn):
    location: Location
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    record: ServiceRecordIn
    photos: list[PhotoIn] = Field(default_factory=list, max_length=10)
    signature_sha256: Sha256 | None = Field(
        default=None, description="the recipient's signature captured on the phone, by its hash"
    )

    def domain_photos(self) -> tuple[Photo, ...]:
        return _photos(self.photos, "check_out")


class FlagRead(BaseModel):
    code: str
    action: str = Field(description="refuse, hold (verified false, review queue) or note")
    stage: str
    message: str


class ReviewRead(BaseModel):
    status: str
    status_label: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    comment: str | None


class PhotoRead(BaseModel):
    sha256: str
    taken_at: datetime
    stage: str
    location: Location | None


class LocationCheckRead(BaseModel):
    location: Location
    accuracy_m: float | None
    distance_m: float | None = Field(description="metres from the beneficiary's home point; null if unknown")
    location_ok: bool

    @classmethod
    def from_domain(cls, check: LocationCheck | None) -> LocationCheckRead | None:
        if check is None:
            return None
        return cls(
            location=Location(lat=check.point.lat, lon=check.point.lon),
            accuracy_m=check.accuracy_m,
            distance_m=check.distance_m,
            location_ok=check.ok,
        )


class ServiceRecordRead(BaseModel):
    notes: str
    items_done: list[str]
    vital_signs_recorded: bool = Field(description="read them at GET /v1/visits/{id}/vital-signs (pii:read)")
    extra_items: list[ExtraItemIn] = Field(default_factory=list)


class VisitRead(BaseModel):
    id: UUID
    care_plan_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID | None = Field(description="null until the day planner or the office assigns one")
    district_code: str
    community_code: str
    service_code: str
    scheduled_start_at: datetime
    scheduled_end_at: datetime
    window_start_at: datetime | None
    window_end_at: datetime | None
    status: str
    status_label: str
    checked_in_at: datetime | None
    check_in: LocationCheckRead | None
    checked_out_at: datetime | None
    check_out: LocationCheckRead | None
    distance_m: float | None = Field(description="of the latest location check (check-out, else check-in)")
    location_ok: bool | None = Field(description="of the latest location check (check-out, else check-in)")
    record: ServiceRecordRead | None
    duration_minutes: int | None
    verified: bool | None
    verification_notes: list[str]
    flags: list[FlagRead]
    review: ReviewRead | None = Field(description="set when a holding flag sent the visit to review")
    ended_at: datetime | None = Field(description="when it was cancelled, missed or voided")
    end_reason: str | None
    accepted_at: datetime | None
    trip_started_at: datetime | None
    check_in_device_at: datetime | None
    check_out_device_at: datetime | None
    photos: list[PhotoRead]
    signature_sha256: str | None
    missed_reason: str | None = Field(description="the provider's reason for a missed visit")
    rescheduled_as: UUID | None = Field(description="the visit booked in place of a missed one")
    generated_for_at: datetime | None = Field(
        default=None, description="generated from the plan's schedule: the preferred slot's start it is for"
    )

    @classmethod
    def from_domain(cls, v: Visit) -> VisitRead:
        latest = v.check_out or v.check_in
        return cls(
            id=v.id,
            care_plan_id=v.care_plan_id,
            beneficiary_id=v.beneficiary_id,
            provider_id=v.provider_id,
            caregiver_id=v.caregiver_id,
            district_code=v.district_code,
            community_code=v.community_code,
            service_code=v.service_code,
            scheduled_start_at=v.scheduled_start_at,
            scheduled_end_at=v.scheduled_end_at,
            window_start_at=v.window_start_at,
            window_end_at=v.window_end_at,
            generated_for_at=v.generated_for_at,
            status=v.status.value,
            status_label=VISIT_STATUS_LABELS[v.status],
            checked_in_at=v.checked_in_at,
            check_in=LocationCheckRead.from_domain(v.check_in),
            checked_out_at=v.checked_out_at,
            check_out=LocationCheckRead.from_domain(v.check_out),
            distance_m=latest.distance_m if latest else None,
            location_ok=latest.ok if latest else None,
            record=ServiceRecordRead(
                notes=v.notes or "",
                items_done=list(v.items_done),
                vital_signs_recorded=v.vital_signs_sealed is not None,
                extra_items=[ExtraItemIn(code=c, reason=r) for c, r in v.extra_items],
            )
            if v.checked_out_at
            else None,
            duration_minutes=v.duration_minutes,
            verified=v.verified,
            verification_notes=list(v.verification_notes),
            flags=[FlagRead(**f.as_dict()) for f in v.flags],
            review=ReviewRead(
                status=v.review_status.value,
                status_label=REVIEW_STATUS_LABELS[v.review_status],
                reviewed_by=v.reviewed_by,
                reviewed_at=v.reviewed_at,
                comment=v.review_comment,
            )
            if v.review_status
            else None,
            ended_at=v.ended_at,
            end_reason=v.end_reason,
            accepted_at=v.accepted_at,
            trip_started_at=v.trip_started_at,
            check_in_device_at=v.check_in_device_at,
            check_out_device_at=v.check_out_device_at,
            photos=[
                PhotoRead(
                    sha256=p.sha256,
                    taken_at=p.taken_at,
                    stage=p.stage,
                    location=Location(lat=p.point.lat, lon=p.point.lon) if p.point else None,
                )
                for p in v.photos
            ],
            signature_sha256=v.signature_sha256,
            missed_reason=v.missed_reason,
            rescheduled_as=v.rescheduled_as,
        )
