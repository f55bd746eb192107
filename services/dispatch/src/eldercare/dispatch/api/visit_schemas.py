"""Request and response bodies for care plans and visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from eldercare.dispatch.api.provider_schemas import ServiceCode
from eldercare.dispatch.domain.care_plans import CARE_PLAN_STATUS_LABELS, CarePlan
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.visits import VISIT_STATUS_LABELS, LocationCheck, Visit

_FORBID = ConfigDict(extra="forbid")


class AgreementIn(BaseModel):
    """服务协议 (第十四条)."""

    model_config = _FORBID

    signed_on: date
    duration_months: StrictInt = Field(ge=1, le=60)
    family_consent_obtained: StrictBool = Field(
        default=False, description="the family agreed to outings and medical accompaniment (CS13, CS16, CS17)"
    )


class CarePlanCreate(BaseModel):
    model_config = _FORBID

    beneficiary_id: UUID
    service_codes: list[ServiceCode] = Field(min_length=1, max_length=32, examples=[["CS22", "CS25"]])
    frequency_per_month: StrictInt = Field(ge=1, le=124, description="visits a month (at most four a day)")
    agreement: AgreementIn


class AgreementRead(BaseModel):
    signed_on: date
    duration_months: int
    ends_on: date = Field(description="the last day the agreement covers")
    family_consent_obtained: bool


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
        )


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


class Location(BaseModel):
    """WGS-84 degrees, as the phone reports them."""

    model_config = _FORBID

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

    def point(self) -> Point:
        return Point(self.lat, self.lon)


class CheckInCreate(BaseModel):
    model_config = _FORBID

    location: Location
    accuracy_m: float = Field(ge=0, le=100_000, description="the phone's accuracy radius")


class ServiceRecordIn(BaseModel):
    """服务记录: what was done, uploaded at check-out (第十七条)."""

    model_config = _FORBID

    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    items_done: list[ServiceCode] = Field(min_length=1, max_length=32)


class CheckOutCreate(BaseModel):
    model_config = _FORBID

    location: Location
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    record: ServiceRecordIn


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
            status=v.status.value,
            status_label=VISIT_STATUS_LABELS[v.status],
            checked_in_at=v.checked_in_at,
            check_in=LocationCheckRead.from_domain(v.check_in),
            checked_out_at=v.checked_out_at,
            check_out=LocationCheckRead.from_domain(v.check_out),
            distance_m=latest.distance_m if latest else None,
            location_ok=latest.ok if latest else None,
            record=ServiceRecordRead(notes=v.notes or "", items_done=list(v.items_done))
            if v.checked_out_at
            else None,
            duration_minutes=v.duration_minutes,
            verified=v.verified,
            verification_notes=list(v.verification_notes),
        )
