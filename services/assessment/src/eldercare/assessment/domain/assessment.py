"""The assessment aggregate: a task (评估任务) that two assessors complete with one signed report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.assessment.domain.errors import (
    AssessmentNotPending,
    InvalidAssessmentResult,
)
from eldercare.assessment.domain.gbt42195 import RuleSettings
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
    id: UUID = field(default_factory=uuid7)

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
        if self.status is not AssessmentStatus.pending:
            raise AssessmentNotPending(
                f"the assessment is {self.status.value}; results were already recorded"
            )
        signers = ensure_two_assessors(assessors)
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
