"""Bodies of the caregiver app, the review queue and emergency help."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from eldercare.dispatch.api.visit_schemas import AppCallIn, Location, VisitRead
from eldercare.dispatch.application.caregiver_app import ScheduleEntry
from eldercare.dispatch.domain.emergencies import EMERGENCY_STATUS_LABELS, Emergency

_FORBID = ConfigDict(extra="forbid")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class DeclineCreate(AppCallIn):
    reason: Text = Field(description="why the caregiver cannot take the visit (sick, clash, too far...)")


class ReviewCreate(BaseModel):
    model_config = _FORBID

    outcome: Literal["accepted", "rejected"]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = Field(
        default=None, description="the reason for the decision (required: an override needs a reason)"
    )


class HomeRead(BaseModel):
    """What the caregiver needs to find the home: the geocoded point and the community. Dispatch
    holds no name, ID number or street address (PII minimisation, docs/architecture.md)."""

    community_code: str
    location: Location | None


class ScheduleVisitRead(VisitRead):
    home: HomeRead | None
    plan_items: list[str] = Field(description="the care plan's items (catalog codes)")

    @classmethod
    def from_entry(cls, entry: ScheduleEntry) -> ScheduleVisitRead:
        b = entry.beneficiary
        home = None
        if b is not None:
            point = b.home_point
            home = HomeRead(
                community_code=b.community_code,
                location=Location(lat=point.lat, lon=point.lon) if point else None,
            )
        return cls(
            **VisitRead.from_domain(entry.visit).model_dump(), home=home, plan_items=list(entry.plan_items)
        )


class ScheduleRead(BaseModel):
    caregiver_id: UUID
    on: date
    items: list[ScheduleVisitRead] = Field(description="in order of the booked start")


class EmergencyCreate(BaseModel):
    model_config = _FORBID

    beneficiary_id: UUID
    kind: Literal["fall", "medical", "hospitalisation", "fire", "lost", "other"]
    source: Literal["device", "phone", "caregiver", "platform"]


class EmergencyResolutionCreate(BaseModel):
    model_config = _FORBID

    outcome: Literal["resolved_on_site", "hospitalised", "false_alarm", "referred", "deceased"]


class EmergencyRead(BaseModel):
    id: UUID
    beneficiary_id: UUID
    provider_id: UUID | None = Field(description="the responsible provider (the active care plan's)")
    care_plan_id: UUID | None
    district_code: str
    community_code: str
    kind: str
    source: str
    status: str
    status_label: str
    raised_by: str
    raised_at: datetime
    acknowledged_at: datetime | None
    responded_at: datetime | None = Field(description="someone on the scene")
    responder_caregiver_id: UUID | None
    resolved_at: datetime | None
    outcome: str | None
    seconds_to_acknowledge: int | None
    seconds_to_respond: int | None
    response_due_at: datetime | None = Field(
        description="null while DISPATCH_EMERGENCY_RESPONSE_MINUTES is unset"
    )
    notified_caregiver_ids: list[UUID] = Field(
        description="caregivers asked to go, in turn: the nearest available first, then on escalation"
    )
    notified_at: datetime | None
    escalated_to_line_at: datetime | None = Field(
        description="nobody left to ask: the provider's 24-hour line"
    )

    @classmethod
    def from_domain(cls, e: Emergency, response_minutes: int | None) -> EmergencyRead:
        return cls(
            id=e.id,
            beneficiary_id=e.beneficiary_id,
            provider_id=e.provider_id,
            care_plan_id=e.care_plan_id,
            district_code=e.district_code,
            community_code=e.community_code,
            kind=e.kind,
            source=e.source,
            status=e.status.value,
            status_label=EMERGENCY_STATUS_LABELS[e.status],
            raised_by=e.raised_by,
            raised_at=e.raised_at,
            acknowledged_at=e.acknowledged_at,
            responded_at=e.responded_at,
            responder_caregiver_id=e.responder_caregiver_id,
            resolved_at=e.resolved_at,
            outcome=e.outcome,
            seconds_to_acknowledge=e.seconds_to(e.acknowledged_at),
            seconds_to_respond=e.seconds_to(e.responded_at),
            response_due_at=e.response_due_at(response_minutes),
            notified_caregiver_ids=list(e.notified_caregiver_ids),
            notified_at=e.notified_at,
            escalated_to_line_at=e.escalated_to_line_at,
        )
