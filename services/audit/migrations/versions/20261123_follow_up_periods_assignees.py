"""follow-ups: the staff member assigned and the period of a periodic round

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('follow_ups', sa.Column('assignee', sa.String(length=200), nullable=True))
    op.add_column('follow_ups', sa.Column('period', sa.String(length=16), nullable=True))
    op.create_index('ix_follow_ups_district_code_period', 'follow_ups', ['district_code', 'period'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_follow_ups_district_code_period', table_name='follow_ups')
    op.drop_column('follow_ups', 'period')
    op.drop_column('follow_ups', 'assignee')
