"""simulator numbers: the phone numbers started in the WhatsApp simulator, the only ones it shows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('simulator_number',
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['started_by_id'], ['staffuser.id'], ),
    sa.PrimaryKeyConstraint('phone')
    )
    with op.batch_alter_table('simulator_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_simulator_number_started_at'), ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('simulator_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_simulator_number_started_at'))
    op.drop_table('simulator_number')
