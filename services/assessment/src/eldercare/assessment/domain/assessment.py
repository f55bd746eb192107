"""The assessment aggregate: a task (评估任务) that two assessors complete with one signed report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eldercare.assessment.domain.adjustments import Adjustment
from eldercare.assessment.domain.errors import (
    AlreadySigned,
    AssessmentAlreadySuperseded,
    AssessmentNotCompleted,
    AssessmentNotPending,
    InvalidAssessmentResult,
    NotAnAssignedAssessor,
)
from eldercare.assessment.domain.gbt42195 import RuleSettings
from eldercare.assessment.domain.organisations import Assignment
from eldercare.assessment.domain.recognition import BASIS, ExternalResult
from eldercare.assessment.domain.scoring import ScoringInput, ScoringResult, score
from eldercare.common.clock import local_date
from eldercare.common.ids import uuid7


class AssessmentStatus(StrEnum):
    pending = "pending"
    completed = "completed"


STATUS_LABELS = {AssessmentStatus.pending: "待评估", AssessmentStatus.completed: "已完成"}


class AssessmentReason(StrEnum):
    """A.1.3 评估原因."""

    initial = "initial"
    routine = "routine"
    immediate = "immediate"
    dispute = "dispute"
    other = "other"


REASON_LABELS = {
    AssessmentReason.initial: "首次评估",
    AssessmentReason.routine: "常规评估",
    AssessmentReason.immediate: "即时评估",
    AssessmentReason.dispute: "因对评估结果有疑问进行的复评",
    AssessmentReason.other: "其他",
}


class InformantRelation(StrEnum):
    """A.3 信息提供者与老年人关系."""

    self = "self"
    spouse = "spouse"
    child = "child"
    other_relative = "other_relative"
    hired_caregiver = "hired_caregiver"
    committee_staff = "committee_staff"
    other = "other"


RELATION_LABELS = {
    InformantRelation.self: "本人",
    InformantRelation.spouse: "配偶",
    InformantRelation.child: "子女",
    InformantRelation.other_relative: "其他亲属",
    InformantRelation.hired_caregiver: "雇佣照顾者",
    InformantRelation.committee_staff: "村（居）民委员会工作人员",
    InformantRelation.other: "其他",
}

# gbt42195.md §1.7: two assessors per assessment (the report, Annex C, has two signature slots).
ASSESSORS_PER_REPORT = 2


@dataclass(frozen=True)
class InformationProvider:
    """A.3 信息提供者; the report also carries the provider's signature (§1.7)."""

    name: str
    relation: InformantRelation


@dataclass(frozen=True)
class AssessmentReport:
    """The completed report (Annex C) with the inputs it was computed from."""

    scoring: ScoringResult
    coma: bool
    psychiatric_specialist_diagnosis: bool
    assessors: tuple[str, ...]
    information_provider: InformationProvider
    assessed_on: date
    submitted_by: str
    completed_at: datetime


class SignerKind(StrEnum):
    """Annex C signature fields: 评估员签名 (two) and 信息提供者签名 (gbt42195.md §1.6, §1.7)."""

    assessor = "assessor"
    information_provider = "information_provider"


@dataclass(frozen=True)
class Signature:
    kind: SignerKind
    signer: str  # the assessor's subject, or the information provider's name
    signed_at: datetime
    relation: InformantRelation | None = None  # the information provider's (A.3)


@dataclass(frozen=True)
class Draft:
    """The form as captured so far (Annex A, B and C fields; see api/schemas.FormDraft), with the
    sheet it scores to once complete. Health and identity data: stored encrypted."""

    form: Mapping[str, Any]
    saved_by: str
    saved_at: datetime


def ensure_two_assessors(assessors: Sequence[str]) -> tuple[str, ...]:
    """Exactly two distinct assessor ids, one per signature slot (gbt42195.md §1.7)."""
    cleaned = tuple(a.strip() for a in assessors)
    if len(cleaned) != ASSESSORS_PER_REPORT or len(set(cleaned)) != ASSESSORS_PER_REPORT or "" in cleaned:
        raise InvalidAssessmentResult(
            "exactly two different assessors must sign the report", field="assessors"
        )
    return cleaned


def ensure_community_in_district(district_code: str, community_code: str) -> None:
    # GB/T 2260: a community's 12-digit statistical code starts with its district's 6 digits.
    if not community_code.startswith(district_code):
        raise InvalidAssessmentResult(
            f"community {community_code} is not in district {district_code}", field="community_code"
        )


@dataclass
class Assessment:
    person_id: UUID
    district_code: str
    community_code: str
    reason: AssessmentReason
    requested_at: datetime
    application_id: UUID | None = None
    masked_id_number: str | None = None
    requested_by: str | None = None
    status: AssessmentStatus = AssessmentStatus.pending
    report: AssessmentReport | None = None
    draft: Draft | None = None
    signatures: tuple[Signature, ...] = ()
    supersedes_id: UUID | None = None
    superseded_by_id: UUID | None = None
    assignment: Assignment | None = None
    # Why this task was opened beyond A.1.3's code (an emergency's outcome, the disputed result),
    # and the reference of what triggered it, unique so a trigger opens at most one task.
    reason_note: str | None = None
    trigger_ref: str | None = None
    # The external result this task accepted instead of a new assessment (Xiangtan 第七条).
    recognition: ExternalResult | None = None
    id: UUID = field(default_factory=uuid7)

    def recognise(self, result: ExternalResult, *, by: str, now: datetime) -> AssessmentReport:
        """Close the task with a recognised external result: its figures as its report states them,
        with its provenance; no items, no diagnoses (they stay with the issuer)."""
        self._ensure_pending()
        self.recognition = result
        self.report = AssessmentReport(
            scoring=ScoringResult(
                items={},
                total_score=result.total_score,
                subtotals=dict(result.subtotals),
                preliminary_level=result.preliminary_level,
                final_level=result.final_level,
                adjustments=tuple(Adjustment(code, "见原评估报告") for code in result.adjustments),
                rule_settings={
                    "source": "mutual_recognition",
                    "basis": BASIS,
                    "instrument": result.instrument,
                    "issuer_credit_code": result.issuer_credit_code,
                    "document_ref": result.document_ref,
                },
                diagnoses=(),
                risk_events_30d={},
            ),
            coma=False,
            psychiatric_specialist_diagnosis=False,
            assessors=(),
            information_provider=InformationProvider("", InformantRelation.other),
            assessed_on=result.assessed_on,
            submitted_by=by,
            completed_at=now,
        )
        self.status = AssessmentStatus.completed
        return self.report

    def assign(self, assignment: Assignment) -> None:
        """Assign the organisation and the two assessors. A reassignment voids the assessors'
        signatures: only the assessors now assigned can sign (gbt42195.md §1.7)."""
        self._ensure_pending()
        previous = set(self.assignment.subjects) if self.assignment else None
        self.assignment = assignment
        if previous is not None and previous != set(assignment.subjects):
            self.signatures = tuple(s for s in self.signatures if s.kind is not SignerKind.assessor)

    def ensure_assessor_may_act(self, subject: str) -> None:
        """Once assigned, only the two assigned assessors edit, sign or submit the form."""
        if self.assignment is not None and subject not in self.assignment.subjects:
            raise NotAnAssignedAssessor("only the two assessors assigned to this task may do this")

    def _ensure_pending(self) -> None:
        if self.status is not AssessmentStatus.pending:
            # A signed report is immutable; a correction is a new assessment (correct()).
            raise AssessmentNotPending(
                f"the assessment is {self.status.value}; a signed report cannot change, correct it instead"
            )

    def save_draft(self, form: Mapping[str, Any], *, by: str, now: datetime) -> Draft:
        """Save the form so far. Signatures bind the content they saw, so a change clears them."""
        self._ensure_pending()
        self.draft = Draft(form=dict(form), saved_by=by, saved_at=now)
        self.signatures = ()
        return self.draft

    def sign(
        self, kind: SignerKind, signer: str, *, now: datetime, relation: InformantRelation | None = None
    ) -> Signature:
        """One Annex C signature on the saved draft: two different assessors and the provider."""
        self._ensure_pending()
        if self.draft is None:
            raise InvalidAssessmentResult("there is no saved draft to sign", field="draft")
        if kind is SignerKind.assessor:
            self.ensure_assessor_may_act(signer)
        if any(
            s.kind is kind and (kind is SignerKind.information_provider or s.signer == signer)
            for s in self.signatures
        ):
            raise AlreadySigned(f"{kind.value} {signer} has already signed")  # fmt: skip
        if kind is SignerKind.assessor and self.assessor_signers() and len(self.assessor_signers()) >= 2:
            raise AlreadySigned("both assessor signature fields are signed")
        signature = Signature(kind, signer, now, relation)
        self.signatures = (*self.signatures, signature)
        return signature

    def assessor_signers(self) -> tuple[str, ...]:
        return tuple(s.signer for s in self.signatures if s.kind is SignerKind.assessor)

    def provider_signature(self) -> Signature | None:
        return next((s for s in self.signatures if s.kind is SignerKind.information_provider), None)

    def fully_signed(self) -> bool:
        """gbt42195.md §1.7: both assessors and the information provider have signed."""
        return len(self.assessor_signers()) == ASSESSORS_PER_REPORT and self.provider_signature() is not None

    def correct(self, *, by: str, now: datetime) -> Assessment:
        """A correction of a signed report: a new pending assessment that supersedes this one,
        starting from this one's form; this one stays as signed, linked to its successor."""
        if self.status is not AssessmentStatus.completed:
            raise AssessmentNotCompleted("only a signed (completed) assessment can be corrected")
        if self.superseded_by_id is not None:
            raise AssessmentAlreadySuperseded(
                f"the assessment was already superseded by {self.superseded_by_id}"
            )
        successor = Assessment(
            person_id=self.person_id,
            district_code=self.district_code,
            community_code=self.community_code,
            reason=self.reason,
            requested_at=now,
            application_id=None,
            masked_id_number=self.masked_id_number,
            requested_by=by,
            draft=Draft(self.draft.form, by, now) if self.draft else None,
            supersedes_id=self.id,
        )
        self.superseded_by_id = successor.id
        return successor

    def complete(
        self,
        sheet: ScoringInput,
        *,
        settings: RuleSettings,
        assessors: Sequence[str],
        information_provider: InformationProvider,
        assessed_on: date,
        submitted_by: str,
        now: datetime,
    ) -> AssessmentReport:
        """Score the sheet and close the task; only a pending task can receive results."""
        self._ensure_pending()
        signers = ensure_two_assessors(assessors)
        if self.assignment is not None and set(signers) != set(self.assignment.subjects):
            raise InvalidAssessmentResult(
                "the report is signed by the two assessors assigned to the task", field="assessors"
            )
        if assessed_on > local_date(now):
            raise InvalidAssessmentResult("the assessment date is in the future", field="assessed_on")
        self.report = AssessmentReport(
            scoring=score(sheet, settings),
            coma=sheet.coma,
            psychiatric_specialist_diagnosis=sheet.psychiatric_specialist_diagnosis,
            assessors=signers,
            information_provider=information_provider,
            assessed_on=assessed_on,
            submitted_by=submitted_by,
            completed_at=now,
        )
        self.status = AssessmentStatus.completed
        return self.report
