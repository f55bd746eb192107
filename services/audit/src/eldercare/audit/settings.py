"""Settings of the audit service; environment variables carry the prefix ``AUDIT_``."""

from __future__ import annotations

from eldercare.common.settings import ServiceSettings, service_config


class AuditSettings(ServiceSettings):
    model_config = service_config("AUDIT_")

    service_name: str = "audit"
    port: int = 8105
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_audit"
