"""Events the intake service consumes: event -> command, nothing else."""

from __future__ import annotations

from eldercare.common.consumer import Subscription
from eldercare.common.contracts import (
    ApplicationDecided,
    ApplicationSubmitted,
    AssessmentCompleted,
    AssessmentRequested,
    BeneficiaryEnrolled,
    BeneficiaryEntitlementChanged,
    BeneficiaryStatusChanged,
)
from eldercare.common.registry import IntegrationEvent
from eldercare.common.uow import UnitOfWork
from eldercare.intake.application import handlers, webhooks
from eldercare.intake.policy_packs import catalog
from eldercare.intake.settings import IntakeSettings

sub = Subscription("intake")


@sub.on(AssessmentCompleted)
async def on_assessment_completed(event: AssessmentCompleted, uow: UnitOfWork) -> None:
    settings = uow.settings
    cmd = handlers.RecordAssessment(
        assessment_id=event.assessment_id,
        application_id=event.application_id,
        person_id=event.person_id,
        district_code=event.district_code,
        total_score=event.total_score,
        final_level=event.final_level,
        completed_at=event.completed_at,
        reason=event.reason,
        catalog=catalog(),
        policy_settings=settings.policy_settings if isinstance(settings, IntakeSettings) else {},
    )
    await handlers.record_assessment(cmd, uow)


# Intake's own application and beneficiary events, turned into the city platform's webhook
# deliveries (application/webhooks.py says why a consumer and not the producing handlers).
webhook_sub = Subscription("webhooks")


async def on_own_event(event: IntegrationEvent, uow: UnitOfWork) -> None:
    if uow.incoming is None:
        return
    region = getattr(event, "community_code", None) or getattr(event, "district_code", "")
    await webhooks.enqueue_deliveries(uow.incoming, str(region), uow)


for _model in (
    ApplicationSubmitted,
    AssessmentRequested,
    ApplicationDecided,
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
    BeneficiaryEntitlementChanged,
):
    webhook_sub.on(_model)(on_own_event)


SUBSCRIPTIONS: list[Subscription] = [sub, webhook_sub]
