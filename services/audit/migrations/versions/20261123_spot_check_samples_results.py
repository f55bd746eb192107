"""spot-check samples per district and month (seeded), results of spot checks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 13:50:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spot_check_samples',
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('risks', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('drawn_by', sa.String(length=200), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deductions_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("method IN ('uniform', 'risk_weighted')", name=op.f('ck_spot_check_samples_method')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_samples')),
    sa.UniqueConstraint('district_code', 'period', name='uq_spot_check_samples_district_period')
    )
    op.add_column('spot_checks', sa.Column('sample_id', sa.UUID(), nullable=True))
    op.add_column('spot_checks', sa.Column('result_notes', sa.Text(), nullable=True))
    op.add_column('spot_checks', sa.Column('checked_by', sa.String(length=200), nullable=True))
    op.add_column('spot_checks', sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_spot_checks_sample_id'), 'spot_checks', ['sample_id'], unique=False)
    op.create_foreign_key(op.f('fk_spot_checks_sample_id_spot_check_samples'), 'spot_checks', 'spot_check_samples', ['sample_id'], ['id'])
    op.drop_constraint(op.f('ck_spot_checks_status'), 'spot_checks', type_='check')
    op.create_check_constraint(op.f('ck_spot_checks_status'), 'spot_checks', "status IN ('open', 'passed', 'failed')")


def downgrade() -> None:
    op.drop_constraint(op.f('ck_spot_checks_status'), 'spot_checks', type_='check')
    op.create_check_constraint(op.f('ck_spot_checks_status'), 'spot_checks', "status IN ('open')")
    op.drop_constraint(op.f('fk_spot_checks_sample_id_spot_check_samples'), 'spot_checks', type_='foreignkey')
    op.drop_index(op.f('ix_spot_checks_sample_id'), table_name='spot_checks')
    op.drop_column('spot_checks', 'checked_at')
    op.drop_column('spot_checks', 'checked_by')
    op.drop_column('spot_checks', 'result_notes')
    op.drop_column('spot_checks', 'sample_id')
    op.drop_table('spot_check_samples')
