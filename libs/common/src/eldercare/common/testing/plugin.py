"""Shared pytest fixtures: a real PostgreSQL, a real Kafka broker, tokens, service apps.

Loaded by the root conftest.py. Environment:
- ``ELDERCARE_TEST_DATABASE_URL``: an external PostgreSQL server URL (``postgresql+asyncpg://u@h:p``);
  by default an embedded PostgreSQL is started for the session.
- ``ELDERCARE_TEST_BROKER``: ``auto`` (Apache Kafka where Java 17 and Maven exist, else tansu),
  ``apache``, ``tansu``, or ``external:HOST:PORT``.

Integration tests get a database migrated once per session and a transaction rolled back per
test (:func:`rolled_back`); the API is driven in-process through httpx's ASGI transport.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pluggy
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from eldercare.common.auth import generate_keypair, mint_token
from eldercare.common.observability import redact
from eldercare.common.testing.log_scan import find_personal_data

REPO_ROOT = Path(__file__).resolve().parents[6]


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class PostgresServer:
    server_url: str
    create: Callable[[str], None]

    def database_url(self, name: str) -> str:
        return f"{self.server_url}/{name}"


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    external = os.environ.get("ELDERCARE_TEST_DATABASE_URL")
    if external:
        import asyncio

        import asyncpg

        dsn = external.replace("postgresql+asyncpg://", "postgresql://")

        def create(name: str) -> None:
            async def go() -> None:
                conn = await asyncpg.connect(dsn + "/postgres")
                try:
                    # A fresh database per session, so edited migrations always run from scratch.
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    await conn.execute(f'CREATE DATABASE "{name}"')
                finally:
                    await conn.close()

            # Callers may be inside a running event loop (async fixtures): use a thread of its own.
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, go()).result()

        yield PostgresServer(external.rstrip("/"), create)
        return
    from eldercare.common.testing.postgres import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data")
    server.start()
    try:
        yield PostgresServer(server.server_url(), server.create_database)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def migrate(postgres: PostgresServer) -> Callable[[str, str], str]:
    """``migrate("intake", "INTAKE_")`` creates ``test_intake``, runs its Alembic head, returns the URL."""
    done: dict[str, str] = {}

    def run(service: str, env_prefix: str) -> str:
        if service in done:
            return done[service]
        name = f"test_{service}"
        postgres.create(name)
        url = postgres.database_url(name)
        ini = REPO_ROOT / "services" / service / "alembic.ini"
        env = {**os.environ, f"{env_prefix}DATABASE_URL": url}
        result = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"migrations of {service} failed:\n{result.stdout}\n{result.stderr}")
        done[service] = url
        return url

    return run


@asynccontextmanager
async def rolled_back(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions bound to one connection whose outer transaction is rolled back at the end.

    A ``commit()`` inside (the unit of work's) only releases a savepoint, so tests stay isolated.
    """
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        outer = await conn.begin()
        try:
            yield async_sessionmaker(
                bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        finally:
            await outer.rollback()
    await engine.dispose()


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the service's migrated database, rolled back after the test.

    Each service's conftest provides ``database_url`` (``migrate("<svc>", "<SVC>_")``).
    """
    async with rolled_back(database_url) as sessionmaker:
        yield sessionmaker


def api_test_settings(database_url: str, tokens: Tokens) -> dict[str, Any]:
    """ServiceSettings keyword arguments for in-process API tests: the test database, the session's
    token key, plain-text logs, and a broker address nothing listens on (APIs publish through the
    outbox, never to Kafka directly, so an API test needs no broker)."""
    return {
        "database_url": database_url,
        "jwt_public_key": SecretStr(tokens.public_pem.decode()),
        "kafka_bootstrap_servers": "127.0.0.1:1",
        "log_format": "text",
    }


# ---------------------------------------------------------------- tokens


@dataclass
class Tokens:
    private_pem: bytes
    public_pem: bytes
    issued: list[str] = field(default_factory=list)

    def token(
        self,
        role: str,
        *,
        region: str | None = None,
        provider_id: Any = None,
        caregiver_id: Any = None,
        scopes: list[str] | None = None,
        subject: str | None = None,
    ) -> str:
        return mint_token(
            self.private_pem,
            subject=subject or f"{role}-{region or provider_id or caregiver_id or 'x'}",
            roles=[role],
            scopes=scopes,
            region=region,
            provider_id=str(provider_id) if provider_id else None,
            caregiver_id=str(caregiver_id) if caregiver_id else None,
        )

    def headers(self, role: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **kwargs)}"}


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    private, public = generate_keypair()
    return Tokens(private, public)


@pytest.fixture
def auth_headers(request: pytest.FixtureRequest, tokens: Tokens) -> dict[str, str]:
    """Headers for the principal named by ``@pytest.mark.auth(role, region=..., ...)``."""
    marker = request.node.get_closest_marker("auth")
    if marker is None:
        raise pytest.UsageError("auth_headers needs @pytest.mark.auth(role, ...)")
    return tokens.headers(*marker.args, **marker.kwargs)


# ---------------------------------------------------------------- Kafka


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    choice = os.environ.get("ELDERCARE_TEST_BROKER", "auto")
    if choice.startswith(("external:", "external-tansu:")):
        # "external:" is an Apache Kafka-compatible broker; "external-tansu:" one with tansu's limits.
        kind, _, bootstrap = choice.partition(":")
        external = ExternalBroker("tansu" if kind == "external-tansu" else "apache", bootstrap)
        _announce(f"Kafka broker for this session: external {external.profile} at {bootstrap}")
        yield external
        return
    from eldercare.common.testing.brokers import pick_broker

    broker = pick_broker(choice, tmp_path_factory.mktemp("broker"))
    broker.start()
    _announce(f"Kafka broker for this session: {broker.profile} at {broker.bootstrap_servers}")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def apache_kafka_broker(kafka_broker: Any) -> Any:
    """The session broker, for tests of what only Apache Kafka does; skipped on tansu."""
    if kafka_broker.profile != "apache":
        pytest.skip("needs Apache Kafka (tansu refuses aiokafka's idempotent producer; kafka-local.md §1)")
    return kafka_broker


@dataclass
class ExternalBroker:
    profile: str
    bootstrap_servers: str


def broker_settings(broker: Any) -> dict[str, Any]:
    """Client settings for the session's broker, as ServiceSettings keyword arguments."""
    return {
        "kafka_bootstrap_servers": broker.bootstrap_servers,
        # tansu refuses aiokafka's InitProducerId v0 (kafka-local.md §1): a setting, not a branch.
        "kafka_enable_idempotence": broker.profile == "apache",
        "kafka_session_timeout_ms": 1000,
        "kafka_heartbeat_interval_ms": 100,
        "kafka_rebalance_timeout_ms": 1000,
        "kafka_fetch_max_wait_ms": 100,
    }


def _announce(line: str) -> None:
    sys.stderr.write(f"\n[eldercare] {line}\n")
    _SUMMARY.append(line)


_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in _SUMMARY:
        terminalreporter.write_line(f"[eldercare] {line}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "auth(role, **claims): the principal of the auth_headers fixture")
    config.addinivalue_line(
        "markers", "logs_personal_data: this test writes ID or phone numbers to its output on purpose"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    """Fail any test whose captured output (stdout, stderr, log records) holds an ID number or a
    mobile phone number: logs never contain them (PIPL; issue #3). The whole suite is the scan."""
    outcome = yield
    report = outcome.get_result()
    if not report.passed or item.get_closest_marker("logs_personal_data"):
        return
    # A report carries the sections of the earlier phases too; scan this phase's own.
    captured = "\n".join(content for title, content in report.sections if title.endswith(f" {report.when}"))
    hits = find_personal_data(captured)
    if hits:
        report.outcome = "failed"
        # pytest prints the captured output of a failed test: never print what was found.
        report.sections = [(title, redact(content)) for title, content in report.sections]
        found = ", ".join(sorted({str(hit) for hit in hits}))
        report.longrepr = (
            f"personal data in the log output of {report.when}: {found} "
            "(log pseudonymous ids or masked values instead)"
        )


# ---------------------------------------------------------------- apps


@asynccontextmanager
async def api_client(
    app: FastAPI, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan, optionally route its sessions to ``sessionmaker``, yield a client."""
    async with app.router.lifespan_context(app):
        if sessionmaker is not None:
            app.state.runtime.sessionmaker = sessionmaker
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
