"""care plans' preferred days and windows; visits generated from them

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23 16:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('care_plans', 'care_plan_versions'):
        op.add_column(
            table,
            sa.Column('schedule', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
        )
    op.add_column('visits', sa.Column('generated_for_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('visits', sa.Column('generation_released', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.create_index(
        'uq_visits_generated',
        'visits',
        ['care_plan_id', 'service_code', 'generated_for_at'],
        unique=True,
        postgresql_where=sa.text('generated_for_at IS NOT NULL AND NOT generation_released'),
    )


def downgrade() -> None:
    op.drop_index('uq_visits_generated', table_name='visits')
    op.drop_column('visits', 'generation_released')
    op.drop_column('visits', 'generated_for_at')
    for table in ('care_plan_versions', 'care_plans'):
        op.drop_column(table, 'schedule')
