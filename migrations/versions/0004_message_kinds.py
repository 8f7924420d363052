"""message kinds and urgent answers as enums: CHECK constraints; an inbound text answered with nothing has NULL

Revision ID: 0004_message_kinds
Revises: 0003_security
Create Date: 2026-12-06 07:55:30.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_message_kinds'
down_revision = '0003_security'
branch_labels = None
depends_on = None

# MessageKind's values as this revision wrote them (accompany/models/enums.py). A family reminder at
# configured days ("family_reminder_14d") is a kind no value lists, hence the LIKE.
MESSAGE_KINDS = (
    'family_reminder', 'family_reminder_7d', 'family_reminder_3d', 'family_reminder_1d',
    'family_volunteer_confirmed', 'family_rescheduled', 'family_cancelled',
    'volunteer_claimed', 'volunteer_evening_before', 'volunteer_soon', 'volunteer_rescheduled',
    'volunteer_cancelled', 'volunteer_urgent_ask',
    'coordinator_detained', 'coordinator_late_release', 'coordinator_unfilled_digest',
    'coordinator_ride_request', 'coordinator_urgent_unfilled',
    'reply_confirmed', 'reply_ride', 'reply_urgent_covered', 'reply_urgent_declined',
    'reply_urgent_not_possible', 'staff_reply', 'reply_help', 'stop_confirmation', 'start_confirmation',
)
URGENT_ANSWERS = ('took_it', 'declined', 'too_late', 'not_possible')


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _message_kind(column):
    return f"{_one_of(column, MESSAGE_KINDS)} OR {column} LIKE 'family_reminder_%d'"


def upgrade():
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_outbound_messages_message_kind'), _message_kind('kind'))

    # "Answered with nothing" was ''; it is NULL now, which the CHECK lets through.
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.alter_column('answered_with', existing_type=sa.String(length=40), nullable=True, server_default=None)
    op.execute("UPDATE inbound_messages SET answered_with = NULL WHERE answered_with = ''")
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_inbound_messages_message_kind'), _message_kind('answered_with'))

    with op.batch_alter_table('urgent_asks', schema=None) as batch_op:
        batch_op.alter_column('answer', existing_type=sa.String(length=20), type_=sa.String(length=12),
                              existing_nullable=True)
        batch_op.create_check_constraint(batch_op.f('ck_urgent_asks_urgent_answer'), _one_of('answer', URGENT_ANSWERS))


def downgrade():
    with op.batch_alter_table('urgent_asks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_urgent_asks_urgent_answer'), type_='check')
        batch_op.alter_column('answer', existing_type=sa.String(length=12), type_=sa.String(length=20),
                              existing_nullable=True)

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_inbound_messages_message_kind'), type_='check')
    op.execute("UPDATE inbound_messages SET answered_with = '' WHERE answered_with IS NULL")
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.alter_column('answered_with', existing_type=sa.String(length=40), nullable=False, server_default='')

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbound_messages_message_kind'), type_='check')
