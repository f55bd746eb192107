"""the phone's clock when an app call left it (late syncs told from wrong clocks)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 15:20:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('caregiver_actions', sa.Column('device_sent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('caregiver_actions', 'device_sent_at')
