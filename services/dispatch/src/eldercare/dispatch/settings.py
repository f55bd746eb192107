"""Settings of the dispatch service; environment variables carry the prefix ``DISPATCH_``."""

from __future__ import annotations

from pydantic import Field

from eldercare.common.settings import ServiceSettings, service_config
from eldercare.dispatch.domain.geo import TravelMode
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

    # Straight-line planning speeds of the day planner (POST /v1/schedules), per travel mode. Not a
    # regulated amount: walking 1.2 m/s (4.3 km/h) allows for an older street; e-bike 4.2 m/s
    # (15 km/h) stays well under the 25 km/h cap of GB 17761-2018 for stops and crossings. A city with
    # measured speeds, or a road-network matrix, sets its own.
    walk_speed_m_per_s: float = Field(default=1.2, gt=0, le=10)
    e_bike_speed_m_per_s: float = Field(default=4.2, gt=0, le=20)
    # The most a planning request may take (the budget for a district day).
    max_planning_seconds: float = Field(default=30, gt=0, le=300)

    def travel_speeds(self) -> dict[TravelMode, float]:
        return {TravelMode.walk: self.walk_speed_m_per_s, TravelMode.e_bike: self.e_bike_speed_m_per_s}

    def verification_rules(self) -> VerificationRules:
        return VerificationRules(geofence_m=self.geofence_m, min_visit_minutes=self.min_visit_minutes)
