"""Dukcapil Siaga reports with their home visits, and outreach requests (SIJARLA) with their results

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "siaga_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False),
        sa.Column("reporter_name", sa.String(length=120), nullable=False),
        sa.Column("relation", sa.String(length=80), nullable=False),
        sa.Column("subject_name", sa.String(length=120), nullable=False),
        sa.Column("pekon", sa.String(length=120), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=True),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("scheduled_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("visit_result", sa.String(length=20), nullable=True),
        sa.Column("visit_note", sa.String(length=500), nullable=True),
        sa.Column("result_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("result_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_siaga_report_pekon", "siaga_report", ["pekon"])
    op.create_index("ix_siaga_report_urgent", "siaga_report", ["urgent"])
    op.create_index("ix_siaga_report_visit_date", "siaga_report", ["visit_date"])
    op.create_table(
        "outreach_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False),
        sa.Column("requester", sa.String(length=120), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=6), sa.ForeignKey("kecamatan.code"), nullable=False),
        sa.Column("pekon", sa.String(length=120), nullable=False),
        sa.Column("letter_number", sa.String(length=80), nullable=False),
        sa.Column("expected_people", sa.Integer(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("proposed_date", sa.Date(), nullable=False),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=True),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("scheduled_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("results_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("results_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_outreach_request_kecamatan_code", "outreach_request", ["kecamatan_code"])
    op.create_index("ix_outreach_request_scheduled_date", "outreach_request", ["scheduled_date"])


def downgrade() -> None:
    op.drop_table("outreach_request")
    op.drop_table("siaga_report")
