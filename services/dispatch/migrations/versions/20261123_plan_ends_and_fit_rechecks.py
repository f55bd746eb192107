"""the end of a care plan and plans re-checked against later prices and entitlements: a pending
termination on the beneficiary projection, the day a plan's fit was checked, each version's fit

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-23 16:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('beneficiaries', sa.Column('termination_effective_on', sa.Date(), nullable=True))
    # The worker's sweep of terminations whose day has come.
    op.create_index(
        'ix_beneficiaries_terminated_effective_on',
        'beneficiaries',
        ['termination_effective_on'],
        postgresql_where=sa.text("status = 'terminated'"),
    )
    op.add_column('care_plans', sa.Column('fit_checked_on', sa.Date(), nullable=True))
    op.create_index(
        'ix_care_plans_fit_status_id', 'care_plans', ['fit_status', 'id'], postgresql_where=sa.text("status = 'active'")
    )
    op.add_column('care_plan_versions', sa.Column('minutes_per_visit', sa.Integer(), nullable=True))
    op.add_column('care_plan_versions', sa.Column('self_paid_per_month', sa.Integer(), nullable=True))
    op.add_column('care_plan_versions', sa.Column('fit_status', sa.String(length=16), nullable=True))
    op.add_column('care_plan_versions', sa.Column('fit_monthly_cost_fen', sa.Integer(), nullable=True))
    op.add_column('care_plan_versions', sa.Column('fit_monthly_minutes', sa.Integer(), nullable=True))
    op.add_column('care_plan_versions', sa.Column('fit_note', sa.Text(), nullable=True))
    op.add_column('care_plan_versions', sa.Column('fit_checked_on', sa.Date(), nullable=True))
    # The current version's check, as it was made when the version took effect (revision 0016
    # kept it on the plan row only); older versions stay null: their check was not kept.
    op.execute(
        """
        UPDATE care_plan_versions v
           SET minutes_per_visit = p.minutes_per_visit,
               self_paid_per_month = p.self_paid_per_month,
               fit_status = p.fit_status,
               fit_monthly_cost_fen = p.fit_monthly_cost_fen,
               fit_monthly_minutes = p.fit_monthly_minutes,
               fit_note = p.fit_note
          FROM care_plans p
         WHERE v.care_plan_id = p.id AND v.version = p.plan_version
        """
    )


def downgrade() -> None:
    for column in (
        'fit_checked_on', 'fit_note', 'fit_monthly_minutes', 'fit_monthly_cost_fen', 'fit_status',
        'self_paid_per_month', 'minutes_per_visit',
    ):
        op.drop_column('care_plan_versions', column)
    op.drop_index('ix_care_plans_fit_status_id', table_name='care_plans')
    op.drop_column('care_plans', 'fit_checked_on')
    op.drop_index('ix_beneficiaries_terminated_effective_on', table_name='beneficiaries')
    op.drop_column('beneficiaries', 'termination_effective_on')
