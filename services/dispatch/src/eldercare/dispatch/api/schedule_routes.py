"""The day planner's route: a provider admin publishes an optimised schedule for a district day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import execute
from eldercare.dispatch.api.dependencies import ProviderAdmin, Rt, Settings, problems
from eldercare.dispatch.api.schedule_schemas import ReplanCreate, ReplanRead, ScheduleCreate, ScheduleRead
from eldercare.dispatch.application import schedules
from eldercare.dispatch.routing.settings import RoutingSettings


def routing_settings(settings: Settings) -> RoutingSettings:
    """The optimiser's weights: part of the service's settings (``DISPATCH_...``), read at start."""
    return settings


Routing = Annotated[RoutingSettings, Depends(routing_settings)]

_UNAVAILABLE: dict[int | str, dict[str, object]] = {
    503: {
        "description": "the road-network service (DISPATCH_ROAD_MATRIX_URL) did not answer",
        "content": {"application/problem+json": {}},
    }
}

schedules_router = APIRouter(prefix="/v1/schedules", tags=["schedules"])


@schedules_router.post(
    "",
    response_model=ScheduleRead,
    status_code=201,
    summary="Plan a district day: assign the unassigned visits to caregivers (排班)",
    responses=problems(401, 403, 404, 409) | _UNAVAILABLE,
)
async def create_schedule(
    body: ScheduleCreate,
    principal: ProviderAdmin,
    idem: Idempotency,
    rt: Rt,
    settings: Settings,
    routing: Routing,
) -> object:
    cmd = schedules.PlanDistrictDay(
        day=body.date,
        district_code=body.district_code,
        seconds=min(body.seconds, settings.max_planning_seconds),
        speeds=settings.travel_speeds(),
        principal=principal,
        weights=routing.weights(),
        history_days=routing.continuity_history_days,
        travel=routing.travel(settings.travel_speeds()),
    )
    return await execute(
        rt, lambda uow: schedules.plan_district_day(cmd, uow), ScheduleRead.from_domain, idempotency=idem
    )


@schedules_router.post(
    "/replans",
    response_model=ReplanRead,
    status_code=201,
    summary="Re-plan a day under way: caregivers drop out or visits were added (只调整受影响的路线)",
    responses=problems(401, 403, 404, 409) | _UNAVAILABLE,
)
async def create_replan(
    body: ReplanCreate,
    principal: ProviderAdmin,
    idem: Idempotency,
    rt: Rt,
    settings: Settings,
    routing: Routing,
) -> object:
    cmd = schedules.ReplanDistrictDay(
        day=body.date,
        district_code=body.district_code,
        unavailable=tuple(dict.fromkeys(body.unavailable_caregiver_ids)),
        seconds=min(body.seconds, routing.replan_max_seconds),
        speeds=settings.travel_speeds(),
        principal=principal,
        weights=routing.weights(replan=True),
        freeze_minutes=routing.replan_freeze_minutes,
        history_days=routing.continuity_history_days,
        travel=routing.travel(settings.travel_speeds()),
    )
    return await execute(
        rt, lambda uow: schedules.replan_district_day(cmd, uow), ReplanRead.from_domain, idempotency=idem
    )
