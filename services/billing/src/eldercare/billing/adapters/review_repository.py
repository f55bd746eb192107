"""What others later said of visits and providers, kept as received and once each: dispatch's
cancellations and verification reviews, audit's visit flags, fund recovery orders and claim samples.

Each record is keyed by its natural id (visit and kind, flag id, recovery id, sample id), so a
redelivered event adds nothing, and each is kept whether or not the charge it concerns is known
yet: the statement SQL joins them to the charges whatever order they arrived in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.billing.adapters.models import (
    ClaimSampleRow,
    FundRecoveryRow,
    RecoveryVisitRow,
    VisitFlagRow,
    VisitOutcomeRow,
)


@dataclass(frozen=True)
class VisitOutcome:
    visit_id: UUID
    kind: str  # cancelled | missed | voided | accepted | rejected
    detail: str | None
    by: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class VisitFlag:
    flag_id: UUID
    visit_id: UUID
    provider_id: UUID
    district_code: str
    source: str | None
    signal: str | None
    raised_at: datetime | None
    outcome: str | None
    finding_id: UUID | None
    resolved_at: datetime | None

    @property
    def withholds(self) -> bool:
        """Open or confirmed: the visit's charge is not paid."""
        return self.outcome != "cleared"


@dataclass(frozen=True)
class FundRecovery:
    recovery_id: UUID
    provider_id: UUID
    district_code: str
    finding_ids: tuple[UUID, ...]
    visit_ids: tuple[UUID, ...]
    fine_rate_percent: int | None
    basis: tuple[str, ...]
    ordered_at: datetime


@dataclass(frozen=True)
class ClaimSample:
    sample_id: UUID
    provider_id: UUID
    district_code: str
    period: str
    seed: str
    sampled_visit_ids: tuple[UUID, ...]
    failed_visit_ids: tuple[UUID, ...]
    sampled: int
    failed: int
    basis: tuple[str, ...]
    published_at: datetime
    applied: bool


_WITHHOLDING = text("""
SELECT reason, ref_id FROM (
    (SELECT 0 AS rank, 'recovery_ordered' AS reason, rv.recovery_id AS ref_id
     FROM recovery_visits rv JOIN fund_recoveries r ON r.recovery_id = rv.recovery_id
     WHERE rv.visit_id = :v AND r.provider_id = :p
     ORDER BY rv.ordered_at, rv.recovery_id LIMIT 1)
    UNION ALL
    (SELECT 1, 'visit_flagged', flag_id FROM visit_flags
     WHERE visit_id = :v AND outcome IS DISTINCT FROM 'cleared'
     ORDER BY raised_at DESC NULLS LAST, id DESC LIMIT 1)
) x
ORDER BY rank LIMIT 1
""")


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------------ dispatch's outcomes

    async def add_outcome(self, outcome: VisitOutcome) -> bool:
        """Keep an outcome once per visit and kind; ``True`` if it is new."""
        statement = (
            insert(VisitOutcomeRow)
            .values(
                visit_id=outcome.visit_id,
                kind=outcome.kind,
                detail=outcome.detail,
                by=outcome.by,
                occurred_at=outcome.occurred_at,
            )
            .on_conflict_do_nothing(constraint="uq_visit_outcomes_visit_kind")
            .returning(VisitOutcomeRow.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def outcomes(self, visit_id: UUID) -> list[VisitOutcome]:
        query = select(VisitOutcomeRow).where(VisitOutcomeRow.visit_id == visit_id)
        return [
            VisitOutcome(r.visit_id, r.kind, r.detail, r.by, r.occurred_at)
            for r in (await self.session.scalars(query.order_by(VisitOutcomeRow.occurred_at))).all()
        ]

    # ------------------------------------------------------------------ audit's flags

    async def raise_flag(
        self,
        *,
        flag_id: UUID,
        visit_id: UUID,
        provider_id: UUID,
        district_code: str,
        source: str,
        signal: str,
        raised_at: datetime,
    ) -> None:
        """Record a raised flag; if its resolution arrived first, fill in what was raised."""
        statement = insert(VisitFlagRow).values(
            flag_id=flag_id,
            visit_id=visit_id,
            provider_id=provider_id,
            district_code=district_code,
            source=source,
            signal=signal[:200],
            raised_at=raised_at,
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[VisitFlagRow.flag_id],
                set_={"source": source, "signal": signal[:200], "raised_at": raised_at},
            )
        )

    async def resolve_flag(
        self,
        *,
        flag_id: UUID,
        visit_id: UUID,
        provider_id: UUID,
        district_code: str,
        outcome: str,
        finding_id: UUID | None,
        resolved_at: datetime,
    ) -> None:
        """Record a flag's outcome, even before the flag itself arrived (it still withholds when
        confirmed, and releases when cleared)."""
        statement = insert(VisitFlagRow).values(
            flag_id=flag_id,
            visit_id=visit_id,
            provider_id=provider_id,
            district_code=district_code,
            outcome=outcome,
            finding_id=finding_id,
            resolved_at=resolved_at,
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[VisitFlagRow.flag_id],
                set_={"outcome": outcome, "finding_id": finding_id, "resolved_at": resolved_at},
            )
        )

    async def flags_of(self, visit_id: UUID) -> list[VisitFlag]:
        query = select(VisitFlagRow).where(VisitFlagRow.visit_id == visit_id).order_by(VisitFlagRow.id)
        return [
            VisitFlag(
                r.flag_id,
                r.visit_id,
                r.provider_id,
                r.district_code,
                r.source,
                r.signal,
                r.raised_at,
                r.outcome,
                r.finding_id,
                r.resolved_at,
            )
            for r in (await self.session.scalars(query)).all()
        ]

    async def withholding(self, visit_id: UUID, provider_id: UUID) -> tuple[str, UUID] | None:
        """What keeps a posted charge of the visit back from settlement now, as the statement SQL
        decides it (statement_repository.py): the first recovery order naming the visit for its
        provider (``recovery_ordered``), else the latest open or confirmed flag (``visit_flagged``).
        One round trip (the charge consumer asks it for every charge it posts)."""
        row = (await self.session.execute(_WITHHOLDING, {"v": visit_id, "p": provider_id})).first()
        return (row.reason, row.ref_id) if row else None

    # ------------------------------------------------------------------ recoveries

    async def add_recovery(self, recovery: FundRecovery) -> bool:
        statement = (
            insert(FundRecoveryRow)
            .values(
                recovery_id=recovery.recovery_id,
                provider_id=recovery.provider_id,
                district_code=recovery.district_code,
                finding_ids=[str(f) for f in recovery.finding_ids],
                visit_ids=[str(v) for v in recovery.visit_ids],
                fine_rate_percent=recovery.fine_rate_percent,
                basis=list(recovery.basis),
                ordered_at=recovery.ordered_at,
            )
            .on_conflict_do_nothing(index_elements=[FundRecoveryRow.recovery_id])
            .returning(FundRecoveryRow.id)
        )
        if (await self.session.execute(statement)).first() is None:
            return False
        await self.session.execute(
            insert(RecoveryVisitRow)
            .values(
                [
                    {
                        "recovery_id": recovery.recovery_id,
                        "visit_id": visit_id,
                        "fine_rate_percent": recovery.fine_rate_percent,
                        "ordered_at": recovery.ordered_at,
                    }
                    for visit_id in dict.fromkeys(recovery.visit_ids)
                ]
            )
            .on_conflict_do_nothing()
        )
        return True

    async def recovery(self, recovery_id: UUID) -> FundRecovery | None:
        row = (
            await self.session.scalars(
                select(FundRecoveryRow).where(FundRecoveryRow.recovery_id == recovery_id)
            )
        ).first()
        if row is None:
            return None
        return FundRecovery(
            recovery_id=row.recovery_id,
            provider_id=row.provider_id,
            district_code=row.district_code,
            finding_ids=tuple(UUID(f) for f in row.finding_ids),
            visit_ids=tuple(UUID(v) for v in row.visit_ids),
            fine_rate_percent=row.fine_rate_percent,
            basis=tuple(row.basis),
            ordered_at=row.ordered_at,
        )

    async def recoveries_of(self, visit_id: UUID) -> list[FundRecovery]:
        query = select(RecoveryVisitRow.recovery_id).where(RecoveryVisitRow.visit_id == visit_id)
        found = []
        for recovery_id in (await self.session.scalars(query.order_by(RecoveryVisitRow.ordered_at))).all():
            recovery = await self.recovery(recovery_id)
            if recovery is not None:
                found.append(recovery)
        return found

    # ------------------------------------------------------------------ claim samples

    async def add_sample(self, sample: ClaimSample) -> bool:
        statement = (
            insert(ClaimSampleRow)
            .values(
                sample_id=sample.sample_id,
                provider_id=sample.provider_id,
                district_code=sample.district_code,
                period=sample.period,
                seed=sample.seed[:200],
                sampled_visit_ids=[str(v) for v in sample.sampled_visit_ids],
                failed_visit_ids=[str(v) for v in sample.failed_visit_ids],
                sampled=sample.sampled,
                failed=sample.failed,
                basis=list(sample.basis),
                published_at=sample.published_at,
                applied=sample.applied,
            )
            .on_conflict_do_nothing(index_elements=[ClaimSampleRow.sample_id])
            .returning(ClaimSampleRow.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def sample(self, sample_id: UUID) -> ClaimSample | None:
        row = (
            await self.session.scalars(select(ClaimSampleRow).where(ClaimSampleRow.sample_id == sample_id))
        ).first()
        if row is None:
            return None
        return ClaimSample(
            sample_id=row.sample_id,
            provider_id=row.provider_id,
            district_code=row.district_code,
            period=row.period,
            seed=row.seed,
            sampled_visit_ids=tuple(UUID(v) for v in row.sampled_visit_ids),
            failed_visit_ids=tuple(UUID(v) for v in row.failed_visit_ids),
            sampled=row.sampled,
            failed=row.failed,
            basis=tuple(row.basis),
            published_at=row.published_at,
            applied=row.applied,
        )
