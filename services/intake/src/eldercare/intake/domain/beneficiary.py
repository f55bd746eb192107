"""The beneficiary (服务对象): a person enrolled under a policy pack with a monthly entitlement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.common.ids import uuid7
from eldercare.intake.domain.policy import Clause


class BeneficiaryStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    terminated = "terminated"


BENEFICIARY_STATUS_LABELS = {
    BeneficiaryStatus.active: "享受中",
    BeneficiaryStatus.suspended: "暂停",
    BeneficiaryStatus.terminated: "终止",
}


@dataclass
class Beneficiary:
    person_id: UUID
    application_id: UUID | None
    district_code: str
    community_code: str
    pack_id: str
    pack_version: str
    assessment_level: int
    monthly_amount_fen: int
    service_categories: tuple[str, ...]
    emergency_help_required: bool
    basis: tuple[Clause, ...]
    effective_on: date
    enrolled_by: str
    enrolled_at: datetime
    status: BeneficiaryStatus = BeneficiaryStatus.active
    id: UUID = field(default_factory=uuid7)
    created_at: datetime | None = None
    version: int = 0
