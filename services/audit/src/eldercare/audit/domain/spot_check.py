"""Spot checks (抽查) of the truthfulness and quality of purchased service.

changsha-2024-purchased-door-to-door-rules.md 第十九条: 市和区县（市）民政部门应当对政府购买居家养老上门
服务的真实性和服务质量进行抽查. A visit that dispatch could not verify (check-in outside the
geofence, too short) is the first candidate; a confirmed failure feeds a rectification notice
under 第十八条（一）.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eldercare.common.ids import uuid7


class SpotCheckReason(StrEnum):
    unverified_visit = "unverified_visit"


class SpotCheckStatus(StrEnum):
    open = "open"


REASON_LABELS = {SpotCheckReason.unverified_visit: "上门服务核验未通过"}
STATUS_LABELS = {SpotCheckStatus.open: "待抽查"}


@dataclass
class SpotCheck:
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    district_code: str
    service_code: str
    reason: SpotCheckReason
    findings: list[str]
    opened_at: datetime
    status: SpotCheckStatus = SpotCheckStatus.open
    id: UUID = field(default_factory=uuid7)
