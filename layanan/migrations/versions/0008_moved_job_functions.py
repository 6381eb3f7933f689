"""jobs recorded under a function that moved: the milestone notice is now bot.milestones.notify_milestone

Jobs still waiting in the outbox table (Redis was down when they were recorded, or they had not been
swept yet) would fail to import under the old name. Jobs already on an RQ queue are not in the database:
let the worker drain the queues before upgrading (README, "Keamanan dan operasi").

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

MOVED = {"tickets.notify.notify_milestone": "bot.milestones.notify_milestone"}


def upgrade() -> None:
    _rename(MOVED)


def downgrade() -> None:
    _rename({new: old for old, new in MOVED.items()})


def _rename(moved: dict[str, str]) -> None:
    for old, new in moved.items():
        op.get_bind().execute(sa.text("UPDATE deferred_job SET func = :new WHERE func = :old"),
                              {"old": old, "new": new})
