"""Phone pages for the courier and the UPT: what waits for this account, and one big button for the step
to take now, through the same handover services as the berita acara page (the paper stays the one truth).

Every step asks first on a page of its own (a plain link, so it works without JavaScript), then posts; a
second tap of the same step finds the berita acara already past it and says so instead of failing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from berita_acara import handover
from berita_acara.handover import HandoverError
from berita_acara.models import BeritaAcara, BeritaAcaraStatus
from berita_acara.pickup_page import pickup_roles
from berita_acara.stages import HandoverStages, courier_roles, upt_roles
from layanan import db
from tickets.access import allowed, user
from tickets.models import KecamatanRow
from tickets.staff import StaffUser

bp = Blueprint("field", __name__, url_prefix="/tugas")


@dataclass(frozen=True)
class Step:
    """One step a phone page takes on a berita acara: the button, the question before it, the result."""

    button: str
    question: str
    yes: str
    done: str
    # The states the berita acara is in once the step was taken: a second tap lands here.
    after: tuple[BeritaAcaraStatus, ...]


DELIVER = Step("Sudah diserahkan ke UPT",
               "Berkas berita acara ini sudah Anda serahkan kepada petugas UPT kecamatan?", "Ya, sudah diserahkan",
               "Penyerahan berkas ke UPT sudah dicatat. Petugas UPT kini memeriksa berkasnya.",
               (BeritaAcaraStatus.DELIVERED, BeritaAcaraStatus.RECEIVED_COMPLETE,
                BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES))
RECEIVE = Step("Diterima, sesuai berita acara",
               "Semua berkas dalam berita acara ini sudah Anda terima dan cocok dengan daftarnya?",
               "Ya, diterima lengkap",
               "Penerimaan berkas sudah dicatat lengkap. Dokumen siap diambil pemohon.",
               (BeritaAcaraStatus.RECEIVED_COMPLETE, BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES))
STEPS = {"serahkan": DELIVER, "terima": RECEIVE}


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """The "Tugas saya" link of the top bar, for the accounts that have field work: first in the bar for those
    who do nothing else, under "Lainnya" for the rest."""
    return {"field_page": lambda account: url_for(endpoint) if (endpoint := field_endpoint(account)) else None,
            "field_only": lambda account: field_home(account) is not None}


def field_endpoint(account: StaffUser) -> str | None:
    """The phone page of this account's field work (courier, UPT or pick-up counter), or None."""
    if not getattr(account, "is_authenticated", False):
        return None
    if account.has_role(*courier_roles()):
        return "field.courier"
    if account.has_role(*upt_roles()):
        return "field.upt"
    if account.has_role(*pickup_roles()):
        return "loket.waiting"
    return None


def field_home(account: StaffUser) -> str | None:
    """Where an account lands whose every role is field work: its phone page instead of the queue."""
    field_roles = set(courier_roles()) | set(upt_roles()) | set(pickup_roles())
    return field_endpoint(account) if account.roles and set(account.roles) <= field_roles else None


@bp.get("/kurir")
@allowed(courier_roles)
def courier() -> str:
    """The courier's list: papers in hand to hand over, and signed papers waiting at the office, per kecamatan."""
    session = db.session()
    account = user()
    rows = _visible_rows(session, account)
    carrying = [ba for ba in rows if handover.may_record_delivery(account, ba, _chain(session, ba))]
    waiting = [ba for ba in rows if ba.status == BeritaAcaraStatus.SIGNED]
    return render_template("berita_acara/field/courier.html", carrying=_per_kecamatan(session, carrying),
                           waiting=_per_kecamatan(session, waiting), counts=_counts(session, carrying + waiting))


@bp.get("/upt")
@allowed(upt_roles)
def upt() -> str:
    """The UPT's list: papers of its own kecamatan delivered (to check) and on the way."""
    session = db.session()
    account = user()
    rows = [ba for ba in _visible_rows(session, account) if handover.is_receiving_upt(account, ba, _chain(session, ba))]
    arrived = [ba for ba in rows if ba.status == BeritaAcaraStatus.DELIVERED]
    coming = [ba for ba in rows if ba.status == BeritaAcaraStatus.IN_TRANSIT]
    short = [ba for ba in rows if ba.status == BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES]
    return render_template("berita_acara/field/upt.html", arrived=arrived, coming=coming, short=short,
                           counts=_counts(session, rows), kecamatan=_kecamatan_names(session),
                           own=account.kecamatan_code)


@bp.get("/berita-acara/<id:ba_id>/<step>")
@allowed(lambda: courier_roles() + upt_roles())
def confirm(ba_id: int, step: str) -> str | Response:
    """Ask once more before the step: the paper's number, kecamatan and how many berkas."""
    session = db.session()
    berita_acara, chosen = _visible(session, ba_id), _step(step)
    if BeritaAcaraStatus(berita_acara.status) in chosen.after:
        flash("Langkah ini sudah dicatat sebelumnya.", "success")
        return redirect(_back(chosen), code=303)
    items = handover.items_of(session, berita_acara)
    return render_template("berita_acara/field/confirm.html", ba=berita_acara, step=chosen, key=step,
                           count=len(items), items=items, kecamatan=_kecamatan_names(session), back=_back(chosen))


@bp.post("/berita-acara/<id:ba_id>/<step>")
@allowed(lambda: courier_roles() + upt_roles())
def take(ba_id: int, step: str) -> Response:
    """Take the step through the handover service; a second tap is told it was already recorded."""
    session = db.session()
    berita_acara, chosen = _visible(session, ba_id), _step(step)
    if BeritaAcaraStatus(berita_acara.status) in chosen.after:
        flash("Langkah ini sudah dicatat sebelumnya; tidak ada yang dicatat dua kali.", "success")
        return redirect(_back(chosen), code=303)
    try:
        if chosen is DELIVER:
            handover.record_delivery(session, berita_acara, user())
        else:  # the one button says every berkas is there: each item ticked, no note needed
            found = {int(item.id or 0) for item in handover.items_of(session, berita_acara)}
            handover.confirm_receipt(session, berita_acara, user(), found, {})
    except HandoverError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{berita_acara.number}: {chosen.done}", "success")
    return redirect(_back(chosen), code=303)


def _step(key: str) -> Step:
    """The step named in the URL, refused (403) to an account whose role does not take it."""
    step = STEPS.get(key)
    if step is None:
        abort(404)
    if not user().has_role(*(courier_roles() if step is DELIVER else upt_roles())):
        abort(403)
    return step


def _back(step: Step) -> str:
    return url_for("field.courier" if step is DELIVER else "field.upt")


def _visible(session: Session, ba_id: int) -> BeritaAcara:
    berita_acara = session.get(BeritaAcara, ba_id)
    # Another kecamatan's berita acara is answered like a missing one, as on the berita acara pages.
    if berita_acara is None or not handover.can_view(user(), berita_acara):
        abort(404)
    return berita_acara


def _visible_rows(session: Session, account: StaffUser) -> list[BeritaAcara]:
    """Berita acara past signing and not yet checked complete that the account may open, oldest first."""
    open_states = (BeritaAcaraStatus.SIGNED, BeritaAcaraStatus.IN_TRANSIT, BeritaAcaraStatus.DELIVERED,
                   BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES)
    query = select(BeritaAcara).where(col(BeritaAcara.status).in_([str(s) for s in open_states]))
    return [ba for ba in session.exec(query.order_by(col(BeritaAcara.id))) if handover.can_view(account, ba)]


def _chain(session: Session, berita_acara: BeritaAcara) -> HandoverStages:
    return handover.chain_of(session, berita_acara)


def _per_kecamatan(session: Session, rows: list[BeritaAcara]) -> list[tuple[str, list[BeritaAcara]]]:
    names = _kecamatan_names(session)
    grouped: dict[str, list[BeritaAcara]] = defaultdict(list)
    for ba in rows:
        grouped[names.get(ba.kecamatan_code, ba.kecamatan_code)].append(ba)
    return sorted(grouped.items())


def _counts(session: Session, rows: list[BeritaAcara]) -> dict[int, int]:
    """How many berkas each berita acara lists."""
    return {int(ba.id or 0): len(handover.items_of(session, ba)) for ba in rows}


def _kecamatan_names(session: Session) -> dict[str, str]:
    return {k.code: k.name for k in session.exec(select(KecamatanRow))}
