"""Audit trail routes: the region's entries and the verification of the whole chain."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.audit.api.dependencies import Settings
from eldercare.audit.api.schemas import AuditEntryRead, DailyHeadCreate, DailyHeadRead, TrailVerificationRead
from eldercare.audit.application import queries
from eldercare.audit.application.trail import PublishDailyHead, publish_daily_head, verify_trail
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

router = APIRouter(prefix="/v1/audit-trail", tags=["audit trail"])

Reader = Annotated[Principal, Depends(require(Role.auditor, Role.city_admin, Role.district_officer))]
Verifier = Annotated[Principal, Depends(require(Role.auditor, Role.city_admin))]
Rt = Annotated[Runtime, Depends(runtime)]


@router.get("", response_model=Page[AuditEntryRead], summary="Audit-trail entries of the caller's region")
async def list_trail(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    subject: Annotated[str | None, Query(max_length=200)] = None,
    event_type: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[AuditEntryRead]:
    async with rt.read_session() as session:
        found = await queries.list_trail(
            session, principal, subject=subject, event_type=event_type, after=page.after, limit=page.limit + 1
        )
    return make_page([AuditEntryRead.from_domain(e) for e in found], page.limit)


@router.get(
    "/verification",
    response_model=TrailVerificationRead,
    summary="Recompute the hash chain and report the first entry that does not link",
)
async def verify(principal: Verifier, rt: Rt, settings: Settings) -> TrailVerificationRead:
    # The chain is one for the whole deployment (each link covers the one before, whatever its
    # region), so it is verified whole; the answer holds counts and a seq, no entry content.
    async with rt.read_session() as session:
        verification = await verify_trail(session, batch_size=settings.trail_verify_batch_size)
    return TrailVerificationRead.from_domain(verification)


@router.post(
    "/daily-heads",
    response_model=DailyHeadRead,
    status_code=201,
    summary="Publish the chain head at the end of a past day (TrailHeadPublished), once per day",
)
async def publish_head(body: DailyHeadCreate, principal: Verifier, idem: Idempotency, rt: Rt) -> object:
    cmd = PublishDailyHead(body.day)
    return await execute(
        rt, lambda uow: publish_daily_head(cmd, uow), DailyHeadRead.from_domain, idempotency=idem
    )


timelines = APIRouter(prefix="/v1/timelines", tags=["audit trail"])
Investigator = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]


@timelines.get(
    "/{parties}/{party_id}",
    response_model=Page[AuditEntryRead],
    summary="A beneficiary's, provider's or caregiver's events across services, in chain order",
)
async def get_timeline(
    parties: Literal["beneficiaries", "providers", "caregivers"],
    party_id: UUID,
    principal: Investigator,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[AuditEntryRead]:
    async with rt.read_session() as session:
        found = await queries.timeline(
            session, principal, parties, party_id, after=page.after, limit=page.limit + 1
        )
    return make_page([AuditEntryRead.from_domain(e) for e in found], page.limit)
