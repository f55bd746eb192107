"""Missed visits: nobody checked in by the end of the window plus a grace (issue #5). The worker
sweeps every ``DISPATCH_MISSED_SWEEP_SECONDS``; each visit found is marked ``missed`` and
VisitCancelled (kind missed) is published in the same transaction, so a second sweep (or a second
worker: the rows are locked SKIP LOCKED) finds nothing left to mark."""

from __future__ import annotations

from datetime import datetime, timedelta

from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.visits import cancelled_event
from eldercare.dispatch.domain.visits import Visit


async def mark_missed_visits(
    uow: UnitOfWork, *, now: datetime, grace: timedelta, limit: int = 500
) -> list[Visit]:
    visits = VisitRepository(uow.session)
    marked = []
    for visit in await visits.list_overdue(now - grace, limit):
        if visit.mark_missed(now=now, grace=grace):
            await visits.save(visit)
            uow.publish(cancelled_event(visit, "missed", was_completed=False))
            marked.append(visit)
    return marked
