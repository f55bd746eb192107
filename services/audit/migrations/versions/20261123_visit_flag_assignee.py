"""visit flags: the investigator the flag is assigned to

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 14:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('visit_flags', sa.Column('assignee', sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column('visit_flags', 'assignee')
