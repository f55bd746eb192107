"""emergency calls: the caregivers notified in turn and the escalation to the provider's 24-hour line

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:45:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('emergencies', sa.Column('notified_caregiver_ids', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.add_column('emergencies', sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('emergencies', sa.Column('escalated_to_line_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('emergencies', 'escalated_to_line_at')
    op.drop_column('emergencies', 'notified_at')
    op.drop_column('emergencies', 'notified_caregiver_ids')
