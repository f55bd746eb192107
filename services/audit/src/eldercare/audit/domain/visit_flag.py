"""A flag on a visit audit suspects was not delivered as recorded, and its investigation.

A flag is the investigation item: open until an investigator clears it (the charge is released)
or confirms it (the charge stays withheld and a finding of changsha-2024 第十八条 is opened).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eldercare.audit.domain.errors import FlagNotResolvable
from eldercare.audit.domain.fraud import Signal
from eldercare.audit.domain.rectification import Finding, FindingSource, FindingType
from eldercare.common.ids import uuid7


class FlagSource(StrEnum):
    fraud_signal = "fraud_signal"
    spot_check = "spot_check"
    survey = "survey"
    complaint = "complaint"
    follow_up = "follow_up"


class FlagStatus(StrEnum):
    open = "open"
    cleared = "cleared"
    confirmed = "confirmed"


NOT_DELIVERED = "not_delivered"  # the signal of a survey or follow-up answer "service not delivered"

# The kind of 第十八条 a confirmed flag is, unless the investigator names another: a visit recorded
# that did not happen as recorded (overlapping, impossible travel, in hospital, while suspended, far
# more visits than peers, checked in away from home again and again, evidenced by a photo submitted
# for another visit too) is a record made to obtain the
# subsidy, （四） 通过提供虚假信息等方式骗取政府补助;
# a visit far shorter than planned is （一） 未按照护方案和标准要求提供服务, as is a beneficiary saying
# the service was not delivered (（一） names 抽查或投诉举报查实 explicitly).
DEFAULT_FINDING_TYPES: dict[str, FindingType] = {
    Signal.overlapping_visits: FindingType.false_information,
    Signal.impossible_travel: FindingType.false_information,
    Signal.visit_while_hospitalised: FindingType.false_information,
    Signal.visit_while_suspended: FindingType.false_information,
    Signal.caregiver_density: FindingType.false_information,
    Signal.repeated_geofence_miss: FindingType.false_information,
    Signal.reused_photo: FindingType.false_information,
    Signal.short_visit: FindingType.not_per_plan,
    NOT_DELIVERED: FindingType.not_per_plan,
}

_FINDING_SOURCES = {
    FlagSource.fraud_signal: FindingSource.fraud_signal,
    FlagSource.spot_check: FindingSource.spot_check,
    FlagSource.survey: FindingSource.survey,
    FlagSource.follow_up: FindingSource.survey,
    FlagSource.complaint: FindingSource.complaint,
}


@dataclass
class VisitFlag:
    visit_id: UUID
    provider_id: UUID
    caregiver_id: UUID | None
    beneficiary_id: UUID | None
    district_code: str
    source: FlagSource
    signal: str
    score: int
    evidence: dict[str, Any]
    raised_at: datetime
    status: FlagStatus = FlagStatus.open
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution_notes: str | None = None
    finding_id: UUID | None = None
    assignee: str | None = None  # the investigator the item is given to
    id: UUID = field(default_factory=uuid7)

    def assign(self, assignee: str) -> None:
        if self.status is not FlagStatus.open:
            raise FlagNotResolvable(f"the flag is already {self.status.value}")
        self.assignee = assignee

    def resolve(
        self, *, confirmed: bool, notes: str, finding_type: FindingType | None, by: str, at: datetime
    ) -> Finding | None:
        """Clear or confirm once; confirming returns the finding it opens (none when the flag was
        raised with its finding)."""
        if self.status is not FlagStatus.open:
            raise FlagNotResolvable(f"the flag is already {self.status.value}")
        self.resolved_by, self.resolved_at, self.resolution_notes = by, at, notes
        if not confirmed:
            if finding_type is not None:
                raise FlagNotResolvable("a cleared flag opens no finding", field="finding_type")
            self.status = FlagStatus.cleared
            return None
        self.status = FlagStatus.confirmed
        if self.finding_id is not None and finding_type is None:
            # Raised together with its finding (a survey's "not delivered"): confirming it as it is
            # confirms that finding rather than opening a second one about the same visit. Naming a
            # kind re-qualifies it (e.g. （四） false information) with a finding of that kind.
            return None
        kind = finding_type or DEFAULT_FINDING_TYPES.get(self.signal, FindingType.not_per_plan)
        finding = Finding(
            district_code=self.district_code,
            provider_id=self.provider_id,
            type=kind,
            source=_FINDING_SOURCES[self.source],
            source_id=self.id,
            evidence=self.evidence_lines(),
            description=f"visit {self.visit_id}: {self.signal} confirmed. {notes}".strip(),
            recorded_by=by,
            recorded_at=at,
            visit_ids=(self.visit_id,),
        )
        self.finding_id = finding.id
        return finding

    def evidence_lines(self) -> tuple[str, ...]:
        lines = [f"visit_flag {self.id}: {self.source.value}/{self.signal} (score {self.score})"]
        lines += [f"{k}: {v}" for k, v in sorted(self.evidence.items()) if v is not None]
        return tuple(lines)
