"""The AssessmentCompleted consumer against the real database: recorded once, tolerant of the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select

from eldercare.common.contracts import AssessmentCompleted
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.models import ApplicationRow
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.consumers import SUBSCRIPTIONS, on_assessment_completed


def completed(application: dict[str, Any] | None = None, **overrides: Any) -> AssessmentCompleted:
    fields: dict[str, Any] = {
        "assessment_id": uuid4(),
        "application_id": UUID(application["id"]) if application else uuid4(),
        "person_id": UUID(application["applicant"]["person_id"]) if application else uuid4(),
        "district_code": "430102",
        "reason": "initial",
        "total_score": 70,
        "subtotals": {},
        "preliminary_level": 1,
        "final_level": 1,
        "adjustments": [],
        "rule_settings": {},
        "completed_at": datetime(2026, 11, 22, 3, 0, tzinfo=UTC),
        **overrides,
    }
    return AssessmentCompleted(**fields)


async def deliver(sessions, event: AssessmentCompleted) -> None:  # type: ignore[no-untyped-def]
    async with UnitOfWork(sessions, MESSAGING, source="assessment") as uow:
        await on_assessment_completed(event, uow)
        await uow.commit()


async def row(sessions, application_id: str) -> ApplicationRow:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return (
            await s.scalars(select(ApplicationRow).where(ApplicationRow.id == UUID(application_id)))
        ).one()


async def requested(flow) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    application = await flow.submitted(1)
    assert (await flow.review(application["id"])).status_code == 201
    return dict(application)


class TestOnAssessmentCompleted:
    def test_the_intake_subscription_listens_to_assessment_results(self) -> None:
        sub, webhooks = SUBSCRIPTIONS
        assert sub.name == "intake" and webhooks.name == "webhooks"
        assert webhooks.topics == ["intake.application", "intake.beneficiary"]
        assert sub.topics == ["assessment.assessment"]
        assert sub.handler_for(AssessmentCompleted.event_type) is on_assessment_completed

    async def test_a_result_is_stored_and_the_application_becomes_assessed(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        application = await requested(flow)
        event = completed(application, total_score=48, final_level=2)
        await deliver(sessions, event)
        stored = await row(sessions, application["id"])
        assert stored.status == "assessed"
        assert (stored.assessment_id, stored.assessment_total_score, stored.assessment_level) == (
            event.assessment_id,
            48,
            2,
        )
        assert stored.steps[-1]["action"] == "assessment"

    async def test_a_redelivered_result_changes_nothing(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        application = await requested(flow)
        event = completed(application)
        await deliver(sessions, event)
        before = await row(sessions, application["id"])
        version, steps = before.version, len(before.steps)
        await deliver(sessions, event)
        after = await row(sessions, application["id"])
        assert (after.version, len(after.steps)) == (version, steps)

    async def test_a_later_result_replaces_an_earlier_one_before_the_decision(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        application = await requested(flow)
        first = completed(application, final_level=1)
        later = completed(application, final_level=3, completed_at=first.completed_at + timedelta(days=1))
        await deliver(sessions, later)
        await deliver(sessions, first)  # arrives late, is older: ignored
        assert (await row(sessions, application["id"])).assessment_level == 3

    async def test_a_result_for_an_application_not_yet_reviewed_is_ignored(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        application = await flow.submitted(1)
        await deliver(sessions, completed(application))
        stored = await row(sessions, application["id"])
        assert (stored.status, stored.assessment_id) == ("submitted", None)

    async def test_a_result_for_another_person_is_ignored(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        application = await requested(flow)
        await deliver(sessions, completed(application, person_id=uuid4()))
        assert (await row(sessions, application["id"])).status == "assessment_requested"

    async def test_a_result_for_an_unknown_application_is_ignored_without_error(self, sessions) -> None:  # type: ignore[no-untyped-def]
        await deliver(sessions, completed())
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(ApplicationRow)) == 0

    async def test_a_reassessment_without_an_application_is_ignored(self, sessions) -> None:  # type: ignore[no-untyped-def]
        await deliver(sessions, completed(application_id=None, reason="routine"))
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(ApplicationRow)) == 0

    async def test_recording_a_result_publishes_nothing(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        application = await requested(flow)
        async with sessions() as s:
            before = await s.scalar(select(func.count()).select_from(MESSAGING.outbox))
        await deliver(sessions, completed(application))
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(MESSAGING.outbox)) == before
