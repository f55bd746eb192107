"""Wakes the API's long polls of caregivers' feeds (``GET /v1/caregivers/{id}/notifications?wait=``).

One asyncpg connection per API process LISTENs on the channel a committed append notifies
(``pg_notify`` in the writing transaction, so a wake-up means committed rows), opened at the first
long poll and closed with the app; it is outside the SQLAlchemy pool, so waiting requests hold no
pooled connection. Without it (the server refused, the connection dropped) each waiting request
re-reads every ``recheck`` seconds instead: slower to answer, never wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from eldercare.common.db import asyncpg_dsn
from eldercare.dispatch.adapters.repositories.notifications import CHANNEL

log = logging.getLogger("eldercare.dispatch.notifications")


@dataclass(eq=False)
class Waiter:
    """``event`` is set when a notification for the caregiver may have been committed; ``recheck``
    caps each wait (the fallback poll when nothing listens)."""

    event: asyncio.Event
    recheck: float | None = None


class NotificationHub:
    def __init__(self, database_url: str, *, poll_seconds: float) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._poll = poll_seconds
        self._waiters: dict[UUID, set[Waiter]] = {}
        self._conn: Any = None
        self._lock = asyncio.Lock()
        self._retry_at = 0.0

    @property
    def listening(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def _listen(self) -> bool:
        if self.listening:
            return True
        async with self._lock:
            loop = asyncio.get_running_loop()
            if self.listening or loop.time() < self._retry_at:
                return self.listening
            try:
                conn = await asyncio.wait_for(asyncpg.connect(self._dsn), timeout=5)
                await conn.add_listener(CHANNEL, self._on_notify)
                conn.add_termination_listener(self._on_lost)
                self._conn = conn
            except Exception:
                # Do not retry on every request while the server refuses.
                self._retry_at = loop.time() + 10 * self._poll
                log.warning("LISTEN %s unavailable; long polls re-read instead", CHANNEL, exc_info=True)
            return self.listening

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            caregiver_id = UUID(payload)
        except ValueError:
            return
        for waiter in self._waiters.get(caregiver_id, ()):
            waiter.event.set()

    def _on_lost(self, _conn: Any) -> None:
        self._conn = None
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.recheck = self._poll
                waiter.event.set()

    @contextlib.asynccontextmanager
    async def subscribe(self, caregiver_id: UUID) -> AsyncIterator[Waiter]:
        listening = await self._listen()
        waiter = Waiter(asyncio.Event(), None if listening else self._poll)
        self._waiters.setdefault(caregiver_id, set()).add(waiter)
        try:
            yield waiter
        finally:
            waiters = self._waiters.get(caregiver_id)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self._waiters[caregiver_id]

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
