"""Repositories of price lists and of the entitlement projection."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.billing.adapters.models import (
    EntitlementChangeRow,
    EntitlementRow,
    PriceItemRow,
    PriceListRow,
    StatusChangeRow,
)
from eldercare.billing.domain.entitlements import (
    AmountChange,
    BeneficiaryStatus,
    Entitlement,
    Provenance,
    StatusChange,
)
from eldercare.billing.domain.pricing import PriceItem, PriceList, Unit, region_prefixes


class PriceListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, price_list_id: UUID) -> PriceList | None:
        row = await self.session.get(PriceListRow, price_list_id)
        return _price_list(row) if row else None

    async def applicable(self, district_code: str, on: date) -> list[PriceList]:
        """Every list that may price a visit in the district on the day (the domain picks one)."""
        query = select(PriceListRow).where(
            PriceListRow.region_code.in_(region_prefixes(district_code)),
            PriceListRow.effective_from <= on,
        )
        return [_price_list(row) for row in (await self.session.scalars(query)).all()]

    async def add(self, price_list: PriceList) -> None:
        row = PriceListRow(
            id=price_list.id,
            region_code=price_list.region_code,
            effective_from=price_list.effective_from,
            created_by=price_list.created_by,
            created_at=price_list.created_at,
            items=[
                PriceItemRow(
                    position=i, service_code=it.service_code, unit=it.unit, unit_price_fen=it.unit_price_fen
                )
                for i, it in enumerate(price_list.items)
            ],
        )
        self.session.add(row)
        await self.session.flush()


def _price_list(row: PriceListRow) -> PriceList:
    return PriceList(
        id=row.id,
        region_code=row.region_code,
        effective_from=row.effective_from,
        created_by=row.created_by,
        created_at=row.created_at,
        items=tuple(PriceItem(i.service_code, Unit(i.unit), i.unit_price_fen) for i in row.items),
    )


def _provenance(row: EntitlementRow) -> Provenance | None:
    if row.policy_pack_id is None or row.policy_version is None or row.assessment_level is None:
        return None
    return Provenance(
        row.application_id,
        row.assessment_level,
        row.policy_pack_id,
        row.policy_version,
        tuple(row.basis),
        row.assessment_id,
    )


class EntitlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, beneficiary_id: UUID) -> Entitlement | None:
        row = await self._row(beneficiary_id)
        if row is None:
            return None
        return Entitlement(
            beneficiary_id=row.beneficiary_id,
            district_code=row.district_code,
            monthly_amount_fen=row.monthly_amount_fen,
            effective_on=row.effective_on,
            enrolled_at=row.enrolled_at,
            history=await self.history(beneficiary_id),
            provenance=_provenance(row),
            amounts=await self.amount_changes(beneficiary_id),
        )

    async def amount_changes(self, beneficiary_id: UUID) -> list[AmountChange]:
        query = select(EntitlementChangeRow).where(EntitlementChangeRow.beneficiary_id == beneficiary_id)
        return [
            AmountChange(
                effective_on=r.effective_on,
                changed_at=r.changed_at,
                reason=r.reason,
                monthly_amount_fen=r.monthly_amount_fen,
                provenance=Provenance(
                    None,
                    r.assessment_level,
                    r.policy_pack_id,
                    r.policy_version,
                    tuple(r.basis),
                    r.assessment_id,
                ),
            )
            for r in (await self.session.scalars(query.order_by(EntitlementChangeRow.effective_on))).all()
        ]

    async def add_amount_change(self, beneficiary_id: UUID, change: AmountChange) -> bool:
        """Keep an entitlement change once (a redelivery adds nothing); ``True`` if it is new."""
        p = change.provenance
        statement = (
            insert(EntitlementChangeRow)
            .values(
                beneficiary_id=beneficiary_id,
                effective_on=change.effective_on,
                changed_at=change.changed_at,
                reason=change.reason,
                monthly_amount_fen=change.monthly_amount_fen,
                assessment_id=p.assessment_id,
                assessment_level=p.assessment_level,
                policy_pack_id=p.policy_pack_id,
                policy_version=p.policy_version,
                basis=list(p.basis),
            )
            .on_conflict_do_nothing(constraint="uq_entitlement_changes_once")
            .returning(EntitlementChangeRow.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def history(self, beneficiary_id: UUID) -> list[StatusChange]:
        query = select(StatusChangeRow).where(StatusChangeRow.beneficiary_id == beneficiary_id)
        return [
            StatusChange(BeneficiaryStatus(r.status), r.effective_on, r.occurred_at, r.reason)
            for r in (await self.session.scalars(query.order_by(StatusChangeRow.id))).all()
        ]

    async def save(self, entitlement: Entitlement) -> None:
        """Insert or update the projection and append the status changes not yet stored."""
        row = await self._row(entitlement.beneficiary_id)
        if row is None:
            row = EntitlementRow(beneficiary_id=entitlement.beneficiary_id)
            self.session.add(row)
        row.district_code = entitlement.district_code
        row.monthly_amount_fen = entitlement.monthly_amount_fen
        row.effective_on = entitlement.effective_on
        row.enrolled_at = entitlement.enrolled_at
        row.status = entitlement.status.value
        if (p := entitlement.provenance) is not None:
            row.application_id, row.assessment_level = p.application_id, p.assessment_level
            row.assessment_id = p.assessment_id
            row.policy_pack_id, row.policy_version = p.policy_pack_id, p.policy_version
            row.basis = list(p.basis)
        stored = len(await self.history(entitlement.beneficiary_id))
        for change in entitlement.history[stored:]:
            await self.add_status_change(entitlement.beneficiary_id, change)
        await self.session.flush()

    async def add_status_change(self, beneficiary_id: UUID, change: StatusChange) -> None:
        """Record a change of a beneficiary billing may not know yet (its enrolment is still on the way)."""
        self.session.add(
            StatusChangeRow(
                beneficiary_id=beneficiary_id,
                status=change.status.value,
                effective_on=change.effective_on,
                occurred_at=change.occurred_at,
                reason=change.reason,
            )
        )
        await self.session.flush()

    async def _row(self, beneficiary_id: UUID) -> EntitlementRow | None:
        query = select(EntitlementRow).where(EntitlementRow.beneficiary_id == beneficiary_id)
        return (await self.session.scalars(query)).first()
