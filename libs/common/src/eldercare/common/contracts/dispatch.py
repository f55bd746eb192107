"""Events published by dispatch: care plans and the visit lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

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
    # Optional (events published before it have none): the SHA-256 of each photo the caregiver took
    # at check-in and check-out, deduplicated. Hashes only, never the image, when or where it was
    # taken: enough for audit to see one photo submitted for several visits (Changsha 第十八条（四）).
    photo_sha256s: list[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]] = Field(
        default_factory=list,
        max_length=32,
        description="SHA-256 (hex) of each check-in and check-out photo; hashes only: no image, time, place",
    )

    def subject(self) -> str:
        return str(self.visit_id)


class VisitUnassigned(IntegrationEvent):
    """A scheduled visit lost its caregiver (decertified, sanctioned provider, sick, declined) and
    is back with the planner; ``caregiver_id`` is the one it had."""

    event_type: ClassVar[str] = "dispatch.visit.unassigned.v1"
    topic: ClassVar[str] = "dispatch.visit"

    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    reason: str
    unassigned_at: datetime

    def subject(self) -> str:
        return str(self.visit_id)


class VisitCancelled(IntegrationEvent):
    """A visit will not be (or was not validly) delivered: cancelled before it started (plan ended,
    beneficiary suspended or terminated), missed (nobody checked in by the end of its window), or
    voided after completion when review rejected its record. ``was_completed`` tells billing a
    charge may exist and must be reversed."""

    event_type: ClassVar[str] = "dispatch.visit.cancelled.v1"
    topic: ClassVar[str] = "dispatch.visit"

    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID | None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    kind: Literal["cancelled", "missed", "voided"]
    reason: str
    was_completed: bool
    cancelled_at: datetime

    def subject(self) -> str:
        return str(self.visit_id)


class VisitVerificationResolved(IntegrationEvent):
    """A completed visit whose record was flagged (``verified`` false on completion) was reviewed:
    ``accepted`` makes it billable as recorded; ``rejected`` voids it (a VisitCancelled with kind
    ``voided`` follows)."""

    event_type: ClassVar[str] = "dispatch.visit.verification_resolved.v1"
    topic: ClassVar[str] = "dispatch.visit"

    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    outcome: Literal["accepted", "rejected"]
    reviewer: str
    comment: str | None = None
    resolved_at: datetime

    def subject(self) -> str:
        return str(self.visit_id)


EmergencyKind = Literal["fall", "medical", "hospitalisation", "fire", "lost", "other"]


class EmergencyRaised(IntegrationEvent):
    """A beneficiary (or their device, or a caregiver on a visit) raised an emergency help call
    (助急, catalog CS14 突发事件处置 and CS15 紧急送医)."""

    event_type: ClassVar[str] = "dispatch.emergency.raised.v1"
    topic: ClassVar[str] = "dispatch.emergency"

    emergency_id: UUID
    beneficiary_id: UUID
    provider_id: UUID | None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    kind: EmergencyKind
    source: Literal["device", "phone", "caregiver", "platform"]
    raised_at: datetime

    def subject(self) -> str:
        return str(self.emergency_id)


class EmergencyResolved(IntegrationEvent):
    """An emergency call was closed. ``outcome`` ``hospitalised`` or a ``fall`` kind is a change of
    condition: assessment opens an immediate reassessment (GB/T 42195 A.1.3 即时评估)."""

    event_type: ClassVar[str] = "dispatch.emergency.resolved.v1"
    topic: ClassVar[str] = "dispatch.emergency"

    emergency_id: UUID
    beneficiary_id: UUID
    provider_id: UUID | None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    kind: EmergencyKind
    outcome: Literal["resolved_on_site", "hospitalised", "false_alarm", "referred", "deceased"]
    responded_at: datetime | None
    resolved_at: datetime

    def subject(self) -> str:
        return str(self.emergency_id)


class CarePlanChanged(IntegrationEvent):
    """A new version of an active care plan took effect (a change of plan is a new version with a
    signed agreement, Changsha 第十二条-第十四条)."""

    event_type: ClassVar[str] = "dispatch.care_plan.changed.v1"
    topic: ClassVar[str] = "dispatch.care_plan"

    care_plan_id: UUID
    version: int = Field(ge=1)
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    service_codes: list[str]
    changed_at: datetime

    def subject(self) -> str:
        return str(self.care_plan_id)


class CarePlanEnded(IntegrationEvent):
    """An active care plan ended: its provider or the district ended it, its agreement ran out
    (Changsha 第十四条), or the beneficiary's termination took effect. Its visits still ahead are
    cancelled in the same transaction (each with its own ``VisitCancelled``)."""

    event_type: ClassVar[str] = "dispatch.care_plan.ended.v1"
    topic: ClassVar[str] = "dispatch.care_plan"

    care_plan_id: UUID
    version: int = Field(ge=1)
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    # Why: "provider", "district", "agreement_expired" or "beneficiary_terminated".
    cause: Literal["provider", "district", "agreement_expired", "beneficiary_terminated"]
    reason: str = Field(max_length=500)
    ended_at: datetime
    cancelled_visits: int = Field(ge=0)

    def subject(self) -> str:
        return str(self.care_plan_id)


class EmergencyAcknowledged(IntegrationEvent):
    """The caregiver asked to respond (or the provider's 24-hour line) acknowledged the call."""

    event_type: ClassVar[str] = "dispatch.emergency.acknowledged.v1"
    topic: ClassVar[str] = "dispatch.emergency"

    emergency_id: UUID
    beneficiary_id: UUID
    provider_id: UUID | None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    caregiver_id: UUID | None
    acknowledged_at: datetime

    def subject(self) -> str:
        return str(self.emergency_id)


class EmergencyEscalated(IntegrationEvent):
    """Nobody acknowledged in time (or the asked caregiver could not go): the call passed to the
    next caregiver (``to_caregiver_id``) or to the provider's 24-hour line (Changsha 第七条（三）)."""

    event_type: ClassVar[str] = "dispatch.emergency.escalated.v1"
    topic: ClassVar[str] = "dispatch.emergency"

    emergency_id: UUID
    beneficiary_id: UUID
    provider_id: UUID | None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    from_caregiver_id: UUID | None
    to_caregiver_id: UUID | None
    to_hotline: bool
    reason: str
    escalated_at: datetime

    def subject(self) -> str:
        return str(self.emergency_id)


class EmergencyArrived(IntegrationEvent):
    """A responder reached the beneficiary; ``response_seconds`` from the call."""

    event_type: ClassVar[str] = "dispatch.emergency.arrived.v1"
    topic: ClassVar[str] = "dispatch.emergency"

    emergency_id: UUID
    beneficiary_id: UUID
    provider_id: UUID | None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    caregiver_id: UUID | None
    response_seconds: int = Field(ge=0)
    arrived_at: datetime

    def subject(self) -> str:
        return str(self.emergency_id)
