"""the right date: how a hearing's date was checked, the coordinators' alert when it was not

Revision ID: 0009_right_date
Revises: 0008_double_submit
Create Date: 2026-12-06 11:05:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_right_date'
down_revision = '0008_double_submit'
branch_labels = None
depends_on = None

# MessageKind's values before this revision (0007's), and the one it adds.
OLD_KINDS = (
    'family_reminder', 'family_reminder_7d', 'family_reminder_3d', 'family_reminder_1d',
    'family_volunteer_confirmed', 'family_rescheduled', 'family_cancelled',
    'volunteer_claimed', 'volunteer_evening_before', 'volunteer_soon', 'volunteer_rescheduled',
    'volunteer_cancelled', 'volunteer_urgent_ask',
    'coordinator_detained', 'coordinator_late_release', 'coordinator_unfilled_digest',
    'coordinator_ride_request', 'coordinator_urgent_unfilled',
    'reply_confirmed', 'reply_ride', 'reply_urgent_covered', 'reply_urgent_declined',
    'reply_urgent_not_possible', 'staff_reply', 'reply_help', 'stop_confirmation', 'start_confirmation',
    'coordinator_family_stopped',
    'volunteer_approved', 'phone_code', 'password_code',
)
NEW_KINDS = ('coordinator_unverified_hearing',)


def _message_kind(column, kinds):
    return f"{column} IN ({', '.join(repr(kind) for kind in kinds)}) OR {column} LIKE 'family_reminder_%d'"


def _set_message_kinds(kinds):
    for table, column in (('outbound_messages', 'kind'), ('inbound_messages', 'answered_with')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_message_kind'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_message_kind'), _message_kind(column, kinds))


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_how', sa.Enum('eoir_line', 'eoir_portal', 'other', name='verify_method', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('verified_note', sa.String(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('verified_note', server_default=None)
    _set_message_kinds(OLD_KINDS + NEW_KINDS)


def downgrade():
    kinds = ", ".join(repr(kind) for kind in NEW_KINDS)
    op.execute(f"UPDATE inbound_messages SET answered_with = NULL WHERE answered_with IN ({kinds})")
    op.execute(f"DELETE FROM outbound_messages WHERE kind IN ({kinds})")
    _set_message_kinds(OLD_KINDS)
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_appointments_verify_method'), type_='check')
        batch_op.drop_column('verified_note')
        batch_op.drop_column('verified_how')
