"""the satisfaction survey (SKM) per finished ticket, the privacy notice each number accepted, and the
citizens' requests to delete their data

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

ELEMENTS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")


def upgrade() -> None:
    op.create_table(
        "skm_response",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=6), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("asked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", UTCDateTime(timezone=True), nullable=True),
        *(sa.Column(f"u_{element}", sa.Integer(), nullable=True) for element in ELEMENTS),
        sa.Column("suggestion", sa.String(length=1000), nullable=True),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_skm_response_phone", "skm_response", ["phone"])
    op.create_index("ix_skm_response_completed_at", "skm_response", ["completed_at"])
    op.create_table(
        "privacy_consent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("notice_version", sa.String(length=20), nullable=False),
        sa.Column("shown_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_message_id", sa.Integer(), sa.ForeignKey("message.id"), nullable=True),
        sa.UniqueConstraint("phone", "notice_version"),
    )
    op.create_index("ix_privacy_consent_phone", "privacy_consent", ["phone"])
    op.create_table(
        "deletion_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("message.id"), nullable=True),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("retention_run.id"), nullable=True),
        sa.Column("tickets", sa.Integer(), nullable=False),
    )
    op.create_index("ix_deletion_request_phone", "deletion_request", ["phone"])
    op.create_index("ix_deletion_request_status", "deletion_request", ["status"])


def downgrade() -> None:
    op.drop_table("deletion_request")
    op.drop_table("privacy_consent")
    op.drop_table("skm_response")
