"""The beneficiary projection."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.dispatch.adapters.models import BeneficiaryRow
from eldercare.dispatch.domain.beneficiaries import Beneficiary, BeneficiaryStatus
from eldercare.dispatch.domain.geo import Point


class BeneficiaryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, beneficiary_id: UUID, *, for_update: bool = False) -> Beneficiary | None:
        row = await self.session.get(BeneficiaryRow, beneficiary_id, with_for_update=for_update or None)
        return to_domain(row) if row else None

    async def get_many(self, ids: set[UUID]) -> dict[UUID, Beneficiary]:
        """One query for many (the day planner's visits)."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(BeneficiaryRow).where(BeneficiaryRow.id.in_(ids)))
        return {row.id: to_domain(row) for row in rows.all()}

    async def add(self, beneficiary: Beneficiary) -> None:
        row = BeneficiaryRow(id=beneficiary.id)
        _copy_into(row, beneficiary)
        self.session.add(row)
        await self.session.flush()

    async def save(self, beneficiary: Beneficiary) -> None:
        row = await self.session.get(BeneficiaryRow, beneficiary.id)
        if row is None:
            raise LookupError(f"beneficiary {beneficiary.id} was never added")
        _copy_into(row, beneficiary)
        await self.session.flush()


def to_domain(row: BeneficiaryRow) -> Beneficiary:
    home = (
        Point(row.home_lat, row.home_lon) if row.home_lat is not None and row.home_lon is not None else None
    )
    return Beneficiary(
        id=row.id,
        district_code=row.district_code,
        community_code=row.community_code,
        home_point=home,
        service_categories=tuple(row.service_categories),
        emergency_help_required=row.emergency_help_required,
        status=BeneficiaryStatus(row.status),
        enrolled_at=row.enrolled_at,
        status_changed_at=row.status_changed_at,
        status_reason=row.status_reason,
        termination_effective_on=row.termination_effective_on,
    )


def _copy_into(row: BeneficiaryRow, b: Beneficiary) -> None:
    row.district_code = b.district_code
    row.community_code = b.community_code
    row.home_lat = b.home_point.lat if b.home_point else None
    row.home_lon = b.home_point.lon if b.home_point else None
    row.service_categories = list(b.service_categories)
    row.emergency_help_required = b.emergency_help_required
    row.status = b.status.value
    row.status_reason = b.status_reason
    row.enrolled_at = b.enrolled_at
    row.status_changed_at = b.status_changed_at
    row.termination_effective_on = b.termination_effective_on
