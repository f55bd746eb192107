"""Caregivers' notification feeds: append in the writing transaction, read after a cursor,
acknowledge, and the push gateway's delivery queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.ids import uuid7
from eldercare.dispatch.adapters.models import (
    CaregiverNotificationFeedRow,
    CaregiverNotificationRow,
    VisitRow,
)
from eldercare.dispatch.domain.notifications import Notification, VisitFacts

# The PostgreSQL channel a committed append notifies (payload: the caregiver id); the API's
# long polls listen on it (adapters/notification_hub.py).
CHANNEL = "caregiver_notifications"


@dataclass(frozen=True)
class StoredNotification:
    id: UUID
    seq: int
    caregiver_id: UUID
    provider_id: UUID
    kind: str
    visit_id: UUID | None
    emergency_id: UUID | None
    payload: dict[str, Any]
    created_at: datetime
    push_attempts: int = 0


@dataclass(frozen=True)
class Feed:
    caregiver_id: UUID
    last_seq: int
    acknowledged_seq: int
    acknowledged_at: datetime | None


def _stored(row: CaregiverNotificationRow) -> StoredNotification:
    return StoredNotification(
        id=row.id,
        seq=row.seq,
        caregiver_id=row.caregiver_id,
        provider_id=row.provider_id,
        kind=row.kind,
        visit_id=row.visit_id,
        emergency_id=row.emergency_id,
        payload=row.payload,
        created_at=row.created_at,
        push_attempts=row.push_attempts,
    )


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, notifications: list[Notification]) -> None:
        """Number and insert the notifications, then notify the channel (delivered at commit).

        Each caregiver's feed row is bumped (and so locked until commit) before its rows are
        inserted: two transactions appending to one feed take their numbers in commit order, so a
        reader past seq n never misses a row committed later. Feeds are taken in caregiver-id
        order, so two transactions that notify several caregivers cannot deadlock on them."""
        if not notifications:
            return
        groups: dict[UUID, list[Notification]] = {}
        for n in sorted(notifications, key=lambda n: n.caregiver_id.bytes):
            groups.setdefault(n.caregiver_id, []).append(n)
        lasts = await self._bump({c: len(g) for c, g in groups.items()})
        rows = []
        for caregiver_id, group in groups.items():
            first = lasts[caregiver_id] - len(group) + 1
            rows += [
                {
                    "id": uuid7(),
                    "caregiver_id": n.caregiver_id,
                    "provider_id": n.provider_id,
                    "seq": first + i,
                    "kind": n.kind.value,
                    "visit_id": n.visit_id,
                    "emergency_id": n.emergency_id,
                    "payload": n.payload,
                }
                for i, n in enumerate(group)
            ]
        await self.session.execute(insert(CaregiverNotificationRow), rows)
        await self.session.execute(
            text("SELECT pg_notify(:channel, c) FROM unnest(CAST(:ids AS text[])) AS c"),
            {"channel": CHANNEL, "ids": [str(c) for c in groups]},
        )

    async def _bump(self, counts: dict[UUID, int]) -> dict[UUID, int]:
        """Advance each feed by its count in one statement, rows taken in caregiver-id order
        (``counts`` is in that order too); answers each feed's new last number."""
        result = await self.session.execute(
            text(
                "INSERT INTO caregiver_notification_feeds (caregiver_id, last_seq)"
                " SELECT c, n FROM unnest(CAST(:ids AS uuid[]), CAST(:counts AS bigint[])) AS t(c, n)"
                " ORDER BY c"
                " ON CONFLICT (caregiver_id) DO UPDATE"
                " SET last_seq = caregiver_notification_feeds.last_seq + EXCLUDED.last_seq"
                " RETURNING caregiver_id, last_seq"
            ),
            {"ids": list(counts), "counts": list(counts.values())},
        )
        return {UUID(str(row.caregiver_id)): int(row.last_seq) for row in result.all()}

    async def feed(self, caregiver_id: UUID) -> Feed:
        table = CaregiverNotificationFeedRow.__table__
        # Core, not the identity map: an acknowledgement in this session must be read back.
        row = (await self.session.execute(select(table).where(table.c.caregiver_id == caregiver_id))).first()
        if row is None:
            return Feed(caregiver_id, 0, 0, None)
        return Feed(caregiver_id, row.last_seq, row.acknowledged_seq, row.acknowledged_at)

    async def list_after(self, caregiver_id: UUID, after: int, limit: int) -> list[StoredNotification]:
        rows = await self.session.scalars(
            select(CaregiverNotificationRow)
            .where(
                CaregiverNotificationRow.caregiver_id == caregiver_id, CaregiverNotificationRow.seq > after
            )
            .order_by(CaregiverNotificationRow.seq)
            .limit(limit)
        )
        return [_stored(r) for r in rows.all()]

    async def acknowledge(self, caregiver_id: UUID, up_to: int, now: datetime) -> None:
        """Never moves back: an older or repeated acknowledgement changes nothing."""
        table = CaregiverNotificationFeedRow.__table__
        await self.session.execute(
            update(table)
            .where(table.c.caregiver_id == caregiver_id, table.c.acknowledged_seq < up_to)
            .values(acknowledged_seq=up_to, acknowledged_at=now)
        )

    async def visit_facts(self, visit_ids: Iterable[UUID]) -> dict[UUID, VisitFacts]:
        ids = list(visit_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(
                VisitRow.id,
                VisitRow.service_code,
                VisitRow.community_code,
                VisitRow.scheduled_start_at,
                VisitRow.scheduled_end_at,
            ).where(VisitRow.id.in_(ids))
        )
        return {
            r.id: VisitFacts(
                r.service_code,
                r.community_code,
                r.scheduled_start_at.isoformat(),
                r.scheduled_end_at.isoformat(),
            )
            for r in rows.all()
        }

    # ------------------------------------------------------------ the push gateway's queue

    async def claim_push_due(self, now: datetime, limit: int) -> list[StoredNotification]:
        """Pending notifications due for a (first or retried) push, oldest first, locked SKIP
        LOCKED so two workers never push one twice."""
        rows = await self.session.scalars(
            select(CaregiverNotificationRow)
            .where(
                CaregiverNotificationRow.push_status == "pending",
                CaregiverNotificationRow.push_next_at <= now,
            )
            .order_by(CaregiverNotificationRow.push_next_at, CaregiverNotificationRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_stored(r) for r in rows.all()]

    async def expire_push(self, created_before: datetime) -> int:
        """Pending notifications too old to be worth a push (the feed still has them)."""
        result = await self.session.execute(
            update(CaregiverNotificationRow)
            .where(
                CaregiverNotificationRow.push_status == "pending",
                CaregiverNotificationRow.created_at < created_before,
            )
            .values(push_status="expired")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def mark_pushed(self, notification_id: UUID, now: datetime) -> None:
        await self.session.execute(
            update(CaregiverNotificationRow)
            .where(CaregiverNotificationRow.id == notification_id)
            .values(
                push_status="delivered",
                pushed_at=now,
                push_attempts=CaregiverNotificationRow.push_attempts + 1,
                push_error=None,
            )
        )

    async def mark_push_failed(self, notification_id: UUID, error: str, *, retry_at: datetime | None) -> None:
        """Another attempt at ``retry_at``, or ``failed`` for good when it is None."""
        values: dict[str, Any] = {
            "push_attempts": CaregiverNotificationRow.push_attempts + 1,
            "push_error": error[:1000],
        }
        values |= {"push_next_at": retry_at} if retry_at is not None else {"push_status": "failed"}
        await self.session.execute(
            update(CaregiverNotificationRow)
            .where(CaregiverNotificationRow.id == notification_id)
            .values(**values)
        )


__all__ = ["CHANNEL", "Feed", "NotificationRepository", "StoredNotification"]
