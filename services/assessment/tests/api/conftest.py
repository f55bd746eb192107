"""API test fixtures: pending tasks made by the real consumer handler, and a valid result body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.consumers import on_assessment_requested
from eldercare.common.contracts import AssessmentRequested
from eldercare.common.uow import UnitOfWork

DISTRICT = "430102"
OTHER_DISTRICT = "430103"


@dataclass(frozen=True)
class Task:
    id: UUID
    event: AssessmentRequested


MakeTask = Callable[..., Awaitable[Task]]


@pytest.fixture
def make_task(sessions) -> MakeTask:  # type: ignore[no-untyped-def]
    """Deliver an AssessmentRequested to the consumer; returns the task's id and the event."""

    async def make(district: str = DISTRICT, application_id: UUID | None = None) -> Task:
        event = AssessmentRequested(
            application_id=application_id or uuid4(),
            person_id=uuid4(),
            district_code=district,
            community_code=f"{district}001001",
            masked_id_number="430***********1234",
            reason="initial",
            requested_at=datetime(2026, 11, 20, 1, 30, tzinfo=UTC),
        )
        async with UnitOfWork(sessions, MESSAGING, source="assessment") as uow:
            await on_assessment_requested(event, uow)
            await uow.commit()
        async with sessions() as s:
            query = select(AssessmentRow.id).where(AssessmentRow.application_id == event.application_id)
            return Task(id=(await s.scalars(query)).one(), event=event)

    return make


@pytest.fixture
def result_body(items_for_total: Callable[[int], dict[str, int]]) -> Callable[..., dict[str, Any]]:
    """A valid result body for a total score; keyword arguments replace fields."""

    def build(total: int = 70, **overrides: Any) -> dict[str, Any]:
        return {
            "items": items_for_total(total),
            "coma": False,
            "diagnoses": [],
            "psychiatric_specialist_diagnosis": False,
            "risk_events_30d": {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0},
            "assessors": ["assessor-001", "assessor-002"],
            "information_provider": {"name": "张小明", "relation": "child"},
            "assessed_on": date(2026, 11, 20).isoformat(),
            **overrides,
        }

    return build
