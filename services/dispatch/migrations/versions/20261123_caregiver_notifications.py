"""caregivers' notification feeds (emergency requests, visits booked, moved or cancelled) and the
push gateway's delivery state

Revision ID: 0019
Revises: 0016
Create Date: 2026-11-23 16:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'caregiver_notifications',
        sa.Column('id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('caregiver_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('provider_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('visit_id', postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column('emergency_id', postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('push_status', sa.String(length=16), server_default=sa.text("'pending'"), nullable=False),
        sa.Column('push_attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('push_next_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('push_error', sa.Text(), nullable=True),
        sa.CheckConstraint(
            "push_status IN ('pending', 'delivered', 'failed', 'expired')",
            name=op.f('ck_caregiver_notifications_push_status'),
        ),
        sa.ForeignKeyConstraint(
            ['caregiver_id'], ['caregivers.id'],
            name=op.f('fk_caregiver_notifications_caregiver_id_caregivers'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_caregiver_notifications')),
        sa.UniqueConstraint('caregiver_id', 'seq', name='uq_caregiver_notifications_caregiver_id_seq'),
    )
    op.create_index(
        'ix_caregiver_notifications_push_due', 'caregiver_notifications', ['push_next_at'],
        unique=False, postgresql_where=sa.text("push_status = 'pending'"),
    )
    op.create_table(
        'caregiver_notification_feeds',
        sa.Column('caregiver_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=False),
        sa.Column('acknowledged_seq', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['caregiver_id'], ['caregivers.id'],
            name=op.f('fk_caregiver_notification_feeds_caregiver_id_caregivers'),
        ),
        sa.PrimaryKeyConstraint('caregiver_id', name=op.f('pk_caregiver_notification_feeds')),
    )


def downgrade() -> None:
    op.drop_table('caregiver_notification_feeds')
    op.drop_index('ix_caregiver_notifications_push_due', table_name='caregiver_notifications')
    op.drop_table('caregiver_notifications')
