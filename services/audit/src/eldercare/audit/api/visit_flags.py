"""Visit flags (fraud signals and other suspicions) and the batch fraud scan.

Auditors and district officers of the region read, scan and resolve; city admins read. Providers
and caregivers see no flags: an open investigation is not shown to the party investigated.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.audit.api.dependencies import Settings
from eldercare.audit.api.fraud_schemas import (
    FlagAssignmentCreate,
    FlagResolutionCreate,
    FraudScanCreate,
    FraudScanRead,
    VisitFlagRead,
)
from eldercare.audit.application import flag_queries
from eldercare.audit.application import fraud as handlers
from eldercare.audit.domain.visit_flag import FlagStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

flags = APIRouter(prefix="/v1/visit-flags", tags=["fraud signals"])
scans = APIRouter(prefix="/v1/fraud-scans", tags=["fraud signals"])

Staff = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer))]
Reader = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]
Rt = Annotated[Runtime, Depends(runtime)]


@flags.get("", response_model=Page[VisitFlagRead], summary="Visit flags of the region")
async def list_flags(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[FlagStatus | None, Query()] = None,
    signal: Annotated[str | None, Query(max_length=40)] = None,
    visit_id: Annotated[UUID | None, Query()] = None,
    provider_id: Annotated[UUID | None, Query()] = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[VisitFlagRead]:
    async with rt.read_session() as session:
        found = await flag_queries.list_flags(
            session,
            principal,
            status=status,
            signal=signal,
            visit_id=visit_id,
            provider_id=provider_id,
            after=page.after,
            limit=page.limit + 1,
            assignee=assignee,
        )
    return make_page([VisitFlagRead.from_domain(f) for f in found], page.limit)


@flags.get("/{flag_id}", response_model=VisitFlagRead, summary="One visit flag")
async def get_flag(flag_id: UUID, principal: Reader, rt: Rt) -> VisitFlagRead:
    async with rt.read_session() as session:
        return VisitFlagRead.from_domain(await flag_queries.get_flag(session, flag_id, principal))


@flags.post(
    "/{flag_id}/assignments",
    response_model=VisitFlagRead,
    status_code=201,
    summary="Give the investigation of an open flag to a member of staff",
)
async def assign_flag(
    flag_id: UUID, body: FlagAssignmentCreate, principal: Staff, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.AssignFlag(flag_id, body.assignee, principal)
    return await execute(
        rt, lambda uow: handlers.assign_flag(cmd, uow), VisitFlagRead.from_domain, idempotency=idem
    )


@flags.post(
    "/{flag_id}/resolutions",
    response_model=VisitFlagRead,
    status_code=201,
    summary="Clear the flag, or confirm it (opens a 第十八条 finding); VisitFlagResolved for billing",
)
async def resolve_flag(
    flag_id: UUID, body: FlagResolutionCreate, principal: Staff, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.ResolveFlag(flag_id, body.outcome == "confirmed", body.notes, body.finding_type, principal)
    return await execute(
        rt, lambda uow: handlers.resolve_flag(cmd, uow), VisitFlagRead.from_domain, idempotency=idem
    )


@scans.post(
    "",
    response_model=FraudScanRead,
    status_code=201,
    summary="Run the fraud signals over a period's visits of a district; flags what they find",
)
async def run_scan(
    body: FraudScanCreate, principal: Staff, settings: Settings, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.RunFraudScan(body.district_code, body.from_on, body.to_on, principal)
    rules = settings.fraud_rules()
    return await execute(
        rt,
        lambda uow: handlers.run_fraud_scan(cmd, uow, rules),
        FraudScanRead.from_domain,
        idempotency=idem,
    )
