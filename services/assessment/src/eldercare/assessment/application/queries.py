"""Read side of the assessment service: region-scoped look-ups, no unit of work."""

from __future__ import annotations

import calendar
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.adapters.repository import AssessmentFilter, AssessmentRepository
from eldercare.assessment.application.access import Viewer
from eldercare.assessment.domain.assessment import Assessment, AssessmentStatus
from eldercare.common.errors import NotFound, SettingNotConfigured


async def get_assessment(
    session: AsyncSession, assessment_id: UUID, viewer: Viewer, cipher: HealthDataCipher
) -> Assessment:
    """One assessment; one the caller may not see is answered as not found (application/access.py)."""
    assessment = await AssessmentRepository(session, cipher).get(assessment_id)
    if assessment is None:
        raise NotFound("assessment not found")
    viewer.ensure_sees(assessment)
    return assessment


async def list_assessments(
    session: AsyncSession,
    viewer: Viewer,
    cipher: HealthDataCipher,
    *,
    application_id: UUID | None,
    status: AssessmentStatus | None,
    after: UUID | None,
    limit: int,
) -> list[Assessment]:
    """Assessments the caller may see, oldest first; ``limit`` rows at most."""
    where = AssessmentFilter(viewer.scope(), application_id=application_id, status=status)
    return await AssessmentRepository(session, cipher).list(where, after=after, limit=limit)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the month's end (31 Aug - 6 months = 28/29 Feb)."""
    return months_after(day, -months)


def assessed_by_for_due(due_by: date, interval_months: int) -> date:
    """The latest assessment date whose reassessment falls due on or before ``due_by``: the inverse
    of ``months_after`` with its clamping (due on 28 Feb covers reports of 29-31 Aug too)."""
    bound = months_before(due_by, interval_months)
    if due_by.day == calendar.monthrange(due_by.year, due_by.month)[1]:
        bound = bound.replace(day=calendar.monthrange(bound.year, bound.month)[1])
    return bound


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


async def list_due(
    session: AsyncSession,
    viewer: Viewer,
    cipher: HealthDataCipher,
    *,
    on: date,
    interval_months: int | None,
    limit: int,
) -> list[Assessment]:
    """Signed reports in force whose routine reassessment is due on ``on`` (gbt42195.md §1.7)."""
    if interval_months is None:
        raise ReassessmentIntervalUnset(
            "assessment: ASSESSMENT_REASSESSMENT_INTERVAL_MONTHS (reassessment_interval_months) is not set;"
            " gbt42195.md §1.7 leaves the interval to local policy"
        )
    repo = AssessmentRepository(session, cipher)
    return await repo.list_due(
        viewer.scope(), assessed_on_or_before=assessed_by_for_due(on, interval_months), limit=limit
    )


class ReassessmentIntervalUnset(SettingNotConfigured):
    """The operator has not configured the reassessment interval."""
