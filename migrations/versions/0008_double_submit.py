"""a request sent twice changes things once: row versions, one-time form keys, one live appointment per family and moment

Revision ID: 0008_double_submit
Revises: 0007_phone_codes
Create Date: 2026-12-06 10:03:40.230003

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_double_submit'
down_revision = '0007_phone_codes'
branch_labels = None
depends_on = None


LIVE = sa.text("status IN ('scheduled', 'draft')")
VERSIONED = ('appointments', 'claims', 'families', 'locations', 'shifts', 'users')


def _refuse_duplicate_appointments():
    """The unique index cannot be made while a family has two live appointments at one moment:
    say which, so a coordinator cancels one (nothing here guesses which is right)."""
    twins = op.get_bind().execute(sa.text(
        "SELECT family_id, starts_at, COUNT(*) FROM appointments WHERE status IN ('scheduled', 'draft') "
        "GROUP BY family_id, starts_at HAVING COUNT(*) > 1"
    )).all()
    if twins:
        listed = "; ".join(f"family {family_id} at {starts_at} ({count} appointments)" for family_id, starts_at, count in twins)
        raise RuntimeError(
            "Some families have two live appointments at the same moment. Cancel the extra ones, then run "
            f"the upgrade again: {listed}."
        )


def upgrade():
    _refuse_duplicate_appointments()
    op.create_table('form_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submissions')),
    sa.UniqueConstraint('token', name=op.f('uq_form_submissions_token'))
    )
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submissions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_submissions_user_id'), ['user_id'], unique=False)

    # Row versions: every ORM UPDATE or DELETE of these rows compares and sets it (accompany.database.Versioned).
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('uq_appointments_family_id_starts_at_live', ['family_id', 'starts_at'], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('uq_appointments_family_id_starts_at_live', sqlite_where=LIVE, postgresql_where=LIVE)

    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')

    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submissions_user_id'))
        batch_op.drop_index(batch_op.f('ix_form_submissions_created_at'))

    op.drop_table('form_submissions')
