"""Read side of the audit service: region-scoped look-ups, no unit of work."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.follow_up_repository import FollowUpFilter, FollowUpRepository
from eldercare.audit.adapters.spot_check_repository import SpotCheckFilter, SpotCheckRepository
from eldercare.audit.adapters.trail_repository import TrailFilter, TrailRepository
from eldercare.audit.domain.follow_up import FollowUp, FollowUpStatus
from eldercare.audit.domain.spot_check import SpotCheck, SpotCheckStatus
from eldercare.audit.domain.trail import AuditEntry
from eldercare.common.auth import Principal
from eldercare.common.errors import NotFound


async def list_trail(
    session: AsyncSession,
    principal: Principal,
    *,
    subject: str | None,
    event_type: str | None,
    after: UUID | None,
    limit: int,
) -> list[AuditEntry]:
    """Trail entries of the caller's region in chain order; ``limit`` rows at most."""
    if principal.region is None:
        # A principal without a region sees no region-scoped object (auth.Principal.covers_region).
        return []
    where = TrailFilter(principal.region, subject=subject, event_type=event_type)
    return await TrailRepository(session).list_in_region(where, after=after, limit=limit)


async def list_follow_ups(
    session: AsyncSession,
    principal: Principal,
    *,
    beneficiary_id: UUID | None,
    status: FollowUpStatus | None,
    after: UUID | None,
    limit: int,
) -> list[FollowUp]:
    """Follow-ups of the caller's region, oldest first."""
    if principal.region is None:
        return []
    where = FollowUpFilter(principal.region, beneficiary_id=beneficiary_id, status=status)
    return await FollowUpRepository(session).list_in_region(where, after=after, limit=limit)


async def get_follow_up(session: AsyncSession, follow_up_id: UUID, principal: Principal) -> FollowUp:
    """One follow-up; another region's is answered as not found."""
    follow_up = await FollowUpRepository(session).get(follow_up_id)
    if follow_up is None:
        raise NotFound("follow-up not found")
    principal.ensure_region(follow_up.district_code, "follow-up")
    return follow_up


async def list_spot_checks(
    session: AsyncSession,
    principal: Principal,
    *,
    visit_id: UUID | None,
    provider_id: UUID | None,
    status: SpotCheckStatus | None,
    after: UUID | None,
    limit: int,
) -> list[SpotCheck]:
    """Spot checks of the caller's region, oldest first."""
    if principal.region is None:
        return []
    where = SpotCheckFilter(principal.region, visit_id=visit_id, provider_id=provider_id, status=status)
    return await SpotCheckRepository(session).list_in_region(where, after=after, limit=limit)


async def get_spot_check(session: AsyncSession, spot_check_id: UUID, principal: Principal) -> SpotCheck:
    """One spot check; another region's is answered as not found."""
    check = await SpotCheckRepository(session).get(spot_check_id)
    if check is None:
        raise NotFound("spot check not found")
    principal.ensure_region(check.district_code, "spot check")
    return check
