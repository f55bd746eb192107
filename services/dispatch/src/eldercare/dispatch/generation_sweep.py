"""The worker's visit-generation sweep (issue #5: visits generated from active plans for a
horizon): every ``visit_generation_seconds`` (DISPATCH_VISIT_GENERATION_SECONDS, 3600) the active
plans with a schedule are generated up to DISPATCH_VISIT_HORIZON_DAYS ahead, a batch of plans per
transaction; the first tick after local midnight adds the new last day of the horizon."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from eldercare.common.clock import utcnow
from eldercare.common.worker import every
from eldercare.dispatch.application.visit_generation import generate_due
from eldercare.dispatch.settings import DispatchSettings

log = logging.getLogger("eldercare.dispatch.worker")


async def generate_all(worker: Any, settings: DispatchSettings, *, batch: int = 50) -> int:
    """One pass over every plan; returns the visits created. Plans locked by a version being
    written or by another worker are skipped (SKIP LOCKED) and caught by the next pass."""
    after, created = None, 0
    while True:
        async with worker.runtime.uow() as uow:
            runs = await generate_due(
                uow, now=utcnow(), horizon_days=settings.visit_horizon_days, after=after, limit=batch
            )
            await uow.commit()
        created += sum(len(r.created) for r in runs)
        if len(runs) < batch:
            return created
        after = runs[-1].care_plan_id


async def sweep_generation(worker: Any, settings: DispatchSettings, stop: asyncio.Event) -> None:
    """Until ``stop``: a pass, then wait. A failed pass is logged and retried at the next tick."""

    async def tick() -> None:
        created = await generate_all(worker, settings)
        if created:
            log.info("visits generated from care plans", extra={"count": created})

    await every(settings.visit_generation_seconds, stop, tick, what="visit generation sweep", logger=log)
