"""statements (结算单) and their lines; visit and entitlement provenance kept for tracing

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:24:30.308651
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('statements',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('gross_fen', sa.BigInteger(), nullable=False),
    sa.Column('covered_fen', sa.BigInteger(), nullable=False),
    sa.Column('self_pay_fen', sa.BigInteger(), nullable=False),
    sa.Column('adjusted_fen', sa.BigInteger(), nullable=False),
    sa.Column('charge_count', sa.Integer(), nullable=False),
    sa.Column('adjustment_count', sa.Integer(), nullable=False),
    sa.Column('withheld_count', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'issued') = (issued_at IS NOT NULL AND issued_by IS NOT NULL)", name=op.f('ck_statements_issued')),
    sa.CheckConstraint("status IN ('preview', 'issued')", name=op.f('ck_statements_status')),
    sa.ForeignKeyConstraint(['id'], ['settlements.id'], name=op.f('fk_statements_id_settlements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements'))
    )
    op.create_index('ix_statements_provider_id_district_code_period', 'statements', ['provider_id', 'district_code', 'period'], unique=False)
    op.create_table('statement_lines',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('statement_id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('charge_id', sa.UUID(), nullable=False),
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.Column('beneficiary_id', sa.UUID(), nullable=False),
    sa.Column('service_code', sa.String(length=32), nullable=False),
    sa.Column('visit_on', sa.Date(), nullable=False),
    sa.Column('charge_period', sa.String(length=7), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=True),
    sa.Column('unit_price_fen', sa.BigInteger(), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('covered_fen', sa.BigInteger(), nullable=False),
    sa.Column('self_pay_fen', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.CheckConstraint("kind IN ('charge', 'adjustment', 'withheld')", name=op.f('ck_statement_lines_kind')),
    sa.CheckConstraint('covered_fen + self_pay_fen = amount_fen', name=op.f('ck_statement_lines_split_adds_up')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_lines_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_lines')),
    sa.UniqueConstraint('statement_id', 'charge_id', 'kind', name='uq_statement_lines_charge_kind')
    )
    op.create_index('ix_statement_lines_charge_id', 'statement_lines', ['charge_id'], unique=False)
    op.add_column('charges', sa.Column('care_plan_id', sa.UUID(), nullable=True))
    op.add_column('charges', sa.Column('caregiver_id', sa.UUID(), nullable=True))
    op.add_column('charges', sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('charges', sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('entitlements', sa.Column('application_id', sa.UUID(), nullable=True))
    op.add_column('entitlements', sa.Column('assessment_level', sa.Integer(), nullable=True))
    op.add_column('entitlements', sa.Column('policy_pack_id', sa.String(length=64), nullable=True))
    op.add_column('entitlements', sa.Column('policy_version', sa.String(length=32), nullable=True))
    op.add_column('entitlements', sa.Column('basis', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False))



def downgrade() -> None:

    op.drop_column('entitlements', 'basis')
    op.drop_column('entitlements', 'policy_version')
    op.drop_column('entitlements', 'policy_pack_id')
    op.drop_column('entitlements', 'assessment_level')
    op.drop_column('entitlements', 'application_id')
    op.drop_column('charges', 'checked_out_at')
    op.drop_column('charges', 'checked_in_at')
    op.drop_column('charges', 'caregiver_id')
    op.drop_column('charges', 'care_plan_id')
    op.drop_index('ix_statement_lines_charge_id', table_name='statement_lines')
    op.drop_table('statement_lines')
    op.drop_index('ix_statements_provider_id_district_code_period', table_name='statements')
    op.drop_table('statements')

