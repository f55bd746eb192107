"""Settings of the assessment service; environment variables carry the prefix ``ASSESSMENT_``."""

from __future__ import annotations

from eldercare.assessment.domain.gbt42195 import AdjustmentStacking, RiskEventCounting, RuleSettings
from eldercare.common.settings import ServiceSettings, service_config


class AssessmentSettings(ServiceSettings):
    model_config = service_config("ASSESSMENT_")

    service_name: str = "assessment"
    port: int = 8102
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_assessment"

    # gbt42195.md §1.5 open points: the defaults are the reference's reading ("+1 at most",
    # "sum across categories"); each result records the settings it was computed under.
    adjustment_stacking: AdjustmentStacking = AdjustmentStacking.single
    risk_event_counting: RiskEventCounting = RiskEventCounting.sum

    def rule_settings(self) -> RuleSettings:
        return RuleSettings(stacking=self.adjustment_stacking, risk_event_counting=self.risk_event_counting)
