"""vital signs recorded at a health-monitoring visit, sealed (health data, encrypted at rest)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 13:55:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('visits', sa.Column('vital_signs_sealed', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('visits', 'vital_signs_sealed')
