"""Funds recoveries (追回资金, changsha-2024-purchased-door-to-door-rules.md 第十八条（四）).

A district officer (for 区县民政部门) orders one on （四） findings of the region; auditors, district
officers and city admins of the region read them; a provider's admin reads those addressed to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from eldercare.audit.api.dependencies import Settings
from eldercare.audit.application import recovery as handlers
from eldercare.audit.domain.recovery import FundsRecovery, RecoveryStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

router = APIRouter(prefix="/v1/funds-recoveries", tags=["findings and rectification"])

DistrictOfficer = Annotated[Principal, Depends(require(Role.district_officer))]
Reader = Annotated[
    Principal,
    Depends(require(Role.auditor, Role.district_officer, Role.city_admin, Role.provider_admin)),
]
Rt = Annotated[Runtime, Depends(runtime)]


class RecoveryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_ids: list[UUID] = Field(min_length=1, max_length=100, description="Findings of 第十八条（四）")
    visit_ids: list[UUID] = Field(
        default_factory=list, max_length=10_000, description="By default every visit the findings name"
    )
    fine_rate_percent: int | None = Field(
        default=None, description="Where the city's policy fines: 10 to 50 (nanchang-2019 第四十四条)"
    )


class RecoveryRead(BaseModel):
    id: UUID
    provider_id: UUID
    district_code: str
    finding_ids: list[UUID]
    visit_ids: list[UUID]
    fine_rate_percent: int | None
    basis: list[str]
    ordered_by: str
    ordered_at: datetime
    status: RecoveryStatus
    statement_id: UUID | None = Field(description="The billing statement that booked it")
    booked_at: datetime | None

    @classmethod
    def from_domain(cls, r: FundsRecovery) -> RecoveryRead:
        return cls(
            id=r.id,
            provider_id=r.provider_id,
            district_code=r.district_code,
            finding_ids=list(r.finding_ids),
            visit_ids=list(r.visit_ids),
            fine_rate_percent=r.fine_rate_percent,
            basis=list(r.basis),
            ordered_by=r.ordered_by,
            ordered_at=r.ordered_at,
            status=r.status,
            statement_id=r.statement_id,
            booked_at=r.booked_at,
        )


@router.post(
    "",
    response_model=RecoveryRead,
    status_code=201,
    summary="Order the recovery of subsidies for visits (FundsRecoveryOrdered; billing books it)",
)
async def order_recovery(
    body: RecoveryCreate, principal: DistrictOfficer, settings: Settings, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.OrderRecovery(
        tuple(body.finding_ids), tuple(body.visit_ids), body.fine_rate_percent, principal
    )
    fines = settings.recovery_fines
    return await execute(
        rt, lambda uow: handlers.order_recovery(cmd, uow, fines), RecoveryRead.from_domain, idempotency=idem
    )


@router.get("", response_model=Page[RecoveryRead], summary="Recoveries of the region or of the provider")
async def list_recoveries(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[RecoveryStatus | None, Query()] = None,
) -> Page[RecoveryRead]:
    async with rt.read_session() as session:
        found = await handlers.list_recoveries(
            session, principal, status=status, after=page.after, limit=page.limit + 1
        )
    return make_page([RecoveryRead.from_domain(r) for r in found], page.limit)


@router.get("/{recovery_id}", response_model=RecoveryRead, summary="One funds recovery")
async def get_recovery(recovery_id: UUID, principal: Reader, rt: Rt) -> RecoveryRead:
    async with rt.read_session() as session:
        return RecoveryRead.from_domain(await handlers.get_recovery(session, recovery_id, principal))
