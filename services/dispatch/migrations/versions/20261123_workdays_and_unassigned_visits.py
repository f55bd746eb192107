"""caregivers' workdays; visits without a caregiver yet, with a window the planner may move them in

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:33:33.508927
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('caregivers', sa.Column('home_lat', sa.Float(), nullable=True))
    op.add_column('caregivers', sa.Column('home_lon', sa.Float(), nullable=True))
    op.add_column('caregivers', sa.Column('shift_start', sa.Time(), nullable=True))
    op.add_column('caregivers', sa.Column('shift_end', sa.Time(), nullable=True))
    op.add_column('caregivers', sa.Column('max_visits_per_day', sa.Integer(), nullable=True))
    op.add_column('caregivers', sa.Column('travel_mode', sa.String(length=16), nullable=True))
    op.create_check_constraint(
        op.f('ck_caregivers_workday_complete'),
        'caregivers',
        'num_nulls(home_lat, home_lon, shift_start, shift_end, max_visits_per_day, travel_mode) IN (0, 6)',
    )
    op.add_column('visits', sa.Column('window_start_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('visits', sa.Column('window_end_at', sa.DateTime(timezone=True), nullable=True))
    # Existing visits all have a caregiver; only new ones may wait for the planner.
    op.alter_column('visits', 'caregiver_id', existing_type=sa.UUID(), nullable=True)
    op.create_check_constraint(
        op.f('ck_visits_started_has_caregiver'), 'visits', "status = 'scheduled' OR caregiver_id IS NOT NULL"
    )
    op.create_check_constraint(
        op.f('ck_visits_window_complete'), 'visits', '(window_start_at IS NULL) = (window_end_at IS NULL)'
    )
    op.create_index(
        'ix_visits_unassigned',
        'visits',
        ['provider_id', 'scheduled_start_at'],
        unique=False,
        postgresql_where=sa.text('caregiver_id IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_visits_unassigned', table_name='visits', postgresql_where=sa.text('caregiver_id IS NULL'))
    op.drop_constraint(op.f('ck_visits_window_complete'), 'visits', type_='check')
    op.drop_constraint(op.f('ck_visits_started_has_caregiver'), 'visits', type_='check')
    # Fails while unassigned visits exist: assign or cancel them first.
    op.alter_column('visits', 'caregiver_id', existing_type=sa.UUID(), nullable=False)
    op.drop_column('visits', 'window_end_at')
    op.drop_column('visits', 'window_start_at')
    op.drop_constraint(op.f('ck_caregivers_workday_complete'), 'caregivers', type_='check')
    op.drop_column('caregivers', 'travel_mode')
    op.drop_column('caregivers', 'max_visits_per_day')
    op.drop_column('caregivers', 'shift_end')
    op.drop_column('caregivers', 'shift_start')
    op.drop_column('caregivers', 'home_lon')
    op.drop_column('caregivers', 'home_lat')
