"""ORM models of the intake service.

Personal data (PIPL): columns ending in ``_sealed`` hold ``FieldCipher`` ciphertexts
(``<key id>:<base64>``), never plaintext; look-ups by ID number go through ``id_number_index``,
a keyed HMAC blind index.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from eldercare.common.db import Timestamped
from eldercare.common.ids import uuid7
from eldercare.intake.adapters.orm import Base

_IN_PROGRESS = "status IN ('submitted', 'assessment_requested', 'assessed')"
_APPLICATION_STATUSES = (
    "status IN ('submitted', 'returned', 'rejected', 'assessment_requested', 'assessed', 'enrolled')"
)


class PersonRow(Timestamped, Base):
    """The PII master: one row per natural person, found by the blind index of the ID number."""

    __tablename__ = "persons"

    id_number_index: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_sealed: Mapped[str] = mapped_column(Text)
    name_sealed: Mapped[str] = mapped_column(Text)
    phone_sealed: Mapped[str] = mapped_column(Text)
    address_sealed: Mapped[str] = mapped_column(Text)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    ethnicity: Mapped[str | None] = mapped_column(String(20))
    hukou_region: Mapped[str] = mapped_column(String(6))
    false_declaration_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApplicationRow(Timestamped, Base):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(_APPLICATION_STATUSES, name="status"),
        # One application in progress per person: a racing second submission fails here (409).
        Index(
            "uq_applications_person_in_progress",
            "person_id",
            unique=True,
            postgresql_where=text(_IN_PROGRESS),
        ),
        # Lists are scoped by the caller's region prefix and paged by id.
        Index("ix_applications_community_code_id", "community_code", "id"),
        # The city platform's own reference is unique per client (submitted_by is the token's
        # subject) and its status query looks it up.
        Index(
            "uq_applications_submitter_external_ref",
            "submitted_by",
            "external_ref",
            unique=True,
            postgresql_where=text("external_ref IS NOT NULL"),
        ),
    )

    person_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("persons.id"), index=True)
    policy: Mapped[str] = mapped_column(String(32))
    external_ref: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    district_code: Mapped[str] = mapped_column(String(6))
    community_code: Mapped[str] = mapped_column(String(12))
    circumstances: Mapped[list[str]] = mapped_column(JSONB)
    guardian: Mapped[str | None] = mapped_column(String(24))
    receiving_since: Mapped[date | None] = mapped_column(Date)
    earlier_service_since: Mapped[date | None] = mapped_column(Date)
    agent_sealed: Mapped[str | None] = mapped_column(Text)
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_lon: Mapped[float | None] = mapped_column(Float)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    assessment_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    assessment_total_score: Mapped[int | None] = mapped_column(Integer)
    assessment_level: Mapped[int | None] = mapped_column(Integer)
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    beneficiary_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))


class BeneficiaryRow(Timestamped, Base):
    __tablename__ = "beneficiaries"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended', 'terminated')", name="status"),
        CheckConstraint("monthly_amount_fen >= 0", name="amount_not_negative"),
        # One enrolment per person that is not terminated (a suspended one resumes).
        Index(
            "uq_beneficiaries_person_enrolled",
            "person_id",
            unique=True,
            postgresql_where=text("status <> 'terminated'"),
        ),
        Index("ix_beneficiaries_community_code_id", "community_code", "id"),
    )

    person_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("persons.id"), index=True)
    application_id: Mapped[UUID | None] = mapped_column(
        PG_UUID(as_uuid=True), ForeignKey("applications.id"), unique=True
    )
    district_code: Mapped[str] = mapped_column(String(6))
    community_code: Mapped[str] = mapped_column(String(12))
    pack_id: Mapped[str] = mapped_column(String(40))
    pack_version: Mapped[str] = mapped_column(String(20))
    assessment_level: Mapped[int] = mapped_column(Integer)
    monthly_amount_fen: Mapped[int] = mapped_column(Integer)
    service_categories: Mapped[list[str]] = mapped_column(JSONB)
    emergency_help_required: Mapped[bool] = mapped_column(Boolean)
    basis: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16))
    status_history: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    effective_on: Mapped[date] = mapped_column(Date)
    enrolled_by: Mapped[str] = mapped_column(String(200))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assessment_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    entitlement_history: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )


class PiiAccessRow(Base):
    """One unmasked disclosure of personal data: who saw whose data, which fields, when and why.

    Append-only; the caller's stated purpose comes from the ``X-Access-Reason`` header.
    """

    __tablename__ = "pii_access_log"

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    accessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    subject: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSONB)
    person_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    resource: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    fields: Mapped[list[str]] = mapped_column(JSONB)
    reason: Mapped[str | None] = mapped_column(String(200))


class WebhookSubscriptionRow(Timestamped, Base):
    """A city platform client's webhook: where to POST which event types of its region. The
    signing secret is sealed like personal data (FieldCipher), shown once at creation."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_client", "client", "id"),)

    client: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(12))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSONB)
    secret_sealed: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class WebhookDeliveryRow(Base):
    """One event to one subscription: pending until a 2xx answer, failed after the last attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        Index("uq_webhook_deliveries_subscription_event", "subscription_id", "event_id", unique=True),
        Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_deliveries_subscription_id", "subscription_id", "id"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    subscription_id: Mapped[UUID] = mapped_column(
        PG_UUID(as_uuid=True), ForeignKey("webhook_subscriptions.id")
    )
    event_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent (UTF-8 JSON)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The retry budget counts attempts since the last manual redelivery.
    budget_from: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookAttemptRow(Base):
    """The delivery log: every attempt with its answer (status code or error) and latency."""

    __tablename__ = "webhook_attempts"

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    delivery_id: Mapped[UUID] = mapped_column(
        PG_UUID(as_uuid=True), ForeignKey("webhook_deliveries.id"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    manual: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class RosterImportRow(Timestamped, Base):
    """A roster import run: its progress, counts and row errors. The valid rows wait sealed
    (FieldCipher: they hold ID numbers and names) and are cleared once the run is done."""

    __tablename__ = "roster_imports"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done')", name="status"),
        Index("ix_roster_imports_due", "id", postgresql_where=text("status <> 'done'")),
    )

    requested_by: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    total: Mapped[int] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    applied: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    unmatched: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    failed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    rows_sealed: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PersonCircumstanceRow(Base):
    """A circumstance (低保, 特困 …) a roster marks on a person, with its validity and source."""

    __tablename__ = "person_circumstances"
    __table_args__ = (
        Index("uq_person_circumstances", "person_id", "circumstance", "valid_from", unique=True),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    person_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("persons.id"))
    circumstance: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source_import_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("roster_imports.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


__all__ = [
    "ApplicationRow",
    "Base",
    "BeneficiaryRow",
    "PersonCircumstanceRow",
    "PersonRow",
    "PiiAccessRow",
    "RosterImportRow",
    "WebhookAttemptRow",
    "WebhookDeliveryRow",
    "WebhookSubscriptionRow",
]
