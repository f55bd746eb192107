"""Schemas of the caregiver's notification feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from eldercare.dispatch.adapters.repositories.notifications import Feed, StoredNotification
from eldercare.dispatch.application.notifications import FeedPage
from eldercare.dispatch.domain.notifications import NotificationKind


class NotificationRead(BaseModel):
    id: UUID
    cursor: str = Field(description="this notification's place in the feed (opaque)")
    kind: NotificationKind
    visit_id: UUID | None
    emergency_id: UUID | None
    payload: dict[str, Any] = Field(
        description="ids, times, the service and community codes; never a person's data"
    )
    created_at: datetime
    read: bool

    @classmethod
    def from_stored(cls, n: StoredNotification, feed: Feed) -> NotificationRead:
        return cls(
            id=n.id,
            cursor=str(n.seq),
            kind=NotificationKind(n.kind),
            visit_id=n.visit_id,
            emergency_id=n.emergency_id,
            payload=n.payload,
            created_at=n.created_at,
            read=n.seq <= feed.acknowledged_seq,
        )


class NotificationPage(BaseModel):
    caregiver_id: UUID
    items: list[NotificationRead]
    next_cursor: str = Field(description="pass as `after` for what comes next (the same when nothing came)")
    acknowledged_cursor: str
    unread: int

    @classmethod
    def from_page(cls, page: FeedPage) -> NotificationPage:
        return cls(
            caregiver_id=page.feed.caregiver_id,
            items=[NotificationRead.from_stored(n, page.feed) for n in page.items],
            next_cursor=str(page.next_cursor),
            acknowledged_cursor=str(page.feed.acknowledged_seq),
            unread=max(0, page.feed.last_seq - page.feed.acknowledged_seq),
        )


class AcknowledgementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up_to: str = Field(max_length=20, description="the cursor of the last notification read")


class FeedRead(BaseModel):
    caregiver_id: UUID
    acknowledged_cursor: str
    acknowledged_at: datetime | None
    unread: int

    @classmethod
    def from_feed(cls, feed: Feed) -> FeedRead:
        return cls(
            caregiver_id=feed.caregiver_id,
            acknowledged_cursor=str(feed.acknowledged_seq),
            acknowledged_at=feed.acknowledged_at,
            unread=max(0, feed.last_seq - feed.acknowledged_seq),
        )
