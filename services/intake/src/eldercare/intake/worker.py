"""The intake worker: outbox relay, Kafka consumers (assessment results; intake's own events into
webhook deliveries) and the webhook dispatcher. ``python -m eldercare.intake.worker``."""

from __future__ import annotations

import asyncio
import signal

from eldercare.common.observability import configure_logging
from eldercare.common.runtime import Runtime
from eldercare.common.worker import Worker
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.adapters.webhook_sender import WebhookDispatcher
from eldercare.intake.consumers import SUBSCRIPTIONS
from eldercare.intake.settings import IntakeSettings


async def run(settings: IntakeSettings) -> None:
    worker = Worker(settings, MESSAGING, SUBSCRIPTIONS)
    # Its own engine: the shared worker disposes of its runtime when it stops.
    runtime = Runtime.build(settings, MESSAGING)
    dispatcher = WebhookDispatcher(settings, runtime.sessionmaker)

    def stop() -> None:
        worker.stop()
        dispatcher.stop()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    sending = asyncio.create_task(dispatcher.run(), name="webhooks")
    try:
        await worker.run()
    finally:
        dispatcher.stop()
        await sending
        await runtime.dispose()


def main() -> None:
    settings = IntakeSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
