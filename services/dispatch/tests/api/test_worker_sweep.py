"""The worker's sweep loop: one tick marks missed visits and escalates unacknowledged emergency
calls, then waits for the next tick or the stop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.models import VisitRow
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.worker import sweep_missed


class SignallingUnitOfWork(UnitOfWork):
    """Sets ``committed_event`` at commit, so the test waits for the tick without touching the
    (shared, rolled-back) connection while the sweep uses it."""

    committed_event: asyncio.Event

    async def commit(self) -> None:
        await super().commit()
        self.committed_event.set()


@dataclass
class FakeRuntime:
    sessions: Any
    ticked: asyncio.Event

    def uow(self) -> UnitOfWork:
        uow = SignallingUnitOfWork(self.sessions, MESSAGING, source="dispatch")
        uow.committed_event = self.ticked
        return uow


@dataclass
class FakeWorker:
    runtime: FakeRuntime


async def test_one_tick_marks_a_missed_visit_and_the_loop_stops_when_told(
    world, sessions, settings, outbox
) -> None:  # type: ignore[no-untyped-def]
    scene = await world.scene()
    # Move the visit's slot into the past instead of waiting for the clock.
    past = datetime.now(UTC) - timedelta(hours=3)
    async with sessions() as s, s.begin():
        await s.execute(
            update(VisitRow)
            .where(VisitRow.id == scene.visit["id"])
            .values(scheduled_start_at=past, scheduled_end_at=past + timedelta(hours=1))
        )
    stop, ticked = asyncio.Event(), asyncio.Event()
    hourly = settings.model_copy(update={"missed_sweep_seconds": 3600})
    task = asyncio.create_task(sweep_missed(FakeWorker(FakeRuntime(sessions, ticked)), hourly, stop))
    await asyncio.wait_for(ticked.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    cancelled = [d for t, d in await outbox() if t == "dispatch.visit.cancelled.v1"]
    assert [(d["visit_id"], d["kind"]) for d in cancelled] == [(scene.visit["id"], "missed")]
