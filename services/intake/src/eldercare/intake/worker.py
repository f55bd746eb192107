"""The intake worker: outbox relay, Kafka consumers (assessment results; intake's own events into
webhook deliveries), the webhook dispatcher and roster imports. ``python -m eldercare.intake.worker``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from eldercare.common.observability import configure_logging
from eldercare.common.runtime import Runtime
from eldercare.common.worker import Worker
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.adapters.webhook_sender import WebhookDispatcher
from eldercare.intake.application.roster import process_next_batch
from eldercare.intake.consumers import SUBSCRIPTIONS
from eldercare.intake.settings import IntakeSettings

log = logging.getLogger("eldercare.intake.rosters")


async def run_rosters(settings: IntakeSettings, runtime: Runtime, stop: asyncio.Event) -> None:
    """Roster imports, one batch per transaction, until stopped."""
    while not stop.is_set():
        busy = False
        try:
            vault = PiiVault.from_settings(settings)
            async with runtime.uow() as uow:
                busy = await process_next_batch(uow, vault, settings.roster_batch_rows)
                await uow.commit()
        except Exception:  # a bad moment of the database must not end the worker
            log.exception("roster import batch failed")
        if not busy:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.webhook_poll_seconds)


async def run(settings: IntakeSettings) -> None:
    worker = Worker(settings, MESSAGING, SUBSCRIPTIONS)
    # Its own engine: the shared worker disposes of its runtime when it stops.
    runtime = Runtime.build(settings, MESSAGING)
    dispatcher = WebhookDispatcher(settings, runtime.sessionmaker)

    stopping = asyncio.Event()

    def stop() -> None:
        worker.stop()
        dispatcher.stop()
        stopping.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    sending = asyncio.create_task(dispatcher.run(), name="webhooks")
    importing = asyncio.create_task(run_rosters(settings, runtime, stopping), name="rosters")
    try:
        await worker.run()
    finally:
        stop()
        await asyncio.gather(sending, importing, return_exceptions=True)
        await runtime.dispose()


def main() -> None:
    settings = IntakeSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
