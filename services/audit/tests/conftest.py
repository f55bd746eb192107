"""Fixtures of the audit tests: a migrated database, a rolled-back transaction per test, an API client."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.consumers import SUBSCRIPTIONS
from eldercare.audit.main import create_app
from eldercare.audit.settings import AuditSettings
from eldercare.common.contracts import (
    AccountClosed,
    AccountOpened,
    ApplicationDecided,
    ApplicationSubmitted,
    AssessmentCompleted,
    AssessmentPersonalDataAccessed,
    AssessmentRequested,
    BeneficiaryEnrolled,
    BeneficiaryEntitlementChanged,
    BeneficiaryStatusChanged,
    CaregiverDecertified,
    CarePlanActivated,
    CarePlanChanged,
    CarePlanEnded,
    ChargeHeld,
    ChargePosted,
    ChargeReleased,
    ChargeReversed,
    ChargeWithheld,
    ClaimDeductionPublished,
    ClawbackApplied,
    EmergencyAcknowledged,
    EmergencyArrived,
    EmergencyEscalated,
    EmergencyRaised,
    EmergencyResolved,
    FollowUpOpened,
    FundsRecoveryOrdered,
    IntakePersonalDataAccessed,
    PriceListPublished,
    ReassessmentDue,
    SanctionImposed,
    SettlementIssued,
    SettlementPreviewed,
    TrailHeadPublished,
    VisitCancelled,
    VisitCheckedIn,
    VisitCompleted,
    VisitFlagRaised,
    VisitFlagResolved,
    VisitScheduled,
    VisitUnassigned,
    VisitVerificationResolved,
)
from eldercare.common.registry import IntegrationEvent
from eldercare.common.testing.plugin import Tokens, api_client, api_test_settings
from eldercare.common.uow import UnitOfWork

E = TypeVar("E", bound=IntegrationEvent)


# A test key (32 zero-free bytes), never a deployment's.
PII_KEYS = "k1:" + base64.b64encode(bytes(range(1, 33))).decode()


@pytest.fixture(scope="session")
def database_url(migrate: Callable[[str, str], str]) -> str:
    return migrate("audit", "AUDIT_")


@pytest.fixture
def settings(database_url: str, tokens: Tokens) -> AuditSettings:
    return AuditSettings(
        **api_test_settings(database_url, tokens),
        pii_keys=SecretStr(PII_KEYS),
    )


@pytest.fixture
async def client(settings: AuditSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(settings), sessions) as c:
        yield c


# ---------------------------------------------------------------- sample events and delivery

DISTRICT = "430102"
AT = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def _policy() -> dict[str, Any]:
    return {"pack_id": "changsha-2024", "version": "2024.1"}


def _basis() -> list[dict[str, Any]]:
    return [
        {"source": "changsha-2024-purchased-door-to-door-rules.md", "article": "第五条", "item": "（一）"}
    ]


# Every *_id given as FRESH gets a new uuid4 per event; COMMUNITY follows the district.
FRESH = object()
COMMUNITY = object()

_TEMPLATES: dict[type[IntegrationEvent], dict[str, Any]] = {
    ApplicationSubmitted: {
        "application_id": FRESH,
        "person_id": FRESH,
        "community_code": COMMUNITY,
        "circumstances": ["subsistence_allowance"],
        "submitted_at": AT,
    },
    AssessmentRequested: {
        "application_id": FRESH,
        "person_id": FRESH,
        "community_code": COMMUNITY,
        "masked_id_number": "430***********1234",
        "requested_at": AT,
    },
    ApplicationDecided: {
        "application_id": FRESH,
        "person_id": FRESH,
        "decision": "approved",
        "policy": _policy(),
        "basis": _basis(),
        "decided_at": AT,
    },
    BeneficiaryEnrolled: {
        "beneficiary_id": FRESH,
        "person_id": FRESH,
        "application_id": FRESH,
        "community_code": COMMUNITY,
        "masked_id_number": "430***********1234",
        "home_point": {"lat": 28.19, "lon": 112.97},
        "assessment_level": 1,
        "policy": _policy(),
        "entitlement": {
            "monthly_amount_fen": 30000,
            "service_categories": ["daily_living"],
            "basis": _basis(),
        },
        "effective_on": date(2026, 12, 1),
        "enrolled_at": AT,
    },
    BeneficiaryStatusChanged: {
        "beneficiary_id": FRESH,
        "status": "suspended",
        "reason": "hospital",
        "effective_on": date(2026, 12, 1),
        "changed_at": AT,
    },
    AssessmentCompleted: {
        "assessment_id": FRESH,
        "application_id": FRESH,
        "person_id": FRESH,
        "reason": "initial",
        "total_score": 70,
        "subtotals": {"B.1": 30},
        "preliminary_level": 1,
        "final_level": 1,
        "adjustments": [],
        "rule_settings": {},
        "completed_at": AT,
    },
    CarePlanActivated: {
        "care_plan_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "service_codes": ["CS22"],
        "activated_at": AT,
    },
    VisitScheduled: {
        "visit_id": FRESH,
        "care_plan_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "caregiver_id": FRESH,
        "service_code": "CS22",
        "scheduled_start_at": AT,
        "scheduled_end_at": AT + timedelta(hours=1),
    },
    VisitCheckedIn: {
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "caregiver_id": FRESH,
        "checked_in_at": AT,
        "distance_m": 12.5,
        "location_ok": True,
    },
    VisitCompleted: {
        "visit_id": FRESH,
        "care_plan_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "caregiver_id": FRESH,
        "service_code": "CS22",
        "checked_in_at": AT,
        "checked_out_at": AT + timedelta(hours=1),
        "duration_minutes": 60,
        "verified": True,
        "verification_notes": [],
    },
    ChargePosted: {
        "charge_id": FRESH,
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "amount_fen": 5000,
        "covered_fen": 5000,
        "beneficiary_pays_fen": 0,
        "posted_at": AT,
    },
    FollowUpOpened: {
        "follow_up_id": FRESH,
        "beneficiary_id": FRESH,
        "reason": "enrolment",
        "due_on": date(2026, 11, 30),
        "opened_at": AT,
    },
    CaregiverDecertified: {
        "caregiver_id": FRESH,
        "provider_id": FRESH,
        "complaint_ids": [uuid4(), uuid4(), uuid4()],
        "substantiated_complaints": 3,
        "window_days": 365,
        "basis": "wuhai-2017-home-care-measures.md 第三十一条",
        "decertified_at": AT,
    },
    SanctionImposed: {
        "sanction_id": FRESH,
        "notice_id": FRESH,
        "provider_id": FRESH,
        "measures": ["end_contract", "blacklist"],
        "finding_ids": [uuid4()],
        "finding_types": ["not_per_plan"],
        "basis": ["changsha-2024-purchased-door-to-door-rules.md 第十八条"],
        "imposed_at": AT,
    },
    TrailHeadPublished: {
        "day": date(2026, 11, 19),
        "last_seq": 7,
        "last_hash": "a" * 64,
        "hash_alg": "sm3",
        "entries_on_day": 7,
        "published_at": AT,
    },
    ReassessmentDue: {
        "assessment_id": FRESH,
        "person_id": FRESH,
        "final_level": 2,
        "due_on": date(2027, 11, 20),
        "published_at": AT,
    },
    BeneficiaryEntitlementChanged: {
        "beneficiary_id": FRESH,
        "reason": "reassessment",
        "assessment_level": 2,
        "policy": _policy(),
        "entitlement": {
            "monthly_amount_fen": 40000,
            "service_categories": ["daily_living"],
            "basis": _basis(),
        },
        "effective_on": date(2026, 12, 1),
        "changed_at": AT,
    },
    IntakePersonalDataAccessed: {
        "access_id": FRESH,
        "actor": "officer-1",
        "actor_role": "district_officer",
        "resource_type": "beneficiary",
        "resource_id": FRESH,
        "fields": ["id_number", "phone"],
        "reason": "回访核实",
        "accessed_at": AT,
    },
    AssessmentPersonalDataAccessed: {
        "access_id": FRESH,
        "actor": "assessor-1",
        "actor_role": "assessor",
        "resource_type": "assessment",
        "resource_id": FRESH,
        "fields": ["health_report"],
        "reason": "复核",
        "accessed_at": AT,
    },
    VisitFlagRaised: {
        "flag_id": FRESH,
        "visit_id": FRESH,
        "provider_id": FRESH,
        "source": "fraud_signal",
        "signal": "overlapping_visits",
        "raised_at": AT,
    },
    VisitFlagResolved: {
        "flag_id": FRESH,
        "visit_id": FRESH,
        "provider_id": FRESH,
        "outcome": "cleared",
        "resolved_at": AT,
    },
    FundsRecoveryOrdered: {
        "recovery_id": FRESH,
        "provider_id": FRESH,
        "finding_ids": [uuid4()],
        "visit_ids": [uuid4()],
        "basis": ["changsha-2024-purchased-door-to-door-rules.md 第十八条（四）"],
        "ordered_at": AT,
    },
    ClaimDeductionPublished: {
        "sample_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "seed": "s",
        "sampled_visit_ids": [uuid4()],
        "failed_visit_ids": [],
        "sampled": 1,
        "failed": 0,
        "basis": ["changsha-2024-purchased-door-to-door-rules.md 第十九条"],
        "published_at": AT,
    },
    AccountOpened: {
        "account_id": FRESH,
        "beneficiary_id": FRESH,
        "period": "2026-11",
        "entitlement_fen": 90000,
        "active_from": date(2026, 11, 1),
        "opened_at": AT,
    },
    AccountClosed: {
        "account_id": FRESH,
        "beneficiary_id": FRESH,
        "period": "2026-11",
        "entitlement_fen": 90000,
        "used_fen": 50000,
        "lapsed_fen": 40000,
        "reason": "month_ended",
        "closed_at": AT,
    },
    ChargeHeld: {
        "charge_id": FRESH,
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "reason": "awaiting enrolment",
        "held_at": AT,
    },
    ChargeReleased: {
        "charge_id": FRESH,
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "reason": "enrolment arrived",
        "covered_fen": 5000,
        "released_at": AT,
    },
    ChargeWithheld: {
        "charge_id": FRESH,
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "reason": "visit_flagged",
        "ref_id": FRESH,
        "withheld_fen": 5000,
        "withheld_at": AT,
    },
    SettlementPreviewed: {
        "statement_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "lines": 3,
        "subsidy_fen": 15000,
        "self_pay_fen": 0,
        "withheld_fen": 0,
        "previewed_at": AT,
    },
    PriceListPublished: {
        "price_list_id": FRESH,
        "region_code": "430102",
        "effective_from": "2024-08-01",
        "items": [{"service_code": "CS22", "unit": "visit", "unit_price_fen": 5000}],
        "published_at": AT,
    },
    ClawbackApplied: {
        "recovery_id": FRESH,
        "statement_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "visit_ids": [],
        "recovered_fen": 5000,
        "fine_fen": 0,
        "applied_at": AT,
    },
    CarePlanChanged: {
        "care_plan_id": FRESH,
        "version": 2,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "service_codes": ["CS22"],
        "changed_at": AT,
    },
    CarePlanEnded: {
        "care_plan_id": FRESH,
        "version": 1,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "cause": "agreement_expired",
        "reason": "the agreement ended on 2026-11-22",
        "ended_at": AT,
        "cancelled_visits": 0,
    },
    EmergencyAcknowledged: {
        "emergency_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "caregiver_id": FRESH,
        "acknowledged_at": AT,
    },
    EmergencyEscalated: {
        "emergency_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "from_caregiver_id": FRESH,
        "to_caregiver_id": None,
        "to_hotline": True,
        "reason": "no answer",
        "escalated_at": AT,
    },
    EmergencyArrived: {
        "emergency_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "caregiver_id": FRESH,
        "response_seconds": 900,
        "arrived_at": AT,
    },
    ChargeReversed: {
        "charge_id": FRESH,
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "reversed_fen": 5000,
        "reason": "visit voided",
        "reversed_at": AT,
    },
    SettlementIssued: {
        "statement_id": FRESH,
        "provider_id": FRESH,
        "period": "2026-11",
        "lines": 3,
        "subsidy_fen": 15000,
        "self_pay_fen": 0,
        "withheld_fen": 0,
        "adjustment_fen": 0,
        "issued_at": AT,
    },
    EmergencyRaised: {
        "emergency_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": None,
        "kind": "medical",
        "source": "device",
        "raised_at": AT,
    },
    EmergencyResolved: {
        "emergency_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": None,
        "kind": "medical",
        "outcome": "resolved_on_site",
        "responded_at": AT,
        "resolved_at": AT + timedelta(hours=1),
    },
    VisitCancelled: {
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "caregiver_id": FRESH,
        "kind": "cancelled",
        "reason": "plan ended",
        "was_completed": False,
        "cancelled_at": AT,
    },
    VisitUnassigned: {
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "caregiver_id": FRESH,
        "reason": "decertified",
        "unassigned_at": AT,
    },
    VisitVerificationResolved: {
        "visit_id": FRESH,
        "beneficiary_id": FRESH,
        "provider_id": FRESH,
        "outcome": "accepted",
        "reviewer": "reviewer-1",
        "resolved_at": AT,
    },
}


def _sample_data(model: type[IntegrationEvent], district: str) -> dict[str, Any]:
    """Valid data for every registered event type; ids are fresh each call."""
    fill = {FRESH: uuid4, COMMUNITY: lambda: f"{district}001001"}
    data = {k: fill[v]() if v is FRESH or v is COMMUNITY else v for k, v in _TEMPLATES[model].items()}
    # The trail's daily head names no district: it goes to the city-level chain.
    return {**data, "district_code": district} if "district_code" in model.model_fields else data


def sample_event(model: type[E], district: str = DISTRICT, **overrides: Any) -> E:
    return model.model_validate({**_sample_data(model, district), **overrides})


@dataclass
class Deliverer:
    """Runs the audit consumer's handler for an event as the runner would: one unit of work whose
    causation id is the envelope id, then commit."""

    sessions: async_sessionmaker[AsyncSession]

    async def __call__(self, event: IntegrationEvent, event_id: UUID | None = None) -> UUID:
        envelope_id = event_id or uuid4()
        handler = SUBSCRIPTIONS[0].handler_for(event.event_type)
        assert handler is not None, event.event_type
        async with UnitOfWork(self.sessions, MESSAGING, source="test", causation_id=str(envelope_id)) as uow:
            await handler(event, uow)
            await uow.commit()
        return envelope_id


@pytest.fixture
def deliver(sessions: async_sessionmaker[AsyncSession]) -> Deliverer:
    return Deliverer(sessions)


@pytest.fixture
def make_event() -> Callable[..., Any]:
    """``make_event(BeneficiaryEnrolled, district="430103", verified=False)``: a valid sample event."""
    return sample_event
