"""A service's before-commit hooks: they see the events a unit of work publishes and write in its
transaction, so their rows commit (or vanish) with the state change and the outbox rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from eldercare.common.contracts import VisitCheckedIn
from eldercare.common.db import MessagingTables, make_sessionmaker
from eldercare.common.envelope import Envelope
from eldercare.common.uow import UnitOfWork

from .conftest import NOTES, TABLES


def check_in() -> VisitCheckedIn:
    return VisitCheckedIn(
        visit_id=uuid4(),
        beneficiary_id=uuid4(),
        provider_id=uuid4(),
        caregiver_id=uuid4(),
        district_code="430102",
        checked_in_at=datetime.now(UTC),
        distance_m=3.0,
        location_ok=True,
    )


@pytest.fixture
async def sessions(common_db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = create_async_engine(common_db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


class Recorder:
    """A hook that keeps what it saw and writes one note per event, named by the event id."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    async def __call__(self, session: AsyncSession, pending: Sequence[Envelope]) -> None:
        self.seen.append([str(e.id) for e in pending])
        for envelope in pending:
            await session.execute(insert(NOTES).values(id=envelope.id, text=envelope.type))


def hooked(recorder: Recorder) -> MessagingTables:
    return replace(TABLES, before_commit=(recorder,))


async def notes(sessions: async_sessionmaker[AsyncSession], ids: list[str]) -> list[str]:
    async with sessions() as s:
        rows = (await s.execute(select(NOTES.c.id).where(NOTES.c.id.in_(ids)))).scalars()
        return sorted(str(r) for r in rows)


class TestBeforeCommitHooks:
    async def test_a_hook_sees_the_published_events_in_order_and_its_rows_commit_with_them(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        recorder = Recorder()
        async with UnitOfWork(sessions, hooked(recorder), source="test") as uow:
            first, second = uow.publish(check_in()), uow.publish(check_in())
            await uow.commit()
        assert recorder.seen == [[str(first.id), str(second.id)]]
        ids = [str(first.id), str(second.id)]
        assert await notes(sessions, ids) == sorted(ids)

    async def test_a_unit_of_work_that_does_not_commit_runs_no_hook_and_keeps_nothing(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        recorder = Recorder()
        async with UnitOfWork(sessions, hooked(recorder), source="test") as uow:
            envelope = uow.publish(check_in())
        assert recorder.seen == []
        assert await notes(sessions, [str(envelope.id)]) == []

    async def test_a_failing_hook_rolls_back_the_whole_transaction(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async def broken(session: AsyncSession, pending: Sequence[Envelope]) -> None:
            raise RuntimeError("hook failed")

        note_id = uuid4()
        with pytest.raises(RuntimeError):
            async with UnitOfWork(sessions, replace(TABLES, before_commit=(broken,)), source="test") as uow:
                await uow.session.execute(insert(NOTES).values(id=note_id, text="state"))
                uow.publish(check_in())
                await uow.commit()
        assert await notes(sessions, [str(note_id)]) == []

    async def test_hooks_run_even_when_nothing_is_published(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        recorder = Recorder()
        async with UnitOfWork(sessions, hooked(recorder), source="test") as uow:
            await uow.commit()
        assert recorder.seen == [[]]
        assert uow.pending == ()
