"""Funds recoveries to and from their rows; ``recovered_visits`` keeps a visit to one recovery."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import FundsRecoveryRow, RecoveredVisitRow
from eldercare.audit.adapters.rectification_repository import Scope
from eldercare.audit.domain.recovery import FundsRecovery, RecoveryStatus


class RecoveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def visits_already_recovered(self, visit_ids: tuple[UUID, ...]) -> list[UUID]:
        query = select(RecoveredVisitRow.visit_id).where(RecoveredVisitRow.visit_id.in_(visit_ids))
        return list((await self.session.scalars(query)).all())

    async def add(self, r: FundsRecovery) -> None:
        self.session.add(
            FundsRecoveryRow(
                id=r.id,
                provider_id=r.provider_id,
                district_code=r.district_code,
                finding_ids=[str(i) for i in r.finding_ids],
                visit_ids=[str(i) for i in r.visit_ids],
                fine_rate_percent=r.fine_rate_percent,
                basis=list(r.basis),
                ordered_by=r.ordered_by,
                ordered_at=r.ordered_at,
                status=r.status.value,
            )
        )
        await self.session.flush()
        self.session.add_all([RecoveredVisitRow(visit_id=v, recovery_id=r.id) for v in r.visit_ids])
        await self.session.flush()

    async def get(self, recovery_id: UUID) -> FundsRecovery | None:
        row = await self.session.get(FundsRecoveryRow, recovery_id)
        return to_domain(row) if row else None

    async def save(self, r: FundsRecovery) -> None:
        row = await self.session.get(FundsRecoveryRow, r.id)
        if row is None:
            raise LookupError(f"recovery {r.id} was never added")
        row.status, row.statement_id, row.booked_at = r.status.value, r.statement_id, r.booked_at
        await self.session.flush()

    async def list(
        self, scope: Scope, *, status: RecoveryStatus | None, after: UUID | None, limit: int
    ) -> list[FundsRecovery]:
        query = select(FundsRecoveryRow)
        if scope.region_prefix is not None:
            query = query.where(FundsRecoveryRow.district_code.startswith(scope.region_prefix))
        if scope.provider_id is not None:
            query = query.where(FundsRecoveryRow.provider_id == scope.provider_id)
        if status is not None:
            query = query.where(FundsRecoveryRow.status == status.value)
        if after is not None:
            query = query.where(FundsRecoveryRow.id > after)
        rows = (await self.session.scalars(query.order_by(FundsRecoveryRow.id).limit(limit))).all()
        return [to_domain(r) for r in rows]


def to_domain(row: FundsRecoveryRow) -> FundsRecovery:
    return FundsRecovery(
        id=row.id,
        provider_id=row.provider_id,
        district_code=row.district_code,
        finding_ids=tuple(UUID(i) for i in row.finding_ids),
        visit_ids=tuple(UUID(i) for i in row.visit_ids),
        fine_rate_percent=row.fine_rate_percent,
        basis=tuple(row.basis),
        ordered_by=row.ordered_by,
        ordered_at=row.ordered_at,
        status=RecoveryStatus(row.status),
        statement_id=row.statement_id,
        booked_at=row.booked_at,
    )
