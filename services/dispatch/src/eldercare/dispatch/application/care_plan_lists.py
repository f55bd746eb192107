"""``GET /v1/care-plans`` (issue #5): the care plans the caller may see, a page at a time.

A provider admin sees their provider's plans; government staff the plans of beneficiaries in their
region (a district officer their district, street and community staff their area); a caller with
neither sees an empty list. The filters narrow that set, never widen it: a plan of another tenant
is simply not listed. ``fit=over_entitlement`` is the work list of plans a later price list or a
reduced entitlement put over the entitlement (plan_fit re-check): the provider issues a new
version with ``self_paid_per_month``, the district follows it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanFilter, CarePlanRepository
from eldercare.dispatch.domain.care_plans import CarePlan, CarePlanStatus
from eldercare.dispatch.domain.plan_fit import FitStatus


@dataclass(frozen=True)
class ListCarePlans:
    principal: Principal
    beneficiary_id: UUID | None = None
    status: CarePlanStatus | None = None
    fit: FitStatus | None = None


async def list_care_plans(
    session: AsyncSession, query: ListCarePlans, *, after: UUID | None, limit: int
) -> list[CarePlan]:
    principal = query.principal
    narrow = {"beneficiary_id": query.beneficiary_id, "status": query.status, "fit": query.fit}
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        scope = CarePlanFilter(provider_id=principal.provider_id, **narrow)
    elif principal.has_role(*GOVERNMENT_ROLES) and principal.region:
        scope = CarePlanFilter(region=principal.region, **narrow)
    else:
        return []
    return await CarePlanRepository(session).list_page(scope, after=after, limit=limit)
