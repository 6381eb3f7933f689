"""berita acara: the code its stamp's QR code carries to the public verification page

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Given when the berita acara is signed; those signed before keep none (their QR opens the staff page).
    with op.batch_alter_table("berita_acara") as batch:
        batch.add_column(sa.Column("verification_code", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_berita_acara_verification_code", ["verification_code"])


def downgrade() -> None:
    with op.batch_alter_table("berita_acara") as batch:
        batch.drop_constraint("uq_berita_acara_verification_code", type_="unique")
        batch.drop_column("verification_code")
