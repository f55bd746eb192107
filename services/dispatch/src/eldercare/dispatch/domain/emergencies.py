"""Emergency help (助急, 附件2 CS14 突发事件处置 and CS15 紧急送医).

A call comes from the beneficiary's alarm device, a phone call to the provider's 24-hour line, a
caregiver, or the city platform. It goes to the responsible provider, the one holding the
beneficiary's active care plan: a provider must be able to take and handle help requests 24 hours a
day (changsha-2024-purchased-door-to-door-rules.md 第七条（三）). The record keeps the instants of
every step (raised, acknowledged, someone on the scene, resolved), so response times are measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eldercare.common.ids import uuid7
from eldercare.dispatch.domain.errors import VisitStateConflict
from eldercare.dispatch.domain.geo import Point, haversine_m


class EmergencyStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    on_scene = "on_scene"
    resolved = "resolved"


EMERGENCY_STATUS_LABELS = {
    EmergencyStatus.open: "待响应",
    EmergencyStatus.acknowledged: "已接警",
    EmergencyStatus.on_scene: "已到场",
    EmergencyStatus.resolved: "已处置",
}

KINDS = ("fall", "medical", "hospitalisation", "fire", "lost", "other")
SOURCES = ("device", "phone", "caregiver", "platform")
OUTCOMES = ("resolved_on_site", "hospitalised", "false_alarm", "referred", "deceased")


class EmergencyStateConflict(VisitStateConflict):
    """The emergency is not in the state this step needs (e.g. already resolved)."""


@dataclass
class Emergency:
    beneficiary_id: UUID
    provider_id: UUID | None
    care_plan_id: UUID | None
    district_code: str
    community_code: str
    kind: str
    source: str
    raised_by: str
    raised_at: datetime
    status: EmergencyStatus = EmergencyStatus.open
    id: UUID = field(default_factory=uuid7)
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    responder_caregiver_id: UUID | None = None
    responded_by: str | None = None
    responded_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    outcome: str | None = None
    notified_caregiver_ids: tuple[UUID, ...] = ()
    notified_at: datetime | None = None
    escalated_to_line_at: datetime | None = None

    def escalate(self, candidates: list[UUID], *, now: datetime) -> UUID | None:
        """Ask the next caregiver (``candidates`` nearest first) not yet asked; when none is left,
        the call goes to the provider's 24-hour line (第七条（三）). Returns who was asked."""
        if not self.is_open:
            raise EmergencyStateConflict("the emergency is resolved")
        nxt = next((c for c in candidates if c not in self.notified_caregiver_ids), None)
        if nxt is None:
            self.escalated_to_line_at = self.escalated_to_line_at or now
            return None
        self.notified_caregiver_ids = (*self.notified_caregiver_ids, nxt)
        self.notified_at = now
        return nxt

    @property
    def is_open(self) -> bool:
        return self.status != EmergencyStatus.resolved

    def acknowledge(self, *, by: str, now: datetime) -> bool:
        """接警: someone of the provider took the call (the first acknowledgement stays). True when
        this call took it (a repeat changes nothing)."""
        if not self.is_open:
            raise EmergencyStateConflict("the emergency is resolved")
        if self.acknowledged_at is not None:
            return False
        self.acknowledged_by, self.acknowledged_at = by, now
        self.status = EmergencyStatus.acknowledged
        return True

    def arrive(self, *, by: str, caregiver_id: UUID | None, now: datetime) -> tuple[bool, bool]:
        """到场: someone is with the beneficiary. Arriving implies the call was taken. Answers
        (acknowledged now, arrived now); the first arrival stays."""
        if not self.is_open:
            raise EmergencyStateConflict("the emergency is resolved")
        acknowledged = False
        if self.acknowledged_at is None:
            self.acknowledged_by, self.acknowledged_at = by, now
            acknowledged = True
        if self.responded_at is not None:
            return acknowledged, False
        self.responded_by, self.responded_at, self.responder_caregiver_id = by, now, caregiver_id
        self.status = EmergencyStatus.on_scene
        return acknowledged, True

    def resolve(self, *, by: str, outcome: str, now: datetime) -> None:
        if not self.is_open:
            raise EmergencyStateConflict("the emergency is already resolved")
        self.resolved_by, self.resolved_at, self.outcome = by, now, outcome
        self.status = EmergencyStatus.resolved

    def seconds_to(self, at: datetime | None) -> int | None:
        return None if at is None else int((at - self.raised_at).total_seconds())

    def response_due_at(self, response_minutes: int | None) -> datetime | None:
        return None if response_minutes is None else self.raised_at + timedelta(minutes=response_minutes)

    def is_overdue(self, now: datetime, response_minutes: int) -> bool:
        """Nobody on the scene within the response time (still waiting, or arrived late)."""
        due = self.raised_at + timedelta(minutes=response_minutes)
        return (self.responded_at or now) > due


@dataclass(frozen=True)
class Candidate:
    """A caregiver of the responsible provider and where they are believed to be: their latest
    check-in or check-out point today, else their home (workday)."""

    caregiver_id: UUID
    point: Point | None
    available: bool


def nearest_first(candidates: list[Candidate], scene: Point | None) -> list[UUID]:
    """Available caregivers with a known position, nearest the beneficiary's home first; without a
    home point, in the given order."""
    usable = [c for c in candidates if c.available and c.point is not None]
    if scene is None:
        return [c.caregiver_id for c in usable]
    return [c.caregiver_id for c in sorted(usable, key=lambda c: haversine_m(c.point, scene))]  # type: ignore[arg-type]
