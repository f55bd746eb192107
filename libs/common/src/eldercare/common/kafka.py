"""aiokafka clients configured from settings, the same code for every broker.

What differs between Apache Kafka and the embedded tansu broker (idempotence, group timeouts,
fetch wait) is a setting, never a branch: see kafka-local.md for why each exists.
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from eldercare.common.settings import ServiceSettings


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.service_name}-producer",
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        # aiokafka's default; tansu enforces no message.max.bytes, so this keeps oversize
        # records failing here as they would on Kafka.
        max_request_size=settings.kafka_max_request_size,
        linger_ms=5,
        request_timeout_ms=30_000,
    )


def make_consumer(settings: ServiceSettings, group_id: str, **extra: Any) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.service_name}-{group_id}",
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        rebalance_timeout_ms=settings.kafka_rebalance_timeout_ms,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        max_poll_records=200,
        **extra,
    )
