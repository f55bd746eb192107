"""Settings of the intake service; environment variables carry the prefix ``INTAKE_``."""

from __future__ import annotations

from eldercare.common.settings import ServiceSettings, service_config


class IntakeSettings(ServiceSettings):
    model_config = service_config("INTAKE_")

    service_name: str = "intake"
    port: int = 8101
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_intake"
