"""health data reads: the log of unmasked disclosures (who, which fields of which assessment,
when, why; field names only)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 13:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('health_data_reads',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('roles', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('resource', sa.String(length=32), nullable=False),
    sa.Column('assessment_id', sa.UUID(), nullable=False),
    sa.Column('fields', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_data_reads'))
    )
    op.create_index(op.f('ix_health_data_reads_assessment_id'), 'health_data_reads', ['assessment_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_health_data_reads_assessment_id'), table_name='health_data_reads')
    op.drop_table('health_data_reads')
