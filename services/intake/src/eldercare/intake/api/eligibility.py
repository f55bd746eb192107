"""``POST /v1/eligibility-checks``: what the policy pack says about a described person."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from eldercare.common.contracts.common import ClauseRef
from eldercare.intake.api.dependencies import Catalog, EligibilityChecker, PolicySettings
from eldercare.intake.api.schemas import EligibilityCheckCreate
from eldercare.intake.api.views import clause_ref
from eldercare.intake.application.eligibility import CheckEligibility, EligibilityAnswer, check_eligibility
from eldercare.intake.domain.eligibility import Entitlement, PersonFacts, Unmet

router = APIRouter(prefix="/v1/eligibility-checks", tags=["eligibility"])


class PackRead(BaseModel):
    pack_id: str
    version: str
    title: str
    effective_from: date
    expires_on: date


class EntitlementRead(BaseModel):
    kind: str = "purchased_home_care"
    monthly_amount_fen: int | None
    service_categories: list[str]
    emergency_help_required: bool
    basis: list[ClauseRef]
    missing_settings: list[str]

    @classmethod
    def build(cls, e: Entitlement) -> EntitlementRead:
        return cls(
            monthly_amount_fen=e.monthly_amount_fen,
            service_categories=list(e.service_categories),
            emergency_help_required=e.emergency_help_required,
            basis=[clause_ref(c) for c in e.basis],
            missing_settings=list(e.missing_settings),
        )


class UnmetRead(BaseModel):
    rule: str
    label: str
    basis: ClauseRef
    reasons: list[str]

    @classmethod
    def build(cls, u: Unmet) -> UnmetRead:
        return cls(rule=u.rule_id, label=u.label, basis=clause_ref(u.basis), reasons=list(u.reasons))


class EligibilityRead(BaseModel):
    eligible: bool
    as_of: date
    entitlements: list[EntitlementRead]
    basis: list[ClauseRef]
    unmet: list[UnmetRead]
    policy: PackRead

    @classmethod
    def build(cls, answer: EligibilityAnswer) -> EligibilityRead:
        e, pack = answer.evaluation, answer.pack
        return cls(
            eligible=e.eligible,
            as_of=e.as_of,
            entitlements=[EntitlementRead.build(answer.entitlement)] if answer.entitlement else [],
            basis=[clause_ref(c) for c in e.basis],
            unmet=[UnmetRead.build(u) for u in e.unmet],
            policy=PackRead(
                pack_id=pack.pack_id,
                version=pack.version,
                title=pack.title,
                effective_from=pack.effective_from,
                expires_on=pack.expires_on,
            ),
        )


@router.post("", response_model=EligibilityRead, summary="Check a person against the policy in force")
async def check(
    body: EligibilityCheckCreate, principal: EligibilityChecker, packs: Catalog, amounts: PolicySettings
) -> EligibilityRead:
    """Nothing is stored: the answer depends only on the body, the pack and its settings."""
    facts = PersonFacts(
        birth_date=body.person.birth_date,
        hukou_region=body.person.hukou_region,
        residence_region=body.person.residence_region,
        lives_at_hukou=body.person.lives_at_hukou,
        circumstances=frozenset(c.value for c in body.circumstances),
        assessment_level=body.assessment_level,
        receives_extreme_poverty_care=body.receives_extreme_poverty_care,
        receiving_since=body.receiving_since,
        guardian=body.guardian.value if body.guardian else None,
    )
    return EligibilityRead.build(
        check_eligibility(CheckEligibility(body.policy, body.as_of, facts, packs, amounts))
    )
