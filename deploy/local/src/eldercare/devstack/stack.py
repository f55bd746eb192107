"""``eldercare up`` / ``eldercare down``: PostgreSQL, a Kafka broker and the five services on this machine.

Order of start: keys, PostgreSQL, broker, databases, topics, migrations, then an API and a worker
per service; the stack is up when every ``/readyz`` answers 200. Order of stop: services, broker,
PostgreSQL. ``.var/stack.json`` records what runs (URLs and pids), so ``eldercare down`` in another
terminal can stop it, and a later ``up`` can clean up after a stack that was killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import httpx

from eldercare.common.testing.brokers import (
    ApacheKafkaBroker,
    Broker,
    TansuBroker,
    client_env,
    create_topics,
    java_available,
)
from eldercare.common.testing.postgres import EmbeddedPostgres
from eldercare.devstack.databases import ensure_databases, migrate, server_url
from eldercare.devstack.keys import LocalKeys, ensure_keys
from eldercare.devstack.layout import Layout
from eldercare.devstack.processes import (
    ManagedProcess,
    cmdline,
    is_running,
    stop_processes,
    terminate_pid,
)
from eldercare.devstack.services import SERVICES, Service, topics

Profile = Literal["apache", "tansu"]

DEFAULT_POSTGRES_PORT = 55432
DEFAULT_KAFKA_PORT = 9092
TOKEN_HINT = "uv run eldercare token --role district_officer --region 430102"
# The Changsha rules leave the monthly subsidy standard to a later city document (第四条): the
# local stack runs with a demo value, which an INTAKE_POLICY_SETTINGS in the environment overrides.
DEMO_POLICY_SETTINGS = {"changsha-2024": {"monthly_service_amount_fen": 30000}}
# Changsha 第十八条（四） recovers subsidies obtained by false information and provides no fine
# (Nanchang 第四十四条 does); AUDIT_RECOVERY_FINES in the environment overrides it.
DEMO_RECOVERY_FINES = {"4301": False}


class StackError(RuntimeError):
    pass


class Interrupted(BaseException):
    """SIGINT or SIGTERM while the stack starts or runs."""


@dataclass
class ExternalBroker:
    profile: Profile
    bootstrap_servers: str

    def start(self) -> None:
        host, _, port = self.bootstrap_servers.split(",")[0].rpartition(":")
        if not _port_accepts(host or "127.0.0.1", int(port)):
            raise StackError(f"Kafka at {self.bootstrap_servers} does not accept connections")

    def stop(self) -> None:
        pass


@dataclass
class UpOptions:
    external_postgres: str | None = None
    external_kafka: str | None = None
    broker: Profile | None = None
    ready_timeout: float = 180.0


@dataclass
class LocalStack:
    layout: Layout
    options: UpOptions = field(default_factory=UpOptions)
    say: Callable[[str], None] = print

    postgres: EmbeddedPostgres | None = None
    postgres_url: str = ""
    broker: Broker | None = None
    processes: list[ManagedProcess] = field(default_factory=list)
    keys: LocalKeys | None = None
    owns_stack_file: bool = False

    # ------------------------------------------------------------ run

    def run(self) -> int:
        """Start, serve until SIGINT/SIGTERM, stop. Returns the exit status."""
        handlers = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        status = 0
        try:
            self.up()
            self.serve()
        except Interrupted as exc:
            self.say(f"\n{exc}: stopping the stack")
        except StackError as exc:
            self.say(f"\nerror: {exc}")
            status = 1
        finally:
            for sig in handlers:
                signal.signal(sig, signal.SIG_IGN)
            self.down()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        return status

    def up(self) -> None:
        started = time.monotonic()
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        self._check_not_running()
        self.keys = ensure_keys(self.layout.keys)
        self._start_postgres()
        self._start_broker()
        self._save()
        assert self.broker is not None
        names = [s.database for s in SERVICES]
        self._step("databases", ", ".join(names), lambda: ensure_databases(self.postgres_url, names))
        topic_names = topics()
        self._step(
            "topics", f"{len(topic_names)} on {self.broker.bootstrap_servers}",
            lambda: asyncio.run(create_topics(self.broker.bootstrap_servers, topic_names)),  # type: ignore[union-attr]
        )  # fmt: skip
        migrate(SERVICES, self.service_env, self.layout.root, self.layout.logs, self.say)
        for service in SERVICES:
            for kind in ("api", "worker"):
                process = self._process(service, kind)
                process.start()
                self.processes.append(process)
        self._save()
        self._wait_ready()
        self._summary(time.monotonic() - started)

    def serve(self) -> None:
        """Block until interrupted; say so once when a service process exits."""
        while True:
            for process in self.processes:
                code = process.exit_code()
                if code is not None and not process.reported_exit:
                    process.reported_exit = True
                    self.say(
                        f"{process.name} exited with {code}; the rest keeps running. Last lines of "
                        f"{self._relative(process.log_file)}:\n{process.log_tail(15)}"
                    )
            time.sleep(1)

    def down(self) -> None:
        if self.processes:
            self._timed("stopping services", lambda: stop_processes(self.processes, timeout=20))
            self.processes.clear()
            self._save()
        if self.broker is not None and not isinstance(self.broker, ExternalBroker):
            self._timed(f"stopping broker ({self.broker.profile})", self.broker.stop)
        self.broker = None
        if self.postgres is not None:
            self._timed("stopping postgres", self.postgres.stop)
            self.postgres = None
        if self.owns_stack_file:
            self.layout.stack_file.unlink(missing_ok=True)
            self.owns_stack_file = False

    # ------------------------------------------------------------ environment

    def service_env(self, service: Service) -> dict[str, str]:
        """The process environment of one service's API, worker and migrations."""
        assert self.broker is not None and self.keys is not None
        p = service.prefix
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env[f"{p}DATABASE_URL"] = f"{self.postgres_url}/{service.database}"
        env[f"{p}KAFKA_BOOTSTRAP_SERVERS"] = self.broker.bootstrap_servers
        for suffix, value in client_env(self.broker.profile).items():
            env[p + suffix] = value
        env[f"{p}JWT_PUBLIC_KEY_FILE"] = str(self.keys.jwt_public)
        env[f"{p}PII_KEYS"] = self.keys.pii_keys()
        env[f"{p}PII_BLIND_INDEX_KEY"] = self.keys.blind_index_key()
        if p in ("INTAKE_", "DISPATCH_"):  # intake seals the beneficiaries' contact for dispatch alone
            env[f"{p}CONTACT_SHARE_KEYS"] = self.keys.contact_share_keys()
        env[f"{p}LOG_FORMAT"] = "json"
        env[f"{p}PORT"] = str(service.port)
        if isinstance(self.broker, TansuBroker):
            # Memory storage keeps nothing across a restart: each relay re-publishes what its outbox
            # retains, and the consumers' inboxes make the replay harmless.
            env[f"{p}RELAY_REPLAY_RETAINED_ON_START"] = "true"
        if service.name == "intake":
            env.setdefault("INTAKE_POLICY_SETTINGS", json.dumps(DEMO_POLICY_SETTINGS))
        if service.name == "audit":
            env.setdefault("AUDIT_RECOVERY_FINES", json.dumps(DEMO_RECOVERY_FINES))
        return env

    def _process(self, service: Service, kind: str) -> ManagedProcess:
        if kind == "api":
            marker = f"eldercare.{service.name}.main:app"
            args = [sys.executable, "-m", "uvicorn", marker,
                    "--host", "127.0.0.1", "--port", str(service.port)]  # fmt: skip
        else:
            marker = f"eldercare.{service.name}.worker"
            args = [sys.executable, "-m", marker]
        return ManagedProcess(
            name=f"{service.name} {kind}",
            args=args,
            log_file=self.layout.logs / f"{service.name}-{kind}.log",
            env=self.service_env(service),
            cwd=self.layout.root,
            marker=marker,
        )

    # ------------------------------------------------------------ steps

    def _check_not_running(self) -> None:
        recorded = read_stack_file(self.layout)
        if recorded is not None:
            pid = recorded.get("supervisor_pid")
            if isinstance(pid, int) and pid != os.getpid() and _supervisor_running(recorded):
                raise StackError(
                    f"a stack is already running (pid {pid}, since {recorded.get('started_at')}); "
                    "stop it with `uv run eldercare down`"
                )
            self.say("cleaning up after a stack that did not stop cleanly")
            stop_recorded(self.layout, recorded, self.say)
        taken = [f"{s.port} ({s.name})" for s in SERVICES if not _port_free(s.port)]
        if taken:
            raise StackError(f"ports in use: {', '.join(taken)}; is another stack running?")

    def _start_postgres(self) -> None:
        if self.options.external_postgres:
            self.postgres_url = server_url(self.options.external_postgres)
            self.say(f"postgres   external, {_without_password(self.postgres_url)}")
            return
        port = DEFAULT_POSTGRES_PORT if _port_free(DEFAULT_POSTGRES_PORT) else None
        self.postgres = EmbeddedPostgres(self.layout.postgres_data, port=port)
        self._step("postgres", f"embedded, 127.0.0.1:{self.postgres.port}", self.postgres.start)
        self.postgres_url = self.postgres.server_url()

    def _start_broker(self) -> None:
        if self.options.external_kafka:
            self.broker = ExternalBroker(self.options.broker or "apache", self.options.external_kafka)
            self._step("broker", f"external ({self.broker.profile}), {self.broker.bootstrap_servers}",
                       self.broker.start)  # fmt: skip
            return
        broker: TansuBroker | ApacheKafkaBroker
        if self.options.broker == "apache":
            if not java_available():
                raise StackError("--broker apache needs Java 17 or newer and Maven (mvn) on PATH")
            data_dir = self.layout.broker_dir / "kafka"
            # The first run takes 9092 when it is free; later runs keep the ports of the first.
            first_run = not (data_dir / "server.properties").exists()
            port = DEFAULT_KAFKA_PORT if first_run and _port_free(DEFAULT_KAFKA_PORT) else None
            broker = ApacheKafkaBroker(data_dir, port=port)
        else:
            port = DEFAULT_KAFKA_PORT if _port_free(DEFAULT_KAFKA_PORT) else None
            broker = TansuBroker(self.layout.broker_dir / "tansu", port=port)
        self.broker = broker
        self._step("broker", f"{broker.profile}, {broker.bootstrap_servers}", broker.start)

    def _wait_ready(self) -> None:
        started = time.monotonic()
        pending = {s.name: s for s in SERVICES}
        for service in SERVICES:
            self.say(f"{service.name} api: waiting for /readyz")
        last_note = started
        with httpx.Client(timeout=2) as client:
            while pending:
                for name, service in list(pending.items()):
                    try:
                        ok = client.get(f"{service.url}/readyz").status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    if ok:
                        del pending[name]
                        self.say(f"{name} api: ready ({time.monotonic() - started:.1f} s)")
                dead = [p for p in self.processes if p.exit_code() is not None]
                if dead:
                    details = "\n".join(
                        f"{p.name} exited with {p.exit_code()}; {self._relative(p.log_file)}:\n{p.log_tail()}"
                        for p in dead
                    )
                    raise StackError(f"service processes exited while starting:\n{details}")
                now = time.monotonic()
                if pending and now - started > self.options.ready_timeout:
                    raise StackError(
                        f"not ready after {self.options.ready_timeout:.0f} s: {', '.join(pending)} "
                        f"(see {self._relative(self.layout.logs)}/)"
                    )
                if pending and now - last_note > 10:
                    last_note = now
                    self.say(f"still waiting for /readyz of {', '.join(pending)} ({now - started:.0f} s)")
                time.sleep(0.3)

    def _summary(self, seconds: float) -> None:
        assert self.broker is not None
        lines = [f"\nThe stack is up ({seconds:.1f} s). OpenAPI docs:"]
        lines += [f"  {s.name:<11} {s.docs_url}" for s in SERVICES]
        memory = isinstance(self.broker, TansuBroker)
        storage = ", memory storage: nothing survives a restart" if memory else ""
        lines += [
            f"PostgreSQL   {_without_password(self.postgres_url)}  (databases eldercare_<service>)",
            f"Kafka        {self.broker.bootstrap_servers}  ({self.broker.profile}{storage})",
            f"Logs         {self._relative(self.layout.logs)}/<service>-api.log, <service>-worker.log",
            f"A token      {TOKEN_HINT}",
            f'             curl -H "Authorization: Bearer $({TOKEN_HINT})" {SERVICES[0].url}/v1/...',
            "Demo data    make demo  (uv run eldercare seed)",
            "Stop         Ctrl-C here, or `uv run eldercare down` in another terminal",
        ]
        self.say("\n".join(lines))

    def _step(self, label: str, detail: str, action: Callable[[], object]) -> None:
        self.say(f"{label:<10} {detail} ...")
        started = time.monotonic()
        try:
            action()
        except StackError:
            raise
        except Exception as exc:
            raise StackError(f"{label}: {exc}") from exc
        self.say(f"{label:<10} ready ({time.monotonic() - started:.1f} s)")

    def _timed(self, label: str, action: Callable[[], object]) -> None:
        started = time.monotonic()
        try:
            action()
        except Exception as exc:  # keep stopping the rest
            self.say(f"{label}: failed: {exc}")
            return
        self.say(f"{label} ... done ({time.monotonic() - started:.1f} s)")

    def _save(self) -> None:
        write_stack_file(self.layout, self.describe())
        self.owns_stack_file = True

    def describe(self) -> dict[str, Any]:
        broker = self.broker
        return {
            "supervisor_pid": os.getpid(),
            "supervisor_cmdline": cmdline(os.getpid()),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "root": str(self.layout.root),
            "postgres": {
                "url": self.postgres_url,
                "embedded": self.postgres is not None,
                "data_dir": str(self.postgres.data_dir) if self.postgres else None,
                "port": self.postgres.port if self.postgres else None,
            },
            "broker": None if broker is None else {
                "profile": broker.profile,
                "bootstrap_servers": broker.bootstrap_servers,
                "embedded": not isinstance(broker, ExternalBroker),
                "pid": getattr(broker, "pid", None),
                "marker": "kafka.Kafka" if isinstance(broker, ApacheKafkaBroker) else "tansu",
            },
            "services": {
                s.name: {"url": s.url, "docs": s.docs_url, "database": f"{self.postgres_url}/{s.database}"}
                for s in SERVICES
            },
            "processes": [
                {"name": p.name, "pid": p.pid, "marker": p.marker, "log": str(p.log_file)}
                for p in self.processes if p.pid is not None
            ],
        }  # fmt: skip

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.layout.root))
        except ValueError:
            return str(path)


# ---------------------------------------------------------------- stack.json, eldercare down


def read_stack_file(layout: Layout) -> dict[str, Any] | None:
    try:
        data = json.loads(layout.stack_file.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_stack_file(layout: Layout, data: dict[str, Any]) -> None:
    layout.var.mkdir(parents=True, exist_ok=True)
    tmp = layout.stack_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(layout.stack_file)


def down(layout: Layout, say: Callable[[str], None] = print, timeout: float = 90) -> int:
    """Stop the stack in ``.var/stack.json``: ask its ``eldercare up`` to stop, else stop the parts."""
    recorded = read_stack_file(layout)
    if recorded is None:
        say(f"no stack is running here (no {layout.stack_file})")
        return 0
    pid = recorded.get("supervisor_pid")
    if isinstance(pid, int) and _supervisor_running(recorded):
        say(f"asking eldercare up (pid {pid}) to stop the stack ...")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _supervisor_running(recorded):
            time.sleep(0.2)
        if not _supervisor_running(recorded):
            say("stopped")
            return 0
        say(f"pid {pid} did not stop within {timeout:.0f} s; stopping the parts directly")
    stop_recorded(layout, recorded, say)
    return 0


def stop_recorded(layout: Layout, recorded: dict[str, Any], say: Callable[[str], None]) -> None:
    """Stop what a stack file records, checking each pid's command line first (pids get reused)."""
    for entry in recorded.get("processes") or []:
        if terminate_pid(int(entry["pid"]), str(entry["marker"]), timeout=20):
            say(f"stopped {entry['name']} (pid {entry['pid']})")
    broker = recorded.get("broker") or {}
    pid = broker.get("pid") if broker.get("embedded") else None
    if pid and terminate_pid(int(pid), str(broker["marker"]), timeout=30):
        say(f"stopped broker {broker.get('profile')} (pid {pid})")
    postgres = recorded.get("postgres") or {}
    if postgres.get("embedded") and postgres.get("data_dir"):
        server = EmbeddedPostgres(Path(postgres["data_dir"]), port=postgres.get("port"))
        if (server.data_dir / "postmaster.pid").exists():
            server.stop()
            say("stopped postgres")
    layout.stack_file.unlink(missing_ok=True)


# ---------------------------------------------------------------- helpers


def _supervisor_running(recorded: dict[str, Any]) -> bool:
    """The ``eldercare up`` that wrote the stack file is alive (same pid, same command line)."""
    pid = recorded.get("supervisor_pid")
    if not isinstance(pid, int):
        return False
    expected = recorded.get("supervisor_cmdline")
    if isinstance(expected, str) and expected:
        return cmdline(pid) == expected
    return is_running(pid, "eldercare")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    userinfo, at, hostpart = rest.rpartition("@")
    if at and ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    return f"{scheme}{sep}{userinfo}{at}{hostpart}"
