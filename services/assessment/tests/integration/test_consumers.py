"""The AssessmentRequested consumer against the real database."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import func, select

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.consumers import SUBSCRIPTIONS, on_assessment_requested
from eldercare.common.contracts import AssessmentRequested
from eldercare.common.uow import UnitOfWork


def requested(**overrides: object) -> AssessmentRequested:
    fields: dict[str, object] = {
        "application_id": uuid4(),
        "person_id": uuid4(),
        "district_code": "430102",
        "community_code": "430102001001",
        "masked_id_number": "430***********1234",
        "reason": "initial",
        "requested_at": datetime(2026, 11, 20, 1, 30, tzinfo=UTC),
        **overrides,
    }
    return AssessmentRequested(**fields)  # type: ignore[arg-type]


async def deliver(sessions, event: AssessmentRequested) -> None:  # type: ignore[no-untyped-def]
    async with UnitOfWork(sessions, MESSAGING, source="assessment") as uow:
        await on_assessment_requested(event, uow)
        await uow.commit()


class TestOnAssessmentRequested:
    def test_the_assessment_subscription_listens_to_the_application_topic(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.name == "assessment"
        assert "intake.application" in sub.topics
        assert sub.handler_for(AssessmentRequested.event_type) is on_assessment_requested

    async def test_a_request_creates_a_pending_task(self, sessions) -> None:  # type: ignore[no-untyped-def]
        event = requested()
        await deliver(sessions, event)
        async with sessions() as s:
            row = (await s.scalars(select(AssessmentRow))).one()
        assert row.application_id == event.application_id
        assert row.person_id == event.person_id
        assert (row.district_code, row.community_code) == ("430102", "430102001001")
        assert row.masked_id_number == "430***********1234"
        assert (row.reason, row.status) == ("initial", "pending")
        assert row.requested_at == event.requested_at
        assert row.total_score is None

    async def test_a_redelivered_request_leaves_one_task(self, sessions) -> None:  # type: ignore[no-untyped-def]
        event = requested()
        await deliver(sessions, event)
        await deliver(sessions, event)
        async with sessions() as s:
            count = await s.scalar(select(func.count()).select_from(AssessmentRow))
        assert count == 1

    async def test_a_second_request_for_the_same_application_is_a_no_op(self, sessions) -> None:  # type: ignore[no-untyped-def]
        first = requested()
        await deliver(sessions, first)
        await deliver(sessions, requested(application_id=first.application_id, reason="dispute"))
        async with sessions() as s:
            rows = (await s.scalars(select(AssessmentRow))).all()
        assert [(r.application_id, r.reason) for r in rows] == [(first.application_id, "initial")]

    async def test_requests_for_different_applications_make_separate_tasks(self, sessions) -> None:  # type: ignore[no-untyped-def]
        await deliver(sessions, requested())
        await deliver(sessions, requested())
        async with sessions() as s:
            count = await s.scalar(select(func.count()).select_from(AssessmentRow))
        assert count == 2

    async def test_creating_a_task_publishes_nothing(self, sessions) -> None:  # type: ignore[no-untyped-def]
        await deliver(sessions, requested())
        async with sessions() as s:
            assert (await s.execute(select(MESSAGING.outbox))).all() == []
