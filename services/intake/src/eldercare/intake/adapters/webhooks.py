"""The webhook repository: subscriptions, deliveries (the queue) and the attempt log."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.errors import InvalidInput
from eldercare.intake.adapters.models import WebhookAttemptRow, WebhookDeliveryRow, WebhookSubscriptionRow

# The associated data a subscription's sealed secret is bound to (with the row id).
SECRET_CONTEXT = "webhook_subscriptions.secret"


async def resolve(host: str) -> list[str]:
    """The host's addresses, for the SSRF guard; an unresolvable host is 422 naming ``url``."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError:
        raise InvalidInput("the URL's host does not resolve", field="url") from None
    return sorted({str(info[4][0]) for info in infos})


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_subscription(self, row: WebhookSubscriptionRow) -> WebhookSubscriptionRow:
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row, ["created_at", "active"])
        return row

    async def get_subscription(self, subscription_id: UUID) -> WebhookSubscriptionRow | None:
        return await self.session.get(WebhookSubscriptionRow, subscription_id)

    async def list_subscriptions(self, client: str) -> list[WebhookSubscriptionRow]:
        query = select(WebhookSubscriptionRow).where(WebhookSubscriptionRow.client == client)
        return list((await self.session.scalars(query.order_by(WebhookSubscriptionRow.id))).all())

    async def matching(self, event_type: str, region_code: str) -> list[WebhookSubscriptionRow]:
        """Active subscriptions to ``event_type`` whose region covers ``region_code``."""
        query = select(WebhookSubscriptionRow).where(
            WebhookSubscriptionRow.active.is_(True),
            WebhookSubscriptionRow.event_types.contains([event_type]),
            literal(region_code).startswith(WebhookSubscriptionRow.region),
        )
        return list((await self.session.scalars(query)).all())

    async def enqueue(
        self, subscription_id: UUID, event_id: UUID, event_type: str, body: str, due: datetime
    ) -> None:
        """One delivery per (subscription, event): a replayed event adds nothing."""
        await self.session.execute(
            insert(WebhookDeliveryRow)
            .values(
                subscription_id=subscription_id,
                event_id=event_id,
                event_type=event_type,
                body=body,
                next_attempt_at=due,
            )
            .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
        )

    async def get_delivery(self, delivery_id: UUID, *, for_update: bool = False) -> WebhookDeliveryRow | None:
        return await self.session.get(WebhookDeliveryRow, delivery_id, with_for_update=for_update or None)

    async def get_deliveries_for_update(self, ids: list[UUID]) -> dict[UUID, WebhookDeliveryRow]:
        query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.id.in_(ids)).with_for_update()
        return {row.id: row for row in (await self.session.scalars(query)).all()}

    async def list_deliveries(
        self, subscription_id: UUID, *, after: UUID | None, limit: int
    ) -> list[WebhookDeliveryRow]:
        query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.subscription_id == subscription_id)
        if after is not None:
            query = query.where(WebhookDeliveryRow.id > after)
        return list((await self.session.scalars(query.order_by(WebhookDeliveryRow.id).limit(limit))).all())

    async def attempts_of(self, delivery_ids: list[UUID]) -> dict[UUID, list[WebhookAttemptRow]]:
        found: dict[UUID, list[WebhookAttemptRow]] = {d: [] for d in delivery_ids}
        if not delivery_ids:
            return found
        query = select(WebhookAttemptRow).where(WebhookAttemptRow.delivery_id.in_(delivery_ids))
        for row in (await self.session.scalars(query.order_by(WebhookAttemptRow.id))).all():
            found[row.delivery_id].append(row)
        return found

    async def claim_due(
        self, now: datetime, limit: int, lease: timedelta
    ) -> list[tuple[WebhookDeliveryRow, WebhookSubscriptionRow]]:
        """Due pending deliveries, locked against other workers (SKIP LOCKED) and leased: their
        next attempt moves to ``now + lease``, so a worker that dies mid-attempt leaves them to be
        retried once the lease runs out (never lost; at-least-once)."""
        query = (
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.status == "pending", WebhookDeliveryRow.next_attempt_at <= now)
            .order_by(WebhookDeliveryRow.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        deliveries = list((await self.session.scalars(query)).all())
        if not deliveries:
            return []
        await self.session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id.in_([d.id for d in deliveries]))
            .values(next_attempt_at=now + lease)
        )
        subs = {
            s.id: s
            for s in (
                await self.session.scalars(
                    select(WebhookSubscriptionRow).where(
                        WebhookSubscriptionRow.id.in_({d.subscription_id for d in deliveries})
                    )
                )
            ).all()
        }
        return [(d, subs[d.subscription_id]) for d in deliveries]

    async def count_pending(self) -> int:
        query = (
            select(func.count()).select_from(WebhookDeliveryRow).where(WebhookDeliveryRow.status == "pending")
        )
        return int(await self.session.scalar(query) or 0)

    def record_attempt(self, row: WebhookAttemptRow) -> None:
        """Added to the session; written with the delivery's new state at commit."""
        self.session.add(row)
