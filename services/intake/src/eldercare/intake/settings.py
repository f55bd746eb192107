"""Settings of the intake service; environment variables carry the prefix ``INTAKE_``."""

from __future__ import annotations

from pydantic import Field, SecretStr

from eldercare.common.settings import ServiceSettings, service_config


class IntakeSettings(ServiceSettings):
    model_config = service_config("INTAKE_")

    service_name: str = "intake"
    port: int = 8101
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_intake"

    # PIPL field encryption (eldercare.common.pii). No defaults: a key is never shipped in code.
    # The service refuses to touch personal data while these are unset (adapters/pii.py).
    pii_keys: SecretStr | None = Field(default=None, description='"k2:<base64>,k1:<base64>", current first')
    pii_algorithm: str = Field(default="aes-256-gcm", pattern="^(aes-256-gcm|sm4-gcm)$")
    pii_blind_index_key: SecretStr | None = Field(default=None, description="base64, at least 32 bytes")
    # The key ring intake shares with dispatch (DISPATCH_CONTACT_SHARE_KEYS, the same material) to
    # seal the beneficiary's contact in intake.beneficiary_contact.shared.v1 (issue #5). No
    # default; unset: the contact is not shared (a warning once), caregivers see no name or address.
    contact_share_keys: SecretStr | None = Field(
        default=None, description='"s2:<base64>,s1:<base64>", current first; the same ring as dispatch'
    )
    contact_share_algorithm: str = Field(default="aes-256-gcm", pattern="^(aes-256-gcm|sm4-gcm)$")

    # Local amounts that a regulation leaves to a later document, per policy pack:
    # {"changsha-2024": {"monthly_service_amount_fen": 30000}} (INTAKE_POLICY_SETTINGS as JSON).
    # changsha-2024-purchased-door-to-door-rules.md 第四条: the standard is set by city documents,
    # so there is deliberately no default amount. Every pack's settings: PolicyPack.settings(), e.g.
    # xiangtan-2025 monthly_service_subsidy_fen (第八条（三）), huzhou-2022
    # monthly_service_amount_fen_level_1..4 (第二十条（一）, 第十九条) and advanced_age_min_years,
    # nanchang-2019 monthly_service_amount_fen (at least 20000: 第二十条（二）（三）), wuhai-2017
    # monthly_service_subsidy_fen (第八条). A figure below a floor the seed fixes counts as unset.
    policy_settings: dict[str, dict[str, int]] = Field(default_factory=dict)

    # Webhooks of the city platform (domain/webhooks.py has the signature a receiver verifies).
    # SSRF guard: only http/https; with webhook_allowed_hosts set, only those hosts; otherwise any
    # host whose addresses are public. Private, loopback and link-local targets need
    # webhook_allow_private_networks (tests and closed networks).
    webhook_allowed_hosts: list[str] = Field(default_factory=list)
    webhook_allow_private_networks: bool = False
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_backoff_base_seconds: float = Field(default=10.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    # A claimed delivery is retried after this if its worker died mid-attempt (at-least-once).
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    # Documented to receivers: refuse a signature timestamp further than this from your clock.
    webhook_replay_window_seconds: int = Field(default=300, ge=30)

    # Roster imports (POST /v1/roster-imports): a larger file is 413, more rows 422. The body
    # limit of every request (max_request_bytes) applies first.
    roster_max_bytes: int = Field(default=1_048_576, ge=1024)
    roster_max_rows: int = Field(default=10_000, ge=1)
    roster_batch_rows: int = Field(default=200, ge=1)
