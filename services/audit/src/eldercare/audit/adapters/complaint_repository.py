"""The complaint repository: ``Complaint`` to and from ``complaints`` and their note rows, and the
caregiver decertifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import CaregiverDecertificationRow, ComplaintNoteRow, ComplaintRow
from eldercare.audit.adapters.pii import ComplainantCipher, require_cipher
from eldercare.audit.domain.complaint import (
    Complainant,
    ComplainantRelation,
    Complaint,
    ComplaintCategory,
    ComplaintSeverity,
    ComplaintSource,
    ComplaintStatus,
    ComplaintSubject,
    InvestigationNote,
)


@dataclass(frozen=True)
class ComplaintFilter:
    region_prefix: str | None = None
    provider_id: UUID | None = None
    caregiver_id: UUID | None = None
    status: ComplaintStatus | None = None
    overdue_at: datetime | None = None  # open complaints whose deadline passed before this instant


@dataclass(frozen=True)
class Decertification:
    caregiver_id: UUID
    provider_id: UUID | None
    district_code: str
    complaint_ids: list[UUID]
    decertified_at: datetime


class ComplaintRepository:
    """``cipher`` None: complainants load masked only, and one with a name or phone cannot be added."""

    def __init__(self, session: AsyncSession, cipher: ComplainantCipher | None = None) -> None:
        self.session = session
        self.cipher = cipher

    async def get(self, complaint_id: UUID) -> Complaint | None:
        row = await self.session.get(ComplaintRow, complaint_id)
        return to_domain(row, self.cipher) if row else None

    async def list(self, where: ComplaintFilter, *, after: UUID | None, limit: int) -> list[Complaint]:
        query = select(ComplaintRow)
        if where.region_prefix is not None:
            # Region codes are digits only (auth validates the claim), so the prefix needs no escaping.
            query = query.where(ComplaintRow.district_code.startswith(where.region_prefix))
        if where.provider_id is not None:
            query = query.where(ComplaintRow.provider_id == where.provider_id)
        if where.caregiver_id is not None:
            query = query.where(ComplaintRow.caregiver_id == where.caregiver_id)
        if where.status is not None:
            query = query.where(ComplaintRow.status == where.status.value)
        if where.overdue_at is not None:
            query = query.where(ComplaintRow.status != ComplaintStatus.closed.value)
            query = query.where(ComplaintRow.due_at < where.overdue_at)
        if after is not None:
            query = query.where(ComplaintRow.id > after)
        rows = (await self.session.scalars(query.order_by(ComplaintRow.id).limit(limit))).all()
        return [to_domain(row, self.cipher) for row in rows]

    async def substantiated_against(self, caregiver_id: UUID, *, since: datetime) -> list[Complaint]:
        """The caregiver's substantiated complaints received after ``since``, oldest first."""
        query = (
            select(ComplaintRow)
            .where(
                ComplaintRow.caregiver_id == caregiver_id,
                ComplaintRow.substantiated.is_(True),
                ComplaintRow.received_at > since,
            )
            .order_by(ComplaintRow.received_at)
        )
        return [to_domain(row, self.cipher) for row in (await self.session.scalars(query)).all()]

    async def add(self, complaint: Complaint) -> None:
        s, c = complaint.subject, complaint.complainant
        row = ComplaintRow(
            id=complaint.id,
            district_code=complaint.district_code,
            source=complaint.source.value,
            category=complaint.category.value,
            severity=complaint.severity.value,
            provider_id=s.provider_id,
            caregiver_id=s.caregiver_id,
            visit_id=s.visit_id,
            beneficiary_id=s.beneficiary_id,
            complainant_relation=c.relation.value,
            complainant_name_masked=c.masked_name,
            complainant_phone_masked=c.masked_phone,
            description=complaint.description,
            received_by=complaint.received_by,
            received_at=complaint.received_at,
            due_at=complaint.due_at,
        )
        if c.name is not None or c.phone is not None:
            cipher = require_cipher(self.cipher)
            row.complainant_name_sealed = (
                cipher.seal("complainant_name", complaint.id, c.name) if c.name else None
            )
            row.complainant_phone_sealed = (
                cipher.seal("complainant_phone", complaint.id, c.phone) if c.phone else None
            )
        _copy_state(row, complaint)
        self.session.add(row)
        await self.session.flush()

    async def save(self, complaint: Complaint) -> None:
        """Write the handling state and new notes back; the version column catches a racing writer."""
        row = await self.session.get(ComplaintRow, complaint.id)
        if row is None:
            raise LookupError(f"complaint {complaint.id} was never added")
        _copy_state(row, complaint)
        await self.session.flush()

    async def get_decertification(self, caregiver_id: UUID) -> Decertification | None:
        row = await self.session.get(CaregiverDecertificationRow, caregiver_id)
        if row is None:
            return None
        return Decertification(
            caregiver_id=row.caregiver_id,
            provider_id=row.provider_id,
            district_code=row.district_code,
            complaint_ids=[UUID(i) for i in row.complaint_ids],
            decertified_at=row.decertified_at,
        )

    async def add_decertification(self, d: Decertification) -> None:
        self.session.add(
            CaregiverDecertificationRow(
                caregiver_id=d.caregiver_id,
                provider_id=d.provider_id,
                district_code=d.district_code,
                complaint_ids=[str(i) for i in d.complaint_ids],
                decertified_at=d.decertified_at,
            )
        )
        await self.session.flush()


def _copy_state(row: ComplaintRow, c: Complaint) -> None:
    row.status = c.status.value
    row.assignee = c.assignee
    row.substantiated = c.substantiated
    row.outcome_summary = c.outcome_summary
    row.reply = c.reply
    row.closed_at = c.closed_at
    row.escalated_at = c.escalated_at
    known = {n.id for n in row.notes}
    for note in c.notes:
        if note.id not in known:
            row.notes.append(
                ComplaintNoteRow(
                    id=note.id, text=note.text, written_by=note.written_by, written_at=note.written_at
                )
            )


def _complainant(row: ComplaintRow, cipher: ComplainantCipher | None) -> Complainant:
    name = phone = None
    if cipher is not None:
        if row.complainant_name_sealed:
            name = cipher.open("complainant_name", row.id, row.complainant_name_sealed)
        if row.complainant_phone_sealed:
            phone = cipher.open("complainant_phone", row.id, row.complainant_phone_sealed)
    return Complainant(
        ComplainantRelation(row.complainant_relation),
        name,
        phone,
        name_masked=row.complainant_name_masked,
        phone_masked=row.complainant_phone_masked,
    )


def to_domain(row: ComplaintRow, cipher: ComplainantCipher | None = None) -> Complaint:
    return Complaint(
        id=row.id,
        district_code=row.district_code,
        source=ComplaintSource(row.source),
        category=ComplaintCategory(row.category),
        severity=ComplaintSeverity(row.severity),
        subject=ComplaintSubject(
            provider_id=row.provider_id,
            caregiver_id=row.caregiver_id,
            visit_id=row.visit_id,
            beneficiary_id=row.beneficiary_id,
        ),
        complainant=_complainant(row, cipher),
        description=row.description,
        received_by=row.received_by,
        received_at=row.received_at,
        due_at=row.due_at,
        status=ComplaintStatus(row.status),
        assignee=row.assignee,
        notes=[InvestigationNote(n.text, n.written_by, n.written_at, id=n.id) for n in row.notes],
        substantiated=row.substantiated,
        outcome_summary=row.outcome_summary,
        reply=row.reply,
        closed_at=row.closed_at,
        escalated_at=row.escalated_at,
    )
