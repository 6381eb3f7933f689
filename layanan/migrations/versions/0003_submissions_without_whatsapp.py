"""submissions without WhatsApp: an applicant may have no phone, and staff may upload a ticket's scans

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applicant') as batch:
        batch.alter_column('phone', existing_type=sa.String(length=20), nullable=True)
    with op.batch_alter_table('attachment') as batch:
        batch.alter_column('message_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('uploaded_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_attachment_uploaded_by_id_staffuser', 'staffuser', ['uploaded_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachment') as batch:
        batch.drop_constraint('fk_attachment_uploaded_by_id_staffuser', type_='foreignkey')
        batch.drop_column('uploaded_by_id')
        batch.alter_column('message_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('applicant') as batch:
        batch.alter_column('phone', existing_type=sa.String(length=20), nullable=False)
