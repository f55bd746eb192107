"""The assessment worker: outbox relay, Kafka consumers and the routine-reassessment announcements.
``python -m eldercare.assessment.worker``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.application.reassessment_due import announce_due_reassessments
from eldercare.assessment.consumers import SUBSCRIPTIONS
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.clock import local_date, utcnow
from eldercare.common.observability import configure_logging
from eldercare.common.runtime import Runtime
from eldercare.common.worker import Worker, every

log = logging.getLogger("eldercare.assessment.worker")
BATCH = 200


async def announce_once(runtime: Runtime, settings: AssessmentSettings) -> int:
    """One sweep: announce every due reassessment, batch by batch (each batch one transaction).
    Nothing while the interval is unset (gbt42195.md §1.7 leaves it to local policy)."""
    interval = settings.reassessment_interval_months
    if interval is None:
        return 0
    total = 0
    while True:
        now = utcnow()
        async with runtime.uow() as uow:
            count = await announce_due_reassessments(
                uow,
                today=local_date(now),
                now=now,
                interval_months=interval,
                notice_days=settings.reassessment_notice_days,
                limit=BATCH,
            )
            await uow.commit()
        total += count
        if count < BATCH:
            return total


async def sweep_due(runtime: Runtime, settings: AssessmentSettings, stop: asyncio.Event) -> None:
    """Announce due reassessments every ``reassessment_sweep_seconds`` until ``stop``; a failed
    sweep is logged and retried at the next tick (a batch is one transaction)."""
    if settings.reassessment_interval_months is None:
        log.warning(
            "ASSESSMENT_REASSESSMENT_INTERVAL_MONTHS is not set: no routine reassessment is announced"
        )

    async def tick() -> None:
        announced = await announce_once(runtime, settings)
        if announced:
            log.info("routine reassessments announced", extra={"count": announced})

    await every(settings.reassessment_sweep_seconds, stop, tick, what="reassessment-due sweep", logger=log)


def main() -> None:
    settings = AssessmentSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)

    async def run() -> None:
        worker = Worker(settings, MESSAGING, SUBSCRIPTIONS)
        stop = asyncio.Event()

        def shutdown() -> None:
            stop.set()
            worker.stop()

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, shutdown)
        sweeper = asyncio.create_task(sweep_due(worker.runtime, settings, stop), name="reassessment-due")
        try:
            await worker.run()
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    asyncio.run(run())


if __name__ == "__main__":
    main()
