"""Events the intake service consumes: event -> command, nothing else."""

from __future__ import annotations

from eldercare.common.consumer import Subscription
from eldercare.common.contracts import AssessmentCompleted
from eldercare.common.uow import UnitOfWork
from eldercare.intake.application import handlers
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


SUBSCRIPTIONS: list[Subscription] = [sub]
