"""Audit trail handlers: append an integration event to the hash chain; verify the chain."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid5

from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.trail_repository import DailyHead, DailyHeadRepository, TrailRepository
from eldercare.audit.domain.errors import DayNotOver
from eldercare.audit.domain.trail import (
    AuditEntry,
    ChainHead,
    ChainVerifier,
    HashAlgorithm,
    Verification,
    chain_for,
    next_entry,
)
from eldercare.common.clock import DISPLAY_ZONE, local_date, utcnow
from eldercare.common.contracts import TrailHeadPublished
from eldercare.common.errors import NotFound
from eldercare.common.ids import uuid7
from eldercare.common.registry import IntegrationEvent
from eldercare.common.uow import UnitOfWork

# Names the ids derived for events delivered without an envelope id (see record_command).
_EVENT_ID_NAMESPACE = UUID("0193a6f2-5b1c-7a00-9c41-6a7564697421")


@dataclass(frozen=True)
class RecordEvent:
    event_id: UUID
    event_type: str
    subject: str
    district_code: str
    data: dict[str, Any]
    hash_alg: HashAlgorithm = HashAlgorithm.sm3


@dataclass(frozen=True)
class PublishDailyHead:
    day: date


def record_command(
    event: IntegrationEvent, causation_id: str | None, hash_alg: HashAlgorithm = HashAlgorithm.sm3
) -> RecordEvent:
    """The command for an event.

    Handlers get the event, not its envelope; the consumer runner opens each handler's unit of work
    with the envelope id as causation id (eldercare.common.consumer.ConsumerRunner._apply), so
    that is the event id. Without one (a direct call), the id is derived from the content, so the
    same event delivered twice still maps to one id.
    """
    data = event.model_dump(mode="json")
    if causation_id is not None:
        event_id = UUID(causation_id)
    else:
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        event_id = uuid5(_EVENT_ID_NAMESPACE, f"{event.event_type}\n{canonical}")
    return RecordEvent(
        event_id=event_id,
        event_type=event.event_type,
        subject=event.subject(),
        district_code=_district(data),
        data=data,
        hash_alg=hash_alg,
    )


def _district(data: dict[str, object]) -> str:
    """The district an entry is listed under. A PII-access record may name none (a read outside
    any district's records): it is listed under the reader's own region, cut to a district code."""
    district = data.get("district_code") or data.get("actor_region") or ""
    return str(district)[:6]


async def record_event(cmd: RecordEvent, uow: UnitOfWork) -> AuditEntry | None:
    """审计留痕: append the event to the trail; ``None`` when it is already there.

    The head of the entry's chain (its district's, domain.trail.chain_for) is locked first, so the
    existence check and the append happen in one serialised step per chain and seq stays gapless
    under concurrent consumers, while another district's appends go on in parallel. An event id is
    unique across chains (a unique index), so a redelivery is found whichever chain holds it.
    """
    repo = TrailRepository(uow.session)
    head = await repo.lock_head(chain_for(cmd.district_code))
    if await repo.has_event(cmd.event_id):
        return None
    entry = next_entry(
        head,
        entry_id=uuid7(),
        event_id=cmd.event_id,
        event_type=cmd.event_type,
        subject=cmd.subject,
        district_code=cmd.district_code,
        data=cmd.data,
        recorded_at=utcnow(),
        hash_alg=cmd.hash_alg,
    )
    await repo.append(entry)
    return entry


async def verify_trail(session: AsyncSession, *, batch_size: int, chain: str) -> Verification:
    """Recompute every link of one chain and compare it with the chain's recorded head; only that
    chain's rows are read."""
    [verification] = await verify_chains(session, batch_size=batch_size, chains=[chain])
    return verification


async def verify_chains(
    session: AsyncSession,
    *,
    batch_size: int,
    chains: list[str] | None = None,
    allowed: Callable[[str], bool] = lambda _: True,
) -> list[Verification]:
    """Each of ``chains`` (every chain with a head when None) that ``allowed`` admits, verified on
    its own, in one snapshot, by chain name. A chain without a head has no entries (or lost its
    head row: then its first entry is reported)."""
    # One snapshot for the heads and the scans: a concurrent append cannot look like a broken tail.
    # A session joined to a transaction already open (the tests' rolled-back one) keeps its level.
    with contextlib.suppress(InvalidRequestError):
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    repo = TrailRepository(session)
    names = await repo.chains() if chains is None else chains
    results: list[Verification] = []
    for chain in sorted(c for c in names if allowed(c)):
        verifier = ChainVerifier()
        head = await repo.head(chain)
        async for batch in repo.scan(chain, batch_size):
            verifier.feed(batch)
        results.append(replace(verifier.finish(head if head is not None else ChainHead()), chain=chain))
    return results


async def publish_daily_head(cmd: PublishDailyHead, uow: UnitOfWork) -> list[DailyHead]:
    """The head of every chain that recorded an entry on ``day`` (Asia/Shanghai), each published
    once as TrailHeadPublished (naming its chain) so it can be anchored outside; a second call
    returns the heads already published. A chain with no entry that day keeps the head it last
    published. Nothing recorded that day by any chain: 404."""
    now = utcnow()
    if cmd.day >= local_date(now):
        raise DayNotOver(f"{cmd.day.isoformat()} is not over yet in Asia/Shanghai", field="day")
    repo = DailyHeadRepository(uow.session)
    published = await repo.published(cmd.day)
    start = datetime.combine(cmd.day, time(), tzinfo=DISPLAY_ZONE)
    end = datetime.combine(cmd.day + timedelta(days=1), time(), tzinfo=DISPLAY_ZONE)
    heads: list[DailyHead] = []
    for chain, seq, last_hash, alg, entries_on_day in await repo.heads_of_day(start, end):
        if chain in published:
            heads.append(published.pop(chain))
            continue
        head = DailyHead(cmd.day, chain, seq, last_hash, alg, entries_on_day, now)
        await repo.add(head)
        uow.publish(
            TrailHeadPublished(
                day=head.day,
                chain=head.chain,
                last_seq=head.last_seq,
                last_hash=head.last_hash,
                hash_alg=head.hash_alg.value,
                entries_on_day=head.entries_on_day,
                published_at=head.published_at,
            )
        )
        heads.append(head)
    heads.extend(published.values())  # published before (e.g. legacy heads from before chains)
    if not heads:
        raise NotFound("no chain of the trail recorded an entry that day")
    return sorted(heads, key=lambda h: h.chain)
