"""survey responses on a versioned questionnaire

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 14:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_responses',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=16), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('beneficiary_id', sa.UUID(), nullable=False),
    sa.Column('visit_id', sa.UUID(), nullable=True),
    sa.Column('provider_id', sa.UUID(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finding_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('flag_id', sa.UUID(), nullable=True),
    sa.CheckConstraint("outcome IN ('reached', 'no_answer', 'refused', 'wrong_number')", name=op.f('ck_survey_responses_outcome')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses'))
    )
    op.create_index('ix_survey_responses_district_code_id', 'survey_responses', ['district_code', 'id'], unique=False)
    op.create_index(op.f('ix_survey_responses_beneficiary_id'), 'survey_responses', ['beneficiary_id'], unique=False)
    op.create_index(op.f('ix_survey_responses_visit_id'), 'survey_responses', ['visit_id'], unique=False)
    op.create_index(op.f('ix_survey_responses_provider_id'), 'survey_responses', ['provider_id'], unique=False)


def downgrade() -> None:
    op.drop_table('survey_responses')
