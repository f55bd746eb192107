"""The beneficiary repository: the register of enrolled persons and their entitlements."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.intake.adapters.models import BeneficiaryRow
from eldercare.intake.adapters.serialization import (
    clause_from_json,
    clause_to_json,
    entitlement_change_from_json,
    entitlement_change_to_json,
    status_change_from_json,
    status_change_to_json,
)
from eldercare.intake.domain.beneficiary import Beneficiary, BeneficiaryStatus


class BeneficiaryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, beneficiary_id: UUID, *, for_update: bool = False) -> Beneficiary | None:
        row = await self.session.get(BeneficiaryRow, beneficiary_id, with_for_update=for_update or None)
        return to_domain(row) if row else None

    async def active_for_person(self, person_id: UUID, *, for_update: bool = False) -> Beneficiary | None:
        """The person's enrolment that is active or suspended (a suspended one can resume)."""
        query = select(BeneficiaryRow).where(
            BeneficiaryRow.person_id == person_id,
            BeneficiaryRow.status != BeneficiaryStatus.terminated.value,
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.scalars(query.limit(1))).first()
        return to_domain(row) if row else None

    async def list(self, region_prefix: str, *, after: UUID | None, limit: int) -> list[Beneficiary]:
        query = select(BeneficiaryRow).where(BeneficiaryRow.community_code.startswith(region_prefix))
        if after is not None:
            query = query.where(BeneficiaryRow.id > after)
        rows = (await self.session.scalars(query.order_by(BeneficiaryRow.id).limit(limit))).all()
        return [to_domain(row) for row in rows]

    async def add(self, b: Beneficiary) -> None:
        row = BeneficiaryRow(
            id=b.id,
            person_id=b.person_id,
            application_id=b.application_id,
            district_code=b.district_code,
            community_code=b.community_code,
            pack_id=b.pack_id,
            pack_version=b.pack_version,
            assessment_level=b.assessment_level,
            monthly_amount_fen=b.monthly_amount_fen,
            service_categories=list(b.service_categories),
            emergency_help_required=b.emergency_help_required,
            basis=[clause_to_json(c) for c in b.basis],
            status=b.status.value,
            status_history=[status_change_to_json(c) for c in b.history],
            effective_on=b.effective_on,
            enrolled_by=b.enrolled_by,
            enrolled_at=b.enrolled_at,
            assessment_id=b.assessment_id,
            assessed_at=b.assessed_at,
            entitlement_history=[entitlement_change_to_json(c) for c in b.entitlement_history],
        )
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row, ["created_at"])
        b.created_at, b.version = row.created_at, row.version

    async def save(self, b: Beneficiary) -> None:
        """Write the status, the current entitlement and both histories back; the version column
        catches a concurrent writer."""
        row = await self.session.get(BeneficiaryRow, b.id)
        if row is None:
            raise LookupError(f"beneficiary {b.id} was never added")
        row.status = b.status.value
        row.status_history = [status_change_to_json(c) for c in b.history]
        row.pack_id, row.pack_version = b.pack_id, b.pack_version
        row.assessment_level = b.assessment_level
        row.monthly_amount_fen = b.monthly_amount_fen
        row.service_categories = list(b.service_categories)
        row.emergency_help_required = b.emergency_help_required
        row.basis = [clause_to_json(c) for c in b.basis]
        row.assessment_id, row.assessed_at = b.assessment_id, b.assessed_at
        row.entitlement_history = [entitlement_change_to_json(c) for c in b.entitlement_history]
        await self.session.flush()
        b.version = row.version


def to_domain(row: BeneficiaryRow) -> Beneficiary:
    return Beneficiary(
        id=row.id,
        person_id=row.person_id,
        application_id=row.application_id,
        district_code=row.district_code,
        community_code=row.community_code,
        pack_id=row.pack_id,
        pack_version=row.pack_version,
        assessment_level=row.assessment_level,
        monthly_amount_fen=row.monthly_amount_fen,
        service_categories=tuple(row.service_categories),
        emergency_help_required=row.emergency_help_required,
        basis=tuple(clause_from_json(c) for c in row.basis),
        status=BeneficiaryStatus(row.status),
        history=[status_change_from_json(c) for c in row.status_history],
        effective_on=row.effective_on,
        enrolled_by=row.enrolled_by,
        enrolled_at=row.enrolled_at,
        assessment_id=row.assessment_id,
        assessed_at=row.assessed_at,
        entitlement_history=[entitlement_change_from_json(c) for c in row.entitlement_history],
        created_at=row.created_at,
        version=row.version,
    )
