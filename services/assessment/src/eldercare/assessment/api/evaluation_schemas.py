"""Bodies of the stateless evaluation API (``POST /v1/evaluations``), in the shape of issue #4."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from eldercare.assessment.domain.adjustments import RISK_EVENT_OPTION_MAX
from eldercare.assessment.domain.evaluation import Diagnosis, Evaluation, EvaluationInput
from eldercare.assessment.domain.gbt42195 import DEFAULT_RULE_SET, level_label

_FORBID = ConfigDict(extra="forbid")

_Count = Annotated[StrictInt, Field(ge=0, le=RISK_EVENT_OPTION_MAX)]
ItemCode = Annotated[str, StringConstraints(max_length=16)]


class RiskEventsIn(BaseModel):
    """A.2.14 近30天内照护风险事件: per category 0, 1, 2 or 3 (3 = 发生过3次及以上)."""

    model_config = _FORBID

    fall: _Count = Field(description="A.2.14.1 跌倒")
    wandering: _Count = Field(description="A.2.14.2 走失")
    choking: _Count = Field(description="A.2.14.3 噎食")
    suicide_self_harm: _Count = Field(description="A.2.14.4 自杀、自伤")
    other: _Count = Field(description="A.2.14.5 其他")

    def as_categories(self) -> dict[str, int]:
        """The engine's category names (adjustments.RISK_EVENT_CATEGORIES)."""
        return {
            "fall": self.fall,
            "wandering": self.wandering,
            "choking": self.choking,
            "self_harm": self.suicide_self_harm,
            "other": self.other,
        }


class DiagnosisIn(BaseModel):
    """A.4.1 疾病诊断: an ICD-10 code, and whether a psychiatric specialist made the diagnosis (R3)."""

    model_config = _FORBID

    icd10: Annotated[str, StringConstraints(max_length=16)]
    by_psychiatrist: StrictBool = False


class EvaluationCreate(BaseModel):
    """One Annex B table with the Annex A inputs of C.4. Items take a score or an option code
    (``GET /v1/evaluation-items``); B.3.9 ``"coma"`` (昏迷) triggers R1, ``"stupor"`` (昏睡) does not."""

    model_config = _FORBID

    # Values are checked by the engine (a score in the item's range, or one of its option codes), so
    # a bad value is one error naming the item, and every bad item is named at once.
    items: dict[ItemCode, Any] = Field(max_length=40, description="all 26 items: score or option code")
    coma: StrictBool = Field(description="A.5.11 昏迷")
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=50)
    risk_events_30d: RiskEventsIn
    rule_set: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description=f"a named rule set (GET /v1/rule-sets); default {DEFAULT_RULE_SET}"
    )

    def to_domain(self) -> EvaluationInput:
        return EvaluationInput(
            items=self.items,
            coma=self.coma,
            diagnoses=tuple(Diagnosis(d.icd10, d.by_psychiatrist) for d in self.diagnoses),
            risk_events_30d=self.risk_events_30d.as_categories(),
            rule_set=self.rule_set,
        )


class AdjustmentOut(BaseModel):
    rule: str = Field(description="R1..R4 (gbt42195.md §1.5)")
    reason: str


class EvaluationRead(BaseModel):
    total: int = Field(description="C.2, 0..90")
    dimensions: dict[str, int] = Field(description="C.1 subtotals B.1..B.4")
    preliminary_level: int = Field(description="C.3, 0..4")
    final_level: int = Field(description="C.5, 0..4")
    level_name: str = Field(description="the final level's name")
    adjustments: list[AdjustmentOut]
    rule_set: str

    @classmethod
    def from_domain(cls, e: Evaluation) -> EvaluationRead:
        r = e.result
        return cls(
            total=r.total_score,
            dimensions=r.subtotals,
            preliminary_level=r.preliminary_level,
            final_level=r.final_level,
            level_name=level_label(r.final_level),
            adjustments=[AdjustmentOut(rule=a.code, reason=a.reason) for a in r.adjustments],
            rule_set=e.rule_set,
        )


class OptionRead(BaseModel):
    code: str
    score: int
    label: str


class ItemRead(BaseModel):
    code: str
    name: str
    maximum: int
    options: list[OptionRead]


class RuleSetRead(BaseModel):
    name: str
    adjustment_stacking: str
    risk_event_counting: str
    description: str
    basis: str
    default: bool
