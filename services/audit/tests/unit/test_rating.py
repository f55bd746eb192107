"""Provider ratings on a published formula (huzhou-2022 第三十七条), as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from eldercare.audit.domain.errors import InvalidFormula
from eldercare.audit.domain.rating import ProviderInputs, RatingFormula, rate

AT = datetime(2026, 11, 1, tzinfo=UTC)
WEIGHTS = {
    "verification_pass_rate": 0.3,
    "attendance": 0.2,
    "punctuality": 0.1,
    "satisfaction": 0.2,
    "complaints": 0.1,
    "findings": 0.1,
}
GRADES = [("A", 90.0), ("B", 75.0), ("C", 60.0), ("D", 0.0)]


def formula(**kw: Any) -> RatingFormula:
    values: dict[str, Any] = {"weights": WEIGHTS, "grades": GRADES, "on_time_minutes": 15}
    values |= kw
    return RatingFormula.publish(
        "2026.1", values["weights"], values["grades"], values["on_time_minutes"], by="c", at=AT
    )


class TestFormula:
    def test_weights_that_do_not_sum_to_one_are_refused(self) -> None:
        with pytest.raises(InvalidFormula) as e:
            formula(weights=WEIGHTS | {"findings": 0.2})
        assert e.value.field == "weights"

    def test_an_unknown_metric_is_refused_by_name(self) -> None:
        with pytest.raises(InvalidFormula) as e:
            formula(weights={"vibes": 1.0})
        assert e.value.field == "weights.vibes"

    def test_grades_go_from_the_highest_minimum_down(self) -> None:
        with pytest.raises(InvalidFormula):
            formula(grades=[("B", 75.0), ("A", 90.0)])


class TestRate:
    def test_a_perfect_month_is_100_and_graded_a(self) -> None:
        inputs = ProviderInputs(
            uuid4(),
            visits_completed=10,
            visits_verified=10,
            visits_with_plan=10,
            visits_on_time=10,
            surveys_reached=2,
            satisfaction_sum=10,
        )
        r = rate(inputs, formula())
        assert (r.score, r.grade) == (100.0, "A")
        assert r.inputs["visits_completed"] == 10

    def test_the_metrics_follow_the_published_definitions(self) -> None:
        inputs = ProviderInputs(
            uuid4(),
            visits_completed=8,
            visits_verified=6,
            visits_missed=2,
            visits_with_plan=8,
            visits_on_time=4,
            surveys_reached=2,
            satisfaction_sum=6,
            complaints_substantiated=1,
            findings_unrectified=1,
            findings_rectified=2,
        )
        m = rate(inputs, formula()).metrics
        assert m["verification_pass_rate"] == 0.75
        assert m["attendance"] == 0.8
        assert m["punctuality"] == 0.5
        assert m["satisfaction"] == 0.5
        assert m["complaints"] == pytest.approx(1 / 13.5)
        assert m["findings"] == pytest.approx(1 / 3)

    def test_a_metric_without_data_is_left_out_and_the_weights_renormalised(self) -> None:
        inputs = ProviderInputs(
            uuid4(), visits_completed=4, visits_verified=4, visits_with_plan=4, visits_on_time=4
        )
        r = rate(inputs, formula())
        assert r.metrics["satisfaction"] is None
        assert "satisfaction" not in r.weights_used
        assert sum(r.weights_used.values()) == pytest.approx(1)
        assert r.score == 100.0
