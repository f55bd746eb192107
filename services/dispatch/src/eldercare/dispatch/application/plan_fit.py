"""Issue #5: keep billing's price lists and intake's entitlement changes, and check a care plan
against the beneficiary's monthly entitlement at the prices in force (domain/plan_fit.py).
Consumers record and never raise on a redelivery: a list is stored once by its id, an
entitlement once per beneficiary and day (the later record wins). A new list or entitlement
re-checks the active plans it touches in the same transaction (``over_entitlement`` marks, never
refuses, a signed plan)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eldercare.common.clock import local_date, utcnow
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.plan_fit import EntitlementRepository, PriceListRepository
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.errors import RuleViolations
from eldercare.dispatch.domain.plan_fit import (
    Entitlement,
    FitStatus,
    PlanFit,
    Price,
    PriceList,
    check_fit,
    entitlement_on,
    fit_over_time,
    list_in_force,
)

log = logging.getLogger("eldercare.dispatch.plan_fit")

# The length of a visit when the plan does not say (the hour the scenario's visits take); it only
# matters for hourly prices and minute entitlements, and the plan's response shows it.
DEFAULT_MINUTES_PER_VISIT = 60


@dataclass(frozen=True)
class RecordPriceList:
    price_list_id: UUID
    region_code: str
    effective_from: date
    items: tuple[Price, ...]
    published_at: datetime


async def record_price_list(cmd: RecordPriceList, uow: UnitOfWork) -> bool:
    price_list = PriceList(cmd.price_list_id, cmd.region_code, cmd.effective_from, cmd.items)
    added = await PriceListRepository(uow.session).add_once(price_list, cmd.published_at)
    if not added:
        log.info("price list already kept", extra={"price_list_id": str(cmd.price_list_id)})
        return False
    # Issue #5: the plans in force in the list's region are checked again at the new prices.
    await recheck_plans_in_region(cmd.region_code, uow=uow)
    return True


@dataclass(frozen=True)
class RecordEntitlementChange:
    beneficiary_id: UUID
    effective_on: date
    monthly_amount_fen: int | None
    monthly_minutes: int | None
    changed_at: datetime


async def record_entitlement_change(cmd: RecordEntitlementChange, uow: UnitOfWork) -> None:
    """The entitlement from ``effective_on`` (the months before keep theirs)."""
    await EntitlementRepository(uow.session).record(
        cmd.beneficiary_id,
        Entitlement(cmd.effective_on, cmd.monthly_amount_fen, cmd.monthly_minutes),
        cmd.changed_at,
    )
    await recheck_plans_of_beneficiary(cmd.beneficiary_id, uow=uow)


async def fit_plan(plan: CarePlan, *, on: date, uow: UnitOfWork) -> None:
    """Check the plan's current version on ``on`` and keep the result on it; a plan over the
    entitlement on ``on`` is refused (422 naming the field), nothing is written. One that fits on
    ``on`` but not from a later day already announced (a list or an entitlement from next month) is
    accepted and marked ``over_entitlement`` from that day (``fit_over_time``)."""
    minutes = plan.minutes_per_visit or DEFAULT_MINUTES_PER_VISIT
    if plan.self_paid_per_month > plan.frequency_per_month:
        raise RuleViolations.of(
            [("self_paid_per_month", f"at most frequency_per_month ({plan.frequency_per_month})")]
        )
    until = max(on, plan.agreement.ends_on)
    lists = await PriceListRepository(uow.session).list_for(plan.district_code, until)
    entitlements = await EntitlementRepository(uow.session).list_of(plan.beneficiary_id)
    _, violations = check_fit(
        service_codes=plan.service_codes,
        frequency_per_month=plan.frequency_per_month,
        self_paid_per_month=plan.self_paid_per_month,
        minutes_per_visit=minutes,
        district_code=plan.district_code,
        on=on,
        entitlement=entitlement_on(entitlements, on),
        price_list=list_in_force(lists, plan.district_code, on),
    )
    if violations:
        raise RuleViolations.of(violations)
    plan.minutes_per_visit = minutes
    plan.fit = _fit_from(plan, on, lists, entitlements)


def _fit_from(plan: CarePlan, on: date, lists: list[PriceList], entitlements: list[Entitlement]) -> PlanFit:
    return fit_over_time(
        service_codes=plan.service_codes,
        frequency_per_month=plan.frequency_per_month,
        self_paid_per_month=plan.self_paid_per_month,
        minutes_per_visit=plan.minutes_per_visit or DEFAULT_MINUTES_PER_VISIT,
        district_code=plan.district_code,
        on=on,
        until=max(on, plan.agreement.ends_on),
        entitlements=entitlements,
        price_lists=lists,
    )


async def recheck_plans_in_region(region_code: str, *, uow: UnitOfWork) -> list[CarePlan]:
    """A price list arrived: the active plans of its province, city or district are checked again
    (the list in force on the day may still be a more local one: ``list_in_force`` decides)."""
    plans = await CarePlanRepository(uow.session).list_active_in_region(region_code)
    return await _recheck(plans, uow=uow)


async def recheck_plans_of_beneficiary(beneficiary_id: UUID, *, uow: UnitOfWork) -> list[CarePlan]:
    """The beneficiary's entitlement was set or changed: their active plans are checked again."""
    plans = await CarePlanRepository(uow.session).list_active_of_beneficiary(beneficiary_id, for_update=True)
    return await _recheck(plans, uow=uow)


async def _recheck(plans: list[CarePlan], *, uow: UnitOfWork) -> list[CarePlan]:
    """Check each plan from today with every input known (``fit_over_time``): the new input is
    among them, from its own day when that is still ahead (a past day's months are billing's, priced
    visit by visit). A plan over the entitlement is kept as signed and marked ``over_entitlement``."""
    today = local_date(utcnow())
    repo = CarePlanRepository(uow.session)
    prices = PriceListRepository(uow.session)
    entitlements = EntitlementRepository(uow.session)
    for plan in plans:
        lists = await prices.list_for(plan.district_code, max(today, plan.agreement.ends_on))
        plan.fit = _fit_from(plan, today, lists, await entitlements.list_of(plan.beneficiary_id))
        await repo.save(plan)
        if plan.fit.status == FitStatus.over_entitlement:
            log.info(
                "care plan over the entitlement after a re-check",
                extra={"care_plan_id": str(plan.id), "checked_on": str(plan.fit.checked_on)},
            )
    return plans
