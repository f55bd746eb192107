"""Handlers of audit's sanctions: a decertified caregiver (wuhai-2017-home-care-measures.md 第三十一条)
and a provider suspended from new work (changsha-2024-purchased-door-to-door-rules.md 第十八条).
They tolerate redelivery: a second delivery changes nothing. They never commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eldercare.common.clock import utcnow
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.visits import unassigned_event
from eldercare.dispatch.domain.providers import (
    MEASURES_ENDING_NEW_WORK,
    Caregiver,
    Decertification,
    Provider,
    Suspension,
)

log = logging.getLogger("eldercare.dispatch.sanctions")

# Who unassigns the visits of a decertified caregiver (the visit's scheduled_by).
BY_DECERTIFICATION = "dispatch:decertification"


@dataclass(frozen=True)
class RecordDecertification:
    caregiver_id: UUID
    basis: str
    decertified_at: datetime


@dataclass(frozen=True)
class RecordSanction:
    sanction_id: UUID
    provider_id: UUID
    measures: list[str]
    basis: list[str]
    imposed_at: datetime


async def record_decertification(cmd: RecordDecertification, uow: UnitOfWork) -> Caregiver | None:
    """取消上岗资格: the caregiver is never assigned again, and every visit booked for them and not
    yet started goes back to the planner (caregiver cleared, the slot kept as the window), so
    POST /v1/schedules can give it to another caregiver. Visits in progress or completed stay as
    they are: they happened, and billing pays against them."""
    caregiver = await CaregiverRepository(uow.session).get(cmd.caregiver_id, for_update=True)
    if caregiver is None:
        # Audit's caregiver ids come from complaints; one dispatch never registered has nothing to
        # stop here. Raising would only dead-letter the event.
        log.warning(
            "decertification of a caregiver dispatch does not know",
            extra={"caregiver_id": str(cmd.caregiver_id)},
        )
        return None
    if caregiver.decertify(Decertification(basis=cmd.basis, decertified_at=cmd.decertified_at)):
        await CaregiverRepository(uow.session).save_decertification(caregiver)
    visits = VisitRepository(uow.session)
    now = utcnow()
    reason = f"caregiver decertified (wuhai-2017-home-care-measures.md 第三十一条): {cmd.basis}"
    for visit in await visits.list_not_started(caregiver.id):
        if visit.unassign(by=BY_DECERTIFICATION):
            await visits.save(visit)
            uow.publish(unassigned_event(visit, caregiver.id, reason, now))
    return caregiver


async def record_sanction(cmd: RecordSanction, uow: UnitOfWork) -> Provider | None:
    """changsha-2024-purchased-door-to-door-rules.md 第十八条: ending the contract or blacklisting
    stops new work for the provider; a sanction of only recovering funds changes nothing here."""
    ending = [m for m in cmd.measures if m in MEASURES_ENDING_NEW_WORK]
    if not ending:
        return None
    repo = ProviderRepository(uow.session)
    provider = await repo.get(cmd.provider_id, for_update=True)
    if provider is None:
        log.warning(
            "sanction of a provider dispatch does not know", extra={"provider_id": str(cmd.provider_id)}
        )
        return None
    suspension = Suspension(
        sanction_id=cmd.sanction_id,
        measures=tuple(ending),
        basis=tuple(cmd.basis),
        imposed_at=cmd.imposed_at,
    )
    if provider.suspend_from_new_work(suspension):
        await repo.save_suspension(provider)
    return provider
