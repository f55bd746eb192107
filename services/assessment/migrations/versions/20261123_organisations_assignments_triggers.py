"""organisations, assessors, assignments, triggers: assessment organisations and their assessors,
the organisation and two assessors assigned to a task, why and by what a reassessment was opened,
and when its routine reassessment was announced

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _timestamped() -> list[sa.Column]:
    return [
        sa.Column('id', sa.UUID(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('assessment_organisations',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('credit_code_needs_manual_check', sa.Boolean(), nullable=False),
    sa.Column('qualification', sa.Text(), nullable=False),
    sa.Column('regions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    *_timestamped(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_organisations')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_assessment_organisations_credit_code'))
    )
    op.create_table('assessors',
    sa.Column('organisation_id', sa.UUID(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('certificate_number', sa.String(length=64), nullable=False),
    sa.Column('certificate_expires_on', sa.Date(), nullable=False),
    sa.Column('medical_background', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    *_timestamped(),
    sa.ForeignKeyConstraint(['organisation_id'], ['assessment_organisations.id'], name=op.f('fk_assessors_organisation_id_assessment_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessors')),
    sa.UniqueConstraint('subject', name=op.f('uq_assessors_subject'))
    )
    op.create_index(op.f('ix_assessors_organisation_id'), 'assessors', ['organisation_id'], unique=False)
    op.add_column('assessments', sa.Column('organisation_id', sa.UUID(), nullable=True))
    op.add_column('assessments', sa.Column('assigned_assessors', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('assessments', sa.Column('assigned_by', sa.String(length=200), nullable=True))
    op.add_column('assessments', sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('assessments', sa.Column('reason_note', sa.Text(), nullable=True))
    op.add_column('assessments', sa.Column('trigger_ref', sa.String(length=100), nullable=True))
    op.add_column('assessments', sa.Column('reassessment_due_published_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_assessments_organisation_id'), 'assessments', ['organisation_id'], unique=False)
    op.create_unique_constraint(op.f('uq_assessments_trigger_ref'), 'assessments', ['trigger_ref'])


def downgrade() -> None:
    op.drop_constraint(op.f('uq_assessments_trigger_ref'), 'assessments', type_='unique')
    op.drop_index(op.f('ix_assessments_organisation_id'), table_name='assessments')
    for column in ('reassessment_due_published_at', 'trigger_ref', 'reason_note', 'assigned_at',
                   'assigned_by', 'assigned_assessors', 'organisation_id'):
        op.drop_column('assessments', column)
    op.drop_index(op.f('ix_assessors_organisation_id'), table_name='assessors')
    op.drop_table('assessors')
    op.drop_table('assessment_organisations')
