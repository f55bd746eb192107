"""The day planner's route: a provider admin publishes an optimised schedule for a district day."""

from __future__ import annotations

from fastapi import APIRouter

from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import execute
from eldercare.dispatch.api.dependencies import ProviderAdmin, Rt, Settings, problems
from eldercare.dispatch.api.schedule_schemas import ScheduleCreate, ScheduleRead
from eldercare.dispatch.application import schedules

schedules_router = APIRouter(prefix="/v1/schedules", tags=["schedules"])


@schedules_router.post(
    "",
    response_model=ScheduleRead,
    status_code=201,
    summary="Plan a district day: assign the unassigned visits to caregivers (排班)",
    responses=problems(401, 403, 404),
)
async def create_schedule(
    body: ScheduleCreate, principal: ProviderAdmin, idem: Idempotency, rt: Rt, settings: Settings
) -> object:
    cmd = schedules.PlanDistrictDay(
        day=body.date,
        district_code=body.district_code,
        seconds=min(body.seconds, settings.max_planning_seconds),
        speeds=settings.travel_speeds(),
        principal=principal,
    )
    return await execute(
        rt, lambda uow: schedules.plan_district_day(cmd, uow), ScheduleRead.from_domain, idempotency=idem
    )
