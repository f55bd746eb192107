"""Findings and rectification notices to and from their rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import FindingRow, RectificationNoticeRow
from eldercare.audit.domain.rectification import (
    Finding,
    FindingSource,
    FindingType,
    NoticeStatus,
    ProviderResponse,
    RectificationNotice,
    Sanction,
    SanctionMeasure,
)


@dataclass(frozen=True)
class Scope:
    """Government staff by region prefix, a provider's staff by provider."""

    region_prefix: str | None = None
    provider_id: UUID | None = None


class RectificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---------------------------------------------------------------- findings

    async def add_finding(self, f: Finding) -> None:
        self.session.add(
            FindingRow(
                id=f.id,
                district_code=f.district_code,
                provider_id=f.provider_id,
                type=f.type.value,
                source=f.source.value,
                source_id=f.source_id,
                evidence=list(f.evidence),
                description=f.description,
                recorded_by=f.recorded_by,
                recorded_at=f.recorded_at,
                notice_id=f.notice_id,
                visit_ids=[str(v) for v in f.visit_ids],
            )
        )
        await self.session.flush()

    async def get_finding(self, finding_id: UUID) -> Finding | None:
        row = await self.session.get(FindingRow, finding_id)
        return finding_to_domain(row) if row else None

    async def get_findings(self, finding_ids: list[UUID]) -> list[Finding]:
        rows = (await self.session.scalars(select(FindingRow).where(FindingRow.id.in_(finding_ids)))).all()
        by_id = {row.id: finding_to_domain(row) for row in rows}
        return [by_id[i] for i in finding_ids if i in by_id]

    async def attach_findings(self, finding_ids: tuple[UUID, ...], notice_id: UUID) -> None:
        await self.session.execute(
            update(FindingRow)
            .where(FindingRow.id.in_(finding_ids))
            .values(notice_id=notice_id, version=FindingRow.version + 1)
            .execution_options(synchronize_session=False)
        )

    async def list_findings(
        self, scope: Scope, *, provider_id: UUID | None, after: UUID | None, limit: int
    ) -> list[Finding]:
        query = select(FindingRow)
        if scope.region_prefix is not None:
            query = query.where(FindingRow.district_code.startswith(scope.region_prefix))
        if scope.provider_id is not None:
            query = query.where(FindingRow.provider_id == scope.provider_id)
        if provider_id is not None:
            query = query.where(FindingRow.provider_id == provider_id)
        if after is not None:
            query = query.where(FindingRow.id > after)
        rows = (await self.session.scalars(query.order_by(FindingRow.id).limit(limit))).all()
        return [finding_to_domain(row) for row in rows]

    # ---------------------------------------------------------------- notices

    async def add_notice(self, n: RectificationNotice) -> None:
        row = RectificationNoticeRow(
            id=n.id,
            district_code=n.district_code,
            provider_id=n.provider_id,
            finding_ids=[str(i) for i in n.finding_ids],
            requirements=n.requirements,
            deadline_on=n.deadline_on,
            issued_by=n.issued_by,
            issued_at=n.issued_at,
        )
        _copy_notice(row, n)
        self.session.add(row)
        await self.session.flush()

    async def get_notice(self, notice_id: UUID) -> RectificationNotice | None:
        row = await self.session.get(RectificationNoticeRow, notice_id)
        return notice_to_domain(row) if row else None

    async def save_notice(self, n: RectificationNotice) -> None:
        row = await self.session.get(RectificationNoticeRow, n.id)
        if row is None:
            raise LookupError(f"notice {n.id} was never added")
        _copy_notice(row, n)
        await self.session.flush()

    async def list_notices(
        self, scope: Scope, *, status: NoticeStatus | None, after: UUID | None, limit: int
    ) -> list[RectificationNotice]:
        query = select(RectificationNoticeRow)
        if scope.region_prefix is not None:
            query = query.where(RectificationNoticeRow.district_code.startswith(scope.region_prefix))
        if scope.provider_id is not None:
            query = query.where(RectificationNoticeRow.provider_id == scope.provider_id)
        if status is not None:
            query = query.where(RectificationNoticeRow.status == status.value)
        if after is not None:
            query = query.where(RectificationNoticeRow.id > after)
        rows = (await self.session.scalars(query.order_by(RectificationNoticeRow.id).limit(limit))).all()
        return [notice_to_domain(row) for row in rows]


def _copy_notice(row: RectificationNoticeRow, n: RectificationNotice) -> None:
    row.status = n.status.value
    row.responses = [{"text": r.text, "by": r.by, "at": r.at.isoformat()} for r in n.responses]
    row.verified_by, row.verified_at, row.verification_notes = (
        n.verified_by,
        n.verified_at,
        n.verification_notes,
    )
    row.recommendation = (
        {"measures": [m.value for m in n.recommendation.measures], "basis": list(n.recommendation.basis)}
        if n.recommendation
        else None
    )
    row.decided_by, row.decided_at, row.decision_notes = n.decided_by, n.decided_at, n.decision_notes
    row.sanction_id = n.sanction_id


def finding_to_domain(row: FindingRow) -> Finding:
    return Finding(
        id=row.id,
        district_code=row.district_code,
        provider_id=row.provider_id,
        type=FindingType(row.type),
        source=FindingSource(row.source),
        source_id=row.source_id,
        evidence=tuple(row.evidence),
        description=row.description,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        notice_id=row.notice_id,
        visit_ids=tuple(UUID(v) for v in row.visit_ids),
    )


def notice_to_domain(row: RectificationNoticeRow) -> RectificationNotice:
    rec = row.recommendation
    return RectificationNotice(
        id=row.id,
        district_code=row.district_code,
        provider_id=row.provider_id,
        finding_ids=tuple(UUID(i) for i in row.finding_ids),
        requirements=row.requirements,
        deadline_on=row.deadline_on,
        issued_by=row.issued_by,
        issued_at=row.issued_at,
        status=NoticeStatus(row.status),
        responses=[
            ProviderResponse(r["text"], r["by"], datetime.fromisoformat(r["at"])) for r in row.responses
        ],
        verified_by=row.verified_by,
        verified_at=row.verified_at,
        verification_notes=row.verification_notes,
        recommendation=(
            Sanction(tuple(SanctionMeasure(m) for m in rec["measures"]), tuple(rec["basis"])) if rec else None
        ),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_notes=row.decision_notes,
        sanction_id=row.sanction_id,
    )
