"""staff notifications: each staff member's inbox read state, and the WhatsApp number and time of the daily
digest on the staff profile

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_state",
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staffuser.id"), primary_key=True, autoincrement=False),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "inbox_read",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("staff_id", "kind", "ref", name="uq_inbox_read_item"),
    )
    with op.batch_alter_table("staffuser") as batch:
        batch.add_column(sa.Column("whatsapp", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("daily_digest", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("digest_time", sa.String(length=5), server_default="07:30", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("staffuser") as batch:
        batch.drop_column("digest_time")
        batch.drop_column("daily_digest")
        batch.drop_column("whatsapp")
    op.drop_table("inbox_read")
    op.drop_table("inbox_state")
