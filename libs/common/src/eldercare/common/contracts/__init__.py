"""Integration event contracts, one module per producing service, registered explicitly here."""

from __future__ import annotations

from eldercare.common.contracts.assessment import AssessmentCompleted
from eldercare.common.contracts.audit import (
    CaregiverDecertified,
    FollowUpOpened,
    SanctionImposed,
    TrailHeadPublished,
)
from eldercare.common.contracts.billing import ChargePosted
from eldercare.common.contracts.dispatch import (
    CarePlanActivated,
    VisitCheckedIn,
    VisitCompleted,
    VisitScheduled,
)
from eldercare.common.contracts.intake import (
    ApplicationDecided,
    ApplicationSubmitted,
    AssessmentRequested,
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
)
from eldercare.common.registry import EventRegistry

REGISTRY = EventRegistry(
    [
        ApplicationSubmitted,
        AssessmentRequested,
        ApplicationDecided,
        BeneficiaryEnrolled,
        BeneficiaryStatusChanged,
        AssessmentCompleted,
        CarePlanActivated,
        VisitScheduled,
        VisitCheckedIn,
        VisitCompleted,
        ChargePosted,
        FollowUpOpened,
        CaregiverDecertified,
        SanctionImposed,
        TrailHeadPublished,
    ]
)


def all_topics() -> list[str]:
    """Every topic with its dead-letter topic, for the stack and tests to create up front."""
    topics = REGISTRY.topics()
    return topics + [f"{t}.dlq" for t in topics]


__all__ = [
    "REGISTRY",
    "ApplicationDecided",
    "ApplicationSubmitted",
    "AssessmentCompleted",
    "AssessmentRequested",
    "BeneficiaryEnrolled",
    "BeneficiaryStatusChanged",
    "CarePlanActivated",
    "CaregiverDecertified",
    "ChargePosted",
    "FollowUpOpened",
    "SanctionImposed",
    "TrailHeadPublished",
    "VisitCheckedIn",
    "VisitCompleted",
    "VisitScheduled",
    "all_topics",
]
