"""the UPT directory: each kecamatan's UPT with its address, opening hours, contact and what to bring

Seeded for every kecamatan of the reference table with clearly generic values (the kantor kecamatan,
the office hours of the working calendar), for an administrator to replace on the UPT directory page.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OPENING_HOURS = "Senin-Jumat pukul 08.00-16.00 WIB, kecuali hari libur"
BRING = "KTP-el atau Kartu Keluarga asli; bila diwakilkan, surat kuasa dan KTP-el penerima kuasa"


def upgrade() -> None:
    table = op.create_table(
        "upt_office",
        sa.Column("kecamatan_code", sa.String(length=6), sa.ForeignKey("kecamatan.code"), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("opening_hours", sa.String(length=120), nullable=False),
        sa.Column("contact", sa.String(length=80), nullable=False),
        sa.Column("bring", sa.String(length=300), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )
    kecamatan = sa.table("kecamatan", sa.column("code", sa.String), sa.column("name", sa.String))
    rows = op.get_bind().execute(sa.select(kecamatan.c.code, kecamatan.c.name).order_by(kecamatan.c.code)).all()
    now = datetime.now(UTC)
    op.bulk_insert(table, [
        {"kecamatan_code": code, "name": f"UPT Kecamatan {name}",
         "address": f"Kantor Kecamatan {name}, Kabupaten Tanggamus", "opening_hours": OPENING_HOURS,
         "contact": "", "bring": BRING, "updated_by_id": None, "updated_at": now}
        for code, name in rows
    ])


def downgrade() -> None:
    op.drop_table("upt_office")
