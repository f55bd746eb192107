"""Reads with object-level authorisation: another tenant's object is a 404."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import Principal
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.access import (
    caregiver_of,
    ensure,
    government_covers,
    is_the_caregiver,
    provider_admin_of,
)
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.providers import Caregiver, Provider
from eldercare.dispatch.domain.visits import Visit


async def get_provider(session: AsyncSession, provider_id: UUID, principal: Principal) -> Provider:
    """Government staff covering one of the provider's districts (the registering one or one it is
    contracted for), or the provider's own staff."""
    provider = await ProviderRepository(session).get(provider_id)
    ensure(
        provider is not None
        and (
            any(government_covers(principal, d) for d in provider.district_codes)
            or provider_admin_of(principal, provider.id)
            or caregiver_of(principal, provider.id)
        ),
        "provider",
    )
    assert provider is not None
    return provider


async def get_caregiver(session: AsyncSession, caregiver_id: UUID, principal: Principal) -> Caregiver:
    """The caregiver's own provider, or the caregiver themself."""
    caregiver = await CaregiverRepository(session).get(caregiver_id)
    ensure(
        caregiver is not None
        and (
            provider_admin_of(principal, caregiver.provider_id)
            or is_the_caregiver(principal, caregiver.provider_id, caregiver.id)
        ),
        "caregiver",
    )
    assert caregiver is not None
    return caregiver


async def get_care_plan(session: AsyncSession, care_plan_id: UUID, principal: Principal) -> CarePlan:
    """The plan's provider, or government staff covering its district."""
    plan = await CarePlanRepository(session).get(care_plan_id)
    ensure(
        plan is not None
        and (
            provider_admin_of(principal, plan.provider_id)
            or government_covers(principal, plan.community_code)
        ),
        "care plan",
    )
    assert plan is not None
    return plan


async def get_visit(session: AsyncSession, visit_id: UUID, principal: Principal) -> Visit:
    """The visit's provider, its caregiver, or government staff covering its district."""
    visit = await VisitRepository(session).get(visit_id)
    ensure(
        visit is not None
        and (
            provider_admin_of(principal, visit.provider_id)
            or is_the_caregiver(principal, visit.provider_id, visit.caregiver_id)
            or government_covers(principal, visit.community_code)
        ),
        "visit",
    )
    assert visit is not None
    return visit
