"""``GET /v1/visits``: the visits the caller may see, a page at a time (the operations view of a
plan, a day, a caregiver or a status; issue #5's generated visits have no other list).

A provider admin sees their provider's visits; a caregiver only the visits booked to them (a visit
waiting for the planner belongs to no caregiver); government staff the visits of beneficiaries in
their region (a district officer their district, street and community staff their area). A caller
with none of these sees an empty list. The filters narrow that set, never widen it: another
tenant's visit is simply not listed, whatever id the query names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role
from eldercare.dispatch.adapters.repositories.visits import VisitFilter, VisitRepository
from eldercare.dispatch.domain.visits import Visit, VisitStatus


@dataclass(frozen=True)
class ListVisits:
    principal: Principal
    care_plan_id: UUID | None = None
    beneficiary_id: UUID | None = None
    caregiver_id: UUID | None = None
    status: VisitStatus | None = None
    unassigned: bool | None = None
    on: date | None = None


async def list_visits(
    session: AsyncSession, query: ListVisits, *, after: UUID | None, limit: int
) -> list[Visit]:
    p = query.principal
    narrow = {
        "care_plan_id": query.care_plan_id,
        "beneficiary_id": query.beneficiary_id,
        "caregiver_id": query.caregiver_id,
        "status": query.status,
        "unassigned": query.unassigned,
        "on": query.on,
    }
    if p.has_role(Role.provider_admin) and p.provider_id is not None:
        scope = VisitFilter(provider_id=p.provider_id, **narrow)
    elif p.has_role(Role.caregiver) and p.provider_id is not None and p.caregiver_id is not None:
        if query.caregiver_id not in (None, p.caregiver_id) or query.unassigned:
            return []
        scope = VisitFilter(provider_id=p.provider_id, **{**narrow, "caregiver_id": p.caregiver_id})
    elif p.has_role(*GOVERNMENT_ROLES) and p.region:
        scope = VisitFilter(region=p.region, **narrow)
    else:
        return []
    return await VisitRepository(session).list_page(scope, after=after, limit=limit)
