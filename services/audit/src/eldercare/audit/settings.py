"""Settings of the audit service; environment variables carry the prefix ``AUDIT_``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr

from eldercare.audit.domain.complaint import ComplaintSeverity
from eldercare.audit.domain.fraud import DensityPeriod, FraudRules
from eldercare.audit.domain.trail import HashAlgorithm
from eldercare.common.settings import ServiceSettings, service_config


class AuditSettings(ServiceSettings):
    model_config = service_config("AUDIT_")

    service_name: str = "audit"
    # Complainants' names and phones are encrypted at rest (adapters.pii): "k2:<base64>,k1:<base64>".
    pii_keys: SecretStr | None = Field(default=None, description='"k2:<base64>,k1:<base64>", current first')
    pii_algorithm: str = Field(default="aes-256-gcm", pattern="^(aes-256-gcm|sm4-gcm)$")
    port: int = 8105
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_audit"

    # changsha-2024-purchased-door-to-door-rules.md 第十九条 requires a follow-up call to every
    # beneficiary but sets no deadline: unset, the call is due at the end of the enrolment month
    # (domain.follow_up.due_on); a district policy may fix a number of days instead.
    follow_up_due_days: int | None = Field(default=None, ge=0, le=366)
    # The bureau's working rule, not a clause of the seed: after this many calls nobody answered,
    # the follow-up is escalated (to a home visit by the community) instead of being retried.
    follow_up_max_unreached_calls: int = Field(default=3, ge=1, le=20)
    # 第十九条 asks for 全覆盖回访 and fixes no frequency: the length of a periodic round in months
    # (1, 2, 3, 4, 6 or 12; 3 is quarterly), with no default (opening a round unset is a 503).
    follow_up_period_months: Literal[1, 2, 3, 4, 6, 12] | None = None
    # Entries read per query while the chain is verified; memory stays flat however long it is.
    trail_verify_batch_size: int = Field(default=1000, ge=1, le=100_000)
    # The digest of new trail entries; issue #7 asks for SM3 (GB/T 32905). Each entry records its
    # own algorithm, so entries written under another setting still verify.
    trail_hash_algorithm: HashAlgorithm = HashAlgorithm.sm3
    # nanchang-2019-home-care-regulation.md 第四十一条 asks complaints to be handled 及时 and fixes no
    # number of days: the days per severity are this setting, JSON such as
    # AUDIT_COMPLAINT_HANDLING_DAYS='{"urgent": <days>, "high": <days>, ...}', with no default; a
    # complaint of a severity left unset is refused (domain.complaint.handling_deadline).
    complaint_handling_days: dict[ComplaintSeverity, Annotated[int, Field(ge=0, le=365)]] = Field(
        default_factory=dict
    )

    # Fraud signals (domain.fraud): the bureau's working thresholds, not clauses (the seeds name the
    # conduct, changsha-2024 第十八条（一）（四）, and fix no numbers), so they have defaults.
    fraud_overlap_tolerance_minutes: int = Field(default=5, ge=0, le=240)
    fraud_max_travel_speed_kmh: float = Field(default=60.0, gt=0, le=1000)
    fraud_geofence_misses: int = Field(default=3, ge=1, le=100)
    fraud_geofence_window_days: int = Field(default=30, ge=1, le=366)
    fraud_short_visit_ratio: float = Field(default=0.5, gt=0, le=1)
    # Visit density against peers (issue #7): a caregiver's completed visits in a district and
    # period above factor x the peers' median (and at least the minimum) are flagged; working
    # defaults: 3 x the median, 10 visits, per China day.
    fraud_density_factor: float = Field(default=3.0, gt=1, le=100)
    fraud_density_min_visits: int = Field(default=10, ge=1, le=10_000)
    fraud_density_period: DensityPeriod = DensityPeriod.day
    # One photo hash on two visits checked in less than this many days apart (issue #5's photo
    # evidence, changsha-2024 第十八条（四）): unset, the context window (fraud_geofence_window_days).
    fraud_photo_reuse_days: int | None = Field(default=None, ge=1, le=366)
    # nanchang-2019-home-care-regulation.md 第四十四条: subsidies obtained by
    # fraud are recovered with a fine of 10 %–50 % of the amount; changsha-2024 第十八条（四） recovers
    # without a fine. Whether a city's policy fines is this setting, per city (the first four digits
    # of the district code), JSON such as AUDIT_RECOVERY_FINES='{"3601": true, "4301": false}', with
    # no default: a recovery ordered in a city left unset is refused with 503 naming it.
    recovery_fines: dict[Annotated[str, Field(pattern=r"^\d{4}$")], bool] = Field(default_factory=dict)

    # changsha-2024-purchased-door-to-door-rules.md 第十九条 requires spot checks (抽查) and fixes no
    # sample size: this setting, with no default (a sample drawn without a size in the request and
    # with this unset is refused with 503 naming it).
    spot_check_sample_size: int | None = Field(default=None, ge=1, le=100_000)
    # Claim sampling as openIMIS does it (the share of sampled visits found not delivered as billed
    # deducted from the provider's unsampled visits of the period): only where the city's policy
    # provides it, so off unless set.
    claim_sampling_enabled: bool = False

    def fraud_rules(self) -> FraudRules:
        return FraudRules(
            overlap_tolerance_minutes=self.fraud_overlap_tolerance_minutes,
            max_travel_speed_kmh=self.fraud_max_travel_speed_kmh,
            geofence_misses=self.fraud_geofence_misses,
            geofence_window_days=self.fraud_geofence_window_days,
            short_visit_ratio=self.fraud_short_visit_ratio,
            density_factor=self.fraud_density_factor,
            density_min_visits=self.fraud_density_min_visits,
            density_period=self.fraud_density_period,
            photo_reuse_days=self.fraud_photo_reuse_days,
        )
