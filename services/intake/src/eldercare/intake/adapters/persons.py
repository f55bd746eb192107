"""The person repository (plaintext in, ciphertext at rest) and the PII access log."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.ids import uuid7
from eldercare.intake.adapters.models import PersonCircumstanceRow, PersonRow, PiiAccessRow
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.domain.person import Person
from eldercare.intake.domain.vocabulary import Sex

# The personal-data columns and the attribute of Person each one seals.
SEALED = {
    "id_number_sealed": "id_number",
    "name_sealed": "name",
    "phone_sealed": "phone",
    "address_sealed": "address",
}


class PersonRepository:
    def __init__(self, session: AsyncSession, vault: PiiVault) -> None:
        self.session = session
        self.vault = vault

    async def get(self, person_id: UUID) -> Person | None:
        row = await self.session.get(PersonRow, person_id)
        return self._to_domain(row) if row else None

    async def get_many(self, person_ids: set[UUID]) -> dict[UUID, Person]:
        rows = (await self.session.scalars(select(PersonRow).where(PersonRow.id.in_(person_ids)))).all()
        return {row.id: self._to_domain(row) for row in rows}

    async def get_by_id_number(self, id_number: str) -> Person | None:
        """Found through the blind index: no row is decrypted to search."""
        index = self.vault.id_number_index(id_number)
        row = (
            await self.session.scalars(select(PersonRow).where(PersonRow.id_number_index == index))
        ).first()
        return self._to_domain(row) if row else None

    async def add(self, person: Person) -> None:
        row = PersonRow(id=person.id, id_number_index=self.vault.id_number_index(person.id_number))
        self._copy_into(row, person)
        self.session.add(row)
        await self.session.flush()

    async def save(self, person: Person) -> None:
        row = await self.session.get(PersonRow, person.id)
        if row is None:
            raise LookupError(f"person {person.id} was never added")
        self._copy_into(row, person)
        await self.session.flush()

    def _copy_into(self, row: PersonRow, person: Person) -> None:
        for column, attribute in SEALED.items():
            setattr(
                row, column, self.vault.seal(f"persons.{attribute}", person.id, getattr(person, attribute))
            )
        row.birth_date = person.birth_date
        row.sex = person.sex.value
        row.ethnicity = person.ethnicity
        row.hukou_region = person.hukou_region
        row.false_declaration_at = person.false_declaration_at

    def _to_domain(self, row: PersonRow) -> Person:
        plain = {
            attribute: self.vault.open(f"persons.{attribute}", row.id, getattr(row, column))
            for column, attribute in SEALED.items()
        }
        return Person(
            id=row.id,
            sex=Sex(row.sex),
            birth_date=row.birth_date,
            ethnicity=row.ethnicity,
            hukou_region=row.hukou_region,
            false_declaration_at=row.false_declaration_at,
            **plain,
        )


class PiiAccessLog:
    """Writes one row per unmasked disclosure, in the transaction of the read that disclosed it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        *,
        subject: str,
        roles: list[str],
        person_id: UUID,
        resource: str,
        resource_id: UUID,
        fields: list[str],
        reason: str | None,
        at: datetime,
    ) -> UUID:
        access_id = uuid7()
        self.session.add(
            PiiAccessRow(
                id=access_id,
                accessed_at=at,
                subject=subject,
                roles=roles,
                person_id=person_id,
                resource=resource,
                resource_id=resource_id,
                fields=fields,
                reason=reason,
            )
        )
        await self.session.flush()
        return access_id


async def circumstances_on(session: AsyncSession, person_id: UUID, day: date) -> frozenset[str]:
    """The circumstances the bureau's rosters mark on the person, valid on ``day``."""
    query = select(PersonCircumstanceRow.circumstance).where(
        PersonCircumstanceRow.person_id == person_id,
        PersonCircumstanceRow.valid_from <= day,
        or_(PersonCircumstanceRow.valid_to.is_(None), PersonCircumstanceRow.valid_to >= day),
    )
    return frozenset((await session.scalars(query)).all())
