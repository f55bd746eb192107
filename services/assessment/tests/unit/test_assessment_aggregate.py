"""The assessment aggregate: a pending task completed once by two assessors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from eldercare.assessment.domain.assessment import (
    Assessment,
    AssessmentReason,
    AssessmentStatus,
    InformantRelation,
    InformationProvider,
    ensure_community_in_district,
)
from eldercare.assessment.domain.errors import AssessmentNotPending, InvalidAssessmentResult
from eldercare.assessment.domain.gbt42195 import RuleSettings
from eldercare.assessment.domain.scoring import ScoringInput
from eldercare.common.errors import InvalidInput

ItemsForTotal = Callable[[int], dict[str, int]]
# 2026-11-20 20:00 UTC is already 2026-11-21 in Asia/Shanghai.
NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def task() -> Assessment:
    return Assessment(
        person_id=uuid4(),
        district_code="430102",
        community_code="430102001001",
        reason=AssessmentReason.initial,
        requested_at=NOW,
        application_id=uuid4(),
    )


def complete(a: Assessment, items: dict[str, int], **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "settings": RuleSettings(),
        "assessors": ["assessor-001", "assessor-002"],
        "information_provider": InformationProvider("张某", InformantRelation.child),
        "assessed_on": date(2026, 11, 20),
        "submitted_by": "assessor-430102",
        "now": NOW,
        **overrides,
    }
    return a.complete(ScoringInput(items=items), **kwargs)


class TestCompleting:
    def test_a_pending_task_completes_with_its_report(self, items_for_total: ItemsForTotal) -> None:
        a = task()
        report = complete(a, items_for_total(70))
        assert a.status is AssessmentStatus.completed
        assert a.report is report
        assert (report.scoring.total_score, report.scoring.final_level) == (70, 1)
        assert report.assessors == ("assessor-001", "assessor-002")
        assert report.completed_at == NOW

    def test_a_completed_task_cannot_receive_results_again(self, items_for_total: ItemsForTotal) -> None:
        a = task()
        complete(a, items_for_total(70))
        with pytest.raises(AssessmentNotPending):
            complete(a, items_for_total(50))
        assert a.report is not None and a.report.scoring.total_score == 70

    @pytest.mark.parametrize(
        "assessors",
        [["assessor-001"], ["assessor-001", "assessor-001"], ["a", "b", "c"], ["assessor-001", " "]],
    )
    def test_exactly_two_different_assessors_must_sign(
        self, items_for_total: ItemsForTotal, assessors: list[str]
    ) -> None:
        a = task()
        with pytest.raises(InvalidAssessmentResult) as error:
            complete(a, items_for_total(70), assessors=assessors)
        assert error.value.field == "assessors"
        assert a.status is AssessmentStatus.pending

    def test_the_assessment_date_may_be_today_in_china(self, items_for_total: ItemsForTotal) -> None:
        report = complete(task(), items_for_total(70), assessed_on=date(2026, 11, 21))
        assert report.assessed_on == date(2026, 11, 21)

    def test_an_assessment_date_in_the_future_is_rejected(self, items_for_total: ItemsForTotal) -> None:
        with pytest.raises(InvalidAssessmentResult) as error:
            complete(task(), items_for_total(70), assessed_on=date(2026, 11, 22))
        assert error.value.field == "assessed_on"

    def test_an_invalid_score_sheet_leaves_the_task_pending(self, items_for_total: ItemsForTotal) -> None:
        a = task()
        with pytest.raises(InvalidInput):
            complete(a, {**items_for_total(70), "B.2.4": 4})
        assert (a.status, a.report) == (AssessmentStatus.pending, None)


class TestRegions:
    def test_a_community_belongs_to_the_district_its_code_starts_with(self) -> None:
        ensure_community_in_district("430102", "430102001001")
        with pytest.raises(InvalidAssessmentResult) as error:
            ensure_community_in_district("430102", "430103001001")
        assert error.value.field == "community_code"
