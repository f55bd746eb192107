"""Command handlers for visits: schedule, check in, check out. They never commit.

Every instant recorded here is the server's clock (``utcnow``): a phone's clock can be set to
anything, and the visit record is what the bureau pays against (第十七条, 第十八条（四）).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import VisitCheckedIn, VisitCompleted, VisitScheduled
from eldercare.common.errors import InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.access import ensure, is_the_caregiver, provider_admin_of
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.errors import BeneficiaryNotActive, CaregiverBusy
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.visits import VerificationRules, Visit, check_location


@dataclass(frozen=True)
class ScheduleVisit:
    care_plan_id: UUID
    caregiver_id: UUID | None
    service_code: str
    scheduled_start_at: datetime
    scheduled_end_at: datetime
    principal: Principal
    window_start_at: datetime | None = None
    window_end_at: datetime | None = None


@dataclass(frozen=True)
class CheckIn:
    visit_id: UUID
    location: Point
    accuracy_m: float
    geofence_m: float
    principal: Principal


@dataclass(frozen=True)
class CheckOut:
    visit_id: UUID
    location: Point
    accuracy_m: float | None
    notes: str
    items_done: list[str]
    rules: VerificationRules
    principal: Principal


async def schedule_visit(cmd: ScheduleVisit, uow: UnitOfWork) -> Visit:
    """派单: book one of the provider's caregivers for an item of an active care plan."""
    plan = await CarePlanRepository(uow.session).get(cmd.care_plan_id)
    ensure(plan is not None and provider_admin_of(cmd.principal, plan.provider_id), "care plan")
    assert plan is not None
    provider = await ProviderRepository(uow.session).get(plan.provider_id)
    if provider is None:
        raise NotFound("provider not found")
    # changsha-2024-purchased-door-to-door-rules.md 第十八条: a sanctioned provider gets no new visit.
    provider.ensure_may_take_new_work()
    if cmd.caregiver_id is None:
        return await _request_visit(cmd, plan, uow)
    if cmd.window_start_at is not None or cmd.window_end_at is not None:
        raise InvalidInput(
            "a window is for a visit left to the planner (no caregiver_id)", field="window_start_at"
        )
    # Locked: bookings of one caregiver run one at a time, so the overlap check below holds.
    caregiver = await CaregiverRepository(uow.session).get(cmd.caregiver_id, for_update=True)
    if caregiver is None or caregiver.provider_id != plan.provider_id:
        raise NotFound("caregiver not found", field="caregiver_id")
    beneficiary = await BeneficiaryRepository(uow.session).get(plan.beneficiary_id)
    if beneficiary is None or not beneficiary.is_active:
        status = beneficiary.status.value if beneficiary else "unknown"
        raise BeneficiaryNotActive(f"the beneficiary is {status}", field="care_plan_id")
    visit = Visit.schedule(
        plan=plan,
        caregiver=caregiver,
        service_code=cmd.service_code,
        start=cmd.scheduled_start_at,
        end=cmd.scheduled_end_at,
        start_day=local_date(cmd.scheduled_start_at),
        by=cmd.principal.subject,
    )
    visits = VisitRepository(uow.session)
    clashes = await visits.list_occupying(caregiver.id, visit.scheduled_start_at, visit.scheduled_end_at)
    if clashes:
        raise CaregiverBusy(
            f"the caregiver has an overlapping visit ({clashes[0].id})", field="scheduled_start_at"
        )
    await visits.add(visit)
    uow.publish(scheduled_event(visit))
    return visit


async def _request_visit(cmd: ScheduleVisit, plan: CarePlan, uow: UnitOfWork) -> Visit:
    """A visit for the day planner: no caregiver, so no VisitScheduled yet (it is published when the
    planner books a caregiver, as the contract says: a visit booked for a caregiver)."""
    beneficiary = await BeneficiaryRepository(uow.session).get(plan.beneficiary_id)
    if beneficiary is None or not beneficiary.is_active:
        status = beneficiary.status.value if beneficiary else "unknown"
        raise BeneficiaryNotActive(f"the beneficiary is {status}", field="care_plan_id")
    if (cmd.window_start_at is None) != (cmd.window_end_at is None):
        raise InvalidInput("give both window_start_at and window_end_at, or neither", field="window_end_at")
    window = (cmd.window_start_at, cmd.window_end_at) if cmd.window_start_at and cmd.window_end_at else None
    visit = Visit.request(
        plan=plan,
        service_code=cmd.service_code,
        start=cmd.scheduled_start_at,
        end=cmd.scheduled_end_at,
        start_day=local_date(cmd.scheduled_start_at),
        window=window,
        by=cmd.principal.subject,
    )
    await VisitRepository(uow.session).add(visit)
    return visit


def scheduled_event(visit: Visit) -> VisitScheduled:
    """VisitScheduled: published once the visit has a caregiver (by hand or by the planner)."""
    assert visit.caregiver_id is not None
    return VisitScheduled(
        visit_id=visit.id,
        care_plan_id=visit.care_plan_id,
        beneficiary_id=visit.beneficiary_id,
        provider_id=visit.provider_id,
        caregiver_id=visit.caregiver_id,
        district_code=visit.district_code,
        service_code=visit.service_code,
        scheduled_start_at=visit.scheduled_start_at,
        scheduled_end_at=visit.scheduled_end_at,
    )


async def _own_visit(visits: VisitRepository, visit_id: UUID, principal: Principal) -> Visit:
    visit = await visits.get(visit_id, for_update=True)
    ensure(
        visit is not None
        and visit.caregiver_id is not None
        and is_the_caregiver(principal, visit.provider_id, visit.caregiver_id),
        "visit",
    )
    assert visit is not None and visit.caregiver_id is not None
    return visit


async def check_in(cmd: CheckIn, uow: UnitOfWork) -> Visit:
    """签到: the assigned caregiver arrives; the phone's location is compared with the home point."""
    visits = VisitRepository(uow.session)
    visit = await _own_visit(visits, cmd.visit_id, cmd.principal)
    beneficiary = await BeneficiaryRepository(uow.session).get(visit.beneficiary_id)
    home = beneficiary.home_point if beneficiary else None
    now = utcnow()
    visit.start(location=check_location(cmd.location, cmd.accuracy_m, home, cmd.geofence_m), now=now)
    other = await visits.get_in_progress(visit.caregiver_id)
    if other is not None:
        raise CaregiverBusy(f"check out of visit {other.id} first: a caregiver is in one home at a time")
    await visits.save(visit)
    assert visit.check_in is not None
    uow.publish(
        VisitCheckedIn(
            visit_id=visit.id,
            beneficiary_id=visit.beneficiary_id,
            provider_id=visit.provider_id,
            caregiver_id=visit.caregiver_id,
            district_code=visit.district_code,
            checked_in_at=now,
            distance_m=visit.check_in.distance_m,
            location_ok=visit.check_in.ok,
        )
    )
    return visit


async def check_out(cmd: CheckOut, uow: UnitOfWork) -> Visit:
    """签退: the caregiver leaves and uploads the service record (第十七条); the visit is verified
    when the phone was at the home at both ends and the visit lasted long enough."""
    visits = VisitRepository(uow.session)
    visit = await _own_visit(visits, cmd.visit_id, cmd.principal)
    plan = await CarePlanRepository(uow.session).get(visit.care_plan_id)
    beneficiary = await BeneficiaryRepository(uow.session).get(visit.beneficiary_id)
    assert plan is not None
    home = beneficiary.home_point if beneficiary else None
    visit.finish(
        location=check_location(cmd.location, cmd.accuracy_m, home, cmd.rules.geofence_m),
        notes=cmd.notes,
        items_done=cmd.items_done,
        plan=plan,
        rules=cmd.rules,
        now=utcnow(),
    )
    await visits.save(visit)
    uow.publish(_completed(visit))
    return visit


def _completed(visit: Visit) -> VisitCompleted:
    assert visit.checked_in_at and visit.checked_out_at and visit.duration_minutes is not None
    return VisitCompleted(
        visit_id=visit.id,
        care_plan_id=visit.care_plan_id,
        beneficiary_id=visit.beneficiary_id,
        provider_id=visit.provider_id,
        caregiver_id=visit.caregiver_id,
        district_code=visit.district_code,
        service_code=visit.service_code,
        checked_in_at=visit.checked_in_at,
        checked_out_at=visit.checked_out_at,
        duration_minutes=visit.duration_minutes,
        verified=bool(visit.verified),
        verification_notes=list(visit.verification_notes),
    )
