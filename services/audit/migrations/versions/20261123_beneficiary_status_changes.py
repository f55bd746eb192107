"""audit: the beneficiaries' status history (effective dates), for visits while suspended

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 15:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_beneficiary_status_changes',
    sa.Column('beneficiary_id', sa.UUID(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.PrimaryKeyConstraint('beneficiary_id', 'changed_at', 'effective_on', 'status', name=op.f('pk_audit_beneficiary_status_changes'))
    )
    op.create_index('ix_audit_beneficiary_status_changes_district_code', 'audit_beneficiary_status_changes', ['district_code', 'effective_on'], unique=False)
    # The history starts with what audit_beneficiaries holds: each beneficiary's latest status.
    op.execute(
        "INSERT INTO audit_beneficiary_status_changes (beneficiary_id, changed_at, effective_on, status, district_code) "
        "SELECT beneficiary_id, changed_at, effective_on, status, district_code FROM audit_beneficiaries"
    )


def downgrade() -> None:
    op.drop_index('ix_audit_beneficiary_status_changes_district_code', table_name='audit_beneficiary_status_changes')
    op.drop_table('audit_beneficiary_status_changes')
