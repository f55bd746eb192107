"""price lists and monthly entitlements in dispatch; a care plan's fit to the entitlement

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23 15:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'price_lists',
        sa.Column('id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('items', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_lists')),
    )
    op.create_index('ix_price_lists_region_code_effective_from', 'price_lists', ['region_code', 'effective_from'])
    op.create_table(
        'beneficiary_entitlements',
        sa.Column('beneficiary_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('monthly_amount_fen', sa.Integer(), nullable=True),
        sa.Column('monthly_minutes', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('beneficiary_id', 'effective_on', name=op.f('pk_beneficiary_entitlements')),
    )
    op.add_column('care_plans', sa.Column('minutes_per_visit', sa.Integer(), nullable=True))
    op.add_column('care_plans', sa.Column('self_paid_per_month', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('care_plans', sa.Column('fit_status', sa.String(length=16), nullable=True))
    op.add_column('care_plans', sa.Column('fit_monthly_cost_fen', sa.Integer(), nullable=True))
    op.add_column('care_plans', sa.Column('fit_monthly_minutes', sa.Integer(), nullable=True))
    op.add_column('care_plans', sa.Column('fit_note', sa.Text(), nullable=True))


def downgrade() -> None:
    for column in ('fit_note', 'fit_monthly_minutes', 'fit_monthly_cost_fen', 'fit_status', 'self_paid_per_month', 'minutes_per_visit'):
        op.drop_column('care_plans', column)
    op.drop_table('beneficiary_entitlements')
    op.drop_index('ix_price_lists_region_code_effective_from', table_name='price_lists')
    op.drop_table('price_lists')
