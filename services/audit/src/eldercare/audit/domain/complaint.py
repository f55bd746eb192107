"""Complaints (投诉) and the caregiver decertification they can lead to.

nanchang-2019-home-care-regulation.md 第四十一条: 民政主管部门应当建立养老服务举报投诉制度 … 受理举报和
投诉，并及时处理. A complaint comes in from the hotline, the city platform or the bureau's staff, gets a
handling deadline by severity, an assignee, investigation notes and an outcome (substantiated or not)
with the reply to the complainant; one past its deadline is escalated.

wuhai-2017-home-care-measures.md 第三十一条: 养老服务人员1年内受到服务对象3次及以上投诉…经查证属实的，
取消其养老护理上岗资格 — 3 or more substantiated complaints against a caregiver within a rolling
365 days decertify the caregiver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eldercare.audit.domain.errors import ComplaintClosed, ComplaintSettingMissing, InvalidComplaint
from eldercare.common.ids import uuid7
from eldercare.common.pii import mask_phone, mask_text


class ComplaintSource(StrEnum):
    hotline = "hotline"
    city_platform = "city_platform"
    staff = "staff"


class ComplaintCategory(StrEnum):
    service_not_delivered = "service_not_delivered"
    service_quality = "service_quality"
    caregiver_conduct = "caregiver_conduct"
    selling_or_fraud = "selling_or_fraud"
    fees = "fees"
    safety = "safety"
    other = "other"


class ComplaintSeverity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    urgent = "urgent"


class ComplaintStatus(StrEnum):
    received = "received"
    assigned = "assigned"
    investigating = "investigating"
    closed = "closed"


class ComplainantRelation(StrEnum):
    beneficiary = "beneficiary"
    family = "family"
    other = "other"
    anonymous = "anonymous"


SOURCE_LABELS = {
    ComplaintSource.hotline: "举报投诉电话",
    ComplaintSource.city_platform: "市级平台",
    ComplaintSource.staff: "民政部门工作人员",
}
CATEGORY_LABELS = {
    ComplaintCategory.service_not_delivered: "未按约定提供服务",
    ComplaintCategory.service_quality: "服务质量",
    ComplaintCategory.caregiver_conduct: "服务人员言行",
    ComplaintCategory.selling_or_fraud: "兜售保健品或诈骗",
    ComplaintCategory.fees: "收费",
    ComplaintCategory.safety: "安全",
    ComplaintCategory.other: "其他",
}
SEVERITY_LABELS = {
    ComplaintSeverity.low: "一般",
    ComplaintSeverity.medium: "较重",
    ComplaintSeverity.high: "严重",
    ComplaintSeverity.urgent: "紧急",
}
STATUS_LABELS = {
    ComplaintStatus.received: "已受理",
    ComplaintStatus.assigned: "已分派",
    ComplaintStatus.investigating: "调查中",
    ComplaintStatus.closed: "已办结",
}

# wuhai-2017-home-care-measures.md 第三十一条: 1年内 … 3次及以上 … 经查证属实.
DECERTIFICATION_WINDOW = timedelta(days=365)
DECERTIFICATION_THRESHOLD = 3
DECERTIFICATION_BASIS = "wuhai-2017-home-care-measures.md 第三十一条"


def handling_deadline(
    received_at: datetime, severity: ComplaintSeverity, handling_days: dict[ComplaintSeverity, int]
) -> datetime:
    """When the complaint must be handled: ``received_at`` plus the days set for its severity.

    第四十一条 says only 及时处理; no seed fixes the number of days, so each severity's days are the
    setting ``AUDIT_COMPLAINT_HANDLING_DAYS`` and a severity without one is refused.
    """
    days = handling_days.get(severity)
    if days is None:
        raise ComplaintSettingMissing(
            f"no handling deadline is set for severity {severity.value!r} "
            "(setting AUDIT_COMPLAINT_HANDLING_DAYS; nanchang-2019 第四十一条 fixes no number)",
            field="severity",
        )
    return received_at + timedelta(days=days)


@dataclass(frozen=True)
class Complainant:
    """Who complained. Never shown to the provider complained about (第四十一条 protects the
    complainant); shown masked to staff without ``pii:read``."""

    relation: ComplainantRelation
    name: str | None = None
    phone: str | None = None
    # What staff without ``pii:read`` see; kept beside the ciphertexts, so reading it needs no key.
    # A complainant loaded without the key has these and no name or phone.
    name_masked: str | None = None
    phone_masked: str | None = None

    @property
    def masked_name(self) -> str | None:
        return self.name_masked or (mask_text(self.name) if self.name else None)

    @property
    def masked_phone(self) -> str | None:
        return self.phone_masked or (mask_phone(self.phone) if self.phone else None)

    @property
    def unsealed(self) -> bool:
        """Name and phone are at hand (or there were none)."""
        return (self.name is not None or self.name_masked is None) and (
            self.phone is not None or self.phone_masked is None
        )


@dataclass(frozen=True)
class ComplaintSubject:
    """What the complaint is about: at least one of the four."""

    provider_id: UUID | None = None
    caregiver_id: UUID | None = None
    visit_id: UUID | None = None
    beneficiary_id: UUID | None = None

    def __post_init__(self) -> None:
        if not any((self.provider_id, self.caregiver_id, self.visit_id, self.beneficiary_id)):
            raise InvalidComplaint(
                "a complaint names a provider, caregiver, visit or beneficiary", field="subject"
            )


@dataclass(frozen=True)
class InvestigationNote:
    text: str
    written_by: str
    written_at: datetime
    id: UUID = field(default_factory=uuid7)


@dataclass
class Complaint:
    district_code: str
    source: ComplaintSource
    category: ComplaintCategory
    severity: ComplaintSeverity
    subject: ComplaintSubject
    complainant: Complainant
    description: str
    received_by: str
    received_at: datetime
    due_at: datetime
    status: ComplaintStatus = ComplaintStatus.received
    assignee: str | None = None
    notes: list[InvestigationNote] = field(default_factory=list)
    substantiated: bool | None = None
    outcome_summary: str | None = None
    reply: str | None = None
    closed_at: datetime | None = None
    escalated_at: datetime | None = None
    id: UUID = field(default_factory=uuid7)

    def is_overdue(self, now: datetime) -> bool:
        return self.status is not ComplaintStatus.closed and now > self.due_at

    def _ensure_open(self) -> None:
        if self.status is ComplaintStatus.closed:
            raise ComplaintClosed("the complaint is closed; it takes no more changes")

    def assign(self, assignee: str) -> None:
        self._ensure_open()
        self.assignee = assignee
        if self.status is ComplaintStatus.received:
            self.status = ComplaintStatus.assigned

    def add_note(self, text: str, *, by: str, at: datetime) -> InvestigationNote:
        self._ensure_open()
        note = InvestigationNote(text, by, at)
        self.notes.append(note)
        self.status = ComplaintStatus.investigating
        return note

    def record_outcome(self, *, substantiated: bool, summary: str, reply: str, at: datetime) -> None:
        """The finding of the investigation and the reply to the complainant; closes it."""
        self._ensure_open()
        self.substantiated = substantiated
        self.outcome_summary = summary
        self.reply = reply
        self.closed_at = at
        self.status = ComplaintStatus.closed

    def escalate(self, at: datetime) -> bool:
        """Mark an overdue open complaint escalated; ``False`` if it is not overdue or already was."""
        if not self.is_overdue(at) or self.escalated_at is not None:
            return False
        self.escalated_at = at
        return True


@dataclass(frozen=True)
class ComplaintRecord:
    """A caregiver's substantiated complaints inside the rolling window ending at ``as_of``."""

    caregiver_id: UUID
    as_of: datetime
    complaints: tuple[Complaint, ...]

    @property
    def count(self) -> int:
        return len(self.complaints)

    @property
    def reaches_threshold(self) -> bool:
        return self.count >= DECERTIFICATION_THRESHOLD

    @property
    def oldest_drops_out_at(self) -> datetime | None:
        """When the oldest counted complaint leaves the window (and the count falls by one)."""
        if not self.complaints:
            return None
        return min(c.received_at for c in self.complaints) + DECERTIFICATION_WINDOW


def complaint_record(caregiver_id: UUID, substantiated: list[Complaint], as_of: datetime) -> ComplaintRecord:
    """The substantiated complaints against the caregiver received within 365 days up to ``as_of``.

    A complaint counts from the day it was received (受到投诉), once it has been substantiated
    (经查证属实); it drops out 365 days after it was received.
    """
    start = as_of - DECERTIFICATION_WINDOW
    counted = sorted(
        (
            c
            for c in substantiated
            if c.subject.caregiver_id == caregiver_id and c.substantiated and start < c.received_at <= as_of
        ),
        key=lambda c: c.received_at,
    )
    return ComplaintRecord(caregiver_id, as_of, tuple(counted))
