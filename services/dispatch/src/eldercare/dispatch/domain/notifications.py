"""Notifications to a caregiver's phone (issue #5: emergency dispatch "notifies them"; the
caregiver app learns of visits booked to them, moved away or cancelled).

A notification is a small, non-personal pointer: the kind, the visit or the emergency it is about,
times, the service code and the community code. Never the beneficiary's name, phone, ID number,
address or health data (PIPL 第二十八条 for health data; conventions: pseudonymous ids only), and
no free-text reason (a reviewer's comment or a provider's reason may carry such data). The phone
reads the details through the routes that authorise it (``GET /v1/visits/{id}``,
``GET /v1/emergencies/{id}``).

Visit notifications are derived in one place from the visit events a transaction publishes
(:func:`from_visit_event`), so every path that books, moves or cancels a visit notifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID


class NotificationKind(StrEnum):
    emergency_request = "emergency_request"  # you are asked to go (at raising, at each escalation)
    emergency_withdrawn = "emergency_withdrawn"  # no longer asked: passed on, taken, or resolved
    visit_booked = "visit_booked"  # booked to you, or your booked visit got a new time
    visit_unassigned = "visit_unassigned"  # taken away from you (declined, re-planned, decertified)
    visit_cancelled = "visit_cancelled"  # your visit was cancelled, marked missed or voided


class WithdrawnBecause(StrEnum):
    escalated = "escalated"  # passed to the next caregiver or to the provider's 24-hour line
    taken_by_another = "taken_by_another"  # another caregiver acknowledged or arrived
    resolved = "resolved"


@dataclass(frozen=True)
class Notification:
    caregiver_id: UUID
    provider_id: UUID
    kind: NotificationKind
    visit_id: UUID | None = None
    emergency_id: UUID | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VisitFacts:
    """What a visit notification may say about the visit (read from the visit row at commit)."""

    service_code: str
    community_code: str
    scheduled_start_at: str
    scheduled_end_at: str


VISIT_EVENTS = {
    "dispatch.visit.scheduled.v1": NotificationKind.visit_booked,
    "dispatch.visit.unassigned.v1": NotificationKind.visit_unassigned,
    "dispatch.visit.cancelled.v1": NotificationKind.visit_cancelled,
}


def visit_event_target(event_type: str, data: dict[str, Any]) -> tuple[UUID, UUID, UUID] | None:
    """(visit, caregiver, provider) of a visit event that concerns a caregiver, else None (another
    event, or a cancelled visit nobody was booked to)."""
    if event_type not in VISIT_EVENTS or not data.get("caregiver_id"):
        return None
    return UUID(data["visit_id"]), UUID(data["caregiver_id"]), UUID(data["provider_id"])


def from_visit_event(event_type: str, data: dict[str, Any], facts: VisitFacts | None) -> Notification | None:
    """The notification a visit event gives its caregiver. A missed visit (kind ``missed``) and a
    voided one are told too: the phone must stop offering the visit, and a late sync would be 409."""
    target = visit_event_target(event_type, data)
    if target is None:
        return None
    visit_id, caregiver_id, provider_id = target
    kind = VISIT_EVENTS[event_type]
    payload: dict[str, Any] = {"visit_id": str(visit_id)}
    if facts is not None:
        payload |= {
            "service_code": facts.service_code,
            "community_code": facts.community_code,
            "scheduled_start_at": facts.scheduled_start_at,
            "scheduled_end_at": facts.scheduled_end_at,
        }
    if kind is NotificationKind.visit_booked:
        # The event's times are the booking's (the row may have changed again in the transaction).
        payload |= {
            "service_code": data["service_code"],
            "scheduled_start_at": data["scheduled_start_at"],
            "scheduled_end_at": data["scheduled_end_at"],
        }
    if kind is NotificationKind.visit_cancelled:
        payload["cancellation"] = data["kind"]  # cancelled, missed or voided; never the free text
    return Notification(caregiver_id, provider_id, kind, visit_id=visit_id, payload=payload)


def emergency_request(
    caregiver_id: UUID, provider_id: UUID, emergency_id: UUID, community_code: str, raised_at: str
) -> Notification:
    """You are asked to go. The call's kind (a fall, a medical call) stays out: it is read, with the
    home, through ``GET /v1/emergencies/{id}``."""
    payload = {"emergency_id": str(emergency_id), "community_code": community_code, "raised_at": raised_at}
    return Notification(
        caregiver_id,
        provider_id,
        NotificationKind.emergency_request,
        emergency_id=emergency_id,
        payload=payload,
    )


def emergency_withdrawn(
    caregiver_id: UUID, provider_id: UUID, emergency_id: UUID, because: WithdrawnBecause
) -> Notification:
    payload = {"emergency_id": str(emergency_id), "because": because.value}
    return Notification(
        caregiver_id,
        provider_id,
        NotificationKind.emergency_withdrawn,
        emergency_id=emergency_id,
        payload=payload,
    )
