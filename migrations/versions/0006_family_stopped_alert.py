"""message kind coordinator_family_stopped: the CHECK constraints on message kinds take it

Revision ID: 0006_family_stopped_alert
Revises: 0005_enrollment_per_session
Create Date: 2026-12-06 10:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_family_stopped_alert'
down_revision = '0005_enrollment_per_session'
branch_labels = None
depends_on = None

# MessageKind's values before this revision (as 0004 wrote them), and the one it adds.
PREVIOUS_KINDS = (
    'family_reminder', 'family_reminder_7d', 'family_reminder_3d', 'family_reminder_1d',
    'family_volunteer_confirmed', 'family_rescheduled', 'family_cancelled',
    'volunteer_claimed', 'volunteer_evening_before', 'volunteer_soon', 'volunteer_rescheduled',
    'volunteer_cancelled', 'volunteer_urgent_ask',
    'coordinator_detained', 'coordinator_late_release', 'coordinator_unfilled_digest',
    'coordinator_ride_request', 'coordinator_urgent_unfilled',
    'reply_confirmed', 'reply_ride', 'reply_urgent_covered', 'reply_urgent_declined',
    'reply_urgent_not_possible', 'staff_reply', 'reply_help', 'stop_confirmation', 'start_confirmation',
)
MESSAGE_KINDS = PREVIOUS_KINDS + ('coordinator_family_stopped',)
COLUMNS = (('outbound_messages', 'kind'), ('inbound_messages', 'answered_with'))


def _message_kind(column, kinds):
    return (f"{column} IN ({', '.join(repr(kind) for kind in kinds)}) "
            f"OR {column} LIKE 'family_reminder_%d'")


def _replace_checks(kinds):
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_message_kind'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_message_kind'), _message_kind(column, kinds))


def upgrade():
    _replace_checks(MESSAGE_KINDS)


def downgrade():
    op.execute("DELETE FROM outbound_messages WHERE kind = 'coordinator_family_stopped'")
    _replace_checks(PREVIOUS_KINDS)
