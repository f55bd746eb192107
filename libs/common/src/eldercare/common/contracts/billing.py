"""Events published by billing: charges against monthly entitlements."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

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


PERIOD_PATTERN = r"^\d{4}-\d{2}$"


class AccountOpened(IntegrationEvent):
    """A beneficiary's monthly entitlement account for ``period`` was opened (from the enrolment's
    or a change's entitlement; prorated by days where the month is partial)."""

    event_type: ClassVar[str] = "billing.account.opened.v1"
    topic: ClassVar[str] = "billing.account"

    account_id: UUID
    beneficiary_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    entitlement_fen: int | None = Field(default=None, ge=0)
    entitlement_minutes: int | None = Field(default=None, ge=0)
    active_from: date
    opened_at: datetime

    def subject(self) -> str:
        return str(self.account_id)


class AccountClosed(IntegrationEvent):
    """A month's account was closed (the month ended, or the enrolment was terminated): what was
    used, and what lapses (unused entitlement does not roll over unless the policy says so)."""

    event_type: ClassVar[str] = "billing.account.closed.v1"
    topic: ClassVar[str] = "billing.account"

    account_id: UUID
    beneficiary_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    entitlement_fen: int | None = Field(default=None, ge=0)
    used_fen: int = Field(ge=0)
    lapsed_fen: int = Field(ge=0)
    reason: Literal["month_ended", "terminated"]
    closed_at: datetime

    def subject(self) -> str:
        return str(self.account_id)


class ChargeHeld(IntegrationEvent):
    """A visit's charge is held, not payable yet: unverified (dispatch's review pending), unpriced,
    or waiting for the beneficiary's entitlement."""

    event_type: ClassVar[str] = "billing.charge.held.v1"
    topic: ClassVar[str] = "billing.charge"

    charge_id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    reason: str
    held_at: datetime

    def subject(self) -> str:
        return str(self.charge_id)


class ChargeReleased(IntegrationEvent):
    """A held or withheld charge became payable (review accepted, price or entitlement arrived,
    audit flag cleared)."""

    event_type: ClassVar[str] = "billing.charge.released.v1"
    topic: ClassVar[str] = "billing.charge"

    charge_id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    reason: str
    covered_fen: int = Field(ge=0)
    released_at: datetime

    def subject(self) -> str:
        return str(self.charge_id)


class ChargeWithheld(IntegrationEvent):
    """A charge is kept back from the provider's settlement: an audit flag, a recovery order or a
    sanction (``ref_id`` names it)."""

    event_type: ClassVar[str] = "billing.charge.withheld.v1"
    topic: ClassVar[str] = "billing.charge"

    charge_id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    reason: Literal["visit_flagged", "recovery_ordered", "provider_sanctioned"]
    ref_id: UUID | None = None
    withheld_fen: int = Field(ge=0)
    withheld_at: datetime

    def subject(self) -> str:
        return str(self.charge_id)


class SettlementPreviewed(IntegrationEvent):
    """A provider's monthly statement for a district was (re)generated as a preview."""

    event_type: ClassVar[str] = "billing.settlement.previewed.v1"
    topic: ClassVar[str] = "billing.settlement"

    statement_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    lines: int = Field(ge=0)
    subsidy_fen: int
    self_pay_fen: int = Field(ge=0)
    withheld_fen: int = Field(ge=0)
    previewed_at: datetime

    def subject(self) -> str:
        return str(self.statement_id)


class ClawbackApplied(IntegrationEvent):
    """An issued statement carried a funds recovery ordered by audit: the negative recovery and
    fine lines (changsha-2024 第十八条（四）; nanchang-2019-home-care-regulation.md 第四十四条)."""

    event_type: ClassVar[str] = "billing.settlement.clawback_applied.v1"
    topic: ClassVar[str] = "billing.settlement"

    recovery_id: UUID
    statement_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=PERIOD_PATTERN)
    visit_ids: list[UUID]
    recovered_fen: int = Field(ge=0, description="the amount taken back (a positive figure)")
    fine_fen: int = Field(ge=0)
    applied_at: datetime

    def subject(self) -> str:
        return str(self.recovery_id)


class PricedItem(BaseModel):
    """One catalog item's price: per visit, or per hour (pro rata per minute)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service_code: str = Field(pattern=r"^CS\d{2}$")
    unit: Literal["visit", "hour"]
    unit_price_fen: int = Field(ge=0)


class PriceListPublished(IntegrationEvent):
    """A price list took effect for a region (GB/T 2260: 2, 4 or 6 digits) from ``effective_from``;
    the latest list on or before a day prices that day. Dispatch checks care plans against the
    beneficiary's monthly entitlement at these prices (issue #5)."""

    event_type: ClassVar[str] = "billing.price_list.published.v1"
    topic: ClassVar[str] = "billing.price_list"

    price_list_id: UUID
    region_code: str = Field(pattern=r"^(\d{2}|\d{4}|\d{6})$")
    effective_from: date
    items: list[PricedItem] = Field(min_length=1)
    published_at: datetime

    def subject(self) -> str:
        return self.region_code
