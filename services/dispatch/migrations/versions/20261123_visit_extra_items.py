"""items done at a visit beyond the care plan, each with the caregiver's reason

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('visits', sa.Column('extra_items', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))


def downgrade() -> None:
    op.drop_column('visits', 'extra_items')
