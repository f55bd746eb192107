"""The end of a care plan (changsha-2024-purchased-door-to-door-rules.md 第十二条-第十四条; issue #5).

A plan ends four ways, and each publishes ``CarePlanEnded`` once, in the transaction that ends it:

* ``provider`` / ``district``: ``POST /v1/care-plans/{id}/ends`` by the plan's provider admin, or by
  a district officer or the city covering it;
* ``agreement_expired``: the worker's sweep, once the agreement's last day has passed (第十四条: the
  agreement fixes the duration);
* ``beneficiary_terminated``: intake terminated the beneficiary; at once when the termination is
  effective today or earlier, else the worker's sweep on its local day (Asia/Shanghai).

Exactly once: ``CarePlan.end`` refuses an ended plan, every path locks the plan row first (the
sweeps SKIP LOCKED, the route and the consumer wait), and the sweeps only list active plans; so a
second sweep, a redelivered intake event or a second request finds nothing to end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from eldercare.common.auth import Principal, Role
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import CarePlanEnded
from eldercare.common.errors import Forbidden
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.access import ensure, government_covers, provider_admin_of
from eldercare.dispatch.application.visits import cancelled_event
from eldercare.dispatch.domain.beneficiaries import Beneficiary
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.visits import Visit

EndCause = Literal["provider", "district", "agreement_expired", "beneficiary_terminated"]

PLAN_ENDED = "plan ended"
SWEEP = "dispatch:plan-end-sweep"
TERMINATION = "dispatch:intake-termination"


@dataclass(frozen=True)
class EndCarePlan:
    care_plan_id: UUID
    reason: str
    principal: Principal


async def end_care_plan(cmd: EndCarePlan, uow: UnitOfWork) -> tuple[CarePlan, list[UUID]]:
    """The provider (its admin) or the district (a district officer or the city covering it) ends a
    plan: its visits not yet started from now on are cancelled, each with VisitCancelled kind
    ``cancelled`` and reason ``plan ended``; CarePlanEnded says who ended it (``cause``)."""
    plans = CarePlanRepository(uow.session)
    plan = await plans.get(cmd.care_plan_id, for_update=True)
    ensure(
        plan is not None
        and (
            provider_admin_of(cmd.principal, plan.provider_id)
            or government_covers(cmd.principal, plan.community_code)
        ),
        "care plan",
    )
    assert plan is not None
    if provider_admin_of(cmd.principal, plan.provider_id):
        cause: EndCause = "provider"
    elif cmd.principal.has_role(Role.district_officer, Role.city_admin):
        cause = "district"
    else:
        raise Forbidden("a plan is ended by its provider or by the district")
    now = utcnow()
    cancelled = await _end(plan, cause=cause, reason=cmd.reason, now=now, by=cmd.principal.subject, uow=uow)
    return plan, cancelled


async def end_due_plans(uow: UnitOfWork, *, now: datetime, limit: int = 100) -> list[CarePlan]:
    """The worker's sweep: plans whose agreement ran out, then plans whose beneficiary's
    termination has taken effect (each plan row locked SKIP LOCKED: two workers never end one
    plan twice)."""
    ended = await end_expired_plans(uow, now=now, limit=limit)
    return ended + await end_terminated_plans(uow, now=now, limit=limit)


async def end_expired_plans(uow: UnitOfWork, *, now: datetime, limit: int = 100) -> list[CarePlan]:
    """A plan whose agreement's last day has passed ends (第十四条: the agreement fixes the
    duration), and its visits still ahead are cancelled."""
    plans = CarePlanRepository(uow.session)
    ended = []
    for plan in await plans.list_expired(local_date(now), limit):
        reason = f"the agreement ended on {plan.agreement.ends_on.isoformat()}"
        await _end(plan, cause="agreement_expired", reason=reason, now=now, by=SWEEP, uow=uow)
        ended.append(plan)
    return ended


async def end_terminated_plans(uow: UnitOfWork, *, now: datetime, limit: int = 100) -> list[CarePlan]:
    """Plans of beneficiaries whose termination, decided ahead of its day, took effect by today's
    local date: nothing more is purchased for them."""
    plans = CarePlanRepository(uow.session)
    ended = []
    for plan, why, on in await plans.list_terminated_due(local_date(now), limit):
        reason = termination_reason(why, on)
        await _end(plan, cause="beneficiary_terminated", reason=reason, now=now, by=SWEEP, uow=uow)
        ended.append(plan)
    return ended


async def end_plans_of_terminated(
    beneficiary: Beneficiary, *, cancelled: Iterable[Visit], now: datetime, uow: UnitOfWork
) -> list[CarePlan]:
    """Intake's termination effective today or earlier ends the beneficiary's active plans at once
    (a suspension only pauses visits). ``cancelled``: the visits the termination itself cancelled
    in this transaction, counted in each plan's ``cancelled_visits``."""
    plans = CarePlanRepository(uow.session)
    by_plan: dict[UUID, int] = {}
    for visit in cancelled:
        by_plan[visit.care_plan_id] = by_plan.get(visit.care_plan_id, 0) + 1
    reason = termination_reason(beneficiary.status_reason, beneficiary.termination_effective_on)
    ended = []
    for plan in await plans.list_active_of_beneficiary(beneficiary.id, for_update=True):
        await _end(
            plan,
            cause="beneficiary_terminated",
            reason=reason,
            now=now,
            by=TERMINATION,
            uow=uow,
            already_cancelled=by_plan.get(plan.id, 0),
        )
        ended.append(plan)
    return ended


def termination_reason(reason: str | None, effective_on: date | None) -> str:
    day = f" from {effective_on.isoformat()}" if effective_on else ""
    return f"beneficiary terminated{day}: {reason or 'no reason given'}"[:500]


async def _end(
    plan: CarePlan,
    *,
    cause: EndCause,
    reason: str,
    now: datetime,
    by: str,
    uow: UnitOfWork,
    already_cancelled: int = 0,
) -> list[UUID]:
    plan.end(reason=reason, now=now, by=by)
    await CarePlanRepository(uow.session).save(plan)
    cancelled = await _cancel_future_visits(plan, now, uow)
    uow.publish(
        CarePlanEnded(
            care_plan_id=plan.id,
            version=plan.version,
            beneficiary_id=plan.beneficiary_id,
            provider_id=plan.provider_id,
            district_code=plan.district_code,
            cause=cause,
            reason=reason[:500],
            ended_at=now,
            cancelled_visits=already_cancelled + len(cancelled),
        )
    )
    return cancelled


async def _cancel_future_visits(plan: CarePlan, now: datetime, uow: UnitOfWork) -> list[UUID]:
    """Visits of the plan not yet started whose slot has not begun: cancelled. One whose slot has
    begun without a check-in is left to the missed-visit sweep (it may still be synced from an
    offline phone)."""
    visits = VisitRepository(uow.session)
    cancelled = []
    for visit in await visits.list_not_started_of_plan(plan.id):
        if visit.scheduled_start_at < now:
            continue
        if visit.cancel(reason=PLAN_ENDED, now=now):
            await visits.save(visit)
            uow.publish(cancelled_event(visit, "cancelled", was_completed=False))
            cancelled.append(visit.id)
    return cancelled
