"""health data sealed: the A.4.1 diagnoses and the specialist flag move into one encrypted column

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:31:50.579320

The plaintext columns are dropped. A migration has no keys, so it cannot encrypt existing values:
it refuses to run while any report holds a diagnosis or a specialist flag in plaintext (none
should: the skeleton ran only on synthetic data with no diagnoses). Reports without any read back
as "no diagnoses" (adapters/repository.py).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    held = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM assessments"
        " WHERE jsonb_array_length(coalesce(diagnoses, '[]'::jsonb)) > 0"
        " OR psychiatric_specialist_diagnosis"
    ))
    if held:
        raise RuntimeError(
            f"{held} assessment reports hold plaintext diagnoses; encrypt them before migration 0003"
        )
    op.add_column('assessments', sa.Column('health_data_sealed', sa.Text(), nullable=True))
    op.drop_column('assessments', 'psychiatric_specialist_diagnosis')
    op.drop_column('assessments', 'diagnoses')


def downgrade() -> None:
    # The sealed values cannot be decrypted here; a downgrade loses them (reports keep their levels).
    op.add_column('assessments', sa.Column('diagnoses', postgresql.JSONB(astext_type=sa.Text()), autoincrement=False, nullable=True))
    op.add_column('assessments', sa.Column('psychiatric_specialist_diagnosis', sa.BOOLEAN(), autoincrement=False, nullable=True))
    op.drop_column('assessments', 'health_data_sealed')
