"""Concurrent trail writers against the real database, committing for real (cleaned up after)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from eldercare.audit.adapters.models import AuditEntryRow
from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.application.trail import verify_trail
from eldercare.audit.consumers import on_event
from eldercare.common.contracts import ChargePosted
from eldercare.common.uow import UnitOfWork


@pytest.fixture
async def committing(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a pool of their own connections, so writers really run side by side."""
    engine = create_async_engine(database_url, pool_size=8)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        async with engine.begin() as conn:
            # The trail is append-only (migration 0005); cleaning up takes the superuser's way round.
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text("DELETE FROM audit_entries"))
            await conn.execute(text("UPDATE audit_chain_head SET last_seq = 0, last_hash = repeat('0', 64)"))
        await engine.dispose()


async def test_concurrent_writers_take_consecutive_seqs_and_keep_the_chain_valid(
    committing, make_event
) -> None:  # type: ignore[no-untyped-def]
    async def write() -> None:
        async with UnitOfWork(committing, MESSAGING, source="test", causation_id=str(uuid4())) as uow:
            await on_event(make_event(ChargePosted), uow)
            # Hold the transaction open a moment: without the head lock, the others would read the
            # same head meanwhile and collide on seq.
            await asyncio.sleep(0.02)
            await uow.commit()

    await asyncio.gather(*(write() for _ in range(6)))
    async with committing() as s:
        seqs = (await s.scalars(select(AuditEntryRow.seq).order_by(AuditEntryRow.seq))).all()
    async with committing() as s:
        verification = await verify_trail(s, batch_size=4)
    assert list(seqs) == [1, 2, 3, 4, 5, 6]
    assert (verification.entries, verification.valid) == (6, True)
