"""Outbox → relay → Kafka → consumer runner → inbox, against the real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from eldercare.common.consumer import ConsumerRunner, Subscription
from eldercare.common.contracts import REGISTRY, VisitCheckedIn
from eldercare.common.db import make_sessionmaker
from eldercare.common.kafka import make_producer
from eldercare.common.relay import OutboxRelay
from eldercare.common.settings import ServiceSettings
from eldercare.common.testing.plugin import broker_settings
from eldercare.common.uow import UnitOfWork

from .conftest import NOTES, TABLES

pytestmark = pytest.mark.kafka
TOPIC = VisitCheckedIn.topic


def check_in(visit_id: UUID | None = None) -> VisitCheckedIn:
    return VisitCheckedIn(
        visit_id=visit_id or uuid4(),
        beneficiary_id=uuid4(),
        provider_id=uuid4(),
        caregiver_id=uuid4(),
        district_code="430102",
        checked_in_at=datetime.now(UTC),
        distance_m=3.0,
        location_ok=True,
    )


@pytest.fixture
def settings(common_db_url: str, kafka_broker: Any) -> ServiceSettings:
    return ServiceSettings(
        service_name=f"t{uuid4().hex[:8]}",
        database_url=common_db_url,
        consumer_max_attempts=2,
        consumer_retry_backoff_ms=10,
        **broker_settings(kafka_broker),
    )


@pytest.fixture
async def engine(settings: ServiceSettings) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(settings.database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def producer(settings: ServiceSettings) -> AsyncIterator[AIOKafkaProducer]:
    p = make_producer(settings)
    await p.start()
    yield p
    await p.stop()


async def drain_outbox(relay: OutboxRelay) -> None:
    while await relay.publish_batch():
        pass


async def read_topic(bootstrap: str, topic: str, wanted: Callable[[Any], bool], count: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=500)
                found += [r for rs in batches.values() for r in rs if wanted(r)]
    finally:
        await consumer.stop()
    return found


def header(record: Any, name: str) -> str:
    return dict(record.headers).get(name, b"").decode(errors="replace")


async def wait_until(predicate: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    async with asyncio.timeout(seconds):
        while not await predicate():
            await asyncio.sleep(0.1)


class TestOutboxAndRelay:
    async def test_a_committed_change_publishes_its_event_with_the_aggregate_as_key(
        self, settings: ServiceSettings, engine: AsyncEngine, sessions: Any, producer: AIOKafkaProducer
    ) -> None:
        event = check_in()
        async with UnitOfWork(sessions, TABLES, source="test") as uow:
            await uow.session.execute(insert(NOTES).values(id=uuid4(), text="state"))
            envelope = uow.publish(event)
            await uow.commit()
        await drain_outbox(OutboxRelay(settings, engine, TABLES, producer))
        [record] = await read_topic(
            settings.kafka_bootstrap_servers, TOPIC, lambda r: header(r, "ce_id") == str(envelope.id), 1
        )
        assert record.key == str(event.visit_id).encode()
        assert header(record, "ce_type") == "dispatch.visit.checked_in.v1"
        assert json.loads(record.value)["visit_id"] == str(event.visit_id)

    async def test_a_unit_of_work_that_does_not_commit_leaves_no_outbox_row(self, sessions: Any) -> None:
        event = check_in()
        async with UnitOfWork(sessions, TABLES, source="test") as uow:
            envelope = uow.publish(event)
            await uow.session.execute(insert(NOTES).values(id=uuid4(), text="never"))
        async with sessions() as s:
            rows = (
                await s.execute(select(TABLES.outbox).where(TABLES.outbox.c.event_id == envelope.id))
            ).all()
        assert rows == []

    async def test_events_of_one_aggregate_arrive_in_commit_order(
        self, settings: ServiceSettings, engine: AsyncEngine, sessions: Any, producer: AIOKafkaProducer
    ) -> None:
        visit_id = uuid4()
        sent = []
        for _ in range(15):
            async with UnitOfWork(sessions, TABLES, source="test") as uow:
                sent.append(str(uow.publish(check_in(visit_id)).id))
                await uow.commit()
        await drain_outbox(OutboxRelay(settings, engine, TABLES, producer))
        records = await read_topic(
            settings.kafka_bootstrap_servers, TOPIC, lambda r: r.key == str(visit_id).encode(), len(sent)
        )
        assert [header(r, "ce_id") for r in records] == sent

    async def test_published_rows_are_marked_and_not_sent_again(
        self, settings: ServiceSettings, engine: AsyncEngine, sessions: Any, producer: AIOKafkaProducer
    ) -> None:
        async with UnitOfWork(sessions, TABLES, source="test") as uow:
            envelope = uow.publish(check_in())
            await uow.commit()
        relay = OutboxRelay(settings, engine, TABLES, producer)
        await drain_outbox(relay)
        assert await relay.publish_batch() == 0
        async with sessions() as s:
            published_at = (
                await s.execute(
                    select(TABLES.outbox.c.published_at).where(TABLES.outbox.c.event_id == envelope.id)
                )
            ).scalar_one()
        assert published_at is not None

    async def test_an_unreachable_broker_keeps_the_row_for_a_retry(
        self, settings: ServiceSettings, engine: AsyncEngine, sessions: Any
    ) -> None:
        async with UnitOfWork(sessions, TABLES, source="test") as uow:
            envelope = uow.publish(check_in())
            await uow.commit()
        dead = settings.model_copy(update={"kafka_bootstrap_servers": "127.0.0.1:1"})
        relay = OutboxRelay(dead, engine, TABLES, make_producer(dead))
        with pytest.raises(Exception):  # noqa: B017 - the producer cannot even start
            await relay.producer.start()
        async with sessions() as s:
            row = (
                await s.execute(select(TABLES.outbox).where(TABLES.outbox.c.event_id == envelope.id))
            ).one()
        assert row.published_at is None


class Recorder:
    """A handler that writes a note per event, so effects and the inbox can be checked together."""

    def __init__(self, fail_times: int = 0) -> None:
        self.seen: list[UUID] = []
        self.fail_times = fail_times

    async def __call__(self, event: VisitCheckedIn, uow: UnitOfWork) -> None:
        await uow.session.execute(insert(NOTES).values(id=uuid4(), text=str(event.visit_id)))
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("database hiccup")
        self.seen.append(event.visit_id)


async def notes_for(sessions: Any, visit_id: UUID) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).where(NOTES.c.text == str(visit_id)))).scalar_one())


@pytest.fixture
async def running(
    settings: ServiceSettings, sessions: Any, producer: AIOKafkaProducer
) -> AsyncIterator[Callable[[Recorder], Awaitable[ConsumerRunner]]]:
    tasks: list[tuple[ConsumerRunner, asyncio.Task[None]]] = []

    async def start(handler: Recorder) -> ConsumerRunner:
        sub = Subscription("notes")
        sub.on(VisitCheckedIn)(handler)
        runner = ConsumerRunner(settings, sub, sessions, TABLES, producer)
        tasks.append((runner, asyncio.create_task(runner.run())))
        return runner

    yield start
    for runner, task in tasks:
        runner.stop()
        await asyncio.wait_for(task, 20)


async def send(producer: AIOKafkaProducer, event: VisitCheckedIn, *, event_id: UUID | None = None) -> Any:
    """Produce an event as a relay would; returns the envelope id and the record's position."""
    envelope = REGISTRY.envelope(event, source="test")
    if event_id:
        envelope = envelope.model_copy(update={"id": event_id})
    meta = await producer.send_and_wait(
        TOPIC,
        json.dumps(envelope.data).encode(),
        key=envelope.subject.encode(),
        headers=envelope.kafka_headers(),
    )
    return envelope.id, meta


async def consumed_past(runner: ConsumerRunner, meta: Any) -> bool:
    """The runner committed an offset beyond this record: it was processed, whatever the outcome."""
    if runner.consumer is None:
        return False
    committed = await runner.consumer.committed(TopicPartition(meta.topic, meta.partition))
    return committed is not None and committed > meta.offset


class TestConsumerRunner:
    async def test_a_redelivered_event_has_its_effect_once(
        self, running: Any, producer: AIOKafkaProducer, sessions: Any
    ) -> None:
        handler = Recorder()
        runner = await running(handler)
        event = check_in()
        event_id, _ = await send(producer, event)
        _, again = await send(producer, event, event_id=event_id)
        await wait_until(lambda: consumed_past(runner, again))
        assert runner.stats["duplicate"] >= 1
        assert handler.seen.count(event.visit_id) == 1
        assert await notes_for(sessions, event.visit_id) == 1

    async def test_a_malformed_message_goes_to_the_dead_letter_topic_and_the_partition_moves_on(
        self, running: Any, producer: AIOKafkaProducer, settings: ServiceSettings
    ) -> None:
        handler = Recorder()
        runner = await running(handler)
        key = f"poison-{uuid4()}".encode()
        await producer.send_and_wait(TOPIC, b"\xff not json", key=key, headers=[("ce_type", b"x")])
        good = check_in()
        await send(producer, good)
        await wait_until(lambda: _async(good.visit_id in handler.seen))
        # Other consumer groups on the same broker (the e2e stack's workers) dead-letter it too:
        # look for this runner's record.
        [dead] = await read_topic(
            settings.kafka_bootstrap_servers,
            f"{TOPIC}.dlq",
            lambda r: r.key == key and header(r, "dlq_consumer") == runner.group_id,
            1,
        )
        assert header(dead, "dlq_error_type") == "PoisonMessage"
        assert header(dead, "dlq_source").startswith(f"{TOPIC}:")

    async def test_a_failing_handler_is_retried_and_its_partial_effects_roll_back(
        self, running: Any, producer: AIOKafkaProducer, sessions: Any
    ) -> None:
        handler = Recorder(fail_times=1)
        await running(handler)
        event = check_in()
        await send(producer, event)
        await wait_until(lambda: _async(event.visit_id in handler.seen))
        # The failed attempt's note was rolled back with it: one note, one inbox row.
        assert await notes_for(sessions, event.visit_id) == 1

    async def test_a_handler_that_keeps_failing_is_dead_lettered_with_nothing_applied(
        self, running: Any, producer: AIOKafkaProducer, sessions: Any, settings: ServiceSettings
    ) -> None:
        handler = Recorder(fail_times=10)
        runner = await running(handler)
        event = check_in()
        event_id, _ = await send(producer, event)
        [dead] = await read_topic(
            settings.kafka_bootstrap_servers,
            f"{TOPIC}.dlq",
            lambda r: header(r, "ce_id") == str(event_id) and header(r, "dlq_consumer") == runner.group_id,
            1,
        )
        assert header(dead, "dlq_attempts") == "2"
        assert "database hiccup" in header(dead, "dlq_error")
        assert await notes_for(sessions, event.visit_id) == 0
        async with sessions() as s:
            inbox = (await s.execute(select(TABLES.inbox).where(TABLES.inbox.c.event_id == event_id))).all()
        assert inbox == []

    async def test_offsets_are_committed_so_a_restarted_consumer_does_not_reprocess(
        self, settings: ServiceSettings, sessions: Any, producer: AIOKafkaProducer
    ) -> None:
        event = check_in()
        await send(producer, event)
        first = Recorder()
        await _run_until(settings, sessions, producer, first, lambda: event.visit_id in first.seen)
        later = check_in()
        await send(producer, later)
        second = Recorder()
        runner = await _run_until(settings, sessions, producer, second, lambda: later.visit_id in second.seen)
        assert event.visit_id not in second.seen
        assert runner.stats["duplicate"] == 0

    async def test_replaying_the_outbox_after_a_broker_loss_changes_nothing_downstream(
        self,
        settings: ServiceSettings,
        engine: AsyncEngine,
        sessions: Any,
        producer: AIOKafkaProducer,
        running: Any,
    ) -> None:
        handler = Recorder()
        runner = await running(handler)
        event = check_in()
        async with UnitOfWork(sessions, TABLES, source="test") as uow:
            envelope = uow.publish(event)
            await uow.commit()
        relay = OutboxRelay(settings, engine, TABLES, producer)
        await drain_outbox(relay)
        await wait_until(lambda: _async(event.visit_id in handler.seen))
        async with engine.begin() as conn:  # as `relay_replay_retained_on_start` does, for this row only
            await conn.execute(
                update(TABLES.outbox).where(TABLES.outbox.c.event_id == envelope.id).values(published_at=None)
            )
        await drain_outbox(relay)
        copies = await read_topic(
            settings.kafka_bootstrap_servers, TOPIC, lambda r: header(r, "ce_id") == str(envelope.id), 2
        )
        await wait_until(lambda: consumed_past(runner, copies[1]))
        assert handler.seen.count(event.visit_id) == 1
        assert await notes_for(sessions, event.visit_id) == 1


async def _async(value: bool) -> bool:
    return value


async def _run_until(
    settings: ServiceSettings,
    sessions: Any,
    producer: AIOKafkaProducer,
    handler: Recorder,
    done: Callable[[], bool],
) -> ConsumerRunner:
    sub = Subscription("restart")
    sub.on(VisitCheckedIn)(handler)
    runner = ConsumerRunner(settings, sub, sessions, TABLES, producer)
    task = asyncio.create_task(runner.run())
    try:
        async with asyncio.timeout(30):
            while not done():
                await asyncio.sleep(0.1)
    finally:
        runner.stop()
        await asyncio.wait_for(task, 20)
    return runner


@pytest.mark.apache_kafka
async def test_the_idempotent_producer_works_where_the_broker_supports_it(
    apache_kafka_broker: Any, settings: ServiceSettings
) -> None:
    assert settings.kafka_enable_idempotence
    producer = make_producer(settings)
    await producer.start()
    try:
        meta = await producer.send_and_wait(TOPIC, b"{}", key=b"idempotent")
    finally:
        await producer.stop()
    assert meta.offset >= 0
