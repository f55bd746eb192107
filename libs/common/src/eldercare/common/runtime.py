"""What a running service holds: settings, engine, sessions and its messaging tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from eldercare.common.db import MessagingTables, make_engine, make_sessionmaker
from eldercare.common.errors import Conflict, PreconditionFailed
from eldercare.common.idempotency import IdempotencyKey, KeyInFlight
from eldercare.common.settings import ServiceSettings
from eldercare.common.uow import UnitOfWork

T = TypeVar("T")


@dataclass
class Runtime:
    settings: ServiceSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    tables: MessagingTables

    @classmethod
    def build(cls, settings: ServiceSettings, tables: MessagingTables) -> Runtime:
        engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
        return cls(settings, engine, make_sessionmaker(engine), tables)

    def uow(self, causation_id: str | None = None) -> UnitOfWork:
        return UnitOfWork(
            self.sessionmaker,
            self.tables,
            source=self.settings.service_name,
            causation_id=causation_id,
            settings=self.settings,
        )

    def read_session(self) -> AsyncSession:
        return self.sessionmaker()

    async def dispose(self) -> None:
        await self.engine.dispose()


def runtime(request: Request) -> Runtime:
    """FastAPI dependency: the runtime of the app serving this request."""
    rt: Runtime = request.app.state.runtime
    return rt


async def execute(
    rt: Runtime,
    action: Callable[[UnitOfWork], Awaitable[T]],
    respond: Callable[[T], Any],
    *,
    status_code: int = 201,
    idempotency: IdempotencyKey | None = None,
    headers: Callable[[T], dict[str, str]] | None = None,
) -> JSONResponse:
    """Run a command in one unit of work and answer with its response.

    The single commit point of the HTTP side: the state change, its outbox rows and the stored
    idempotent response commit together, or nothing does.
    """
    try:
        async with rt.uow() as uow:
            result = await action(uow)
            body = jsonable_encoder(respond(result))
            extra_headers = headers(result) if headers else {}
            if idempotency is not None:
                await idempotency.save(uow.session, rt.tables, status_code, body, extra_headers)
            await uow.commit()
    except StaleDataError:
        raise PreconditionFailed("the resource was changed by someone else; read it again") from None
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or ""
        if idempotency is not None and "idempotency" in constraint:
            raise KeyInFlight("retry later with the same key") from None
        raise Conflict(f"conflicts with an existing record ({constraint or 'constraint'})") from None
    return JSONResponse(body, status_code=status_code, headers=extra_headers)
