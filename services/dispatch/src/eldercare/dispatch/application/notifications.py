"""Caregivers' notification feeds (domain/notifications.py): written at commit, read by the app.

Writing: use cases queue what they must tell (:func:`tell`, emergencies); visit notifications are
derived from the visit events the transaction publishes. Both are appended by
:func:`record_notifications`, the service's before-commit hook (adapters/orm.py), in the same
transaction as the change: a rolled-back change tells nothing, a committed one tells once.

Reading: the caregiver themself, or their provider's admin (another tenant: 404). A long poll
holds no database connection while it waits (see :func:`poll_feed`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import Principal
from eldercare.common.envelope import Envelope
from eldercare.common.errors import InvalidInput
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.notification_hub import Waiter
from eldercare.dispatch.adapters.repositories.notifications import (
    Feed,
    NotificationRepository,
    StoredNotification,
)
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository
from eldercare.dispatch.application.access import ensure, is_the_caregiver, provider_admin_of
from eldercare.dispatch.domain.emergencies import Emergency
from eldercare.dispatch.domain.notifications import (
    Notification,
    WithdrawnBecause,
    emergency_request,
    emergency_withdrawn,
    from_visit_event,
    visit_event_target,
)

# Where a session keeps the notifications queued by the use case until the commit hook runs.
_QUEUED = "eldercare.dispatch.caregiver_notifications"

MAX_WAIT_SECONDS = 30


def tell(session: AsyncSession, notification: Notification) -> None:
    """Queue a notification; it is written at commit, with the change it tells of."""
    session.info.setdefault(_QUEUED, []).append(notification)


async def record_notifications(session: AsyncSession, pending: Sequence[Envelope]) -> None:
    """The before-commit hook: the queued notifications, then one per visit event that concerns a
    caregiver (booked, unassigned, cancelled), in publication order."""
    queued: list[Notification] = session.info.pop(_QUEUED, [])
    targets = [(e, visit_event_target(e.type, e.data)) for e in pending]
    repo = NotificationRepository(session)
    facts = await repo.visit_facts({t[0] for _, t in targets if t is not None})
    derived = [from_visit_event(e.type, e.data, facts.get(t[0])) for e, t in targets if t is not None]
    await repo.append(queued + [n for n in derived if n is not None])


# ---------------------------------------------------------------- emergencies


def _asked(emergency: Emergency) -> UUID | None:
    return emergency.notified_caregiver_ids[-1] if emergency.notified_caregiver_ids else None


def tell_asked(session: AsyncSession, emergency: Emergency) -> None:
    """At raising: the caregiver asked to go (none when nobody was available)."""
    asked = _asked(emergency)
    if asked is not None and emergency.provider_id is not None:
        tell(
            session,
            emergency_request(
                asked,
                emergency.provider_id,
                emergency.id,
                emergency.community_code,
                emergency.raised_at.isoformat(),
            ),
        )


def tell_passed_on(session: AsyncSession, emergency: Emergency, src: UUID | None, dst: UUID | None) -> None:
    """A hop of the escalation: ``src`` is no longer asked, ``dst`` (None: the 24-hour line) is."""
    if emergency.provider_id is None:
        return
    if src is not None:
        tell(
            session, emergency_withdrawn(src, emergency.provider_id, emergency.id, WithdrawnBecause.escalated)
        )
    if dst is not None:
        tell(
            session,
            emergency_request(
                dst,
                emergency.provider_id,
                emergency.id,
                emergency.community_code,
                emergency.raised_at.isoformat(),
            ),
        )


def tell_taken(session: AsyncSession, emergency: Emergency, by_caregiver: UUID | None) -> None:
    """Another caregiver took the call (acknowledged or arrived first): the asked one may stand down.
    The provider's office taking it withdraws nobody: it may still send the asked caregiver."""
    asked = _asked(emergency)
    if by_caregiver is None or asked in (None, by_caregiver) or emergency.provider_id is None:
        return
    assert asked is not None
    tell(
        session,
        emergency_withdrawn(asked, emergency.provider_id, emergency.id, WithdrawnBecause.taken_by_another),
    )


def tell_resolved(session: AsyncSession, emergency: Emergency, by_caregiver: UUID | None) -> None:
    """The call is closed: the caregiver still asked (not passed on to the line) is told, unless
    they closed it themselves."""
    asked = _asked(emergency)
    if asked is None or asked == by_caregiver or emergency.escalated_to_line_at is not None:
        return
    assert emergency.provider_id is not None
    tell(session, emergency_withdrawn(asked, emergency.provider_id, emergency.id, WithdrawnBecause.resolved))


# ---------------------------------------------------------------- reading and acknowledging


@dataclass(frozen=True)
class FeedPage:
    feed: Feed
    items: list[StoredNotification]
    after: int

    @property
    def next_cursor(self) -> int:
        return self.items[-1].seq if self.items else self.after


def parse_cursor(value: str | None, field: str) -> int:
    """A cursor is the decimal sequence number of a notification in the caregiver's feed; the app
    keeps it as an opaque string."""
    if value is None or value == "":
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise InvalidInput(f"{field} is not a cursor of this feed", field=field)
    return int(value)


async def _authorised_feed(
    session: AsyncSession, caregiver_id: UUID, principal: Principal, *, admin_too: bool
) -> Feed:
    caregiver = await CaregiverRepository(session).get(caregiver_id)
    ensure(
        caregiver is not None
        and (
            is_the_caregiver(principal, caregiver.provider_id, caregiver.id)
            or (admin_too and provider_admin_of(principal, caregiver.provider_id))
        ),
        "caregiver",
    )
    return await NotificationRepository(session).feed(caregiver_id)


def _check_cursor(cursor: int, feed: Feed, field: str) -> None:
    # A cursor beyond the feed's head was never given out (a wiped database, another feed's).
    if cursor > feed.last_seq:
        raise InvalidInput(f"{field} is beyond the end of this feed ({feed.last_seq})", field=field)


async def read_feed(
    session: AsyncSession, caregiver_id: UUID, principal: Principal, *, after: int, limit: int
) -> FeedPage:
    feed = await _authorised_feed(session, caregiver_id, principal, admin_too=True)
    _check_cursor(after, feed, "query.after")
    items = await NotificationRepository(session).list_after(caregiver_id, after, limit)
    return FeedPage(feed, items, after)


async def poll_feed(
    open_session: Callable[[], AsyncSession],
    subscribe: Callable[[UUID], AbstractAsyncContextManager[Waiter]],
    caregiver_id: UUID,
    principal: Principal,
    *,
    after: int,
    limit: int,
    wait: float,
) -> FeedPage:
    """Read the feed after ``after``; when empty, wait up to ``wait`` seconds for a notification.

    Each read takes a pooled connection for one query and gives it back: the wait itself holds
    none (the API process's single LISTEN connection wakes it, adapters/notification_hub.py).
    The subscription is taken before the first read and the event cleared before each read, so a
    notification committed between a read and the wait is not missed."""
    if wait <= 0:
        async with open_session() as session:
            return await read_feed(session, caregiver_id, principal, after=after, limit=limit)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    async with subscribe(caregiver_id) as waiter:
        while True:
            waiter.event.clear()
            async with open_session() as session:
                page = await read_feed(session, caregiver_id, principal, after=after, limit=limit)
            remaining = deadline - loop.time()
            if page.items or remaining <= 0:
                return page
            timeout = remaining if waiter.recheck is None else min(remaining, waiter.recheck)
            with suppress(TimeoutError):
                await asyncio.wait_for(waiter.event.wait(), timeout=timeout)


async def acknowledge(
    session: AsyncSession, caregiver_id: UUID, principal: Principal, *, up_to: int, now: datetime
) -> Feed:
    """The caregiver has read their feed up to ``up_to`` (idempotent; never moves back)."""
    feed = await _authorised_feed(session, caregiver_id, principal, admin_too=False)
    _check_cursor(up_to, feed, "up_to")
    await NotificationRepository(session).acknowledge(caregiver_id, up_to, now)
    return await NotificationRepository(session).feed(caregiver_id)


PURGE_BATCH = 1000


async def purge_read_notifications(
    uow: UnitOfWork, *, now: datetime, retention_days: int, batch: int = PURGE_BATCH
) -> int:
    """Delete the notifications caregivers have read that are older than ``retention_days``
    (DISPATCH_NOTIFICATION_RETENTION_DAYS), a batch per call; the number deleted. Unread ones stay."""
    repo = NotificationRepository(uow.session)
    return await repo.purge_read(now - timedelta(days=retention_days), batch)
