"""Request and response bodies of the audit API.

Requests forbid unknown fields and bound every string, so hostile input is a 422 naming the field.
Codes are lower-case; each has a Chinese ``*_label`` next to it for the people who read them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from eldercare.audit.domain import follow_up as fu
from eldercare.audit.domain import spot_check as sc
from eldercare.audit.domain.trail import AuditEntry, Verification


class AuditEntryRead(BaseModel):
    """One link of the audit trail: the event's summary and the hashes that chain it."""

    id: UUID
    seq: int
    event_id: UUID
    event_type: str
    subject: str
    district_code: str
    occurred_at: datetime
    recorded_at: datetime
    summary: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def from_domain(cls, e: AuditEntry) -> AuditEntryRead:
        c = e.content
        return cls(
            id=e.id,
            seq=c.seq,
            event_id=c.event_id,
            event_type=c.event_type,
            subject=c.subject,
            district_code=c.district_code,
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            summary=dict(c.data),
            prev_hash=c.prev_hash,
            hash=e.hash,
        )


class TrailVerificationRead(BaseModel):
    """The chain recomputed: ``first_broken_seq`` is the first entry that does not link."""

    entries: int
    valid: bool
    first_broken_seq: int | None

    @classmethod
    def from_domain(cls, v: Verification) -> TrailVerificationRead:
        return cls(entries=v.entries, valid=v.valid, first_broken_seq=v.first_broken_seq)


class CallCreate(BaseModel):
    """One follow-up call: whether the beneficiary was reached and, if so, the satisfaction score."""

    model_config = ConfigDict(extra="forbid")

    reached: StrictBool
    satisfaction: StrictInt | None = Field(
        default=None, ge=1, le=5, description="满意度 1 很不满意 … 5 非常满意; only when reached"
    )
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class FollowUpCallRead(BaseModel):
    id: UUID
    reached: bool
    satisfaction: int | None
    satisfaction_label: str | None
    notes: str | None
    called_by: str
    called_at: datetime

    @classmethod
    def from_domain(cls, c: fu.FollowUpCall) -> FollowUpCallRead:
        return cls(
            id=c.id,
            reached=c.reached,
            satisfaction=c.satisfaction,
            satisfaction_label=fu.SATISFACTION_LABELS.get(c.satisfaction) if c.satisfaction else None,
            notes=c.notes,
            called_by=c.called_by,
            called_at=c.called_at,
        )


class FollowUpRead(BaseModel):
    """A follow-up call task (回访) with its calls."""

    id: UUID
    beneficiary_id: UUID
    district_code: str
    reason: fu.FollowUpReason
    reason_label: str
    status: fu.FollowUpStatus
    status_label: str
    due_on: date
    attempts: int
    satisfaction: int | None
    opened_at: datetime
    calls: list[FollowUpCallRead]

    @classmethod
    def from_domain(cls, f: fu.FollowUp) -> FollowUpRead:
        return cls(
            id=f.id,
            beneficiary_id=f.beneficiary_id,
            district_code=f.district_code,
            reason=f.reason,
            reason_label=fu.REASON_LABELS[f.reason],
            status=f.status,
            status_label=fu.STATUS_LABELS[f.status],
            due_on=f.due_on,
            attempts=f.attempts,
            satisfaction=f.satisfaction,
            opened_at=f.opened_at,
            calls=[FollowUpCallRead.from_domain(c) for c in f.calls],
        )


class SpotCheckRead(BaseModel):
    """A spot check (抽查) of one visit."""

    id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    district_code: str
    service_code: str
    reason: sc.SpotCheckReason
    reason_label: str
    status: sc.SpotCheckStatus
    status_label: str
    findings: list[str]
    opened_at: datetime

    @classmethod
    def from_domain(cls, s: sc.SpotCheck) -> SpotCheckRead:
        return cls(
            id=s.id,
            visit_id=s.visit_id,
            beneficiary_id=s.beneficiary_id,
            provider_id=s.provider_id,
            caregiver_id=s.caregiver_id,
            district_code=s.district_code,
            service_code=s.service_code,
            reason=s.reason,
            reason_label=sc.REASON_LABELS[s.reason],
            status=s.status,
            status_label=sc.STATUS_LABELS[s.status],
            findings=list(s.findings),
            opened_at=s.opened_at,
        )
