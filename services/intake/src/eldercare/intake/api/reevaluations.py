"""Policy re-evaluation for the bureau in its region (city_admin, district_officer):

- ``POST /v1/policy-reevaluations``: the dry run, who would gain or lose what under a pack version
  (the same engine as ``python -m eldercare.intake.reevaluate``); writes nothing; its ``digest``
  fingerprints the report.
- ``POST /v1/policy-reevaluations/applied``: applies the report whose ``digest`` it names, with an
  ``Idempotency-Key``; the entitlements change from the first day of the next month.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from eldercare.common.auth import Principal, Role, require
from eldercare.common.errors import Forbidden, InvalidInput
from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import execute
from eldercare.intake.api.dependencies import Catalog, PolicySettings, Rt, Vault
from eldercare.intake.application.reevaluation import (
    AppliedReevaluation,
    ApplyReevaluation,
    ReevaluateBeneficiaries,
    apply_reevaluation,
    reevaluate_beneficiaries,
    report_digest,
)
from eldercare.intake.domain.reevaluation import Effect, Reevaluation

router = APIRouter(prefix="/v1/policy-reevaluations", tags=["beneficiaries"])
# The city bureau, or a district bureau for its own district (the 审定 authority, 长沙 第十一条).
Bureau = Annotated[Principal, Depends(require(Role.city_admin, Role.district_officer))]


class ReevaluationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack_id: str = Field(max_length=40, examples=["changsha-2024"])
    version: str = Field(max_length=20, examples=["2024.1"])
    as_of: date | None = Field(default=None, description="default: the version's effective date")


class ReevaluationItem(BaseModel):
    beneficiary_id: UUID
    community_code: str
    effect: Effect
    from_version: str
    to_version: str
    amount_before_fen: int
    amount_after_fen: int | None
    categories_added: list[str]
    categories_removed: list[str]
    emergency_help_before: bool
    emergency_help_after: bool
    unmet: list[str]
    reasons: list[str]
    missing_settings: list[str]


class ReevaluationReport(BaseModel):
    pack_id: str
    version: str
    digest: str = Field(description="pass it to POST /v1/policy-reevaluations/applied")
    counts: dict[str, int]
    items: list[ReevaluationItem]

    @classmethod
    def build(cls, body: ReevaluationCreate, report: list[Reevaluation]) -> ReevaluationReport:
        counts = {e.value: n for e in Effect if (n := sum(1 for r in report if r.effect is e))}
        items = [
            ReevaluationItem(
                beneficiary_id=r.beneficiary_id,
                community_code=r.community_code,
                effect=r.effect,
                from_version=r.from_version,
                to_version=r.to_version,
                amount_before_fen=r.amount_before_fen,
                amount_after_fen=r.amount_after_fen,
                categories_added=list(r.categories_added),
                categories_removed=list(r.categories_removed),
                emergency_help_before=r.emergency_help_before,
                emergency_help_after=r.emergency_help_after,
                unmet=list(r.unmet),
                reasons=list(r.reasons),
                missing_settings=list(r.missing_settings),
            )
            for r in report
            if r.effect is not Effect.unchanged
        ]
        return cls(
            pack_id=body.pack_id,
            version=body.version,
            digest=report_digest(report),
            counts=counts,
            items=items,
        )


@router.post("", response_model=ReevaluationReport, summary="Report who gains or loses under a pack version")
async def reevaluate(
    body: ReevaluationCreate,
    principal: Bureau,
    rt: Rt,
    vault: Vault,
    packs: Catalog,
    amounts: PolicySettings,
) -> object:
    """Every active or suspended beneficiary in the caller's region enrolled under the pack's
    policy, evaluated under ``version``; ``items`` lists those whose entitlement would change."""
    cmd = _command(body, principal, packs, amounts, vault)
    return await execute(
        rt,
        lambda uow: reevaluate_beneficiaries(cmd, uow.session),
        lambda report: ReevaluationReport.build(body, report),
        status_code=200,
    )


def _command(
    body: ReevaluationCreate, principal: Principal, packs: Catalog, amounts: PolicySettings, vault: Vault
) -> ReevaluateBeneficiaries:
    if principal.region is None:
        raise Forbidden("a region is required", field="region")
    return ReevaluateBeneficiaries(
        body.pack_id, body.version, body.as_of, principal.region, packs, amounts, vault
    )


class ReevaluationApply(ReevaluationCreate):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "pack_id": "changsha-2024",
                    "version": "2024.1",
                    "digest": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                }
            ]
        }
    )

    digest: str = Field(min_length=64, max_length=64, description="the dry run's digest")


class AppliedItem(BaseModel):
    beneficiary_id: UUID
    result: str = Field(description="changed | terminated | unchanged")


class AppliedReevaluationRead(BaseModel):
    pack_id: str
    version: str
    effective_on: date
    counts: dict[str, int]
    items: list[AppliedItem]

    @classmethod
    def build(cls, body: ReevaluationApply, applied: AppliedReevaluation) -> AppliedReevaluationRead:
        counts: dict[str, int] = {}
        for o in applied.outcomes:
            counts[o.result] = counts.get(o.result, 0) + 1
        items = [AppliedItem(beneficiary_id=o.beneficiary_id, result=o.result) for o in applied.outcomes]
        return cls(
            pack_id=body.pack_id,
            version=body.version,
            effective_on=applied.effective_on,
            counts=counts,
            items=items,
        )


@router.post(
    "/applied",
    response_model=AppliedReevaluationRead,
    status_code=201,
    summary="Apply a previewed re-evaluation: entitlements change from the first day of next month",
    responses={
        409: {"description": "the register changed since the dry run (digest), or a racing apply"},
        422: {"description": "no Idempotency-Key, or a bad field"},
        503: {"description": "the version leaves an amount unset (named)"},
    },
)
async def apply(
    body: ReevaluationApply,
    principal: Bureau,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
    packs: Catalog,
    amounts: PolicySettings,
) -> object:
    """Run the report again; if its digest is the one given, move every beneficiary in it to the
    version: a changed entitlement publishes ``BeneficiaryEntitlementChanged`` (reason
    ``policy_reevaluation``), a lost eligibility terminates (``no_longer_eligible``, citing the
    clauses no longer met), the same figures move to the version without an event."""
    if idem is None:
        raise InvalidInput(
            "applying a re-evaluation requires an Idempotency-Key", field="header.Idempotency-Key"
        )
    cmd = ApplyReevaluation(_command(body, principal, packs, amounts, vault), body.digest, principal.subject)
    return await execute(
        rt,
        lambda uow: apply_reevaluation(cmd, uow),
        lambda applied: AppliedReevaluationRead.build(body, applied),
        idempotency=idem,
    )
