"""Emergency help calls."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.dispatch.adapters.models import EmergencyRow
from eldercare.dispatch.domain.emergencies import Emergency, EmergencyStatus

_FIELDS = (
    "beneficiary_id",
    "provider_id",
    "care_plan_id",
    "district_code",
    "community_code",
    "kind",
    "source",
    "raised_by",
    "raised_at",
    "acknowledged_by",
    "acknowledged_at",
    "responder_caregiver_id",
    "responded_by",
    "responded_at",
    "resolved_by",
    "resolved_at",
    "outcome",
    "notified_at",
    "escalated_to_line_at",
)


class EmergencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, emergency_id: UUID, *, for_update: bool = False) -> Emergency | None:
        row = await self.session.get(EmergencyRow, emergency_id, with_for_update=for_update or None)
        return to_domain(row) if row else None

    async def list_open(
        self, *, provider_id: UUID | None, region: str | None, after: UUID | None, limit: int
    ) -> list[Emergency]:
        query = select(EmergencyRow).where(EmergencyRow.status != EmergencyStatus.resolved.value)
        if provider_id is not None:
            query = query.where(EmergencyRow.provider_id == provider_id)
        if region is not None:
            query = query.where(EmergencyRow.community_code.startswith(region, autoescape=True))
        if after is not None:
            query = query.where(EmergencyRow.id > after)
        rows = await self.session.scalars(query.order_by(EmergencyRow.id).limit(limit))
        return [to_domain(row) for row in rows.all()]

    async def list_unacknowledged(self, notified_before: datetime, limit: int) -> list[Emergency]:
        """Open calls nobody acknowledged whose last notification is older than ``notified_before``
        and not yet on the 24-hour line, locked SKIP LOCKED (the worker's escalation sweep)."""
        query = (
            select(EmergencyRow)
            .where(
                EmergencyRow.status == EmergencyStatus.open.value,
                EmergencyRow.escalated_to_line_at.is_(None),
                EmergencyRow.notified_at <= notified_before,
            )
            .order_by(EmergencyRow.notified_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [to_domain(row) for row in (await self.session.scalars(query)).all()]

    async def add(self, emergency: Emergency) -> None:
        row = EmergencyRow(id=emergency.id)
        _copy_into(row, emergency)
        self.session.add(row)
        await self.session.flush()

    async def save(self, emergency: Emergency) -> None:
        row = await self.session.get(EmergencyRow, emergency.id)
        if row is None:
            raise LookupError(f"emergency {emergency.id} was never added")
        _copy_into(row, emergency)
        await self.session.flush()


def to_domain(row: EmergencyRow) -> Emergency:
    return Emergency(
        id=row.id,
        status=EmergencyStatus(row.status),
        notified_caregiver_ids=tuple(UUID(i) for i in row.notified_caregiver_ids or ()),
        **{name: getattr(row, name) for name in _FIELDS},
    )


def _copy_into(row: EmergencyRow, e: Emergency) -> None:
    row.status = e.status.value
    row.notified_caregiver_ids = [str(i) for i in e.notified_caregiver_ids]
    for name in _FIELDS:
        setattr(row, name, getattr(e, name))
