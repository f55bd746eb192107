"""A scratch database holding the shared messaging tables and one table of effects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, String, Table
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import create_async_engine

from eldercare.common.db import MessagingTables, messaging_tables, new_metadata
from eldercare.common.testing.plugin import PostgresServer

METADATA: MetaData = new_metadata()
TABLES: MessagingTables = messaging_tables(METADATA)
NOTES = Table(
    "notes",
    METADATA,
    Column("id", PG_UUID(as_uuid=True), primary_key=True),
    Column("text", String(200), nullable=False),
)


@pytest.fixture(scope="session")
async def common_db_url(postgres: PostgresServer) -> AsyncIterator[str]:
    postgres.create("test_common")
    url = postgres.database_url("test_common")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(METADATA.drop_all)
        await conn.run_sync(METADATA.create_all)
    await engine.dispose()
    yield url


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
