"""audit clients and retention: the API token an audit record names, and the purge's runs and purged tickets

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

import tickets.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_record') as batch:
        batch.add_column(sa.Column('api_token_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_audit_record_api_token_id_api_token', 'api_token', ['api_token_id'], ['id'])
        batch.create_index(batch.f('ix_audit_record_api_token_id'), ['api_token_id'], unique=False)
    op.create_table('retention_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('cutoff', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_run_started_at'), ['started_at'], unique=False)
    op.create_table('purged_ticket',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('purged_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['retention_run.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    with op.batch_alter_table('purged_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purged_ticket_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('purged_ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purged_ticket_run_id'))
    op.drop_table('purged_ticket')
    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_run_started_at'))
    op.drop_table('retention_run')
    with op.batch_alter_table('audit_record') as batch:
        batch.drop_index(batch.f('ix_audit_record_api_token_id'))
        batch.drop_constraint('fk_audit_record_api_token_id_api_token', type_='foreignkey')
        batch.drop_column('api_token_id')
