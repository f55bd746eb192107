"""The spot-check repository: maps ``SpotCheck`` to and from ``spot_checks`` rows."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import SpotCheckRow
from eldercare.audit.domain.spot_check import SpotCheck, SpotCheckReason, SpotCheckStatus


@dataclass(frozen=True)
class SpotCheckFilter:
    region_prefix: str
    visit_id: UUID | None = None
    provider_id: UUID | None = None
    status: SpotCheckStatus | None = None


class SpotCheckRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, spot_check_id: UUID) -> SpotCheck | None:
        row = await self.session.get(SpotCheckRow, spot_check_id)
        return to_domain(row) if row else None

    async def get_by_visit(self, visit_id: UUID, reason: SpotCheckReason) -> SpotCheck | None:
        query = select(SpotCheckRow).where(
            SpotCheckRow.visit_id == visit_id, SpotCheckRow.reason == reason.value
        )
        row = (await self.session.scalars(query)).first()
        return to_domain(row) if row else None

    async def list_in_region(
        self, where: SpotCheckFilter, *, after: UUID | None, limit: int
    ) -> list[SpotCheck]:
        # Region codes are digits only (auth validates the claim), so the prefix needs no escaping.
        query = select(SpotCheckRow).where(SpotCheckRow.district_code.startswith(where.region_prefix))
        if where.visit_id is not None:
            query = query.where(SpotCheckRow.visit_id == where.visit_id)
        if where.provider_id is not None:
            query = query.where(SpotCheckRow.provider_id == where.provider_id)
        if where.status is not None:
            query = query.where(SpotCheckRow.status == where.status.value)
        if after is not None:
            query = query.where(SpotCheckRow.id > after)
        rows = (await self.session.scalars(query.order_by(SpotCheckRow.id).limit(limit))).all()
        return [to_domain(row) for row in rows]

    async def add(self, check: SpotCheck) -> None:
        self.session.add(
            SpotCheckRow(
                id=check.id,
                visit_id=check.visit_id,
                beneficiary_id=check.beneficiary_id,
                provider_id=check.provider_id,
                caregiver_id=check.caregiver_id,
                district_code=check.district_code,
                service_code=check.service_code,
                reason=check.reason.value,
                status=check.status.value,
                findings=list(check.findings),
                opened_at=check.opened_at,
                sample_id=check.sample_id,
            )
        )
        await self.session.flush()

    async def save(self, check: SpotCheck) -> None:
        row = await self.session.get(SpotCheckRow, check.id)
        if row is None:
            raise LookupError(f"spot check {check.id} was never added")
        row.status = check.status.value
        row.result_notes, row.checked_by, row.checked_at = (
            check.result_notes,
            check.checked_by,
            check.checked_at,
        )
        await self.session.flush()

    async def list_by_sample(self, sample_id: UUID) -> list[SpotCheck]:
        query = select(SpotCheckRow).where(SpotCheckRow.sample_id == sample_id).order_by(SpotCheckRow.id)
        return [to_domain(row) for row in (await self.session.scalars(query)).all()]


def to_domain(row: SpotCheckRow) -> SpotCheck:
    return SpotCheck(
        id=row.id,
        visit_id=row.visit_id,
        beneficiary_id=row.beneficiary_id,
        provider_id=row.provider_id,
        caregiver_id=row.caregiver_id,
        district_code=row.district_code,
        service_code=row.service_code,
        reason=SpotCheckReason(row.reason),
        status=SpotCheckStatus(row.status),
        findings=list(row.findings),
        opened_at=row.opened_at,
        sample_id=row.sample_id,
        result_notes=row.result_notes,
        checked_by=row.checked_by,
        checked_at=row.checked_at,
    )
