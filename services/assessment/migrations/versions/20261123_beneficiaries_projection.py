"""beneficiaries projection: who is enrolled (from intake's beneficiary events), so that an
emergency naming a beneficiary can open an immediate reassessment of the person

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('beneficiaries',
    sa.Column('person_id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('community_code', sa.String(length=12), nullable=False),
    sa.Column('masked_id_number', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiaries'))
    )
    op.create_index(op.f('ix_beneficiaries_person_id'), 'beneficiaries', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_beneficiaries_person_id'), table_name='beneficiaries')
    op.drop_table('beneficiaries')
