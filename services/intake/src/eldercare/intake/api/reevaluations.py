"""``POST /v1/policy-reevaluations``: who would gain or lose what under a pack version (a report).

The same engine as ``python -m eldercare.intake.reevaluate``, for the city bureau in its region.
Nothing is written and nothing is published.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from eldercare.common.auth import Principal, Role, require
from eldercare.common.errors import Forbidden
from eldercare.common.runtime import execute
from eldercare.intake.api.dependencies import Catalog, PolicySettings, Rt, Vault
from eldercare.intake.application.reevaluation import ReevaluateBeneficiaries, reevaluate_beneficiaries
from eldercare.intake.domain.reevaluation import Effect, Reevaluation

router = APIRouter(prefix="/v1/policy-reevaluations", tags=["beneficiaries"])
CityAdmin = Annotated[Principal, Depends(require(Role.city_admin))]


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
        return cls(pack_id=body.pack_id, version=body.version, counts=counts, items=items)


@router.post("", response_model=ReevaluationReport, summary="Report who gains or loses under a pack version")
async def reevaluate(
    body: ReevaluationCreate,
    principal: CityAdmin,
    rt: Rt,
    vault: Vault,
    packs: Catalog,
    amounts: PolicySettings,
) -> object:
    """Every active or suspended beneficiary in the caller's region enrolled under the pack's
    policy, evaluated under ``version``; ``items`` lists those whose entitlement would change."""
    if principal.region is None:
        raise Forbidden("a region is required", field="region")
    cmd = ReevaluateBeneficiaries(
        body.pack_id, body.version, body.as_of, principal.region, packs, amounts, vault
    )
    return await execute(
        rt,
        lambda uow: reevaluate_beneficiaries(cmd, uow.session),
        lambda report: ReevaluationReport.build(body, report),
        status_code=200,
    )
