"""audit: the photo hashes of completed visits, for the reused_photo fraud signal

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23 17:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The key leads with the hash: "which other visits carry this photo" is an index lookup.
    op.create_table('audit_visit_photos',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', 'visit_id', name=op.f('pk_audit_visit_photos'))
    )
    op.create_index('ix_audit_visit_photos_visit_id', 'audit_visit_photos', ['visit_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_visit_photos_visit_id', table_name='audit_visit_photos')
    op.drop_table('audit_visit_photos')
