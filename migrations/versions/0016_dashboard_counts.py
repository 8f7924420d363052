"""the dashboard's counts from indexes alone: hearing dates not verified, open families without SMS consent

Revision ID: 0016_dashboard_counts
Revises: 0015_case_checklist
Create Date: 2026-12-06 15:25:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_dashboard_counts'
down_revision = '0015_case_checklist'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_status_verified_on_kind_starts_at',
                              ['status', 'verified_on', 'kind', 'starts_at'], unique=False)
    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.create_index('ix_families_closed_at_sms_consent', ['closed_at', 'sms_consent'], unique=False)


def downgrade():
    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.drop_index('ix_families_closed_at_sms_consent')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_status_verified_on_kind_starts_at')
