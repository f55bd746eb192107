"""ORM models of the assessment service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from eldercare.assessment.adapters.orm import Base
from eldercare.common.db import Timestamped


class AssessmentRow(Timestamped, Base):
    """One assessment task and, once completed, its report (Annex C) with the inputs behind it."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'completed')", name="status"),
        CheckConstraint("status = 'pending' OR total_score IS NOT NULL", name="completed_has_score"),
        # Lists are region-scoped by district and paged by id.
        Index("ix_assessments_district_code_id", "district_code", "id"),
    )

    # Unique: one task per application, so a redelivered AssessmentRequested cannot make two.
    application_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    person_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    district_code: Mapped[str] = mapped_column(String(6))
    community_code: Mapped[str] = mapped_column(String(12))
    masked_id_number: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str | None] = mapped_column(String(200))

    # The report; NULL while pending.
    item_scores: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    total_score: Mapped[int | None] = mapped_column(Integer)
    subtotals: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    preliminary_level: Mapped[int | None] = mapped_column(Integer)
    final_level: Mapped[int | None] = mapped_column(Integer)
    adjustments: Mapped[list[dict[str, str]] | None] = mapped_column(JSONB)
    rule_settings: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    coma: Mapped[bool | None] = mapped_column(Boolean)
    # Health data (PIPL sensitive personal information): the A.4.1 diagnoses and the specialist
    # flag, encrypted (adapters/health_data.py); shown only to callers with pii:read, never in an event.
    health_data_sealed: Mapped[str | None] = mapped_column(Text)
    # The form while drafting (Annex A/B/C; identity and health data), encrypted; the Annex C
    # signatures on it; and the correction links (a signed report is never changed).
    draft_sealed: Mapped[str | None] = mapped_column(Text)
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    supersedes_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    superseded_by_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    risk_events_30d: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    assessors: Mapped[list[str] | None] = mapped_column(JSONB)
    information_provider: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    assessed_on: Mapped[date | None] = mapped_column(Date)
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # The assignment: the organisation and its two assessors ([{id, subject, medical_background}]);
    # the subjects are what per-assessor tenancy matches (JSONB containment).
    organisation_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), index=True)
    assigned_assessors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    assigned_by: Mapped[str | None] = mapped_column(String(200))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why a reassessment was opened, and what opened it (unique: one task per trigger).
    reason_note: Mapped[str | None] = mapped_column(Text)
    trigger_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    # When ReassessmentDue was published for this (completed) assessment: once only.
    reassessment_due_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The recognised external result that closed this task, with its provenance (Xiangtan 第七条).
    recognition: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class OrganisationRow(Timestamped, Base):
    """An assessment organisation (评估机构)."""

    __tablename__ = "assessment_organisations"

    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    credit_code_needs_manual_check: Mapped[bool] = mapped_column(Boolean)
    qualification: Mapped[str] = mapped_column(Text)
    regions: Mapped[list[str]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(200))


class AssessorRow(Timestamped, Base):
    """An assessor (评估员) of an organisation; ``subject`` is the login subject of their token."""

    __tablename__ = "assessors"

    organisation_id: Mapped[UUID] = mapped_column(
        PG_UUID(as_uuid=True), ForeignKey("assessment_organisations.id"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    certificate_number: Mapped[str] = mapped_column(String(64))
    certificate_expires_on: Mapped[date] = mapped_column(Date)
    medical_background: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)


class BeneficiaryRow(Timestamped, Base):
    """Projection of intake's beneficiaries (``id`` is the beneficiary id): who is enrolled, so that
    dispatch's emergencies, which name a beneficiary, can open an immediate reassessment of the person."""

    __tablename__ = "beneficiaries"

    person_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    district_code: Mapped[str] = mapped_column(String(6))
    community_code: Mapped[str] = mapped_column(String(12))
    masked_id_number: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))


class HealthDataReadRow(Base):
    """The log of unmasked disclosures of health and personal data (PIPL 第二十八条, 第五十一条):
    who read which fields of which assessment, when and why. Field names only, never values.
    Append-only; written in the transaction that answers the read."""

    __tablename__ = "health_data_reads"

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSONB)
    resource: Mapped[str] = mapped_column(String(32))
    assessment_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    fields: Mapped[list[str]] = mapped_column(JSONB)
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ = ["AssessmentRow", "AssessorRow", "Base", "BeneficiaryRow", "HealthDataReadRow", "OrganisationRow"]
