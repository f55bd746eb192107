"""Routes of emergency help calls (助急)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role, require
from eldercare.common.clock import utcnow
from eldercare.common.errors import SettingNotConfigured
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import execute
from eldercare.dispatch.api.app_schemas import EmergencyCreate, EmergencyRead, EmergencyResolutionCreate
from eldercare.dispatch.api.dependencies import Rt, Settings, problems
from eldercare.dispatch.application import emergencies

router = APIRouter(prefix="/v1/emergencies", tags=["emergency help"])

Anyone = Annotated[
    Principal, Depends(require(Role.provider_admin, Role.caregiver, Role.city_platform, *GOVERNMENT_ROLES))
]
Responder = Annotated[Principal, Depends(require(Role.provider_admin, Role.caregiver))]


@router.post(
    "",
    response_model=EmergencyRead,
    status_code=201,
    summary="Raise an emergency help call for a beneficiary",
    responses=problems(401, 403, 404),
)
async def raise_emergency(
    body: EmergencyCreate, principal: Anyone, idem: Idempotency, rt: Rt, settings: Settings
) -> object:
    cmd = emergencies.RaiseEmergency(body.beneficiary_id, body.kind, body.source, principal)
    minutes = settings.emergency_response_minutes
    return await execute(
        rt,
        lambda uow: emergencies.raise_emergency(cmd, uow),
        lambda e: EmergencyRead.from_domain(e, minutes),
        idempotency=idem,
    )


@router.get(
    "",
    response_model=Page[EmergencyRead],
    summary="Open emergency calls (the provider's, or the region's)",
    responses={**problems(401, 403), 503: {"description": "overdue=true without the response-time setting"}},
)
async def open_emergencies(
    principal: Anyone,
    rt: Rt,
    settings: Settings,
    page: Annotated[PageParams, Depends(page_params)],
    overdue: Annotated[bool, Query(description="only calls with nobody on the scene in time")] = False,
) -> Page[EmergencyRead]:
    minutes = settings.emergency_response_minutes
    if overdue and minutes is None:
        # No seed fixes a response time (changsha-2024 第七条（三） requires only the 24-hour line).
        raise SettingNotConfigured(
            "DISPATCH_EMERGENCY_RESPONSE_MINUTES is not configured",
            field="DISPATCH_EMERGENCY_RESPONSE_MINUTES",
        )
    async with rt.read_session() as session:
        found = await emergencies.open_emergencies(session, principal, after=page.after, limit=page.limit + 1)
    if overdue:
        assert minutes is not None
        now = utcnow()
        # Filtered after the page is read: a page may hold fewer items, the cursor stays exact.
        page_of = make_page(found, page.limit)
        items = [EmergencyRead.from_domain(e, minutes) for e in page_of.items if e.is_overdue(now, minutes)]
        return Page[EmergencyRead](items=items, next_cursor=page_of.next_cursor)
    return make_page([EmergencyRead.from_domain(e, minutes) for e in found], page.limit)


@router.get(
    "/{emergency_id}",
    response_model=EmergencyRead,
    summary="One emergency call",
    responses=problems(401, 403, 404),
)
async def get_emergency(emergency_id: UUID, principal: Anyone, rt: Rt, settings: Settings) -> EmergencyRead:
    async with rt.read_session() as session:
        emergency = await emergencies.get_emergency(session, emergency_id, principal)
    return EmergencyRead.from_domain(emergency, settings.emergency_response_minutes)


def _step(path: str, summary: str, handler: emergencies.StepHandler) -> None:
    @router.post(
        f"/{{emergency_id}}/{path}",
        response_model=EmergencyRead,
        status_code=201,
        summary=summary,
        responses=problems(401, 403, 404, 409),
        name=path,
    )
    async def step(
        emergency_id: UUID, principal: Responder, idem: Idempotency, rt: Rt, settings: Settings
    ) -> object:
        cmd = emergencies.EmergencyStep(emergency_id, principal)
        minutes = settings.emergency_response_minutes
        return await execute(
            rt,
            lambda uow: handler(cmd, uow),
            lambda e: EmergencyRead.from_domain(e, minutes),
            idempotency=idem,
        )


_step("acknowledgements", "Acknowledge the call (接警)", emergencies.acknowledge)
_step("arrivals", "Someone is on the scene (到场)", emergencies.arrive)
_step(
    "escalations",
    "The asked caregiver cannot go: ask the next nearest, else the provider's 24-hour line",
    emergencies.escalate,
)


@router.post(
    "/{emergency_id}/resolutions",
    response_model=EmergencyRead,
    status_code=201,
    summary="Close the call with its outcome",
    responses=problems(401, 403, 404, 409),
)
async def resolve(
    emergency_id: UUID,
    body: EmergencyResolutionCreate,
    principal: Responder,
    idem: Idempotency,
    rt: Rt,
    settings: Settings,
) -> object:
    cmd = emergencies.ResolveEmergency(emergency_id, principal, body.outcome)
    minutes = settings.emergency_response_minutes
    return await execute(
        rt,
        lambda uow: emergencies.resolve(cmd, uow),
        lambda e: EmergencyRead.from_domain(e, minutes),
        idempotency=idem,
    )
