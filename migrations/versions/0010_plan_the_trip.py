"""help families plan the trip: a place's discreet label, how early to arrive and what to bring, for the family's reminders

Revision ID: 0010_plan_the_trip
Revises: 0009_right_date
Create Date: 2026-12-06 11:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_plan_the_trip'
down_revision = '0009_right_date'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discreet_label', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('arrive_minutes_early', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('bring', sa.String(length=80), nullable=False, server_default=''))
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.alter_column('discreet_label', server_default=None)
        batch_op.alter_column('arrive_minutes_early', server_default=None)
        batch_op.alter_column('bring', server_default=None)


def downgrade():
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_column('bring')
        batch_op.drop_column('arrive_minutes_early')
        batch_op.drop_column('discreet_label')
