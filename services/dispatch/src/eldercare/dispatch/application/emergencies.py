"""Emergency help calls (助急, 附件2 CS14-CS15): raise, acknowledge, arrive, resolve. They never commit.

Who may act: the responsible provider's admin (its 24-hour line, changsha-2024 第七条（三）) and its
caregivers; the city platform and government staff covering the beneficiary's community (they may
raise a call and follow it). Anyone else gets a 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role
from eldercare.common.clock import DISPLAY_ZONE, utcnow
from eldercare.common.contracts import (
    EmergencyAcknowledged,
    EmergencyArrived,
    EmergencyEscalated,
    EmergencyRaised,
    EmergencyResolved,
)
from eldercare.common.errors import Forbidden, InvalidInput
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.emergencies import EmergencyRepository
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application import notifications
from eldercare.dispatch.application.access import caregiver_of, ensure, provider_admin_of
from eldercare.dispatch.domain.care_plans import CarePlan
from eldercare.dispatch.domain.emergencies import Candidate, Emergency, nearest_first
from eldercare.dispatch.domain.geo import Point

# CS14 突发事件处置, CS15 紧急送医: a plan holding one of them names the provider that answers.
EMERGENCY_ITEMS = ("CS14", "CS15")


def responsible_plan(plans: list[CarePlan]) -> CarePlan | None:
    """The active plan whose provider answers: one with an emergency item, else the oldest."""
    with_help = [p for p in plans if any(p.covers(code) for code in EMERGENCY_ITEMS)]
    return (with_help or plans or [None])[0]


def _is_staff(principal: Principal, provider_id: UUID | None) -> bool:
    return provider_id is not None and (
        provider_admin_of(principal, provider_id) or caregiver_of(principal, provider_id)
    )


def _is_public(principal: Principal, community_code: str) -> bool:
    return principal.has_role(*GOVERNMENT_ROLES, Role.city_platform) and principal.covers_region(
        community_code
    )


def may_see(principal: Principal, emergency: Emergency) -> bool:
    return _is_staff(principal, emergency.provider_id) or _is_public(principal, emergency.community_code)


@dataclass(frozen=True)
class RaiseEmergency:
    beneficiary_id: UUID
    kind: str
    source: str
    principal: Principal


@dataclass(frozen=True)
class EmergencyStep:
    emergency_id: UUID
    principal: Principal


@dataclass(frozen=True)
class ResolveEmergency(EmergencyStep):
    outcome: str = "resolved_on_site"


StepHandler = Callable[[EmergencyStep, UnitOfWork], Awaitable[Emergency]]


async def raise_emergency(cmd: RaiseEmergency, uow: UnitOfWork) -> Emergency:
    beneficiary = await BeneficiaryRepository(uow.session).get(cmd.beneficiary_id)
    plans = await CarePlanRepository(uow.session).list_active_of_beneficiary(cmd.beneficiary_id)
    plan = responsible_plan(plans)
    provider_id = plan.provider_id if plan else None
    ensure(
        beneficiary is not None
        and (_is_staff(cmd.principal, provider_id) or _is_public(cmd.principal, beneficiary.community_code)),
        "beneficiary",
    )
    assert beneficiary is not None
    if cmd.principal.has_role(Role.caregiver) and cmd.source != "caregiver":
        raise InvalidInput("a caregiver raises an emergency as source 'caregiver'", field="source")
    emergency = Emergency(
        beneficiary_id=beneficiary.id,
        provider_id=provider_id,
        care_plan_id=plan.id if plan else None,
        district_code=beneficiary.district_code,
        community_code=beneficiary.community_code,
        kind=cmd.kind,
        source=cmd.source,
        raised_by=cmd.principal.subject,
        raised_at=utcnow(),
    )
    escalated = False
    if provider_id is not None:
        order = await responders(uow.session, provider_id, beneficiary.home_point)
        escalated = _ask_next(emergency, order, now=emergency.raised_at)
    await EmergencyRepository(uow.session).add(emergency)
    notifications.tell_asked(uow.session, emergency)
    uow.publish(
        EmergencyRaised(
            emergency_id=emergency.id,
            beneficiary_id=emergency.beneficiary_id,
            provider_id=emergency.provider_id,
            district_code=emergency.district_code,
            kind=emergency.kind,
            source=emergency.source,
            raised_at=emergency.raised_at,
        )
    )
    if escalated:
        # Nobody of the provider could be asked: the call is on the 24-hour line at once.
        _publish_escalation(uow, emergency, None, None, "no caregiver available", emergency.raised_at)
    return emergency


def _ask_next(emergency: Emergency, order: list[UUID], *, now: datetime) -> bool:
    """Ask the next caregiver; True when this passed the call to the 24-hour line just now."""
    on_line = emergency.escalated_to_line_at is not None
    emergency.escalate(order, now=now)
    return not on_line and emergency.escalated_to_line_at is not None


def _publish_escalation(
    uow: UnitOfWork, emergency: Emergency, src: UUID | None, dst: UUID | None, reason: str, at: datetime
) -> None:
    """Every step of the response is an event (issue #5); the line is changsha-2024 第七条（三）.
    The caregivers concerned are told on their phones (application/notifications.py)."""
    notifications.tell_passed_on(uow.session, emergency, src, dst)
    uow.publish(
        EmergencyEscalated(
            emergency_id=emergency.id,
            beneficiary_id=emergency.beneficiary_id,
            provider_id=emergency.provider_id,
            district_code=emergency.district_code,
            from_caregiver_id=src,
            to_caregiver_id=dst,
            to_hotline=dst is None,
            reason=reason,
            escalated_at=at,
        )
    )


async def _escalate(uow: UnitOfWork, emergency: Emergency, *, now: datetime, reason: str) -> bool:
    """Pass the call on and publish it; False when nothing changed (already on the line)."""
    beneficiary = await BeneficiaryRepository(uow.session).get(emergency.beneficiary_id)
    assert emergency.provider_id is not None
    order = await responders(
        uow.session, emergency.provider_id, beneficiary.home_point if beneficiary else None
    )
    asked_before = emergency.notified_caregiver_ids[-1] if emergency.notified_caregiver_ids else None
    to_line = _ask_next(emergency, order, now=now)
    asked = emergency.notified_caregiver_ids[-1] if emergency.notified_caregiver_ids else None
    if asked != asked_before:
        _publish_escalation(uow, emergency, asked_before, asked, reason, now)
        return True
    if to_line:
        _publish_escalation(uow, emergency, asked_before, None, reason, now)
        return True
    return False


async def responders(session: AsyncSession, provider_id: UUID, scene: Point | None) -> list[UUID]:
    """The provider's caregivers who could go now, nearest first: fit for duty today (第九条（四）),
    not decertified (wuhai-2017 第三十一条), on shift (when a workday is set), not in a visit; located
    at their latest check-in or check-out today, else at home."""
    now = utcnow().astimezone(DISPLAY_ZONE)
    today = now.date()
    since = datetime.combine(today, time(0), DISPLAY_ZONE)
    caregivers = await CaregiverRepository(session).list_of_provider(provider_id)
    visits = VisitRepository(session)
    points = await visits.latest_points(provider_id, since)
    busy = await visits.busy_caregivers(provider_id)
    candidates = []
    for c in caregivers:
        w = c.workday
        on_shift = w is None or (w.works_on(today) and w.shift_start <= now.time() <= w.shift_end)
        available = c.fit_for_duty_on(today) and not c.is_decertified and on_shift and c.id not in busy
        candidates.append(Candidate(c.id, points.get(c.id) or (w.home if w else None), available))
    return nearest_first(candidates, scene)


async def escalate(cmd: EmergencyStep, uow: UnitOfWork) -> Emergency:
    """The asked caregiver cannot go (or did not answer): ask the next nearest, else the line."""
    repo, emergency = await _staff_emergency(uow, cmd)
    await _escalate(uow, emergency, now=utcnow(), reason="the asked caregiver cannot go")
    await repo.save(emergency)
    return emergency


async def escalate_unacknowledged(uow: UnitOfWork, *, after: timedelta, limit: int = 100) -> list[Emergency]:
    """The worker's sweep: calls nobody acknowledged within ``after`` of the last request go to the
    next caregiver, then to the provider's 24-hour line."""
    repo = EmergencyRepository(uow.session)
    now = utcnow()
    escalated = []
    minutes = int(after.total_seconds() // 60)
    for emergency in await repo.list_unacknowledged(now - after, limit):
        await _escalate(uow, emergency, now=now, reason=f"not acknowledged within {minutes} minutes")
        await repo.save(emergency)
        escalated.append(emergency)
    return escalated


async def _staff_emergency(uow: UnitOfWork, cmd: EmergencyStep) -> tuple[EmergencyRepository, Emergency]:
    """Steps of the response are the responsible provider's (its admin or caregivers)."""
    repo = EmergencyRepository(uow.session)
    emergency = await repo.get(cmd.emergency_id, for_update=True)
    ensure(emergency is not None and may_see(cmd.principal, emergency), "emergency")
    assert emergency is not None
    if not _is_staff(cmd.principal, emergency.provider_id):
        raise Forbidden("only the responsible provider's staff respond to an emergency")
    return repo, emergency


async def acknowledge(cmd: EmergencyStep, uow: UnitOfWork) -> Emergency:
    """接警; publishes EmergencyAcknowledged once (a repeat changes nothing). ``caregiver_id`` is
    the caregiver who took it, none when the provider's office (its 24-hour line) did."""
    repo, emergency = await _staff_emergency(uow, cmd)
    if emergency.acknowledge(by=cmd.principal.subject, now=utcnow()):
        _publish_acknowledged(uow, emergency, _caregiver_id(cmd.principal))
    await repo.save(emergency)
    return emergency


async def arrive(cmd: EmergencyStep, uow: UnitOfWork) -> Emergency:
    """到场; publishes EmergencyArrived once with the seconds from the call (and
    EmergencyAcknowledged first when nobody had acknowledged: arriving takes the call)."""
    repo, emergency = await _staff_emergency(uow, cmd)
    caregiver_id = _caregiver_id(cmd.principal)
    acked, arrived = emergency.arrive(by=cmd.principal.subject, caregiver_id=caregiver_id, now=utcnow())
    if acked:
        _publish_acknowledged(uow, emergency, caregiver_id)
    if arrived:
        assert emergency.responded_at is not None
        uow.publish(
            EmergencyArrived(
                emergency_id=emergency.id,
                beneficiary_id=emergency.beneficiary_id,
                provider_id=emergency.provider_id,
                district_code=emergency.district_code,
                caregiver_id=caregiver_id,
                response_seconds=max(0, emergency.seconds_to(emergency.responded_at) or 0),
                arrived_at=emergency.responded_at,
            )
        )
    await repo.save(emergency)
    return emergency


def _caregiver_id(principal: Principal) -> UUID | None:
    return principal.caregiver_id if principal.has_role(Role.caregiver) else None


def _publish_acknowledged(uow: UnitOfWork, emergency: Emergency, caregiver_id: UUID | None) -> None:
    assert emergency.acknowledged_at is not None
    notifications.tell_taken(uow.session, emergency, caregiver_id)
    uow.publish(
        EmergencyAcknowledged(
            emergency_id=emergency.id,
            beneficiary_id=emergency.beneficiary_id,
            provider_id=emergency.provider_id,
            district_code=emergency.district_code,
            caregiver_id=caregiver_id,
            acknowledged_at=emergency.acknowledged_at,
        )
    )


async def resolve(cmd: ResolveEmergency, uow: UnitOfWork) -> Emergency:
    """Closing the call publishes EmergencyResolved; assessment reads a fall or a hospitalisation
    as a change of condition (GB/T 42195 A.1.3 即时评估)."""
    repo, emergency = await _staff_emergency(uow, cmd)
    emergency.resolve(by=cmd.principal.subject, outcome=cmd.outcome, now=utcnow())
    await repo.save(emergency)
    notifications.tell_resolved(uow.session, emergency, _caregiver_id(cmd.principal))
    assert emergency.resolved_at is not None
    uow.publish(
        EmergencyResolved(
            emergency_id=emergency.id,
            beneficiary_id=emergency.beneficiary_id,
            provider_id=emergency.provider_id,
            district_code=emergency.district_code,
            kind=emergency.kind,
            outcome=cmd.outcome,
            responded_at=emergency.responded_at,
            resolved_at=emergency.resolved_at,
        )
    )
    return emergency


async def get_emergency(session: AsyncSession, emergency_id: UUID, principal: Principal) -> Emergency:
    emergency = await EmergencyRepository(session).get(emergency_id)
    ensure(emergency is not None and may_see(principal, emergency), "emergency")
    assert emergency is not None
    return emergency


async def open_emergencies(
    session: AsyncSession, principal: Principal, *, after: UUID | None, limit: int
) -> list[Emergency]:
    """A provider's staff see their provider's open calls; government staff and the city platform
    those of their region."""
    repo = EmergencyRepository(session)
    if principal.has_role(Role.provider_admin, Role.caregiver) and principal.provider_id is not None:
        return await repo.list_open(provider_id=principal.provider_id, region=None, after=after, limit=limit)
    if principal.region:
        return await repo.list_open(provider_id=None, region=principal.region, after=after, limit=limit)
    return []
