"""Providers suspended from new work by an audit sanction (changsha-2024 第十八条) and decertified
caregivers (wuhai-2017 第三十一条).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:17:28.241312
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('caregivers', sa.Column('decertified_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('caregivers', sa.Column('decertification_basis', sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f('ck_caregivers_decertification_complete'),
        'caregivers',
        '(decertified_at IS NULL) = (decertification_basis IS NULL)',
    )
    op.add_column('providers', sa.Column('suspended_by_sanction_id', sa.UUID(), nullable=True))
    op.add_column('providers', sa.Column('suspension_measures', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('providers', sa.Column('suspension_basis', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('providers', sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f('ck_providers_suspension_complete'),
        'providers',
        'num_nulls(suspended_by_sanction_id, suspension_measures, suspension_basis, suspended_at) IN (0, 4)',
    )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_providers_suspension_complete'), 'providers', type_='check')
    op.drop_column('providers', 'suspended_at')
    op.drop_column('providers', 'suspension_basis')
    op.drop_column('providers', 'suspension_measures')
    op.drop_column('providers', 'suspended_by_sanction_id')
    op.drop_constraint(op.f('ck_caregivers_decertification_complete'), 'caregivers', type_='check')
    op.drop_column('caregivers', 'decertification_basis')
    op.drop_column('caregivers', 'decertified_at')
