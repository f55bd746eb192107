"""The five services as separate processes (API and worker each) on the session's real
PostgreSQL and Kafka broker."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eldercare.common.contracts import all_topics
from eldercare.common.testing.plugin import PostgresServer, Tokens, broker_settings
from eldercare.devstack.scenario import Stack

SERVICES = ("intake", "assessment", "dispatch", "billing", "audit")
REPO = Path(__file__).resolve().parents[2]
# Changsha 第四条 leaves the subsidy standard to city documents: a local setting, here a test value.
POLICY_SETTINGS = {"changsha-2024": {"monthly_service_amount_fen": 30000}}
# Changsha 第十八条（四） recovers subsidies obtained by false information and provides no fine.
RECOVERY_FINES = {"4301": False}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    """Starts, kills and restarts the services' processes; logs go to files for diagnosis."""

    def __init__(self, env: dict[str, str], ports: dict[str, int], log_dir: Path) -> None:
        self.env = env
        self.ports = ports
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def command(self, name: str) -> list[str]:
        service, kind = name.rsplit("-", 1)
        if kind == "api":
            return [sys.executable, "-m", "uvicorn", f"eldercare.{service}.main:app",
                    "--host", "127.0.0.1", "--port", str(self.ports[service]), "--no-access-log"]  # fmt: skip
        return [sys.executable, "-m", f"eldercare.{service}.worker"]

    def start(self, name: str) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        self.running[name] = subprocess.Popen(
            self.command(name), env=self.env, stdout=log, stderr=log, cwd=REPO
        )

    def kill(self, name: str) -> None:
        proc = self.running.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.running.values():
            proc.send_signal(signal.SIGTERM)
        for proc in self.running.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.running.clear()

    def logs(self, tail: int | None = 3000) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            text = path.read_text(errors="replace")
            parts.append(f"--- {path.name}\n{text[-tail:] if tail else text}")
        return "\n".join(parts)


def service_env(postgres: PostgresServer, broker: Any, tokens: Tokens, keys_dir: Path) -> dict[str, str]:
    import base64

    public_key = keys_dir / "jwt.pub"
    public_key.write_bytes(tokens.public_pem)
    env = {
        k: v for k, v in os.environ.items() if not k.endswith(("_DATABASE_URL", "_KAFKA_BOOTSTRAP_SERVERS"))
    }
    client = broker_settings(broker)
    for service in SERVICES:
        p = service.upper() + "_"
        env[f"{p}DATABASE_URL"] = postgres.database_url(f"e2e_{service}")
        env[f"{p}JWT_PUBLIC_KEY_FILE"] = str(public_key)
        env[f"{p}LOG_FORMAT"] = "json"
        env[f"{p}RELAY_POLL_INTERVAL_MS"] = "200"
        for key, value in client.items():
            env[f"{p}{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    for service in SERVICES:  # each service seals its own personal data under its own keys
        env[f"{service.upper()}_PII_KEYS"] = "k1:" + base64.b64encode(os.urandom(32)).decode()
    env["INTAKE_PII_BLIND_INDEX_KEY"] = base64.b64encode(os.urandom(32)).decode()
    # The one ring intake and dispatch share to pass the beneficiaries' contact (issue #5).
    shared = "s1:" + base64.b64encode(os.urandom(32)).decode()
    env["INTAKE_CONTACT_SHARE_KEYS"] = env["DISPATCH_CONTACT_SHARE_KEYS"] = shared
    env["INTAKE_POLICY_SETTINGS"] = json.dumps(POLICY_SETTINGS)
    env["AUDIT_RECOVERY_FINES"] = json.dumps(RECOVERY_FINES)
    return env


@pytest.fixture(scope="session")
def processes(
    postgres: PostgresServer, kafka_broker: Any, tokens: Tokens, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Processes]:
    from eldercare.common.testing.brokers import create_topics

    work = tmp_path_factory.mktemp("e2e")
    env = service_env(postgres, kafka_broker, tokens, work)
    asyncio.run(create_topics(kafka_broker.bootstrap_servers, all_topics()))
    for service in SERVICES:
        postgres.create(f"e2e_{service}")
        ini = REPO / "services" / service / "alembic.ini"
        subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
            env=env, check=True, capture_output=True, cwd=REPO,
        )  # fmt: skip
    procs = Processes(env, {s: free_port() for s in SERVICES}, work)
    for service in SERVICES:
        procs.start(f"{service}-api")
        procs.start(f"{service}-worker")
    try:
        wait_ready(procs)
        yield procs
    finally:
        procs.stop_all()


def wait_ready(procs: Processes, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    pending = set(SERVICES)
    while pending and time.monotonic() < deadline:
        for service in list(pending):
            try:
                if httpx.get(f"http://127.0.0.1:{procs.ports[service]}/readyz", timeout=1).status_code == 200:
                    pending.discard(service)
            except httpx.HTTPError:
                pass
        dead = [n for n, p in procs.running.items() if p.poll() is not None]
        if dead:
            raise RuntimeError(f"processes exited: {dead}\n{procs.logs()}")
        time.sleep(0.3)
    if pending:
        raise RuntimeError(f"not ready: {sorted(pending)}\n{procs.logs()}")


@pytest.fixture
async def stack(processes: Processes, tokens: Tokens) -> AsyncIterator[Stack]:
    urls = {s: f"http://127.0.0.1:{processes.ports[s]}" for s in SERVICES}
    # Generous: events cross Kafka and five processes share two cores with the test itself.
    s = Stack(tokens.private_pem, timeout=120, **urls)
    yield s
    await s.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    procs = item.funcargs.get("processes") if hasattr(item, "funcargs") else None
    if report.failed and procs is not None:
        report.sections.append(("service logs", procs.logs()))
