"""Immediate reassessments from dispatch's closed emergencies (gbt42195.md §1.7, A.1.3 即时评估)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import select

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.consumers import (
    SUBSCRIPTIONS,
    on_beneficiary_enrolled,
    on_beneficiary_status_changed,
    on_emergency_resolved,
)
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import (
    REGISTRY,
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
    EmergencyResolved,
)
from eldercare.common.envelope import Envelope
from eldercare.common.kafka import make_producer
from eldercare.common.testing.plugin import broker_settings
from eldercare.common.testing.records import kafka_record
from eldercare.common.uow import UnitOfWork

DISTRICT = "430102"
RESOLVED_AT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def enrolled(beneficiary_id: UUID, person_id: UUID) -> BeneficiaryEnrolled:
    return BeneficiaryEnrolled.model_validate(
        {
            "beneficiary_id": beneficiary_id,
            "person_id": person_id,
            "application_id": uuid4(),
            "district_code": DISTRICT,
            "community_code": "430102001001",
            "masked_id_number": "430***********1234",
            "home_point": None,
            "assessment_level": 2,
            "policy": {"pack_id": "changsha-2024", "version": "2024.1"},
            "entitlement": {"monthly_amount_fen": 30000, "service_categories": [], "basis": []},
            "effective_on": date(2026, 11, 1),
            "enrolled_at": RESOLVED_AT,
            "assessment_id": uuid4(),
        }
    )


def resolved(
    beneficiary_id: UUID, kind: str = "medical", outcome: str = "hospitalised", **kw: Any
) -> EmergencyResolved:
    return EmergencyResolved.model_validate(
        {
            "emergency_id": kw.get("emergency_id", uuid4()),
            "beneficiary_id": beneficiary_id,
            "provider_id": None,
            "district_code": DISTRICT,
            "kind": kind,
            "outcome": outcome,
            "responded_at": None,
            "resolved_at": RESOLVED_AT,
        }
    )


async def deliver(sessions, handler, event) -> None:  # type: ignore[no-untyped-def]
    async with UnitOfWork(sessions, MESSAGING, source="assessment") as uow:
        await handler(event, uow)
        await uow.commit()


async def tasks_of(sessions, person_id: UUID) -> list[AssessmentRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list(
            (await s.scalars(select(AssessmentRow).where(AssessmentRow.person_id == person_id))).all()
        )


async def an_enrolled_person(sessions) -> tuple[UUID, UUID]:  # type: ignore[no-untyped-def]
    beneficiary, person = uuid4(), uuid4()
    await deliver(sessions, on_beneficiary_enrolled, enrolled(beneficiary, person))
    return beneficiary, person


class TestImmediateReassessment:
    def test_the_subscription_listens_to_emergencies_and_beneficiaries(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.topics == ["dispatch.emergency", "intake.application", "intake.beneficiary"]
        assert sub.handler_for(EmergencyResolved.event_type) is on_emergency_resolved

    async def test_a_hospitalisation_opens_an_immediate_task_with_its_reason(self, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary, person = await an_enrolled_person(sessions)
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary))
        [task] = await tasks_of(sessions, person)
        assert (task.reason, task.status, task.district_code) == ("immediate", "pending", DISTRICT)
        assert task.reason_note == "即时评估：紧急呼叫（急症），处置结果：送医住院"
        assert task.requested_at == RESOLVED_AT
        assert task.masked_id_number == "430***********1234"

    async def test_a_fall_resolved_on_site_opens_one(self, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary, person = await an_enrolled_person(sessions)
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary, "fall", "resolved_on_site"))
        [task] = await tasks_of(sessions, person)
        assert "跌倒" in (task.reason_note or "")

    async def test_a_false_alarm_or_an_unrelated_call_opens_nothing(self, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary, person = await an_enrolled_person(sessions)
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary, "fall", "false_alarm"))
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary, "lost", "resolved_on_site"))
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary, "medical", "referred"))
        assert await tasks_of(sessions, person) == []

    async def test_a_person_not_enrolled_or_terminated_gets_no_task(self, sessions) -> None:  # type: ignore[no-untyped-def]
        await deliver(sessions, on_emergency_resolved, resolved(uuid4()))  # never enrolled: no crash
        beneficiary, person = await an_enrolled_person(sessions)
        terminated = BeneficiaryStatusChanged(
            beneficiary_id=beneficiary,
            district_code=DISTRICT,
            status="terminated",
            reason="deceased",
            effective_on=date(2026, 11, 21),
            changed_at=RESOLVED_AT,
        )
        await deliver(sessions, on_beneficiary_status_changed, terminated)
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary))
        assert await tasks_of(sessions, person) == []

    async def test_one_open_task_per_person_and_one_task_per_emergency(self, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary, person = await an_enrolled_person(sessions)
        first = resolved(beneficiary)
        await deliver(sessions, on_emergency_resolved, first)
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary, "fall", "hospitalised"))
        assert len(await tasks_of(sessions, person)) == 1
        # The same emergency re-published after the task closed still opens nothing new.
        async with sessions() as s, s.begin():
            row = (await s.scalars(select(AssessmentRow).where(AssessmentRow.person_id == person))).one()
            row.status, row.total_score = "completed", 60
        await deliver(sessions, on_emergency_resolved, resolved(beneficiary, emergency_id=first.emergency_id))
        assert len(await tasks_of(sessions, person)) == 1


def record(envelope: Envelope, offset: int, value: bytes | None = None) -> ConsumerRecord[bytes, bytes]:
    return kafka_record(envelope, offset=offset, value=value)


class TestThroughTheRunner:
    @pytest.mark.kafka
    async def test_a_redelivered_emergency_is_a_duplicate_and_a_malformed_one_is_dead_lettered(  # type: ignore[no-untyped-def]
        self, sessions, settings: AssessmentSettings, kafka_broker
    ) -> None:
        with_broker = settings.model_copy(update=broker_settings(kafka_broker))
        producer = make_producer(with_broker)
        await producer.start()
        try:
            runner = ConsumerRunner(with_broker, SUBSCRIPTIONS[0], sessions, MESSAGING, producer)
            beneficiary, person = await an_enrolled_person(sessions)
            envelope = REGISTRY.envelope(resolved(beneficiary), source="dispatch")
            assert await runner.handle_record(record(envelope, offset=1)) == "handled"
            assert await runner.handle_record(record(envelope, offset=1)) == "duplicate"
            broken = REGISTRY.envelope(resolved(beneficiary), source="dispatch")
            outcome = await runner.handle_record(record(broken, offset=2, value=b'{"kind": "fall"}'))
        finally:
            await producer.stop()
        assert outcome == "dead_lettered"
        assert len(await tasks_of(sessions, person)) == 1
