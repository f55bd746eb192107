"""Spot-check (抽查) routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.audit.api.schemas import SpotCheckRead
from eldercare.audit.application import queries
from eldercare.audit.domain.spot_check import SpotCheckStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, runtime

router = APIRouter(prefix="/v1/spot-checks", tags=["spot checks"])

# changsha-2024-purchased-door-to-door-rules.md 第十九条: both the city and the district bureau
# spot-check the truthfulness and quality of service.
Reader = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]
Rt = Annotated[Runtime, Depends(runtime)]


@router.get("", response_model=Page[SpotCheckRead], summary="Spot checks of the caller's region")
async def list_spot_checks(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    visit_id: Annotated[UUID | None, Query()] = None,
    provider_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[SpotCheckStatus | None, Query()] = None,
) -> Page[SpotCheckRead]:
    async with rt.read_session() as session:
        found = await queries.list_spot_checks(
            session,
            principal,
            visit_id=visit_id,
            provider_id=provider_id,
            status=status,
            after=page.after,
            limit=page.limit + 1,
        )
    return make_page([SpotCheckRead.from_domain(s) for s in found], page.limit)


@router.get("/{spot_check_id}", response_model=SpotCheckRead, summary="One spot check")
async def get_spot_check(spot_check_id: UUID, principal: Reader, rt: Rt) -> SpotCheckRead:
    async with rt.read_session() as session:
        found = await queries.get_spot_check(session, spot_check_id, principal)
    return SpotCheckRead.from_domain(found)
