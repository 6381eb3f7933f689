"""the FAQ staff keep for the WhatsApp bot: questions with the ways citizens ask them and their answers

Seeded with the questions citizens ask most: opening hours (and whether the office is open now), that the
services are free, where and when to pick up, how long each document takes, requirements, and where
the office is. Answers may hold {jam_buka}, {buka_sekarang}, {pengambilan} and {persyaratan}, filled in
when the answer is sent.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

SEED = (
    ("Jam buka kantor",
     "jam buka\njam berapa buka\njam kerja\njam pelayanan\njam operasional\nbuka jam\ntutup jam\nbuka tidak\n"
     "buka sekarang\nbuka hari ini\nbuka sabtu\nbuka minggu\nsudah buka\nmasih buka\nlibur",
     "Kantor Disdukcapil dan UPT kecamatan melayani {jam_buka}. {buka_sekarang}\n"
     "Permohonan lewat WhatsApp ini bisa dikirim kapan saja; petugas memprosesnya pada jam kerja."),
    ("Biaya",
     "biaya\nbayar\nberapa biaya\ngratis\nberbayar\ntarif\nharga\nongkos\nperlu uang\nbiayanya berapa\nkena biaya",
     "Semua layanan dokumen kependudukan Disdukcapil *GRATIS*, tidak dipungut biaya apa pun (UU 24/2013). "
     "Bila ada yang meminta bayaran, laporkan: ketik *menu* lalu pilih *3. Sampaikan pengaduan*."),
    ("Tempat dan waktu pengambilan",
     "ambil di mana\nambil dimana\nmengambil di mana\ndiambil di mana\ntempat ambil\ntempat pengambilan\n"
     "ambil dokumen\nambil ktp\nambil kk\nambil akta\nambil kia\nkapan bisa diambil\nkapan diambil\nbisa diambil\n"
     "ambil di upt\nupt",
     "{pengambilan}\nDokumen PDF yang sudah ditandatangani juga kami kirim ke WhatsApp ini."),
    ("Lama proses",
     "berapa lama\nlama proses\nlama jadi\nberapa hari\nproses berapa lama\nberapa lama jadinya\n"
     "butuh waktu\nlama pembuatan\nselesai berapa hari",
     "Lama proses setelah berkas lengkap dan diverifikasi:\n- KK, KTP-el, KIA: 1-3 hari kerja\n"
     "- Akta kelahiran dan akta kematian: 1-3 hari kerja\n- Surat pindah: 1-3 hari kerja\n"
     "- Perbaikan data: 3-7 hari kerja\nKabar tiap tahap kami kirim ke WhatsApp ini; cek kapan saja dengan "
     "*status <nomor tiket>*."),
    ("Persyaratan",
     "syarat\npersyaratan\nsyarat apa\napa saja syarat\nberkas apa\nbawa apa\ndokumen apa saja\nperlu apa saja\n"
     "kelengkapan",
     "{persyaratan}\n\nUntuk mengajukan lewat WhatsApp ketik *menu* lalu pilih *1*."),
    ("Alamat kantor",
     "alamat kantor\nalamat disdukcapil\nkantor di mana\nkantor dimana\nkantornya di mana\nlokasi kantor\n"
     "letak kantor\nalamat dinas\ndukcapil di mana\ncapil di mana\nlokasi disdukcapil\nalamat capil",
     "Kantor Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus ada di kompleks perkantoran Pemkab "
     "Tanggamus, Kota Agung. Dokumen juga bisa diurus dan diambil di UPT kecamatan; ketik misalnya "
     "*UPT Gisting* untuk alamat UPT kecamatan Anda."),
)


def upgrade() -> None:
    table = op.create_table(
        "faq_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("variants", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )
    now = datetime.now(UTC)
    op.bulk_insert(table, [
        {"title": title, "variants": variants, "answer": answer, "position": position, "active": True,
         "updated_by_id": None, "updated_at": now}
        for position, (title, variants, answer) in enumerate(SEED, start=1)
    ])


def downgrade() -> None:
    op.drop_table("faq_answer")
