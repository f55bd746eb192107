"""recognition: the external result (mutual recognition, Xiangtan 第七条) that closed a task, with
its provenance

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:55:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('assessments', sa.Column('recognition', postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column('assessments', 'recognition')
