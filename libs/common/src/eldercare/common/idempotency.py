"""``Idempotency-Key`` for POSTs that create or change something.

The first request's response is stored in the same transaction as its effect, keyed by the
caller and the key. A retry with the same key and the same body gets the stored response and
changes nothing; the same key with a different body is refused (422); two racing first requests
cannot both commit (the primary key), and the loser gets 409.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import CurrentPrincipal
from eldercare.common.db import MessagingTables
from eldercare.common.errors import DomainError, InvalidInput

KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,200}$"


class IdempotentReplay(Exception):
    """Raised to answer with the stored response of an earlier request with the same key."""

    def __init__(self, status_code: int, body: Any, headers: dict[str, str]) -> None:
        self.status_code = status_code
        self.body = body
        self.headers = headers


class KeyInFlight(DomainError):
    status = 409
    code = "idempotency-conflict"
    title = "A request with this Idempotency-Key is being processed"


@dataclass
class IdempotencyKey:
    principal: str
    key: str
    method: str
    path: str
    request_hash: str

    async def save(
        self,
        session: AsyncSession,
        tables: MessagingTables,
        status_code: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        await session.execute(
            insert(tables.idempotency).values(
                principal=self.principal,
                key=self.key,
                method=self.method,
                path=self.path,
                request_hash=self.request_hash,
                status_code=status_code,
                response_body=body,
                response_headers=headers or {},
            )
        )


async def idempotency_key(
    request: Request,
    principal: CurrentPrincipal,
    key: Annotated[str | None, Header(alias="Idempotency-Key", pattern=KEY_PATTERN)] = None,
) -> IdempotencyKey | None:
    """FastAPI dependency: look up an earlier request with this key, or prepare to record this one."""
    if key is None:
        return None
    body = await request.body()
    digest = hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body)
    candidate = IdempotencyKey(principal.subject, key, request.method, request.url.path, digest.hexdigest())
    tables: MessagingTables = request.app.state.messaging_tables
    async with request.app.state.runtime.sessionmaker() as session:
        row = (
            await session.execute(
                select(tables.idempotency).where(
                    tables.idempotency.c.principal == candidate.principal,
                    tables.idempotency.c.key == key,
                )
            )
        ).first()
    if row is None:
        return candidate
    if row.request_hash != candidate.request_hash:
        raise InvalidInput(
            "this Idempotency-Key was used with a different request", field="header.Idempotency-Key"
        )
    raise IdempotentReplay(row.status_code, row.response_body, dict(row.response_headers))


Idempotency = Annotated[IdempotencyKey | None, Depends(idempotency_key)]
