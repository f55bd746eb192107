"""Survey responses to and from their rows."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import SurveyResponseRow
from eldercare.audit.domain.survey import CallOutcome, SurveyResponse


class SurveyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, r: SurveyResponse) -> None:
        self.session.add(
            SurveyResponseRow(
                id=r.id,
                questionnaire_version=r.questionnaire_version,
                district_code=r.district_code,
                beneficiary_id=r.beneficiary_id,
                visit_id=r.visit_id,
                provider_id=r.provider_id,
                outcome=r.outcome.value,
                answers=r.answers,
                satisfaction=r.satisfaction,
                recorded_by=r.recorded_by,
                recorded_at=r.recorded_at,
                finding_ids=[str(f) for f in r.finding_ids],
                flag_id=r.flag_id,
            )
        )
        await self.session.flush()

    async def get(self, response_id: UUID) -> SurveyResponse | None:
        row = await self.session.get(SurveyResponseRow, response_id)
        return to_domain(row) if row else None

    async def list_in_region(
        self,
        region_prefix: str,
        *,
        visit_id: UUID | None,
        beneficiary_id: UUID | None,
        after: UUID | None,
        limit: int,
    ) -> list[SurveyResponse]:
        query = select(SurveyResponseRow).where(SurveyResponseRow.district_code.startswith(region_prefix))
        if visit_id is not None:
            query = query.where(SurveyResponseRow.visit_id == visit_id)
        if beneficiary_id is not None:
            query = query.where(SurveyResponseRow.beneficiary_id == beneficiary_id)
        if after is not None:
            query = query.where(SurveyResponseRow.id > after)
        rows = (await self.session.scalars(query.order_by(SurveyResponseRow.id).limit(limit))).all()
        return [to_domain(r) for r in rows]


def to_domain(row: SurveyResponseRow) -> SurveyResponse:
    return SurveyResponse(
        id=row.id,
        questionnaire_version=row.questionnaire_version,
        district_code=row.district_code,
        beneficiary_id=row.beneficiary_id,
        visit_id=row.visit_id,
        provider_id=row.provider_id,
        outcome=CallOutcome(row.outcome),
        answers=dict(row.answers),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        finding_ids=[UUID(f) for f in row.finding_ids],
        flag_id=row.flag_id,
    )
