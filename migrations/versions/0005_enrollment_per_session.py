"""two-step login is set up per browser: an unconfirmed secret lives on the login session

Revision ID: 0005_enrollment_per_session
Revises: 0004_message_kinds
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_enrollment_per_session'
down_revision = '0004_message_kinds'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('two_factor_setup_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('two_factor_setup_started_at', sa.DateTime(timezone=True), nullable=True))

    # A secret that was shown but never confirmed may have been read by someone else: it goes, and
    # whoever enrolls next gets a new one in their own browser.
    op.execute("UPDATE users SET totp_secret = NULL WHERE two_factor_enabled_at IS NULL")


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('two_factor_setup_started_at')
        batch_op.drop_column('two_factor_setup_secret')
