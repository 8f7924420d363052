"""the right date: how a hearing's date was checked, the coordinators' alert when it was not, check-ins entered as a series, and the supervision check-in kind

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

# AppointmentKind's values before this revision (0001's), and the one it adds.
OLD_APPOINTMENT_KINDS = ('master_calendar', 'individual_hearing', 'bond_hearing', 'ice_check_in', 'bond_payment',
                         'detention_visit', 'uscis_appointment', 'other')
NEW_APPOINTMENT_KINDS = ('supervision',)


def _set_appointment_kinds(kinds):
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_appointments_appointment_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_appointments_appointment_kind'),
                                         f"kind IN ({', '.join(repr(kind) for kind in kinds)})")


def _message_kind(column, kinds):
    return f"{column} IN ({', '.join(repr(kind) for kind in kinds)}) OR {column} LIKE 'family_reminder_%d'"


def _set_message_kinds(kinds):
    for table, column in (('outbound_messages', 'kind'), ('inbound_messages', 'answered_with')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_message_kind'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_message_kind'), _message_kind(column, kinds))


def upgrade():
    op.create_table('appointment_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('every_weeks', sa.Integer(), nullable=True),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('every_weeks IS NULL OR every_weeks >= 1', name=op.f('ck_appointment_series_every_weeks_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_appointment_series_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_appointment_series_family_id_families'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_series'))
    )
    with op.batch_alter_table('appointment_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_series_family_id'), ['family_id'], unique=False)
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appointments_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appointments_series_id_appointment_series'), 'appointment_series', ['series_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_how', sa.Enum('eoir_line', 'eoir_portal', 'other', name='verify_method', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('verified_note', sa.String(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('verified_note', server_default=None)
    _set_message_kinds(OLD_KINDS + NEW_KINDS)
    _set_appointment_kinds(OLD_APPOINTMENT_KINDS + NEW_APPOINTMENT_KINDS)


def downgrade():
    # A supervision check-in was an ICE check-in before this revision.
    op.execute("UPDATE appointments SET kind = 'ice_check_in' WHERE kind = 'supervision'")
    _set_appointment_kinds(OLD_APPOINTMENT_KINDS)
    kinds = ", ".join(repr(kind) for kind in NEW_KINDS)
    op.execute(f"UPDATE inbound_messages SET answered_with = NULL WHERE answered_with IN ({kinds})")
    op.execute(f"DELETE FROM outbound_messages WHERE kind IN ({kinds})")
    _set_message_kinds(OLD_KINDS)
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_appointments_verify_method'), type_='check')
        batch_op.drop_column('verified_note')
        batch_op.drop_column('verified_how')
        batch_op.drop_constraint(batch_op.f('fk_appointments_series_id_appointment_series'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appointments_series_id'))
        batch_op.drop_column('series_id')
    with op.batch_alter_table('appointment_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_series_family_id'))
    op.drop_table('appointment_series')
