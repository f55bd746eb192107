"""rating formulas (published, versioned) and provider ratings per district and month

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 14:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rating_formulas',
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('weights', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('grades', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('on_time_minutes', sa.Integer(), nullable=False),
    sa.Column('published_by', sa.String(length=200), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_rating_formulas'))
    )
    op.create_table('provider_ratings',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('formula_version', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('grade', sa.String(length=16), nullable=False),
    sa.Column('metrics', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('weights_used', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('inputs', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('rated_by', sa.String(length=200), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['formula_version'], ['rating_formulas.version'], name=op.f('fk_provider_ratings_formula_version_rating_formulas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_ratings')),
    sa.UniqueConstraint('district_code', 'period', 'provider_id', 'formula_version', name='uq_provider_ratings_once')
    )
    op.create_index('ix_provider_ratings_district_code_period', 'provider_ratings', ['district_code', 'period'], unique=False)
    op.create_index(op.f('ix_provider_ratings_provider_id'), 'provider_ratings', ['provider_id'], unique=False)


def downgrade() -> None:
    op.drop_table('provider_ratings')
    op.drop_table('rating_formulas')
