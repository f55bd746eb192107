"""Events published by dispatch: care plans and the visit lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from eldercare.common.contracts.common import DISTRICT_PATTERN
from eldercare.common.registry import IntegrationEvent


class CarePlanActivated(IntegrationEvent):
    """A provider's care plan and service agreement for a beneficiary took effect (Changsha 第十二条)."""

    event_type: ClassVar[str] = "dispatch.care_plan.activated.v1"
    topic: ClassVar[str] = "dispatch.care_plan"

    care_plan_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    service_codes: list[str]
    activated_at: datetime

    def subject(self) -> str:
        return str(self.care_plan_id)


class VisitScheduled(IntegrationEvent):
    """A visit was booked for a caregiver at a beneficiary's home."""

    event_type: ClassVar[str] = "dispatch.visit.scheduled.v1"
    topic: ClassVar[str] = "dispatch.visit"

    visit_id: UUID
    care_plan_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    service_code: str
    scheduled_start_at: datetime
    scheduled_end_at: datetime

    def subject(self) -> str:
        return str(self.visit_id)


class VisitCheckedIn(IntegrationEvent):
    """The caregiver checked in at the home (location within the geofence, or flagged if not)."""

    event_type: ClassVar[str] = "dispatch.visit.checked_in.v1"
    topic: ClassVar[str] = "dispatch.visit"

    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    checked_in_at: datetime
    distance_m: float | None
    location_ok: bool

    def subject(self) -> str:
        return str(self.visit_id)


class VisitCompleted(IntegrationEvent):
    """The caregiver checked out; the visit is verified and may be charged (Changsha 第十七条:
    service records uploaded in real time)."""

    event_type: ClassVar[str] = "dispatch.visit.completed.v1"
    topic: ClassVar[str] = "dispatch.visit"

    visit_id: UUID
    care_plan_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    service_code: str
    checked_in_at: datetime
    checked_out_at: datetime
    duration_minutes: int = Field(ge=0)
    verified: bool
    verification_notes: list[str]

    def subject(self) -> str:
        return str(self.visit_id)
