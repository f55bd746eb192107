"""Routes of the caregiver app (schedule, accept, decline, set off) and of the review queue."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import execute
from eldercare.dispatch.api.app_schemas import DeclineCreate, ReviewCreate, ScheduleRead, ScheduleVisitRead
from eldercare.dispatch.api.dependencies import CaregiverOnDuty, CaregiverReader, Rt, problems
from eldercare.dispatch.api.visit_schemas import AppCallIn, VisitRead
from eldercare.dispatch.application import caregiver_app, reviews

router = APIRouter(prefix="/v1", tags=["caregiver app"])
reviews_router = APIRouter(prefix="/v1", tags=["visit reviews"])

Reviewer = Annotated[Principal, Depends(require(Role.provider_admin, *GOVERNMENT_ROLES))]


@router.get(
    "/caregivers/{caregiver_id}/visits",
    response_model=ScheduleRead,
    summary="A caregiver's visits of a day (the app's schedule)",
    responses=problems(401, 403, 404),
)
async def day_schedule(
    caregiver_id: UUID,
    principal: CaregiverReader,
    rt: Rt,
    on: Annotated[date, Query(description="the local (China) calendar day")],
) -> ScheduleRead:
    async with rt.read_session() as session:
        entries = await caregiver_app.day_schedule(session, caregiver_id, on, principal)
    return ScheduleRead(
        caregiver_id=caregiver_id, on=on, items=[ScheduleVisitRead.from_entry(e) for e in entries]
    )


@router.post(
    "/visits/{visit_id}/acceptances",
    response_model=VisitRead,
    status_code=201,
    summary="Accept an assigned visit",
    responses=problems(401, 403, 404, 409),
)
async def accept(
    visit_id: UUID, body: AppCallIn, principal: CaregiverOnDuty, idem: Idempotency, rt: Rt
) -> object:
    cmd = caregiver_app.VisitCall(visit_id, principal, body.call())
    return await execute(
        rt, lambda uow: caregiver_app.accept_visit(cmd, uow), VisitRead.from_domain, idempotency=idem
    )


@router.post(
    "/visits/{visit_id}/declines",
    response_model=VisitRead,
    status_code=201,
    summary="Decline an assigned visit (it goes back to the planner)",
    responses=problems(401, 403, 404, 409),
)
async def decline(
    visit_id: UUID, body: DeclineCreate, principal: CaregiverOnDuty, idem: Idempotency, rt: Rt
) -> object:
    cmd = caregiver_app.DeclineVisit(visit_id, principal, body.call(), body.reason)
    return await execute(
        rt, lambda uow: caregiver_app.decline_visit(cmd, uow), VisitRead.from_domain, idempotency=idem
    )


@router.post(
    "/visits/{visit_id}/trips",
    response_model=VisitRead,
    status_code=201,
    summary="Set off to the visit (on my way)",
    responses=problems(401, 403, 404, 409),
)
async def start_trip(
    visit_id: UUID, body: AppCallIn, principal: CaregiverOnDuty, idem: Idempotency, rt: Rt
) -> object:
    cmd = caregiver_app.VisitCall(visit_id, principal, body.call())
    return await execute(
        rt, lambda uow: caregiver_app.start_trip(cmd, uow), VisitRead.from_domain, idempotency=idem
    )


@reviews_router.get(
    "/visit-reviews",
    response_model=Page[VisitRead],
    summary="The review queue: completed visits held by a verification flag",
    responses=problems(401, 403),
)
async def review_queue(
    principal: Reviewer, rt: Rt, page: Annotated[PageParams, Depends(page_params)]
) -> Page[VisitRead]:
    async with rt.read_session() as session:
        found = await reviews.pending_reviews(session, principal, after=page.after, limit=page.limit + 1)
    return make_page([VisitRead.from_domain(v) for v in found], page.limit)


@reviews_router.post(
    "/visits/{visit_id}/reviews",
    response_model=VisitRead,
    status_code=201,
    summary="Accept or reject a held visit record",
    responses=problems(401, 403, 404, 409),
)
async def review(
    visit_id: UUID, body: ReviewCreate, principal: Reviewer, idem: Idempotency, rt: Rt
) -> object:
    cmd = reviews.ResolveReview(visit_id, body.outcome, body.comment or None, principal)
    return await execute(
        rt, lambda uow: reviews.resolve_review(cmd, uow), VisitRead.from_domain, idempotency=idem
    )
