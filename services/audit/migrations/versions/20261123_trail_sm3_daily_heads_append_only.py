"""trail: hash algorithm per entry (SM3 from now on), the published daily heads, and audit_entries
append-only at the database level

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:35:15.657750
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_daily_heads',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('hash_alg', sa.String(length=16), nullable=False),
    sa.Column('entries_on_day', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_audit_daily_heads'))
    )
    # Every entry written so far was hashed with SHA-256; the default only fills them in and is
    # dropped at once, so a writer that forgets the algorithm fails instead of mislabelling a row.
    op.add_column('audit_entries', sa.Column('hash_alg', sa.String(length=16), nullable=False, server_default='sha256'))
    op.alter_column('audit_entries', 'hash_alg', server_default=None)
    op.create_check_constraint(op.f('ck_audit_entries_hash_alg'), 'audit_entries', "hash_alg IN ('sha256', 'sm3')")
    # Append-only: the service's role owns the table (one role per database here), so a REVOKE
    # would not bind it; a trigger refuses UPDATE, DELETE and TRUNCATE for every role. A superuser
    # can still switch triggers off (session_replication_role); verification then finds the tamper.
    op.execute(
        """
        CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_entries_no_update_delete BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
    op.execute("DROP TRIGGER audit_entries_no_update_delete ON audit_entries")
    op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_constraint(op.f('ck_audit_entries_hash_alg'), 'audit_entries', type_='check')
    op.drop_column('audit_entries', 'hash_alg')
    op.drop_table('audit_daily_heads')
