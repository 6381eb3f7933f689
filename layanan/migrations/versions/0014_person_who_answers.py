"""a person who answers: canned replies, staff replies waiting for the citizen's answer, when a citizen asked
for a person, officers on duty and stages that assign their tickets automatically

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.String(length=1300), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "pending_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("invite_message_id", sa.Integer(), sa.ForeignKey("message.id"), nullable=True),
        sa.Column("sent_message_id", sa.Integer(), sa.ForeignKey("message.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_pending_reply_phone", "pending_reply", ["phone"])
    op.create_index("ix_pending_reply_ticket_id", "pending_reply", ["ticket_id"])
    op.create_table(
        "auto_assign_stage",
        sa.Column("stage", sa.String(length=60), primary_key=True),
        sa.Column("enabled_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("enabled_at", UTCDateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("human_requested_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("staffuser") as batch:
        batch.add_column(sa.Column("on_duty", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("staffuser") as batch:
        batch.drop_column("on_duty")
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("human_requested_at")
    op.drop_table("auto_assign_stage")
    op.drop_index("ix_pending_reply_ticket_id", "pending_reply")
    op.drop_index("ix_pending_reply_phone", "pending_reply")
    op.drop_table("pending_reply")
    op.drop_table("canned_reply")
