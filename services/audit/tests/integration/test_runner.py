"""The audit subscription behind the shared consumer runner (no broker: records are built here)."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord
from sqlalchemy import select

from eldercare.audit.adapters.models import AuditEntryRow, FollowUpRow
from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.consumers import SUBSCRIPTIONS
from eldercare.audit.settings import AuditSettings
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import REGISTRY, BeneficiaryEnrolled
from eldercare.common.envelope import Envelope
from eldercare.common.testing.records import kafka_record


def record(envelope: Envelope, offset: int) -> ConsumerRecord[bytes, bytes]:
    return kafka_record(envelope, offset=offset)


async def test_the_runner_records_the_envelope_id_and_a_redelivery_is_a_duplicate(
    sessions, make_event
) -> None:  # type: ignore[no-untyped-def]
    runner = ConsumerRunner(AuditSettings(), SUBSCRIPTIONS[0], sessions, MESSAGING, producer=None)  # type: ignore[arg-type]
    envelope = REGISTRY.envelope(make_event(BeneficiaryEnrolled), source="intake")
    assert await runner.handle_record(record(envelope, offset=7)) == "handled"
    assert await runner.handle_record(record(envelope, offset=7)) == "duplicate"
    async with sessions() as s:
        [entry] = (await s.scalars(select(AuditEntryRow))).all()
        follow_ups = (await s.scalars(select(FollowUpRow))).all()
    assert (entry.event_id, entry.subject) == (envelope.id, envelope.subject)
    assert len(follow_ups) == 1
