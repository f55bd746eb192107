"""Events published by billing: charges against monthly entitlements."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from eldercare.common.contracts.common import DISTRICT_PATTERN
from eldercare.common.registry import IntegrationEvent


class ChargePosted(IntegrationEvent):
    """A verified visit was priced and charged against the beneficiary's entitlement for the month;
    the part the entitlement covers is owed to the provider in that month's settlement."""

    event_type: ClassVar[str] = "billing.charge.posted.v1"
    topic: ClassVar[str] = "billing.charge"

    charge_id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    amount_fen: int = Field(ge=0)
    covered_fen: int = Field(ge=0)
    beneficiary_pays_fen: int = Field(ge=0)
    posted_at: datetime

    def subject(self) -> str:
        return str(self.charge_id)
