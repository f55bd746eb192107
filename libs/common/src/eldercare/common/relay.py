"""The outbox relay: publishes committed outbox rows to Kafka, in order, never dropping one.

One relay per service database publishes at a time (a transaction-level advisory lock), so the
order of ``position`` is the order on the wire; a standby relay takes over when the active one
dies. Rows are claimed with ``FOR UPDATE SKIP LOCKED``, sent, awaited (``acks=all``) and only
then marked published in the same transaction: a crash between send and mark re-sends, which the
consumers' inboxes absorb. The relay wakes on ``NOTIFY outbox`` with a polling fallback, and
retries failures with exponential backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from eldercare.common.clock import utcnow
from eldercare.common.db import MessagingTables, asyncpg_dsn
from eldercare.common.settings import ServiceSettings

log = logging.getLogger("eldercare.relay")

# Any constant works; it only has to be the same for every relay of one database.
RELAY_LOCK_KEY = 0x0E1DE2CA


class OutboxRelay:
    def __init__(
        self,
        settings: ServiceSettings,
        engine: AsyncEngine,
        tables: MessagingTables,
        producer: AIOKafkaProducer,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.outbox = tables.outbox
        self.producer = producer
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.published = 0

    async def replay_retained(self) -> int:
        """Mark every retained row unpublished again (after a broker that lost its log restarts)."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(self.outbox).where(self.outbox.c.published_at.is_not(None)).values(published_at=None)
            )
        count = result.rowcount or 0
        log.info("outbox rows queued for re-publication", extra={"rows": count})
        return count

    async def publish_batch(self) -> int:
        """Publish one batch; returns how many rows were published (0 when idle or not leader)."""
        async with self.engine.begin() as conn:
            leader = (
                await conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": RELAY_LOCK_KEY})
            ).scalar_one()
            if not leader:
                return 0
            rows = (
                await conn.execute(
                    select(self.outbox)
                    .where(self.outbox.c.published_at.is_(None))
                    .order_by(self.outbox.c.position)
                    .limit(self.settings.relay_batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            futures = []
            for row in rows:
                headers = [(k, v.encode()) for k, v in row.headers]
                futures.append(
                    await self.producer.send(
                        row.topic, value=row.payload, key=row.key.encode(), headers=headers
                    )
                )
            await asyncio.gather(*futures)
            await conn.execute(
                update(self.outbox)
                .where(self.outbox.c.position.in_([r.position for r in rows]))
                .values(published_at=func.now())
            )
        self.published += len(rows)
        return len(rows)

    async def _record_failure(self, error: BaseException) -> None:
        with contextlib.suppress(Exception):
            async with self.engine.begin() as conn:
                first = (
                    select(self.outbox.c.position)
                    .where(self.outbox.c.published_at.is_(None))
                    .order_by(self.outbox.c.position)
                    .limit(1)
                    .scalar_subquery()
                )
                await conn.execute(
                    update(self.outbox)
                    .where(self.outbox.c.position == first)
                    .values(attempts=self.outbox.c.attempts + 1, last_error=repr(error)[:2000])
                )

    async def purge_published(self) -> None:
        cutoff = utcnow() - timedelta(hours=self.settings.outbox_retention_hours)
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(self.outbox).where(
                    self.outbox.c.published_at.is_not(None), self.outbox.c.published_at < cutoff
                )
            )

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            conn = await asyncpg.connect(asyncpg_dsn(self.settings.database_url))
            await conn.add_listener("outbox", lambda *_: self._wake.set())
            return conn
        except Exception:  # polling still works without LISTEN
            log.warning("LISTEN outbox unavailable; polling only", exc_info=True)
            return None

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        if self.settings.relay_replay_retained_on_start:
            await self.replay_retained()
        listener = await self._listen()
        backoff = 0.1
        poll = self.settings.relay_poll_interval_ms / 1000
        purge_due = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    sent = await self.publish_batch()
                    backoff = 0.1
                    if loop.time() >= purge_due:
                        await self.purge_published()
                        purge_due = loop.time() + 600
                except Exception as exc:
                    log.warning("outbox publication failed; will retry", extra={"error": repr(exc)})
                    await self._record_failure(exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                if sent:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=poll)
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()
