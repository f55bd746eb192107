"""Repository of assessment organisations and their assessors."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.assessment.adapters.models import AssessorRow, OrganisationRow
from eldercare.assessment.domain.organisations import AssessmentOrganisation, Assessor


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, organisation_id: UUID) -> AssessmentOrganisation | None:
        row = await self.session.get(OrganisationRow, organisation_id)
        return _organisation(row) if row else None

    async def get_by_credit_code(self, credit_code: str) -> AssessmentOrganisation | None:
        query = select(OrganisationRow).where(OrganisationRow.credit_code == credit_code)
        row = (await self.session.scalars(query)).first()
        return _organisation(row) if row else None

    async def list(self, *, after: UUID | None, limit: int) -> list[AssessmentOrganisation]:
        # Few organisations per city: the caller filters by tenancy in memory.
        query = select(OrganisationRow).order_by(OrganisationRow.id)
        if after is not None:
            query = query.where(OrganisationRow.id > after)
        rows = (await self.session.scalars(query.limit(limit))).all()
        return [_organisation(r) for r in rows]

    async def add(self, organisation: AssessmentOrganisation) -> None:
        self.session.add(
            OrganisationRow(
                id=organisation.id,
                name=organisation.name,
                credit_code=organisation.credit_code,
                credit_code_needs_manual_check=organisation.credit_code_needs_manual_check,
                qualification=organisation.qualification,
                regions=list(organisation.regions),
                created_by=organisation.created_by,
            )
        )
        await self.session.flush()

    async def get_assessor(self, assessor_id: UUID) -> Assessor | None:
        row = await self.session.get(AssessorRow, assessor_id)
        return _assessor(row) if row else None

    async def get_assessors(self, ids: Sequence[UUID]) -> dict[UUID, Assessor]:
        rows = (await self.session.scalars(select(AssessorRow).where(AssessorRow.id.in_(ids)))).all()
        return {r.id: _assessor(r) for r in rows}

    async def get_assessor_by_subject(self, subject: str) -> Assessor | None:
        query = select(AssessorRow).where(AssessorRow.subject == subject)
        row = (await self.session.scalars(query)).first()
        return _assessor(row) if row else None

    async def list_assessors(self, organisation_id: UUID) -> list[Assessor]:
        query = select(AssessorRow).where(AssessorRow.organisation_id == organisation_id)
        rows = (await self.session.scalars(query.order_by(AssessorRow.id))).all()
        return [_assessor(r) for r in rows]

    async def add_assessor(self, assessor: Assessor) -> None:
        row = AssessorRow(id=assessor.id)
        _copy_assessor(row, assessor)
        self.session.add(row)
        await self.session.flush()

    async def save_assessor(self, assessor: Assessor) -> None:
        row = await self.session.get(AssessorRow, assessor.id)
        assert row is not None
        _copy_assessor(row, assessor)
        await self.session.flush()


def _copy_assessor(row: AssessorRow, assessor: Assessor) -> None:
    row.organisation_id = assessor.organisation_id
    row.subject = assessor.subject
    row.name = assessor.name
    row.certificate_number = assessor.certificate_number
    row.certificate_expires_on = assessor.certificate_expires_on
    row.medical_background = assessor.medical_background
    row.active = assessor.active


def _organisation(row: OrganisationRow) -> AssessmentOrganisation:
    return AssessmentOrganisation(
        id=row.id,
        name=row.name,
        credit_code=row.credit_code,
        credit_code_needs_manual_check=row.credit_code_needs_manual_check,
        qualification=row.qualification,
        regions=tuple(row.regions),
        created_by=row.created_by,
    )


def _assessor(row: AssessorRow) -> Assessor:
    return Assessor(
        id=row.id,
        organisation_id=row.organisation_id,
        subject=row.subject,
        name=row.name,
        certificate_number=row.certificate_number,
        certificate_expires_on=row.certificate_expires_on,
        medical_background=row.medical_background,
        active=row.active,
    )
