"""applications.receiving_since and earlier_service_since (长沙 第二十一条 第一款 and 第二款)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:49:32.905130
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('applications', sa.Column('receiving_since', sa.Date(), nullable=True))
    op.add_column('applications', sa.Column('earlier_service_since', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('applications', 'earlier_service_since')
    op.drop_column('applications', 'receiving_since')
