"""beneficiaries: the assessment behind the level and the entitlement history (reassessment and
policy re-evaluation change the entitlement from the next month, issue #3); the city platform's
external reference unique per client

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('beneficiaries', sa.Column('assessment_id', postgresql.UUID(as_uuid=True), nullable=True))
    op.add_column('beneficiaries', sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'beneficiaries',
        sa.Column(
            'entitlement_history',
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.create_index(
        'uq_applications_submitter_external_ref',
        'applications',
        ['submitted_by', 'external_ref'],
        unique=True,
        postgresql_where=sa.text('external_ref IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('uq_applications_submitter_external_ref', table_name='applications')
    op.drop_column('beneficiaries', 'entitlement_history')
    op.drop_column('beneficiaries', 'assessed_at')
    op.drop_column('beneficiaries', 'assessment_id')
