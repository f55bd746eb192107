"""Provider ratings per period from objective data only, on a published, versioned formula.

huzhou-2022-home-care-regulation.md 第三十七条: 民政部门应当建立并实施居家养老服务绩效评估制度。评估结果
应当向社会公开，并作为政府购买服务、发放建设补助和运营补贴的依据. xiangtan-2025-home-care-provisions.md
第十九条 (service per the norms, no inducement) and nanchang-2019-home-care-regulation.md 第三十九条
(service standards) say what is measured; none fixes weights, so a formula is published by the city
(a version never changes) and each rating names the version it used.

Metrics, each in [0, 1] (1 is best), over the provider's visits in the district and period:

- ``verification_pass_rate``: completed visits dispatch verified / completed visits.
- ``attendance``: 1 − missed / (completed + missed) (a missed visit: nobody checked in in its window).
- ``punctuality``: visits checked in within ``on_time_minutes`` of the planned start / visits with a
  planned start.
- ``satisfaction``: (mean overall satisfaction of reached surveys − 1) / 4.
- ``complaints``: 1 / (1 + substantiated complaints per 100 completed visits).
- ``findings``: 1 / (1 + findings not rectified + 0.5 × findings rectified) (第十八条 findings).

score = 100 × Σ weight × metric over the metrics that have data (a provider nobody was surveyed
about has no satisfaction metric), the weights of those renormalised to 1; the grade is the first
whose minimum the score reaches, in the formula's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eldercare.audit.domain.errors import InvalidFormula

METRICS = ("verification_pass_rate", "attendance", "punctuality", "satisfaction", "complaints", "findings")
BASIS = (
    "huzhou-2022-home-care-regulation.md 第三十七条",
    "xiangtan-2025-home-care-provisions.md 第十九条",
    "nanchang-2019-home-care-regulation.md 第三十九条",
)


@dataclass(frozen=True)
class RatingFormula:
    version: str
    weights: dict[str, float]
    grades: list[tuple[str, float]]  # (grade, minimum score), best first
    on_time_minutes: int
    published_by: str
    published_at: datetime

    @classmethod
    def publish(
        cls,
        version: str,
        weights: dict[str, float],
        grades: list[tuple[str, float]],
        on_time_minutes: int,
        *,
        by: str,
        at: datetime,
    ) -> RatingFormula:
        for name, w in weights.items():
            if name not in METRICS:
                raise InvalidFormula(
                    f"unknown metric {name!r}; metrics are {', '.join(METRICS)}", field=f"weights.{name}"
                )
            if not 0 <= w <= 1:
                raise InvalidFormula("a weight is between 0 and 1", field=f"weights.{name}")
        if abs(sum(weights.values()) - 1) > 1e-9:
            raise InvalidFormula(f"the weights sum to {sum(weights.values()):g}, not 1", field="weights")
        minimums = [m for _, m in grades]
        if (
            not grades
            or minimums != sorted(minimums, reverse=True)
            or not all(0 <= m <= 100 for m in minimums)
        ):
            raise InvalidFormula("grades go from the highest minimum down, each 0 to 100", field="grades")
        if len({g for g, _ in grades}) != len(grades):
            raise InvalidFormula("each grade once", field="grades")
        return cls(version, dict(weights), list(grades), on_time_minutes, by, at)


@dataclass(frozen=True)
class ProviderInputs:
    """The objective data behind one provider's rating (shown with it)."""

    provider_id: UUID
    visits_completed: int = 0
    visits_verified: int = 0
    visits_missed: int = 0
    visits_with_plan: int = 0
    visits_on_time: int = 0
    surveys_reached: int = 0
    satisfaction_sum: int = 0
    complaints_substantiated: int = 0
    findings_unrectified: int = 0
    findings_rectified: int = 0

    def metrics(self) -> dict[str, float | None]:
        done = self.visits_completed
        return {
            "verification_pass_rate": self.visits_verified / done if done else None,
            "attendance": 1 - self.visits_missed / (done + self.visits_missed)
            if done + self.visits_missed
            else None,
            "punctuality": self.visits_on_time / self.visits_with_plan if self.visits_with_plan else None,
            "satisfaction": (self.satisfaction_sum / self.surveys_reached - 1) / 4
            if self.surveys_reached
            else None,
            "complaints": 1 / (1 + 100 * self.complaints_substantiated / done) if done else None,
            "findings": 1 / (1 + self.findings_unrectified + 0.5 * self.findings_rectified),
        }


@dataclass(frozen=True)
class Rating:
    provider_id: UUID
    score: float
    grade: str
    metrics: dict[str, float | None]
    weights_used: dict[str, float]
    inputs: dict[str, Any]


def rate(inputs: ProviderInputs, formula: RatingFormula) -> Rating:
    metrics = inputs.metrics()
    present = {m: w for m, w in formula.weights.items() if w > 0 and metrics.get(m) is not None}
    total = sum(present.values())
    used = {m: w / total for m, w in present.items()} if total else {}
    score = round(100 * sum(used[m] * (metrics[m] or 0.0) for m in used), 2)
    grade = next((g for g, minimum in formula.grades if score >= minimum), "unrated")
    inputs_shown = {k: v for k, v in vars(inputs).items() if k != "provider_id"}
    return Rating(inputs.provider_id, score, grade, metrics, used, inputs_shown)
