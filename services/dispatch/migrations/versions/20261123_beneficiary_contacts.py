"""the beneficiary's contact shared by intake, sealed (the caregiver app, issue #5)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-23 16:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'beneficiary_contacts',
        sa.Column('beneficiary_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('district_code', sa.String(length=6), nullable=False),
        sa.Column('sealed', sa.Text(), nullable=False),
        sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('beneficiary_id', name=op.f('pk_beneficiary_contacts')),
    )


def downgrade() -> None:
    op.drop_table('beneficiary_contacts')
