"""Events published by audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
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


class CaregiverDecertified(IntegrationEvent):
    """A caregiver lost the qualification to serve (取消养老护理上岗资格): 3 or more complaints against
    them were substantiated within a rolling 365 days (wuhai-2017-home-care-measures.md 第三十一条).
    ``complaint_ids`` are the substantiated complaints that made the count. Dispatch stops assigning
    the caregiver."""

    event_type: ClassVar[str] = "audit.caregiver.decertified.v1"
    topic: ClassVar[str] = "audit.caregiver"

    caregiver_id: UUID
    provider_id: UUID | None = None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    complaint_ids: list[UUID] = Field(min_length=1)
    substantiated_complaints: int = Field(ge=1)
    window_days: int = Field(ge=1)
    basis: str
    decertified_at: datetime

    def subject(self) -> str:
        return str(self.caregiver_id)


class SanctionImposed(IntegrationEvent):
    """A district officer confirmed the sanction on a provider that did not rectify within the
    deadline of a rectification notice (changsha-2024-purchased-door-to-door-rules.md 第十八条):
    ``measures`` among ``end_contract`` (the purchase contract is ended), ``blacklist`` (dishonesty
    list) and ``recover_funds`` (subsidies obtained by false information are recovered). Billing
    withholds and claws back; dispatch stops assigning the provider."""

    event_type: ClassVar[str] = "audit.sanction.imposed.v1"
    topic: ClassVar[str] = "audit.sanction"

    sanction_id: UUID
    notice_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    measures: list[str] = Field(min_length=1)
    finding_ids: list[UUID] = Field(min_length=1)
    finding_types: list[str] = Field(min_length=1)
    basis: list[str] = Field(min_length=1)
    imposed_at: datetime

    def subject(self) -> str:
        return str(self.provider_id)


class TrailHeadPublished(IntegrationEvent):
    """The audit trail's chain head at the end of a day (Asia/Shanghai): the seq and hash of the
    last entry recorded that day, so the head can be anchored outside the audit service and a
    later rewrite of the trail shown. ``hash_alg`` is ``sm3`` or ``sha256``. ``chain`` names the
    chain (issue #7: a trail per tenant): a district code, ``city`` (entries naming no district) or
    ``legacy`` (the single chain written before per-tenant chains); absent from older events."""

    event_type: ClassVar[str] = "audit.trail.head_published.v1"
    topic: ClassVar[str] = "audit.trail"

    day: date
    chain: str | None = Field(default=None, max_length=16)
    last_seq: int = Field(ge=1)
    last_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash_alg: str
    entries_on_day: int = Field(ge=0)
    published_at: datetime

    def subject(self) -> str:
        return self.day.isoformat()


class VisitFlagRaised(IntegrationEvent):
    """Audit suspects a visit was not delivered as recorded (a fraud signal, a spot check, a
    follow-up or survey answer). Billing withholds the visit's charge from settlement until the flag
    is cleared or confirmed (issue #6: a visit audit flags as suspect is withheld)."""

    event_type: ClassVar[str] = "audit.visit_flag.raised.v1"
    topic: ClassVar[str] = "audit.visit_flag"

    flag_id: UUID
    visit_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    source: Literal["fraud_signal", "spot_check", "survey", "complaint", "follow_up"]
    signal: str = Field(description="e.g. overlapping_visits, impossible_travel, not_delivered")
    raised_at: datetime

    def subject(self) -> str:
        return str(self.visit_id)


class VisitFlagResolved(IntegrationEvent):
    """The flag on a visit was investigated: ``cleared`` releases the withheld charge;
    ``confirmed`` keeps it withheld for good (a finding under Changsha 第十八条 follows, and a
    FundsRecoveryOrdered if it had already been paid)."""

    event_type: ClassVar[str] = "audit.visit_flag.resolved.v1"
    topic: ClassVar[str] = "audit.visit_flag"

    flag_id: UUID
    visit_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    outcome: Literal["cleared", "confirmed"]
    finding_id: UUID | None = None
    resolved_at: datetime

    def subject(self) -> str:
        return str(self.visit_id)


class FundsRecoveryOrdered(IntegrationEvent):
    """Subsidies obtained for ``visit_ids`` by fraud or false information are to be recovered from
    the provider (changsha-2024-purchased-door-to-door-rules.md 第十八条（四）), with, where the
    city's policy provides it, a fine of ``fine_rate_percent`` of the amount obtained
    (nanchang-2019-home-care-regulation.md 第四十四条: 10 % to 50 %). Audit
    names the visits; billing knows what was paid for them and books the recovery and the fine as
    negative lines on the provider's next statement, linked to ``recovery_id`` and the findings."""

    event_type: ClassVar[str] = "audit.recovery.ordered.v1"
    topic: ClassVar[str] = "audit.recovery"

    recovery_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    finding_ids: list[UUID] = Field(min_length=1)
    visit_ids: list[UUID] = Field(min_length=1)
    fine_rate_percent: int | None = Field(default=None, ge=10, le=50)
    basis: list[str] = Field(min_length=1)
    ordered_at: datetime

    def subject(self) -> str:
        return str(self.recovery_id)


class ClaimDeductionPublished(IntegrationEvent):
    """Claim sampling (as openIMIS does it): of the provider's visits sampled in ``period``,
    ``failed`` of ``sampled`` were found not delivered as billed. Where the city's policy enables
    it, billing deducts ``failed / sampled`` of the amount covered for the provider's *unsampled*
    visits of that period in that district (the sampled failures themselves are recovered one by
    one). ``seed`` and the visit lists make the sample reproducible and traceable."""

    event_type: ClassVar[str] = "audit.spot_check.deduction_published.v1"
    topic: ClassVar[str] = "audit.spot_check"

    sample_id: UUID
    provider_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    seed: str
    sampled_visit_ids: list[UUID] = Field(min_length=1)
    failed_visit_ids: list[UUID]
    sampled: int = Field(ge=1)
    failed: int = Field(ge=0)
    basis: list[str] = Field(min_length=1)
    published_at: datetime

    def subject(self) -> str:
        return str(self.sample_id)
