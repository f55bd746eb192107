"""Settings of the assessment service; environment variables carry the prefix ``ASSESSMENT_``."""

from __future__ import annotations

from eldercare.common.settings import ServiceSettings, service_config


class AssessmentSettings(ServiceSettings):
    model_config = service_config("ASSESSMENT_")

    service_name: str = "assessment"
    port: int = 8102
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_assessment"
