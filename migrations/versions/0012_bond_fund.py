"""the bond fund: bonds with their status history, the fund's ledger, and the obligor's hearing text

Revision ID: 0012_bond_fund
Revises: 0011_needs_tasks
Create Date: 2026-12-06 12:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_bond_fund'
down_revision = '0011_needs_tasks'
branch_labels = None
depends_on = None

# MessageKind's values before this revision (0009's and the revisions since), and the one it adds.
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
)
NEW_KINDS = ('volunteer_obligor_hearing',)


def _message_kind(column, kinds):
    return f"{column} IN ({', '.join(repr(kind) for kind in kinds)}) OR {column} LIKE 'family_reminder_%d'"


def _set_message_kinds(kinds):
    for table, column in (('outbound_messages', 'kind'), ('inbound_messages', 'answered_with')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_message_kind'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_message_kind'), _message_kind(column, kinds))


def upgrade():
    _set_message_kinds(OLD_KINDS + NEW_KINDS)
    op.create_table('bonds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.Text(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.Enum('immigration_judge', 'ice', name='bond_set_by', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('set_on', sa.Date(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('facility_other', sa.String(length=160), nullable=False),
    sa.Column('status', sa.Enum('requested', 'raising', 'paid', 'released', 'ongoing', 'cancelled', 'refund_requested', 'refunded', 'breached', name='bond_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=False),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('obligor_id', sa.Integer(), nullable=True),
    sa.Column('obligor_name', sa.Text(), nullable=True),
    sa.Column('paid_how', sa.Enum('online', 'ice_office', name='bond_paid_how', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('receipt_ref', sa.Text(), nullable=True),
    sa.Column('cancellation_ref', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_bonds_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bonds_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['facility_id'], ['locations.id'], name=op.f('fk_bonds_facility_id_locations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_bonds_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligor_id'], ['users.id'], name=op.f('fk_bonds_obligor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bonds'))
    )
    with op.batch_alter_table('bonds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bonds_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bonds_obligor_id'), ['obligor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bonds_status'), ['status'], unique=False)

    op.create_table('bond_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bond_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('requested', 'raising', 'paid', 'released', 'ongoing', 'cancelled', 'refund_requested', 'refunded', 'breached', name='bond_change_from', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum('requested', 'raising', 'paid', 'released', 'ongoing', 'cancelled', 'refund_requested', 'refunded', 'breached', name='bond_change_to', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bond_id'], ['bonds.id'], name=op.f('fk_bond_status_changes_bond_id_bonds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_bond_status_changes_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bond_status_changes'))
    )
    with op.batch_alter_table('bond_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bond_status_changes_bond_id'), ['bond_id'], unique=False)

    op.create_table('fund_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('gift', 'pledge', 'pledge_received', 'bond_paid', 'refund_received', 'fee', 'reversal', name='fund_entry_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('cash_cents', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('donor', sa.Text(), nullable=True),
    sa.Column('bond_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_fund_entries_amount_positive')),
    sa.ForeignKeyConstraint(['bond_id'], ['bonds.id'], name=op.f('fk_fund_entries_bond_id_bonds'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_fund_entries_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reverses_id'], ['fund_entries.id'], name=op.f('fk_fund_entries_reverses_id_fund_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_entries')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_fund_entries_reverses_id'))
    )
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_entries_bond_id'), ['bond_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_entries_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_entries_kind'), ['kind'], unique=False)



def downgrade():
    # Texts of the kind this revision added cannot stay under the older CHECK.
    op.execute("DELETE FROM outbound_messages WHERE kind = 'volunteer_obligor_hearing'")
    _set_message_kinds(OLD_KINDS)
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_entries_kind'))
        batch_op.drop_index(batch_op.f('ix_fund_entries_day'))
        batch_op.drop_index(batch_op.f('ix_fund_entries_bond_id'))

    op.drop_table('fund_entries')
    with op.batch_alter_table('bond_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bond_status_changes_bond_id'))

    op.drop_table('bond_status_changes')
    with op.batch_alter_table('bonds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bonds_status'))
        batch_op.drop_index(batch_op.f('ix_bonds_obligor_id'))
        batch_op.drop_index(batch_op.f('ix_bonds_family_id'))

    op.drop_table('bonds')
