"""The district-day planner (排班): give the provider's unassigned visits of a day to its caregivers,
and re-plan a day under way when caregivers drop out or visits are added.

The optimisation is ``routing.district.plan_day`` / ``routing.replan.replan_day`` (PyVRP); these
handlers gather their input, run it off the event loop and book what it returns through
``Visit.assign``, which re-checks every rule of a booking, and with a last overlap check against the
caregiver's visits already in the database. Visits they cannot place stay unassigned, each with a
reason. They never commit.

Continuity of care: each visit carries the caregivers who completed visits of the same beneficiary
in the last ``continuity_history_days``, the one with most visits (then the most recent) first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import Principal
from eldercare.common.clock import DISPLAY_ZONE, local_date, utcnow
from eldercare.common.contracts import VisitUnassigned
from eldercare.common.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.models import VisitRow
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository, to_domain
from eldercare.dispatch.application.visits import scheduled_event
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.errors import RuleViolations
from eldercare.dispatch.domain.geo import Point, TravelMode
from eldercare.dispatch.domain.providers import Caregiver, Provider
from eldercare.dispatch.domain.visits import Visit, VisitStatus, overlaps
from eldercare.dispatch.routing.district import Job, Weights, Worker, plan_day
from eldercare.dispatch.routing.replan import Booked, replan_day
from eldercare.dispatch.routing.road import MatrixUnavailable
from eldercare.dispatch.routing.travel import HaversineTravel, TravelTimes

DAY = 24 * 3600


class RoadMatrixUnavailable(DomainError):
    """The road-network service set by DISPATCH_ROAD_MATRIX_URL did not answer: retry later."""

    status = 503
    code = "road-matrix-unavailable"
    title = "The road-network travel-time service is unavailable"


@dataclass(frozen=True)
class PlanDistrictDay:
    day: date
    district_code: str
    seconds: float
    speeds: Mapping[TravelMode, float]
    principal: Principal
    weights: Weights = field(default_factory=Weights)
    history_days: int = 90
    # None: straight-line at ``speeds``.
    travel: TravelTimes | None = None


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


def _job(
    visit: Visit,
    point: Point,
    day_start: datetime,
    continuity: tuple[tuple[Hashable, float], ...],
    plan: CarePlan | None,
) -> Job:
    lo, hi = visit.window
    sex = plan.required_sex(visit.service_code) if plan else None
    return Job(
        id=visit.id,
        point=point,
        window_start=max(0, _seconds_into(day_start, lo)),
        window_end=min(DAY, _seconds_into(day_start, hi)),
        duration=_seconds_into(visit.scheduled_start_at, visit.scheduled_end_at),
        # changsha-2024-purchased-door-to-door-rules.md 第九条（八）
        needs_certified=CATALOG[visit.service_code].requires_certified,
        # Issue #5: the plan's preferred caregiver sex for intimate care (INTIMATE_CODES), hard.
        required_sex=sex.value if sex else None,
        continuity=continuity,
    )


def _worker(cg: Caregiver, max_visits: int) -> Worker:
    assert cg.workday is not None
    return Worker(
        id=cg.id,
        home=cg.workday.home,
        shift_start=cg.workday.shift_start.hour * 3600 + cg.workday.shift_start.minute * 60,
        shift_end=cg.workday.shift_end.hour * 3600 + cg.workday.shift_end.minute * 60,
        max_visits=max_visits,
        certified=cg.is_certified,
        mode=cg.workday.travel_mode,
        sex=cg.sex.value if cg.sex else None,
    )


def _may_work(cg: Caregiver, day: date) -> bool:
    # 第九条（四）: only with a health certificate valid on the day; never on a day off.
    if cg.workday is None or not cg.fit_for_duty_on(day) or not cg.workday.works_on(day):
        return False
    # wuhai-2017-home-care-measures.md 第三十一条: a decertified caregiver is never assigned.
    return not cg.is_decertified


async def _continuity(
    session: AsyncSession, beneficiary_ids: set[UUID], before: datetime, days: int
) -> dict[UUID, tuple[tuple[Hashable, float], ...]]:
    """Per beneficiary, the caregivers who completed their visits in the ``days`` before ``before``:
    affinity 1 for the one with most visits (then the most recent), the others by their count."""
    if not beneficiary_ids:
        return {}
    query = (
        select(
            VisitRow.beneficiary_id,
            VisitRow.caregiver_id,
            func.count(),
            func.max(VisitRow.checked_out_at),
        )
        .where(
            VisitRow.beneficiary_id.in_(beneficiary_ids),
            VisitRow.status == VisitStatus.completed.value,
            VisitRow.caregiver_id.is_not(None),
            VisitRow.checked_out_at >= before - timedelta(days=days),
            VisitRow.checked_out_at < before,
        )
        .group_by(VisitRow.beneficiary_id, VisitRow.caregiver_id)
    )
    served: dict[UUID, list[tuple[int, datetime, UUID]]] = {}
    for beneficiary_id, caregiver_id, count, last in (await session.execute(query)).all():
        served.setdefault(beneficiary_id, []).append((int(count), last, caregiver_id))
    out: dict[UUID, tuple[tuple[Hashable, float], ...]] = {}
    for beneficiary_id, rows in served.items():
        rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
        top = rows[0][0]
        out[beneficiary_id] = tuple(
            (cid, 1.0 if n == 0 else round(0.9 * count / top, 3)) for n, (count, _, cid) in enumerate(rows)
        )
    return out


async def _provider_for(principal: Principal, district_code: str, uow: UnitOfWork) -> Provider:
    provider_id = principal.provider_id
    if provider_id is None:
        raise Forbidden("the token names no provider")
    provider = await ProviderRepository(uow.session).get(provider_id)
    if provider is None:
        raise NotFound("provider not found")
    if not provider.serves_district(district_code):
        raise InvalidInput(f"the provider does not serve district {district_code}", field="district_code")
    return provider


async def plan_district_day(cmd: PlanDistrictDay, uow: UnitOfWork) -> DaySchedule:
    provider = await _provider_for(cmd.principal, cmd.district_code, uow)
    provider_id = provider.id
    out = DaySchedule(day=cmd.day, district_code=cmd.district_code, provider_id=provider_id)
    start = _local_midnight(cmd.day)
    end = start + timedelta(days=1)
    visits_repo = VisitRepository(uow.session)
    visits = await visits_repo.list_unassigned(provider_id, cmd.district_code, start, end)
    # changsha-2024-purchased-door-to-door-rules.md 第七条: a provider failing a basic condition today
    # or on the day planned gets no new bookings (（六） when a visit is a meal item). A sanctioned
    # provider's waiting visits are still placed (第十八条 stops new plans and visits, see README),
    # and a re-plan (PATCH) of work already planned is left alone.
    for day in dict.fromkeys((local_date(utcnow()), cmd.day)):
        provider.ensure_conditions_hold(day, {v.service_code for v in visits})

    plans: dict[UUID, CarePlan | None] = {}
    beneficiaries = await BeneficiaryRepository(uow.session).get_many({v.beneficiary_id for v in visits})
    history = await _continuity(uow.session, set(beneficiaries), start, cmd.history_days)
    jobs: list[Job] = []
    by_id: dict[UUID, Visit] = {}
    for visit in visits:
        if visit.care_plan_id not in plans:
            plans[visit.care_plan_id] = await CarePlanRepository(uow.session).get(visit.care_plan_id)
        beneficiary = beneficiaries.get(visit.beneficiary_id)
        if beneficiary is None or not beneficiary.may_be_visited_on(cmd.day):
            out.unassigned.append(Unplaced(visit.id, "the beneficiary is not active"))
            continue
        if beneficiary.home_point is None:
            out.unassigned.append(Unplaced(visit.id, "the beneficiary's home point is unknown"))
            continue
        by_id[visit.id] = visit
        job = _job(
            visit,
            beneficiary.home_point,
            start,
            history.get(visit.beneficiary_id, ()),
            plans[visit.care_plan_id],
        )
        jobs.append(job)

    caregivers: dict[UUID, Caregiver] = {}
    # What each caregiver already holds that day (planned, or actual once done): the rows are locked
    # above, so this list stays true while the planner runs and books.
    busy: dict[UUID, list[tuple[datetime, datetime]]] = {}
    workers: list[Worker] = []
    for cg in await CaregiverRepository(uow.session).list_schedulable(provider_id):
        if not _may_work(cg, cmd.day):
            continue
        assert cg.workday is not None
        booked = await visits_repo.list_occupying(cg.id, start, end)
        busy[cg.id] = [v.occupied for v in booked]
        room = cg.workday.max_visits_per_day - len(booked)
        if room <= 0:
            continue
        caregivers[cg.id] = cg
        workers.append(_worker(cg, room))
    out.caregivers_available = len(workers)
    if not jobs:
        return out

    travel = cmd.travel or HaversineTravel(cmd.speeds)
    try:
        plan = await asyncio.to_thread(plan_day, workers, jobs, travel, cmd.seconds, 1, cmd.weights)
    except MatrixUnavailable as e:
        raise RoadMatrixUnavailable(str(e)) from e
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


@dataclass(frozen=True)
class ReplanDistrictDay:
    day: date
    district_code: str
    unavailable: tuple[UUID, ...]
    seconds: float
    speeds: Mapping[TravelMode, float]
    principal: Principal
    weights: Weights = field(default_factory=lambda: Weights(keep_seconds=1800))
    freeze_minutes: int = 30
    history_days: int = 90
    now: datetime | None = None
    travel: TravelTimes | None = None


@dataclass
class DayReplan:
    day: date
    district_code: str
    provider_id: UUID
    unavailable: tuple[UUID, ...]
    # Visits given a new caregiver or a new time, per caregiver (their whole route after the change).
    routes: dict[UUID, list[Visit]] = field(default_factory=dict)
    moved: list[UUID] = field(default_factory=list)
    retimed: list[UUID] = field(default_factory=list)
    kept: int = 0
    pinned: int = 0
    unassigned: list[Unplaced] = field(default_factory=list)
    helpers: int = 0
    solver_seconds: float = 0.0


REPLAN = "dispatch:replan"


def _unassigned_event(visit: Visit, caregiver_id: UUID, reason: str, at: datetime) -> VisitUnassigned:
    return VisitUnassigned(
        visit_id=visit.id,
        beneficiary_id=visit.beneficiary_id,
        provider_id=visit.provider_id,
        caregiver_id=caregiver_id,
        district_code=visit.district_code,
        reason=reason,
        unassigned_at=at,
    )


async def replan_district_day(cmd: ReplanDistrictDay, uow: UnitOfWork) -> DayReplan:
    """Caregivers in ``cmd.unavailable`` drop out (sick, decertified, ...) and visits added without
    a caregiver wait: re-plan only the routes near them (``routing.replan``).

    Started and completed visits stay with their caregiver and time; so do booked visits starting
    within ``freeze_minutes`` of now. Caregivers with visits that day in another district are left
    as they are (the planner sees one district). A moved visit publishes ``VisitUnassigned`` for
    its former caregiver then ``VisitScheduled``; a visit only given a new time publishes
    ``VisitScheduled`` again; a dropped-out caregiver's visit nobody can take publishes
    ``VisitUnassigned`` and waits for the planner.
    """
    provider_id = (await _provider_for(cmd.principal, cmd.district_code, uow)).id
    out = DayReplan(cmd.day, cmd.district_code, provider_id, cmd.unavailable)
    now_at = cmd.now or utcnow()
    start = _local_midnight(cmd.day)
    end = start + timedelta(days=1)
    now = min(DAY, max(0, _seconds_into(start, now_at)))
    session = uow.session
    visits_repo = VisitRepository(session)

    staff = {cg.id: cg for cg in await CaregiverRepository(session).list_schedulable(provider_id)}
    missing = [str(c) for c in cmd.unavailable if c not in staff]
    if missing:
        # Another provider's caregiver, or one the planner never plans: nothing to re-plan.
        raise InvalidInput(
            f"not a caregiver of the provider with a workday: {', '.join(missing)}",
            field="unavailable_caregiver_ids",
        )
    rows = await session.scalars(
        select(VisitRow)
        .where(
            VisitRow.provider_id == provider_id,
            VisitRow.scheduled_start_at >= start,
            VisitRow.scheduled_start_at < end,
            VisitRow.status.in_(
                [VisitStatus.scheduled.value, VisitStatus.in_progress.value, VisitStatus.completed.value]
            ),
        )
        .order_by(VisitRow.id)
        .with_for_update()
    )
    day_visits = [to_domain(r) for r in rows.all()]
    elsewhere = {v.caregiver_id for v in day_visits if v.district_code != cmd.district_code}
    visits = [v for v in day_visits if v.district_code == cmd.district_code]
    beneficiaries = await BeneficiaryRepository(session).get_many({v.beneficiary_id for v in visits})
    history = await _continuity(session, set(beneficiaries), start, cmd.history_days)

    # Out besides those named: decertified (wuhai-2017 第三十一条) or without a health certificate
    # valid on the day (changsha-2024 第九条（四）): their visits not yet started go to others.
    out_ids = set(cmd.unavailable) | {
        cid for cid, cg in staff.items() if cg.is_decertified or not cg.fit_for_duty_on(cmd.day)
    }
    workers: dict[UUID, Worker] = {}
    for cid, cg in staff.items():
        if cid in out_ids or (_may_work(cg, cmd.day) and cid not in elsewhere):
            assert cg.workday is not None
            workers[cid] = _worker(cg, cg.workday.max_visits_per_day)
    by_id: dict[UUID, Visit] = {}
    plans: dict[UUID, CarePlan | None] = {}
    booked: list[Booked] = []
    new_jobs: list[Job] = []
    for visit in visits:
        beneficiary = beneficiaries.get(visit.beneficiary_id)
        if visit.caregiver_id is not None and visit.caregiver_id not in workers:
            continue  # booked by hand with a caregiver the planner does not plan: left alone
        if beneficiary is None or beneficiary.home_point is None:
            if visit.caregiver_id is None:
                out.unassigned.append(Unplaced(visit.id, "the beneficiary's home point is unknown"))
            continue
        if visit.caregiver_id is None and not beneficiary.may_be_visited_on(cmd.day):
            out.unassigned.append(Unplaced(visit.id, "the beneficiary is not active"))
            continue
        by_id[visit.id] = visit
        if visit.care_plan_id not in plans:
            plans[visit.care_plan_id] = await CarePlanRepository(session).get(visit.care_plan_id)
        plan_of = plans[visit.care_plan_id]
        job = _job(visit, beneficiary.home_point, start, history.get(visit.beneficiary_id, ()), plan_of)
        if visit.caregiver_id is None:
            new_jobs.append(job)
            continue
        started = visit.status != VisitStatus.scheduled
        lo, hi = visit.occupied if started else (visit.scheduled_start_at, visit.scheduled_end_at)
        booked.append(
            Booked(job, visit.caregiver_id, _seconds_into(start, lo), _seconds_into(start, hi), started)
        )

    try:
        result = await asyncio.to_thread(
            replan_day,
            list(workers.values()),
            booked,
            new_jobs,
            set(out_ids),
            now,
            cmd.travel or HaversineTravel(cmd.speeds),
            cmd.seconds,
            weights=cmd.weights,
            freeze=cmd.freeze_minutes * 60,
        )
    except MatrixUnavailable as e:
        raise RoadMatrixUnavailable(str(e)) from e
    if result.violations:
        # The replay refused the plan: change nothing (never expected; the bench counts them).
        raise Conflict(f"the re-plan failed its feasibility replay: {result.violations[0]}")
    out.solver_seconds = round(result.seconds, 3)
    out.kept = len(result.kept)
    out.pinned = len(result.pinned)
    out.helpers = len(result.helpers)

    where: dict[UUID, tuple[UUID, int]] = {
        s.job_id: (wid, s.start) for wid, stops in result.routes.items() for s in stops
    }
    changed = [vid for vid in result.moved + result.retimed if vid in by_id]
    # Unassign first (a visit may take a slot another one leaves), then book in route order.
    for vid in changed + [vid for vid in result.unassigned if vid in by_id]:
        visit = by_id[vid]
        before = visit.caregiver_id
        if before is not None and visit.unassign(by=REPLAN):
            if before != where.get(vid, (None, 0))[0]:
                reason = "caregiver unavailable" if before in out_ids else "moved by the re-plan to make room"
                uow.publish(_unassigned_event(visit, before, reason, now_at))
            await visits_repo.save(visit)
    for vid in result.unassigned:
        if vid in by_id:
            out.unassigned.append(Unplaced(vid, "no available caregiver fits its window, item and shift"))
    for vid in sorted(changed, key=lambda v: where[v][1]):
        visit = by_id[vid]
        cid, at = where[vid]
        if visit.care_plan_id not in plans:
            plans[visit.care_plan_id] = await CarePlanRepository(session).get(visit.care_plan_id)
        plan_of = plans[visit.care_plan_id]
        try:
            if plan_of is None:
                raise LookupError("the care plan is gone")
            visit.assign(
                plan=plan_of,
                caregiver=staff[cid],
                start=start + timedelta(seconds=at),
                start_day=cmd.day,
                by=cmd.principal.subject,
            )
        except (RuleViolations, LookupError) as e:
            out.unassigned.append(Unplaced(vid, getattr(e, "detail", str(e))))
            await visits_repo.save(visit)
            continue
        await visits_repo.save(visit)
        uow.publish(scheduled_event(visit))
        (out.moved if vid in result.moved else out.retimed).append(vid)
        out.routes.setdefault(cid, []).append(visit)
    return out
