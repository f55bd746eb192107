"""Command handlers for visits: schedule, check in, check out. They never commit.

Every instant recorded here is the server's clock (``utcnow``): a phone's clock can be set to
anything, and the visit record is what the bureau pays against (第十七条, 第十八条（四）).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import (
    VisitCancelled,
    VisitCheckedIn,
    VisitCompleted,
    VisitScheduled,
    VisitUnassigned,
)
from eldercare.common.errors import InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.adapters.repositories.visits import (
    CaregiverActionRepository,
    VisitRepository,
)
from eldercare.dispatch.application.access import ensure, is_the_caregiver, provider_admin_of
from eldercare.dispatch.application.queries import get_visit
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.errors import BeneficiaryNotActive, CaregiverBusy
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.offline import CaregiverAction, TimelineEntry, clock_skew, timeline
from eldercare.dispatch.domain.verification import (
    VerificationPolicy,
    evidence_flags,
    skew_flags,
    travel_flags,
)
from eldercare.dispatch.domain.visits import Photo, Visit, locate


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
class AppCall:
    """What every call of the caregiver app carries for offline tolerance: the id the phone
    generated for this call (a retry or a late sync with the same id changes nothing) and the
    phone's clock when the caregiver acted (recorded; the server's clock is the record)."""

    client_id: UUID | None = None
    device_at: datetime | None = None
    # The phone's clock when the call left it (domain/offline.py): a late sync is not a wrong clock.
    sent_at: datetime | None = None

    def clock_reading(self) -> datetime | None:
        """The phone's clock to compare with the server's at arrival (offline.clock_skew)."""
        return self.sent_at or self.device_at


@dataclass(frozen=True)
class CheckIn:
    visit_id: UUID
    location: Point
    accuracy_m: float
    policy: VerificationPolicy
    principal: Principal
    call: AppCall = field(default_factory=AppCall)
    photos: tuple[Photo, ...] = ()


@dataclass(frozen=True)
class CheckOut:
    visit_id: UUID
    location: Point
    accuracy_m: float | None
    notes: str
    items_done: list[str]
    policy: VerificationPolicy
    principal: Principal
    call: AppCall = field(default_factory=AppCall)
    photos: tuple[Photo, ...] = ()
    signature_sha256: str | None = None
    # Seals the vital signs to the visit (adapters/health_data.py); given only when some were sent.
    vital_signs: dict[str, object] | None = None
    extra_items: list[tuple[str, str]] = field(default_factory=list)
    seal: Callable[[UUID, dict[str, object]], str] | None = None


async def schedule_visit(cmd: ScheduleVisit, uow: UnitOfWork) -> Visit:
    """派单: book one of the provider's caregivers for an item of an active care plan."""
    plan = await CarePlanRepository(uow.session).get(cmd.care_plan_id)
    ensure(plan is not None and provider_admin_of(cmd.principal, plan.provider_id), "care plan")
    assert plan is not None
    provider = await ProviderRepository(uow.session).get(plan.provider_id)
    if provider is None:
        raise NotFound("provider not found")
    # changsha-2024-purchased-door-to-door-rules.md 第十八条 and 第七条: a sanctioned provider, or one
    # failing a basic condition today or on the visit's day, gets no new visit.
    for day in dict.fromkeys((local_date(utcnow()), local_date(cmd.scheduled_start_at))):
        provider.ensure_may_take_new_work(day, [cmd.service_code])
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
    if beneficiary is None:
        raise BeneficiaryNotActive("the beneficiary is unknown", field="care_plan_id")
    # Issue #5: a termination decided ahead of its day leaves visits before that day possible.
    beneficiary.ensure_may_be_visited_on(local_date(cmd.scheduled_start_at))
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
    if beneficiary is None:
        raise BeneficiaryNotActive("the beneficiary is unknown", field="care_plan_id")
    # Issue #5: a termination decided ahead of its day leaves visits before that day possible.
    beneficiary.ensure_may_be_visited_on(local_date(cmd.scheduled_start_at))
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


async def own_visit(visits: VisitRepository, visit_id: UUID, principal: Principal) -> Visit:
    """The caller's own visit, locked: another caregiver's (or an unassigned) visit is a 404."""
    visit = await visits.get(visit_id, for_update=True)
    ensure(
        visit is not None
        and visit.caregiver_id is not None
        and is_the_caregiver(principal, visit.provider_id, visit.caregiver_id),
        "visit",
    )
    assert visit is not None and visit.caregiver_id is not None
    return visit


async def replayed(uow: UnitOfWork, call: AppCall, visit: Visit, kind: str, principal: Principal) -> bool:
    """True when the phone already made this call (same client id): the caller gets the visit as
    it is now. Checked after the visit row is locked, so two racing deliveries of one call
    serialise and the second sees the first."""
    if call.client_id is None:
        return False
    done = await CaregiverActionRepository(uow.session).get(call.client_id)
    if done is None:
        return False
    if (done.visit_id, done.kind, done.caregiver_id) != (visit.id, kind, principal.caregiver_id):
        raise InvalidInput("this client_id was already used for another call", field="client_id")
    return True


async def record_call(
    uow: UnitOfWork, call: AppCall, visit_id: UUID, kind: str, principal: Principal, now: datetime
) -> None:
    if call.client_id is None:
        return
    assert principal.caregiver_id is not None
    skew = clock_skew(call.device_at, call.sent_at, now)
    await CaregiverActionRepository(uow.session).add(
        CaregiverAction(
            call.client_id, principal.caregiver_id, visit_id, kind, call.device_at, now, skew, call.sent_at
        )
    )


async def check_in(cmd: CheckIn, uow: UnitOfWork) -> Visit:
    """签到: the assigned caregiver arrives; the phone's location is compared with the home point
    under the item's rule, and its clock with the server's."""
    visits = VisitRepository(uow.session)
    visit = await own_visit(visits, cmd.visit_id, cmd.principal)
    if await replayed(uow, cmd.call, visit, "check_in", cmd.principal):
        return visit
    assert visit.caregiver_id is not None
    beneficiary = await BeneficiaryRepository(uow.session).get(visit.beneficiary_id)
    home = beneficiary.home_point if beneficiary else None
    now = utcnow()
    policy, rule = cmd.policy, cmd.policy.rule(visit.service_code)
    location, flags = locate(policy, rule, "check_in", cmd.location, cmd.accuracy_m, home)
    flags += skew_flags(policy, rule, "check_in", cmd.call.clock_reading(), now)
    flags += evidence_flags(policy, rule, "check_in", len(cmd.photos), signed=False)
    flags += travel_flags(policy, await visits.last_check_out(visit.caregiver_id, now), cmd.location, now)
    visit.start(location=location, now=now, flags=flags, device_at=cmd.call.device_at, photos=cmd.photos)
    other = await visits.get_in_progress(visit.caregiver_id)
    if other is not None:
        raise CaregiverBusy(f"check out of visit {other.id} first: a caregiver is in one home at a time")
    await visits.save(visit)
    await record_call(uow, cmd.call, visit.id, "check_in", cmd.principal, now)
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
    unless a flag configured to hold was raised (then it waits in the review queue)."""
    visits = VisitRepository(uow.session)
    visit = await own_visit(visits, cmd.visit_id, cmd.principal)
    if await replayed(uow, cmd.call, visit, "check_out", cmd.principal):
        return visit
    plan = await CarePlanRepository(uow.session).get(visit.care_plan_id)
    beneficiary = await BeneficiaryRepository(uow.session).get(visit.beneficiary_id)
    assert plan is not None
    home = beneficiary.home_point if beneficiary else None
    now = utcnow()
    policy, rule = cmd.policy, cmd.policy.rule(visit.service_code)
    location, flags = locate(
        policy, rule, "check_out", cmd.location, cmd.accuracy_m, home, at_home=rule.check_out_at_home
    )
    flags += skew_flags(policy, rule, "check_out", cmd.call.clock_reading(), now)
    flags += evidence_flags(
        policy, rule, "check_out", len(cmd.photos), signed=cmd.signature_sha256 is not None
    )
    visit.finish(
        location=location,
        notes=cmd.notes,
        items_done=cmd.items_done,
        plan=plan,
        policy=policy,
        now=now,
        flags=flags,
        device_at=cmd.call.device_at,
        photos=cmd.photos,
        signature_sha256=cmd.signature_sha256,
        extra_items=cmd.extra_items,
    )
    if cmd.vital_signs is not None:
        assert cmd.seal is not None
        visit.attach_vital_signs(cmd.seal(visit.id, cmd.vital_signs))
    await visits.save(visit)
    await record_call(uow, cmd.call, visit.id, "check_out", cmd.principal, now)
    uow.publish(completed_event(visit))
    return visit


def completed_event(visit: Visit) -> VisitCompleted:
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
        # The check-in and check-out photos' hashes only (no image, time or place): audit looks for
        # one photo submitted for several visits (Changsha 第十八条（四）).
        photo_sha256s=list(dict.fromkeys(p.sha256 for p in visit.photos)),
    )


def unassigned_event(visit: Visit, caregiver_id: UUID, reason: str, at: datetime) -> VisitUnassigned:
    """VisitUnassigned: a booked visit lost its caregiver and is back with the planner."""
    return VisitUnassigned(
        visit_id=visit.id,
        beneficiary_id=visit.beneficiary_id,
        provider_id=visit.provider_id,
        caregiver_id=caregiver_id,
        district_code=visit.district_code,
        reason=reason,
        unassigned_at=at,
    )


def cancelled_event(visit: Visit, kind: str, was_completed: bool) -> VisitCancelled:
    """VisitCancelled of a visit that just ended otherwise than completed (kind cancelled, missed or
    voided); ``was_completed`` tells billing a charge may exist."""
    assert visit.ended_at is not None and visit.end_reason is not None
    return VisitCancelled(
        visit_id=visit.id,
        beneficiary_id=visit.beneficiary_id,
        provider_id=visit.provider_id,
        caregiver_id=visit.caregiver_id,
        district_code=visit.district_code,
        kind=kind,
        reason=visit.end_reason,
        was_completed=was_completed,
        cancelled_at=visit.ended_at,
    )


@dataclass(frozen=True)
class RescheduleMissed:
    visit_id: UUID
    reason: str
    caregiver_id: UUID | None
    scheduled_start_at: datetime
    scheduled_end_at: datetime
    principal: Principal
    window_start_at: datetime | None = None
    window_end_at: datetime | None = None


async def reschedule_missed(cmd: RescheduleMissed, uow: UnitOfWork) -> Visit:
    """补服务: the provider gives the reason a visit was missed and books it again; the new visit
    goes through every rule of a booking (schedule_visit). Answers the new visit."""
    visits = VisitRepository(uow.session)
    missed = await visits.get(cmd.visit_id, for_update=True)
    ensure(missed is not None and provider_admin_of(cmd.principal, missed.provider_id), "visit")
    assert missed is not None
    # Checked before booking, so a refused rescheduling books nothing.
    missed.ensure_reschedulable()
    replacement = await schedule_visit(
        ScheduleVisit(
            care_plan_id=missed.care_plan_id,
            caregiver_id=cmd.caregiver_id,
            service_code=missed.service_code,
            scheduled_start_at=cmd.scheduled_start_at,
            scheduled_end_at=cmd.scheduled_end_at,
            principal=cmd.principal,
            window_start_at=cmd.window_start_at,
            window_end_at=cmd.window_end_at,
        ),
        uow,
    )
    missed.reschedule(reason=cmd.reason, replacement=replacement)
    await visits.save(missed)
    return replacement


async def app_calls(session: AsyncSession, visit_id: UUID, principal: Principal) -> list[TimelineEntry]:
    """The caregiver app's calls about a visit in the order the caregiver made them (device time
    corrected by the phone's clock error), each with its server arrival; whoever may read the visit."""
    await get_visit(session, visit_id, principal)
    return timeline(await CaregiverActionRepository(session).list_of_visit(visit_id))
