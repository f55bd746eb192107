"""Settings shared by every service. Each service subclasses with its own env prefix (INTAKE_, ...)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base settings. A subclass sets ``model_config = service_config("INTAKE_")`` and its defaults."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8100
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare"
    database_pool_size: int = 10

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Apache Kafka supports aiokafka's idempotent producer; tansu refuses it (kafka-local.md §1),
    # so the local stack turns it off by setting, never by a branch in the code.
    kafka_enable_idempotence: bool = True
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    kafka_rebalance_timeout_ms: int = 30_000
    kafka_fetch_max_wait_ms: int = 500
    kafka_max_request_size: int = 1_048_576
    consumer_max_attempts: int = 5
    consumer_retry_backoff_ms: int = 200

    relay_poll_interval_ms: int = 500
    relay_batch_size: int = 200
    # On start, re-publish outbox rows still retained (an embedded broker keeps nothing across
    # a restart); consumers' inboxes make the replay harmless.
    relay_replay_retained_on_start: bool = False
    outbox_retention_hours: int = 72

    jwt_public_key: SecretStr | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "eldercare-local"
    jwt_audience: str = "eldercare"

    log_format: str = Field(default="json", pattern="^(json|text)$")
    log_level: str = "INFO"
    max_request_bytes: int = 1_048_576

    def jwt_public_key_pem(self) -> bytes:
        if self.jwt_public_key is not None:
            return self.jwt_public_key.get_secret_value().encode()
        if self.jwt_public_key_file is not None:
            return self.jwt_public_key_file.read_bytes()
        raise RuntimeError(f"{self.service_name}: set JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE")


def service_config(env_prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=env_prefix, extra="ignore")
