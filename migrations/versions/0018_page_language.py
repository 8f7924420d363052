"""pages in people's own languages: the one language a person chose for their pages and texts

Revision ID: 0018_page_language
Revises: 0016_dashboard_counts
Create Date: 2026-12-06 15:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_page_language'
down_revision = '0016_dashboard_counts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_language', sa.Enum('en', 'es', 'pt', 'ht', 'fr', name='page_language', native_enum=False, create_constraint=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_page_language'), type_='check')
        batch_op.drop_column('preferred_language')
