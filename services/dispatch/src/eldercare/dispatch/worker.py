"""The dispatch worker: outbox relay, Kafka consumers and the missed-visit sweep.
``python -m eldercare.dispatch.worker``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

from eldercare.common.clock import utcnow
from eldercare.common.observability import configure_logging
from eldercare.common.worker import Worker, every
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.application.emergencies import escalate_unacknowledged
from eldercare.dispatch.application.missed import mark_missed_visits
from eldercare.dispatch.application.notifications import PURGE_BATCH, purge_read_notifications
from eldercare.dispatch.application.plan_ends import end_due_plans
from eldercare.dispatch.application.push import start_pusher
from eldercare.dispatch.consumers import SUBSCRIPTIONS
from eldercare.dispatch.generation_sweep import sweep_generation
from eldercare.dispatch.settings import DispatchSettings

log = logging.getLogger("eldercare.dispatch.worker")


async def sweep_missed(worker: Worker, settings: DispatchSettings, stop: asyncio.Event) -> None:
    """Every ``missed_sweep_seconds`` until ``stop``: mark missed visits, end care plans whose
    agreement ran out (cancelling their visits still ahead), and escalate emergency calls
    nobody acknowledged (when DISPATCH_EMERGENCY_ACK_MINUTES is set). A failed sweep is logged and
    retried at the next tick (each step is one transaction)."""

    async def tick() -> None:
        async with worker.runtime.uow() as uow:
            marked = await mark_missed_visits(uow, now=utcnow(), grace=settings.missed_grace)
            await uow.commit()
        if marked:
            log.info("visits marked missed", extra={"count": len(marked)})
        async with worker.runtime.uow() as uow:
            ended = await end_due_plans(uow, now=utcnow())
            await uow.commit()
        if ended:
            log.info("care plans ended (agreement or termination)", extra={"count": len(ended)})
        if settings.emergency_ack_minutes is not None:
            async with worker.runtime.uow() as uow:
                after = timedelta(minutes=settings.emergency_ack_minutes)
                escalated = await escalate_unacknowledged(uow, after=after)
                await uow.commit()
            if escalated:
                log.info("emergencies escalated", extra={"count": len(escalated)})

    await every(settings.missed_sweep_seconds, stop, tick, what="missed-visit sweep", logger=log)


async def purge_notifications(worker: Worker, settings: DispatchSettings, stop: asyncio.Event) -> None:
    """Every ``notification_purge_seconds``: delete read notifications past their retention, a
    batch per transaction, until none is left."""

    async def tick() -> None:
        total = 0
        while True:
            async with worker.runtime.uow() as uow:
                purged = await purge_read_notifications(
                    uow, now=utcnow(), retention_days=settings.notification_retention_days
                )
                await uow.commit()
            total += purged
            if purged < PURGE_BATCH:
                break
        if total:
            log.info("read notifications purged", extra={"count": total})

    await every(settings.notification_purge_seconds, stop, tick, what="notification purge", logger=log)


def main() -> None:
    settings = DispatchSettings()
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
        sweeper = asyncio.create_task(sweep_missed(worker, settings, stop), name="missed-visits")
        generator = asyncio.create_task(sweep_generation(worker, settings, stop), name="visit-generation")
        pusher = start_pusher(worker.runtime.uow, settings, stop)  # None without a push gateway
        purger = asyncio.create_task(purge_notifications(worker, settings, stop), name="notification-purge")
        try:
            await worker.run()
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            with contextlib.suppress(asyncio.CancelledError):
                await generator
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            if pusher is not None:
                await pusher

    asyncio.run(run())


if __name__ == "__main__":
    main()
