"""The worker's webhook dispatcher: POSTs due deliveries, signed, and records every attempt.

Claim (a short transaction: due rows locked with SKIP LOCKED and leased), send (no transaction
open during HTTP), record (a second transaction: the attempt log and the delivery's new state).
A 2xx answer delivers; anything else is retried with exponential backoff until
``webhook_max_attempts`` attempts since the last manual redelivery, then the delivery fails.
Redirects are not followed (a redirect could lead past the SSRF guard), and the guard is checked
again before each attempt, since a host may resolve elsewhere than when it was subscribed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.common.clock import utcnow
from eldercare.common.errors import DomainError
from eldercare.intake.adapters.models import WebhookAttemptRow, WebhookDeliveryRow
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.adapters.webhooks import SECRET_CONTEXT, WebhookRepository, resolve
from eldercare.intake.domain.webhooks import (
    DELIVERY_ID_HEADER,
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    UrlPolicy,
    backoff_seconds,
    sign,
)
from eldercare.intake.settings import IntakeSettings

log = logging.getLogger("eldercare.intake.webhooks")


@dataclass(frozen=True)
class Claimed:
    delivery_id: UUID
    subscription_id: UUID
    event_id: UUID
    event_type: str
    url: str
    body: str
    secret_sealed: str


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None
    latency_ms: int
    at: datetime


def url_policy(settings: IntakeSettings) -> UrlPolicy:
    return UrlPolicy(
        frozenset(h.lower() for h in settings.webhook_allowed_hosts), settings.webhook_allow_private_networks
    )


class WebhookDispatcher:
    def __init__(
        self,
        settings: IntakeSettings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        client: httpx.AsyncClient | None = None,
        batch: int = 20,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.policy = url_policy(settings)
        self.client = client or httpx.AsyncClient(follow_redirects=False)
        self.batch = batch
        self._vault: PiiVault | None = None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        log.info("webhook dispatcher started")
        try:
            while not self._stop.is_set():
                try:
                    sent = await self.run_once()
                except Exception:  # a database hiccup must not end the worker; try again later
                    log.exception("webhook dispatch failed")
                    sent = 0
                if sent == 0:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), timeout=self.settings.webhook_poll_seconds)
        finally:
            await self.client.aclose()
            log.info("webhook dispatcher stopped")

    @property
    def vault(self) -> PiiVault:
        if self._vault is None:
            self._vault = PiiVault.from_settings(self.settings)
        return self._vault

    async def run_once(self) -> int:
        """Send every due delivery of one batch; the number sent."""
        vault = self.vault  # unset keys fail here, before anything is claimed
        lease = timedelta(seconds=self.settings.webhook_lease_seconds)
        async with self.sessionmaker() as session, session.begin():
            rows = await WebhookRepository(session).claim_due(utcnow(), self.batch, lease)
            claimed = [
                Claimed(d.id, s.id, d.event_id, d.event_type, s.url, d.body, s.secret_sealed) for d, s in rows
            ]
        if not claimed:
            return 0
        answers = await asyncio.gather(*(self._send(c, vault) for c in claimed))
        async with self.sessionmaker() as session, session.begin():
            repo = WebhookRepository(session)
            rows = await repo.get_deliveries_for_update([c.delivery_id for c in claimed])
            for item, answer in zip(claimed, answers, strict=True):
                if (delivery := rows.get(item.delivery_id)) is not None:
                    self._record(repo, delivery, answer)
        return len(claimed)

    async def _send(self, item: Claimed, vault: PiiVault) -> Answer:
        at, started = utcnow(), time.perf_counter()
        try:
            self.policy.check_addresses(await resolve(self.policy.check_url(item.url)))
        except DomainError as exc:
            return Answer(None, f"refused: {exc}"[:500], 0, at)
        body = item.body.encode()
        try:
            secret = vault.open(SECRET_CONTEXT, item.subscription_id, item.secret_sealed)
        except Exception:  # a key no longer in INTAKE_PII_KEYS: logged as the attempt's error
            return Answer(None, "the subscription's secret cannot be opened (PII key missing)", 0, at)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "eldercare-intake-webhooks/1",
            SIGNATURE_HEADER: sign(secret, int(time.time()), body),
            EVENT_ID_HEADER: str(item.event_id),
            EVENT_TYPE_HEADER: item.event_type,
            DELIVERY_ID_HEADER: str(item.delivery_id),
        }
        try:
            response = await self.client.post(
                item.url, content=body, headers=headers, timeout=self.settings.webhook_timeout_seconds
            )
        except httpx.HTTPError as exc:
            latency = int((time.perf_counter() - started) * 1000)
            return Answer(None, f"{type(exc).__name__}: {exc}"[:500], latency, at)
        return Answer(response.status_code, None, int((time.perf_counter() - started) * 1000), at)

    def _record(self, repo: WebhookRepository, delivery: WebhookDeliveryRow, answer: Answer) -> None:
        delivery.attempts += 1
        repo.record_attempt(
            WebhookAttemptRow(
                delivery_id=delivery.id,
                attempt=delivery.attempts,
                at=answer.at,
                status_code=answer.status_code,
                latency_ms=answer.latency_ms,
                error=answer.error,
                manual=delivery.budget_from > 0,
            )
        )
        delivery.last_status_code, delivery.last_error = answer.status_code, answer.error
        delivery.last_latency_ms = answer.latency_ms
        used = delivery.attempts - delivery.budget_from
        if answer.status_code is not None and 200 <= answer.status_code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
        elif used >= self.settings.webhook_max_attempts:
            delivery.status, delivery.next_attempt_at = "failed", None
            log.warning("webhook delivery failed", extra={"delivery_id": str(delivery.id), "attempts": used})
        else:
            wait = backoff_seconds(
                used, self.settings.webhook_backoff_base_seconds, self.settings.webhook_backoff_max_seconds
            )
            delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
