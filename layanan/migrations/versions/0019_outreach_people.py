"""Outreach results by name and by address: each resident served on a visit, with the service's result

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outreach_person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("outreach_request.id"), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("kecamatan_code", sa.String(length=6), sa.ForeignKey("kecamatan.code"), nullable=False),
        sa.Column("pekon", sa.String(length=120), nullable=False),
        sa.Column("dusun", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outreach_person_request_id", "outreach_person", ["request_id"])
    op.create_index("ix_outreach_person_nik", "outreach_person", ["nik"])


def downgrade() -> None:
    op.drop_index("ix_outreach_person_nik", table_name="outreach_person")
    op.drop_index("ix_outreach_person_request_id", table_name="outreach_person")
    op.drop_table("outreach_person")
