"""caregivers' days off (ISO weekdays), empty for every caregiver already registered

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:27.202362
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('caregivers', sa.Column('days_off', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))


def downgrade() -> None:
    op.drop_column('caregivers', 'days_off')
