"""The review queue of held visit records (electronic visit verification, issue #5).

A completed visit with a flag whose action is ``hold`` is published ``verified: false`` and waits
here. The provider's admin (its supervisor) or government staff covering the community accept it
(billable as recorded) or reject it with a comment: the visit is voided, since service not
delivered per the care plan is not paid (changsha-2024-purchased-door-to-door-rules.md 第十八条（一）).
Both publish VisitVerificationResolved; a rejection also VisitCancelled (kind voided)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role
from eldercare.common.clock import utcnow
from eldercare.common.contracts import VisitVerificationResolved
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.access import ensure, government_covers, provider_admin_of
from eldercare.dispatch.application.visits import cancelled_event
from eldercare.dispatch.domain.visits import Visit


def may_review(principal: Principal, visit: Visit) -> bool:
    return provider_admin_of(principal, visit.provider_id) or government_covers(
        principal, visit.community_code
    )


@dataclass(frozen=True)
class ResolveReview:
    visit_id: UUID
    outcome: Literal["accepted", "rejected"]
    comment: str | None
    principal: Principal


async def resolve_review(cmd: ResolveReview, uow: UnitOfWork) -> Visit:
    visits = VisitRepository(uow.session)
    visit = await visits.get(cmd.visit_id, for_update=True)
    ensure(visit is not None and may_review(cmd.principal, visit), "visit")
    assert visit is not None
    now = utcnow()
    visit.resolve_review(
        accepted=cmd.outcome == "accepted", by=cmd.principal.subject, comment=cmd.comment, now=now
    )
    await visits.save(visit)
    uow.publish(
        VisitVerificationResolved(
            visit_id=visit.id,
            beneficiary_id=visit.beneficiary_id,
            provider_id=visit.provider_id,
            district_code=visit.district_code,
            outcome=cmd.outcome,
            reviewer=cmd.principal.subject,
            comment=cmd.comment,
            resolved_at=now,
        )
    )
    if cmd.outcome == "rejected":
        uow.publish(cancelled_event(visit, "voided", was_completed=True))
    return visit


async def pending_reviews(
    session: AsyncSession, principal: Principal, *, after: UUID | None, limit: int
) -> list[Visit]:
    """The queue the caller may see: a provider admin their provider's, government staff their
    region's (a caller with neither sees an empty queue)."""
    repo = VisitRepository(session)
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        return await repo.list_pending_review(
            provider_id=principal.provider_id, region=None, after=after, limit=limit
        )
    if principal.has_role(*GOVERNMENT_ROLES) and principal.region:
        return await repo.list_pending_review(
            provider_id=None, region=principal.region, after=after, limit=limit
        )
    return []
