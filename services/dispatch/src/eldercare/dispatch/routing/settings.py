"""Settings of the optimiser's soft goals and of re-planning (environment prefix ``DISPATCH_``).

None of these is a regulated amount (the seeds say nothing about continuity, workload or re-planning
horizons): they are a provider's operating choices, so they have defaults that a city may change.
Weights are in seconds of travel, the objective's unit (see ``routing.district.Weights``).
They live beside the routing core so the optimiser's knobs stay in one place; ``DispatchSettings``
inherits them, so the app and the worker read them once, with everything else.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field
from pydantic_settings import BaseSettings

from eldercare.common.settings import service_config
from eldercare.dispatch.domain.geo import TravelMode
from eldercare.dispatch.routing.district import MAX_SOFT_SECONDS, MAX_WORKLOAD_PER_SECOND, Weights
from eldercare.dispatch.routing.road import OsrmTableTravel
from eldercare.dispatch.routing.travel import HaversineTravel, TravelTimes


class RoutingSettings(BaseSettings):
    model_config = service_config("DISPATCH_")

    # Continuity of care: a visit not done by the caregiver who served the beneficiary most often
    # (then most recently) in the last ``continuity_history_days`` costs up to this much travel:
    # 600 s lets the planner send the familiar caregiver up to 10 minutes further. 0 turns it off.
    continuity_weight_seconds: int = Field(default=600, ge=0, le=MAX_SOFT_SECONDS)
    continuity_history_days: int = Field(default=90, ge=1, le=730)
    # Balanced workload: each second a caregiver's day runs over an even share of the day's work
    # costs this many seconds of travel. 0 (default) plans for travel alone.
    workload_weight_per_second: int = Field(default=0, ge=0, le=MAX_WORKLOAD_PER_SECOND)
    # Re-planning (POST /v1/schedules/replans): moving a booked visit to another caregiver costs
    # this much travel, so it happens only to make room for a visit that would otherwise be left out.
    replan_keep_weight_seconds: int = Field(default=1800, ge=0, le=MAX_SOFT_SECONDS)
    # Booked visits starting within this many minutes of the re-plan are left with their caregiver
    # (who may already be on the way).
    replan_freeze_minutes: int = Field(default=30, ge=0, le=240)
    # The budget for re-planning a single change.
    replan_max_seconds: float = Field(default=5, gt=0, le=30)

    # Road-network travel times (routing/road.py): an OSRM-compatible ``table`` service, e.g.
    # http://osrm:5000. Unset: straight-line distance at the DISPATCH_*_SPEED_M_PER_S speeds.
    road_matrix_url: str | None = None
    road_matrix_profiles: dict[TravelMode, str] = Field(
        default_factory=lambda: {TravelMode.walk: "foot", TravelMode.e_bike: "bike"}
    )
    road_matrix_block: int = Field(default=100, ge=2, le=10_000)
    road_matrix_timeout_s: float = Field(default=10, gt=0, le=120)

    def travel(self, speeds: Mapping[TravelMode, float]) -> TravelTimes:
        if self.road_matrix_url:
            return OsrmTableTravel(
                self.road_matrix_url,
                self.road_matrix_profiles,
                block=self.road_matrix_block,
                timeout_s=self.road_matrix_timeout_s,
            )
        return HaversineTravel(speeds)

    def weights(self, *, replan: bool = False) -> Weights:
        return Weights(
            continuity_seconds=self.continuity_weight_seconds,
            workload_per_second=self.workload_weight_per_second,
            keep_seconds=self.replan_keep_weight_seconds if replan else 0,
        )
