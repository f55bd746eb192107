"""accounts: when and why a month's account was closed (the month ended, or the beneficiary was
terminated), so AccountClosed is published once; an index for the sweep of open accounts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 14:45:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('accounts', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('accounts', sa.Column('close_reason', sa.String(length=16), nullable=True))
    op.create_check_constraint(
        op.f('ck_accounts_close_reason'),
        'accounts',
        "(closed_at IS NULL AND close_reason IS NULL)"
        " OR (closed_at IS NOT NULL AND close_reason IN ('month_ended', 'terminated'))",
    )
    op.create_index(
        'ix_accounts_open_period', 'accounts', ['period', 'id'], unique=False,
        postgresql_where=sa.text('closed_at IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_accounts_open_period', table_name='accounts', postgresql_where=sa.text('closed_at IS NULL'))
    op.drop_constraint(op.f('ck_accounts_close_reason'), 'accounts', type_='check')
    op.drop_column('accounts', 'close_reason')
    op.drop_column('accounts', 'closed_at')
