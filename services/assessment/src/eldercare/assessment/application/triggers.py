"""Reassessments opened by what happens to a person: an emergency (即时评估) or a dispute (复评)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eldercare.assessment.adapters.beneficiaries import BeneficiaryProjection, EnrolledPerson
from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.adapters.repository import AssessmentRepository
from eldercare.assessment.application.access import Viewer
from eldercare.assessment.domain.assessment import Assessment, AssessmentReason, AssessmentStatus
from eldercare.assessment.domain.errors import AssessmentNotCompleted
from eldercare.assessment.domain.triggers import (
    dispute_trigger,
    emergency_reassessment_note,
    emergency_trigger,
)
from eldercare.common.clock import utcnow
from eldercare.common.errors import NotFound
from eldercare.common.uow import UnitOfWork

log = logging.getLogger("eldercare.assessment.triggers")


@dataclass(frozen=True)
class RecordEnrolment:
    person: EnrolledPerson


@dataclass(frozen=True)
class RecordBeneficiaryStatus:
    beneficiary_id: UUID
    status: str


@dataclass(frozen=True)
class OpenImmediateReassessment:
    emergency_id: UUID
    beneficiary_id: UUID
    kind: str
    outcome: str
    resolved_at: datetime


@dataclass(frozen=True)
class DisputeResult:
    assessment_id: UUID
    reason: str
    viewer: Viewer
    cipher: HealthDataCipher


async def record_enrolment(cmd: RecordEnrolment, uow: UnitOfWork) -> None:
    await BeneficiaryProjection(uow.session).enrolled(cmd.person)


async def record_beneficiary_status(cmd: RecordBeneficiaryStatus, uow: UnitOfWork) -> None:
    if not await BeneficiaryProjection(uow.session).set_status(cmd.beneficiary_id, cmd.status):
        log.info(
            "status of a beneficiary never enrolled here", extra={"beneficiary_id": str(cmd.beneficiary_id)}
        )


async def open_immediate_reassessment(cmd: OpenImmediateReassessment, uow: UnitOfWork) -> Assessment | None:
    """即时评估 after a hospitalisation or a fall of an enrolled person (gbt42195.md §1.7).

    At most one task per emergency (its reference is unique) and one open task per person: when the
    person already has a pending task, that task covers the change and nothing is opened.
    """
    note = emergency_reassessment_note(cmd.kind, cmd.outcome)
    if note is None:
        return None
    person = await BeneficiaryProjection(uow.session).get(cmd.beneficiary_id)
    if person is None or person.status == "terminated":
        log.info(
            "emergency of a person not enrolled: no reassessment",
            extra={"emergency_id": str(cmd.emergency_id)},
        )
        return None
    tasks = AssessmentRepository(uow.session)
    trigger = emergency_trigger(cmd.emergency_id)
    if await tasks.has_trigger(trigger) or await tasks.has_pending_for_person(person.person_id):
        return None
    assessment = Assessment(
        person_id=person.person_id,
        district_code=person.district_code,
        community_code=person.community_code,
        masked_id_number=person.masked_id_number,
        reason=AssessmentReason.immediate,
        requested_at=cmd.resolved_at,
        requested_by="dispatch.emergency",
        reason_note=note,
        trigger_ref=trigger,
    )
    await tasks.add(assessment)
    return assessment


async def dispute_result(cmd: DisputeResult, uow: UnitOfWork) -> tuple[Assessment, bool]:
    """复评: a signed result is disputed (A.1.3 因对评估结果有疑问进行的复评). Returns the task and
    whether it is new: a dispute already recorded, or any open task of the person, is answered as is."""
    tasks = AssessmentRepository(uow.session, cmd.cipher)
    disputed = await tasks.get(cmd.assessment_id)
    if disputed is None:
        raise NotFound("assessment not found")
    cmd.viewer.ensure_sees(disputed)
    if disputed.status is not AssessmentStatus.completed:
        raise AssessmentNotCompleted("only a signed result can be disputed")
    trigger = dispute_trigger(disputed.id)
    existing = await tasks.get_by_trigger(trigger) or await tasks.get_pending_for_person(disputed.person_id)
    if existing is not None:
        return existing, False
    task = Assessment(
        person_id=disputed.person_id,
        district_code=disputed.district_code,
        community_code=disputed.community_code,
        masked_id_number=disputed.masked_id_number,
        reason=AssessmentReason.dispute,
        requested_at=utcnow(),
        requested_by=cmd.viewer.subject,
        reason_note=f"对评估结果有疑问（{disputed.id}）：{cmd.reason}",
        trigger_ref=trigger,
    )
    await tasks.add(task)
    return task, True
