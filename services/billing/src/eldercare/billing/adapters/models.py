"""ORM models of the billing service."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eldercare.billing.adapters.orm import Base
from eldercare.common.db import Timestamped
from eldercare.common.ids import uuid7


class PriceListRow(Timestamped, Base):
    """A region's price list; immutable once entered (a new price is a new list)."""

    __tablename__ = "price_lists"
    __table_args__ = (Index("ix_price_lists_region_code_effective_from", "region_code", "effective_from"),)

    region_code: Mapped[str] = mapped_column(String(6))
    effective_from: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[PriceItemRow]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PriceItemRow.position"
    )


class PriceItemRow(Base):
    __tablename__ = "price_list_items"
    __table_args__ = (
        UniqueConstraint("price_list_id", "service_code", name="uq_price_list_items_service"),
        CheckConstraint("unit IN ('visit', 'hour')", name="unit"),
        CheckConstraint("unit_price_fen >= 0", name="unit_price_fen"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    price_list_id: Mapped[UUID] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    service_code: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(8))
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)


class EntitlementRow(Timestamped, Base):
    """The monthly entitlement of a beneficiary, projected from intake's BeneficiaryEnrolled."""

    __tablename__ = "entitlements"
    __table_args__ = (CheckConstraint("status IN ('active', 'suspended', 'terminated')", name="status"),)

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    district_code: Mapped[str] = mapped_column(String(6))
    monthly_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    effective_on: Mapped[date] = mapped_column(Date)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    # Provenance of the entitlement (BeneficiaryEnrolled), kept for the trace of a statement line;
    # null for enrolments projected before it was kept.
    application_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    assessment_level: Mapped[int | None] = mapped_column(Integer)
    assessment_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    policy_pack_id: Mapped[str | None] = mapped_column(String(64))
    policy_version: Mapped[str | None] = mapped_column(String(32))
    basis: Mapped[list[dict[str, str | None]]] = mapped_column(JSONB, server_default="[]")


class StatusChangeRow(Base):
    """Dated beneficiary statuses; kept even before the enrolment arrives (events race across topics)."""

    __tablename__ = "beneficiary_status_changes"
    __table_args__ = (CheckConstraint("status IN ('active', 'suspended', 'terminated')", name="status"),)

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    status: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(500))


class AccountRow(Timestamped, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "period", name="uq_accounts_beneficiary_period"),
        CheckConstraint("used_fen >= 0 AND used_fen <= entitlement_fen", name="used_within_entitlement"),
        CheckConstraint(
            "(closed_at IS NULL AND close_reason IS NULL)"
            " OR (closed_at IS NOT NULL AND close_reason IN ('month_ended', 'terminated'))",
            name="close_reason",
        ),
        Index("ix_accounts_district_code_id", "district_code", "id"),
        # The sweep's look-up of the accounts still open (migration 0006).
        Index("ix_accounts_open_period", "period", "id", postgresql_where=text("closed_at IS NULL")),
    )

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    period: Mapped[str] = mapped_column(String(7))
    district_code: Mapped[str] = mapped_column(String(6))
    entitlement_fen: Mapped[int] = mapped_column(BigInteger)
    used_fen: Mapped[int] = mapped_column(BigInteger)
    beneficiary_pays_fen: Mapped[int] = mapped_column(BigInteger)
    charge_count: Mapped[int] = mapped_column(Integer)
    # Closed once (AccountClosed): the month ended, or the beneficiary was terminated.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(String(16))


class ChargeRow(Timestamped, Base):
    __tablename__ = "charges"
    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_entitlement', 'posted', 'held', 'unpriced', 'reversed')", name="status"
        ),
        # Posted (and reversed) charges carry a split that adds up; the others carry no amount.
        CheckConstraint(
            "(status IN ('posted', 'reversed') AND amount_fen IS NOT NULL AND covered_fen >= 0"
            " AND beneficiary_pays_fen >= 0 AND covered_fen + beneficiary_pays_fen = amount_fen)"
            " OR (status NOT IN ('posted', 'reversed') AND amount_fen IS NULL AND covered_fen IS NULL"
            " AND beneficiary_pays_fen IS NULL)",
            name="split_adds_up",
        ),
        Index("ix_charges_beneficiary_id_period", "beneficiary_id", "period"),
        Index("ix_charges_provider_id_period", "provider_id", "period"),
        Index("ix_charges_district_code_id", "district_code", "id"),
    )

    # Unique: one charge per visit, so a redelivered or repeated VisitCompleted changes nothing.
    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    service_code: Mapped[str] = mapped_column(String(32))
    visit_on: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(7))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    verified: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[list[str]] = mapped_column(JSONB)
    price_list_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    unit: Mapped[str | None] = mapped_column(String(8))
    unit_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    covered_fen: Mapped[int | None] = mapped_column(BigInteger)
    beneficiary_pays_fen: Mapped[int | None] = mapped_column(BigInteger)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The visit as VisitCompleted told it, for the trace of a statement line (null on older rows).
    care_plan_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    caregiver_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A posted charge whose visit was cancelled or voided after completion (VisitCancelled).
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why dispatch cancelled, voided or rejected the visit, as it said.
    outcome_note: Mapped[str | None] = mapped_column(String(500))


class SettlementRow(Timestamped, Base):
    __tablename__ = "settlements"
    __table_args__ = (
        UniqueConstraint("provider_id", "district_code", "period", name="uq_settlements_provider_period"),
        CheckConstraint("status IN ('open')", name="status"),
        CheckConstraint("total_fen >= 0 AND charge_count >= 0", name="totals"),
        Index("ix_settlements_district_code_id", "district_code", "id"),
    )

    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))
    total_fen: Mapped[int] = mapped_column(BigInteger)
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    beneficiary_pays_fen: Mapped[int] = mapped_column(BigInteger)
    charge_count: Mapped[int] = mapped_column(Integer)


class StatementRow(Base):
    """结算单: the statement of one settlement (same id), regenerated by each run while a preview and
    frozen once issued."""

    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint("status IN ('preview', 'issued')", name="status"),
        CheckConstraint(
            "(status = 'issued') = (issued_at IS NOT NULL AND issued_by IS NOT NULL)", name="issued"
        ),
        Index("ix_statements_provider_id_district_code_period", "provider_id", "district_code", "period"),
    )

    id: Mapped[UUID] = mapped_column(ForeignKey("settlements.id"), primary_key=True)
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    covered_fen: Mapped[int] = mapped_column(BigInteger)
    self_pay_fen: Mapped[int] = mapped_column(BigInteger)
    adjusted_fen: Mapped[int] = mapped_column(BigInteger)
    charge_count: Mapped[int] = mapped_column(Integer)
    adjustment_count: Mapped[int] = mapped_column(Integer)
    withheld_count: Mapped[int] = mapped_column(Integer)
    withheld_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    recovered_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    deducted_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str | None] = mapped_column(String(200))
    # Written by SQL only (statement_repository.py) under a row lock; bumped on every change.
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class StatementLineRow(Base):
    """One line of a statement: a posted charge of the month, an adjustment of a charge of an
    issued month, or a charge of the month that is withheld (not paid, shown with its reason).
    Written only by set-based SQL (adapters/statement_repository.py)."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        UniqueConstraint("statement_id", "charge_id", "kind", name="uq_statement_lines_charge_kind"),
        CheckConstraint(
            "kind IN ('charge', 'adjustment', 'withheld', 'recovery', 'fine', 'deduction')", name="kind"
        ),
        CheckConstraint("covered_fen + self_pay_fen = amount_fen", name="split_adds_up"),
        Index("ix_statement_lines_charge_id", "charge_id"),
        Index("ix_statement_lines_ref_id", "ref_id"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    statement_id: Mapped[UUID] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    charge_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    service_code: Mapped[str] = mapped_column(String(32))
    visit_on: Mapped[date] = mapped_column(Date)
    charge_period: Mapped[str] = mapped_column(String(7))
    unit: Mapped[str | None] = mapped_column(String(8))
    unit_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    covered_fen: Mapped[int] = mapped_column(BigInteger)
    self_pay_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(32))
    # The flag, recovery order or claim sample behind the line, if one is.
    ref_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    # What a withheld line keeps back from the provider (the covered part of a posted charge).
    withheld_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    detail: Mapped[str | None] = mapped_column(String(500))


class ProviderSanctionRow(Base):
    """A sanction audit imposed on a provider (AuditSanctionImposed), kept as received; one row per
    sanction, so a redelivered event changes nothing."""

    __tablename__ = "provider_sanctions"
    __table_args__ = (
        Index("ix_provider_sanctions_provider_id_district_code", "provider_id", "district_code"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    sanction_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    notice_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    measures: Mapped[list[str]] = mapped_column(JSONB)
    finding_ids: Mapped[list[str]] = mapped_column(JSONB)
    finding_types: Mapped[list[str]] = mapped_column(JSONB)
    basis: Mapped[list[str]] = mapped_column(JSONB)
    imposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VisitOutcomeRow(Base):
    """What dispatch later said of a visit (VisitCancelled, VisitVerificationResolved), kept once per
    visit and kind, whether or not its charge is known yet (the events race)."""

    __tablename__ = "visit_outcomes"
    __table_args__ = (
        UniqueConstraint("visit_id", "kind", name="uq_visit_outcomes_visit_kind"),
        CheckConstraint("kind IN ('cancelled', 'missed', 'voided', 'accepted', 'rejected')", name="kind"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(500))
    by: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VisitFlagRow(Base):
    """Audit's flag on a visit (VisitFlagRaised / VisitFlagResolved, in either order)."""

    __tablename__ = "visit_flags"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('cleared', 'confirmed')", name="outcome"),
        Index("ix_visit_flags_visit_id", "visit_id"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    flag_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    source: Mapped[str | None] = mapped_column(String(32))
    signal: Mapped[str | None] = mapped_column(String(200))
    raised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16))
    finding_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FundRecoveryRow(Base):
    """Audit's order to recover what was paid for visits (FundsRecoveryOrdered), kept once."""

    __tablename__ = "fund_recoveries"
    __table_args__ = (
        CheckConstraint("fine_rate_percent IS NULL OR fine_rate_percent BETWEEN 10 AND 50", name="fine_rate"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    recovery_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    finding_ids: Mapped[list[str]] = mapped_column(JSONB)
    visit_ids: Mapped[list[str]] = mapped_column(JSONB)
    fine_rate_percent: Mapped[int | None] = mapped_column(Integer)
    basis: Mapped[list[str]] = mapped_column(JSONB)
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecoveryVisitRow(Base):
    """One visit of a recovery order (for the set-based statement SQL)."""

    __tablename__ = "recovery_visits"
    __table_args__ = (Index("ix_recovery_visits_visit_id", "visit_id"),)

    recovery_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    fine_rate_percent: Mapped[int | None] = mapped_column(Integer)
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClaimSampleRow(Base):
    """Audit's claim sample of a provider's month (ClaimDeductionPublished); ``applied`` is whether
    the city's policy enabled deductions when it arrived."""

    __tablename__ = "claim_samples"
    __table_args__ = (
        CheckConstraint("sampled >= 1 AND failed >= 0 AND failed <= sampled", name="counts"),
        Index("ix_claim_samples_provider_id_district_code", "provider_id", "district_code"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    sample_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    seed: Mapped[str] = mapped_column(String(200))
    sampled_visit_ids: Mapped[list[str]] = mapped_column(JSONB)
    failed_visit_ids: Mapped[list[str]] = mapped_column(JSONB)
    sampled: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    basis: Mapped[list[str]] = mapped_column(JSONB)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied: Mapped[bool] = mapped_column(Boolean)


class EntitlementChangeRow(Base):
    """A new monthly entitlement from a month on (BeneficiaryEntitlementChanged)."""

    __tablename__ = "entitlement_changes"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "effective_on", "changed_at", name="uq_entitlement_changes_once"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    effective_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(32))
    monthly_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    assessment_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    assessment_level: Mapped[int] = mapped_column(Integer)
    policy_pack_id: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(32))
    basis: Mapped[list[dict[str, str | None]]] = mapped_column(JSONB)


class ExportJobRow(Base):
    """A statement export running in the background: progress, then the file."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("format IN ('csv', 'xlsx', 'pdf')", name="format"),
        CheckConstraint("status IN ('queued', 'running', 'ready', 'failed')", name="status"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid7)
    statement_id: Mapped[UUID] = mapped_column(ForeignKey("statements.id"))
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    total_lines: Mapped[int] = mapped_column(Integer)
    done_lines: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


__all__ = [
    "AccountRow",
    "Base",
    "ChargeRow",
    "ClaimSampleRow",
    "EntitlementChangeRow",
    "EntitlementRow",
    "ExportJobRow",
    "FundRecoveryRow",
    "PriceItemRow",
    "PriceListRow",
    "ProviderSanctionRow",
    "RecoveryVisitRow",
    "SettlementRow",
    "StatementLineRow",
    "StatementRow",
    "StatusChangeRow",
    "VisitFlagRow",
    "VisitOutcomeRow",
]
