"""Command handlers for care plans. They never commit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import CarePlanActivated
from eldercare.common.errors import Forbidden, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import ProviderRepository
from eldercare.dispatch.domain.care_plans import Agreement, CarePlan
from eldercare.dispatch.domain.errors import ActiveCarePlanExists, BeneficiaryUnknown
from eldercare.dispatch.domain.providers import Provider


@dataclass(frozen=True)
class CreateCarePlan:
    beneficiary_id: UUID
    service_codes: list[str]
    frequency_per_month: int
    agreement: Agreement
    principal: Principal


async def create_care_plan(cmd: CreateCarePlan, uow: UnitOfWork) -> CarePlan:
    """专业照护方案 and 服务协议: the provider's plan for a beneficiary takes effect and
    CarePlanActivated is published (第十二条 to 第十四条)."""
    provider = await _callers_provider(cmd.principal, uow)
    # changsha-2024-purchased-door-to-door-rules.md 第十八条: a sanctioned provider gets no new plan.
    provider.ensure_may_take_new_work()
    beneficiary = await BeneficiaryRepository(uow.session).get(cmd.beneficiary_id)
    if beneficiary is None:
        # Dispatch learns of beneficiaries from intake's events: a plan written right after the
        # decision may arrive first, and the caller retries.
        raise BeneficiaryUnknown("beneficiary not known to dispatch yet", field="beneficiary_id")
    plans = CarePlanRepository(uow.session)
    if await plans.get_active(beneficiary.id, provider.id) is not None:
        raise ActiveCarePlanExists(
            "the provider already has an active care plan for this beneficiary", field="beneficiary_id"
        )
    now = utcnow()
    plan = CarePlan.activate(
        beneficiary=beneficiary,
        provider=provider,
        service_codes=cmd.service_codes,
        frequency_per_month=cmd.frequency_per_month,
        agreement=cmd.agreement,
        today=local_date(now),
        now=now,
        by=cmd.principal.subject,
    )
    await plans.add(plan)
    uow.publish(
        CarePlanActivated(
            care_plan_id=plan.id,
            beneficiary_id=plan.beneficiary_id,
            provider_id=plan.provider_id,
            district_code=plan.district_code,
            service_codes=list(plan.service_codes),
            activated_at=plan.activated_at,
        )
    )
    return plan


async def _callers_provider(principal: Principal, uow: UnitOfWork) -> Provider:
    if principal.provider_id is None:
        raise Forbidden("the token names no provider")
    provider = await ProviderRepository(uow.session).get(principal.provider_id)
    if provider is None:
        raise NotFound("provider not found")
    return provider
