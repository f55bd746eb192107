"""roster_imports and person_circumstances: the bureau's rosters (e.g. 低保) marking circumstances
on persons (issue #3)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('roster_imports',
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('applied', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('unmatched', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('failed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('errors', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('rows_sealed', sa.Text(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done')", name=op.f('ck_roster_imports_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_imports')),
    )
    op.create_index('ix_roster_imports_due', 'roster_imports', ['id'], postgresql_where=sa.text("status <> 'done'"))
    op.create_table('person_circumstances',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('person_id', sa.UUID(), nullable=False),
    sa.Column('circumstance', sa.String(length=40), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_import_id', sa.UUID(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_circumstances_person_id_persons')),
    sa.ForeignKeyConstraint(['source_import_id'], ['roster_imports.id'], name=op.f('fk_person_circumstances_source_import_id_roster_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_circumstances')),
    )
    op.create_index('uq_person_circumstances', 'person_circumstances', ['person_id', 'circumstance', 'valid_from'], unique=True)


def downgrade() -> None:
    op.drop_table('person_circumstances')
    op.drop_table('roster_imports')
