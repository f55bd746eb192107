"""audit trail: expression indexes for the timelines of a beneficiary, provider or caregiver

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 14:40:00.000000
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

PARTIES = ('beneficiary', 'provider', 'caregiver')


def upgrade() -> None:
    for party in PARTIES:
        op.execute(
            f"CREATE INDEX ix_audit_entries_{party}_id ON audit_entries ((summary ->> '{party}_id'), seq)"
        )


def downgrade() -> None:
    for party in PARTIES:
        op.execute(f"DROP INDEX ix_audit_entries_{party}_id")
