"""``POST /v1/eligibility-checks``: what the policy pack says about a described person."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel

from eldercare.common.contracts.common import ClauseRef
from eldercare.intake.api.dependencies import Catalog, EligibilityChecker, PolicySettings
from eldercare.intake.api.schemas import EligibilityCheckCreate
from eldercare.intake.api.views import clause_ref
from eldercare.intake.application.eligibility import CheckEligibility, EligibilityAnswer, check_eligibility
from eldercare.intake.domain.eligibility import BenefitGrant, Entitlement, PersonFacts, Unmet

router = APIRouter(prefix="/v1/eligibility-checks", tags=["eligibility"])


class PackRead(BaseModel):
    pack_id: str
    version: str
    title: str
    effective_from: date
    expires_on: date | None


class EntitlementRead(BaseModel):
    """``purchased_home_care`` (only when eligible) or another benefit of the same regulation."""

    kind: str = "purchased_home_care"
    rule: str | None = None
    label: str | None = None
    monthly_amount_fen: int | None
    monthly_hours_min: int | None = None
    service_categories: list[str] = []
    emergency_help_required: bool = False
    basis: list[ClauseRef]
    missing_settings: list[str]
    note: str | None = None

    @classmethod
    def build(cls, e: Entitlement) -> EntitlementRead:
        return cls(
            monthly_amount_fen=e.monthly_amount_fen,
            service_categories=list(e.service_categories),
            emergency_help_required=e.emergency_help_required,
            basis=[clause_ref(c) for c in e.basis],
            missing_settings=list(e.missing_settings),
        )

    @classmethod
    def of_benefit(cls, b: BenefitGrant) -> EntitlementRead:
        return cls(
            kind=b.kind,
            rule=b.id,
            label=b.label,
            monthly_amount_fen=b.monthly_amount_fen,
            monthly_hours_min=b.monthly_hours_min,
            basis=[clause_ref(b.basis)],
            missing_settings=list(b.missing_settings),
            note=b.note,
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
            entitlements=[
                *([EntitlementRead.build(answer.entitlement)] if answer.entitlement else []),
                *(EntitlementRead.of_benefit(b) for b in answer.benefits),
            ],
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


def _example(
    summary: str, policy: str, region: str, circumstances: list[str], level: int | None, **more: object
):  # type: ignore[no-untyped-def]
    person = {"birth_date": "1941-05-01", "hukou_region": region, "residence_region": region + "001001"}
    value = {"policy": policy, "as_of": "2026-11-23", "person": person, "circumstances": circumstances}
    return {"summary": summary, "value": {**value, "assessment_level": level, **more}}


# One example per seed city (OpenAPI page).
EXAMPLES = {
    "changsha": _example(
        "长沙 第五条（一）: partly disabled, subsistence allowance",
        "changsha",
        "430102",
        ["subsistence_allowance"],
        1,
    ),
    "changsha-2019": _example(
        "长沙 第二十一条 第二款: served under the 2019 policy",
        "430100",
        "430102",
        [],
        0,
        earlier_service_since="2020-03-01",
    ),
    "xiangtan": _example(
        "湘潭 第八条（三）: economically disadvantaged",
        "430300",
        "430302",
        ["economically_disadvantaged"],
        None,
    ),
    "huzhou": _example(
        "湖州 第二十条（一）: disadvantaged and disabled",
        "huzhou",
        "330502",
        ["economically_disadvantaged"],
        2,
    ),
    "nanchang": _example(
        "南昌 第二十条（二）: lost only child; 80+ benefits listed",
        "360100",
        "360102",
        ["lost_only_child"],
        0,
    ),
    "wuhai": _example(
        "乌海 第八条: 文革“三民”, living at the place of registration", "wuhai", "150302", ["three_min"], None
    ),
}
EXAMPLES["wuhai"]["value"]["person"]["lives_at_hukou"] = True


@router.post("", response_model=EligibilityRead, summary="Check a person against the policy in force")
async def check(
    body: Annotated[EligibilityCheckCreate, Body(openapi_examples=EXAMPLES)],
    principal: EligibilityChecker,
    packs: Catalog,
    amounts: PolicySettings,
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
        earlier_service_since=body.earlier_service_since,
    )
    return EligibilityRead.build(
        check_eligibility(CheckEligibility(body.policy, body.as_of, facts, packs, amounts))
    )
