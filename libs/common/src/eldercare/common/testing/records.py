"""Kafka records for tests that drive a ``ConsumerRunner`` by hand (redelivery, dead letters)."""

from __future__ import annotations

import json

from aiokafka.structs import ConsumerRecord

from eldercare.common.contracts import REGISTRY
from eldercare.common.envelope import Envelope


def kafka_record(
    envelope: Envelope, *, offset: int, topic: str | None = None, value: bytes | None = None
) -> ConsumerRecord[bytes, bytes]:
    """``envelope`` as the relay sends it: on its event type's topic (or ``topic``), keyed by its
    subject, its data as the JSON value (or ``value``, e.g. a malformed body), with its CloudEvents
    headers."""
    body = value if value is not None else json.dumps(envelope.data).encode()
    return ConsumerRecord(
        topic=topic or REGISTRY.spec(envelope.type).topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=envelope.subject.encode(),
        value=body,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(body),
        headers=envelope.kafka_headers(),
    )
