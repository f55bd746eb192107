"""The audit trail repository: the chain head lock, appends, region-scoped reads and chain scans."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import AuditChainHeadRow, AuditDailyHeadRow, AuditEntryRow
from eldercare.audit.domain.trail import AuditEntry, ChainHead, EntryContent, HashAlgorithm

HEAD_ID = 1


@dataclass(frozen=True)
class TrailFilter:
    region_prefix: str
    subject: str | None = None
    event_type: str | None = None


class TrailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_head(self) -> ChainHead:
        """The chain head, locked until commit: concurrent writers queue here, one seq at a time."""
        query = select(AuditChainHeadRow).where(AuditChainHeadRow.id == HEAD_ID).with_for_update()
        row = (await self.session.scalars(query)).one()
        return ChainHead(row.last_seq, row.last_hash)

    async def head(self) -> ChainHead:
        query = select(AuditChainHeadRow.last_seq, AuditChainHeadRow.last_hash).where(
            AuditChainHeadRow.id == HEAD_ID
        )
        row = (await self.session.execute(query)).one()
        return ChainHead(row.last_seq, row.last_hash)

    async def has_event(self, event_id: UUID) -> bool:
        query = select(AuditEntryRow.id).where(AuditEntryRow.event_id == event_id)
        return (await self.session.scalars(query)).first() is not None

    async def append(self, entry: AuditEntry) -> None:
        """Insert the entry and move the head to it (the caller holds the head lock)."""
        c = entry.content
        self.session.add(
            AuditEntryRow(
                id=entry.id,
                seq=c.seq,
                event_id=c.event_id,
                event_type=c.event_type,
                subject=c.subject,
                district_code=c.district_code,
                occurred_at=entry.occurred_at,
                recorded_at=entry.recorded_at,
                summary=dict(c.data),
                prev_hash=c.prev_hash,
                hash=entry.hash,
                hash_alg=c.hash_alg.value,
            )
        )
        await self.session.execute(
            update(AuditChainHeadRow)
            .where(AuditChainHeadRow.id == HEAD_ID)
            .values(last_seq=c.seq, last_hash=entry.hash)
        )
        await self.session.flush()

    async def list_in_region(self, where: TrailFilter, *, after: UUID | None, limit: int) -> list[AuditEntry]:
        # Region codes are digits only (auth validates the claim), so the prefix needs no escaping.
        query = select(AuditEntryRow).where(AuditEntryRow.district_code.startswith(where.region_prefix))
        if where.subject is not None:
            query = query.where(AuditEntryRow.subject == where.subject)
        if where.event_type is not None:
            query = query.where(AuditEntryRow.event_type == where.event_type)
        if after is not None:
            # Pages follow the chain (seq); the cursor names the last entry seen by its id.
            after_seq = select(AuditEntryRow.seq).where(AuditEntryRow.id == after).scalar_subquery()
            query = query.where(AuditEntryRow.seq > after_seq)
        rows = (await self.session.scalars(query.order_by(AuditEntryRow.seq).limit(limit))).all()
        return [to_domain(row) for row in rows]

    async def timeline(
        self, region_prefix: str, party: str, party_id: UUID, *, after: UUID | None, limit: int
    ) -> list[AuditEntry]:
        """Entries about one beneficiary, provider or caregiver (the subject, or the summary's
        ``<party>_id``), in chain order; expression indexes (0012) serve the summary look-ups."""
        key = f"{party}_id"
        query = select(AuditEntryRow).where(
            AuditEntryRow.district_code.startswith(region_prefix),
            or_(AuditEntryRow.summary[key].astext == str(party_id), AuditEntryRow.subject == str(party_id)),
        )
        if after is not None:
            after_seq = select(AuditEntryRow.seq).where(AuditEntryRow.id == after).scalar_subquery()
            query = query.where(AuditEntryRow.seq > after_seq)
        rows = (await self.session.scalars(query.order_by(AuditEntryRow.seq).limit(limit))).all()
        return [to_domain(row) for row in rows]

    async def scan(self, batch_size: int) -> AsyncIterator[list[tuple[EntryContent, str]]]:
        """Every entry in seq order, a batch at a time (keyset paging, so memory stays flat)."""
        t = AuditEntryRow.__table__.c
        columns = (
            t.seq,
            t.event_id,
            t.event_type,
            t.subject,
            t.district_code,
            t.summary,
            t.prev_hash,
            t.hash,
            t.hash_alg,
        )
        last: int | None = None  # no lower bound at first: a row moved to seq 0 is still seen
        while True:
            query = select(*columns).order_by(t.seq).limit(batch_size)
            if last is not None:
                query = query.where(t.seq > last)
            rows = (await self.session.execute(query)).all()
            if not rows:
                return
            yield [(_content(row), row.hash) for row in rows]
            last = rows[-1].seq


def _content(row: Any) -> EntryContent:
    return EntryContent(
        seq=row.seq,
        event_id=row.event_id,
        event_type=row.event_type,
        subject=row.subject,
        district_code=row.district_code,
        data=row.summary,
        prev_hash=row.prev_hash,
        hash_alg=HashAlgorithm(row.hash_alg),
    )


def to_domain(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        content=_content(row),
        hash=row.hash,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
    )


@dataclass(frozen=True)
class DailyHead:
    day: date
    last_seq: int
    last_hash: str
    hash_alg: HashAlgorithm
    entries_on_day: int
    published_at: datetime


class DailyHeadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, day: date) -> DailyHead | None:
        row = await self.session.get(AuditDailyHeadRow, day)
        if row is None:
            return None
        return DailyHead(
            row.day,
            row.last_seq,
            row.last_hash,
            HashAlgorithm(row.hash_alg),
            row.entries_on_day,
            row.published_at,
        )

    async def head_before(self, end: datetime) -> tuple[int, str, HashAlgorithm, int] | None:
        """The last entry recorded before ``end`` and how many were recorded in the day before it."""
        last = (
            await self.session.execute(
                select(AuditEntryRow.seq, AuditEntryRow.hash, AuditEntryRow.hash_alg)
                .where(AuditEntryRow.recorded_at < end)
                .order_by(AuditEntryRow.seq.desc())
                .limit(1)
            )
        ).first()
        if last is None:
            return None
        count = await self.session.scalar(
            select(func.count())
            .select_from(AuditEntryRow)
            .where(AuditEntryRow.recorded_at < end, AuditEntryRow.recorded_at >= end - timedelta(days=1))
        )
        return last.seq, last.hash, HashAlgorithm(last.hash_alg), int(count or 0)

    async def add(self, head: DailyHead) -> None:
        self.session.add(
            AuditDailyHeadRow(
                day=head.day,
                last_seq=head.last_seq,
                last_hash=head.last_hash,
                hash_alg=head.hash_alg.value,
                entries_on_day=head.entries_on_day,
                published_at=head.published_at,
            )
        )
        await self.session.flush()
