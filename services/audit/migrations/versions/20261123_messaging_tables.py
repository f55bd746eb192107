"""messaging tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 07:28:39.110130
"""
from eldercare.common.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()


def downgrade() -> None:
    drop_messaging_tables_v1()
