"""Pushing new notifications to the provider app's gateway (the worker; never the request path).

Each pending notification is claimed SKIP LOCKED (two workers never push one at once), sent, and
its row marked ``delivered``; a failure is retried after ``push_backoff_seconds`` doubling per
attempt, up to ``push_max_attempts`` (then ``failed``); one older than ``push_max_age_minutes`` is
``expired`` unsent. Delivery is at least once: a push whose row could not be marked is sent again,
with the same ``Idempotency-Key`` (the notification id). The feed holds every notification
whatever happens to its push."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from eldercare.common.clock import utcnow
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.push_gateway import PushFailed, PushGateway
from eldercare.dispatch.adapters.repositories.notifications import NotificationRepository, StoredNotification
from eldercare.dispatch.notification_settings import NotificationSettings

log = logging.getLogger("eldercare.dispatch.push")


class Gateway(Protocol):
    async def send(self, n: StoredNotification) -> None: ...


@dataclass(frozen=True)
class PushRound:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0


def retry_at(now: datetime, attempts: int, settings: NotificationSettings) -> datetime | None:
    """When to try again after ``attempts`` failed tries; None when they are used up."""
    if attempts >= settings.push_max_attempts:
        return None
    return now + timedelta(seconds=settings.push_backoff_seconds * 2 ** (attempts - 1))


async def push_due(
    uow: UnitOfWork, gateway: Gateway, settings: NotificationSettings, *, now: datetime
) -> PushRound:
    repo = NotificationRepository(uow.session)
    expired = await repo.expire_push(now - timedelta(minutes=settings.push_max_age_minutes))
    batch = await repo.claim_push_due(now, settings.push_batch_size)
    outcomes = await asyncio.gather(*(gateway.send(n) for n in batch), return_exceptions=True)
    delivered = retrying = failed = 0
    for n, outcome in zip(batch, outcomes, strict=True):
        if outcome is None:
            await repo.mark_pushed(n.id, now)
            delivered += 1
            continue
        if not isinstance(outcome, PushFailed):
            outcome = PushFailed(repr(outcome), retry=True)
        attempts = n.push_attempts + 1
        again = retry_at(now, attempts, settings) if outcome.retry else None
        await repo.mark_push_failed(n.id, str(outcome), retry_at=again)
        retrying, failed = (retrying + 1, failed) if again else (retrying, failed + 1)
    return PushRound(delivered, retrying, failed, expired)


async def run_pusher(
    uow: Callable[[], UnitOfWork], gateway: Gateway, settings: NotificationSettings, stop: asyncio.Event
) -> None:
    """The worker's push loop until ``stop``: a full batch goes on at once, otherwise it waits
    ``push_poll_seconds``. A failed round is logged and retried."""
    while not stop.is_set():
        busy = False
        try:
            async with uow() as work:
                done = await push_due(work, gateway, settings, now=utcnow())
                await work.commit()
            busy = done.delivered + done.retrying + done.failed >= settings.push_batch_size
            if done.failed or done.expired:
                log.warning("pushes given up", extra={"failed": done.failed, "expired": done.expired})
        except Exception:
            log.exception("push round failed")
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.push_poll_seconds)


def start_pusher(
    uow: Callable[[], UnitOfWork], settings: NotificationSettings, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """The push loop as a task of the worker when DISPATCH_PUSH_GATEWAY_URL is set, else None."""
    if not settings.push_gateway_url:
        return None
    gateway = PushGateway(settings.push_gateway_url, timeout_s=settings.push_timeout_s)

    async def run() -> None:
        try:
            await run_pusher(uow, gateway, settings, stop)
        finally:
            await gateway.close()

    return asyncio.create_task(run(), name="push")
