"""The application aggregate: the transitions of Changsha 第十一条 and its step log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from eldercare.common.errors import InvalidInput
from eldercare.intake.domain.application import (
    Application,
    ApplicationStatus,
    AssessmentResult,
    Decision,
    DecisionOutcome,
    ReviewOutcome,
)
from eldercare.intake.domain.errors import ApplicationNotDecidable, ApplicationNotReviewable

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def application() -> Application:
    return Application(
        person_id=uuid4(),
        policy="changsha",
        community_code="430102001001",
        district_code="430102",
        circumstances=("subsistence_allowance",),
        submitted_by="worker",
        submitted_at=T0,
    )


def result(level: int = 1, at: datetime = T0 + timedelta(days=1)) -> AssessmentResult:
    return AssessmentResult(uuid4(), 70, level, at)


def decision(outcome: DecisionOutcome = DecisionOutcome.approved, comment: str | None = "ok") -> Decision:
    return Decision(
        outcome,
        "district",
        T0 + timedelta(days=2),
        "changsha-2024",
        "2024.1",
        (),
        comment,
        date(2026, 11, 22),
    )


def assessed() -> Application:
    a = application()
    a.review(ReviewOutcome.pass_, by="street", at=T0, comment=None)
    a.record_assessment(result())
    return a


class TestSubmission:
    def test_a_new_application_is_submitted_with_one_step(self) -> None:
        a = application()
        assert a.status is ApplicationStatus.submitted
        assert [(s.action, s.by) for s in a.steps] == [("submitted", "worker")]


class TestReview:
    @pytest.mark.parametrize(
        ("outcome", "status"),
        [
            (ReviewOutcome.pass_, ApplicationStatus.assessment_requested),
            (ReviewOutcome.return_, ApplicationStatus.returned),
            (ReviewOutcome.reject, ApplicationStatus.rejected),
        ],
    )
    def test_each_outcome_moves_to_its_status_and_is_logged(
        self, outcome: ReviewOutcome, status: ApplicationStatus
    ) -> None:
        a = application()
        a.review(outcome, by="street", at=T0, comment="原因")
        assert a.status is status
        assert (a.steps[-1].action, a.steps[-1].outcome, a.steps[-1].comment) == (
            "review",
            outcome.value,
            "原因",
        )

    def test_a_second_review_is_refused(self) -> None:
        a = application()
        a.review(ReviewOutcome.pass_, by="street", at=T0, comment=None)
        with pytest.raises(ApplicationNotReviewable):
            a.review(ReviewOutcome.reject, by="street", at=T0, comment="x")

    @pytest.mark.parametrize("outcome", [ReviewOutcome.return_, ReviewOutcome.reject])
    def test_a_return_or_rejection_needs_a_reason(self, outcome: ReviewOutcome) -> None:
        with pytest.raises(InvalidInput) as caught:
            application().review(outcome, by="street", at=T0, comment="  ")
        assert caught.value.field == "comment"


class TestRecordAssessment:
    def test_a_result_moves_a_requested_assessment_to_assessed(self) -> None:
        a = application()
        a.review(ReviewOutcome.pass_, by="street", at=T0, comment=None)
        r = result(level=2)
        assert a.record_assessment(r) is True
        assert (a.status, a.assessment) == (ApplicationStatus.assessed, r)

    def test_a_result_before_the_street_review_is_not_applied(self) -> None:
        a = application()
        assert a.record_assessment(result()) is False
        assert (a.status, a.assessment) == (ApplicationStatus.submitted, None)

    def test_the_same_result_twice_changes_nothing(self) -> None:
        a = assessed()
        steps = len(a.steps)
        assert a.record_assessment(a.assessment) is False  # type: ignore[arg-type]
        assert len(a.steps) == steps

    def test_a_newer_result_replaces_an_older_one_until_the_decision(self) -> None:
        a = assessed()
        newer = result(level=3, at=T0 + timedelta(days=3))
        assert a.record_assessment(newer) is True
        assert a.assessment == newer
        assert a.record_assessment(result(level=0, at=T0 + timedelta(hours=1))) is False

    def test_a_result_after_the_decision_is_not_applied(self) -> None:
        a = assessed()
        a.approve(decision(), uuid4())
        assert a.record_assessment(result(level=4, at=T0 + timedelta(days=9))) is False
        assert a.status is ApplicationStatus.enrolled


class TestDecision:
    def test_an_approval_enrols_and_remembers_the_beneficiary(self) -> None:
        a, beneficiary_id = assessed(), uuid4()
        a.approve(decision(), beneficiary_id)
        assert (a.status, a.beneficiary_id) == (ApplicationStatus.enrolled, beneficiary_id)
        assert a.steps[-1].action == "decision"

    def test_a_rejection_needs_a_reason(self) -> None:
        with pytest.raises(InvalidInput):
            assessed().reject(decision(DecisionOutcome.rejected, comment=None))

    def test_an_application_not_yet_assessed_cannot_be_decided(self) -> None:
        a = application()
        a.review(ReviewOutcome.pass_, by="street", at=T0, comment=None)
        with pytest.raises(ApplicationNotDecidable):
            a.approve(decision(), uuid4())

    def test_a_decided_application_cannot_be_decided_again(self) -> None:
        a = assessed()
        a.reject(decision(DecisionOutcome.rejected))
        with pytest.raises(ApplicationNotDecidable):
            a.approve(decision(), uuid4())
