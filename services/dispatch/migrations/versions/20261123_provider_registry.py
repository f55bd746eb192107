"""provider registry: 第七条 condition facts, contracted districts, price list; caregiver trainings, skills, contract

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-23 17:00:00.000000

Providers already registered keep getting work while their 第七条 facts are being recorded:
``registered_before_conditions`` is true for them (a condition never recorded does not stop them;
one recorded as not met or expired does). Providers registered from now on need every fact.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get true, then the default becomes false for the providers registered from now.
    op.add_column('providers', sa.Column('registered_before_conditions', sa.Boolean(), server_default=sa.text('true'), nullable=False))
    op.alter_column('providers', 'registered_before_conditions', server_default=sa.text('false'))
    op.add_column('providers', sa.Column('contracted_district_codes', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.add_column('providers', sa.Column('price_list_id', postgresql.UUID(as_uuid=True), nullable=True))
    op.add_column('caregivers', sa.Column('trainings', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.add_column('caregivers', sa.Column('skills', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.add_column('caregivers', sa.Column('contract_starts_on', sa.Date(), nullable=True))
    op.add_column('caregivers', sa.Column('contract_ends_on', sa.Date(), nullable=True))
    op.create_table(
        'provider_condition_facts',
        sa.Column('id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('provider_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('document_ref', sa.String(length=200), nullable=False),
        sa.Column('document_sha256', sa.String(length=64), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('met', 'not_met')", name=op.f('ck_provider_condition_facts_status')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_provider_condition_facts_provider_id_providers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_condition_facts')),
    )
    op.create_index('ix_provider_condition_facts_provider', 'provider_condition_facts', ['provider_id', 'code', 'recorded_at'])


def downgrade() -> None:
    op.drop_index('ix_provider_condition_facts_provider', table_name='provider_condition_facts')
    op.drop_table('provider_condition_facts')
    for column in ('contract_ends_on', 'contract_starts_on', 'skills', 'trainings'):
        op.drop_column('caregivers', column)
    for column in ('price_list_id', 'contracted_district_codes', 'registered_before_conditions'):
        op.drop_column('providers', column)
