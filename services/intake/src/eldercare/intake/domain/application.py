"""The application aggregate: the purchased-service process of Changsha 第十一条.

submitted (村/社区 takes the 附件1 form) -> street preliminary review (初审): assessment_requested,
returned or rejected -> assessed (a GB/T 42195-2022 result arrives) -> district decision (审定):
enrolled or rejected. Every transition appends a step to the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.common.errors import InvalidInput
from eldercare.common.ids import uuid7
from eldercare.intake.domain.errors import ApplicationNotDecidable, ApplicationNotReviewable
from eldercare.intake.domain.person import Agent
from eldercare.intake.domain.policy import Clause


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    returned = "returned"
    rejected = "rejected"
    assessment_requested = "assessment_requested"
    assessed = "assessed"
    enrolled = "enrolled"


STATUS_LABELS = {
    ApplicationStatus.submitted: "已受理，待街道初审",
    ApplicationStatus.returned: "已退回村（社区）",
    ApplicationStatus.rejected: "未通过",
    ApplicationStatus.assessment_requested: "初审通过，待能力评估",
    ApplicationStatus.assessed: "已评估，待区县审定",
    ApplicationStatus.enrolled: "审定通过，已纳入服务对象",
}

# A person may have one application in progress at a time (the partial unique index in
# adapters/models.py enforces the same set).
IN_PROGRESS = frozenset(
    {ApplicationStatus.submitted, ApplicationStatus.assessment_requested, ApplicationStatus.assessed}
)


class ReviewOutcome(StrEnum):
    pass_ = "pass"
    return_ = "return"
    reject = "reject"


REVIEW_LABELS = {ReviewOutcome.pass_: "通过", ReviewOutcome.return_: "退回", ReviewOutcome.reject: "不通过"}


class DecisionOutcome(StrEnum):
    approved = "approved"
    rejected = "rejected"


@dataclass(frozen=True)
class Step:
    action: str  # submitted | review | assessment | decision | false_declaration | contact_change
    by: str
    at: datetime
    outcome: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class AssessmentResult:
    assessment_id: UUID
    total_score: int
    final_level: int
    completed_at: datetime


@dataclass(frozen=True)
class Decision:
    outcome: DecisionOutcome
    by: str
    at: datetime
    pack_id: str
    version: str
    basis: tuple[Clause, ...]
    comment: str | None = None
    effective_on: date | None = None


@dataclass
class Application:
    person_id: UUID
    policy: str
    community_code: str
    district_code: str
    circumstances: tuple[str, ...]
    submitted_by: str
    submitted_at: datetime
    guardian: str | None = None
    agent: Agent | None = None
    home_point: tuple[float, float] | None = None  # (lat, lon), WGS-84
    external_ref: str | None = None
    # changsha-2024-purchased-door-to-door-rules.md 第二十一条: since when the person has received
    # both this service and 特困人员照料服务 (第一款), or this service under the 2019 policy (第二款).
    receiving_since: date | None = None
    earlier_service_since: date | None = None
    id: UUID = field(default_factory=uuid7)
    status: ApplicationStatus = ApplicationStatus.submitted
    steps: list[Step] = field(default_factory=list)
    assessment: AssessmentResult | None = None
    decision: Decision | None = None
    beneficiary_id: UUID | None = None
    # Set by the repository: the row's creation instant and optimistic-locking version.
    created_at: datetime | None = None
    version: int = 0

    def __post_init__(self) -> None:
        if not self.steps:
            self.steps.append(Step("submitted", self.submitted_by, self.submitted_at))

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    def review(self, outcome: ReviewOutcome, *, by: str, at: datetime, comment: str | None) -> None:
        """初审 by the street office (第十一条): pass forwards to the district for assessment."""
        if self.status is not ApplicationStatus.submitted:
            raise ApplicationNotReviewable(f"an application in status {self.status} cannot be reviewed")
        if outcome is not ReviewOutcome.pass_:
            _require_reason(comment)
        self.status = {
            ReviewOutcome.pass_: ApplicationStatus.assessment_requested,
            ReviewOutcome.return_: ApplicationStatus.returned,
            ReviewOutcome.reject: ApplicationStatus.rejected,
        }[outcome]
        self.steps.append(Step("review", by, at, outcome.value, comment))

    def record_assessment(self, result: AssessmentResult) -> bool:
        """Keep the latest GB/T 42195 result while the decision is open; False when nothing changed
        (a redelivered or stale result, or one arriving after the decision)."""
        if self.status not in {ApplicationStatus.assessment_requested, ApplicationStatus.assessed}:
            return False
        if self.assessment is not None and result.completed_at <= self.assessment.completed_at:
            return False
        self.assessment = result
        self.status = ApplicationStatus.assessed
        outcome = f"level {result.final_level}, score {result.total_score}"
        self.steps.append(Step("assessment", "assessment", result.completed_at, outcome))
        return True

    def approve(self, decision: Decision, beneficiary_id: UUID) -> None:
        """审定 approved: the person is enrolled as a beneficiary (第十一条, 第十二条)."""
        self._decide(decision)
        self.status = ApplicationStatus.enrolled
        self.beneficiary_id = beneficiary_id

    def reject(self, decision: Decision) -> None:
        _require_reason(decision.comment)
        self._decide(decision)
        self.status = ApplicationStatus.rejected

    def reject_for_false_material(self, decision: Decision) -> None:
        """A reviewer (street or district) found the application based on false material: it is
        rejected at any stage before the decision (wuhai-2017-home-care-measures.md 第三十二条)."""
        if not self.in_progress:
            raise ApplicationNotDecidable(f"an application in status {self.status} cannot be rejected")
        _require_reason(decision.comment)
        self.decision = decision
        self.status = ApplicationStatus.rejected
        self.steps.append(Step("false_declaration", decision.by, decision.at, "rejected", decision.comment))

    def change_agent(self, agent: Agent) -> None:
        """The agent's contact details changed after enrolment (the enrolling application keeps the
        agent of the enrolled beneficiary)."""
        self.agent = agent

    def record_contact_change(self, fields: list[str], *, by: str, at: datetime) -> None:
        """Who changed which contact fields of the enrolled person, and when: the names only, never
        the values (the step log is not encrypted)."""
        self.steps.append(Step("contact_change", by, at, None, "fields: " + ", ".join(fields)))

    def ensure_decidable(self) -> AssessmentResult:
        if self.status is not ApplicationStatus.assessed or self.assessment is None:
            raise ApplicationNotDecidable(f"an application in status {self.status} cannot be decided")
        return self.assessment

    def _decide(self, decision: Decision) -> None:
        self.ensure_decidable()
        self.decision = decision
        self.steps.append(
            Step("decision", decision.by, decision.at, decision.outcome.value, decision.comment)
        )


def _require_reason(comment: str | None) -> None:
    # A refusal or a return tells the applicant why, so the community can act on it.
    if not comment or not comment.strip():
        raise InvalidInput("a comment giving the reason is required", field="comment")
