"""Request and response bodies of the audit API.

Requests forbid unknown fields and bound every string, so hostile input is a 422 naming the field.
Codes are lower-case; each has a Chinese ``*_label`` next to it for the people who read them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from eldercare.audit.adapters.complaint_repository import Decertification
from eldercare.audit.adapters.trail_repository import DailyHead
from eldercare.audit.domain import complaint as cp
from eldercare.audit.domain import follow_up as fu
from eldercare.audit.domain import rectification as rc
from eldercare.audit.domain import spot_check as sc
from eldercare.audit.domain.trail import AuditEntry, HashAlgorithm, Verification
from eldercare.common.auth import Principal, Role
from eldercare.common.clock import utcnow


class AuditEntryRead(BaseModel):
    """One link of the audit trail: the event's summary and the hashes that chain it."""

    id: UUID
    chain: str
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
    hash_alg: HashAlgorithm

    @classmethod
    def from_domain(cls, e: AuditEntry) -> AuditEntryRead:
        c = e.content
        return cls(
            id=e.id,
            chain=c.chain,
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
            hash_alg=c.hash_alg,
        )


class ChainVerificationRead(BaseModel):
    """One chain recomputed: ``first_broken_seq`` is its first entry that does not link."""

    chain: str
    entries: int
    valid: bool
    first_broken_seq: int | None

    @classmethod
    def from_domain(cls, v: Verification) -> ChainVerificationRead:
        return cls(chain=v.chain or "", entries=v.entries, valid=v.valid, first_broken_seq=v.first_broken_seq)


class TrailVerificationRead(BaseModel):
    """The chains recomputed, each on its own. Totals: ``valid`` when every chain is;
    ``first_broken_chain`` / ``first_broken_seq`` name the first broken chain (by name) and its
    first entry that does not link."""

    entries: int
    valid: bool
    first_broken_chain: str | None
    first_broken_seq: int | None
    chains: list[ChainVerificationRead]

    @classmethod
    def from_domain(cls, verifications: list[Verification]) -> TrailVerificationRead:
        broken = next((v for v in verifications if not v.valid), None)
        return cls(
            entries=sum(v.entries for v in verifications),
            valid=broken is None,
            first_broken_chain=None if broken is None else broken.chain,
            first_broken_seq=None if broken is None else broken.first_broken_seq,
            chains=[ChainVerificationRead.from_domain(v) for v in verifications],
        )


class DailyHeadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date = Field(description="A day (Asia/Shanghai) that is over")


class DailyHeadRead(BaseModel):
    """A chain's head at the end of a day, as published for anchoring."""

    day: date
    chain: str
    last_seq: int
    last_hash: str
    hash_alg: HashAlgorithm
    entries_on_day: int
    published_at: datetime

    @classmethod
    def from_domain(cls, h: DailyHead) -> DailyHeadRead:
        return cls(
            day=h.day,
            chain=h.chain,
            last_seq=h.last_seq,
            last_hash=h.last_hash,
            hash_alg=h.hash_alg,
            entries_on_day=h.entries_on_day,
            published_at=h.published_at,
        )


class DailyHeadsRead(BaseModel):
    """The heads of every chain that recorded an entry on the day."""

    day: date
    heads: list[DailyHeadRead]

    @classmethod
    def from_domain(cls, heads: list[DailyHead]) -> DailyHeadsRead:
        return cls(day=heads[0].day, heads=[DailyHeadRead.from_domain(h) for h in heads])


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
    assignee: str | None
    period: str | None
    reached_on_attempt: int | None
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
            assignee=f.assignee,
            period=f.period,
            reached_on_attempt=f.reached_on_attempt,
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
    sample_id: UUID | None
    result_notes: str | None
    checked_by: str | None
    checked_at: datetime | None

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
            sample_id=s.sample_id,
            result_notes=s.result_notes,
            checked_by=s.checked_by,
            checked_at=s.checked_at,
        )


# ---------------------------------------------------------------- complaints (nanchang-2019 第四十一条)

Text2000 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ComplaintSubjectBody(BaseModel):
    """Who or what the complaint is about: at least one id."""

    model_config = ConfigDict(extra="forbid")

    provider_id: UUID | None = None
    caregiver_id: UUID | None = None
    visit_id: UUID | None = None
    beneficiary_id: UUID | None = None


class ComplainantBody(BaseModel):
    """The complainant; never shown to the provider complained about."""

    model_config = ConfigDict(extra="forbid")

    relation: cp.ComplainantRelation
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9-]{5,20}$")] | None = None


class ComplaintCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    source: cp.ComplaintSource
    category: cp.ComplaintCategory
    severity: cp.ComplaintSeverity
    subject: ComplaintSubjectBody
    complainant: ComplainantBody
    description: Text2000


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: Text200 = Field(description="The staff member (token subject) who investigates")


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text2000


class OutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    substantiated: StrictBool = Field(description="经查证属实")
    summary: Text2000
    reply: Text2000 = Field(description="The reply given to the complainant")


class ComplainantRead(BaseModel):
    """Masked unless the caller holds ``pii:read``; providers get only the relation."""

    relation: cp.ComplainantRelation
    name: str | None
    phone: str | None
    masked: bool


class InvestigationNoteRead(BaseModel):
    id: UUID
    text: str
    written_by: str
    written_at: datetime


class ComplaintRead(BaseModel):
    id: UUID
    district_code: str
    source: cp.ComplaintSource
    source_label: str
    category: cp.ComplaintCategory
    category_label: str
    severity: cp.ComplaintSeverity
    severity_label: str
    subject: ComplaintSubjectBody
    complainant: ComplainantRead
    description: str
    status: cp.ComplaintStatus
    status_label: str
    received_at: datetime
    due_at: datetime
    overdue: bool
    escalated_at: datetime | None
    assignee: str | None
    notes: list[InvestigationNoteRead]
    substantiated: bool | None
    outcome_summary: str | None
    reply: str | None
    closed_at: datetime | None

    @classmethod
    def for_principal(cls, c: cp.Complaint, principal: Principal) -> ComplaintRead:
        return cls(
            id=c.id,
            district_code=c.district_code,
            source=c.source,
            source_label=cp.SOURCE_LABELS[c.source],
            category=c.category,
            category_label=cp.CATEGORY_LABELS[c.category],
            severity=c.severity,
            severity_label=cp.SEVERITY_LABELS[c.severity],
            subject=ComplaintSubjectBody(**vars(c.subject)),
            complainant=_complainant(c.complainant, principal),
            description=c.description,
            status=c.status,
            status_label=cp.STATUS_LABELS[c.status],
            received_at=c.received_at,
            due_at=c.due_at,
            overdue=c.is_overdue(utcnow()),
            escalated_at=c.escalated_at,
            assignee=c.assignee,
            notes=[InvestigationNoteRead(**vars(n)) for n in c.notes],
            substantiated=c.substantiated,
            outcome_summary=c.outcome_summary,
            reply=c.reply,
            closed_at=c.closed_at,
        )


def _complainant(c: cp.Complainant, principal: Principal) -> ComplainantRead:
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        # The provider complained about never learns who complained (第四十一条 举报投诉制度).
        return ComplainantRead(relation=c.relation, name=None, phone=None, masked=True)
    if principal.can_read_pii and c.unsealed:
        return ComplainantRead(relation=c.relation, name=c.name, phone=c.phone, masked=False)
    return ComplainantRead(relation=c.relation, name=c.masked_name, phone=c.masked_phone, masked=True)


class CountedComplaintRead(BaseModel):
    id: UUID
    category: cp.ComplaintCategory
    received_at: datetime
    closed_at: datetime | None
    drops_out_at: datetime


class DecertificationRead(BaseModel):
    decertified_at: datetime
    complaint_ids: list[UUID]


class ComplaintRecordRead(BaseModel):
    """A caregiver's substantiated complaints in the rolling 365 days (wuhai-2017 第三十一条)."""

    caregiver_id: UUID
    as_of: datetime
    window_days: int
    threshold: int
    count: int
    complaints: list[CountedComplaintRead]
    oldest_drops_out_at: datetime | None
    decertified: bool
    decertification: DecertificationRead | None
    basis: str

    @classmethod
    def from_record(cls, r: cp.ComplaintRecord, d: Decertification | None) -> ComplaintRecordRead:
        return cls(
            caregiver_id=r.caregiver_id,
            as_of=r.as_of,
            window_days=cp.DECERTIFICATION_WINDOW.days,
            threshold=cp.DECERTIFICATION_THRESHOLD,
            count=r.count,
            complaints=[
                CountedComplaintRead(
                    id=c.id,
                    category=c.category,
                    received_at=c.received_at,
                    closed_at=c.closed_at,
                    drops_out_at=c.received_at + cp.DECERTIFICATION_WINDOW,
                )
                for c in r.complaints
            ],
            oldest_drops_out_at=r.oldest_drops_out_at,
            decertified=d is not None,
            decertification=(
                DecertificationRead(decertified_at=d.decertified_at, complaint_ids=d.complaint_ids)
                if d
                else None
            ),
            basis=cp.DECERTIFICATION_BASIS,
        )


# ------------------------------------------------ findings and notices (changsha-2024 第十八条)

Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class FindingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    provider_id: UUID
    type: rc.FindingType = Field(description="One of the five kinds of 第十八条")
    source: rc.FindingSource
    source_id: UUID | None = Field(default=None, description="The survey, complaint, spot check or signal")
    evidence: list[Evidence] = Field(min_length=1, max_length=50)
    description: Text2000
    visit_ids: list[UUID] = Field(
        default_factory=list, max_length=1000, description="The visits it concerns (a recovery names them)"
    )


class FindingRead(BaseModel):
    id: UUID
    district_code: str
    provider_id: UUID
    type: rc.FindingType
    type_label: str
    basis: str
    source: rc.FindingSource
    source_id: UUID | None
    evidence: list[str]
    description: str
    recorded_by: str
    recorded_at: datetime
    notice_id: UUID | None
    visit_ids: list[UUID]

    @classmethod
    def from_domain(cls, f: rc.Finding) -> FindingRead:
        return cls(
            id=f.id,
            district_code=f.district_code,
            provider_id=f.provider_id,
            type=f.type,
            type_label=rc.FINDING_LABELS[f.type],
            basis=f.basis,
            source=f.source,
            source_id=f.source_id,
            evidence=list(f.evidence),
            description=f.description,
            recorded_by=f.recorded_by,
            recorded_at=f.recorded_at,
            notice_id=f.notice_id,
            visit_ids=list(f.visit_ids),
        )


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_ids: list[UUID] = Field(min_length=1, max_length=100)
    requirements: Text2000
    deadline_on: date = Field(description="整改期限 (Asia/Shanghai date), after today")


class ResponseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text2000


class VerificationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rectified: StrictBool
    notes: Text2000


class SanctionDecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirmed: StrictBool
    notes: Text2000


class ProviderResponseRead(BaseModel):
    text: str
    by: str
    at: datetime


class SanctionRead(BaseModel):
    measures: list[rc.SanctionMeasure]
    basis: list[str]


class NoticeRead(BaseModel):
    id: UUID
    district_code: str
    provider_id: UUID
    finding_ids: list[UUID]
    requirements: str
    deadline_on: date
    issued_by: str
    issued_at: datetime
    status: rc.NoticeStatus
    status_label: str
    responses: list[ProviderResponseRead]
    verified_at: datetime | None
    verification_notes: str | None
    recommendation: SanctionRead | None
    decided_by: str | None
    decided_at: datetime | None
    decision_notes: str | None
    sanction_id: UUID | None

    @classmethod
    def from_domain(cls, n: rc.RectificationNotice) -> NoticeRead:
        rec = n.recommendation
        return cls(
            id=n.id,
            district_code=n.district_code,
            provider_id=n.provider_id,
            finding_ids=list(n.finding_ids),
            requirements=n.requirements,
            deadline_on=n.deadline_on,
            issued_by=n.issued_by,
            issued_at=n.issued_at,
            status=n.status,
            status_label=rc.NOTICE_STATUS_LABELS[n.status],
            responses=[ProviderResponseRead(text=r.text, by=r.by, at=r.at) for r in n.responses],
            verified_at=n.verified_at,
            verification_notes=n.verification_notes,
            recommendation=SanctionRead(measures=list(rec.measures), basis=list(rec.basis)) if rec else None,
            decided_by=n.decided_by,
            decided_at=n.decided_at,
            decision_notes=n.decision_notes,
            sanction_id=n.sanction_id,
        )
