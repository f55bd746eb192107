"""visit verification flags and the review queue, cancelled/missed/voided visits, the caregiver
app's calls keyed by client id, and emergency help calls

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 13:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_EMPTY = sa.text("'[]'::jsonb")
_NOT_STARTED = "('scheduled', 'cancelled', 'missed')"


def upgrade() -> None:
    for name, kind in [
        ("review_status", sa.String(16)),
        ("reviewed_by", sa.String(200)),
        ("reviewed_at", sa.DateTime(timezone=True)),
        ("review_comment", sa.Text()),
        ("ended_at", sa.DateTime(timezone=True)),
        ("end_reason", sa.Text()),
        ("accepted_at", sa.DateTime(timezone=True)),
        ("trip_started_at", sa.DateTime(timezone=True)),
        ("check_in_device_at", sa.DateTime(timezone=True)),
        ("check_out_device_at", sa.DateTime(timezone=True)),
        ("signature_sha256", sa.String(64)),
    ]:
        op.add_column("visits", sa.Column(name, kind, nullable=True))
    op.add_column(
        "visits",
        sa.Column(
            "verification_flags",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=_EMPTY,
            nullable=False,
        ),
    )
    op.add_column(
        "visits",
        sa.Column("photos", postgresql.JSONB(astext_type=sa.Text()), server_default=_EMPTY, nullable=False),
    )

    for name in ("status", "started_has_check_in", "started_has_caregiver", "completed_has_check_out"):
        op.drop_constraint(op.f(f"ck_visits_{name}"), "visits", type_="check")
    op.create_check_constraint(
        op.f("ck_visits_status"),
        "visits",
        "status IN ('scheduled', 'in_progress', 'completed', 'cancelled', 'missed', 'voided')",
    )
    op.create_check_constraint(
        op.f("ck_visits_started_has_check_in"),
        "visits",
        f"status IN {_NOT_STARTED} OR checked_in_at IS NOT NULL",
    )
    op.create_check_constraint(
        op.f("ck_visits_started_has_caregiver"),
        "visits",
        f"status IN {_NOT_STARTED} OR caregiver_id IS NOT NULL",
    )
    op.create_check_constraint(
        op.f("ck_visits_completed_has_check_out"),
        "visits",
        "status NOT IN ('completed', 'voided') OR checked_out_at IS NOT NULL",
    )
    op.create_check_constraint(
        op.f("ck_visits_ended_has_reason"),
        "visits",
        "status NOT IN ('cancelled', 'missed', 'voided') OR (ended_at IS NOT NULL AND end_reason IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_visits_review_status"),
        "visits",
        "review_status IS NULL OR review_status IN ('pending', 'accepted', 'rejected')",
    )
    op.create_index(
        "ix_visits_review_pending",
        "visits",
        ["provider_id", "checked_out_at"],
        postgresql_where=sa.text("review_status = 'pending'"),
    )
    op.create_index(
        "ix_visits_scheduled_window_end",
        "visits",
        [sa.text("coalesce(window_end_at, scheduled_end_at)")],
        postgresql_where=sa.text("status = 'scheduled'"),
    )

    op.create_table(
        "caregiver_actions",
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column("caregiver_id", sa.UUID(), nullable=False),
        sa.Column("visit_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("device_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clock_skew_seconds", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('acceptance', 'decline', 'trip', 'check_in', 'check_out')",
            name=op.f("ck_caregiver_actions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_caregiver_actions_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_caregiver_actions")),
    )
    op.create_index("ix_caregiver_actions_visit_id", "caregiver_actions", ["visit_id"])

    op.create_table(
        "emergencies",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.UUID(), nullable=False),
        sa.Column("provider_id", sa.UUID(), nullable=True),
        sa.Column("care_plan_id", sa.UUID(), nullable=True),
        sa.Column("district_code", sa.String(6), nullable=False),
        sa.Column("community_code", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("raised_by", sa.String(200), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responder_caregiver_id", sa.UUID(), nullable=True),
        sa.Column("responded_by", sa.String(200), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'on_scene', 'resolved')", name=op.f("ck_emergencies_status")
        ),
        sa.CheckConstraint(
            "(status = 'resolved') = (resolved_at IS NOT NULL)", name=op.f("ck_emergencies_resolved_complete")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["beneficiaries.id"], name=op.f("fk_emergencies_beneficiary_id_beneficiaries")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_emergencies_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergencies")),
    )
    op.create_index(
        "ix_emergencies_open_provider",
        "emergencies",
        ["provider_id", "raised_at"],
        postgresql_where=sa.text("status <> 'resolved'"),
    )
    op.create_index(
        "ix_emergencies_open_district",
        "emergencies",
        ["district_code", "raised_at"],
        postgresql_where=sa.text("status <> 'resolved'"),
    )


def downgrade() -> None:
    op.drop_table("emergencies")
    op.drop_table("caregiver_actions")
    op.drop_index("ix_visits_scheduled_window_end", table_name="visits")
    op.drop_index("ix_visits_review_pending", table_name="visits")
    # Rows in the new states cannot go back: the downgrade refuses rather than rewrite history.
    for name in (
        "review_status",
        "ended_has_reason",
        "completed_has_check_out",
        "started_has_caregiver",
        "started_has_check_in",
        "status",
    ):
        op.drop_constraint(op.f(f"ck_visits_{name}"), "visits", type_="check")
    op.create_check_constraint(
        op.f("ck_visits_status"), "visits", "status IN ('scheduled', 'in_progress', 'completed')"
    )
    op.create_check_constraint(
        op.f("ck_visits_started_has_check_in"), "visits", "status = 'scheduled' OR checked_in_at IS NOT NULL"
    )
    op.create_check_constraint(
        op.f("ck_visits_started_has_caregiver"), "visits", "status = 'scheduled' OR caregiver_id IS NOT NULL"
    )
    op.create_check_constraint(
        op.f("ck_visits_completed_has_check_out"),
        "visits",
        "status <> 'completed' OR checked_out_at IS NOT NULL",
    )
    for name in (
        "photos",
        "verification_flags",
        "signature_sha256",
        "check_out_device_at",
        "check_in_device_at",
        "trip_started_at",
        "accepted_at",
        "end_reason",
        "ended_at",
        "review_comment",
        "reviewed_at",
        "reviewed_by",
        "review_status",
    ):
        op.drop_column("visits", name)
