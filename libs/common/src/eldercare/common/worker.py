"""The worker process of a service: its outbox relay and its Kafka consumers, until SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence

from eldercare.common.consumer import ConsumerRunner, Subscription
from eldercare.common.db import MessagingTables
from eldercare.common.kafka import make_producer
from eldercare.common.observability import configure_logging
from eldercare.common.relay import OutboxRelay
from eldercare.common.runtime import Runtime
from eldercare.common.settings import ServiceSettings

log = logging.getLogger("eldercare.worker")


async def every(
    seconds: float,
    stop: asyncio.Event,
    tick: Callable[[], Awaitable[object]],
    *,
    what: str,
    logger: logging.Logger = log,
) -> None:
    """Call ``tick`` at once and then every ``seconds`` until ``stop`` is set (a worker's sweeps).

    A failed tick is logged as ``"<what> failed"`` and tried again at the next one: a bad moment of
    the database must not end the worker, and each tick is its own transactions, so nothing is left
    half done. ``stop`` ends the wait at once rather than after the interval."""
    while not stop.is_set():
        try:
            await tick()
        except Exception:
            logger.exception("%s failed", what)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


class Worker:
    def __init__(
        self, settings: ServiceSettings, tables: MessagingTables, subscriptions: Sequence[Subscription]
    ) -> None:
        self.settings = settings
        self.tables = tables
        self.subscriptions = subscriptions
        self.runtime = Runtime.build(settings, tables)
        self.producer = make_producer(settings)
        self.relay = OutboxRelay(settings, self.runtime.engine, tables, self.producer)
        self.consumers = [
            ConsumerRunner(settings, sub, self.runtime.sessionmaker, tables, self.producer)
            for sub in subscriptions
        ]
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        await self.producer.start()
        tasks = [asyncio.create_task(self.relay.run(), name="relay")]
        tasks += [asyncio.create_task(c.run(), name=f"consumer:{c.group_id}") for c in self.consumers]
        log.info("worker started", extra={"consumers": [c.group_id for c in self.consumers]})
        stopper = asyncio.create_task(self._stop.wait())
        try:
            done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not stopper and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
        finally:
            self.relay.stop()
            for consumer in self.consumers:
                consumer.stop()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=15)
            for task in tasks:
                task.cancel()
            stopper.cancel()
            await self.producer.stop()
            await self.runtime.dispose()
            log.info("worker stopped")


def run_worker(
    settings: ServiceSettings, tables: MessagingTables, subscriptions: Sequence[Subscription]
) -> None:
    """Entry point of ``python -m eldercare.<service>.worker``."""
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)

    async def main() -> None:
        worker = Worker(settings, tables, subscriptions)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        await worker.run()

    asyncio.run(main())
