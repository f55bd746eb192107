"""beneficiary status history; one enrolment per person that is not terminated

A suspended beneficiary keeps the person's place: the unique index now covers every status but
``terminated``, so a person cannot be enrolled twice while suspended.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:31:26.172112
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('beneficiaries', sa.Column('status_history', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.drop_index('uq_beneficiaries_person_active', table_name='beneficiaries', postgresql_where="((status)::text = 'active'::text)")
    op.create_index('uq_beneficiaries_person_enrolled', 'beneficiaries', ['person_id'], unique=True, postgresql_where=sa.text("status <> 'terminated'"))


def downgrade() -> None:
    op.drop_index('uq_beneficiaries_person_enrolled', table_name='beneficiaries', postgresql_where=sa.text("status <> 'terminated'"))
    op.create_index('uq_beneficiaries_person_active', 'beneficiaries', ['person_id'], unique=True, postgresql_where="((status)::text = 'active'::text)")
    op.drop_column('beneficiaries', 'status_history')
