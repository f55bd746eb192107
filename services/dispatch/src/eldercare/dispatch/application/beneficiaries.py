"""Handlers that keep the beneficiary projection from intake's events. They tolerate redelivery,
replays and gaps: they record a state rather than raise, since a raise dead-letters the event."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eldercare.common.clock import local_date, utcnow
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.plan_fit import EntitlementRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.plan_ends import end_plans_of_terminated
from eldercare.dispatch.application.plan_fit import recheck_plans_of_beneficiary
from eldercare.dispatch.application.visit_generation import resume_generation
from eldercare.dispatch.application.visits import cancelled_event
from eldercare.dispatch.domain.beneficiaries import Beneficiary, BeneficiaryStatus
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.plan_fit import Entitlement
from eldercare.dispatch.domain.visits import Visit

log = logging.getLogger("eldercare.dispatch.beneficiaries")


@dataclass(frozen=True)
class RecordEnrolment:
    beneficiary_id: UUID
    district_code: str
    community_code: str
    home_point: Point | None
    service_categories: list[str]
    emergency_help_required: bool
    enrolled_at: datetime
    # The monthly entitlement from ``effective_on`` (issue #5: plans must fit it); None: not given.
    effective_on: date | None = None
    monthly_amount_fen: int | None = None
    monthly_minutes: int | None = None


@dataclass(frozen=True)
class RecordStatusChange:
    beneficiary_id: UUID
    status: BeneficiaryStatus
    reason: str
    changed_at: datetime
    # From this local day on the beneficiary's visits are cancelled (None: all not yet started).
    effective_on: date | None = None


async def record_enrolment(cmd: RecordEnrolment, uow: UnitOfWork) -> Beneficiary:
    """服务对象: add the beneficiary to the projection, or refresh it (upsert)."""
    enrolled = Beneficiary(
        id=cmd.beneficiary_id,
        district_code=cmd.district_code,
        community_code=cmd.community_code,
        home_point=cmd.home_point,
        service_categories=tuple(dict.fromkeys(cmd.service_categories)),
        emergency_help_required=cmd.emergency_help_required,
        status=BeneficiaryStatus.active,
        enrolled_at=cmd.enrolled_at,
        status_changed_at=cmd.enrolled_at,
    )
    if cmd.effective_on is not None:
        await EntitlementRepository(uow.session).record(
            cmd.beneficiary_id,
            Entitlement(cmd.effective_on, cmd.monthly_amount_fen, cmd.monthly_minutes),
            cmd.enrolled_at,
        )
    repo = BeneficiaryRepository(uow.session)
    existing = await repo.get(cmd.beneficiary_id, for_update=True)
    if existing is None:
        await repo.add(enrolled)
        return enrolled
    existing.re_enrol(enrolled)
    await repo.save(existing)
    if cmd.effective_on is not None:
        # Issue #5: a re-enrolment with a new entitlement re-checks the plans already in force.
        await recheck_plans_of_beneficiary(cmd.beneficiary_id, uow=uow)
    return existing


async def record_status_change(cmd: RecordStatusChange, uow: UnitOfWork) -> Beneficiary | None:
    """暂停 / 恢复 / 终止: apply a status change unless a later one is already applied."""
    repo = BeneficiaryRepository(uow.session)
    beneficiary = await repo.get(cmd.beneficiary_id, for_update=True)
    if beneficiary is None:
        # Events of one beneficiary share a partition, so the enrolment came first; if it is not
        # here it was dead-lettered, and replaying it from the DLQ will bring the beneficiary in.
        log.warning(
            "status change of a beneficiary dispatch does not know",
            extra={"beneficiary_id": str(cmd.beneficiary_id)},
        )
        return None
    if beneficiary.change_status(cmd.status, cmd.reason, cmd.changed_at, cmd.effective_on):
        await repo.save(beneficiary)
        now = utcnow()
        cancelled: list[Visit] = []
        if not beneficiary.is_active:
            cancelled = await _cancel_future_visits(beneficiary, cmd.effective_on, uow)
        else:
            # Issue #5: active again, the plans' generated visits ahead come back.
            await resume_generation(beneficiary, uow)
        # A termination effective today or earlier ends the plans now; one effective on a later
        # day leaves them (and the visits before that day) until the worker's sweep ends them on
        # the day (plan_ends.end_terminated_plans), unless a newer change reverses it first.
        if beneficiary.termination_due(local_date(now)):
            await end_plans_of_terminated(beneficiary, cancelled=cancelled, now=now, uow=uow)
    return beneficiary


async def _cancel_future_visits(
    beneficiary: Beneficiary, effective_on: date | None, uow: UnitOfWork
) -> list[Visit]:
    """A suspended or terminated beneficiary gets no more visits (issue #5: future visits cancelled,
    with reasons). Visits in progress or done stay: they happened. A redelivered status change
    finds nothing left to cancel, so it publishes nothing twice."""
    visits = VisitRepository(uow.session)
    now = utcnow()
    reason = f"beneficiary {beneficiary.status.value}: {beneficiary.status_reason or 'no reason given'}"
    cancelled = []
    for visit in await visits.list_not_started_of_beneficiary(beneficiary.id):
        if effective_on is not None and local_date(visit.scheduled_start_at) < effective_on:
            continue
        if visit.cancel(reason=reason, now=now):
            if beneficiary.status == BeneficiaryStatus.suspended:
                # Generated again if the suspension is lifted (application/visit_generation.py).
                visit.release_generation()
            await visits.save(visit)
            uow.publish(cancelled_event(visit, "cancelled", was_completed=False))
            cancelled.append(visit)
    return cancelled
