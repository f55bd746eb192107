"""Price lists and monthly entitlements kept from billing's and intake's events (issue #5)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.dispatch.adapters.models import BeneficiaryEntitlementRow, PriceListRow
from eldercare.dispatch.domain.plan_fit import Entitlement, Price, PriceList


class PriceListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, price_list: PriceList, published_at: datetime) -> bool:
        """Store a published list; a redelivery of the same list changes nothing. True if new."""
        items = [
            {"service_code": p.service_code, "unit": p.unit, "unit_price_fen": p.unit_price_fen}
            for p in price_list.items
        ]
        stmt = (
            insert(PriceListRow)
            .values(
                id=price_list.id,
                region_code=price_list.region_code,
                effective_from=price_list.effective_from,
                items=items,
                published_at=published_at,
            )
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(PriceListRow.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def list_for(self, district_code: str, on: date) -> list[PriceList]:
        """The lists of the district, its city and its province effective on or before ``on``."""
        prefixes = [district_code[:n] for n in (2, 4, 6)]
        query = select(PriceListRow).where(
            PriceListRow.region_code.in_(prefixes), PriceListRow.effective_from <= on
        )
        return [_price_list(row) for row in (await self.session.scalars(query)).all()]


def _price_list(row: PriceListRow) -> PriceList:
    return PriceList(
        id=row.id,
        region_code=row.region_code,
        effective_from=row.effective_from,
        items=tuple(
            Price(str(i["service_code"]), str(i["unit"]), int(str(i["unit_price_fen"]))) for i in row.items
        ),
    )


class EntitlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        beneficiary_id: UUID,
        entitlement: Entitlement,
        recorded_at: datetime,
    ) -> None:
        """Keep the entitlement from its day; for the same day the later record wins, so a
        redelivered or older event changes nothing."""
        stmt = insert(BeneficiaryEntitlementRow).values(
            beneficiary_id=beneficiary_id,
            effective_on=entitlement.effective_on,
            monthly_amount_fen=entitlement.monthly_amount_fen,
            monthly_minutes=entitlement.monthly_minutes,
            recorded_at=recorded_at,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["beneficiary_id", "effective_on"],
            set_={
                "monthly_amount_fen": stmt.excluded.monthly_amount_fen,
                "monthly_minutes": stmt.excluded.monthly_minutes,
                "recorded_at": stmt.excluded.recorded_at,
            },
            where=BeneficiaryEntitlementRow.recorded_at <= stmt.excluded.recorded_at,
        )
        await self.session.execute(stmt)

    async def list_of(self, beneficiary_id: UUID) -> list[Entitlement]:
        query = select(BeneficiaryEntitlementRow).where(
            BeneficiaryEntitlementRow.beneficiary_id == beneficiary_id
        )
        return [
            Entitlement(row.effective_on, row.monthly_amount_fen, row.monthly_minutes)
            for row in (await self.session.scalars(query)).all()
        ]
