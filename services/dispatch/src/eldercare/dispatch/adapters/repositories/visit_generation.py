"""The queries of visit generation (application/visit_generation.py): plans to generate for,
the occurrences already generated, and the insert that never makes one twice."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.dispatch.adapters.models import BeneficiaryRow, CarePlanRow, VisitRow
from eldercare.dispatch.adapters.repositories import beneficiaries, care_plans, visits
from eldercare.dispatch.domain.beneficiaries import Beneficiary
from eldercare.dispatch.domain.care_plans import CarePlan, CarePlanStatus
from eldercare.dispatch.domain.visits import Visit, VisitStatus

_SCHEDULED = func.jsonb_array_length(CarePlanRow.schedule) > 0
_GENERATED = VisitRow.generated_for_at.is_not(None) & ~VisitRow.generation_released
# The predicate of uq_visits_generated, as written in the index (ON CONFLICT infers the index from it).
_INDEX_WHERE = text("generated_for_at IS NOT NULL AND NOT generation_released")


class GenerationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_plans_due(self, after: UUID | None, limit: int) -> list[CarePlan]:
        """Active plans with a schedule, in id order after ``after``, locked SKIP LOCKED: a plan
        being changed (its version locks it and generates itself) or swept by another worker is
        skipped, so generation never runs on a plan version that is being replaced."""
        query = select(CarePlanRow).where(CarePlanRow.status == CarePlanStatus.active.value, _SCHEDULED)
        if after is not None:
            query = query.where(CarePlanRow.id > after)
        query = query.order_by(CarePlanRow.id).limit(limit).with_for_update(skip_locked=True)
        return [care_plans.to_domain(r) for r in (await self.session.scalars(query)).all()]

    async def list_plans_of_provider(self, provider_id: UUID) -> list[CarePlan]:
        """The provider's active plans with a schedule, locked (waits for a version in progress)."""
        query = select(CarePlanRow).where(
            CarePlanRow.provider_id == provider_id,
            CarePlanRow.status == CarePlanStatus.active.value,
            _SCHEDULED,
        )
        rows = await self.session.scalars(query.order_by(CarePlanRow.id).with_for_update())
        return [care_plans.to_domain(r) for r in rows.all()]

    async def list_plans_of_beneficiary(self, beneficiary_id: UUID) -> list[CarePlan]:
        query = select(CarePlanRow).where(
            CarePlanRow.beneficiary_id == beneficiary_id,
            CarePlanRow.status == CarePlanStatus.active.value,
            _SCHEDULED,
        )
        rows = await self.session.scalars(query.order_by(CarePlanRow.id).with_for_update())
        return [care_plans.to_domain(r) for r in rows.all()]

    async def get_beneficiary_for_share(self, beneficiary_id: UUID) -> Beneficiary | None:
        """The beneficiary, share-locked until commit: a status change (which locks the row for
        update and cancels visits) waits for this transaction's visits and then sees them, or
        commits first and this read sees the new status. No visit slips past a suspension."""
        query = select(BeneficiaryRow).where(BeneficiaryRow.id == beneficiary_id).with_for_update(read=True)
        row = (await self.session.scalars(query)).first()
        return beneficiaries.to_domain(row) if row else None

    async def generated_keys(self, care_plan_id: UUID, since: datetime) -> set[tuple[str, datetime]]:
        """(item, occurrence start) of the plan's generated visits from ``since``, whatever their
        status, released ones excepted."""
        query = select(VisitRow.service_code, VisitRow.generated_for_at).where(
            VisitRow.care_plan_id == care_plan_id, _GENERATED, VisitRow.generated_for_at >= since
        )
        return {(r.service_code, r.generated_for_at) for r in (await self.session.execute(query)).all()}

    async def list_generated_ahead(self, care_plan_id: UUID, now: datetime) -> list[Visit]:
        """The plan's generated visits not started whose slot has not begun, locked."""
        query = select(VisitRow).where(
            VisitRow.care_plan_id == care_plan_id,
            _GENERATED,
            VisitRow.status == VisitStatus.scheduled.value,
            VisitRow.scheduled_start_at >= now,
        )
        rows = await self.session.scalars(query.order_by(VisitRow.id).with_for_update())
        return [visits.to_domain(r) for r in rows.all()]

    async def furthest_generated(self, care_plan_id: UUID) -> datetime | None:
        """The latest occurrence ever generated for the plan (released ones included): how far
        the rolling horizon had reached."""
        query = select(func.max(VisitRow.generated_for_at)).where(VisitRow.care_plan_id == care_plan_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def insert_generated(self, visit: Visit) -> bool:
        """Insert a generated visit unless its occurrence is already there (the unique index
        uq_visits_generated): a rerun, a redelivery or a racing worker inserts nothing. True when
        inserted. Core insert: an ORM flush would abort the transaction on the conflict."""
        assert visit.generated_for_at is not None
        row = VisitRow(id=visit.id)
        visits._copy_into(row, visit)
        values = {c.key: getattr(row, c.key) for c in VisitRow.__table__.columns}
        values = {k: v for k, v in values.items() if v is not None}
        values["version"] = 1
        statement = (
            insert(VisitRow)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=["care_plan_id", "service_code", "generated_for_at"],
                index_where=_INDEX_WHERE,
            )
            .returning(VisitRow.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None
