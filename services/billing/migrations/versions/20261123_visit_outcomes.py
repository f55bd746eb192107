"""visit outcomes (cancellations, verification reviews), audit's visit flags, fund recoveries, claim
samples, entitlement changes, reversed charges, and statement lines for withholding, recovery,
fines and deductions; background export jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_SPLIT = (
    "(status = 'posted' AND amount_fen IS NOT NULL AND covered_fen >= 0 AND beneficiary_pays_fen >= 0"
    " AND covered_fen + beneficiary_pays_fen = amount_fen) OR (status <> 'posted' AND amount_fen IS NULL"
    " AND covered_fen IS NULL AND beneficiary_pays_fen IS NULL)"
)
NEW_SPLIT = (
    "(status IN ('posted', 'reversed') AND amount_fen IS NOT NULL AND covered_fen >= 0"
    " AND beneficiary_pays_fen >= 0 AND covered_fen + beneficiary_pays_fen = amount_fen)"
    " OR (status NOT IN ('posted', 'reversed') AND amount_fen IS NULL AND covered_fen IS NULL"
    " AND beneficiary_pays_fen IS NULL)"
)
OLD_STATUS = "status IN ('awaiting_entitlement', 'posted', 'held', 'unpriced')"
NEW_STATUS = "status IN ('awaiting_entitlement', 'posted', 'held', 'unpriced', 'reversed')"
OLD_KIND = "kind IN ('charge', 'adjustment', 'withheld')"
NEW_KIND = "kind IN ('charge', 'adjustment', 'withheld', 'recovery', 'fine', 'deduction')"


def upgrade() -> None:
    # Charges: a posted charge whose visit was cancelled or voided is reversed (amounts kept).
    op.drop_constraint(op.f('ck_charges_split_adds_up'), 'charges', type_='check')
    op.drop_constraint(op.f('ck_charges_status'), 'charges', type_='check')
    op.create_check_constraint(op.f('ck_charges_split_adds_up'), 'charges', NEW_SPLIT)
    op.create_check_constraint(op.f('ck_charges_status'), 'charges', NEW_STATUS)
    op.add_column('charges', sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('charges', sa.Column('outcome_note', sa.String(length=500), nullable=True))

    op.create_table('visit_outcomes',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('by', sa.String(length=200), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('cancelled', 'missed', 'voided', 'accepted', 'rejected')", name=op.f('ck_visit_outcomes_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_outcomes')),
    sa.UniqueConstraint('visit_id', 'kind', name='uq_visit_outcomes_visit_kind')
    )

    op.create_table('visit_flags',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('flag_id', sa.UUID(), nullable=False),
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=True),
    sa.Column('signal', sa.String(length=200), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('finding_id', sa.UUID(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('cleared', 'confirmed')", name=op.f('ck_visit_flags_outcome')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_flags')),
    sa.UniqueConstraint('flag_id', name=op.f('uq_visit_flags_flag_id'))
    )
    op.create_index('ix_visit_flags_visit_id', 'visit_flags', ['visit_id'], unique=False)

    op.create_table('fund_recoveries',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('recovery_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('finding_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('visit_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('fine_rate_percent', sa.Integer(), nullable=True),
    sa.Column('basis', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('fine_rate_percent IS NULL OR fine_rate_percent BETWEEN 10 AND 50', name=op.f('ck_fund_recoveries_fine_rate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_recoveries')),
    sa.UniqueConstraint('recovery_id', name=op.f('uq_fund_recoveries_recovery_id'))
    )
    op.create_table('recovery_visits',
    sa.Column('recovery_id', sa.UUID(), nullable=False),
    sa.Column('visit_id', sa.UUID(), nullable=False),
    sa.Column('fine_rate_percent', sa.Integer(), nullable=True),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('recovery_id', 'visit_id', name=op.f('pk_recovery_visits'))
    )
    op.create_index('ix_recovery_visits_visit_id', 'recovery_visits', ['visit_id'], unique=False)

    op.create_table('claim_samples',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('sample_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('seed', sa.String(length=200), nullable=False),
    sa.Column('sampled_visit_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('failed_visit_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('sampled', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('basis', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.CheckConstraint('sampled >= 1 AND failed >= 0 AND failed <= sampled', name=op.f('ck_claim_samples_counts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_samples')),
    sa.UniqueConstraint('sample_id', name=op.f('uq_claim_samples_sample_id'))
    )
    op.create_index('ix_claim_samples_provider_id_district_code', 'claim_samples', ['provider_id', 'district_code'], unique=False)

    op.add_column('entitlements', sa.Column('assessment_id', sa.UUID(), nullable=True))
    op.create_table('entitlement_changes',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('beneficiary_id', sa.UUID(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('monthly_amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('assessment_id', sa.UUID(), nullable=True),
    sa.Column('assessment_level', sa.Integer(), nullable=False),
    sa.Column('policy_pack_id', sa.String(length=64), nullable=False),
    sa.Column('policy_version', sa.String(length=32), nullable=False),
    sa.Column('basis', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement_changes')),
    sa.UniqueConstraint('beneficiary_id', 'effective_on', 'changed_at', name='uq_entitlement_changes_once')
    )

    op.drop_constraint(op.f('ck_statement_lines_kind'), 'statement_lines', type_='check')
    op.create_check_constraint(op.f('ck_statement_lines_kind'), 'statement_lines', NEW_KIND)
    op.add_column('statement_lines', sa.Column('ref_id', sa.UUID(), nullable=True))
    op.add_column('statement_lines', sa.Column('withheld_fen', sa.BigInteger(), server_default='0', nullable=False))
    op.add_column('statement_lines', sa.Column('detail', sa.String(length=500), nullable=True))
    op.create_index('ix_statement_lines_ref_id', 'statement_lines', ['ref_id'], unique=False)
    for column in ('withheld_fen', 'recovered_fen', 'deducted_fen'):
        op.add_column('statements', sa.Column(column, sa.BigInteger(), server_default='0', nullable=False))

    op.create_table('export_jobs',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('statement_id', sa.UUID(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('total_lines', sa.Integer(), nullable=False),
    sa.Column('done_lines', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("format IN ('csv', 'xlsx', 'pdf')", name=op.f('ck_export_jobs_format')),
    sa.CheckConstraint("status IN ('queued', 'running', 'ready', 'failed')", name=op.f('ck_export_jobs_status')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_export_jobs_statement_id_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )


def downgrade() -> None:
    op.drop_table('export_jobs')
    for column in ('deducted_fen', 'recovered_fen', 'withheld_fen'):
        op.drop_column('statements', column)
    op.drop_index('ix_statement_lines_ref_id', table_name='statement_lines')
    op.drop_column('statement_lines', 'detail')
    op.drop_column('statement_lines', 'withheld_fen')
    op.drop_column('statement_lines', 'ref_id')
    op.execute("DELETE FROM statement_lines WHERE kind IN ('recovery', 'fine', 'deduction')")
    op.drop_constraint(op.f('ck_statement_lines_kind'), 'statement_lines', type_='check')
    op.create_check_constraint(op.f('ck_statement_lines_kind'), 'statement_lines', OLD_KIND)
    op.drop_table('entitlement_changes')
    op.drop_column('entitlements', 'assessment_id')
    op.drop_index('ix_claim_samples_provider_id_district_code', table_name='claim_samples')
    op.drop_table('claim_samples')
    op.drop_index('ix_recovery_visits_visit_id', table_name='recovery_visits')
    op.drop_table('recovery_visits')
    op.drop_table('fund_recoveries')
    op.drop_index('ix_visit_flags_visit_id', table_name='visit_flags')
    op.drop_table('visit_flags')
    op.drop_table('visit_outcomes')
    op.drop_column('charges', 'outcome_note')
    op.drop_column('charges', 'reversed_at')
    op.drop_constraint(op.f('ck_charges_status'), 'charges', type_='check')
    op.drop_constraint(op.f('ck_charges_split_adds_up'), 'charges', type_='check')
    op.execute("UPDATE charges SET status = 'held', amount_fen = NULL, covered_fen = NULL, beneficiary_pays_fen = NULL WHERE status = 'reversed'")
    op.create_check_constraint(op.f('ck_charges_status'), 'charges', OLD_STATUS)
    op.create_check_constraint(op.f('ck_charges_split_adds_up'), 'charges', OLD_SPLIT)
