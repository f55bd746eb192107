"""audit trail: one hash chain per tenant (district), the pre-existing entries kept as the
"legacy" chain, chain heads and published daily heads per chain

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 14:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every entry written so far belongs to the single global chain, which stays verifiable as it
    # is under the name "legacy": no stored hash is rewritten. The append-only trigger refuses
    # UPDATE on audit_entries, so the column is filled by its default, which is then dropped (a
    # writer that forgets the chain fails instead of landing in the legacy chain).
    op.add_column('audit_entries', sa.Column('chain', sa.String(length=16), nullable=False, server_default='legacy'))
    op.alter_column('audit_entries', 'chain', server_default=None)
    op.drop_constraint('uq_audit_entries_seq', 'audit_entries', type_='unique')
    op.create_unique_constraint('uq_audit_entries_chain_seq', 'audit_entries', ['chain', 'seq'])
    # Lists and timelines read across chains in recording order (uuid7 ids), not by seq.
    op.create_index('ix_audit_entries_district_code_id', 'audit_entries', ['district_code', 'id'])
    for party in ('beneficiary', 'provider', 'caregiver'):
        op.execute(f"DROP INDEX ix_audit_entries_{party}_id")
        op.execute(
            f"CREATE INDEX ix_audit_entries_{party}_id ON audit_entries ((summary ->> '{party}_id'), id)"
        )
    op.drop_index('ix_audit_entries_district_code_seq', 'audit_entries')
    op.drop_index('ix_audit_entries_subject_seq', 'audit_entries')
    op.create_index('ix_audit_entries_subject_id', 'audit_entries', ['subject', 'id'])

    op.create_table('audit_chain_heads',
    sa.Column('chain', sa.String(length=16), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chain_heads'))
    )
    op.execute(
        "INSERT INTO audit_chain_heads (chain, last_seq, last_hash) "
        "SELECT 'legacy', last_seq, last_hash FROM audit_chain_head WHERE id = 1"
    )
    op.drop_table('audit_chain_head')

    op.add_column('audit_daily_heads', sa.Column('chain', sa.String(length=16), nullable=False, server_default='legacy'))
    op.alter_column('audit_daily_heads', 'chain', server_default=None)
    op.drop_constraint('pk_audit_daily_heads', 'audit_daily_heads', type_='primary')
    op.create_primary_key('pk_audit_daily_heads', 'audit_daily_heads', ['day', 'chain'])


def downgrade() -> None:
    # Only possible while every entry is still in the legacy chain.
    op.drop_constraint('pk_audit_daily_heads', 'audit_daily_heads', type_='primary')
    op.execute("DELETE FROM audit_daily_heads WHERE chain <> 'legacy'")
    op.create_primary_key('pk_audit_daily_heads', 'audit_daily_heads', ['day'])
    op.drop_column('audit_daily_heads', 'chain')
    op.create_table('audit_chain_head',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.execute(
        "INSERT INTO audit_chain_head (id, last_seq, last_hash) "
        "SELECT 1, last_seq, last_hash FROM audit_chain_heads WHERE chain = 'legacy'"
    )
    op.drop_table('audit_chain_heads')
    op.drop_index('ix_audit_entries_subject_id', 'audit_entries')
    op.create_index('ix_audit_entries_subject_seq', 'audit_entries', ['subject', 'seq'])
    op.create_index('ix_audit_entries_district_code_seq', 'audit_entries', ['district_code', 'seq'])
    for party in ('beneficiary', 'provider', 'caregiver'):
        op.execute(f"DROP INDEX ix_audit_entries_{party}_id")
        op.execute(
            f"CREATE INDEX ix_audit_entries_{party}_id ON audit_entries ((summary ->> '{party}_id'), seq)"
        )
    op.drop_index('ix_audit_entries_district_code_id', 'audit_entries')
    op.drop_constraint('uq_audit_entries_chain_seq', 'audit_entries', type_='unique')
    op.create_unique_constraint('uq_audit_entries_seq', 'audit_entries', ['seq'])
    op.drop_column('audit_entries', 'chain')
