"""KTP-el recording campaigns at schools: the schools per kecamatan, the visits with their field team and
equipment and the school's handover berita acara, and the students listed for each visit

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kecamatan_code", sa.String(), sa.ForeignKey("kecamatan.code"), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("headmaster", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kecamatan_code", "name", name="uq_school_kecamatan_name"),
    )
    op.create_index("ix_school_kecamatan_code", "school", ["kecamatan_code"])
    op.create_table(
        "school_visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("school.id"), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("equipment", sa.JSON(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False, unique=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("handover_number", sa.String(length=80), nullable=True, unique=True),
        sa.Column("handover_date", sa.Date(), nullable=True),
        sa.Column("handover_signed_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("handover_signed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("handover_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("handover_code", sa.String(length=32), nullable=True, unique=True),
    )
    op.create_index("ix_school_visit_school_id", "school_visit", ["school_id"])
    op.create_index("ix_school_visit_visit_date", "school_visit", ["visit_date"])
    op.create_table(
        "school_visit_officer",
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("school_visit.id"), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staffuser.id"), primary_key=True),
    )
    op.create_table(
        "school_student",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("school_visit.id"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("class_name", sa.String(length=20), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), sa.ForeignKey("school_student.id"), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("problem", sa.String(length=200), nullable=True),
        sa.Column("status_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("status_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("printed", sa.Boolean(), nullable=False),
        sa.Column("in_handover", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_school_student_visit_id", "school_student", ["visit_id"])
    op.create_index("ix_school_student_nik", "school_student", ["nik"])


def downgrade() -> None:
    op.drop_table("school_student")
    op.drop_table("school_visit_officer")
    op.drop_table("school_visit")
    op.drop_table("school")
