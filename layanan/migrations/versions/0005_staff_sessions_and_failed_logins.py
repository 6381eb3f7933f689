"""staff sessions and failed logins: a session version that ends every session of an account when raised,
and the failed logins since the last good one

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

import tickets.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staffuser') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('failed_login_since', tickets.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staffuser') as batch:
        batch.drop_column('failed_login_since')
        batch.drop_column('failed_logins')
        batch.drop_column('session_version')
