"""The dispatch database: its declarative base and the shared messaging tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from eldercare.common.db import messaging_tables, new_metadata
from eldercare.common.envelope import Envelope


class Base(DeclarativeBase):
    metadata = new_metadata()


async def _notify_caregivers(session: AsyncSession, pending: Sequence[Envelope]) -> None:
    # Imported when called: the feed's models are mapped on this module's Base.
    from eldercare.dispatch.application.notifications import record_notifications

    await record_notifications(session, pending)


# Every unit of work of dispatch (HTTP, consumers, the worker's sweeps) writes caregivers'
# notifications before it commits, from what it queued and the visit events it publishes.
MESSAGING = messaging_tables(Base.metadata, before_commit=(_notify_caregivers,))
