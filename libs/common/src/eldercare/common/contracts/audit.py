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
    later rewrite of the trail shown. ``hash_alg`` is ``sm3`` or ``sha256``."""

    event_type: ClassVar[str] = "audit.trail.head_published.v1"
    topic: ClassVar[str] = "audit.trail"

    day: date
    last_seq: int = Field(ge=1)
    last_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash_alg: str
    entries_on_day: int = Field(ge=0)
    published_at: datetime

    def subject(self) -> str:
        return self.day.isoformat()
