"""Visits generated from active care plans for a horizon (issue #5, "Scheduling and assignment").
Handlers never commit. The choice of days is domain/visit_generation.py; here: which plans, what
stops them, and the writes.

Generated visits wait for the day planner (POST /v1/schedules) like a visit posted without a
caregiver: no caregiver, so no VisitScheduled until the planner books one (the contract's
VisitScheduled names a caregiver). Cancelling one publishes VisitCancelled, as for any visit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import DISPLAY_ZONE, local_date, utcnow
from eldercare.common.errors import Forbidden, InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.providers import ProviderRepository
from eldercare.dispatch.adapters.repositories.visit_generation import GenerationRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.care_plans import (
    ChangeCarePlan,
    CreateCarePlan,
    PlanChangeOutcome,
    change_care_plan,
    create_care_plan,
)
from eldercare.dispatch.application.plan_fit import DEFAULT_MINUTES_PER_VISIT
from eldercare.dispatch.application.visits import cancelled_event
from eldercare.dispatch.domain.beneficiaries import Beneficiary
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.visit_generation import PlannedVisit, PlanSpan, planned_visits
from eldercare.dispatch.domain.visits import Visit

log = logging.getLogger("eldercare.dispatch.visit_generation")

GENERATION = "dispatch:generation"


@dataclass
class PlanGeneration:
    """What one run did for one plan: visits created, generated visits cancelled (a new version
    no longer asks for them), or why nothing was generated."""

    care_plan_id: UUID
    created: list[UUID] = field(default_factory=list)
    cancelled: list[UUID] = field(default_factory=list)
    skipped: str | None = None


def horizon(today: date, days: int) -> date:
    """The last day of a horizon of ``days`` days from today included."""
    return today + timedelta(days=days - 1)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=DISPLAY_ZONE).astimezone(UTC)


def span_of(plan: CarePlan) -> PlanSpan:
    """From the plan's activation day to its agreement's last day (第十四条: the agreement fixes
    the duration)."""
    return PlanSpan(
        service_codes=plan.service_codes,
        schedule=plan.schedule,
        frequency_per_month=plan.frequency_per_month,
        minutes_per_visit=plan.minutes_per_visit or DEFAULT_MINUTES_PER_VISIT,
        first_day=local_date(plan.activated_at),
        last_day=plan.agreement.ends_on,
    )


async def _why_not(plan: CarePlan, uow: UnitOfWork, first: date) -> tuple[str | None, date | None]:
    """Why the plan gets no new visit from ``first``, or None; and the last day it may get one when
    the beneficiary's termination takes effect later (their plans run until that day)."""
    if not plan.is_active:
        return f"the care plan is {plan.status.value}", None
    if not plan.schedule:
        return "the care plan has no schedule", None
    provider = await ProviderRepository(uow.session).get(plan.provider_id)
    if provider is None or provider.suspension is not None:
        # changsha-2024-purchased-door-to-door-rules.md 第十八条: a sanctioned provider gets no new work.
        sanction = provider.suspension.sanction_id if provider and provider.suspension else None
        log.warning(
            "no visits generated: the provider is suspended from new work",
            extra={
                "care_plan_id": str(plan.id),
                "provider_id": str(plan.provider_id),
                "sanction_id": str(sanction),
            },
        )
        return "the provider is suspended from new work (changsha-2024 第十八条)", None
    failures = provider.condition_failures(first, plan.service_codes)
    if failures:
        # changsha-2024-purchased-door-to-door-rules.md 第七条: a provider failing a basic condition
        # gets no new work; the plan's visits come again once the bureau records the facts.
        log.warning(
            "no visits generated: the provider fails conditions of 第七条",
            extra={
                "care_plan_id": str(plan.id),
                "provider_id": str(plan.provider_id),
                "conditions": [f.code.value for f in failures],
            },
        )
        return "the provider fails conditions of changsha-2024 第七条: " + "; ".join(
            f.describe() for f in failures
        ), None
    beneficiary = await GenerationRepository(uow.session).get_beneficiary_for_share(plan.beneficiary_id)
    if beneficiary is None or not beneficiary.may_be_visited_on(first):
        # Issue #5: suspensions and terminations from intake stop the visits.
        return f"the beneficiary is {beneficiary.status.value if beneficiary else 'unknown'}", None
    if beneficiary.termination_effective_on is not None and not beneficiary.is_active:
        # A termination effective on a later day: visits up to the day before it.
        return None, beneficiary.termination_effective_on - timedelta(days=1)
    return None, None


async def generate_for_plan(
    plan: CarePlan, *, first: date, last: date, now: datetime, uow: UnitOfWork, reconcile: bool = False
) -> PlanGeneration:
    """Create the visits the plan asks for on [first, last] that do not exist yet. ``reconcile``
    (a new version): first cancel the generated visits ahead that the plan no longer asks for."""
    out = PlanGeneration(plan.id)
    out.skipped, until = await _why_not(plan, uow, first)
    if out.skipped is not None and not (reconcile and plan.is_active):
        return out
    repo = GenerationRepository(uow.session)
    if reconcile:
        furthest = await repo.furthest_generated(plan.id)
        if furthest is not None:
            last = max(last, local_date(furthest))
    if until is not None:
        last = min(last, until)
    # Every occasion of the days, begun or not: a visit whose window has begun but which the planner
    # booked later in it is still asked for; only the ones not begun are created.
    asked = (
        planned_visits(span_of(plan), first=first, last=last, now=_local_midnight(first))
        if plan.schedule
        else []
    )
    wanted = [p for p in asked if p.window_start_at >= now]
    if out.skipped is None:
        # changsha-2024 第七条: no visit is generated for a day after a condition's evidence runs
        # out (a licence's expiry); once renewed, the next run generates the rest.
        provider = await ProviderRepository(uow.session).get(plan.provider_id)
        through = provider.conditions_hold_through(plan.service_codes) if provider else None
        if through is not None:
            wanted = [p for p in wanted if local_date(p.window_start_at) <= through]
    if reconcile:
        out.cancelled = await _cancel_unwanted(plan, asked, now, uow)
    if out.skipped is not None:
        return out
    have = await repo.generated_keys(plan.id, _local_midnight(first))
    for planned in wanted:
        if planned.key in have:
            continue
        visit = _visit_for(plan, planned)
        if await repo.insert_generated(visit):
            out.created.append(visit.id)
    return out


def _visit_for(plan: CarePlan, planned: PlannedVisit) -> Visit:
    """An unassigned visit: the slot's window, booked at its start for the visit's length."""
    visit = Visit.request(
        plan=plan,
        service_code=planned.service_code,
        start=planned.window_start_at,
        end=planned.scheduled_end_at,
        start_day=local_date(planned.window_start_at),
        window=(planned.window_start_at, planned.window_end_at),
        by=GENERATION,
    )
    visit.generated_for_at = planned.window_start_at
    return visit


def _still_wanted(visit: Visit, wanted: dict[tuple[str, datetime], PlannedVisit]) -> bool:
    assert visit.generated_for_at is not None
    planned = wanted.get((visit.service_code, visit.generated_for_at))
    return planned is not None and (
        (visit.window_start_at, visit.window_end_at) == (planned.window_start_at, planned.window_end_at)
        and visit.scheduled_end_at - visit.scheduled_start_at == timedelta(minutes=planned.minutes)
    )


async def _cancel_unwanted(
    plan: CarePlan, wanted: list[PlannedVisit], now: datetime, uow: UnitOfWork
) -> list[UUID]:
    """Generated visits ahead, not started, that the current version does not ask for (another
    day, window, length or item): cancelled with the version in the reason, and their occurrence
    freed (a later version may ask for it again)."""
    by_key = {p.key: p for p in wanted}
    visits = VisitRepository(uow.session)
    cancelled = []
    for visit in await GenerationRepository(uow.session).list_generated_ahead(plan.id, now):
        if _still_wanted(visit, by_key):
            continue
        reason = f"not in the care plan's schedule any more (version {plan.version})"
        if visit.cancel(reason=reason, now=now):
            visit.release_generation()
            await visits.save(visit)
            uow.publish(cancelled_event(visit, "cancelled", was_completed=False))
            cancelled.append(visit.id)
    return cancelled


# ---------------------------------------------------------------- the triggers


async def create_care_plan_with_visits(
    cmd: CreateCarePlan, horizon_days: int, uow: UnitOfWork
) -> tuple[CarePlan, PlanGeneration]:
    """Activation (POST /v1/care-plans) generates the plan's visits for the horizon in the same
    transaction."""
    plan = await create_care_plan(cmd, uow)
    now = utcnow()
    today = local_date(now)
    return plan, await generate_for_plan(
        plan, first=today, last=horizon(today, horizon_days), now=now, uow=uow
    )


async def change_care_plan_with_visits(
    cmd: ChangeCarePlan, horizon_days: int, uow: UnitOfWork
) -> tuple[PlanChangeOutcome, PlanGeneration]:
    """A new version (POST .../versions): the generated visits ahead follow it in the same
    transaction. Those the version cancelled for a removed item have freed their occurrence
    (change_care_plan); those it no longer asks for are cancelled; the missing ones are generated."""
    out = await change_care_plan(cmd, uow)
    now = utcnow()
    today = local_date(now)
    generation = await generate_for_plan(
        out.plan, first=today, last=horizon(today, horizon_days), now=now, uow=uow, reconcile=True
    )
    out.cancelled += generation.cancelled
    return out, generation


async def generate_due(
    uow: UnitOfWork, *, now: datetime, horizon_days: int, after: UUID | None, limit: int = 50
) -> list[PlanGeneration]:
    """The worker's sweep, one batch: active plans with a schedule after ``after`` (id order),
    locked SKIP LOCKED, each generated up to the horizon. Run daily or more, it rolls the
    horizon forward."""
    today = local_date(now)
    plans = await GenerationRepository(uow.session).list_plans_due(after, limit)
    return [
        await generate_for_plan(p, first=today, last=horizon(today, horizon_days), now=now, uow=uow)
        for p in plans
    ]


async def resume_generation(beneficiary: Beneficiary, uow: UnitOfWork) -> list[PlanGeneration]:
    """The beneficiary is active again (BeneficiaryStatusChanged): the days still ahead up to where
    the horizon had reached are generated again; an occurrence whose visit the suspension
    cancelled gets a new visit (its cancellation freed it). Days beyond come with the sweep."""
    now = utcnow()
    today = local_date(now)
    repo = GenerationRepository(uow.session)
    out = []
    for plan in await repo.list_plans_of_beneficiary(beneficiary.id):
        furthest = await repo.furthest_generated(plan.id)
        if furthest is None or local_date(furthest) < today:
            continue
        out.append(await generate_for_plan(plan, first=today, last=local_date(furthest), now=now, uow=uow))
    return out


@dataclass(frozen=True)
class RunGeneration:
    principal: Principal
    through: date | None
    horizon_days: int


@dataclass
class GenerationRun:
    through: date
    plans: list[PlanGeneration]


async def run_generation(cmd: RunGeneration, uow: UnitOfWork) -> GenerationRun:
    """The provider's admin generates now, for their provider's plans, through a day within the
    horizon (POST /v1/visit-generations)."""
    if cmd.principal.provider_id is None:
        raise Forbidden("the token names no provider")
    now = utcnow()
    today = local_date(now)
    last = horizon(today, cmd.horizon_days)
    through = cmd.through or last
    if through < today:
        raise InvalidInput(f"must be today ({today}) or later", field="through")
    if through > last:
        raise InvalidInput(
            f"at most {last}: generation looks {cmd.horizon_days} days ahead (DISPATCH_VISIT_HORIZON_DAYS)",
            field="through",
        )
    provider = await ProviderRepository(uow.session).get(cmd.principal.provider_id)
    if provider is None:
        raise NotFound("provider not found")
    # changsha-2024-purchased-door-to-door-rules.md 第十八条 and 第七条: no new work.
    provider.ensure_may_take_new_work(today)
    plans = await GenerationRepository(uow.session).list_plans_of_provider(provider.id)
    return GenerationRun(
        through, [await generate_for_plan(p, first=today, last=through, now=now, uow=uow) for p in plans]
    )
