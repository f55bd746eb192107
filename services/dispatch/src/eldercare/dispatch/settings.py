"""Settings of the dispatch service; environment variables carry the prefix ``DISPATCH_``."""

from __future__ import annotations

from pydantic import Field

from eldercare.common.settings import ServiceSettings, service_config
from eldercare.dispatch.domain.visits import VerificationRules


class DispatchSettings(ServiceSettings):
    model_config = service_config("DISPATCH_")

    service_name: str = "dispatch"
    port: int = 8103
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_dispatch"

    # No seed fixes a geofence; 200 m covers a tower block and urban GPS error. A city sets its own.
    geofence_m: float = Field(default=200, gt=0, le=10_000)
    # No seed fixes a minimum visit length either. The default 0 lets a visit checked out right
    # after checking in verify, which the end-to-end scenario does; a city that pays by the visit
    # sets its minimum here, and shorter visits are then completed but not verified.
    min_visit_minutes: int = Field(default=0, ge=0, le=24 * 60)

    def verification_rules(self) -> VerificationRules:
        return VerificationRules(geofence_m=self.geofence_m, min_visit_minutes=self.min_visit_minutes)
