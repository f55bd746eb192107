"""Routes of care plans and visits (the provider's office and the caregiver's phone)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.common.errors import Forbidden, NotFound
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import execute
from eldercare.dispatch.adapters.health_data import VitalSignsCipher
from eldercare.dispatch.api.dependencies import (
    CaregiverOnDuty,
    CarePlanEnder,
    CarePlanReader,
    ProviderAdmin,
    Rt,
    Settings,
    VisitReader,
    problems,
)
from eldercare.dispatch.api.visit_schemas import (
    AppCallEntryRead,
    AppCallList,
    CarePlanChangeRead,
    CarePlanCreate,
    CarePlanEndCreate,
    CarePlanEndRead,
    CarePlanRead,
    CarePlanVersionCreate,
    CarePlanVersionList,
    CarePlanVersionRead,
    CheckInCreate,
    CheckOutCreate,
    ReschedulingCreate,
    VisitCreate,
    VisitRead,
)
from eldercare.dispatch.application import (
    care_plan_lists,
    care_plans,
    plan_ends,
    queries,
    visit_generation,
    visit_lists,
    visits,
)
from eldercare.dispatch.domain.care_plans import CarePlan, CarePlanStatus
from eldercare.dispatch.domain.plan_fit import FitStatus
from eldercare.dispatch.domain.visits import VisitStatus

log = logging.getLogger("eldercare.dispatch.pii")

plans_router = APIRouter(prefix="/v1/care-plans", tags=["care plans"])
visits_router = APIRouter(prefix="/v1/visits", tags=["visits"])


@plans_router.post(
    "",
    response_model=CarePlanRead,
    status_code=201,
    summary="Write a care plan and sign its agreement; its visits are generated for the horizon",
    responses=problems(401, 403, 404, 409),
)
async def create_care_plan(
    body: CarePlanCreate, principal: ProviderAdmin, idem: Idempotency, rt: Rt, settings: Settings
) -> object:
    cmd = care_plans.CreateCarePlan(
        beneficiary_id=body.beneficiary_id, terms=body.terms(), principal=principal
    )
    days = settings.visit_horizon_days
    return await execute(
        rt,
        lambda uow: visit_generation.create_care_plan_with_visits(cmd, days, uow),
        lambda out: CarePlanRead.from_domain(out[0]),
        idempotency=idem,
    )


@plans_router.get(
    "",
    response_model=Page[CarePlanRead],
    summary="Care plans of the caller's provider or region (e.g. ?fit=over_entitlement), by id",
    responses=problems(401, 403),
)
async def list_care_plans(
    principal: CarePlanReader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    beneficiary_id: UUID | None = None,
    status: Annotated[CarePlanStatus | None, Query(description="active or ended")] = None,
    fit: Annotated[
        FitStatus | None, Query(description="fits, unchecked or over_entitlement (a later re-check)")
    ] = None,
) -> Page[CarePlanRead]:
    query = care_plan_lists.ListCarePlans(principal, beneficiary_id=beneficiary_id, status=status, fit=fit)
    async with rt.read_session() as session:
        found = await care_plan_lists.list_care_plans(session, query, after=page.after, limit=page.limit + 1)
    return make_page([CarePlanRead.from_domain(p) for p in found], page.limit)


@plans_router.get(
    "/{care_plan_id}", response_model=CarePlanRead, summary="One care plan", responses=problems(401, 403, 404)
)
async def get_care_plan(care_plan_id: UUID, principal: CarePlanReader, rt: Rt) -> CarePlanRead:
    async with rt.read_session() as session:
        plan = await queries.get_care_plan(session, care_plan_id, principal)
    return CarePlanRead.from_domain(plan)


@plans_router.post(
    "/{care_plan_id}/versions",
    response_model=CarePlanChangeRead,
    status_code=201,
    summary="Change the plan: a new version with its signed agreement; publishes CarePlanChanged",
    responses=problems(401, 403, 404, 409),
)
async def change_care_plan(
    care_plan_id: UUID,
    body: CarePlanVersionCreate,
    principal: ProviderAdmin,
    idem: Idempotency,
    rt: Rt,
    settings: Settings,
) -> object:
    cmd = care_plans.ChangeCarePlan(care_plan_id=care_plan_id, terms=body.terms(), principal=principal)

    def read(out: tuple[care_plans.PlanChangeOutcome, visit_generation.PlanGeneration]) -> CarePlanChangeRead:
        change, generation = out
        return CarePlanChangeRead(
            **CarePlanRead.from_domain(change.plan).model_dump(),
            cancelled_visit_ids=change.cancelled,
            unassigned_visit_ids=change.unassigned,
            generated_visit_ids=generation.created,
        )

    days = settings.visit_horizon_days
    return await execute(
        rt, lambda uow: visit_generation.change_care_plan_with_visits(cmd, days, uow), read, idempotency=idem
    )


@plans_router.get(
    "/{care_plan_id}/versions",
    response_model=CarePlanVersionList,
    summary="Every version of the plan with its agreement, oldest first",
    responses=problems(401, 403, 404),
)
async def list_care_plan_versions(
    care_plan_id: UUID, principal: CarePlanReader, rt: Rt
) -> CarePlanVersionList:
    async with rt.read_session() as session:
        versions = await care_plans.list_versions(session, care_plan_id, principal)
    return CarePlanVersionList(items=[CarePlanVersionRead.from_domain(v) for v in versions])


@plans_router.post(
    "/{care_plan_id}/ends",
    response_model=CarePlanEndRead,
    status_code=201,
    summary="End the plan (its provider or the district); publishes CarePlanEnded, cancels its visits ahead",
    responses=problems(401, 403, 404, 409),
)
async def end_care_plan(
    care_plan_id: UUID, body: CarePlanEndCreate, principal: CarePlanEnder, idem: Idempotency, rt: Rt
) -> object:
    cmd = plan_ends.EndCarePlan(care_plan_id=care_plan_id, reason=body.reason, principal=principal)

    def read(out: tuple[CarePlan, list[UUID]]) -> CarePlanEndRead:
        return CarePlanEndRead(**CarePlanRead.from_domain(out[0]).model_dump(), cancelled_visit_ids=out[1])

    return await execute(rt, lambda uow: plan_ends.end_care_plan(cmd, uow), read, idempotency=idem)


@visits_router.post(
    "",
    response_model=VisitRead,
    status_code=201,
    summary="Schedule a visit",
    responses=problems(401, 403, 404, 409),
)
async def schedule_visit(body: VisitCreate, principal: ProviderAdmin, idem: Idempotency, rt: Rt) -> object:
    cmd = visits.ScheduleVisit(**body.model_dump(), principal=principal)
    return await execute(
        rt, lambda uow: visits.schedule_visit(cmd, uow), VisitRead.from_domain, idempotency=idem
    )


@visits_router.get(
    "",
    response_model=Page[VisitRead],
    summary="Visits of the caller's provider, own bookings or region, by id (filters narrow, never widen)",
    responses=problems(401, 403),
)
async def list_visits(
    principal: VisitReader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    care_plan_id: UUID | None = None,
    beneficiary_id: UUID | None = None,
    caregiver_id: UUID | None = None,
    status: Annotated[VisitStatus | None, Query(description="scheduled, in_progress, completed, ...")] = None,
    unassigned: Annotated[bool | None, Query(description="true: waiting for the planner")] = None,
    on: Annotated[dt.date | None, Query(description="the local (Asia/Shanghai) day the visit starts")] = None,
) -> Page[VisitRead]:
    query = visit_lists.ListVisits(
        principal,
        care_plan_id=care_plan_id,
        beneficiary_id=beneficiary_id,
        caregiver_id=caregiver_id,
        status=status,
        unassigned=unassigned,
        on=on,
    )
    async with rt.read_session() as session:
        found = await visit_lists.list_visits(session, query, after=page.after, limit=page.limit + 1)
    return make_page([VisitRead.from_domain(v) for v in found], page.limit)


@visits_router.get(
    "/{visit_id}", response_model=VisitRead, summary="One visit", responses=problems(401, 403, 404)
)
async def get_visit(visit_id: UUID, principal: VisitReader, rt: Rt) -> VisitRead:
    async with rt.read_session() as session:
        visit = await queries.get_visit(session, visit_id, principal)
    return VisitRead.from_domain(visit)


@visits_router.post(
    "/{visit_id}/check-ins",
    response_model=VisitRead,
    status_code=201,
    summary="Check in at the home (签到)",
    responses=problems(401, 403, 404, 409),
)
async def check_in(
    visit_id: UUID,
    body: CheckInCreate,
    principal: CaregiverOnDuty,
    idem: Idempotency,
    rt: Rt,
    settings: Settings,
) -> object:
    cmd = visits.CheckIn(
        visit_id=visit_id,
        location=body.location.point(),
        accuracy_m=body.accuracy_m,
        policy=settings.verification_policy(),
        principal=principal,
        call=body.call(),
        photos=body.domain_photos(),
    )
    return await execute(rt, lambda uow: visits.check_in(cmd, uow), VisitRead.from_domain, idempotency=idem)


@visits_router.post(
    "/{visit_id}/check-outs",
    response_model=VisitRead,
    status_code=201,
    summary="Check out with the service record (签退)",
    responses=problems(401, 403, 404, 409),
)
async def check_out(
    visit_id: UUID,
    body: CheckOutCreate,
    principal: CaregiverOnDuty,
    idem: Idempotency,
    rt: Rt,
    settings: Settings,
) -> object:
    signs = body.record.vital_signs
    vitals = signs.model_dump(mode="json", exclude_none=True) if signs is not None else None
    cmd = visits.CheckOut(
        visit_id=visit_id,
        location=body.location.point(),
        accuracy_m=body.accuracy_m,
        notes=body.record.notes,
        items_done=list(body.record.items_done),
        policy=settings.verification_policy(),
        principal=principal,
        call=body.call(),
        photos=body.domain_photos(),
        signature_sha256=body.signature_sha256,
        vital_signs=vitals,
        extra_items=[(e.code, e.reason) for e in body.record.extra_items],
        # Keys are checked before anything is written: unset, 503 naming DISPATCH_PII_KEYS.
        seal=VitalSignsCipher.from_settings(settings).seal if vitals is not None else None,
    )
    return await execute(rt, lambda uow: visits.check_out(cmd, uow), VisitRead.from_domain, idempotency=idem)


@visits_router.post(
    "/{visit_id}/reschedulings",
    response_model=VisitRead,
    status_code=201,
    summary="Give the reason a visit was missed and book it again (answers the new visit)",
    responses=problems(401, 403, 404, 409),
)
async def reschedule_missed(
    visit_id: UUID, body: ReschedulingCreate, principal: ProviderAdmin, idem: Idempotency, rt: Rt
) -> object:
    cmd = visits.RescheduleMissed(visit_id=visit_id, **body.model_dump(), principal=principal)
    return await execute(
        rt, lambda uow: visits.reschedule_missed(cmd, uow), VisitRead.from_domain, idempotency=idem
    )


@visits_router.get(
    "/{visit_id}/app-calls",
    response_model=AppCallList,
    summary="The caregiver app's calls about the visit, in the order the caregiver made them",
    responses=problems(401, 403, 404),
)
async def list_app_calls(visit_id: UUID, principal: VisitReader, rt: Rt) -> AppCallList:
    async with rt.read_session() as session:
        entries = await visits.app_calls(session, visit_id, principal)
    return AppCallList(items=[AppCallEntryRead.from_domain(e) for e in entries])


@visits_router.get(
    "/{visit_id}/vital-signs",
    summary="The vital signs recorded at the visit (health data: pii:read)",
    responses=problems(401, 403, 404),
)
async def get_vital_signs(
    visit_id: UUID, principal: VisitReader, rt: Rt, settings: Settings
) -> dict[str, object]:
    async with rt.read_session() as session:
        visit = await queries.get_visit(session, visit_id, principal)
    if not principal.can_read_pii:
        raise Forbidden("vital signs are health data: the pii:read scope is needed")
    if visit.vital_signs_sealed is None:
        raise NotFound("no vital signs were recorded at this visit")
    values = VitalSignsCipher.from_settings(settings).open(visit.id, visit.vital_signs_sealed)
    # Who read whose health data, never the values (PIPL; the logs carry no personal data).
    log.info("vital signs read", extra={"subject": principal.subject, "visit_id": str(visit.id)})
    return {"visit_id": str(visit.id), "beneficiary_id": str(visit.beneficiary_id), **values}
