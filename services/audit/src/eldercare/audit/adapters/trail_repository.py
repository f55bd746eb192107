"""The audit trail repository: the chain head lock, appends, region-scoped reads and chain scans."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import AuditChainHeadRow, AuditDailyHeadRow, AuditEntryRow
from eldercare.audit.domain.trail import GENESIS_HASH, AuditEntry, ChainHead, EntryContent, HashAlgorithm


@dataclass(frozen=True)
class TrailFilter:
    region_prefix: str
    subject: str | None = None
    event_type: str | None = None


class TrailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_head(self, chain: str) -> ChainHead:
        """The chain's head, locked until commit: writers to the same chain queue here, one seq at
        a time; writers to other chains do not wait. A chain's first writer creates its head row
        (ON CONFLICT: two first writers cannot both create it)."""
        await self.session.execute(
            pg_insert(AuditChainHeadRow)
            .values(chain=chain, last_seq=0, last_hash=GENESIS_HASH)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        query = select(AuditChainHeadRow).where(AuditChainHeadRow.chain == chain).with_for_update()
        row = (await self.session.scalars(query)).one()
        return ChainHead(row.last_seq, row.last_hash)

    async def head(self, chain: str) -> ChainHead | None:
        query = select(AuditChainHeadRow.last_seq, AuditChainHeadRow.last_hash).where(
            AuditChainHeadRow.chain == chain
        )
        row = (await self.session.execute(query)).first()
        return None if row is None else ChainHead(row.last_seq, row.last_hash)

    async def chains(self) -> list[str]:
        """Every chain that has a head, by name."""
        query = select(AuditChainHeadRow.chain).order_by(AuditChainHeadRow.chain)
        return list((await self.session.scalars(query)).all())

    async def has_event(self, event_id: UUID) -> bool:
        query = select(AuditEntryRow.id).where(AuditEntryRow.event_id == event_id)
        return (await self.session.scalars(query)).first() is not None

    async def append(self, entry: AuditEntry) -> None:
        """Insert the entry and move the head to it (the caller holds the head lock)."""
        c = entry.content
        self.session.add(
            AuditEntryRow(
                id=entry.id,
                chain=c.chain,
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
            .where(AuditChainHeadRow.chain == c.chain)
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
            # Pages follow the recording order across chains (uuid7 ids, monotonic per process);
            # the cursor is the last entry seen.
            query = query.where(AuditEntryRow.id > after)
        rows = (await self.session.scalars(query.order_by(AuditEntryRow.id).limit(limit))).all()
        return [to_domain(row) for row in rows]

    async def timeline(
        self, region_prefix: str, party: str, party_id: UUID, *, after: UUID | None, limit: int
    ) -> list[AuditEntry]:
        """Entries about one beneficiary, provider or caregiver (the subject, or the summary's
        ``<party>_id``), in recording order; expression indexes (0012, 0014) serve the summary look-ups."""
        key = f"{party}_id"
        query = select(AuditEntryRow).where(
            AuditEntryRow.district_code.startswith(region_prefix),
            or_(AuditEntryRow.summary[key].astext == str(party_id), AuditEntryRow.subject == str(party_id)),
        )
        if after is not None:
            query = query.where(AuditEntryRow.id > after)
        rows = (await self.session.scalars(query.order_by(AuditEntryRow.id).limit(limit))).all()
        return [to_domain(row) for row in rows]

    async def scan(self, chain: str, batch_size: int) -> AsyncIterator[list[tuple[EntryContent, str]]]:
        """Every entry of one chain in seq order, a batch at a time (keyset paging over the
        (chain, seq) unique index, so memory stays flat and no other chain's row is read)."""
        t = AuditEntryRow.__table__.c
        columns = (
            t.chain,
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
            query = select(*columns).where(t.chain == chain).order_by(t.seq).limit(batch_size)
            if last is not None:
                query = query.where(t.seq > last)
            rows = (await self.session.execute(query)).all()
            if not rows:
                return
            yield [(_content(row), row.hash) for row in rows]
            last = rows[-1].seq


def _content(row: Any) -> EntryContent:
    return EntryContent(
        chain=row.chain,
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
    chain: str
    last_seq: int
    last_hash: str
    hash_alg: HashAlgorithm
    entries_on_day: int
    published_at: datetime


class DailyHeadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def published(self, day: date) -> dict[str, DailyHead]:
        """The heads already published for ``day``, by chain."""
        rows = (
            await self.session.scalars(select(AuditDailyHeadRow).where(AuditDailyHeadRow.day == day))
        ).all()
        return {
            row.chain: DailyHead(
                row.day,
                row.chain,
                row.last_seq,
                row.last_hash,
                HashAlgorithm(row.hash_alg),
                row.entries_on_day,
                row.published_at,
            )
            for row in rows
        }

    async def heads_of_day(
        self, start: datetime, end: datetime
    ) -> list[tuple[str, int, str, HashAlgorithm, int]]:
        """Per chain with an entry recorded in [start, end): its last entry's seq, hash and algorithm
        and how many entries it recorded then."""
        t = AuditEntryRow.__table__.c
        in_day = (t.recorded_at >= start) & (t.recorded_at < end)
        counted = await self.session.execute(select(t.chain, func.count()).where(in_day).group_by(t.chain))
        counts = {row[0]: int(row[1]) for row in counted}
        last = (
            await self.session.execute(
                select(t.chain, t.seq, t.hash, t.hash_alg)
                .where(in_day)
                .ext(distinct_on(t.chain))
                .order_by(t.chain, t.seq.desc())
            )
        ).all()
        return [
            (r.chain, r.seq, r.hash, HashAlgorithm(r.hash_alg), int(counts.get(r.chain, 0))) for r in last
        ]

    async def add(self, head: DailyHead) -> None:
        self.session.add(
            AuditDailyHeadRow(
                day=head.day,
                chain=head.chain,
                last_seq=head.last_seq,
                last_hash=head.last_hash,
                hash_alg=head.hash_alg.value,
                entries_on_day=head.entries_on_day,
                published_at=head.published_at,
            )
        )
        await self.session.flush()
