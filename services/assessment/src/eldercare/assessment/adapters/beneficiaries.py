"""The beneficiaries projection (from intake's beneficiary events)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.assessment.adapters.models import BeneficiaryRow


@dataclass(frozen=True)
class EnrolledPerson:
    beneficiary_id: UUID
    person_id: UUID
    district_code: str
    community_code: str
    masked_id_number: str | None
    status: str  # active, suspended, terminated (intake's BeneficiaryStatusChanged)


class BeneficiaryProjection:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, beneficiary_id: UUID) -> EnrolledPerson | None:
        row = await self.session.get(BeneficiaryRow, beneficiary_id)
        if row is None:
            return None
        return EnrolledPerson(
            row.id, row.person_id, row.district_code, row.community_code, row.masked_id_number, row.status
        )

    async def enrolled(self, person: EnrolledPerson) -> None:
        row = await self.session.get(BeneficiaryRow, person.beneficiary_id)
        if row is None:
            row = BeneficiaryRow(id=person.beneficiary_id)
            self.session.add(row)
        row.person_id = person.person_id
        row.district_code = person.district_code
        row.community_code = person.community_code
        row.masked_id_number = person.masked_id_number
        row.status = person.status
        await self.session.flush()

    async def set_status(self, beneficiary_id: UUID, status: str) -> bool:
        row = await self.session.get(BeneficiaryRow, beneficiary_id)
        if row is None:
            return False
        row.status = status
        await self.session.flush()
        return True
