"""letters of support and legal referrals: letter drives, asks and letters received; legal providers and
referrals; the message kinds for letter reminders

Revision ID: 0013_letters_referrals
Revises: 0012_bond_fund
Create Date: 2026-12-06 12:26:29.958395

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_letters_referrals'
down_revision = '0012_bond_fund'
branch_labels = None
depends_on = None

# MessageKind's values before this revision (0009's and the revisions since), and the ones it adds.
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
    'coordinator_unverified_hearing',
    'coordinator_task_done', 'coordinator_task_given_back',  # 0011
    'volunteer_obligor_hearing',  # 0012
)
NEW_KINDS = ('volunteer_letter_reminder', 'coordinator_letter_contacts')


def _message_kind(column, kinds):
    return f"{column} IN ({', '.join(repr(kind) for kind in kinds)}) OR {column} LIKE 'family_reminder_%d'"


def _set_message_kinds(kinds):
    for table, column in (('outbound_messages', 'kind'), ('inbound_messages', 'answered_with')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_message_kind'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_message_kind'), _message_kind(column, kinds))


def upgrade():
    op.create_table('legal_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('languages', sa.String(length=120), nullable=False),
    sa.Column('services', sa.String(length=120), nullable=False),
    sa.Column('taking_cases', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_providers')),
    sa.UniqueConstraint('name', name=op.f('uq_legal_providers_name'))
    )
    op.create_table('legal_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('sent', 'accepted', 'declined', 'no_answer', name='referral_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_legal_referrals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_legal_referrals_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['legal_providers.id'], name=op.f('fk_legal_referrals_provider_id_legal_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_referrals'))
    )
    with op.batch_alter_table('legal_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_referrals_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_referrals_follow_up_on'), ['follow_up_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_referrals_provider_id'), ['provider_id'], unique=False)
    op.create_table('letter_drives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('target >= 1', name=op.f('ck_letter_drives_target_positive')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_letter_drives_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_letter_drives_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_letter_drives_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_drives')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_letter_drives_appointment_id'))
    )
    with op.batch_alter_table('letter_drives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_drives_owner_id'), ['owner_id'], unique=False)
    op.create_table('letter_asks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drive_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.Text(), nullable=True),
    sa.Column('relationship_to_family', sa.String(length=80), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(volunteer_id IS NULL) <> (contact_name IS NULL)', name=op.f('ck_letter_asks_one_person')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_letter_asks_asked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['drive_id'], ['letter_drives.id'], name=op.f('fk_letter_asks_drive_id_letter_drives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['users.id'], name=op.f('fk_letter_asks_volunteer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_asks')),
    sa.UniqueConstraint('drive_id', 'volunteer_id', name=op.f('uq_letter_asks_drive_id_volunteer_id'))
    )
    with op.batch_alter_table('letter_asks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_asks_drive_id'), ['drive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_asks_volunteer_id'), ['volunteer_id'], unique=False)
    op.create_table('support_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drive_id', sa.Integer(), nullable=False),
    sa.Column('ask_id', sa.Integer(), nullable=True),
    sa.Column('writer_name', sa.Text(), nullable=True),
    sa.Column('relationship_to_family', sa.String(length=80), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ask_id'], ['letter_asks.id'], name=op.f('fk_support_letters_ask_id_letter_asks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['drive_id'], ['letter_drives.id'], name=op.f('fk_support_letters_drive_id_letter_drives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_support_letters_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_letters')),
    sa.UniqueConstraint('ask_id', name=op.f('uq_support_letters_ask_id'))
    )
    with op.batch_alter_table('support_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_letters_drive_id'), ['drive_id'], unique=False)
    _set_message_kinds(OLD_KINDS + NEW_KINDS)


def downgrade():
    kinds = ", ".join(repr(kind) for kind in NEW_KINDS)
    op.execute(f"UPDATE inbound_messages SET answered_with = NULL WHERE answered_with IN ({kinds})")
    op.execute(f"DELETE FROM outbound_messages WHERE kind IN ({kinds})")
    _set_message_kinds(OLD_KINDS)
    with op.batch_alter_table('support_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_letters_drive_id'))
    op.drop_table('support_letters')
    with op.batch_alter_table('letter_asks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_asks_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_letter_asks_drive_id'))
    op.drop_table('letter_asks')
    with op.batch_alter_table('letter_drives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_drives_owner_id'))
    op.drop_table('letter_drives')
    with op.batch_alter_table('legal_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_referrals_provider_id'))
        batch_op.drop_index(batch_op.f('ix_legal_referrals_follow_up_on'))
        batch_op.drop_index(batch_op.f('ix_legal_referrals_family_id'))
    op.drop_table('legal_referrals')
    op.drop_table('legal_providers')
