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


class ChargeReversed(IntegrationEvent):
    """A posted charge was reversed because its visit was voided or cancelled after completion;
    if the month was already settled the reversal appears as an adjustment line on the next run."""

    event_type: ClassVar[str] = "billing.charge.reversed.v1"
    topic: ClassVar[str] = "billing.charge"

    charge_id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    reversed_fen: int = Field(ge=0)
    reason: str
    reversed_at: datetime

    def subject(self) -> str:
        return str(self.charge_id)


class SettlementIssued(IntegrationEvent):
    """A provider's monthly settlement statement for a district was issued (immutable from now):
    the totals the bureau pays. Audit records it; recoveries it includes are closed."""

    event_type: ClassVar[str] = "billing.settlement.issued.v1"
    topic: ClassVar[str] = "billing.settlement"

    statement_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    lines: int = Field(ge=0)
    subsidy_fen: int
    self_pay_fen: int = Field(ge=0)
    withheld_fen: int = Field(ge=0)
    adjustment_fen: int
    recovery_ids: list[UUID] = Field(default_factory=list)
    issued_at: datetime

    def subject(self) -> str:
        return str(self.statement_id)
