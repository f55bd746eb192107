"""Command handlers of the assessment service. They load and store through the repository, call the
aggregate, and publish through the unit of work; they never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.adapters.repository import AssessmentRepository
from eldercare.assessment.application import forms
from eldercare.assessment.application.access import Viewer
from eldercare.assessment.application.organisations import ensure_assessors_qualified
from eldercare.assessment.application.queries import months_after
from eldercare.assessment.domain.assessment import (
    Assessment,
    AssessmentReason,
    InformationProvider,
    SignerKind,
    ensure_community_in_district,
)
from eldercare.assessment.domain.errors import InvalidAssessmentResult, PendingAssessmentExists
from eldercare.assessment.domain.gbt42195 import RULE_SETS, RuleSettings
from eldercare.assessment.domain.scoring import ScoringInput
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.auth import Principal
from eldercare.common.clock import utcnow
from eldercare.common.contracts import AssessmentCompleted
from eldercare.common.errors import Forbidden, NotFound
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class RequestAssessment:
    application_id: UUID
    person_id: UUID
    district_code: str
    community_code: str
    masked_id_number: str
    reason: AssessmentReason
    requested_at: datetime


@dataclass(frozen=True)
class CreateReassessment:
    person_id: UUID
    district_code: str
    community_code: str
    reason: AssessmentReason
    principal: Principal


@dataclass(frozen=True)
class RecordResult:
    assessment_id: UUID
    sheet: ScoringInput
    assessors: tuple[str, ...]
    information_provider: InformationProvider
    assessed_on: date
    settings: RuleSettings
    viewer: Viewer
    cipher: HealthDataCipher


async def request_assessment(cmd: RequestAssessment, uow: UnitOfWork) -> None:
    """评估任务: the district ordered an assessment for an application (Changsha 第十一条).

    A second request for the same application leaves the existing task unchanged, so a
    redelivered or replayed event is harmless.
    """
    repo = AssessmentRepository(uow.session)
    if await repo.has_application(cmd.application_id):
        return
    assessment = Assessment(
        application_id=cmd.application_id,
        person_id=cmd.person_id,
        district_code=cmd.district_code,
        community_code=cmd.community_code,
        masked_id_number=cmd.masked_id_number,
        reason=cmd.reason,
        requested_at=cmd.requested_at,
    )
    await repo.add(assessment)


async def create_reassessment(cmd: CreateReassessment, uow: UnitOfWork) -> Assessment:
    """复评 / 即时评估: a district officer orders a new assessment of a person (gbt42195.md §1.7)."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise Forbidden("your region does not cover this district", field="district_code")
    ensure_community_in_district(cmd.district_code, cmd.community_code)
    repo = AssessmentRepository(uow.session)
    if await repo.has_pending_for_person(cmd.person_id):
        raise PendingAssessmentExists("the person already has a pending assessment", field="person_id")
    assessment = Assessment(
        person_id=cmd.person_id,
        district_code=cmd.district_code,
        community_code=cmd.community_code,
        reason=cmd.reason,
        requested_at=utcnow(),
        requested_by=cmd.principal.subject,
    )
    await repo.add(assessment)
    return assessment


async def record_result(cmd: RecordResult, uow: UnitOfWork) -> Assessment:
    """评估结果: score the two assessors' sheet, close the task and publish AssessmentCompleted."""
    repo = AssessmentRepository(uow.session, cmd.cipher)
    assessment = await repo.get(cmd.assessment_id)
    if assessment is None:
        raise NotFound("assessment not found")
    cmd.viewer.ensure_works_on(assessment)
    if assessment.assignment is not None:
        await ensure_assessors_qualified(uow.session, assessment, *assessment.assignment.subjects)
    assessment.complete(
        cmd.sheet,
        settings=cmd.settings,
        assessors=cmd.assessors,
        information_provider=cmd.information_provider,
        assessed_on=cmd.assessed_on,
        submitted_by=cmd.viewer.subject,
        now=utcnow(),
    )
    await repo.save(assessment)
    publish_completed(assessment, uow)
    return assessment


def valid_until(assessment: Assessment, interval_months: int | None) -> date | None:
    """An external result's own validity, else the local reassessment interval after the
    assessment date (gbt42195.md §1.7); unknown while the interval is not configured."""
    if assessment.recognition is not None:
        return assessment.recognition.valid_until
    if assessment.report is None or interval_months is None:
        return None
    return months_after(assessment.report.assessed_on, interval_months)


def publish_completed(assessment: Assessment, uow: UnitOfWork) -> None:
    report = assessment.report
    assert report is not None
    scoring = report.scoring
    settings = uow.settings
    interval = settings.reassessment_interval_months if isinstance(settings, AssessmentSettings) else None
    # The event carries levels and reason codes only: diagnoses are health data and stay here
    # (architecture.md, PII minimisation).
    uow.publish(
        AssessmentCompleted(
            assessment_id=assessment.id,
            application_id=assessment.application_id,
            person_id=assessment.person_id,
            district_code=assessment.district_code,
            reason=assessment.reason.value,
            total_score=scoring.total_score,
            subtotals=scoring.subtotals,
            preliminary_level=scoring.preliminary_level,
            final_level=scoring.final_level,
            adjustments=[a.code for a in scoring.adjustments],
            rule_settings=scoring.rule_settings,
            completed_at=report.completed_at,
            valid_until=valid_until(assessment, interval),
        )
    )


@dataclass(frozen=True)
class SaveDraft:
    assessment_id: UUID
    form: dict[str, Any]
    viewer: Viewer
    cipher: HealthDataCipher


@dataclass(frozen=True)
class SignAssessment:
    assessment_id: UUID
    kind: SignerKind
    rule_set: str
    viewer: Viewer
    cipher: HealthDataCipher


@dataclass(frozen=True)
class CorrectAssessment:
    assessment_id: UUID
    viewer: Viewer
    cipher: HealthDataCipher


async def _load(
    repo: AssessmentRepository, assessment_id: UUID, viewer: Viewer, *, works_on: bool = True
) -> Assessment:
    assessment = await repo.get(assessment_id)
    if assessment is None:
        raise NotFound("assessment not found")
    if works_on:
        viewer.ensure_works_on(assessment)
    else:
        viewer.ensure_sees(assessment)
    return assessment


async def save_draft(cmd: SaveDraft, uow: UnitOfWork) -> Assessment:
    """Save the form so far (gbt42195.md §1.6); any earlier signatures are void."""
    repo = AssessmentRepository(uow.session, cmd.cipher)
    assessment = await _load(repo, cmd.assessment_id, cmd.viewer)
    assessment.save_draft(cmd.form, by=cmd.viewer.subject, now=utcnow())
    await repo.save(assessment)
    return assessment


async def sign_assessment(cmd: SignAssessment, uow: UnitOfWork) -> Assessment:
    """One Annex C signature; the last of the three (two assessors, the information provider)
    completes the assessment and publishes AssessmentCompleted (gbt42195.md §1.7)."""
    repo = AssessmentRepository(uow.session, cmd.cipher)
    assessment = await _load(repo, cmd.assessment_id, cmd.viewer)
    if assessment.draft is None:
        raise InvalidAssessmentResult("there is no saved draft to sign", field="draft")
    form = assessment.draft.form
    # Nobody signs a form the report cannot be computed from: a 422 names every gap.
    evaluation = forms.evaluate_form(form, cmd.rule_set)
    now = utcnow()
    if cmd.kind is SignerKind.assessor:
        await ensure_assessors_qualified(uow.session, assessment, cmd.viewer.subject)
        assessment.sign(SignerKind.assessor, cmd.viewer.subject, now=now)
    else:
        provider = forms.information_provider(form)
        assessment.sign(SignerKind.information_provider, provider.name, now=now, relation=provider.relation)
    if assessment.fully_signed():
        provider_signature = assessment.provider_signature()
        assert provider_signature is not None and provider_signature.relation is not None
        assessment.complete(
            evaluation.sheet,
            settings=RULE_SETS[evaluation.rule_set].settings,
            assessors=assessment.assessor_signers(),
            information_provider=InformationProvider(provider_signature.signer, provider_signature.relation),
            assessed_on=forms.assessed_on(form),
            submitted_by=cmd.viewer.subject,
            now=now,
        )
        await repo.save(assessment)
        publish_completed(assessment, uow)
    else:
        await repo.save(assessment)
    return assessment


async def correct_assessment(cmd: CorrectAssessment, uow: UnitOfWork) -> Assessment:
    """A correction: a new assessment, starting from the signed one's form, that supersedes it."""
    repo = AssessmentRepository(uow.session, cmd.cipher)
    original = await _load(repo, cmd.assessment_id, cmd.viewer, works_on=False)
    successor = original.correct(by=cmd.viewer.subject, now=utcnow())
    await repo.add(successor)
    await repo.save(original)
    return successor
