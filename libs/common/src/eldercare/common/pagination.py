"""Cursor pagination: ``?limit=&cursor=``; replies carry ``items`` and ``next_cursor``.

The cursor is the last item's UUIDv7 id, base64url-encoded; ids are time-ordered, so
``WHERE id > :after ORDER BY id`` pages stably while rows are added.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel

from eldercare.common.errors import InvalidInput

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    limit: int
    after: UUID | None


def encode_cursor(last_id: UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return UUID(bytes=raw)
    except (binascii.Error, ValueError):
        raise InvalidInput("cursor is not valid", field="query.cursor") from None


def page_params(
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> PageParams:
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


def make_page(rows: list[T], limit: int) -> Page[T]:
    """``rows`` fetched with ``limit + 1``: the extra row only says there is a next page."""
    more = len(rows) > limit
    items = rows[:limit]
    next_cursor = encode_cursor(items[-1].id) if more and items else None  # type: ignore[attr-defined]
    return Page[T](items=items, next_cursor=next_cursor)
