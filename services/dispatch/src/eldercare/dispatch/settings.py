"""Settings of the dispatch service; environment variables carry the prefix ``DISPATCH_``."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta
from typing import Any

from pydantic import Field, SecretStr, field_validator

from eldercare.common.settings import ServiceSettings, service_config
from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.geo import TravelMode
from eldercare.dispatch.domain.verification import (
    ITEM_RULES,
    FlagAction,
    FlagCode,
    ItemRule,
    VerificationPolicy,
)
from eldercare.dispatch.notification_settings import NotificationSettings
from eldercare.dispatch.routing.settings import RoutingSettings

_RULE_FIELDS = {f.name for f in fields(ItemRule)}


class DispatchSettings(ServiceSettings, RoutingSettings, NotificationSettings):
    """The service's settings, the optimiser's (routing/settings.py) included: one object, read
    when the app or worker starts, so settings passed to ``create_app`` reach the planner too."""

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

    # Verification per catalog item (domain/verification.py). The action per flag code, e.g.
    # DISPATCH_VERIFICATION_ACTIONS='{"too_short": "hold", "outside_geofence": "refuse"}'; and per-item
    # overrides of the rule, e.g. DISPATCH_ITEM_RULES='{"CS22": {"min_duration_ratio": 0.8}}'.
    verification_actions: dict[FlagCode, FlagAction] = Field(default_factory=dict)
    item_rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Faster than this between a check-out and the next check-in is flagged impossible_travel
    # (54 km/h: more than any e-bike or bus in town; not a regulated amount).
    max_travel_speed_m_per_s: float = Field(default=15, gt=0, le=100)

    # Missed visits: nobody checked in by the end of the window plus this grace (the worker's sweep,
    # every missed_sweep_seconds). Not a regulated amount: the end of the window already allows for
    # lateness, the grace for a phone that syncs a little late.
    missed_grace_minutes: int = Field(default=60, ge=0, le=24 * 60)
    missed_sweep_seconds: float = Field(default=60, gt=0, le=3600)

    # Visits generated from care plans' schedules (application/visit_generation.py). Our operating
    # choices, not regulated amounts: the example horizon of 14 days ahead (the days planned
    # and shown to the provider), and an hourly sweep that rolls it forward.
    visit_horizon_days: int = Field(default=14, ge=1, le=62)
    visit_generation_seconds: float = Field(default=3600, gt=0, le=86_400)

    # Emergency help: the minutes within which someone must be on the scene. No seed fixes it
    # (changsha-2024 第七条（三） only requires the 24-hour line), so there is no default: unset, an
    # emergency shows no due time and the overdue list answers 503 naming the setting.
    emergency_response_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    # Minutes a notified caregiver has to acknowledge before the worker asks the next one, then the
    # provider's 24-hour line. No seed fixes it either: unset, escalation is by hand only
    # (POST /v1/emergencies/{id}/escalations).
    emergency_ack_minutes: int | None = Field(default=None, gt=0, le=24 * 60)

    # Keys sealing the vital signs recorded at health-monitoring visits (CS25): "k2:<base64>,k1:<base64>",
    # current first. Unset: a check-out with vital signs is 503 naming DISPATCH_PII_KEYS.
    pii_keys: SecretStr | None = None
    pii_algorithm: str = Field(default="aes-256-gcm", pattern="^(aes-256-gcm|sm4-gcm)$")
    # The ring intake seals the beneficiary's contact with (INTAKE_CONTACT_SHARE_KEYS, the same
    # material; intake.beneficiary_contact.shared.v1). No default: unset, the consumer stores the
    # sealed contact untouched and GET /v1/visits/{id}/beneficiary answers 503 naming the setting.
    contact_share_keys: SecretStr | None = None
    contact_share_algorithm: str = Field(default="aes-256-gcm", pattern="^(aes-256-gcm|sm4-gcm)$")

    @field_validator("item_rules")
    @classmethod
    def _known_items_and_fields(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for code, overrides in value.items():
            if CATALOG.get(code) is None:
                raise ValueError(f"{code} is not a catalog item")
            unknown = set(overrides) - _RULE_FIELDS
            if unknown:
                raise ValueError(f"{code}: unknown rule fields {sorted(unknown)}")
        return value

    def verification_policy(self) -> VerificationPolicy:
        """The item rules with the city's geofence (DISPATCH_GEOFENCE_M, also the coarsest accuracy
        accepted) and its per-item overrides, and the action per flag."""
        rules = {
            code: replace(
                rule,
                geofence_m=self.geofence_m,
                max_accuracy_m=self.geofence_m,
                **self.item_rules.get(code, {}),
            )
            for code, rule in ITEM_RULES.items()
        }
        return VerificationPolicy(
            actions={**VerificationPolicy().actions, **self.verification_actions},
            rules=rules,
            min_visit_minutes=self.min_visit_minutes,
            max_travel_speed_m_per_s=self.max_travel_speed_m_per_s,
        )

    @property
    def missed_grace(self) -> timedelta:
        return timedelta(minutes=self.missed_grace_minutes)
