"""Settings of the assessment service; environment variables carry the prefix ``ASSESSMENT_``."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from eldercare.assessment.domain.gbt42195 import DEFAULT_RULE_SET, RULE_SETS, RuleSettings
from eldercare.common.settings import ServiceSettings, service_config


class AssessmentSettings(ServiceSettings):
    model_config = service_config("ASSESSMENT_")

    service_name: str = "assessment"
    port: int = 8102
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_assessment"

    # gbt42195.md §1.5 open points: the named rule set used when a request names none. The default
    # is the reference's reading ("+1 at most", "sum across categories"); each result records the
    # rule set and settings it was computed under.
    rule_set: str = DEFAULT_RULE_SET

    @field_validator("rule_set")
    @classmethod
    def _known_rule_set(cls, value: str) -> str:
        if value not in RULE_SETS:
            known = ", ".join(RULE_SETS)
            raise ValueError(f"ASSESSMENT_RULE_SET: unknown rule set {value!r}; known: {known}")
        return value

    # PIPL field encryption of health data (adapters/health_data.py). No default key: a key is never
    # shipped in code, and storing or reading diagnoses while it is unset fails naming the setting.
    # The algorithm defaults as in intake (the local stack passes keys only); SM4 is a setting away.
    pii_keys: SecretStr | None = Field(default=None, description='"k2:<base64>,k1:<base64>", current first')
    pii_algorithm: str = Field(default="aes-256-gcm", pattern="^(aes-256-gcm|sm4-gcm)$")

    # gbt42195.md §1.7: the periodic reassessment interval is not confirmed for GB/T 42195-2022
    # (MZ/T 039-2013 said 6 months; local schemes set their own). No default: the due list
    # refuses to run while it is unset, naming the setting.
    reassessment_interval_months: int | None = Field(default=None, ge=1, le=120)
    # The worker announces a routine reassessment (ReassessmentDue) this many days before it is due,
    # checking every reassessment_sweep_seconds. Operational choices, not regulated amounts.
    reassessment_notice_days: int = Field(default=30, ge=0, le=366)
    reassessment_sweep_seconds: float = Field(default=3600, gt=0, le=86400)

    # Issue #4: of the two assessors of a task at least one has a medical background "as a setting";
    # gbt42195.md does not state the rule for the 2022 standard, so the default follows the issue.
    require_medical_assessor: bool = True

    # application/access.py: a task nobody has been assigned is open to the assessors whose token
    # region covers it (the local stack's and the end-to-end flow); false: assigned tasks only.
    unassigned_tasks_open_to_region: bool = True

    # Mutual recognition (xiangtan-2025 第七条: 评估结果在全市范围内互认): the instruments the city's
    # policy recognises, and the region-code prefixes whose organisations' results are accepted
    # besides the organisations registered here. JSON lists in the environment.
    recognised_instruments: list[str] = Field(default_factory=lambda: ["GB/T 42195-2022"])
    recognised_regions: list[str] = Field(default_factory=list)

    def rule_settings(self) -> RuleSettings:
        return RULE_SETS[self.rule_set].settings
