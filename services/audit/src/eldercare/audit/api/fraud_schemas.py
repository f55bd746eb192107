"""Request and response bodies of visit flags, fraud scans and funds recoveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from eldercare.audit.application.fraud import FraudScanReport
from eldercare.audit.domain import rectification as rc
from eldercare.audit.domain.fraud import SCORES, Signal
from eldercare.audit.domain.visit_flag import FlagSource, FlagStatus, VisitFlag

Notes = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
District = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]

FLAG_STATUS_LABELS = {
    FlagStatus.open: "待核查",
    FlagStatus.cleared: "核查无误，已解除",
    FlagStatus.confirmed: "核查属实",
}
SIGNAL_LABELS = {
    Signal.overlapping_visits: "同一护理员服务时间重叠",
    Signal.impossible_travel: "相邻两次服务之间不可能到达",
    Signal.repeated_geofence_miss: "多次在服务地址范围外签到",
    Signal.short_visit: "服务时长明显短于计划",
    Signal.visit_while_hospitalised: "服务对象住院期间仍有服务记录",
    Signal.visit_while_suspended: "服务对象暂停或终止服务期间仍有服务记录",
    Signal.caregiver_density: "护理员服务密度远高于同区同期护理员",
    Signal.reused_photo: "同一照片用于多次服务",
    "not_delivered": "回访或调查称服务未提供",
}


class VisitFlagRead(BaseModel):
    """A suspect visit; billing withholds its charge while ``status`` is open or confirmed."""

    id: UUID
    visit_id: UUID
    provider_id: UUID
    caregiver_id: UUID | None
    beneficiary_id: UUID | None
    district_code: str
    source: FlagSource
    signal: str
    signal_label: str
    score: int
    evidence: dict[str, Any]
    raised_at: datetime
    status: FlagStatus
    status_label: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_notes: str | None
    finding_id: UUID | None
    assignee: str | None

    @classmethod
    def from_domain(cls, f: VisitFlag) -> VisitFlagRead:
        return cls(
            id=f.id,
            visit_id=f.visit_id,
            provider_id=f.provider_id,
            caregiver_id=f.caregiver_id,
            beneficiary_id=f.beneficiary_id,
            district_code=f.district_code,
            source=f.source,
            signal=f.signal,
            signal_label=SIGNAL_LABELS.get(f.signal, f.signal),
            score=f.score,
            evidence=f.evidence,
            raised_at=f.raised_at,
            status=f.status,
            status_label=FLAG_STATUS_LABELS[f.status],
            resolved_by=f.resolved_by,
            resolved_at=f.resolved_at,
            resolution_notes=f.resolution_notes,
            finding_id=f.finding_id,
            assignee=f.assignee,
        )


class FlagAssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class FlagResolutionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["cleared", "confirmed"]
    notes: Notes
    finding_type: rc.FindingType | None = Field(
        default=None,
        description="The kind of 第十八条 of the finding a confirmation opens; by default the signal's",
    )


class FraudScanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_code: District
    from_on: date = Field(description="First China day of the period (check-in date)")
    to_on: date = Field(description="Last China day of the period, inclusive")


class SignalRuleRead(BaseModel):
    signal: Signal
    label: str
    score: int
    parameters: dict[str, Any]


class FraudScanRead(BaseModel):
    district_code: str
    from_on: date
    to_on: date
    visits_scanned: int
    hits_by_signal: dict[str, int]
    flags_raised: int = Field(description="New flags; visits already flagged for a signal keep theirs")
    flag_ids: list[UUID]
    rules: list[SignalRuleRead]

    @classmethod
    def from_domain(cls, r: FraudScanReport) -> FraudScanRead:
        return cls(
            district_code=r.district_code,
            from_on=r.from_on,
            to_on=r.to_on,
            visits_scanned=r.visits_scanned,
            hits_by_signal=dict(sorted(r.hits.items())),
            flags_raised=len(r.flags_raised),
            flag_ids=[f.id for f in r.flags_raised],
            rules=[
                SignalRuleRead(
                    signal=s, label=SIGNAL_LABELS[s], score=SCORES[s], parameters=r.rules.parameters(s)
                )
                for s in Signal
            ],
        )
