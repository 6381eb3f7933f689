"""The dashboard's "Pengaduan terbuka" tile: open complaints and how many are late, beside the core's tiles.

Registered with tickets.dashboard_views.register_tile, so the core knows nothing of complaints. The complaint
SOPs are found by data (complaints.definitions: the SOP whose outputs carry a complaint's unit), and the
complaints are counted as the complaint queue counts its tabs. The tile shows on every SOP's dashboard to
those who supervise a complaint SOP (and the administrator), who can open the complaint queue from it.
"""

from __future__ import annotations

from flask import Flask, url_for

from complaints.definitions import complaint_definitions, desk_roles
from complaints.queue import tabs
from routing.definition import RoleDuty
from tickets.access import user
from tickets.accounts import ADMIN_ROLE
from tickets.dashboard_views import Builder, Tile, register_tile


def init_app(app: Flask) -> None:
    """Add the complaints tile to the dashboard."""
    register_tile(app, "pengaduan-terbuka", open_complaints)


def open_complaints(b: Builder) -> Tile | None:
    """Complaints not finished now and the late part of them, for a reader who supervises complaints."""
    account = user()
    supervised = [d for d in complaint_definitions() if d.has_duty(RoleDuty.SUPERVISE)
                  and account.has_role(*d.roles_for(RoleDuty.SUPERVISE))]
    if not supervised and not account.has_role(ADMIN_ROLE):
        return None
    if not complaint_definitions():
        return None
    counted = tabs(b.session, b.now)
    total, late = sum(t.total for t in counted), sum(t.overdue for t in counted)
    return Tile("pengaduan-terbuka", "Pengaduan terbuka", total,
                f"{late} terlambat" if late else "tidak ada yang terlambat", late=late > 0,
                url=url_for("complaints.queue") if account.has_role(*desk_roles()) else None)
