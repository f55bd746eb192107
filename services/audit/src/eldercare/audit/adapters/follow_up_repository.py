"""The follow-up repository: maps ``FollowUp`` aggregates to ``follow_ups`` and their call rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import AuditBeneficiaryRow, FollowUpCallRow, FollowUpRow
from eldercare.audit.domain.follow_up import FollowUp, FollowUpCall, FollowUpReason, FollowUpStatus


@dataclass(frozen=True)
class FollowUpFilter:
    region_prefix: str
    beneficiary_id: UUID | None = None
    status: FollowUpStatus | None = None


class FollowUpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, follow_up_id: UUID) -> FollowUp | None:
        row = await self.session.get(FollowUpRow, follow_up_id)
        return to_domain(row) if row else None

    async def get_by_trigger(self, beneficiary_id: UUID, trigger_key: str) -> FollowUp | None:
        query = select(FollowUpRow).where(
            FollowUpRow.beneficiary_id == beneficiary_id, FollowUpRow.trigger_key == trigger_key
        )
        row = (await self.session.scalars(query)).first()
        return to_domain(row) if row else None

    async def list_in_region(
        self, where: FollowUpFilter, *, after: UUID | None, limit: int
    ) -> list[FollowUp]:
        # Region codes are digits only (auth validates the claim), so the prefix needs no escaping.
        query = select(FollowUpRow).where(FollowUpRow.district_code.startswith(where.region_prefix))
        if where.beneficiary_id is not None:
            query = query.where(FollowUpRow.beneficiary_id == where.beneficiary_id)
        if where.status is not None:
            query = query.where(FollowUpRow.status == where.status.value)
        if after is not None:
            query = query.where(FollowUpRow.id > after)
        rows = (await self.session.scalars(query.order_by(FollowUpRow.id).limit(limit))).all()
        return [to_domain(row) for row in rows]

    async def list_by_period(self, district_code: str, period: str) -> list[FollowUp]:
        query = select(FollowUpRow).where(
            FollowUpRow.district_code == district_code, FollowUpRow.period == period
        )
        return [to_domain(row) for row in (await self.session.scalars(query.order_by(FollowUpRow.id))).all()]

    async def active_beneficiaries(self, district_code: str, on: date) -> list[UUID]:
        """Beneficiaries intake announced as active in the district, in effect by ``on``."""
        query = select(AuditBeneficiaryRow.beneficiary_id).where(
            AuditBeneficiaryRow.district_code == district_code,
            AuditBeneficiaryRow.status == "active",
            AuditBeneficiaryRow.effective_on <= on,
        )
        return list((await self.session.scalars(query)).all())

    async def add(self, follow_up: FollowUp) -> None:
        row = FollowUpRow(
            id=follow_up.id,
            beneficiary_id=follow_up.beneficiary_id,
            district_code=follow_up.district_code,
            reason=follow_up.reason.value,
            trigger_key=follow_up.trigger_key,
            due_on=follow_up.due_on,
            opened_at=follow_up.opened_at,
            period=follow_up.period,
        )
        _copy_state(row, follow_up)
        self.session.add(row)
        await self.session.flush()

    async def save(self, follow_up: FollowUp) -> None:
        """Write status and new calls back; the version column catches a concurrent writer (412)."""
        row = await self.session.get(FollowUpRow, follow_up.id)
        if row is None:
            raise LookupError(f"follow-up {follow_up.id} was never added")
        _copy_state(row, follow_up)
        await self.session.flush()


def _copy_state(row: FollowUpRow, f: FollowUp) -> None:
    row.status = f.status.value
    row.assignee = f.assignee
    row.attempts = f.attempts
    row.satisfaction = f.satisfaction
    # Calls are written once: only the ones the row does not hold yet are added.
    known = {c.id for c in row.calls}
    for call in f.calls:
        if call.id not in known:
            row.calls.append(
                FollowUpCallRow(
                    id=call.id,
                    reached=call.reached,
                    satisfaction=call.satisfaction,
                    notes=call.notes,
                    called_by=call.called_by,
                    called_at=call.called_at,
                )
            )


def to_domain(row: FollowUpRow) -> FollowUp:
    return FollowUp(
        id=row.id,
        beneficiary_id=row.beneficiary_id,
        district_code=row.district_code,
        reason=FollowUpReason(row.reason),
        trigger_key=row.trigger_key,
        due_on=row.due_on,
        opened_at=row.opened_at,
        status=FollowUpStatus(row.status),
        assignee=row.assignee,
        period=row.period,
        calls=[
            FollowUpCall(c.reached, c.satisfaction, c.notes, c.called_by, c.called_at, id=c.id)
            for c in row.calls
        ],
    )
