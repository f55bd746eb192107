"""provider_sanctions: sanctions audit imposed on providers (Changsha 第十八条), one row per sanction

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:17:04.527700
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider_sanctions',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('sanction_id', sa.UUID(), nullable=False),
    sa.Column('notice_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('measures', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('finding_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('finding_types', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('basis', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('imposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_sanctions')),
    sa.UniqueConstraint('sanction_id', name=op.f('uq_provider_sanctions_sanction_id'))
    )
    op.create_index('ix_provider_sanctions_provider_id_district_code', 'provider_sanctions', ['provider_id', 'district_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_provider_sanctions_provider_id_district_code', table_name='provider_sanctions')
    op.drop_table('provider_sanctions')
