"""The pekon and kelurahan of each kecamatan as reference data, and a Siaga report's pekon marked when unlisted

Seeded from Kepmendagri No 300.2.2-2138 Tahun 2025 (the regency's 299 pekon and 3 kelurahan, the
kelurahan being Baros, Kuripan and Pasar Madang in Kota Agung); one kecamatan a line below: its code
without dots, then its names. Administrators keep the list from here on (admin page "Pekon").

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tickets.types import UTCDateTime

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

KELURAHAN = {("180601", "Baros"), ("180601", "Kuripan"), ("180601", "Pasar Madang")}
LIST = """
180601|Baros|Pasar Madang|Kuripan|Negeri Ratu|Penanggungan|Terdana|Kelungu|Pardasuka|Teratas|Kusa|Terbaya|Kedamaian|Kota Agung|Kota Batu|Campang Tiga|Benteng Jaya
180602|Kalibening|Kejayaan|Suka Bumi|Suka Negeri Jaya|Banjar Sari|Singosari|Sinar Banten|Sukarame|Banding Agung|Talang Padang|Suka Negeri|Suka Bandung|Suka Merindu|Sinar Semendo|Negeri Agung|Sinar Petir|Way Halom|Talang Sepuh|Sinar Harapan|Sinar Betung
180603|Karang Anyar|Kalirejo|Dadirejo|Banyu Urip|Wonosobo|Soponyono|Bandar Kejadian|Way Panas|Sinar Saudara|Sridadi|Lakaran|Padang Ratu|Pardasuka|Tanjung Kurung|Padang Manis|Kejadian|Dadisari|Kalisari|Banjar Negoro|Pekon Balak|Kunyayan|Banjar Sari|Negeri Ngarip|Dadimulyo|Sampang Turus|Sri Melati|Way Liwok|Sumur Tujuh
180604|Talang Beringin|Gunung Megang|Tanjung Rejo|Tanjung Begelung|Sinar Mulyo|Kemuning|Gedung Agung|Penantian|Muara Dua|Tekad|Pulau Panggung|Gunung Meraksa|Way Ilahan|Batu Bedil|Air Bakoman|Sumber Mulya|Sindang Marga|Talang Jawa|Srimanganten|Tanjung Gunung|Sinar Mancak
180609|Karang Buah|Sawang Balak|Way Rilau|Tanjung Raja|Tengor|Tanjung Jati|Kejadian Lom|Sukaraja|Banjar Negeri|Gedung|Suka Padang|Kacamarga|Pampangan|Banjar Manis|Tanjung Betuah|Putih Doh|Pekondoh|Kubulangka|Kutakakhang|Suka Banjar
180611|Rantau Tijang|Tiuh Memon|Banjar Agung Udik|Tanjung Heran|Sumanda|Campang Way Handak|Taman Sari|Sukajadi|Binjai Wangi|Tanjung Kemala|Tanjung Agung|Babakan|Negeri Ratu|Sinar Agung|Tangkit Serdang|Gunung Kasih|Way Jaha|Banjar Agung Ilir|Gading|Way Pring|Pungkut|Gunung Tiga|Way Manak|Sukamaju|Suka Mulya|Kayuhubi|Talang Lebar
180612|Tugu Papak|Kacapura|Sukaraja|Bangun Rejo|Tugu Rejo|Sidodadi|Garut|Karang Rejo|Kanoman|Sudimoro|Sudimoro Bangun|Sri Purnomo|Sri Kuncoro|Sidomulyo|Karang Agung|Tulung Asahan|Sri Katon|Pardawaras|Sedayu|Way Kerap|Margomulyo|Sukajaya
180613|Kebumen|Sidomulyo|Sumber Rejo|Tegal Binangun|Argopeni|Margodadi|Margoyoso|Dadapan|Simpang Kanan|Wonoharjo|Sumber Mulyo|Argomulyo|Sidorejo
180615|Datarajan|Gunung Tiga|Karang Rejo|Pagar Alam Ulu Belu|Muara Dua Ulu Belu|Ngarip|Penantian Ulu Belu|Gunung Sari|Ulu Semong|Sirna Galih|Rejo Sari|Sukamaju|Tanjung Baru|Sinar Banten|Air Abang|Petay Kayu
180616|Tampang Tua|Kaur Gading|Tirom|Way Nipah|Guring|Betung|Tanjungan|Teluk Brak|Karang Brak|Pesanguan|Way Asahan|Tampang Muda|Kampung Baru|Martanda
180617|Negeri Kelumbayan|Pekon Susuk|Napal|Pekon Unggak|Penyandingan|Paku|Umbar|Kiluan Negeri
180618|Belu|Negara Batin|Banjar Masin|Kanyangan|Kandang Besi|Teba Bunuk|Way Gelang|Tala Gening|Gedung Jambu|Maja|Pulau Benawang|Payung|Kesugihan|Pejajaran|Kalimiring|Tanjung Agung
180619|Batu Kramat|Kampung Baru|Umbul Buah|Menggala|Mulang Maya|Sukabanjar|Tanjung Anom|Kagungan|Kerta|Teba|Talang Rejo|Tanjung Jati
180620|Banjar Manis|Campang|Kuta Dalom|Purwodadi|Gisting Bawah|Gisting Atas|Sidokaton|Landbaw|Gisting Permai
180621|Banjar Negeri|Sukaraja|Banjar Agung|Kedaloman|Sukabanjar|Sukamernah|Ciherang|Pariaman|Sukadamai|Way Halom|Penanggungan|Darussalam
180624|Badak|Kuripan|Padang Ratu|Tegineneng|Ketapang|Banjar Agung|Pekon Ampai|Pariaman|Atar Brak|Tanjung Siom|Tanjung Jaya
180625|Negeri Agung|Bandar Sukabumi|Sanggi|Rajabasa|Banding|Gunung Doh|Simpang Bayur|Atar Lebar|Sinar Bangun|Sanggi Unggak|Tulung Sari
180626|Way Harong|Air Kubang|Karang Sari|Sidomulyo|Air Naningan|Datar Lebuay|Sinar Jawa|Batu Tegi|Sinar Sekampung|Margomulyo
180627|Sukamara|Sukanegara|Banjarmasin|Suka Agung Barat|Suka Agung|Gunung Terang|Napal|Sinar Petir|Pematang Nebak|Tanjung Sari
180628|Lengkukai|Sidoharjo|Merbau|Batu Patah|Purwosari|Marga Mulya
"""


def upgrade() -> None:
    table = op.create_table(
        "pekon",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kecamatan_code", sa.String(length=6), sa.ForeignKey("kecamatan.code"), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("kemendagri_code", sa.String(length=13), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("staffuser.id"), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("kecamatan_code", "name"),
    )
    op.create_index("ix_pekon_kecamatan_code", "pekon", ["kecamatan_code"])
    rows = []
    for line in LIST.strip().splitlines():
        code, *names = line.split("|")
        rows += [{"kecamatan_code": code, "name": name, "active": True, "kemendagri_code": None,
                  "kind": "kelurahan" if (code, name) in KELURAHAN else "pekon", "updated_by_id": None,
                  "updated_at": None} for name in names]
    op.bulk_insert(table, rows)
    with op.batch_alter_table("siaga_report") as batch_op:
        batch_op.add_column(sa.Column("pekon_unlisted", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("siaga_report") as batch_op:
        batch_op.drop_column("pekon_unlisted")
    op.drop_index("ix_pekon_kecamatan_code", table_name="pekon")
    op.drop_table("pekon")
