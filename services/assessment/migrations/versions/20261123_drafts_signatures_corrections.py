"""drafts, signatures, corrections: the form while drafting (encrypted), the Annex C signatures,
and the link between a signed assessment and the one that supersedes it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:39:09.806751
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('assessments', sa.Column('draft_sealed', sa.Text(), nullable=True))
    op.add_column('assessments', sa.Column('signatures', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False))
    op.add_column('assessments', sa.Column('supersedes_id', sa.UUID(), nullable=True))
    op.add_column('assessments', sa.Column('superseded_by_id', sa.UUID(), nullable=True))
    op.create_unique_constraint(op.f('uq_assessments_supersedes_id'), 'assessments', ['supersedes_id'])


def downgrade() -> None:
    op.drop_constraint(op.f('uq_assessments_supersedes_id'), 'assessments', type_='unique')
    op.drop_column('assessments', 'superseded_by_id')
    op.drop_column('assessments', 'supersedes_id')
    op.drop_column('assessments', 'signatures')
    op.drop_column('assessments', 'draft_sealed')
