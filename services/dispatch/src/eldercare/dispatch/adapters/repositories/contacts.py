"""The sealed contacts intake shares (ciphertext in, ciphertext out: no key here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.dispatch.adapters.models import BeneficiaryContactRow


@dataclass(frozen=True)
class SealedContact:
    beneficiary_id: UUID
    district_code: str
    sealed: str
    shared_at: datetime


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, contact: SealedContact) -> bool:
        """Keep the share unless a later one is already kept (the later ``shared_at`` wins, so a
        replayed or reordered older share changes nothing); True when it was kept."""
        table = BeneficiaryContactRow.__table__
        statement = (
            insert(table)
            .values(
                beneficiary_id=contact.beneficiary_id,
                district_code=contact.district_code,
                sealed=contact.sealed,
                shared_at=contact.shared_at,
            )
            .on_conflict_do_update(
                index_elements=[table.c.beneficiary_id],
                set_={
                    "district_code": contact.district_code,
                    "sealed": contact.sealed,
                    "shared_at": contact.shared_at,
                    "received_at": func.now(),
                },
                where=table.c.shared_at < contact.shared_at,
            )
            .returning(table.c.beneficiary_id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def get(self, beneficiary_id: UUID) -> SealedContact | None:
        table = BeneficiaryContactRow.__table__
        row = (
            await self.session.execute(select(table).where(table.c.beneficiary_id == beneficiary_id))
        ).first()
        if row is None:
            return None
        return SealedContact(row.beneficiary_id, row.district_code, row.sealed, row.shared_at)
