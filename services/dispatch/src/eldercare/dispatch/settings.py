"""Settings of the dispatch service; environment variables carry the prefix ``DISPATCH_``."""

from __future__ import annotations

from eldercare.common.settings import ServiceSettings, service_config


class DispatchSettings(ServiceSettings):
    model_config = service_config("DISPATCH_")

    service_name: str = "dispatch"
    port: int = 8103
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_dispatch"
