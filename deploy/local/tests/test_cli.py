"""``eldercare token`` and the local keys; the environment ``eldercare up`` gives each service."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest

from eldercare.common.pii import parse_keyring
from eldercare.common.testing.brokers import TansuBroker
from eldercare.devstack.keys import ensure_keys
from eldercare.devstack.layout import Layout
from eldercare.devstack.services import SERVICES, topics
from eldercare.devstack.stack import LocalStack

pytestmark = pytest.mark.unit


def eldercare(root: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "eldercare.devstack.cli", *args],
        env={**os.environ, "ELDERCARE_ROOT": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_token_verifies_with_the_local_public_key(tmp_path: Path) -> None:
    token = eldercare(
        tmp_path, "token", "--role", "district_officer", "--region", "430102",
        "--scope", "pii:read", "--ttl-minutes", "5",
    )  # fmt: skip
    public_key = (tmp_path / ".var" / "keys" / "jwt-public.pem").read_bytes()
    claims = jwt.decode(
        token, public_key, algorithms=["EdDSA"], audience="eldercare", issuer="eldercare-local"
    )
    assert claims["roles"] == ["district_officer"]
    assert claims["region"] == "430102"
    assert "pii:read" in claims["scope"].split()
    assert claims["exp"] - claims["iat"] == 300

    # The keys are made once and reused.
    again = eldercare(tmp_path, "token", "--role", "caregiver", "--provider", "p-1", "--caregiver", "c-1")
    claims = jwt.decode(again, public_key, algorithms=["EdDSA"], audience="eldercare")
    assert (claims["provider_id"], claims["caregiver_id"]) == ("p-1", "c-1")


def test_local_keys_are_private_files(tmp_path: Path) -> None:
    keys = ensure_keys(tmp_path / "keys")
    files = (keys.jwt_private, keys.jwt_public, keys.pii_keys_file, keys.blind_index_file)
    for path in (*files, keys.contact_share_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(next(iter(parse_keyring(keys.pii_keys()).values()))) == 32
    assert ensure_keys(tmp_path / "keys").private_key_pem() == keys.private_key_pem()


def test_every_service_gets_its_database_broker_and_keys(tmp_path: Path) -> None:
    stack = LocalStack(Layout(tmp_path))
    stack.keys = ensure_keys(tmp_path / "keys")
    stack.postgres_url = "postgresql+asyncpg://postgres@127.0.0.1:5555"
    stack.broker = TansuBroker(tmp_path, port=19092)
    for service in SERVICES:
        env = stack.service_env(service)
        p = service.prefix
        assert (
            env[f"{p}DATABASE_URL"]
            == f"postgresql+asyncpg://postgres@127.0.0.1:5555/eldercare_{service.name}"
        )
        assert env[f"{p}KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:19092"
        assert env[f"{p}KAFKA_ENABLE_IDEMPOTENCE"] == "false"
        assert env[f"{p}KAFKA_FETCH_MAX_WAIT_MS"] == "100"
        assert Path(env[f"{p}JWT_PUBLIC_KEY_FILE"]).read_bytes().startswith(b"-----BEGIN PUBLIC KEY")
        assert env[f"{p}LOG_FORMAT"] == "json"
        # Intake seals the beneficiaries' contact for dispatch alone: one ring, those two only.
        expected = stack.keys.contact_share_keys() if service.name in ("intake", "dispatch") else None
        assert env.get(f"{p}CONTACT_SHARE_KEYS") == expected
    assert [s.port for s in SERVICES] == [8101, 8102, 8103, 8104, 8105]


def test_topics_include_a_dead_letter_topic_for_each() -> None:
    names = topics()
    assert "intake.beneficiary" in names and "dispatch.visit" in names
    assert {f"{t}.dlq" for t in names if not t.endswith(".dlq")} <= set(names)


def test_a_second_up_refuses_and_leaves_the_running_stacks_file_alone(tmp_path: Path) -> None:
    from eldercare.devstack.processes import cmdline
    from eldercare.devstack.stack import read_stack_file, write_stack_file

    layout = Layout(tmp_path)
    running = subprocess.Popen(["sleep", "30"])
    try:
        while cmdline(running.pid) != "sleep 30":  # until the fork has exec'd
            time.sleep(0.01)
        recorded = {"supervisor_pid": running.pid, "supervisor_cmdline": cmdline(running.pid)}
        write_stack_file(layout, recorded)
        said: list[str] = []
        assert LocalStack(layout, say=said.append).run() == 1
        assert "already running" in said[-1]
        assert read_stack_file(layout) == recorded
    finally:
        running.kill()
        running.wait()


def test_bench_runs_a_benchmark_by_its_short_name(tmp_path: Path) -> None:
    # `eldercare bench vrptw ...` (issue #5) runs bench/dispatch_vrptw.py with the arguments given.
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "dispatch_vrptw.py").write_text("import sys\nprint('ran', *sys.argv[1:])\n")
    (tmp_path / "bench" / "http_load.py").write_text("")
    out = eldercare(tmp_path, "bench", "vrptw", "R101.txt", "--seconds", "10")
    assert out == "ran R101.txt --seconds 10"
    assert eldercare(tmp_path, "bench", "--list") == "dispatch_vrptw"


def test_bench_names_an_unknown_benchmark(tmp_path: Path) -> None:
    (tmp_path / "bench").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "eldercare.devstack.cli", "bench", "nothing"],
        env={**os.environ, "ELDERCARE_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "no benchmark 'nothing'" in result.stderr
