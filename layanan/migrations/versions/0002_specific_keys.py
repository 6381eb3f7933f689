"""specific role and stage keys: keys that were also ordinary words get names that mean only the key

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

WORKFLOW = "pengaduan_online_tanggamus"
ROLES = {"operator": "data_entry_operator", "call_center": "call_center_agent",
         "courier": "courier_officer", "upt": "upt_officer"}
STAGES = {"registration": "counter_registration", "courier": "courier_delivery", "upt": "upt_receipt"}


def upgrade() -> None:
    _rename(ROLES, STAGES)


def downgrade() -> None:
    _rename({v: k for k, v in ROLES.items()}, {v: k for k, v in STAGES.items()})


def _rename(roles: dict[str, str], stages: dict[str, str]) -> None:
    bind = op.get_bind()
    in_workflow = "ticket_id IN (SELECT id FROM ticket WHERE workflow = :workflow)"
    for old, new in stages.items():
        params = {"old": old, "new": new, "workflow": WORKFLOW}
        for column in ("stage", "return_stage"):
            bind.execute(sa.text(f"UPDATE ticket SET {column} = :new WHERE {column} = :old AND workflow = :workflow"),
                         params)
        for column in ("from_stage", "to_stage"):
            bind.execute(sa.text(f"UPDATE stage_event SET {column} = :new WHERE {column} = :old AND {in_workflow}"),
                         params)
    for old, new in roles.items():
        bind.execute(sa.text("UPDATE stage_event SET actor_role = :new WHERE actor_role = :old"), {"old": old, "new": new})
        bind.execute(sa.text("UPDATE staff_notification SET role = :new WHERE role = :old"), {"old": old, "new": new})
    # Staff roles are a JSON list: rewrite them row by row, the same way on SQLite and PostgreSQL.
    for row in bind.execute(sa.text("SELECT id, roles FROM staffuser")).all():
        held = row.roles if isinstance(row.roles, list) else json.loads(row.roles or "[]")
        renamed = [roles.get(role, role) for role in held]
        if renamed != held:
            bind.execute(sa.text("UPDATE staffuser SET roles = :roles WHERE id = :id").bindparams(
                sa.bindparam("roles", type_=sa.JSON)), {"roles": renamed, "id": row.id})
