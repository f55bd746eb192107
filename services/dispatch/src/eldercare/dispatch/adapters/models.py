"""ORM models of the dispatch service."""

from __future__ import annotations

from datetime import date, datetime, time
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
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from eldercare.common.db import Timestamped
from eldercare.dispatch.adapters.orm import Base


class ProviderRow(Timestamped, Base):
    __tablename__ = "providers"
    __table_args__ = (
        Index("ix_providers_district_code_id", "district_code", "id"),
        CheckConstraint(
            "num_nulls(suspended_by_sanction_id, suspension_measures, suspension_basis, suspended_at)"
            " IN (0, 4)",
            name="suspension_complete",
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    # Unique: one registered organisation is one provider.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    credit_code_needs_manual_check: Mapped[bool] = mapped_column(Boolean)
    district_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    service_codes: Mapped[list[str]] = mapped_column(JSONB)
    has_food_licence: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    registered_by: Mapped[str] = mapped_column(String(200))
    # changsha-2024-purchased-door-to-door-rules.md 第十八条: set (all together) by the audit sanction
    # that ended the contract or blacklisted the provider; then it gets no new work.
    suspended_by_sanction_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    suspension_measures: Mapped[list[str] | None] = mapped_column(JSONB(none_as_null=True))
    suspension_basis: Mapped[list[str] | None] = mapped_column(JSONB(none_as_null=True))
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Issue #5 registry (migration 0020): true for providers registered before the 第七条 facts were
    # tracked; further contracted districts (第十条); billing's price list.
    registered_before_conditions: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    contracted_district_codes: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    price_list_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))


class CaregiverRow(Timestamped, Base):
    __tablename__ = "caregivers"
    __table_args__ = (
        Index("ix_caregivers_provider_id_id", "provider_id", "id"),
        CheckConstraint(
            "num_nulls(home_lat, home_lon, shift_start, shift_end, max_visits_per_day, travel_mode)"
            " IN (0, 6)",
            name="workday_complete",
        ),
        CheckConstraint(
            "(decertified_at IS NULL) = (decertification_basis IS NULL)", name="decertification_complete"
        ),
        CheckConstraint("sex IN ('female', 'male')", name="sex"),
    )

    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("providers.id"))
    name: Mapped[str] = mapped_column(String(50))
    # Personal data of the caregiver: masked in responses unless the caller holds pii:read.
    phone: Mapped[str] = mapped_column(String(20))
    qualifications: Mapped[list[str]] = mapped_column(JSONB)
    health_certificate_valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    # The workday (all set or all null): home point, shift in local time, visits a day, travel mode.
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_lon: Mapped[float | None] = mapped_column(Float)
    shift_start: Mapped[time | None] = mapped_column(Time)
    shift_end: Mapped[time | None] = mapped_column(Time)
    max_visits_per_day: Mapped[int | None] = mapped_column(Integer)
    travel_mode: Mapped[str | None] = mapped_column(String(16))
    days_off: Mapped[list[int]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # wuhai-2017-home-care-measures.md 第三十一条: set (both) when audit decertifies the caregiver.
    decertified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decertification_basis: Mapped[str | None] = mapped_column(Text)
    # Issue #5 registry: sex (null: not recorded) and languages/dialects as BCP 47 tags.
    sex: Mapped[str | None] = mapped_column(String(8))
    languages: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # Issue #5 registry (migration 0020): trainings, skills and the employment contract (第九条（一）).
    trainings: Mapped[list[dict[str, object]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    skills: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    contract_starts_on: Mapped[date | None] = mapped_column(Date)
    contract_ends_on: Mapped[date | None] = mapped_column(Date)


class BeneficiaryRow(Timestamped, Base):
    """The projection of intake's beneficiary register (the id is intake's beneficiary id)."""

    __tablename__ = "beneficiaries"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended', 'terminated')", name="status"),
        CheckConstraint("(home_lat IS NULL) = (home_lon IS NULL)", name="home_point_complete"),
        # Issue #5 (revision 0018): the worker's sweep of terminations whose day has come.
        Index(
            "ix_beneficiaries_terminated_effective_on",
            "termination_effective_on",
            postgresql_where=text("status = 'terminated'"),
        ),
    )

    district_code: Mapped[str] = mapped_column(String(6), index=True)
    community_code: Mapped[str] = mapped_column(String(12))
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_lon: Mapped[float | None] = mapped_column(Float)
    service_categories: Mapped[list[str]] = mapped_column(JSONB)
    emergency_help_required: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(Text)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Issue #5 (revision 0018): the local day a termination takes effect (null unless terminated).
    # Until that day the beneficiary's plans stay active and take visits before it.
    termination_effective_on: Mapped[date | None] = mapped_column(Date)


class CarePlanRow(Timestamped, Base):
    __tablename__ = "care_plans"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'ended')", name="status"),
        CheckConstraint(
            "(status = 'ended') = (ended_at IS NOT NULL AND end_reason IS NOT NULL)", name="ended_complete"
        ),
        CheckConstraint("frequency_per_month > 0", name="frequency_positive"),
        # One active plan per beneficiary and provider, even under racing requests.
        Index(
            "uq_care_plans_active_beneficiary_provider",
            "beneficiary_id",
            "provider_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_care_plans_provider_id_id", "provider_id", "id"),
        # The worker's sweep of plans whose agreement ran out.
        Index(
            "ix_care_plans_active_ends_on", "agreement_ends_on", postgresql_where=text("status = 'active'")
        ),
        CheckConstraint("preferred_caregiver_sex IN ('female', 'male')", name="preferred_caregiver_sex"),
        # Issue #5 (revision 0018): GET /v1/care-plans?fit=over_entitlement.
        Index("ix_care_plans_fit_status_id", "fit_status", "id", postgresql_where=text("status = 'active'")),
    )

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("beneficiaries.id"))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("providers.id"))
    district_code: Mapped[str] = mapped_column(String(6))
    # Tenancy of street and community staff: the 12-digit code starts with the district code.
    community_code: Mapped[str] = mapped_column(String(12))
    service_codes: Mapped[list[str]] = mapped_column(JSONB)
    frequency_per_month: Mapped[int] = mapped_column(Integer)
    agreement_signed_on: Mapped[date] = mapped_column(Date)
    agreement_duration_months: Mapped[int] = mapped_column(Integer)
    agreement_ends_on: Mapped[date] = mapped_column(Date)
    family_consent_obtained: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    # Issue #5: the caregiver sex for intimate care (CS05-CS10, CS18); null: no preference.
    preferred_caregiver_sex: Mapped[str | None] = mapped_column(String(8))
    # The current version (care_plan_versions holds them all) and the end of the plan.
    # (``version`` is the optimistic-locking column of every table.)
    plan_version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(200))
    end_reason: Mapped[str | None] = mapped_column(Text)
    # Issue #5, the plan against the monthly entitlement (revision 0016): the length of a visit
    # (hourly prices, minutes), the visits a month of each item the beneficiary pays himself, and
    # the check made at activation or at the last version ('fits' or 'unchecked'; null: a plan
    # activated before the check existed).
    minutes_per_visit: Mapped[int | None] = mapped_column(Integer)
    self_paid_per_month: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    fit_status: Mapped[str | None] = mapped_column(String(16))
    fit_monthly_cost_fen: Mapped[int | None] = mapped_column(Integer)
    fit_monthly_minutes: Mapped[int | None] = mapped_column(Integer)
    fit_note: Mapped[str | None] = mapped_column(Text)
    # Issue #5, preferred days and windows ([{"weekday", "start", "end"}], local time; revision
    # 0017); empty: no schedule, no generated visits.
    schedule: Mapped[list[dict[str, object]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # Issue #5 (revision 0018): the day the fit was checked for (activation, a version, or a later
    # price list or entitlement; 'over_entitlement' is only ever set by such a re-check).
    fit_checked_on: Mapped[date | None] = mapped_column(Date)


class PriceListRow(Base):
    """Billing's price lists (PriceListPublished), kept to price care plans (issue #5)."""

    __tablename__ = "price_lists"
    __table_args__ = (Index("ix_price_lists_region_code_effective_from", "region_code", "effective_from"),)

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6))
    effective_from: Mapped[date] = mapped_column(Date)
    items: Mapped[list[dict[str, object]]] = mapped_column(JSONB)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BeneficiaryEntitlementRow(Base):
    """A beneficiary's monthly entitlement from a day (BeneficiaryEnrolled, EntitlementChanged)."""

    __tablename__ = "beneficiary_entitlements"

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    effective_on: Mapped[date] = mapped_column(Date, primary_key=True)
    monthly_amount_fen: Mapped[int | None] = mapped_column(Integer)
    monthly_minutes: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CarePlanVersionRow(Base):
    """Every version of a care plan with the agreement signed for it (Changsha 第十四条; issue #5:
    versions are kept, a change of plan is a new version). Never updated."""

    __tablename__ = "care_plan_versions"

    care_plan_id: Mapped[UUID] = mapped_column(
        PG_UUID(as_uuid=True), ForeignKey("care_plans.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_codes: Mapped[list[str]] = mapped_column(JSONB)
    frequency_per_month: Mapped[int] = mapped_column(Integer)
    preferred_caregiver_sex: Mapped[str | None] = mapped_column(String(8))
    agreement_signed_on: Mapped[date] = mapped_column(Date)
    agreement_duration_months: Mapped[int] = mapped_column(Integer)
    agreement_ends_on: Mapped[date] = mapped_column(Date)
    family_consent_obtained: Mapped[bool] = mapped_column(Boolean)
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    # Issue #5: this version's preferred days and windows (revision 0017).
    schedule: Mapped[list[dict[str, object]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # Issue #5 (revision 0018): the version's visit length, self-paid visits and its fit as checked
    # when it took effect (null for versions older than revision 0016's check).
    minutes_per_visit: Mapped[int | None] = mapped_column(Integer)
    self_paid_per_month: Mapped[int | None] = mapped_column(Integer)
    fit_status: Mapped[str | None] = mapped_column(String(16))
    fit_monthly_cost_fen: Mapped[int | None] = mapped_column(Integer)
    fit_monthly_minutes: Mapped[int | None] = mapped_column(Integer)
    fit_note: Mapped[str | None] = mapped_column(Text)
    fit_checked_on: Mapped[date | None] = mapped_column(Date)


class VisitRow(Timestamped, Base):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(
            "status IN ('scheduled', 'in_progress', 'completed', 'cancelled', 'missed', 'voided')",
            name="status",
        ),
        CheckConstraint("scheduled_end_at > scheduled_start_at", name="window_ordered"),
        CheckConstraint(
            "status IN ('scheduled', 'cancelled', 'missed') OR checked_in_at IS NOT NULL",
            name="started_has_check_in",
        ),
        CheckConstraint(
            "status IN ('scheduled', 'cancelled', 'missed') OR caregiver_id IS NOT NULL",
            name="started_has_caregiver",
        ),
        CheckConstraint(
            "status NOT IN ('cancelled', 'missed', 'voided')"
            " OR (ended_at IS NOT NULL AND end_reason IS NOT NULL)",
            name="ended_has_reason",
        ),
        CheckConstraint(
            "review_status IS NULL OR review_status IN ('pending', 'accepted', 'rejected')",
            name="review_status",
        ),
        # The review queue: held records of a provider.
        Index(
            "ix_visits_review_pending",
            "provider_id",
            "checked_out_at",
            postgresql_where=text("review_status = 'pending'"),
        ),
        # The impossible-travel check at every check-in: the caregiver's latest check-out.
        Index(
            "ix_visits_caregiver_checked_out",
            "caregiver_id",
            "checked_out_at",
            postgresql_where=text("checked_out_at IS NOT NULL"),
        ),
        # The missed-visit sweep: visits not started, by the end of their window.
        Index(
            "ix_visits_scheduled_window_end",
            text("coalesce(window_end_at, scheduled_end_at)"),
            postgresql_where=text("status = 'scheduled'"),
        ),
        CheckConstraint("(window_start_at IS NULL) = (window_end_at IS NULL)", name="window_complete"),
        Index(
            "ix_visits_unassigned",
            "provider_id",
            "scheduled_start_at",
            postgresql_where=text("caregiver_id IS NULL"),
        ),
        CheckConstraint(
            "status NOT IN ('completed', 'voided') OR checked_out_at IS NOT NULL",
            name="completed_has_check_out",
        ),
        # The overlap check reads a caregiver's visits around a window.
        Index("ix_visits_caregiver_id_scheduled_start_at", "caregiver_id", "scheduled_start_at"),
        Index("ix_visits_provider_id_id", "provider_id", "id"),
        # Issue #5, generated visits: one per plan, item and occurrence, so a rerun, a redelivery
        # or two racing workers insert nothing twice (INSERT ... ON CONFLICT DO NOTHING).
        Index(
            "uq_visits_generated",
            "care_plan_id",
            "service_code",
            "generated_for_at",
            unique=True,
            postgresql_where=text("generated_for_at IS NOT NULL AND NOT generation_released"),
        ),
    )

    care_plan_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("care_plans.id"), index=True)
    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), index=True)
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    caregiver_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("caregivers.id"))
    district_code: Mapped[str] = mapped_column(String(6))
    community_code: Mapped[str] = mapped_column(String(12))
    service_code: Mapped[str] = mapped_column(String(8))
    scheduled_start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scheduled_end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scheduled_by: Mapped[str] = mapped_column(String(200))
    window_start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    window_end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))

    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_in_lat: Mapped[float | None] = mapped_column(Float)
    check_in_lon: Mapped[float | None] = mapped_column(Float)
    check_in_accuracy_m: Mapped[float | None] = mapped_column(Float)
    check_in_distance_m: Mapped[float | None] = mapped_column(Float)
    check_in_location_ok: Mapped[bool | None] = mapped_column(Boolean)
    check_in_problem: Mapped[str | None] = mapped_column(Text)

    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_out_lat: Mapped[float | None] = mapped_column(Float)
    check_out_lon: Mapped[float | None] = mapped_column(Float)
    check_out_accuracy_m: Mapped[float | None] = mapped_column(Float)
    check_out_distance_m: Mapped[float | None] = mapped_column(Float)
    check_out_location_ok: Mapped[bool | None] = mapped_column(Boolean)
    check_out_problem: Mapped[str | None] = mapped_column(Text)

    notes: Mapped[str | None] = mapped_column(Text)
    items_done: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    verification_notes: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # [{"code", "action", "stage", "message"}] (domain/verification.py).
    verification_flags: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    review_status: Mapped[str | None] = mapped_column(String(16))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trip_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_in_device_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_out_device_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # [{"sha256", "taken_at", "stage", "lat", "lon"}]: references, never the image.
    photos: Mapped[list[dict[str, object]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    # A missed visit: the provider's reason, and the visit booked in its place.
    missed_reason: Mapped[str | None] = mapped_column(Text)
    rescheduled_as: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    # Vital signs of a health-monitoring visit, sealed (adapters/health_data.py); never in clear.
    vital_signs_sealed: Mapped[str | None] = mapped_column(Text)
    # [[code, reason]]: items done beyond the care plan, flagged extra_item.
    extra_items: Mapped[list[list[str]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # Generated from the plan's schedule (revision 0017): the occurrence's start, and whether a
    # cancellation freed it to be generated again (uq_visits_generated below).
    generated_for_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    generation_released: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class CaregiverActionRow(Base):
    """One call of the caregiver app, keyed by the id the phone generated: a retried or late-synced
    call finds its row and changes nothing (offline tolerance, issue #5)."""

    __tablename__ = "caregiver_actions"
    __table_args__ = (
        CheckConstraint("kind IN ('acceptance', 'decline', 'trip', 'check_in', 'check_out')", name="kind"),
        Index("ix_caregiver_actions_visit_id", "visit_id"),
    )

    client_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    caregiver_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    visit_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("visits.id"))
    kind: Mapped[str] = mapped_column(String(16))
    device_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    clock_skew_seconds: Mapped[float | None] = mapped_column(Float)
    # The phone's clock when it sent the call (domain/offline.py): tells a late sync from a wrong clock.
    device_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmergencyRow(Timestamped, Base):
    """An emergency help call (助急, 附件2 CS14-CS15) and its handling by the responsible provider,
    whose 24-hour line receives it (changsha-2024 第七条（三）)."""

    __tablename__ = "emergencies"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acknowledged', 'on_scene', 'resolved')", name="status"),
        CheckConstraint("(status = 'resolved') = (resolved_at IS NOT NULL)", name="resolved_complete"),
        Index(
            "ix_emergencies_open_provider",
            "provider_id",
            "raised_at",
            postgresql_where=text("status <> 'resolved'"),
        ),
        Index(
            "ix_emergencies_open_district",
            "district_code",
            "raised_at",
            postgresql_where=text("status <> 'resolved'"),
        ),
    )

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("beneficiaries.id"))
    provider_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("providers.id"))
    care_plan_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    district_code: Mapped[str] = mapped_column(String(6))
    community_code: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    raised_by: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responder_caregiver_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    responded_by: Mapped[str | None] = mapped_column(String(200))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(24))
    # The caregivers asked to go, in turn (nearest available first), the last request's instant, and
    # when nobody acknowledged and the call went to the provider's 24-hour line.
    notified_caregiver_ids: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_to_line_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# ---------------------------------------------------------------- caregiver notifications (0019)


class CaregiverNotificationRow(Base):
    """A caregiver's notification feed (domain/notifications.py), written in the transaction of
    the change it tells of. ``seq`` numbers a caregiver's feed in commit order (the feed row below
    is locked while a transaction appends), so a cursor never skips a late-committing row. The
    ``push_*`` columns are the push gateway's delivery state (the worker; DISPATCH_PUSH_GATEWAY_URL)."""

    __tablename__ = "caregiver_notifications"
    __table_args__ = (
        UniqueConstraint("caregiver_id", "seq", name="uq_caregiver_notifications_caregiver_id_seq"),
        CheckConstraint("push_status IN ('pending', 'delivered', 'failed', 'expired')", name="push_status"),
        Index(
            "ix_caregiver_notifications_push_due",
            "push_next_at",
            postgresql_where=text("push_status = 'pending'"),
        ),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    caregiver_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("caregivers.id"))
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True))
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    visit_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    emergency_id: Mapped[UUID | None] = mapped_column(PG_UUID(as_uuid=True))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    push_status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    push_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    push_next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    push_error: Mapped[str | None] = mapped_column(Text)


class CaregiverNotificationFeedRow(Base):
    """Per caregiver: the last ``seq`` given (its row lock orders the appends) and how far the
    caregiver has read (``POST .../notifications/acknowledgements``)."""

    __tablename__ = "caregiver_notification_feeds"

    caregiver_id: Mapped[UUID] = mapped_column(
        PG_UUID(as_uuid=True), ForeignKey("caregivers.id"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger)
    acknowledged_seq: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BeneficiaryContactRow(Base):
    """The beneficiary's contact as intake sealed it (intake.beneficiary_contact.shared.v1): the
    ciphertext only, under the shared ring (adapters/contact_share.py); the latest share wins.
    No foreign key: the share and the enrolment travel on different topics, in either order."""

    __tablename__ = "beneficiary_contacts"

    beneficiary_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6))
    sealed: Mapped[str] = mapped_column(Text)
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))


class ProviderConditionFactRow(Base):
    """Every 第七条 condition fact recorded for a provider (changsha-2024 第七条; issue #5). Never
    updated: a renewal is a new row, the latest per condition is the one in force."""

    __tablename__ = "provider_condition_facts"
    __table_args__ = (
        Index("ix_provider_condition_facts_provider", "provider_id", "code", "recorded_at"),
        CheckConstraint("status IN ('met', 'not_met')", name="status"),
    )

    id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True)
    provider_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), ForeignKey("providers.id"))
    code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8))
    valid_until: Mapped[date | None] = mapped_column(Date)
    document_ref: Mapped[str] = mapped_column(String(200))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ = [
    "Base",
    "BeneficiaryContactRow",
    "BeneficiaryRow",
    "CarePlanRow",
    "CaregiverActionRow",
    "CaregiverNotificationFeedRow",
    "CaregiverNotificationRow",
    "CaregiverRow",
    "EmergencyRow",
    "ProviderRow",
    "VisitRow",
]
