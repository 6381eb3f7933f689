"""counter_checklist (schema left unchanged until the feature's tables are written)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
