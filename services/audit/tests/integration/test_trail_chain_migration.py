"""Revision 0014 on a trail written before it: the single global chain becomes the legacy chain,
no stored hash is rewritten, it still verifies, and new entries go to per-district chains."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.application.trail import verify_chains
from eldercare.audit.consumers import on_event
from eldercare.audit.domain.trail import GENESIS_HASH, EntryContent, HashAlgorithm
from eldercare.common.contracts import ChargePosted
from eldercare.common.uow import UnitOfWork

AUDIT_DIR = Path(__file__).parents[2]


def alembic(url: str, *args: str) -> None:
    env = {**os.environ, "AUDIT_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(AUDIT_DIR / "alembic.ini"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def at_0013(postgres) -> Iterator[str]:  # type: ignore[no-untyped-def]
    name = f"test_audit_chains_{uuid4().hex[:8]}"
    postgres.create(name)
    url = postgres.database_url(name)
    alembic(url, "upgrade", "0013")
    yield url


async def test_the_old_chain_becomes_legacy_and_still_verifies(at_0013, make_event) -> None:  # type: ignore[no-untyped-def]
    engine = create_async_engine(at_0013)
    try:
        # Three entries as the global chain wrote them (no chain in the hashed content).
        contents: list[EntryContent] = []
        prev = GENESIS_HASH
        for seq, district in enumerate(("430102", "430103", "430102"), start=1):
            c = EntryContent(
                seq=seq,
                event_id=uuid4(),
                event_type="billing.charge.posted.v1",
                subject=f"s{seq}",
                district_code=district,
                data={"n": seq},
                prev_hash=prev,
                hash_alg=HashAlgorithm.sm3,
            )
            contents.append(c)
            prev = c.hash()
        async with engine.begin() as conn:
            for c in contents:
                await conn.execute(
                    text(
                        "INSERT INTO audit_entries (id, seq, event_id, event_type, subject, district_code,"
                        " occurred_at, recorded_at, summary, prev_hash, hash, hash_alg) VALUES (:id, :seq,"
                        " :event_id, :event_type, :subject, :district, now(), now(), CAST(:summary AS jsonb),"
                        " :prev, :hash, 'sm3')"
                    ),
                    {
                        "id": uuid4(),
                        "seq": c.seq,
                        "event_id": c.event_id,
                        "event_type": c.event_type,
                        "subject": c.subject,
                        "district": c.district_code,
                        "summary": json.dumps(c.data),
                        "prev": c.prev_hash,
                        "hash": c.hash(),
                    },
                )
            await conn.execute(text("UPDATE audit_chain_head SET last_seq = 3, last_hash = :h"), {"h": prev})
        await engine.dispose()

        alembic(at_0013, "upgrade", "head")

        engine = create_async_engine(at_0013)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions() as s:
            stored = (await s.execute(text("SELECT chain, seq, hash FROM audit_entries ORDER BY seq"))).all()
        assert [tuple(r) for r in stored] == [("legacy", c.seq, c.hash()) for c in contents]
        async with UnitOfWork(sessions, MESSAGING, source="test", causation_id=str(uuid4())) as uow:
            await on_event(make_event(ChargePosted, district="430103"), uow)
            await uow.commit()
        async with sessions() as s:
            results = await verify_chains(s, batch_size=2)
        assert [(v.chain, v.entries, v.valid) for v in results] == [("430103", 1, True), ("legacy", 3, True)]
    finally:
        await engine.dispose()
