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

from eldercare.audit.domain.errors import SpotCheckClosed
from eldercare.common.ids import uuid7


class SpotCheckReason(StrEnum):
    unverified_visit = "unverified_visit"
    sample = "sample"  # drawn in a period's random sample (domain.sampling)


class SpotCheckStatus(StrEnum):
    open = "open"
    passed = "passed"  # delivered as recorded and billed
    failed = "failed"  # not delivered as billed: the visit is flagged


REASON_LABELS = {SpotCheckReason.unverified_visit: "上门服务核验未通过", SpotCheckReason.sample: "随机抽查"}
STATUS_LABELS = {
    SpotCheckStatus.open: "待抽查",
    SpotCheckStatus.passed: "抽查属实",
    SpotCheckStatus.failed: "抽查发现服务未按记录提供",
}


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
    sample_id: UUID | None = None
    result_notes: str | None = None
    checked_by: str | None = None
    checked_at: datetime | None = None
    id: UUID = field(default_factory=uuid7)

    def record_result(self, *, delivered: bool, notes: str, by: str, at: datetime) -> None:
        """The checker's verdict: was the visit delivered as recorded and billed (真实性)?"""
        if self.status is not SpotCheckStatus.open:
            raise SpotCheckClosed(f"the spot check is already {self.status.value}")
        self.status = SpotCheckStatus.passed if delivered else SpotCheckStatus.failed
        self.result_notes, self.checked_by, self.checked_at = notes, by, at
