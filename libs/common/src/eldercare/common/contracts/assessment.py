"""Events published by assessment: GB/T 42195-2022 capability assessment results."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from eldercare.common.contracts.common import DISTRICT_PATTERN, PersonalDataAccess
from eldercare.common.registry import IntegrationEvent

LEVEL_LABELS = {
    0: "能力完好",
    1: "能力轻度受损（轻度失能）",
    2: "能力中度受损（中度失能）",
    3: "能力重度受损（重度失能）",
    4: "能力完全丧失（完全失能）",
}


class AssessmentCompleted(IntegrationEvent):
    """Two assessors signed a GB/T 42195-2022 assessment; ``final_level`` is the level after the
    adjustments of report item C.4 (coma, dementia, other mental disorder, care-risk events)."""

    event_type: ClassVar[str] = "assessment.assessment.completed.v1"
    topic: ClassVar[str] = "assessment.assessment"

    assessment_id: UUID
    application_id: UUID | None
    person_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    reason: Literal["initial", "routine", "immediate", "dispute", "other"]
    total_score: int = Field(ge=0, le=90)
    subtotals: dict[str, int]
    preliminary_level: int = Field(ge=0, le=4)
    final_level: int = Field(ge=0, le=4)
    adjustments: list[str]
    rule_settings: dict[str, str]
    completed_at: datetime
    # Until when the result stands (issue #4: results go out with their validity): an external
    # result's own validity, else the assessment date plus the local reassessment interval; None
    # while that interval is not configured (gbt42195.md §1.7 leaves it to local policy).
    valid_until: date | None = None

    def subject(self) -> str:
        return str(self.assessment_id)


class ReassessmentDue(IntegrationEvent):
    """A person's routine reassessment falls due on ``due_on`` (the interval is a rule-set setting;
    gbt42195.md leaves it open). Published once per completed assessment when the due date comes
    within the notice window; intake and the dashboards show it."""

    event_type: ClassVar[str] = "assessment.assessment.reassessment_due.v1"
    topic: ClassVar[str] = "assessment.assessment"

    assessment_id: UUID
    person_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    final_level: int = Field(ge=0, le=4)
    due_on: date
    published_at: datetime

    def subject(self) -> str:
        return str(self.assessment_id)


class PersonalDataAccessed(PersonalDataAccess, IntegrationEvent):
    """Someone holding ``pii:read`` read an assessment's health data (diagnoses, medication)."""

    event_type: ClassVar[str] = "assessment.pii_access.recorded.v1"
    topic: ClassVar[str] = "assessment.pii_access"

    def subject(self) -> str:
        return str(self.resource_id)
