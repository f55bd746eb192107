"""care plan versions (each with its signed agreement) and the end of a plan

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 15:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('care_plans', sa.Column('plan_version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.add_column('care_plans', sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('care_plans', sa.Column('changed_by', sa.String(length=200), nullable=True))
    op.add_column('care_plans', sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('care_plans', sa.Column('ended_by', sa.String(length=200), nullable=True))
    op.add_column('care_plans', sa.Column('end_reason', sa.Text(), nullable=True))
    op.drop_constraint(op.f('ck_care_plans_status'), 'care_plans', type_='check')
    op.create_check_constraint(op.f('ck_care_plans_status'), 'care_plans', "status IN ('active', 'ended')")
    op.create_check_constraint(
        op.f('ck_care_plans_ended_complete'),
        'care_plans',
        "(status = 'ended') = (ended_at IS NOT NULL AND end_reason IS NOT NULL)",
    )
    op.create_table(
        'care_plan_versions',
        sa.Column('care_plan_id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('service_codes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('frequency_per_month', sa.Integer(), nullable=False),
        sa.Column('preferred_caregiver_sex', sa.String(length=8), nullable=True),
        sa.Column('agreement_signed_on', sa.Date(), nullable=False),
        sa.Column('agreement_duration_months', sa.Integer(), nullable=False),
        sa.Column('agreement_ends_on', sa.Date(), nullable=False),
        sa.Column('family_consent_obtained', sa.Boolean(), nullable=False),
        sa.Column('effective_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['care_plan_id'], ['care_plans.id'], name=op.f('fk_care_plan_versions_care_plan_id_care_plans')),
        sa.PrimaryKeyConstraint('care_plan_id', 'version', name=op.f('pk_care_plan_versions')),
    )
    # Every plan so far is its version 1.
    op.execute(
        "INSERT INTO care_plan_versions (care_plan_id, version, service_codes, frequency_per_month,"
        " preferred_caregiver_sex, agreement_signed_on, agreement_duration_months, agreement_ends_on,"
        " family_consent_obtained, effective_at, created_by)"
        " SELECT id, 1, service_codes, frequency_per_month, preferred_caregiver_sex, agreement_signed_on,"
        " agreement_duration_months, agreement_ends_on, family_consent_obtained, activated_at, created_by"
        " FROM care_plans"
    )
    op.create_index('ix_care_plans_active_ends_on', 'care_plans', ['agreement_ends_on'], postgresql_where=sa.text("status = 'active'"))


def downgrade() -> None:
    op.drop_index('ix_care_plans_active_ends_on', table_name='care_plans', postgresql_where=sa.text("status = 'active'"))
    op.drop_table('care_plan_versions')
    op.drop_constraint(op.f('ck_care_plans_ended_complete'), 'care_plans', type_='check')
    op.drop_constraint(op.f('ck_care_plans_status'), 'care_plans', type_='check')
    op.create_check_constraint(op.f('ck_care_plans_status'), 'care_plans', "status IN ('active')")
    for column in ('end_reason', 'ended_by', 'ended_at', 'changed_by', 'changed_at', 'plan_version'):
        op.drop_column('care_plans', column)
