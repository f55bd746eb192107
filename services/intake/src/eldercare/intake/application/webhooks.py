"""The city platform's webhooks: subscribe, read the delivery log, redeliver, and turn intake's own
events into deliveries.

Deliveries are made by a consumer of intake's own topics (``intake.application``,
``intake.beneficiary``), group ``intake.webhooks``, rather than beside ``uow.publish``: an event
reaches Kafka only once its transaction committed, the delivery rows are inserted in the same
transaction as the consumer's inbox row, and the offset is committed after that, so no event is
lost on a crash and none is queued twice; every producing handler stays as it is. The worker's
dispatcher (adapters/webhook_sender.py) then POSTs them.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import utcnow
from eldercare.common.envelope import Envelope
from eldercare.common.errors import Forbidden, InvalidInput, NotFound
from eldercare.common.ids import uuid7
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.models import (
    ApplicationRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookSubscriptionRow,
)
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.adapters.webhooks import SECRET_CONTEXT, WebhookRepository, resolve
from eldercare.intake.domain.webhooks import EVENT_TYPES, WITHHELD_FIELDS, UrlPolicy


@dataclass(frozen=True)
class Subscribe:
    url: str
    event_types: tuple[str, ...]
    principal: Principal
    vault: PiiVault
    policy: UrlPolicy


async def subscribe(cmd: Subscribe, uow: UnitOfWork) -> tuple[WebhookSubscriptionRow, str]:
    """A subscription of the calling client for its region; the secret is returned once and kept
    sealed (FieldCipher, bound to the row id)."""
    if cmd.principal.region is None:
        raise Forbidden("a region is required", field="region")
    unknown = sorted(set(cmd.event_types) - EVENT_TYPES)
    if unknown:
        raise InvalidInput(f"not a subscribable event type: {', '.join(unknown)}", field="event_types")
    host = cmd.policy.check_url(cmd.url)
    cmd.policy.check_addresses(await resolve(host))
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = WebhookSubscriptionRow(
        id=uuid7(),
        client=cmd.principal.subject,
        region=cmd.principal.region,
        url=cmd.url,
        event_types=sorted(set(cmd.event_types)),
    )
    row.secret_sealed = cmd.vault.seal(SECRET_CONTEXT, row.id, secret)
    return await WebhookRepository(uow.session).add_subscription(row), secret


async def own_subscription(
    uow: UnitOfWork, principal: Principal, subscription_id: UUID
) -> WebhookSubscriptionRow:
    """Another client's subscription is answered as not found."""
    row = await WebhookRepository(uow.session).get_subscription(subscription_id)
    if row is None or row.client != principal.subject:
        raise NotFound("webhook subscription not found")
    return row


async def deactivate(uow: UnitOfWork, principal: Principal, subscription_id: UUID) -> WebhookSubscriptionRow:
    """No new deliveries are queued for it; those already queued are still sent."""
    row = await own_subscription(uow, principal, subscription_id)
    row.active = False
    await uow.session.flush()
    return row


async def list_subscriptions(uow: UnitOfWork, principal: Principal) -> list[WebhookSubscriptionRow]:
    return await WebhookRepository(uow.session).list_subscriptions(principal.subject)


async def list_deliveries(
    uow: UnitOfWork, principal: Principal, subscription_id: UUID, *, after: UUID | None, limit: int
) -> list[tuple[WebhookDeliveryRow, list[WebhookAttemptRow]]]:
    await own_subscription(uow, principal, subscription_id)
    repo = WebhookRepository(uow.session)
    deliveries = await repo.list_deliveries(subscription_id, after=after, limit=limit)
    attempts = await repo.attempts_of([d.id for d in deliveries])
    return [(d, attempts[d.id]) for d in deliveries]


async def redeliver(
    uow: UnitOfWork, principal: Principal, subscription_id: UUID, delivery_id: UUID
) -> tuple[WebhookDeliveryRow, list[WebhookAttemptRow]]:
    """Manual redelivery: the delivery (delivered or failed) is due again now with a fresh retry
    budget; the same event id is sent, so a receiver that deduplicates on it is safe."""
    await own_subscription(uow, principal, subscription_id)
    repo = WebhookRepository(uow.session)
    delivery = await repo.get_delivery(delivery_id, for_update=True)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise NotFound("delivery not found")
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    delivery.budget_from = delivery.attempts
    await uow.session.flush()
    return delivery, (await repo.attempts_of([delivery.id]))[delivery.id]


def webhook_body(envelope: Envelope, external_ref: str | None = None) -> str:
    """What a receiver gets: the CloudEvents attributes it needs and the event's data, without the
    fields withheld from platforms (the home point), and the client's own ``external_ref`` when
    the application is one it submitted."""
    data: dict[str, Any] = {k: v for k, v in envelope.data.items() if k not in WITHHELD_FIELDS}
    doc: dict[str, Any] = {
        "id": str(envelope.id),
        "type": envelope.type,
        "source": envelope.source,
        "subject": envelope.subject,
        "time": envelope.time.isoformat(),
        "data": data,
    }
    if external_ref is not None:
        doc["external_ref"] = external_ref
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


async def _submitter(uow: UnitOfWork, envelope: Envelope) -> tuple[str | None, str | None]:
    """Who submitted the event's application, under which reference (none for a beneficiary
    event without an application)."""
    application_id = envelope.data.get("application_id")
    if not application_id:
        return None, None
    row = await uow.session.get(ApplicationRow, UUID(str(application_id)))
    return (row.submitted_by, row.external_ref) if row else (None, None)


async def enqueue_deliveries(envelope: Envelope, region_code: str, uow: UnitOfWork) -> int:
    """Queue the event for every active subscription to its type whose region covers the event's
    community (or district)."""
    if envelope.type not in EVENT_TYPES:
        return 0
    repo = WebhookRepository(uow.session)
    subscriptions = await repo.matching(envelope.type, region_code)
    if not subscriptions:
        return 0
    submitter, reference = await _submitter(uow, envelope)
    now = utcnow()
    for sub in subscriptions:
        own = reference if sub.client == submitter else None
        await repo.enqueue(sub.id, envelope.id, envelope.type, webhook_body(envelope, own), now)
    return len(subscriptions)


def attempt_row(delivery: WebhookDeliveryRow, **fields: Any) -> WebhookAttemptRow:
    return WebhookAttemptRow(delivery_id=delivery.id, **fields)
