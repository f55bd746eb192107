"""The unit of work: one transaction, one commit point, and the outbox rows written inside it.

Handlers record integration events with :meth:`UnitOfWork.publish`; the rows are inserted in the
same transaction as the state change, so an event is published if and only if the change commits.
Nothing else in a service calls ``commit()``. A service's ``before_commit`` hooks (on its
:class:`~eldercare.common.db.MessagingTables`) run first, in the same transaction.
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.common.contracts import REGISTRY
from eldercare.common.db import MessagingTables
from eldercare.common.envelope import Envelope
from eldercare.common.observability import current_correlation_id, current_traceparent
from eldercare.common.registry import IntegrationEvent
from eldercare.common.settings import ServiceSettings


class UnitOfWork:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        *,
        source: str,
        causation_id: str | None = None,
        settings: ServiceSettings | None = None,
        incoming: Envelope | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._tables = tables
        self.source = source
        self.causation_id = causation_id
        # What a handler may need beyond the command: the service's settings, and for a consumer
        # the envelope being handled (its id and time, e.g. for the audit trail).
        self.settings = settings
        self.incoming = incoming
        self._pending: list[Envelope] = []
        self._session: AsyncSession | None = None
        self.committed = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessionmaker()
        await self._session.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        try:
            if not self.committed:
                await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None

    def publish(self, event: IntegrationEvent) -> Envelope:
        """Queue an integration event; it is written to the outbox at commit."""
        envelope = REGISTRY.envelope(
            event,
            source=self.source,
            correlation_id=current_correlation_id(),
            causation_id=self.causation_id,
            traceparent=current_traceparent(),
        )
        self._pending.append(envelope)
        return envelope

    async def flush(self) -> None:
        await self.session.flush()

    @property
    def pending(self) -> tuple[Envelope, ...]:
        """The events published so far in this unit of work, in order (written at commit)."""
        return tuple(self._pending)

    async def commit(self) -> None:
        # The service's hooks see what the transaction publishes and write in it (same commit).
        for hook in self._tables.before_commit:
            await hook(self.session, self.pending)
        if self._pending:
            rows = [outbox_row(REGISTRY.spec(e.type).topic, e) for e in self._pending]
            await self.session.execute(insert(self._tables.outbox), rows)
            # Delivered at commit; wakes the relay without waiting for its next poll.
            await self.session.execute(text("SELECT pg_notify('outbox', '')"))
            self._pending.clear()
        await self.session.commit()
        self.committed = True


def outbox_row(topic: str, envelope: Envelope) -> dict[str, Any]:
    return {
        "event_id": envelope.id,
        "topic": topic,
        "key": envelope.subject,
        "headers": [[k, v.decode()] for k, v in envelope.kafka_headers()],
        "payload": json.dumps(envelope.data, ensure_ascii=False, separators=(",", ":")).encode(),
    }
