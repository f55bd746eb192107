"""Read queries of visit flags and funds recoveries: region-scoped for government staff."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.fraud_repository import FlagFilter, FraudRepository
from eldercare.audit.domain.visit_flag import FlagStatus, VisitFlag
from eldercare.common.auth import Principal
from eldercare.common.errors import NotFound


async def list_flags(
    session: AsyncSession,
    principal: Principal,
    *,
    status: FlagStatus | None,
    signal: str | None,
    visit_id: UUID | None,
    provider_id: UUID | None,
    after: UUID | None,
    limit: int,
    assignee: str | None = None,
) -> list[VisitFlag]:
    if principal.region is None:
        return []
    where = FlagFilter(
        region_prefix=principal.region,
        provider_id=provider_id,
        visit_id=visit_id,
        status=status,
        signal=signal,
        assignee=assignee,
    )
    return await FraudRepository(session).list_flags(where, after=after, limit=limit)


async def get_flag(session: AsyncSession, flag_id: UUID, principal: Principal) -> VisitFlag:
    flag = await FraudRepository(session).get_flag(flag_id)
    if flag is None:
        raise NotFound("visit flag not found")
    principal.ensure_region(flag.district_code, "visit flag")
    return flag
