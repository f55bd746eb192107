"""The billing worker: outbox relay, Kafka consumers and the month-end sweep that closes the
accounts of months that are over. ``python -m eldercare.billing.worker``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.application.handlers import close_ended_months
from eldercare.billing.consumers import SUBSCRIPTIONS
from eldercare.billing.settings import BillingSettings
from eldercare.common.clock import utcnow
from eldercare.common.observability import configure_logging
from eldercare.common.runtime import Runtime
from eldercare.common.worker import Worker, every

log = logging.getLogger("eldercare.billing.worker")

SWEEP_BATCH = 500


async def sweep_once(runtime: Runtime, *, batch: int = SWEEP_BATCH) -> int:
    """Close every open account of a month that is over, ``batch`` accounts per transaction (each
    with its AccountClosed in the outbox); the number closed."""
    total = 0
    while True:
        async with runtime.uow() as uow:
            closed = await close_ended_months(uow, now=utcnow(), limit=batch)
            await uow.commit()
        total += len(closed)
        if len(closed) < batch:
            return total


async def sweep_accounts(runtime: Runtime, settings: BillingSettings, stop: asyncio.Event) -> None:
    """Every ``account_sweep_seconds`` until ``stop`` (each batch is one transaction)."""

    async def tick() -> None:
        closed = await sweep_once(runtime)
        if closed:
            log.info("accounts closed", extra={"count": closed})

    await every(settings.account_sweep_seconds, stop, tick, what="account sweep", logger=log)


def main() -> None:
    settings = BillingSettings()
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
        sweeper = asyncio.create_task(sweep_accounts(worker.runtime, settings, stop), name="account-sweep")
        try:
            await worker.run()
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    asyncio.run(run())


if __name__ == "__main__":
    main()
