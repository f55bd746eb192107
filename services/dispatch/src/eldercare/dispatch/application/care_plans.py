"""Command handlers for care plans. They never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import CarePlanActivated, CarePlanChanged, VisitUnassigned
from eldercare.common.errors import Forbidden, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.access import ensure, provider_admin_of
from eldercare.dispatch.application.plan_fit import fit_plan
from eldercare.dispatch.application.queries import get_care_plan
from eldercare.dispatch.application.visits import cancelled_event
from eldercare.dispatch.domain.care_plans import Agreement, CarePlan, CarePlanVersion
from eldercare.dispatch.domain.errors import ActiveCarePlanExists, BeneficiaryUnknown
from eldercare.dispatch.domain.plan_schedule import Schedule
from eldercare.dispatch.domain.providers import Provider, Sex


@dataclass(frozen=True)
class PlanTerms:
    """What a version of a plan says (第十四条: content, duration, frequency), the same on
    activation and on every new version."""

    service_codes: list[str]
    frequency_per_month: int
    agreement: Agreement
    preferred_caregiver_sex: Sex | None = None
    # Issue #5 (domain/plan_fit.py): the length of a visit (None: 60 minutes) and the visits a
    # month of each item the beneficiary pays himself, outside the entitlement.
    minutes_per_visit: int | None = None
    self_paid_per_month: int = 0
    # Issue #5: preferred days and windows (domain/plan_schedule.py); empty: no generated visits.
    schedule: Schedule = ()


@dataclass(frozen=True)
class CreateCarePlan:
    beneficiary_id: UUID
    terms: PlanTerms
    principal: Principal


async def create_care_plan(cmd: CreateCarePlan, uow: UnitOfWork) -> CarePlan:
    """专业照护方案 and 服务协议: the provider's plan for a beneficiary takes effect and
    CarePlanActivated is published (第十二条 to 第十四条)."""
    provider = await _callers_provider(cmd.principal, uow)
    # changsha-2024-purchased-door-to-door-rules.md 第十八条 and 第七条: a sanctioned provider, or
    # one failing a basic condition today, gets no new plan.
    provider.ensure_may_take_new_work(local_date(utcnow()))
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
    terms = cmd.terms
    plan = CarePlan.activate(
        beneficiary=beneficiary,
        provider=provider,
        service_codes=terms.service_codes,
        frequency_per_month=terms.frequency_per_month,
        agreement=terms.agreement,
        today=local_date(now),
        now=now,
        by=cmd.principal.subject,
        preferred_caregiver_sex=terms.preferred_caregiver_sex,
    )
    await _fit_and_schedule(plan, terms, now, uow)
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


async def _fit_and_schedule(plan: CarePlan, terms: PlanTerms, now: datetime, uow: UnitOfWork) -> None:
    """The terms beyond the version's items: the visit length and self-paid visits, checked against
    the monthly entitlement on the local day (refused with 422 if over), then the schedule."""
    plan.minutes_per_visit, plan.self_paid_per_month = terms.minutes_per_visit, terms.self_paid_per_month
    await fit_plan(plan, on=local_date(now), uow=uow)
    plan.set_schedule(terms.schedule)


async def _callers_provider(principal: Principal, uow: UnitOfWork) -> Provider:
    if principal.provider_id is None:
        raise Forbidden("the token names no provider")
    provider = await ProviderRepository(uow.session).get(principal.provider_id)
    if provider is None:
        raise NotFound("provider not found")
    return provider


@dataclass(frozen=True)
class ChangeCarePlan:
    care_plan_id: UUID
    terms: PlanTerms
    principal: Principal


@dataclass
class PlanChangeOutcome:
    plan: CarePlan
    cancelled: list[UUID] = field(default_factory=list)
    unassigned: list[UUID] = field(default_factory=list)


async def change_care_plan(cmd: ChangeCarePlan, uow: UnitOfWork) -> PlanChangeOutcome:
    """A change of plan is a new version with a newly signed agreement (第十二条-第十四条; issue #5);
    publishes CarePlanChanged. The plan's visits not yet started follow the new version: a visit of
    an item the plan no longer holds, or after the new agreement's last day, is cancelled
    (VisitCancelled); a booked intimate-care visit whose caregiver no longer fits the sex preference
    goes back to the planner (VisitUnassigned)."""
    plans = CarePlanRepository(uow.session)
    plan = await plans.get(cmd.care_plan_id, for_update=True)
    ensure(plan is not None and provider_admin_of(cmd.principal, plan.provider_id), "care plan")
    assert plan is not None
    provider = await _callers_provider(cmd.principal, uow)
    # changsha-2024-purchased-door-to-door-rules.md 第十八条 and 第七条: no new version either.
    provider.ensure_may_take_new_work(local_date(utcnow()))
    beneficiary = await BeneficiaryRepository(uow.session).get(plan.beneficiary_id)
    if beneficiary is None:
        raise BeneficiaryUnknown("beneficiary not known to dispatch", field="beneficiary_id")
    now = utcnow()
    terms = cmd.terms
    plan.change(
        beneficiary=beneficiary,
        provider=provider,
        service_codes=terms.service_codes,
        frequency_per_month=terms.frequency_per_month,
        agreement=terms.agreement,
        preferred_caregiver_sex=terms.preferred_caregiver_sex,
        today=local_date(now),
        now=now,
        by=cmd.principal.subject,
    )
    await _fit_and_schedule(plan, terms, now, uow)
    await plans.save(plan)
    uow.publish(
        CarePlanChanged(
            care_plan_id=plan.id,
            version=plan.version,
            beneficiary_id=plan.beneficiary_id,
            provider_id=plan.provider_id,
            district_code=plan.district_code,
            service_codes=list(plan.service_codes),
            changed_at=now,
        )
    )
    out = PlanChangeOutcome(plan)
    visits = VisitRepository(uow.session)
    caregivers = CaregiverRepository(uow.session)
    for visit in await visits.list_not_started_of_plan(plan.id):
        reason = None
        if not plan.covers(visit.service_code):
            reason = f"{visit.service_code} is no longer in the care plan (version {plan.version})"
        elif local_date(visit.scheduled_start_at) > plan.agreement.ends_on:
            reason = f"after the agreement's last day {plan.agreement.ends_on} (version {plan.version})"
        if reason is not None:
            if visit.cancel(reason=reason, now=now):
                # A generated visit cancelled by a version frees its occurrence: a later version
                # asking for it again generates it anew (domain: Visit.release_generation).
                visit.release_generation()
                await visits.save(visit)
                uow.publish(cancelled_event(visit, "cancelled", was_completed=False))
                out.cancelled.append(visit.id)
            continue
        sex = plan.required_sex(visit.service_code)
        if sex is None or visit.caregiver_id is None:
            continue
        caregiver = await caregivers.get(visit.caregiver_id)
        before = visit.caregiver_id
        if caregiver is not None and caregiver.sex != sex and visit.unassign(by=cmd.principal.subject):
            await visits.save(visit)
            reason = (
                f"the care plan (version {plan.version}) asks for a {sex.value} caregiver for intimate care"
            )
            uow.publish(
                VisitUnassigned(
                    visit_id=visit.id,
                    beneficiary_id=visit.beneficiary_id,
                    provider_id=visit.provider_id,
                    caregiver_id=before,
                    district_code=visit.district_code,
                    reason=reason,
                    unassigned_at=now,
                )
            )
            out.unassigned.append(visit.id)
    return out


async def list_versions(
    session: AsyncSession, care_plan_id: UUID, principal: Principal
) -> list[CarePlanVersion]:
    await get_care_plan(session, care_plan_id, principal)
    return await CarePlanRepository(session).list_versions(care_plan_id)
