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
    Price,
    PriceList,
    check_fit,
    entitlement_on,
    list_in_force,
    recheck_fit,
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
    await recheck_plans_in_region(cmd.region_code, since=cmd.effective_from, uow=uow)
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
    await recheck_plans_of_beneficiary(cmd.beneficiary_id, since=cmd.effective_on, uow=uow)


async def fit_plan(plan: CarePlan, *, on: date, uow: UnitOfWork) -> None:
    """Check the plan's current version on ``on`` and keep the result on it; a plan over the
    entitlement is refused (422 naming the field), nothing is written."""
    minutes = plan.minutes_per_visit or DEFAULT_MINUTES_PER_VISIT
    if plan.self_paid_per_month > plan.frequency_per_month:
        raise RuleViolations.of(
            [("self_paid_per_month", f"at most frequency_per_month ({plan.frequency_per_month})")]
        )
    lists = await PriceListRepository(uow.session).list_for(plan.district_code, on)
    entitlements = await EntitlementRepository(uow.session).list_of(plan.beneficiary_id)
    fit, violations = check_fit(
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
    plan.fit = fit


async def recheck_plans_in_region(region_code: str, *, since: date, uow: UnitOfWork) -> list[CarePlan]:
    """A price list arrived: the active plans of its province, city or district are checked again
    (the list in force on the day may still be a more local one: ``list_in_force`` decides)."""
    plans = await CarePlanRepository(uow.session).list_active_in_region(region_code)
    return await _recheck(plans, since=since, uow=uow)


async def recheck_plans_of_beneficiary(
    beneficiary_id: UUID, *, since: date, uow: UnitOfWork
) -> list[CarePlan]:
    """The beneficiary's entitlement was set or changed: their active plans are checked again."""
    plans = await CarePlanRepository(uow.session).list_active_of_beneficiary(beneficiary_id, for_update=True)
    return await _recheck(plans, since=since, uow=uow)


async def _recheck(plans: list[CarePlan], *, since: date, uow: UnitOfWork) -> list[CarePlan]:
    """Check each plan on the day the new input takes effect, or today when that day has passed
    (the plan's fit from now on; the months gone are priced by billing visit by visit). A plan
    over the entitlement is kept as signed and marked ``over_entitlement`` (domain ``recheck_fit``)."""
    on = max(since, local_date(utcnow()))
    repo = CarePlanRepository(uow.session)
    prices = PriceListRepository(uow.session)
    entitlements = EntitlementRepository(uow.session)
    lists: dict[str, list[PriceList]] = {}
    for plan in plans:
        if plan.district_code not in lists:
            lists[plan.district_code] = await prices.list_for(plan.district_code, on)
        plan.fit = recheck_fit(
            service_codes=plan.service_codes,
            frequency_per_month=plan.frequency_per_month,
            self_paid_per_month=plan.self_paid_per_month,
            minutes_per_visit=plan.minutes_per_visit or DEFAULT_MINUTES_PER_VISIT,
            district_code=plan.district_code,
            on=on,
            entitlement=entitlement_on(await entitlements.list_of(plan.beneficiary_id), on),
            price_list=list_in_force(lists[plan.district_code], plan.district_code, on),
        )
        await repo.save(plan)
        if plan.fit.status == FitStatus.over_entitlement:
            log.info(
                "care plan over the entitlement after a re-check",
                extra={"care_plan_id": str(plan.id), "checked_on": on.isoformat()},
            )
    return plans
