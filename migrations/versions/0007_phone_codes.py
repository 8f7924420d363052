"""phone codes: a volunteer's number is saved only once the code texted to it comes back; password reset by text; the approval text

Revision ID: 0007_phone_codes
Revises: 0006_family_stopped_alert
Create Date: 2026-12-06 10:00:46.878064

What "confirmed" means for the numbers already stored (docs/security.md, "Phone numbers"): a number
on an account a coordinator approved (or on a coordinator's or admin's account) counts as confirmed,
as staff reviewed the account and the network has been texting that number. A number typed at a
sign-up nobody ever approved (still pending, or declined) does not: it moves into `phone_codes` as a
number waiting for its code (none is sent until the volunteer asks for one), and the account has no
number until the volunteer types the code back. Downgrading puts such numbers back on the account.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_phone_codes'
down_revision = '0006_family_stopped_alert'
branch_labels = None
depends_on = None

# MessageKind's values as this revision writes them (accompany/models/enums.py): 0006's and NEW_KINDS.
NEW_KINDS = ('volunteer_approved', 'phone_code', 'password_code')
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
)

# Numbers typed at a sign-up that no coordinator ever approved.
UNREVIEWED = "role = 'volunteer' AND approved_at IS NULL AND phone IS NOT NULL"


def _message_kind(column, kinds):
    return f"{column} IN ({', '.join(repr(kind) for kind in kinds)}) OR {column} LIKE 'family_reminder_%d'"


def _set_message_kinds(kinds):
    for table, column in (('outbound_messages', 'kind'), ('inbound_messages', 'answered_with')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_message_kind'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_message_kind'), _message_kind(column, kinds))


def upgrade():
    op.create_table('phone_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('phone', 'password', name='code_purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('phone', sa.Text(), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dropped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbound_messages.id'], name=op.f('fk_phone_codes_message_id_outbound_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phone_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_codes')),
    sa.UniqueConstraint('request_hash', name=op.f('uq_phone_codes_request_hash'))
    )
    with op.batch_alter_table('phone_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_codes_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_codes_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_codes_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_codes_user_id'), ['user_id'], unique=False)

    _set_message_kinds(OLD_KINDS + NEW_KINDS)

    # The sealed number moves as it is (same keys), with the time it was typed: at sign-up.
    op.execute(
        "INSERT INTO phone_codes (user_id, purpose, phone, phone_hash, created_at, attempts) "
        f"SELECT id, 'phone', phone, phone_hash, created_at, 0 FROM users WHERE {UNREVIEWED}"
    )
    op.execute(f"UPDATE users SET phone = NULL, phone_hash = NULL WHERE {UNREVIEWED}")


def downgrade():
    # A number still waiting for its code goes back on an account that has none, as before.
    waiting = ("FROM phone_codes WHERE phone_codes.user_id = users.id AND phone_codes.purpose = 'phone' "
               "AND phone_codes.used_at IS NULL AND phone_codes.dropped_at IS NULL")
    latest = f"{waiting} ORDER BY phone_codes.created_at DESC, phone_codes.id DESC LIMIT 1"
    op.execute(
        f"UPDATE users SET phone = (SELECT phone_codes.phone {latest}), "
        f"phone_hash = (SELECT phone_codes.phone_hash {latest}) "
        f"WHERE users.phone IS NULL AND EXISTS (SELECT 1 {waiting})"
    )
    with op.batch_alter_table('phone_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_codes_user_id'))
        batch_op.drop_index(batch_op.f('ix_phone_codes_phone_hash'))
        batch_op.drop_index(batch_op.f('ix_phone_codes_message_id'))
        batch_op.drop_index(batch_op.f('ix_phone_codes_created_at'))
    op.drop_table('phone_codes')

    # Texts of the kinds this revision added cannot stay under the older CHECK.
    kinds = ", ".join(repr(kind) for kind in NEW_KINDS)
    op.execute(f"UPDATE inbound_messages SET answered_with = NULL WHERE answered_with IN ({kinds})")
    op.execute(f"DELETE FROM outbound_messages WHERE kind IN ({kinds})")
    _set_message_kinds(OLD_KINDS)
