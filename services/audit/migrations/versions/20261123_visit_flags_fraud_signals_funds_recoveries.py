"""visits, beneficiaries and hospital stays as audit learns them from events; visit flags (fraud
signals) and their investigation; funds recoveries; findings name their visits

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _timestamped() -> list[sa.Column]:
    return [
        sa.Column('id', sa.UUID(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.add_column('findings', sa.Column('visit_ids', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.create_table('audit_beneficiaries',
    sa.Column('beneficiary_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('home_lat', sa.Float(), nullable=True),
    sa.Column('home_lon', sa.Float(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('beneficiary_id', name=op.f('pk_audit_beneficiaries'))
    )
    op.create_index('ix_audit_beneficiaries_district_code_status', 'audit_beneficiaries', ['district_code', 'status'], unique=False)
    op.create_table('audit_visits',
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('caregiver_id', sa.UUID(), nullable=True),
    sa.Column('beneficiary_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('service_code', sa.String(length=64), nullable=True),
    sa.Column('scheduled_start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scheduled_end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('location_ok', sa.Boolean(), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('cancelled_kind', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_audit_visits'))
    )
    op.create_index('ix_audit_visits_caregiver_id_checked_in_at', 'audit_visits', ['caregiver_id', 'checked_in_at'], unique=False)
    op.create_index('ix_audit_visits_beneficiary_id_checked_in_at', 'audit_visits', ['beneficiary_id', 'checked_in_at'], unique=False)
    op.create_index('ix_audit_visits_district_code_checked_in_at', 'audit_visits', ['district_code', 'checked_in_at'], unique=False)
    op.create_table('hospital_stays',
    sa.Column('emergency_id', sa.UUID(), nullable=False),
    sa.Column('beneficiary_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('emergency_id', name=op.f('pk_hospital_stays'))
    )
    op.create_index(op.f('ix_hospital_stays_beneficiary_id'), 'hospital_stays', ['beneficiary_id'], unique=False)
    op.create_table('visit_flags',
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('caregiver_id', sa.UUID(), nullable=True),
    sa.Column('beneficiary_id', sa.UUID(), nullable=True),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('signal', sa.String(length=40), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('evidence', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_notes', sa.Text(), nullable=True),
    sa.Column('finding_id', sa.UUID(), nullable=True),
    *_timestamped(),
    sa.CheckConstraint("status IN ('open', 'cleared', 'confirmed')", name=op.f('ck_visit_flags_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_flags')),
    sa.UniqueConstraint('visit_id', 'signal', name='uq_visit_flags_visit_signal')
    )
    op.create_index('ix_visit_flags_district_code_id', 'visit_flags', ['district_code', 'id'], unique=False)
    op.create_index(op.f('ix_visit_flags_visit_id'), 'visit_flags', ['visit_id'], unique=False)
    op.create_index(op.f('ix_visit_flags_provider_id'), 'visit_flags', ['provider_id'], unique=False)
    op.create_table('funds_recoveries',
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('finding_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('visit_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('fine_rate_percent', sa.SmallInteger(), nullable=True),
    sa.Column('basis', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('ordered_by', sa.String(length=200), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('statement_id', sa.UUID(), nullable=True),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=True),
    *_timestamped(),
    sa.CheckConstraint("status IN ('ordered', 'booked')", name=op.f('ck_funds_recoveries_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_recoveries'))
    )
    op.create_index('ix_funds_recoveries_district_code_id', 'funds_recoveries', ['district_code', 'id'], unique=False)
    op.create_index(op.f('ix_funds_recoveries_provider_id'), 'funds_recoveries', ['provider_id'], unique=False)
    op.create_table('recovered_visits',
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.Column('recovery_id', sa.UUID(), nullable=False),
    sa.ForeignKeyConstraint(['recovery_id'], ['funds_recoveries.id'], name=op.f('fk_recovered_visits_recovery_id_funds_recoveries')),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_recovered_visits'))
    )
    op.create_index(op.f('ix_recovered_visits_recovery_id'), 'recovered_visits', ['recovery_id'], unique=False)


def downgrade() -> None:
    op.drop_table('recovered_visits')
    op.drop_table('funds_recoveries')
    op.drop_table('visit_flags')
    op.drop_table('hospital_stays')
    op.drop_table('audit_visits')
    op.drop_table('audit_beneficiaries')
    op.drop_column('findings', 'visit_ids')
