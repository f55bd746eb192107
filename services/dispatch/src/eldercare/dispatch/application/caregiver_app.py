"""The caregiver app (issue #5): the day's schedule, accepting or declining a booking, and setting
off. Check-in and check-out are in ``visits``. Every call may carry the phone's client id and
clock (``AppCall``): a retried or late-synced call changes nothing twice. They never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import Principal
from eldercare.common.clock import DISPLAY_ZONE, utcnow
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.access import ensure, is_the_caregiver, provider_admin_of
from eldercare.dispatch.application.visits import AppCall, own_visit, record_call, replayed, unassigned_event
from eldercare.dispatch.domain.beneficiaries import Beneficiary
from eldercare.dispatch.domain.visits import Visit

# Who unassigns a declined visit (the visit's scheduled_by).
BY_DECLINE = "dispatch:declined"


@dataclass(frozen=True)
class VisitCall:
    visit_id: UUID
    principal: Principal
    call: AppCall = field(default_factory=AppCall)


@dataclass(frozen=True)
class DeclineVisit(VisitCall):
    reason: str = ""


async def accept_visit(cmd: VisitCall, uow: UnitOfWork) -> Visit:
    visits = VisitRepository(uow.session)
    visit = await own_visit(visits, cmd.visit_id, cmd.principal)
    if await replayed(uow, cmd.call, visit, "acceptance", cmd.principal):
        return visit
    now = utcnow()
    visit.accept(now=now)
    await visits.save(visit)
    await record_call(uow, cmd.call, visit.id, "acceptance", cmd.principal, now)
    return visit


async def decline_visit(cmd: DeclineVisit, uow: UnitOfWork) -> Visit:
    """The caregiver gives the booking back with a reason: the visit returns to the planner and
    VisitUnassigned is published. The answer is the visit as it now is (no caregiver)."""
    visits = VisitRepository(uow.session)
    visit = await own_visit(visits, cmd.visit_id, cmd.principal)
    if await replayed(uow, cmd.call, visit, "decline", cmd.principal):
        return visit
    now = utcnow()
    caregiver_id = visit.decline(by=BY_DECLINE)
    await visits.save(visit)
    await record_call(uow, cmd.call, visit.id, "decline", cmd.principal, now)
    uow.publish(unassigned_event(visit, caregiver_id, f"declined by the caregiver: {cmd.reason}", now))
    return visit


async def start_trip(cmd: VisitCall, uow: UnitOfWork) -> Visit:
    """出发 ("on my way")."""
    visits = VisitRepository(uow.session)
    visit = await own_visit(visits, cmd.visit_id, cmd.principal)
    if await replayed(uow, cmd.call, visit, "trip", cmd.principal):
        return visit
    now = utcnow()
    visit.start_trip(now=now)
    await visits.save(visit)
    await record_call(uow, cmd.call, visit.id, "trip", cmd.principal, now)
    return visit


@dataclass(frozen=True)
class ScheduleEntry:
    visit: Visit
    beneficiary: Beneficiary | None
    plan_items: tuple[str, ...]


async def day_schedule(
    session: AsyncSession, caregiver_id: UUID, day: date, principal: Principal
) -> list[ScheduleEntry]:
    """The caregiver's visits of a local day, in time order, with what the caregiver needs at the
    door: the home point and community, and the plan's items. The caregiver themself, or their
    provider's admin; anyone else a 404."""
    caregiver = await CaregiverRepository(session).get(caregiver_id)
    ensure(
        caregiver is not None
        and (
            is_the_caregiver(principal, caregiver.provider_id, caregiver.id)
            or provider_admin_of(principal, caregiver.provider_id)
        ),
        "caregiver",
    )
    start = datetime.combine(day, time(0), DISPLAY_ZONE)
    visits = await VisitRepository(session).list_for_caregiver(caregiver_id, start, start + timedelta(days=1))
    beneficiaries = await BeneficiaryRepository(session).get_many({v.beneficiary_id for v in visits})
    plans = CarePlanRepository(session)
    items: dict[UUID, tuple[str, ...]] = {}
    for plan_id in {v.care_plan_id for v in visits}:
        plan = await plans.get(plan_id)
        items[plan_id] = tuple(plan.service_codes) if plan else ()
    return [ScheduleEntry(v, beneficiaries.get(v.beneficiary_id), items[v.care_plan_id]) for v in visits]
