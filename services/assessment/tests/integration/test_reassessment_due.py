"""The worker announces routine reassessments (ReassessmentDue) once, through the outbox, on a real
broker. It runs on a database of its own, committed for real (the relay reads committed rows)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.application.queries import months_after, months_before
from eldercare.assessment.settings import AssessmentSettings
from eldercare.assessment.worker import announce_once
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import ReassessmentDue
from eldercare.common.kafka import make_producer
from eldercare.common.relay import OutboxRelay
from eldercare.common.runtime import Runtime
from eldercare.common.testing.plugin import REPO_ROOT, broker_settings

pytestmark = [pytest.mark.kafka]


@pytest.fixture(scope="session")
def committed_url(postgres: Any) -> str:
    name = "test_assessment_due"
    postgres.create(name)
    url = postgres.database_url(name)
    ini = REPO_ROOT / "services" / "assessment" / "alembic.ini"
    env = {**os.environ, "ASSESSMENT_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return url


@pytest.fixture
async def runtime(committed_url: str, kafka_broker: Any) -> AsyncIterator[Runtime]:
    settings = AssessmentSettings(
        database_url=committed_url, reassessment_interval_months=6, **broker_settings(kafka_broker)
    )
    rt = Runtime.build(settings, MESSAGING)
    yield rt
    await rt.dispose()


async def a_report(rt: Runtime, assessed_on: date, person: UUID | None = None, **extra: Any) -> UUID:
    row = AssessmentRow(
        id=uuid4(),
        person_id=person or uuid4(),
        district_code="430102",
        community_code="430102001001",
        reason="initial",
        status="completed",
        requested_at=utcnow(),
        total_score=70,
        final_level=1,
        assessed_on=assessed_on,
        completed_at=datetime.combine(assessed_on, datetime.min.time(), tzinfo=UTC),
        **extra,
    )
    async with rt.sessionmaker() as session, session.begin():
        session.add(row)
    return row.id


async def read_due(
    bootstrap: str, wanted: Callable[[dict[str, Any]], bool], count: int
) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        ReassessmentDue.topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for r in records:
                        headers = dict(r.headers)
                        if headers.get("ce_type") == ReassessmentDue.event_type.encode():
                            data = json.loads(r.value)
                            if wanted(data):
                                found.append(data)
    finally:
        await consumer.stop()
    return found


async def test_a_report_due_within_the_notice_window_is_announced_once(runtime: Runtime) -> None:
    settings: AssessmentSettings = runtime.settings  # type: ignore[assignment]
    today = local_date(utcnow())
    due_soon = await a_report(runtime, months_before(today + timedelta(days=10), 6))
    not_yet = await a_report(runtime, months_before(today + timedelta(days=60), 6))
    corrected = await a_report(runtime, months_before(today, 6), superseded_by_id=uuid4())
    person = uuid4()
    replaced = await a_report(runtime, months_before(today, 7), person=person)
    await a_report(runtime, today - timedelta(days=3), person=person)  # a later immediate reassessment

    announced = await announce_once(runtime, settings)
    producer = make_producer(settings)
    await producer.start()
    try:
        relay = OutboxRelay(settings, runtime.engine, MESSAGING, producer)
        while await relay.publish_batch():
            pass
    finally:
        await producer.stop()

    ours = {str(x) for x in (due_soon, not_yet, corrected, replaced)}
    [event] = await read_due(settings.kafka_bootstrap_servers, lambda d: d["assessment_id"] in ours, 1)
    assert announced >= 1
    assert event["assessment_id"] == str(due_soon)
    assert event["due_on"] == months_after(months_before(today + timedelta(days=10), 6), 6).isoformat()
    assert (event["final_level"], event["district_code"]) == (1, "430102")
    # A second sweep announces nothing again.
    assert await announce_once(runtime, settings) == 0


async def test_nothing_is_announced_while_the_interval_is_unset(runtime: Runtime) -> None:
    unset = runtime.settings.model_copy(update={"reassessment_interval_months": None})
    await a_report(runtime, date(2020, 1, 1))
    assert await announce_once(runtime, unset) == 0  # type: ignore[arg-type]
