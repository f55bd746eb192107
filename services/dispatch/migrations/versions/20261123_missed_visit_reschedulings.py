"""missed visits: the provider's reason and the visit that replaces it

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 13:50:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('visits', sa.Column('missed_reason', sa.Text(), nullable=True))
    op.add_column('visits', sa.Column('rescheduled_as', sa.UUID(), nullable=True))


def downgrade() -> None:
    op.drop_column('visits', 'rescheduled_as')
    op.drop_column('visits', 'missed_reason')
