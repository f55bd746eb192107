"""The broker launchers: a produce/consume round trip with aiokafka on each real broker."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from eldercare.common.testing.brokers import (
    ApacheKafkaBroker,
    TansuBroker,
    client_env,
    create_topics,
    java_available,
)

FAST_GROUP = {
    "session_timeout_ms": 1000,
    "heartbeat_interval_ms": 100,
    "rebalance_timeout_ms": 1000,
    "fetch_max_wait_ms": 100,
}


async def round_trip(bootstrap: str, *, idempotent: bool) -> None:
    topic = f"roundtrip.{uuid.uuid4().hex[:8]}"
    await create_topics(bootstrap, [topic, f"{topic}.dlq"])
    await create_topics(bootstrap, [topic])  # exists already: no error
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=idempotent)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"visit-1", key=b"beneficiary-1", headers=[("type", b"x")])
    finally:
        await producer.stop()
    await expect_record(bootstrap, topic, b"visit-1")


async def expect_record(bootstrap: str, topic: str, value: bytes) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        **FAST_GROUP,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 30)
    finally:
        await consumer.stop()
    assert (record.key, record.value, record.headers) == (b"beneficiary-1", value, (("type", b"x"),))


@pytest.mark.unit
def test_client_settings_turn_idempotence_off_only_for_tansu() -> None:
    assert client_env("apache")["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert client_env("tansu")["KAFKA_ENABLE_IDEMPOTENCE"] == "false"
    assert client_env("tansu")["KAFKA_SESSION_TIMEOUT_MS"] == "1000"
    assert set(client_env("apache")) == set(client_env("tansu"))


@pytest.mark.kafka
async def test_tansu_round_trip(tmp_path: Path) -> None:
    broker = TansuBroker(tmp_path)
    broker.start()
    try:
        assert broker.bootstrap_servers == f"127.0.0.1:{broker.port}"
        await round_trip(broker.bootstrap_servers, idempotent=False)
    finally:
        broker.stop()
    assert broker.pid is None


@pytest.mark.kafka
@pytest.mark.apache_kafka
@pytest.mark.skipif(not java_available(), reason="needs Java 17+ and Maven for Apache Kafka")
async def test_apache_kafka_idempotent_round_trip_and_data_kept_across_restart(tmp_path: Path) -> None:
    broker = ApacheKafkaBroker(tmp_path / "kafka")
    broker.start()
    try:
        await round_trip(broker.bootstrap_servers, idempotent=True)
        await create_topics(broker.bootstrap_servers, ["kept"])
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, enable_idempotence=True)
        await producer.start()
        try:
            headers = [("type", b"x")]
            await producer.send_and_wait("kept", b"after-restart", key=b"beneficiary-1", headers=headers)
        finally:
            await producer.stop()
    finally:
        broker.stop()

    restarted = ApacheKafkaBroker(tmp_path / "kafka")  # same data dir: same ports, no new format
    assert restarted.bootstrap_servers == broker.bootstrap_servers
    restarted.start()
    try:
        await expect_record(restarted.bootstrap_servers, "kept", b"after-restart")
    finally:
        restarted.stop()
