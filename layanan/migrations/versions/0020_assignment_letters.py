"""Assignment letters (Surat Tugas) of outreach visits, and the secret addresses of the visits calendar feed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment_letter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("outreach_request.id"), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("rendered_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_assignment_letter_request_id", "assignment_letter", ["request_id"])
    op.create_table(
        "calendar_feed_token",
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staffuser.id"), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("token_hash"),
    )


def downgrade() -> None:
    op.drop_table("calendar_feed_token")
    op.drop_index("ix_assignment_letter_request_id", table_name="assignment_letter")
    op.drop_table("assignment_letter")
