"""Events the assessment service consumes: event -> command, nothing else."""

from __future__ import annotations

from eldercare.assessment.application import handlers
from eldercare.assessment.domain.assessment import AssessmentReason
from eldercare.common.consumer import Subscription
from eldercare.common.contracts import AssessmentRequested
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


SUBSCRIPTIONS: list[Subscription] = [sub]
