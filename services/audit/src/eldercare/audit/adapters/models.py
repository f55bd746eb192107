"""ORM models of the audit service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eldercare.audit.adapters.orm import Base
from eldercare.common.db import Timestamped
from eldercare.common.ids import uuid7


class AuditEntryRow(Base):
    """One link of the audit trail. Entries are written once and never updated, so no version."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint("hash_alg IN ('sha256', 'sm3')", name="hash_alg"),
        # One gapless seq per chain (domain.trail.chain_for; revision 0014).
        UniqueConstraint("chain", "seq", name="uq_audit_entries_chain_seq"),
        # Lists are region-scoped by district and read across chains in recording order (uuid7 id).
        Index("ix_audit_entries_district_code_id", "district_code", "id"),
        Index("ix_audit_entries_subject_id", "subject", "id"),
        # Timelines (queries.timeline) look parties up in the summary; revisions 0012, 0014.
        *(
            Index(f"ix_audit_entries_{party}_id", text(f"(summary ->> '{party}_id')"), "id")
            for party in ("beneficiary", "provider", "caregiver")
        ),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    # The chain the entry links into: its district, "city" without one, "legacy" for the entries
    # of the single global chain written before revision 0014 (domain.trail).
    chain: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(BigInteger)
    # Unique: a redelivered event (even past the inbox) cannot add a second entry.
    event_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    event_type: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(String(6))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The algorithm of ``hash`` (domain.trail.HashAlgorithm); rows from before 0005 are sha256.
    hash_alg: Mapped[str] = mapped_column(String(16))


class AuditChainHeadRow(Base):
    """The head of one chain, which every writer to that chain locks (``FOR UPDATE``) to take the
    next seq, so its writers serialise (and only its writers) and seq stays gapless; it also lets
    verification notice a cut-off tail."""

    __tablename__ = "audit_chain_heads"

    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class FollowUpRow(Timestamped, Base):
    """A follow-up call task (回访) and its outcome."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'unreached', 'completed', 'escalated')", name="status"),
        CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction"),
        # One task per trigger (an enrolment), so a second delivery of it opens nothing.
        UniqueConstraint("beneficiary_id", "trigger_key", name="uq_follow_ups_beneficiary_trigger"),
        Index("ix_follow_ups_district_code_id", "district_code", "id"),
        Index("ix_follow_ups_district_code_period", "district_code", "period"),
    )

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    district_code: Mapped[str] = mapped_column(String(6))
    reason: Mapped[str] = mapped_column(String(32))
    trigger_key: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assignee: Mapped[str | None] = mapped_column(String(200))
    # FollowUpPeriod.key of a periodic round; coverage is read by district and period.
    period: Mapped[str | None] = mapped_column(String(16))
    calls: Mapped[list[FollowUpCallRow]] = relationship(
        lazy="selectin", order_by="FollowUpCallRow.called_at", cascade="all, delete-orphan"
    )


class FollowUpCallRow(Base):
    """One call attempt of a follow-up; written once."""

    __tablename__ = "follow_up_calls"
    __table_args__ = (CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction"),)

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    follow_up_id: Mapped[UUID] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    reached: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str | None] = mapped_column(Text)
    called_by: Mapped[str] = mapped_column(String(200))
    called_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SpotCheckRow(Timestamped, Base):
    """A spot check (抽查) task about one visit."""

    __tablename__ = "spot_checks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'passed', 'failed')", name="status"),
        # One check per visit and reason: a redelivered VisitCompleted opens nothing new.
        UniqueConstraint("visit_id", "reason", name="uq_spot_checks_visit_reason"),
        Index("ix_spot_checks_district_code_id", "district_code", "id"),
    )

    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    caregiver_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    service_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    findings: Mapped[list[str]] = mapped_column(JSONB)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sample_id: Mapped[UUID | None] = mapped_column(ForeignKey("spot_check_samples.id"), index=True)
    result_notes: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SpotCheckSampleRow(Timestamped, Base):
    """A period's random sample of a district's visits (changsha-2024 第十九条), with its seed."""

    __tablename__ = "spot_check_samples"
    __table_args__ = (
        CheckConstraint("method IN ('uniform', 'risk_weighted')", name="method"),
        # One sample per district and month: a second draw could be used to fish for a kinder one.
        UniqueConstraint("district_code", "period", name="uq_spot_check_samples_district_period"),
    )

    district_code: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    method: Mapped[str] = mapped_column(String(16))
    seed: Mapped[str] = mapped_column(String(64))
    sample_size: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    # [{"provider_id", "flags", "complaints"}]: the risk behind each provider's weight.
    risks: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    drawn_by: Mapped[str] = mapped_column(String(200))
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deductions_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ComplaintRow(Timestamped, Base):
    """A complaint (投诉) and its handling; the complainant's contact is held here only."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("status IN ('received', 'assigned', 'investigating', 'closed')", name="status"),
        Index("ix_complaints_district_code_id", "district_code", "id"),
        # The decertification count reads a caregiver's substantiated complaints by date.
        Index("ix_complaints_caregiver_id_received_at", "caregiver_id", "received_at"),
        Index("ix_complaints_open_due_at", "due_at", postgresql_where=text("status <> 'closed'")),
    )

    district_code: Mapped[str] = mapped_column(String(6))
    source: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), index=True)
    caregiver_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    visit_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    beneficiary_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    complainant_relation: Mapped[str] = mapped_column(String(16))
    # FieldCipher ciphertexts bound to column and row (adapters.pii), and the masked forms.
    complainant_name_sealed: Mapped[str | None] = mapped_column(Text)
    complainant_phone_sealed: Mapped[str | None] = mapped_column(Text)
    complainant_name_masked: Mapped[str | None] = mapped_column(String(16))
    complainant_phone_masked: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    received_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(200))
    substantiated: Mapped[bool | None] = mapped_column(Boolean)
    outcome_summary: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[list[ComplaintNoteRow]] = relationship(
        lazy="selectin", order_by="ComplaintNoteRow.written_at", cascade="all, delete-orphan"
    )


class ComplaintNoteRow(Base):
    """One investigation note of a complaint; written once."""

    __tablename__ = "complaint_notes"

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    complaint_id: Mapped[UUID] = mapped_column(ForeignKey("complaints.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaregiverDecertificationRow(Base):
    """A caregiver decertified under wuhai-2017 第三十一条: one row per caregiver, so the event that
    announces it is published once."""

    __tablename__ = "caregiver_decertifications"

    caregiver_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    provider_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    complaint_ids: Mapped[list[str]] = mapped_column(JSONB)
    decertified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FindingRow(Timestamped, Base):
    """A finding against a provider, typed by changsha-2024 第十八条; written once, then tied to the
    rectification notice that rests on it."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_district_code_id", "district_code", "id"),)

    district_code: Mapped[str] = mapped_column(String(6))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    type: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    evidence: Mapped[list[str]] = mapped_column(JSONB)
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notice_id: Mapped[UUID | None] = mapped_column(ForeignKey("rectification_notices.id"))
    # The visits the finding concerns, as strings (a funds recovery names them).
    visit_ids: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))


class RectificationNoticeRow(Timestamped, Base):
    """A rectification notice (整改通知书) and its verification and sanction decision."""

    __tablename__ = "rectification_notices"
    __table_args__ = (
        CheckConstraint(
            "status IN ('issued', 'rectified', 'not_rectified', 'sanctioned', 'sanction_declined')",
            name="status",
        ),
        Index("ix_rectification_notices_district_code_id", "district_code", "id"),
    )

    district_code: Mapped[str] = mapped_column(String(6))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    finding_ids: Mapped[list[str]] = mapped_column(JSONB)
    requirements: Mapped[str] = mapped_column(Text)
    deadline_on: Mapped[date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(24))
    # [{"text", "by", "at"}]: the provider's answers, appended only.
    responses: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verification_notes: Mapped[str | None] = mapped_column(Text)
    # {"measures": [...], "basis": [...]} once found not rectified.
    recommendation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_notes: Mapped[str | None] = mapped_column(Text)
    sanction_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), unique=True)


class AuditDailyHeadRow(Base):
    """The chain head at the end of a day (Asia/Shanghai), published once as TrailHeadPublished so
    it can be anchored outside the service."""

    __tablename__ = "audit_daily_heads"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    hash_alg: Mapped[str] = mapped_column(String(16))
    entries_on_day: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditBeneficiaryRow(Base):
    """A beneficiary as intake announced them (enrolled, status changes): who is active where, for
    follow-up coverage, and the home to about 1 km (domain.fraud.round_point) for travel checks."""

    __tablename__ = "audit_beneficiaries"
    __table_args__ = (Index("ix_audit_beneficiaries_district_code_status", "district_code", "status"),)

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(16))
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_lon: Mapped[float | None] = mapped_column(Float)
    effective_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BeneficiaryStatusChangeRow(Base):
    """Every status intake announced for a beneficiary (enrolment as ``active``) with its effective
    date: the history ``visit_while_suspended`` reads (domain.fraud.inactive_periods). A redelivered
    event adds nothing (the key is the change itself). Revision 0015."""

    __tablename__ = "audit_beneficiary_status_changes"
    __table_args__ = (
        Index("ix_audit_beneficiary_status_changes_district_code", "district_code", "effective_on"),
    )

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    effective_on: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6))


class AuditVisitRow(Base):
    """A visit as dispatch's events described it: planned window, check-in, check-out."""

    __tablename__ = "audit_visits"
    __table_args__ = (
        Index("ix_audit_visits_caregiver_id_checked_in_at", "caregiver_id", "checked_in_at"),
        Index("ix_audit_visits_beneficiary_id_checked_in_at", "beneficiary_id", "checked_in_at"),
        Index("ix_audit_visits_district_code_checked_in_at", "district_code", "checked_in_at"),
    )

    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    caregiver_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    service_code: Mapped[str | None] = mapped_column(String(64))
    scheduled_start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scheduled_end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    distance_m: Mapped[float | None] = mapped_column(Float)
    location_ok: Mapped[bool | None] = mapped_column(Boolean)
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified: Mapped[bool | None] = mapped_column(Boolean)
    cancelled_kind: Mapped[str | None] = mapped_column(String(16))


class AuditVisitPhotoRow(Base):
    """One photo hash a completed visit carried (dispatch.visit.completed.v1 ``photo_sha256s``):
    the hash only, never the image. The key leads with the hash, so "which other visits carry this
    photo" is an index lookup (``reused_photo``); the visit index serves the batch. Revision 0016."""

    __tablename__ = "audit_visit_photos"
    __table_args__ = (Index("ix_audit_visit_photos_visit_id", "visit_id"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)


class HospitalStayRow(Base):
    """An emergency call of a beneficiary; a stay once it was resolved ``hospitalised``."""

    __tablename__ = "hospital_stays"

    emergency_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    district_code: Mapped[str] = mapped_column(String(6))
    raised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VisitFlagRow(Timestamped, Base):
    """A suspect visit and its investigation; one per visit and signal."""

    __tablename__ = "visit_flags"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'cleared', 'confirmed')", name="status"),
        UniqueConstraint("visit_id", "signal", name="uq_visit_flags_visit_signal"),
        Index("ix_visit_flags_district_code_id", "district_code", "id"),
    )

    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    caregiver_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    beneficiary_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    source: Mapped[str] = mapped_column(String(16))
    signal: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(SmallInteger)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_notes: Mapped[str | None] = mapped_column(Text)
    finding_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    assignee: Mapped[str | None] = mapped_column(String(200))


class FundsRecoveryRow(Timestamped, Base):
    """A recovery of subsidies (追回资金, changsha-2024 第十八条（四）) ordered from a provider, and
    the settlement that booked it."""

    __tablename__ = "funds_recoveries"
    __table_args__ = (
        CheckConstraint("status IN ('ordered', 'booked')", name="status"),
        Index("ix_funds_recoveries_district_code_id", "district_code", "id"),
    )

    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    district_code: Mapped[str] = mapped_column(String(6))
    finding_ids: Mapped[list[str]] = mapped_column(JSONB)
    visit_ids: Mapped[list[str]] = mapped_column(JSONB)
    fine_rate_percent: Mapped[int | None] = mapped_column(SmallInteger)
    basis: Mapped[list[str]] = mapped_column(JSONB)
    ordered_by: Mapped[str] = mapped_column(String(200))
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    statement_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveredVisitRow(Base):
    """A visit under a funds recovery: the primary key keeps one visit from being recovered twice."""

    __tablename__ = "recovered_visits"

    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    recovery_id: Mapped[UUID] = mapped_column(ForeignKey("funds_recoveries.id"), index=True)


class SurveyResponseRow(Base):
    """One survey call and its answers on a questionnaire version; written once."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint("outcome IN ('reached', 'no_answer', 'refused', 'wrong_number')", name="outcome"),
        Index("ix_survey_responses_district_code_id", "district_code", "id"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    questionnaire_version: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str] = mapped_column(String(6))
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    visit_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), index=True)
    provider_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finding_ids: Mapped[list[str]] = mapped_column(JSONB)
    flag_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))


class RatingFormulaRow(Base):
    """A published rating formula; a version never changes (no UPDATE path in the code)."""

    __tablename__ = "rating_formulas"

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    weights: Mapped[dict[str, float]] = mapped_column(JSONB)
    grades: Mapped[list[list[Any]]] = mapped_column(JSONB)
    on_time_minutes: Mapped[int] = mapped_column(Integer)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProviderRatingRow(Base):
    """A provider's rating for a district and month on one formula version, with its inputs."""

    __tablename__ = "provider_ratings"
    __table_args__ = (
        UniqueConstraint(
            "district_code", "period", "provider_id", "formula_version", name="uq_provider_ratings_once"
        ),
        Index("ix_provider_ratings_district_code_period", "district_code", "period"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    district_code: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    formula_version: Mapped[str] = mapped_column(ForeignKey("rating_formulas.version"))
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(16))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONB)
    weights_used: Mapped[dict[str, float]] = mapped_column(JSONB)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB)
    rated_by: Mapped[str] = mapped_column(String(200))
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ = [
    "AuditBeneficiaryRow",
    "AuditChainHeadRow",
    "AuditDailyHeadRow",
    "AuditEntryRow",
    "AuditVisitPhotoRow",
    "AuditVisitRow",
    "Base",
    "BeneficiaryStatusChangeRow",
    "CaregiverDecertificationRow",
    "ComplaintNoteRow",
    "ComplaintRow",
    "FindingRow",
    "FollowUpCallRow",
    "FollowUpRow",
    "FundsRecoveryRow",
    "HospitalStayRow",
    "ProviderRatingRow",
    "RatingFormulaRow",
    "RecoveredVisitRow",
    "RectificationNoticeRow",
    "SpotCheckRow",
    "SpotCheckSampleRow",
    "SurveyResponseRow",
    "VisitFlagRow",
]
