"""常规评估 due: announce each signed report's routine reassessment once, a notice window ahead.

gbt42195.md §1.7: the periodic interval is not confirmed for GB/T 42195-2022 and is a local
policy value (``ASSESSMENT_REASSESSMENT_INTERVAL_MONTHS``, no default). While it is unset nothing is
announced. The notice window (``ASSESSMENT_REASSESSMENT_NOTICE_DAYS``) is an operational choice,
not a regulated amount.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from eldercare.assessment.adapters.repository import AssessmentRepository
from eldercare.assessment.application.queries import assessed_by_for_due, months_after
from eldercare.common.contracts import ReassessmentDue
from eldercare.common.uow import UnitOfWork


async def announce_due_reassessments(
    uow: UnitOfWork, *, today: date, now: datetime, interval_months: int, notice_days: int, limit: int = 200
) -> int:
    """Publish ``ReassessmentDue`` for every report in force whose due date is at most ``notice_days``
    away and that was never announced, in the transaction that records the announcement.
    Returns how many were announced (at most ``limit``; call again while it returns ``limit``)."""
    horizon = today + timedelta(days=notice_days)
    repo = AssessmentRepository(uow.session)
    rows = await repo.claim_due_unannounced(
        assessed_on_or_before=assessed_by_for_due(horizon, interval_months), limit=limit
    )
    for row in rows:
        assert row.assessed_on is not None and row.final_level is not None
        uow.publish(
            ReassessmentDue(
                assessment_id=row.id,
                person_id=row.person_id,
                district_code=row.district_code,
                final_level=row.final_level,
                due_on=months_after(row.assessed_on, interval_months),
                published_at=now,
            )
        )
    if rows:
        await repo.mark_due_announced([r.id for r in rows], now)
    return len(rows)
