"""Events the audit service consumes: event -> command, nothing else.

Every registered event type goes to the audit trail (including audit's own FollowUpOpened); an
enrolment also opens a follow-up call, an unverified visit a spot check. One subscription, so the
inbox, the trail entry and the task of one event commit together.
"""

from __future__ import annotations

import functools

from eldercare.audit.application import follow_ups, spot_checks, trail
from eldercare.audit.domain.spot_check import SpotCheckReason
from eldercare.audit.settings import AuditSettings
from eldercare.common.consumer import Subscription
from eldercare.common.contracts import REGISTRY, BeneficiaryEnrolled, VisitCompleted
from eldercare.common.registry import IntegrationEvent
from eldercare.common.uow import UnitOfWork

sub = Subscription("audit")


@functools.cache
def _settings() -> AuditSettings:
    # Read at the first event, not at import; the worker reads the same environment.
    return AuditSettings()


def follow_up_due_days() -> int | None:
    return _settings().follow_up_due_days


async def on_event(event: IntegrationEvent, uow: UnitOfWork) -> None:
    """Any integration event: one audit-trail entry (the runner passes the envelope id as causation id)."""
    cmd = trail.record_command(event, uow.causation_id, _settings().trail_hash_algorithm)
    await trail.record_event(cmd, uow)


for _spec in REGISTRY:
    sub.on(_spec.model)(on_event)


@sub.on(BeneficiaryEnrolled)
async def on_beneficiary_enrolled(event: BeneficiaryEnrolled, uow: UnitOfWork) -> None:
    await follow_ups.open_enrolment_follow_up(
        follow_ups.OpenEnrolmentFollowUp(
            beneficiary_id=event.beneficiary_id,
            district_code=event.district_code,
            effective_on=event.effective_on,
            enrolled_at=event.enrolled_at,
            due_days=follow_up_due_days(),
        ),
        uow,
    )
    # The trail entry last: its chain-head lock is then held only until the commit that follows.
    await on_event(event, uow)


@sub.on(VisitCompleted)
async def on_visit_completed(event: VisitCompleted, uow: UnitOfWork) -> None:
    if not event.verified:
        await spot_checks.open_spot_check(
            spot_checks.OpenSpotCheck(
                visit_id=event.visit_id,
                beneficiary_id=event.beneficiary_id,
                provider_id=event.provider_id,
                caregiver_id=event.caregiver_id,
                district_code=event.district_code,
                service_code=event.service_code,
                reason=SpotCheckReason.unverified_visit,
                findings=tuple(event.verification_notes),
            ),
            uow,
        )
    await on_event(event, uow)


SUBSCRIPTIONS: list[Subscription] = [sub]
