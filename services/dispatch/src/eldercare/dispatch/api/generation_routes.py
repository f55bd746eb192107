"""Route of visit generation: the provider's admin generates its plans' visits now."""

from __future__ import annotations

from fastapi import APIRouter

from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import execute
from eldercare.dispatch.api.dependencies import ProviderAdmin, Rt, Settings, problems
from eldercare.dispatch.api.generation_schemas import VisitGenerationCreate, VisitGenerationRead
from eldercare.dispatch.application import visit_generation

router = APIRouter(prefix="/v1/visit-generations", tags=["visits"])


@router.post(
    "",
    response_model=VisitGenerationRead,
    status_code=201,
    summary="Generate the visits of the provider's plans through a day (the worker does it hourly)",
    responses=problems(401, 403, 404, 409),
)
async def run_generation(
    body: VisitGenerationCreate, principal: ProviderAdmin, idem: Idempotency, rt: Rt, settings: Settings
) -> object:
    cmd = visit_generation.RunGeneration(
        principal=principal, through=body.through, horizon_days=settings.visit_horizon_days
    )
    return await execute(
        rt,
        lambda uow: visit_generation.run_generation(cmd, uow),
        VisitGenerationRead.from_domain,
        idempotency=idem,
    )
