"""caregivers' sex and languages; a care plan's preferred caregiver sex for intimate care

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 15:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('caregivers', sa.Column('sex', sa.String(length=8), nullable=True))
    op.add_column('caregivers', sa.Column('languages', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.create_check_constraint(op.f('ck_caregivers_sex'), 'caregivers', "sex IN ('female', 'male')")
    op.add_column('care_plans', sa.Column('preferred_caregiver_sex', sa.String(length=8), nullable=True))
    op.create_check_constraint(
        op.f('ck_care_plans_preferred_caregiver_sex'), 'care_plans', "preferred_caregiver_sex IN ('female', 'male')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_care_plans_preferred_caregiver_sex'), 'care_plans', type_='check')
    op.drop_column('care_plans', 'preferred_caregiver_sex')
    op.drop_constraint(op.f('ck_caregivers_sex'), 'caregivers', type_='check')
    op.drop_column('caregivers', 'languages')
    op.drop_column('caregivers', 'sex')
