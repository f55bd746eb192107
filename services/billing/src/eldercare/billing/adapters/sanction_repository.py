"""Sanctions on providers, as received from audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.billing.adapters.models import ProviderSanctionRow
from eldercare.billing.domain.sanctions import Sanction

SANCTIONS = ProviderSanctionRow.__table__


def _sanction(row: ProviderSanctionRow) -> Sanction:
    return Sanction(
        id=row.id,
        sanction_id=row.sanction_id,
        notice_id=row.notice_id,
        provider_id=row.provider_id,
        district_code=row.district_code,
        measures=tuple(row.measures),
        finding_ids=tuple(UUID(f) for f in row.finding_ids),
        finding_types=tuple(row.finding_types),
        basis=tuple(row.basis),
        imposed_at=row.imposed_at,
    )


class SanctionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_if_new(self, sanction: Sanction) -> bool:
        """Record the sanction once; ``False`` when it was already recorded (a redelivery)."""
        values: dict[str, Any] = {
            "id": sanction.id,
            "sanction_id": sanction.sanction_id,
            "notice_id": sanction.notice_id,
            "provider_id": sanction.provider_id,
            "district_code": sanction.district_code,
            "measures": list(sanction.measures),
            "finding_ids": [str(f) for f in sanction.finding_ids],
            "finding_types": list(sanction.finding_types),
            "basis": list(sanction.basis),
            "imposed_at": sanction.imposed_at,
        }
        statement = insert(SANCTIONS).values(**values).on_conflict_do_nothing(index_elements=["sanction_id"])
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get_by_sanction_id(self, sanction_id: UUID) -> Sanction | None:
        row = await self.session.scalar(
            select(ProviderSanctionRow).where(ProviderSanctionRow.sanction_id == sanction_id)
        )
        return _sanction(row) if row else None

    async def withholding(self, provider_id: UUID, district_code: str, at: datetime) -> Sanction | None:
        """The earliest sanction in force at ``at`` that stops paying the provider in the district."""
        query = (
            select(ProviderSanctionRow)
            .where(
                ProviderSanctionRow.provider_id == provider_id,
                ProviderSanctionRow.district_code == district_code,
                ProviderSanctionRow.imposed_at <= at,
            )
            .order_by(ProviderSanctionRow.imposed_at)
        )
        for row in await self.session.scalars(query):
            sanction = _sanction(row)
            if sanction.withholds_visit(provider_id, district_code, at):
                return sanction
        return None
