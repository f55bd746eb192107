"""Concurrent trail writers against the real database, committing for real (cleaned up after)."""

from __future__ import annotations

import asyncio
import json
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
            await conn.execute(text("DELETE FROM audit_chain_heads WHERE chain <> 'legacy'"))
        await engine.dispose()


async def test_concurrent_writers_take_consecutive_seqs_per_chain_and_keep_each_chain_valid(
    committing, make_event
) -> None:  # type: ignore[no-untyped-def]
    async def write(district: str) -> None:
        async with UnitOfWork(committing, MESSAGING, source="test", causation_id=str(uuid4())) as uow:
            await on_event(make_event(ChargePosted, district=district), uow)
            # Hold the transaction open a moment: without the head lock, the others would read the
            # same head meanwhile and collide on seq.
            await asyncio.sleep(0.02)
            await uow.commit()

    await asyncio.gather(*(write(d) for d in ("430102", "430103") * 4))
    async with committing() as s:
        rows = (
            await s.execute(select(AuditEntryRow.chain, AuditEntryRow.seq).order_by("chain", "seq"))
        ).all()
    async with committing() as s:
        verifications = [await verify_trail(s, batch_size=3, chain=c) for c in ("430102", "430103")]
    assert [tuple(r) for r in rows] == [(d, n) for d in ("430102", "430103") for n in (1, 2, 3, 4)]
    assert [(v.entries, v.valid) for v in verifications] == [(4, True), (4, True)]


async def test_one_districts_open_append_does_not_hold_up_anothers(committing, make_event) -> None:  # type: ignore[no-untyped-def]
    """A writer holding 430102's head lock does not block an append to 430103 (per-chain heads)."""
    async with UnitOfWork(committing, MESSAGING, source="test", causation_id=str(uuid4())) as slow:
        await on_event(make_event(ChargePosted, district="430102"), slow)
        # 430102's head is locked until ``slow`` commits; 430103's append completes meanwhile.
        async with UnitOfWork(committing, MESSAGING, source="test", causation_id=str(uuid4())) as fast:
            await asyncio.wait_for(on_event(make_event(ChargePosted, district="430103"), fast), timeout=5)
            await fast.commit()
        await slow.commit()
    async with committing() as s:
        chains = (await s.scalars(select(AuditEntryRow.chain).order_by(AuditEntryRow.id))).all()
    assert list(chains) == ["430102", "430103"]


async def test_the_verification_command_reports_each_chain_and_fails_on_a_broken_one(
    committing, make_event, database_url, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from eldercare.audit import verify

    for district in ("430102", "430103"):
        async with UnitOfWork(committing, MESSAGING, source="test", causation_id=str(uuid4())) as uow:
            await on_event(make_event(ChargePosted, district=district), uow)
            await uow.commit()
    monkeypatch.setenv("AUDIT_DATABASE_URL", database_url)
    assert await verify.run(None, 10) is True
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["chain"], x["entries"], x["valid"]) for x in lines] == [
        ("430102", 1, True),
        ("430103", 1, True),
        ("legacy", 0, True),
    ]
    async with committing() as s, s.begin():
        await s.execute(text("SET LOCAL session_replication_role = replica"))
        await s.execute(text("UPDATE audit_entries SET subject = 'x' WHERE chain = '430103'"))
    assert await verify.run(["430103"], None) is False
    assert json.loads(capsys.readouterr().out) == {
        "chain": "430103",
        "entries": 1,
        "valid": False,
        "first_broken_seq": 1,
    }
