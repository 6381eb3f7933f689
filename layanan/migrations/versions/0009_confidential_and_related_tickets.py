"""tickets: a confidential flag (the handlers see a pseudonym) and the ticket a complaint is about

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("related_ticket_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_ticket_related_ticket_id_ticket", "ticket", ["related_ticket_id"], ["id"])
        batch.create_index("ix_ticket_related_ticket_id", ["related_ticket_id"])


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_index("ix_ticket_related_ticket_id")
        batch.drop_constraint("fk_ticket_related_ticket_id_ticket", type_="foreignkey")
        batch.drop_column("related_ticket_id")
        batch.drop_column("confidential")
