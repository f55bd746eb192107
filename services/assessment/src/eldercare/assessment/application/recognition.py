"""Mutual recognition: a pending task closed by a recognised external result (Xiangtan 第七条)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.adapters.organisations import OrganisationRepository
from eldercare.assessment.adapters.repository import AssessmentRepository
from eldercare.assessment.application.access import Viewer
from eldercare.assessment.application.handlers import publish_completed
from eldercare.assessment.application.queries import months_after
from eldercare.assessment.domain.assessment import Assessment
from eldercare.assessment.domain.recognition import ExternalResult, check_recognised
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.clock import local_date, utcnow
from eldercare.common.errors import NotFound, SettingNotConfigured
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class RecogniseResult:
    assessment_id: UUID
    result: ExternalResult
    viewer: Viewer
    cipher: HealthDataCipher
    settings: AssessmentSettings


def validity(assessed_on: date, given: date | None, interval_months: int | None) -> date:
    """The result's own validity, or the local reassessment interval after it (gbt42195.md §1.7)."""
    if given is not None:
        return given
    if interval_months is None:
        raise SettingNotConfigured(
            "assessment: the result states no valid_until and ASSESSMENT_REASSESSMENT_INTERVAL_MONTHS"
            " (reassessment_interval_months) is not set, so its validity is unknown"
        )
    return months_after(assessed_on, interval_months)


async def recognise_result(cmd: RecogniseResult, uow: UnitOfWork) -> Assessment:
    tasks = AssessmentRepository(uow.session, cmd.cipher)
    assessment = await tasks.get(cmd.assessment_id)
    if assessment is None:
        raise NotFound("assessment not found")
    cmd.viewer.ensure_sees(assessment)
    registered = await OrganisationRepository(uow.session).get_by_credit_code(
        cmd.result.issuer_credit_code.upper()
    )
    now = utcnow()
    check_recognised(
        cmd.result,
        recognised_instruments=cmd.settings.recognised_instruments,
        issuer_registered=registered is not None,
        recognised_regions=cmd.settings.recognised_regions,
        today=local_date(now),
    )
    issuer = replace(cmd.result, issuer_name=registered.name) if registered is not None else cmd.result
    assessment.recognise(issuer, by=cmd.viewer.subject, now=now)
    await tasks.save(assessment)
    publish_completed(assessment, uow)
    return assessment
