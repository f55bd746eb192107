"""Survey responses (满意度测评, changsha-2024 第十九条). Handlers never commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.fraud_repository import FraudRepository
from eldercare.audit.adapters.rectification_repository import RectificationRepository
from eldercare.audit.adapters.survey_repository import SurveyRepository
from eldercare.audit.application.fraud import raise_flag
from eldercare.audit.domain.errors import InvalidSurvey
from eldercare.audit.domain.rectification import FindingType
from eldercare.audit.domain.survey import CallOutcome, SurveyResponse
from eldercare.audit.domain.visit_flag import NOT_DELIVERED, FlagSource, VisitFlag
from eldercare.common.auth import Principal
from eldercare.common.clock import utcnow
from eldercare.common.errors import NotFound
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class RecordSurvey:
    questionnaire_version: str
    visit_id: UUID | None
    beneficiary_id: UUID | None
    outcome: CallOutcome
    answers: dict[str, Any]
    principal: Principal


async def record_survey(cmd: RecordSurvey, uow: UnitOfWork) -> SurveyResponse:
    """The caller's record of one survey call; "not delivered" opens a finding and flags the visit."""
    facts = FraudRepository(uow.session)
    provider_id = caregiver_id = None
    if cmd.visit_id is not None:
        visit = await facts.get_visit(cmd.visit_id)
        if visit is None or not cmd.principal.covers_region(visit.district_code):
            raise InvalidSurvey("unknown visit", field="visit_id")
        if cmd.beneficiary_id is not None and cmd.beneficiary_id != visit.beneficiary_id:
            raise InvalidSurvey("the visit was to another beneficiary", field="beneficiary_id")
        district, beneficiary_id, provider_id = visit.district_code, visit.beneficiary_id, visit.provider_id
        caregiver_id = visit.caregiver_id
    elif cmd.beneficiary_id is not None:
        beneficiary = await facts.get_beneficiary(cmd.beneficiary_id)
        if beneficiary is None or not cmd.principal.covers_region(beneficiary.district_code):
            raise InvalidSurvey("unknown beneficiary", field="beneficiary_id")
        district, beneficiary_id = beneficiary.district_code, beneficiary.beneficiary_id
    else:
        raise InvalidSurvey("a survey is about a visit or a beneficiary", field="visit_id")
    now = utcnow()
    response = SurveyResponse.record(
        version=cmd.questionnaire_version,
        district_code=district,
        beneficiary_id=beneficiary_id,
        visit_id=cmd.visit_id,
        provider_id=provider_id,
        outcome=cmd.outcome,
        answers=cmd.answers,
        by=cmd.principal.subject,
        at=now,
    )
    findings = response.findings()
    for finding in findings:
        await RectificationRepository(uow.session).add_finding(finding)
        response.finding_ids.append(finding.id)
    if response.not_delivered and response.visit_id is not None and provider_id is not None:
        flag = VisitFlag(
            visit_id=response.visit_id,
            provider_id=provider_id,
            caregiver_id=caregiver_id,
            beneficiary_id=beneficiary_id,
            district_code=district,
            source=FlagSource.survey,
            signal=NOT_DELIVERED,
            score=100,
            evidence={
                "survey_response_id": str(response.id),
                "finding_ids": [str(f) for f in response.finding_ids],
            },
            raised_at=now,
            # The finding "not delivered" opened: confirming the flag confirms it (domain.visit_flag).
            finding_id=next((f.id for f in findings if f.type is FindingType.not_per_plan), None),
        )
        if await raise_flag(flag, uow):
            response.flag_id = flag.id
    await SurveyRepository(uow.session).add(response)
    return response


async def list_surveys(
    session: AsyncSession,
    principal: Principal,
    *,
    visit_id: UUID | None,
    beneficiary_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> list[SurveyResponse]:
    if principal.region is None:
        return []
    return await SurveyRepository(session).list_in_region(
        principal.region, visit_id=visit_id, beneficiary_id=beneficiary_id, after=after, limit=limit
    )


async def get_survey(session: AsyncSession, response_id: UUID, principal: Principal) -> SurveyResponse:
    response = await SurveyRepository(session).get(response_id)
    if response is None:
        raise NotFound("survey response not found")
    principal.ensure_region(response.district_code, "survey response")
    return response
