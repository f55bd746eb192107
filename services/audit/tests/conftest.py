"""Fixtures of the audit tests: a migrated database, a rolled-back transaction per test, an API client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import SecretStr

from eldercare.audit.main import create_app
from eldercare.audit.settings import AuditSettings
from eldercare.common.testing.plugin import Tokens, api_client, rolled_back


@pytest.fixture(scope="session")
def database_url(migrate: Callable[[str, str], str]) -> str:
    return migrate("audit", "AUDIT_")


@pytest.fixture
def settings(database_url: str, tokens: Tokens) -> AuditSettings:
    return AuditSettings(
        database_url=database_url,
        jwt_public_key=SecretStr(tokens.public_pem.decode()),
        kafka_bootstrap_servers="127.0.0.1:1",
        log_format="text",
    )


@pytest.fixture
async def sessions(database_url: str):  # type: ignore[no-untyped-def]
    async with rolled_back(database_url) as sessionmaker:
        yield sessionmaker


@pytest.fixture
async def client(settings: AuditSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(settings), sessions) as c:
        yield c
