"""Events the assessment service consumes: event -> command, nothing else."""

from __future__ import annotations

from eldercare.assessment.adapters.beneficiaries import EnrolledPerson
from eldercare.assessment.application import handlers, triggers
from eldercare.assessment.domain.assessment import AssessmentReason
from eldercare.common.consumer import Subscription
from eldercare.common.contracts import (
    AssessmentRequested,
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
    EmergencyResolved,
)
from eldercare.common.uow import UnitOfWork

sub = Subscription("assessment")


@sub.on(AssessmentRequested)
async def on_assessment_requested(event: AssessmentRequested, uow: UnitOfWork) -> None:
    await handlers.request_assessment(
        handlers.RequestAssessment(
            application_id=event.application_id,
            person_id=event.person_id,
            district_code=event.district_code,
            community_code=event.community_code,
            masked_id_number=event.masked_id_number,
            reason=AssessmentReason(event.reason),
            requested_at=event.requested_at,
        ),
        uow,
    )


@sub.on(BeneficiaryEnrolled)
async def on_beneficiary_enrolled(event: BeneficiaryEnrolled, uow: UnitOfWork) -> None:
    person = EnrolledPerson(
        beneficiary_id=event.beneficiary_id,
        person_id=event.person_id,
        district_code=event.district_code,
        community_code=event.community_code,
        masked_id_number=event.masked_id_number,
        status="active",
    )
    await triggers.record_enrolment(triggers.RecordEnrolment(person), uow)


@sub.on(BeneficiaryStatusChanged)
async def on_beneficiary_status_changed(event: BeneficiaryStatusChanged, uow: UnitOfWork) -> None:
    await triggers.record_beneficiary_status(
        triggers.RecordBeneficiaryStatus(event.beneficiary_id, event.status), uow
    )


@sub.on(EmergencyResolved)
async def on_emergency_resolved(event: EmergencyResolved, uow: UnitOfWork) -> None:
    await triggers.open_immediate_reassessment(
        triggers.OpenImmediateReassessment(
            emergency_id=event.emergency_id,
            beneficiary_id=event.beneficiary_id,
            kind=event.kind,
            outcome=event.outcome,
            resolved_at=event.resolved_at,
        ),
        uow,
    )


SUBSCRIPTIONS: list[Subscription] = [sub]
