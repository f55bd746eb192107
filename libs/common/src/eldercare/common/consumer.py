"""The consumer runner: Kafka messages in, handler effects and an inbox row out, in one transaction.

For each message: rebuild the envelope, skip (and log) a type this consumer does not handle,
insert ``(consumer, event id)`` into the inbox (``ON CONFLICT DO NOTHING``: a redelivered event
does nothing), run the handler in the same unit of work, commit, and only then commit the Kafka
offset. A malformed message, or one whose handler keeps failing after bounded retries, goes to
``<topic>.dlq`` with the error in headers, and the partition moves on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.common.contracts import REGISTRY
from eldercare.common.db import MessagingTables
from eldercare.common.envelope import Envelope
from eldercare.common.errors import DomainError
from eldercare.common.kafka import make_consumer
from eldercare.common.observability import bind_context, span_traceparent
from eldercare.common.registry import IntegrationEvent, UnknownEventType
from eldercare.common.settings import ServiceSettings
from eldercare.common.uow import UnitOfWork

log = logging.getLogger("eldercare.consumer")

Handler = Callable[[Any, UnitOfWork], Awaitable[None]]


@dataclass
class Subscription:
    """A consumer group and the handler of each event model it consumes."""

    name: str
    handlers: dict[type[IntegrationEvent], Handler] = field(default_factory=dict)

    def on(self, model: type[IntegrationEvent]) -> Callable[[Handler], Handler]:
        if model.audience is not None and self.name not in model.audience:
            # An event meant for named services only (contracts: ``audience``) reaches no other.
            raise ValueError(f"{self.name} is not in the audience of {model.event_type}")

        def register(fn: Handler) -> Handler:
            self.handlers[model] = fn
            return fn

        return register

    @property
    def topics(self) -> list[str]:
        return sorted({m.topic for m in self.handlers})

    def handler_for(self, event_type: str) -> Handler | None:
        for model, fn in self.handlers.items():
            if model.event_type == event_type:
                return fn
        return None


class PoisonMessage(Exception):
    """A message that can never be processed: retrying cannot help."""


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: ConsumerRunner) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self.runner.commit_processed()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info(
            "partitions assigned", extra={"partitions": [f"{tp.topic}:{tp.partition}" for tp in assigned]}
        )


class ConsumerRunner:
    def __init__(
        self,
        settings: ServiceSettings,
        subscription: Subscription,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        producer: AIOKafkaProducer,
    ) -> None:
        self.settings = settings
        self.subscription = subscription
        self.sessionmaker = sessionmaker
        self.tables = tables
        self.producer = producer
        self.consumer: AIOKafkaConsumer | None = None
        self._processed: dict[TopicPartition, int] = {}
        self._stopping = asyncio.Event()
        self.stats = {"handled": 0, "duplicate": 0, "skipped": 0, "dead_lettered": 0}

    @property
    def group_id(self) -> str:
        return f"{self.settings.service_name}.{self.subscription.name}"

    async def commit_processed(self) -> None:
        if self.consumer is None or not self._processed:
            return
        offsets = {tp: OffsetAndMetadata(off, "") for tp, off in self._processed.items()}
        self._processed.clear()
        await self.consumer.commit(offsets)

    async def handle_record(self, record: ConsumerRecord[bytes, bytes]) -> str:
        """Process one record; returns what happened ('handled', 'duplicate', 'skipped', 'dead_lettered')."""
        try:
            envelope = Envelope.from_kafka(list(record.headers or ()), record.value or b"")
        except (ValueError, ValidationError) as exc:  # UnicodeDecodeError is a ValueError
            await self._dead_letter(record, PoisonMessage(f"malformed envelope: {exc!r}"), attempts=1)
            return "dead_lettered"
        handler = self.subscription.handler_for(envelope.type)
        if handler is None:
            log.info(
                "skipping an event type this consumer does not handle", extra={"event_type": envelope.type}
            )
            return "skipped"
        try:
            event = REGISTRY.parse(envelope)
        except (UnknownEventType, ValidationError) as exc:
            await self._dead_letter(record, PoisonMessage(f"data breaks the contract: {exc!r}"), attempts=1)
            return "dead_lettered"
        bind_context(envelope.correlationid, envelope.traceparent)
        attempts = 0
        while True:
            attempts += 1
            try:
                with span_traceparent(f"consume {envelope.type}", envelope.traceparent):
                    return await self._apply(record, envelope, event, handler)
            except (DomainError, PoisonMessage) as exc:
                await self._dead_letter(record, exc, attempts=attempts)
                return "dead_lettered"
            except Exception as exc:
                if attempts >= self.settings.consumer_max_attempts:
                    await self._dead_letter(record, exc, attempts=attempts)
                    return "dead_lettered"
                log.warning(
                    "handler failed; retrying",
                    extra={"event_type": envelope.type, "attempt": attempts, "error": repr(exc)},
                )
                await asyncio.sleep(self.settings.consumer_retry_backoff_ms / 1000 * 2 ** (attempts - 1))

    async def _apply(
        self,
        record: ConsumerRecord[bytes, bytes],
        envelope: Envelope,
        event: IntegrationEvent,
        handler: Handler,
    ) -> str:
        async with UnitOfWork(
            self.sessionmaker,
            self.tables,
            source=self.settings.service_name,
            causation_id=str(envelope.id),
            settings=self.settings,
            incoming=envelope,
        ) as uow:
            inserted = await uow.session.execute(
                insert(self.tables.inbox)
                .values(
                    consumer=self.subscription.name,
                    event_id=envelope.id,
                    event_type=envelope.type,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                )
                .on_conflict_do_nothing()
                .returning(self.tables.inbox.c.event_id)
            )
            if inserted.first() is None:
                return "duplicate"
            await handler(event, uow)
            await uow.commit()
        return "handled"

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], exc: BaseException, *, attempts: int
    ) -> None:
        log.error(
            "message sent to the dead-letter topic",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "error": repr(exc),
            },
        )
        headers = [
            *(record.headers or ()),
            ("dlq_error", repr(exc)[:1000].encode()),
            ("dlq_error_type", type(exc).__name__.encode()),
            ("dlq_consumer", self.group_id.encode()),
            ("dlq_source", f"{record.topic}:{record.partition}:{record.offset}".encode()),
            ("dlq_attempts", str(attempts).encode()),
        ]
        await self.producer.send_and_wait(
            f"{record.topic}.dlq", value=record.value, key=record.key, headers=headers
        )

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        self.consumer = make_consumer(self.settings, self.group_id)
        self.consumer.subscribe(self.subscription.topics, listener=_CommitOnRevoke(self))
        await self.consumer.start()
        try:
            while not self._stopping.is_set():
                batches = await self.consumer.getmany(timeout_ms=500)
                for tp, records in batches.items():
                    for record in records:
                        outcome = await self.handle_record(record)
                        self.stats[outcome] += 1
                        self._processed[tp] = record.offset + 1
                    await self.commit_processed()
        finally:
            try:
                await self.commit_processed()
            finally:
                await self.consumer.stop()
