"""Database plumbing: one declarative base per service, naming conventions, engines, sessions.

Each service owns its own database and its own ``MetaData``; the shared messaging tables
(outbox, inbox, idempotency keys) are added to it by :func:`messaging_tables`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from eldercare.common.ids import uuid7

if TYPE_CHECKING:
    from eldercare.common.envelope import Envelope

# Awaited by the unit of work just before it commits, in the same transaction, with the integration
# events the transaction is about to publish: a service derives rows of its own from them (e.g. a
# per-user feed), so every path that publishes such an event gets them without calling anything.
BeforeCommit = Callable[[AsyncSession, Sequence["Envelope"]], Awaitable[None]]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """Mixin: a UUIDv7 primary key, creation/update instants and an optimistic version column."""

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    # SQLAlchemy bumps ``version`` on every UPDATE and adds it to the WHERE clause, so a racing
    # writer fails with StaleDataError instead of silently overwriting (If-Match on HTTP).
    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # eager_defaults: server-side defaults (created_at) are fetched at flush, so async code
        # can read them without a lazy load.
        return {"version_id_col": cls.__table__.c.version, "eager_defaults": True}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    idempotency: Table
    # Every unit of work of the service receives these tables, so they carry its commit hooks.
    before_commit: tuple[BeforeCommit, ...] = ()


def messaging_tables(metadata: MetaData, *, before_commit: Sequence[BeforeCommit] = ()) -> MessagingTables:
    """The outbox, inbox and idempotency-key tables, added to a service's metadata; ``before_commit``
    hooks are awaited by every unit of work of the service before it commits (see ``BeforeCommit``)."""
    outbox = Table(
        "outbox",
        metadata,
        # A bigint identity gives the relay a total publication order within the database.
        Column("position", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", PG_UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Index("ix_outbox_unpublished", "position", postgresql_where=text("published_at IS NULL")),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", PG_UUID(as_uuid=True), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    idempotency = Table(
        "idempotency_keys",
        metadata,
        Column("principal", String(200), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("method", String(10), nullable=False),
        Column("path", String(500), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response_body", JSONB, nullable=True),
        Column("response_headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return MessagingTables(
        outbox=outbox, inbox=inbox, idempotency=idempotency, before_commit=tuple(before_commit)
    )


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def asyncpg_dsn(url: str) -> str:
    """The libpq-style DSN asyncpg wants, from an SQLAlchemy URL (used for LISTEN/NOTIFY)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)
