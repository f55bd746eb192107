"""Events published by audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from eldercare.common.contracts.common import DISTRICT_PATTERN
from eldercare.common.registry import IntegrationEvent


class FollowUpOpened(IntegrationEvent):
    """A follow-up call (回访) task was opened for a beneficiary; the district calls back every
    beneficiary (Changsha 第十九条)."""

    event_type: ClassVar[str] = "audit.follow_up.opened.v1"
    topic: ClassVar[str] = "audit.follow_up"

    follow_up_id: UUID
    beneficiary_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    reason: str
    due_on: date
    opened_at: datetime

    def subject(self) -> str:
        return str(self.follow_up_id)
