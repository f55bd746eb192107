"""Follow-up call (回访) routes: the region's tasks and the calls made on them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.audit.api.dependencies import Settings
from eldercare.audit.api.schemas import CallCreate, FollowUpRead
from eldercare.audit.application import follow_ups, queries
from eldercare.audit.domain.follow_up import FollowUpStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

router = APIRouter(prefix="/v1/follow-ups", tags=["follow-ups"])

Reader = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer))]
Caller = Annotated[Principal, Depends(require(Role.auditor))]
Rt = Annotated[Runtime, Depends(runtime)]


@router.get("", response_model=Page[FollowUpRead], summary="Follow-up calls of the caller's region")
async def list_follow_ups(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    beneficiary_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[FollowUpStatus | None, Query()] = None,
) -> Page[FollowUpRead]:
    async with rt.read_session() as session:
        found = await queries.list_follow_ups(
            session,
            principal,
            beneficiary_id=beneficiary_id,
            status=status,
            after=page.after,
            limit=page.limit + 1,
        )
    return make_page([FollowUpRead.from_domain(f) for f in found], page.limit)


@router.get("/{follow_up_id}", response_model=FollowUpRead, summary="One follow-up call task")
async def get_follow_up(follow_up_id: UUID, principal: Reader, rt: Rt) -> FollowUpRead:
    async with rt.read_session() as session:
        found = await queries.get_follow_up(session, follow_up_id, principal)
    return FollowUpRead.from_domain(found)


@router.post(
    "/{follow_up_id}/calls",
    response_model=FollowUpRead,
    status_code=201,
    summary="Record a call: reached completes it, repeated misses escalate it",
)
async def record_call(
    follow_up_id: UUID, body: CallCreate, principal: Caller, idem: Idempotency, rt: Rt, settings: Settings
) -> object:
    cmd = follow_ups.RecordCall(
        follow_up_id=follow_up_id,
        reached=body.reached,
        satisfaction=body.satisfaction,
        notes=body.notes or None,
        principal=principal,
        max_unreached=settings.follow_up_max_unreached_calls,
    )
    return await execute(
        rt,
        lambda uow: follow_ups.record_call(cmd, uow),
        FollowUpRead.from_domain,
        idempotency=idem,
    )
