"""Integration event contracts, one module per producing service, registered explicitly here."""

from __future__ import annotations

from eldercare.common.contracts.assessment import AssessmentCompleted, ReassessmentDue
from eldercare.common.contracts.assessment import (
    PersonalDataAccessed as AssessmentPersonalDataAccessed,
)
from eldercare.common.contracts.audit import (
    CaregiverDecertified,
    ClaimDeductionPublished,
    FollowUpOpened,
    FundsRecoveryOrdered,
    SanctionImposed,
    TrailHeadPublished,
    VisitFlagRaised,
    VisitFlagResolved,
)
from eldercare.common.contracts.billing import (
    AccountClosed,
    AccountOpened,
    ChargeHeld,
    ChargePosted,
    ChargeReleased,
    ChargeReversed,
    ChargeWithheld,
    ClawbackApplied,
    PriceListPublished,
    SettlementIssued,
    SettlementPreviewed,
)
from eldercare.common.contracts.dispatch import (
    CarePlanActivated,
    CarePlanChanged,
    CarePlanEnded,
    EmergencyAcknowledged,
    EmergencyArrived,
    EmergencyEscalated,
    EmergencyRaised,
    EmergencyResolved,
    VisitCancelled,
    VisitCheckedIn,
    VisitCompleted,
    VisitScheduled,
    VisitUnassigned,
    VisitVerificationResolved,
)
from eldercare.common.contracts.intake import (
    ApplicationDecided,
    ApplicationSubmitted,
    AssessmentRequested,
    BeneficiaryContactShared,
    BeneficiaryEnrolled,
    BeneficiaryEntitlementChanged,
    BeneficiaryStatusChanged,
)
from eldercare.common.contracts.intake import (
    PersonalDataAccessed as IntakePersonalDataAccessed,
)
from eldercare.common.registry import EventRegistry

REGISTRY = EventRegistry(
    [
        ApplicationSubmitted,
        AssessmentRequested,
        ApplicationDecided,
        BeneficiaryEnrolled,
        BeneficiaryStatusChanged,
        BeneficiaryEntitlementChanged,
        BeneficiaryContactShared,
        IntakePersonalDataAccessed,
        AssessmentCompleted,
        ReassessmentDue,
        AssessmentPersonalDataAccessed,
        CarePlanActivated,
        CarePlanChanged,
        CarePlanEnded,
        VisitScheduled,
        VisitCheckedIn,
        VisitCompleted,
        VisitUnassigned,
        VisitCancelled,
        VisitVerificationResolved,
        EmergencyRaised,
        EmergencyAcknowledged,
        EmergencyEscalated,
        EmergencyArrived,
        EmergencyResolved,
        AccountOpened,
        AccountClosed,
        ChargePosted,
        ChargeHeld,
        ChargeReleased,
        ChargeWithheld,
        ChargeReversed,
        SettlementPreviewed,
        SettlementIssued,
        ClawbackApplied,
        PriceListPublished,
        FollowUpOpened,
        CaregiverDecertified,
        SanctionImposed,
        TrailHeadPublished,
        VisitFlagRaised,
        VisitFlagResolved,
        FundsRecoveryOrdered,
        ClaimDeductionPublished,
    ]
)


def all_topics() -> list[str]:
    """Every topic with its dead-letter topic, for the stack and tests to create up front."""
    topics = REGISTRY.topics()
    return topics + [f"{t}.dlq" for t in topics]


__all__ = [
    "REGISTRY",
    "AccountClosed",
    "AccountOpened",
    "ApplicationDecided",
    "ApplicationSubmitted",
    "AssessmentCompleted",
    "AssessmentPersonalDataAccessed",
    "AssessmentRequested",
    "BeneficiaryContactShared",
    "BeneficiaryEnrolled",
    "BeneficiaryEntitlementChanged",
    "BeneficiaryStatusChanged",
    "CarePlanActivated",
    "CarePlanChanged",
    "CarePlanEnded",
    "CaregiverDecertified",
    "ChargeHeld",
    "ChargePosted",
    "ChargeReleased",
    "ChargeReversed",
    "ChargeWithheld",
    "ClaimDeductionPublished",
    "ClawbackApplied",
    "EmergencyAcknowledged",
    "EmergencyArrived",
    "EmergencyEscalated",
    "EmergencyRaised",
    "EmergencyResolved",
    "FollowUpOpened",
    "FundsRecoveryOrdered",
    "IntakePersonalDataAccessed",
    "PriceListPublished",
    "ReassessmentDue",
    "SanctionImposed",
    "SettlementIssued",
    "SettlementPreviewed",
    "TrailHeadPublished",
    "VisitCancelled",
    "VisitCheckedIn",
    "VisitCompleted",
    "VisitFlagRaised",
    "VisitFlagResolved",
    "VisitScheduled",
    "VisitUnassigned",
    "VisitVerificationResolved",
    "all_topics",
]
