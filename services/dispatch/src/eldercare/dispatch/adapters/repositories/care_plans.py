"""Care plans and their agreements."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.dispatch.adapters.models import CarePlanRow
from eldercare.dispatch.domain.care_plans import Agreement, CarePlan, CarePlanStatus


class CarePlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, care_plan_id: UUID) -> CarePlan | None:
        row = await self.session.get(CarePlanRow, care_plan_id)
        return to_domain(row) if row else None

    async def get_active(self, beneficiary_id: UUID, provider_id: UUID) -> CarePlan | None:
        query = select(CarePlanRow).where(
            CarePlanRow.beneficiary_id == beneficiary_id,
            CarePlanRow.provider_id == provider_id,
            CarePlanRow.status == CarePlanStatus.active.value,
        )
        row = (await self.session.scalars(query)).first()
        return to_domain(row) if row else None

    async def list_active_of_beneficiary(self, beneficiary_id: UUID) -> list[CarePlan]:
        """The beneficiary's active plans, oldest first."""
        query = select(CarePlanRow).where(
            CarePlanRow.beneficiary_id == beneficiary_id,
            CarePlanRow.status == CarePlanStatus.active.value,
        )
        rows = await self.session.scalars(query.order_by(CarePlanRow.activated_at, CarePlanRow.id))
        return [to_domain(row) for row in rows.all()]

    async def add(self, plan: CarePlan) -> None:
        self.session.add(
            CarePlanRow(
                id=plan.id,
                beneficiary_id=plan.beneficiary_id,
                provider_id=plan.provider_id,
                district_code=plan.district_code,
                community_code=plan.community_code,
                service_codes=list(plan.service_codes),
                frequency_per_month=plan.frequency_per_month,
                agreement_signed_on=plan.agreement.signed_on,
                agreement_duration_months=plan.agreement.duration_months,
                agreement_ends_on=plan.agreement.ends_on,
                family_consent_obtained=plan.agreement.family_consent_obtained,
                status=plan.status.value,
                activated_at=plan.activated_at,
                created_by=plan.created_by,
            )
        )
        await self.session.flush()


def to_domain(row: CarePlanRow) -> CarePlan:
    return CarePlan(
        id=row.id,
        beneficiary_id=row.beneficiary_id,
        provider_id=row.provider_id,
        district_code=row.district_code,
        community_code=row.community_code,
        service_codes=tuple(row.service_codes),
        frequency_per_month=row.frequency_per_month,
        agreement=Agreement(
            signed_on=row.agreement_signed_on,
            duration_months=row.agreement_duration_months,
            family_consent_obtained=row.family_consent_obtained,
        ),
        activated_at=row.activated_at,
        created_by=row.created_by,
        status=CarePlanStatus(row.status),
    )
