"""persons.false_declaration_at: the flag a false-material rejection sets (乌海 第三十二条)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:35:37.862598
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('persons', sa.Column('false_declaration_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('persons', 'false_declaration_at')
