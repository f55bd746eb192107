"""Questionnaires and survey responses (满意度测评, changsha-2024-purchased-door-to-door-rules.md
第十九条). Auditors and district officers record calls in their region; city admins read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from eldercare.audit.application import surveys as handlers
from eldercare.audit.domain import survey as sv
from eldercare.common.auth import Principal, Role, require
from eldercare.common.errors import NotFound
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

questionnaires = APIRouter(prefix="/v1/questionnaires", tags=["surveys"])
responses = APIRouter(prefix="/v1/survey-responses", tags=["surveys"])

Staff = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer))]
Reader = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]
Rt = Annotated[Runtime, Depends(runtime)]


class QuestionRead(BaseModel):
    code: str
    text: str
    kind: sv.AnswerKind
    required: bool


class QuestionnaireRead(BaseModel):
    version: str
    title: str
    current: bool
    questions: list[QuestionRead]

    @classmethod
    def from_domain(cls, q: sv.Questionnaire) -> QuestionnaireRead:
        return cls(
            version=q.version,
            title=q.title,
            current=q.version == sv.CURRENT_VERSION,
            questions=[
                QuestionRead(code=x.code, text=x.text, kind=x.kind, required=x.required) for x in q.questions
            ],
        )


class SurveyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questionnaire_version: str = Field(max_length=16)
    visit_id: UUID | None = Field(default=None, description="The visit asked about, if any")
    beneficiary_id: UUID | None = Field(default=None, description="Without a visit: the beneficiary asked")
    outcome: sv.CallOutcome
    answers: dict[Annotated[str, Field(max_length=64)], Any] = Field(default_factory=dict, max_length=50)


class SurveyRead(BaseModel):
    id: UUID
    questionnaire_version: str
    district_code: str
    beneficiary_id: UUID
    visit_id: UUID | None
    provider_id: UUID | None
    outcome: sv.CallOutcome
    outcome_label: str
    answers: dict[str, Any]
    satisfaction: int | None
    recorded_by: str
    recorded_at: datetime
    finding_ids: list[UUID] = Field(description="Findings the answers opened (not delivered, sold or asked)")
    flag_id: UUID | None = Field(description="The visit flag a 'not delivered' answer raised")

    @classmethod
    def from_domain(cls, r: sv.SurveyResponse) -> SurveyRead:
        return cls(
            id=r.id,
            questionnaire_version=r.questionnaire_version,
            district_code=r.district_code,
            beneficiary_id=r.beneficiary_id,
            visit_id=r.visit_id,
            provider_id=r.provider_id,
            outcome=r.outcome,
            outcome_label=sv.OUTCOME_LABELS[r.outcome],
            answers=r.answers,
            satisfaction=r.satisfaction,
            recorded_by=r.recorded_by,
            recorded_at=r.recorded_at,
            finding_ids=list(r.finding_ids),
            flag_id=r.flag_id,
        )


@questionnaires.get("", response_model=list[QuestionnaireRead], summary="Every questionnaire version")
async def list_questionnaires(principal: Reader) -> list[QuestionnaireRead]:
    return [QuestionnaireRead.from_domain(q) for q in sv.QUESTIONNAIRES.values()]


@questionnaires.get("/{version}", response_model=QuestionnaireRead, summary="One questionnaire version")
async def get_questionnaire(version: str, principal: Reader) -> QuestionnaireRead:
    if version not in sv.QUESTIONNAIRES:
        raise NotFound("questionnaire version not found")
    return QuestionnaireRead.from_domain(sv.QUESTIONNAIRES[version])


@responses.post(
    "",
    response_model=SurveyRead,
    status_code=201,
    summary="Record a survey call; 'not delivered' opens a finding and flags the visit",
)
async def record_survey(body: SurveyCreate, principal: Staff, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.RecordSurvey(
        body.questionnaire_version, body.visit_id, body.beneficiary_id, body.outcome, body.answers, principal
    )
    return await execute(
        rt, lambda uow: handlers.record_survey(cmd, uow), SurveyRead.from_domain, idempotency=idem
    )


@responses.get("", response_model=Page[SurveyRead], summary="Survey responses of the region")
async def list_surveys(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    visit_id: Annotated[UUID | None, Query()] = None,
    beneficiary_id: Annotated[UUID | None, Query()] = None,
) -> Page[SurveyRead]:
    async with rt.read_session() as session:
        found = await handlers.list_surveys(
            session,
            principal,
            visit_id=visit_id,
            beneficiary_id=beneficiary_id,
            after=page.after,
            limit=page.limit + 1,
        )
    return make_page([SurveyRead.from_domain(r) for r in found], page.limit)


@responses.get("/{response_id}", response_model=SurveyRead, summary="One survey response")
async def get_survey(response_id: UUID, principal: Reader, rt: Rt) -> SurveyRead:
    async with rt.read_session() as session:
        return SurveyRead.from_domain(await handlers.get_survey(session, response_id, principal))
