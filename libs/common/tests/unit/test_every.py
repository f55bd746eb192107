"""``worker.every``: the loop every worker sweep runs in."""

from __future__ import annotations

import asyncio
import logging

import pytest

from eldercare.common.worker import every

pytestmark = pytest.mark.unit


async def test_it_ticks_until_stopped_and_a_failed_tick_does_not_end_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    calls: list[int] = []

    async def tick() -> None:
        calls.append(len(calls))
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        if len(calls) == 4:
            stop.set()

    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(every(0.01, stop, tick, what="test sweep"), timeout=5)
    assert calls == [0, 1, 2, 3]
    assert [r.getMessage() for r in caplog.records] == ["test sweep failed"]


async def test_stop_ends_the_wait_at_once() -> None:
    stop = asyncio.Event()
    ticked = asyncio.Event()

    async def tick() -> None:
        ticked.set()

    task = asyncio.create_task(every(3600, stop, tick, what="hourly"))
    await asyncio.wait_for(ticked.wait(), timeout=5)
    stop.set()
    await asyncio.wait_for(task, timeout=5)  # not an hour
