"""an index for a caregiver's latest check-out (the impossible-travel check at every check-in)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 14:15:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_visits_caregiver_checked_out', 'visits', ['caregiver_id', 'checked_out_at'], postgresql_where=sa.text('checked_out_at IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_visits_caregiver_checked_out', table_name='visits')
