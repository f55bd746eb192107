"""Events the audit service consumes: event -> command, nothing else.

Every registered event type (but those whose ``audience`` leaves audit out) goes to the audit
trail (including audit's own FollowUpOpened and the other services' ``*.pii_access.recorded.v1``);
an enrolment also opens a follow-up call, an unverified visit a spot check; visit, beneficiary and
emergency events feed the fraud signals (domain.fraud), a completed visit or a hospitalisation
runs the stream detector. One subscription, so the inbox, the trail entry and the task of one
event commit together.
"""

from __future__ import annotations

import functools

from eldercare.audit.application import follow_ups, fraud, recovery, spot_checks, trail
from eldercare.audit.domain.spot_check import SpotCheckReason
from eldercare.audit.settings import AuditSettings
from eldercare.common.consumer import Subscription
from eldercare.common.contracts import (
    REGISTRY,
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
    EmergencyRaised,
    EmergencyResolved,
    SettlementIssued,
    VisitCancelled,
    VisitCheckedIn,
    VisitCompleted,
    VisitScheduled,
)
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


# Except the events meant for named services only (their ``audience``): the contact intake
# shares with dispatch alone stays out of the trail (PIPL minimisation).
for _spec in REGISTRY:
    if _spec.model.audience is None or sub.name in _spec.model.audience:
        sub.on(_spec.model)(on_event)


@sub.on(BeneficiaryEnrolled)
async def on_beneficiary_enrolled(event: BeneficiaryEnrolled, uow: UnitOfWork) -> None:
    home = (event.home_point.lat, event.home_point.lon) if event.home_point else None
    await fraud.record_beneficiary(
        fraud.RecordBeneficiary(
            event.beneficiary_id,
            event.district_code,
            "active",
            event.effective_on,
            event.enrolled_at,
            home=home,
            enrolment=True,
        ),
        uow,
    )
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


@sub.on(BeneficiaryStatusChanged)
async def on_beneficiary_status_changed(event: BeneficiaryStatusChanged, uow: UnitOfWork) -> None:
    cmd = fraud.RecordBeneficiary(
        event.beneficiary_id, event.district_code, event.status, event.effective_on, event.changed_at
    )
    await fraud.record_beneficiary(cmd, uow)
    await fraud.detect_while_inactive(cmd, uow, _settings().fraud_rules())
    await on_event(event, uow)


def _visit_parties(event: VisitScheduled | VisitCheckedIn | VisitCompleted) -> dict[str, object]:
    return {
        "provider_id": event.provider_id,
        "caregiver_id": event.caregiver_id,
        "beneficiary_id": event.beneficiary_id,
        "district_code": event.district_code,
    }


@sub.on(VisitScheduled)
async def on_visit_scheduled(event: VisitScheduled, uow: UnitOfWork) -> None:
    facts = _visit_parties(event) | {
        "service_code": event.service_code,
        "scheduled_start_at": event.scheduled_start_at,
        "scheduled_end_at": event.scheduled_end_at,
    }
    await fraud.record_visit_facts(fraud.RecordVisitFacts(event.visit_id, facts), uow)
    await on_event(event, uow)


@sub.on(VisitCheckedIn)
async def on_visit_checked_in(event: VisitCheckedIn, uow: UnitOfWork) -> None:
    facts = _visit_parties(event) | {
        "checked_in_at": event.checked_in_at,
        "distance_m": event.distance_m,
        "location_ok": event.location_ok,
    }
    await fraud.record_visit_facts(fraud.RecordVisitFacts(event.visit_id, facts), uow)
    await on_event(event, uow)


@sub.on(VisitCancelled)
async def on_visit_cancelled(event: VisitCancelled, uow: UnitOfWork) -> None:
    facts = {
        "provider_id": event.provider_id,
        "beneficiary_id": event.beneficiary_id,
        "district_code": event.district_code,
        "cancelled_kind": event.kind,
    }
    await fraud.record_visit_facts(fraud.RecordVisitFacts(event.visit_id, facts), uow)
    await on_event(event, uow)


@sub.on(EmergencyRaised)
async def on_emergency_raised(event: EmergencyRaised, uow: UnitOfWork) -> None:
    cmd = fraud.RecordEmergency(
        event.emergency_id, event.beneficiary_id, event.district_code, raised_at=event.raised_at
    )
    await fraud.record_emergency(cmd, uow, _settings().fraud_rules())
    await on_event(event, uow)


@sub.on(EmergencyResolved)
async def on_emergency_resolved(event: EmergencyResolved, uow: UnitOfWork) -> None:
    cmd = fraud.RecordEmergency(
        event.emergency_id,
        event.beneficiary_id,
        event.district_code,
        outcome=event.outcome,
        resolved_at=event.resolved_at,
    )
    await fraud.record_emergency(cmd, uow, _settings().fraud_rules())
    await on_event(event, uow)


@sub.on(SettlementIssued)
async def on_settlement_issued(event: SettlementIssued, uow: UnitOfWork) -> None:
    cmd = recovery.BookRecoveries(event.statement_id, tuple(event.recovery_ids), event.issued_at)
    await recovery.book_recoveries(cmd, uow)
    await on_event(event, uow)


@sub.on(VisitCompleted)
async def on_visit_completed(event: VisitCompleted, uow: UnitOfWork) -> None:
    facts = _visit_parties(event) | {
        "service_code": event.service_code,
        "checked_in_at": event.checked_in_at,
        "checked_out_at": event.checked_out_at,
        "verified": event.verified,
    }
    photos = tuple(event.photo_sha256s)  # none in events published before dispatch sent them
    await fraud.record_visit_facts(fraud.RecordVisitFacts(event.visit_id, facts, photos), uow)
    await fraud.detect_around_visit(
        fraud.DetectAroundVisit(event.visit_id, event.caregiver_id, event.checked_in_at),
        uow,
        _settings().fraud_rules(),
    )
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
