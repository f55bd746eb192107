"""The district-day planner (排班): give the provider's unassigned visits of a day to its caregivers.

The optimisation is ``routing.district.plan_day`` (PyVRP); this handler gathers its input, runs it
off the event loop and books what it returns through ``Visit.assign``, which re-checks every rule of
a booking, and with a last overlap check against the caregiver's visits already in the database.
Visits it cannot place stay unassigned, each with a reason. It never commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import DISPLAY_ZONE
from eldercare.common.errors import Forbidden, InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.visits import scheduled_event
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.errors import RuleViolations
from eldercare.dispatch.domain.geo import TravelMode
from eldercare.dispatch.domain.providers import Caregiver
from eldercare.dispatch.domain.visits import Visit, overlaps
from eldercare.dispatch.routing.district import Job, Worker, plan_day
from eldercare.dispatch.routing.travel import HaversineTravel

DAY = 24 * 3600


@dataclass(frozen=True)
class PlanDistrictDay:
    day: date
    district_code: str
    seconds: float
    speeds: Mapping[TravelMode, float]
    principal: Principal


@dataclass(frozen=True)
class Unplaced:
    visit_id: UUID
    reason: str


@dataclass
class DaySchedule:
    day: date
    district_code: str
    provider_id: UUID
    routes: dict[UUID, list[Visit]] = field(default_factory=dict)
    unassigned: list[Unplaced] = field(default_factory=list)
    caregivers_available: int = 0
    travel_seconds: int = 0
    solver_seconds: float = 0.0


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), DISPLAY_ZONE).astimezone(UTC)


def _seconds_into(day_start: datetime, at: datetime) -> int:
    return int((at - day_start).total_seconds())


async def plan_district_day(cmd: PlanDistrictDay, uow: UnitOfWork) -> DaySchedule:
    provider_id = cmd.principal.provider_id
    if provider_id is None:
        raise Forbidden("the token names no provider")
    provider = await ProviderRepository(uow.session).get(provider_id)
    if provider is None:
        raise NotFound("provider not found")
    if not provider.serves_district(cmd.district_code):
        raise InvalidInput(f"the provider does not serve district {cmd.district_code}", field="district_code")
    out = DaySchedule(day=cmd.day, district_code=cmd.district_code, provider_id=provider_id)
    start = _local_midnight(cmd.day)
    end = start + timedelta(days=1)
    visits_repo = VisitRepository(uow.session)
    visits = await visits_repo.list_unassigned(provider_id, cmd.district_code, start, end)

    plans: dict[UUID, CarePlan | None] = {}
    beneficiaries = await BeneficiaryRepository(uow.session).get_many({v.beneficiary_id for v in visits})
    jobs: list[Job] = []
    by_id: dict[UUID, Visit] = {}
    for visit in visits:
        if visit.care_plan_id not in plans:
            plans[visit.care_plan_id] = await CarePlanRepository(uow.session).get(visit.care_plan_id)
        beneficiary = beneficiaries.get(visit.beneficiary_id)
        if beneficiary is None or not beneficiary.is_active:
            out.unassigned.append(Unplaced(visit.id, "the beneficiary is not active"))
            continue
        if beneficiary.home_point is None:
            out.unassigned.append(Unplaced(visit.id, "the beneficiary's home point is unknown"))
            continue
        lo, hi = visit.window
        by_id[visit.id] = visit
        jobs.append(
            Job(
                id=visit.id,
                point=beneficiary.home_point,
                window_start=max(0, _seconds_into(start, lo)),
                window_end=min(DAY, _seconds_into(start, hi)),
                duration=_seconds_into(visit.scheduled_start_at, visit.scheduled_end_at),
                # changsha-2024-purchased-door-to-door-rules.md 第九条（八）
                needs_certified=CATALOG[visit.service_code].requires_certified,
            )
        )

    caregivers: dict[UUID, Caregiver] = {}
    # What each caregiver already holds that day (planned, or actual once done): the rows are locked
    # above, so this list stays true while the planner runs and books.
    busy: dict[UUID, list[tuple[datetime, datetime]]] = {}
    workers: list[Worker] = []
    for cg in await CaregiverRepository(uow.session).list_schedulable(provider_id):
        # 第九条（四）: only with a health certificate valid on the day; never on a day off.
        if cg.workday is None or not cg.fit_for_duty_on(cmd.day) or not cg.workday.works_on(cmd.day):
            continue
        if cg.is_decertified:
            # wuhai-2017-home-care-measures.md 第三十一条: a decertified caregiver is never assigned.
            continue
        booked = await visits_repo.list_occupying(cg.id, start, end)
        busy[cg.id] = [v.occupied for v in booked]
        room = cg.workday.max_visits_per_day - len(booked)
        if room <= 0:
            continue
        caregivers[cg.id] = cg
        workers.append(
            Worker(
                id=cg.id,
                home=cg.workday.home,
                shift_start=cg.workday.shift_start.hour * 3600 + cg.workday.shift_start.minute * 60,
                shift_end=cg.workday.shift_end.hour * 3600 + cg.workday.shift_end.minute * 60,
                max_visits=room,
                certified=cg.is_certified,
                mode=cg.workday.travel_mode,
            )
        )
    out.caregivers_available = len(workers)
    if not jobs:
        return out

    travel = HaversineTravel(cmd.speeds)
    plan = await asyncio.to_thread(plan_day, workers, jobs, travel, cmd.seconds)
    out.travel_seconds = plan.travel_seconds
    out.solver_seconds = round(plan.seconds, 3)
    for visit_id in plan.unassigned:
        out.unassigned.append(Unplaced(visit_id, "no available caregiver fits its window, item and shift"))

    for caregiver_id, stops in plan.routes.items():
        cg = caregivers[caregiver_id]
        for stop in stops:
            visit = by_id[stop.job_id]
            at = start + timedelta(seconds=stop.start)
            slot = (at, start + timedelta(seconds=stop.end))
            clashes = [b for b in busy[cg.id] if overlaps(b, slot)]
            plan_of = plans[visit.care_plan_id]
            if clashes or plan_of is None:
                out.unassigned.append(Unplaced(visit.id, "overlaps a visit the caregiver already has"))
                continue
            try:
                visit.assign(
                    plan=plan_of, caregiver=cg, start=at, start_day=cmd.day, by=cmd.principal.subject
                )
            except RuleViolations as e:
                out.unassigned.append(Unplaced(visit.id, e.detail))
                continue
            await visits_repo.save(visit)
            busy[cg.id].append(slot)
            uow.publish(scheduled_event(visit))
            out.routes.setdefault(cg.id, []).append(visit)
    return out
