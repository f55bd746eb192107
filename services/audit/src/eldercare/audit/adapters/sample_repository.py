"""Spot-check samples, and the population and provider risks they are drawn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import AuditVisitRow, ComplaintRow, SpotCheckSampleRow, VisitFlagRow
from eldercare.audit.domain.sampling import ProviderRisk, SamplingMethod, SpotCheckSample


@dataclass(frozen=True)
class PopulationVisit:
    visit_id: UUID
    provider_id: UUID
    beneficiary_id: UUID
    caregiver_id: UUID
    service_code: str


class SampleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def population(self, district_code: str, start: datetime, end: datetime) -> list[PopulationVisit]:
        """The district's completed, not cancelled visits checked in within [start, end)."""
        query = select(
            AuditVisitRow.visit_id,
            AuditVisitRow.provider_id,
            AuditVisitRow.beneficiary_id,
            AuditVisitRow.caregiver_id,
            AuditVisitRow.service_code,
        ).where(
            AuditVisitRow.district_code == district_code,
            AuditVisitRow.checked_in_at >= start,
            AuditVisitRow.checked_in_at < end,
            AuditVisitRow.checked_out_at.is_not(None),
            AuditVisitRow.caregiver_id.is_not(None),
            AuditVisitRow.cancelled_kind.is_(None),
        )
        rows = (await self.session.execute(query)).all()
        return [PopulationVisit(r[0], r[1], r[2], r[3], r[4] or "") for r in rows]

    async def risks(
        self, district_code: str, provider_ids: set[UUID], since: datetime, until: datetime
    ) -> dict[UUID, ProviderRisk]:
        """Per provider: visit flags not cleared and complaints not found unsubstantiated, in the
        district within [since, until)."""
        if not provider_ids:
            return {}
        flags = dict(
            (
                await self.session.execute(
                    select(VisitFlagRow.provider_id, func.count())
                    .where(
                        VisitFlagRow.district_code == district_code,
                        VisitFlagRow.provider_id.in_(provider_ids),
                        VisitFlagRow.status != "cleared",
                        VisitFlagRow.raised_at >= since,
                        VisitFlagRow.raised_at < until,
                    )
                    .group_by(VisitFlagRow.provider_id)
                )
            ).all()
        )
        complaints = dict(
            (
                await self.session.execute(
                    select(ComplaintRow.provider_id, func.count())
                    .where(
                        ComplaintRow.district_code == district_code,
                        ComplaintRow.provider_id.in_(provider_ids),
                        ComplaintRow.substantiated.is_not(False),
                        ComplaintRow.received_at >= since,
                        ComplaintRow.received_at < until,
                    )
                    .group_by(ComplaintRow.provider_id)
                )
            ).all()
        )
        return {
            p: ProviderRisk(p, int(flags.get(p, 0)), int(complaints.get(p, 0)))
            for p in sorted(provider_ids, key=str)
        }

    async def exists(self, district_code: str, period: str) -> bool:
        query = select(SpotCheckSampleRow.id).where(
            SpotCheckSampleRow.district_code == district_code, SpotCheckSampleRow.period == period
        )
        return (await self.session.scalar(query)) is not None

    async def add(self, s: SpotCheckSample) -> None:
        self.session.add(
            SpotCheckSampleRow(
                id=s.id,
                district_code=s.district_code,
                period=s.period,
                method=s.method.value,
                seed=s.seed,
                sample_size=s.sample_size,
                population=s.population,
                risks=[
                    {
                        "provider_id": str(r.provider_id),
                        "flags": r.flags,
                        "complaints": r.complaints,
                        "visits": r.visits,
                    }
                    for r in s.risks
                ],
                drawn_by=s.drawn_by,
                drawn_at=s.drawn_at,
                deductions_published_at=s.deductions_published_at,
            )
        )
        await self.session.flush()

    async def get(self, sample_id: UUID, *, for_update: bool = False) -> SpotCheckSample | None:
        query = select(SpotCheckSampleRow).where(SpotCheckSampleRow.id == sample_id)
        if for_update:
            # The last two results of a sample may be recorded at once: one of them publishes.
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return to_domain(row) if row else None

    async def mark_published(self, sample_id: UUID, at: datetime) -> None:
        row = await self.session.get(SpotCheckSampleRow, sample_id)
        if row is None:
            raise LookupError(f"sample {sample_id} was never added")
        row.deductions_published_at = at
        await self.session.flush()

    async def list_in_region(
        self, region_prefix: str, *, after: UUID | None, limit: int
    ) -> list[SpotCheckSample]:
        query = select(SpotCheckSampleRow).where(SpotCheckSampleRow.district_code.startswith(region_prefix))
        if after is not None:
            query = query.where(SpotCheckSampleRow.id > after)
        rows = (await self.session.scalars(query.order_by(SpotCheckSampleRow.id).limit(limit))).all()
        return [to_domain(r) for r in rows]


def to_domain(row: SpotCheckSampleRow) -> SpotCheckSample:
    return SpotCheckSample(
        id=row.id,
        district_code=row.district_code,
        period=row.period,
        method=SamplingMethod(row.method),
        seed=row.seed,
        sample_size=row.sample_size,
        population=row.population,
        risks=tuple(
            ProviderRisk(UUID(r["provider_id"]), r["flags"], r["complaints"], r.get("visits", 0))
            for r in row.risks
        ),
        drawn_by=row.drawn_by,
        drawn_at=row.drawn_at,
        deductions_published_at=row.deductions_published_at,
    )
