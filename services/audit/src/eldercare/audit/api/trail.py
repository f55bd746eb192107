"""Audit trail routes: the region's entries and the verification of the chains (one per district)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.audit.api.dependencies import Settings
from eldercare.audit.api.schemas import AuditEntryRead, DailyHeadCreate, DailyHeadsRead, TrailVerificationRead
from eldercare.audit.application import queries
from eldercare.audit.application.trail import (
    PublishDailyHead,
    publish_daily_head,
    verify_chains,
)
from eldercare.audit.domain.trail import CITY_CHAIN, LEGACY_CHAIN
from eldercare.common.auth import Principal, Role, require
from eldercare.common.errors import NotFound
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
    summary="Recompute the hash chains (per district, city, legacy); report each one's first broken entry",
)
async def verify(
    principal: Verifier,
    rt: Rt,
    settings: Settings,
    chain: Annotated[
        str | None,
        Query(
            max_length=16,
            pattern=r"^(\d{4,6}|city|legacy)$",
            description="one chain; all the caller's by default",
        ),
    ] = None,
) -> TrailVerificationRead:
    # Each district's chain is verified alone, reading only its rows. The caller verifies the
    # chains of its region, plus the city-level and legacy chains that belong to no district (the
    # answer holds counts and seqs, no entry content); another region's chain is 404, a chain of
    # the region with no entry yet is valid with 0 entries.
    async with rt.read_session() as session:
        verifications = await verify_chains(
            session,
            batch_size=settings.trail_verify_batch_size,
            chains=None if chain is None else [chain],
            allowed=lambda c: _may_verify(principal, c),
        )
    if chain is not None and not verifications:
        raise NotFound(f"no chain {chain} in the caller's region")
    return TrailVerificationRead.from_domain(verifications)


def _may_verify(principal: Principal, chain: str) -> bool:
    return principal.region is not None and (
        chain in (CITY_CHAIN, LEGACY_CHAIN) or principal.covers_region(chain)
    )


@router.post(
    "/daily-heads",
    response_model=DailyHeadsRead,
    status_code=201,
    summary="Publish each chain's head at the end of a past day (TrailHeadPublished per chain), once per day",
)
async def publish_head(body: DailyHeadCreate, principal: Verifier, idem: Idempotency, rt: Rt) -> object:
    cmd = PublishDailyHead(body.day)
    return await execute(
        rt, lambda uow: publish_daily_head(cmd, uow), DailyHeadsRead.from_domain, idempotency=idem
    )


timelines = APIRouter(prefix="/v1/timelines", tags=["audit trail"])
Investigator = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]


@timelines.get(
    "/{parties}/{party_id}",
    response_model=Page[AuditEntryRead],
    summary="A beneficiary's, provider's or caregiver's events across services, in recording order",
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
