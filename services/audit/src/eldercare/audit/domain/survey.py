"""Satisfaction surveys (满意度测评) on a versioned questionnaire.

changsha-2024-purchased-door-to-door-rules.md 第十九条: 市级民政部门应当对服务对象的满意度进行抽查;
区县（市）民政部门 ... 进行全覆盖回访，开展满意度测评. The questions are issue #7's: was the service
delivered as recorded, on time, complete, respectful; was anything sold or asked for; overall
satisfaction on a 5-point scale. A questionnaire never changes once published: a new wording is a
new version, and each response names the version it answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eldercare.audit.domain.errors import InvalidSurvey
from eldercare.audit.domain.rectification import Finding, FindingSource, FindingType
from eldercare.common.ids import uuid7


class AnswerKind(StrEnum):
    yes_no = "yes_no"
    scale_5 = "scale_5"  # 1 很不满意 … 5 非常满意
    text = "text"


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    kind: AnswerKind
    required: bool = True


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: str
    questions: tuple[Question, ...]

    def validate(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers checked against the questions; errors name ``answers.<code>``."""
        known = {q.code: q for q in self.questions}
        for code in answers:
            if code not in known:
                raise InvalidSurvey(
                    f"version {self.version} has no question {code!r}", field=f"answers.{code}"
                )
        out: dict[str, Any] = {}
        for q in self.questions:
            value = answers.get(q.code)
            if value is None:
                if q.required:
                    raise InvalidSurvey("this question needs an answer", field=f"answers.{q.code}")
                continue
            out[q.code] = _check(q, value)
        return out


def _check(q: Question, value: Any) -> Any:
    if q.kind is AnswerKind.yes_no and not isinstance(value, bool):
        raise InvalidSurvey("answer true or false", field=f"answers.{q.code}")
    if q.kind is AnswerKind.scale_5 and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
    ):
        raise InvalidSurvey("answer 1 to 5", field=f"answers.{q.code}")
    if q.kind is AnswerKind.text and (not isinstance(value, str) or not 1 <= len(value.strip()) <= 1000):
        raise InvalidSurvey("answer in 1 to 1000 characters", field=f"answers.{q.code}")
    return value.strip() if isinstance(value, str) else value


QUESTIONNAIRES: dict[str, Questionnaire] = {
    "2026.1": Questionnaire(
        version="2026.1",
        title="居家养老上门服务满意度测评",
        questions=(
            Question("delivered_as_recorded", "服务人员是否按记录上门提供了服务？", AnswerKind.yes_no),
            Question("on_time", "服务人员是否按约定时间到达？", AnswerKind.yes_no),
            Question("complete", "服务项目是否全部完成？", AnswerKind.yes_no),
            Question("respectful", "服务人员态度是否尊重、文明？", AnswerKind.yes_no),
            Question("sold_or_asked", "服务人员是否推销商品或索要钱物？", AnswerKind.yes_no),
            Question("sold_or_asked_details", "推销或索要的内容", AnswerKind.text, required=False),
            Question("overall_satisfaction", "总体满意度（1 很不满意 — 5 非常满意）", AnswerKind.scale_5),
        ),
    )
}
CURRENT_VERSION = "2026.1"


class CallOutcome(StrEnum):
    reached = "reached"
    no_answer = "no_answer"
    refused = "refused"
    wrong_number = "wrong_number"


OUTCOME_LABELS = {
    CallOutcome.reached: "已接通并完成测评",
    CallOutcome.no_answer: "无人接听",
    CallOutcome.refused: "拒绝回答",
    CallOutcome.wrong_number: "号码错误",
}


@dataclass
class SurveyResponse:
    questionnaire_version: str
    district_code: str
    beneficiary_id: UUID
    visit_id: UUID | None
    provider_id: UUID | None
    outcome: CallOutcome
    answers: dict[str, Any]
    recorded_by: str
    recorded_at: datetime
    finding_ids: list[UUID] = field(default_factory=list)
    flag_id: UUID | None = None
    id: UUID = field(default_factory=uuid7)

    @classmethod
    def record(
        cls,
        *,
        version: str,
        district_code: str,
        beneficiary_id: UUID,
        visit_id: UUID | None,
        provider_id: UUID | None,
        outcome: CallOutcome,
        answers: Mapping[str, Any],
        by: str,
        at: datetime,
    ) -> SurveyResponse:
        questionnaire = QUESTIONNAIRES.get(version)
        if questionnaire is None:
            raise InvalidSurvey(f"unknown questionnaire version {version!r}", field="questionnaire_version")
        if outcome is not CallOutcome.reached and answers:
            raise InvalidSurvey("answers only from a beneficiary reached", field="answers")
        checked = questionnaire.validate(answers) if outcome is CallOutcome.reached else {}
        return cls(version, district_code, beneficiary_id, visit_id, provider_id, outcome, checked, by, at)

    @property
    def satisfaction(self) -> int | None:
        value = self.answers.get("overall_satisfaction")
        return value if isinstance(value, int) else None

    @property
    def not_delivered(self) -> bool:
        return self.answers.get("delivered_as_recorded") is False

    def findings(self) -> list[Finding]:
        """What the answers allege against the provider of the visit, as findings to investigate:
        not delivered → 第十八条（一）; something sold or asked for → （二）."""
        if self.provider_id is None or self.visit_id is None:
            return []
        alleged = []
        if self.not_delivered:
            alleged.append((FindingType.not_per_plan, "回访中服务对象称该次服务未按记录提供"))
        if self.answers.get("sold_or_asked") is True:
            details = self.answers.get("sold_or_asked_details") or "未说明"
            alleged.append((FindingType.selling_or_fraud, f"回访中服务对象称服务人员推销或索要：{details}"))
        return [
            Finding(
                district_code=self.district_code,
                provider_id=self.provider_id,
                type=kind,
                source=FindingSource.survey,
                source_id=self.id,
                evidence=(f"survey_response {self.id} (questionnaire {self.questionnaire_version})", text),
                description=text,
                recorded_by=self.recorded_by,
                recorded_at=self.recorded_at,
                visit_ids=(self.visit_id,),
            )
            for kind, text in alleged
        ]
