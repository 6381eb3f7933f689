"""The berita acara's life: drawn up per kecamatan, signed, carried, received item by item.

Every move of the papers also moves the listed tickets through their stages with the workflow
service, so each step leaves a stage event with the acting officer and role. The other way round is
closed: a listed ticket leaves the berita acara, courier and UPT stages only with its berita acara
(`refuse_moves_outside`). The paper is one sheet, carried in one envelope by one courier and signed
by hand by the courier and the UPT over the whole list, so it cannot record one of its berkas handed
over alone; a ticket moved by itself from its own page left the paper behind ("Kurir —" on an
archived ticket's berita acara). The ticket page points to the berita acara instead.

A berita acara lists the tickets of one SOP: who draws it up, signs, carries and receives it are
the roles that SOP gives the duties (berita_acara.stages).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from berita_acara.numbering import take_number
from berita_acara.sorting import SHORT_LABELS
from berita_acara.stages import HandoverStages, handover_chains, stages_of, view_roles
from layanan.clock import WIB, office_year, utcnow
from routing import workflow
from routing.definition import Action, FieldType, Stage
from routing.engine import InvalidTransition, Transition, TransitionError
from tickets.access import is_upt_only
from tickets.models import Applicant, StageEvent, Ticket
from tickets.privacy import mask_nik
from tickets.staff import StaffUser
from tickets.workflow_service import act

log = logging.getLogger(__name__)

# Set on the session while a step of the berita acara moves its own tickets: the only way they move.
_MOVING = "berita_acara_moving"


class HandoverError(ValueError):
    """A step of the berita acara cannot be taken; the message is Indonesian and safe to show."""


def can_view(account: StaffUser, berita_acara: BeritaAcara) -> bool:
    """Whether the account may open this berita acara: a UPT officer only for its own kecamatan."""
    if not account.has_role(*view_roles()):
        return False
    if is_upt_only(account):
        return account.kecamatan_code is not None and account.kecamatan_code == berita_acara.kecamatan_code
    return True


def chain_of(session: Session, berita_acara: BeritaAcara) -> HandoverStages:
    """The handover chain of the SOP the berita acara's tickets run on."""
    found = session.exec(
        select(Ticket.workflow).join(BeritaAcaraItem, col(BeritaAcaraItem.ticket_id) == col(Ticket.id))
        .where(BeritaAcaraItem.berita_acara_id == berita_acara.id).limit(1)
    ).first()
    chain = stages_of(found) if found else None
    if chain is None:
        raise HandoverError("Berita acara ini tidak memuat berkas dari alur yang memakai berita acara.")
    return chain


def waiting_tickets(session: Session, chain: HandoverStages,
                    kecamatan_code: str | None = None) -> dict[str, list[Ticket]]:
    """Tickets of the chain's SOP at its berita acara stage that no berita acara lists yet, per kecamatan."""
    query = select(Ticket).where(
        Ticket.workflow == chain.definition.key, Ticket.stage == chain.handover.key,
        col(Ticket.id).not_in(select(BeritaAcaraItem.ticket_id)), col(Ticket.kecamatan_code).is_not(None))
    if kecamatan_code is not None:
        query = query.where(Ticket.kecamatan_code == kecamatan_code)
    grouped: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in session.exec(query.order_by(col(Ticket.id))):
        grouped[str(ticket.kecamatan_code)].append(ticket)
    return dict(grouped)


def create_berita_acara(session: Session, actor: StaffUser, kecamatan_code: str, number_format: str,
                        now: datetime | None = None, *, sop: str | None = None) -> BeritaAcara:
    """Draw up the berita acara for every waiting ticket of one kecamatan (of one SOP: the given one, or
    the first whose berita acara the actor draws up that has berkas waiting); commits."""
    chains = [c for c in handover_chains() if sop is None or c.definition.key == sop]
    mine = [c for c in chains if actor.has_role(c.creator_role)]
    if not mine:
        raise HandoverError("Akun Anda tidak berwenang membuat berita acara.")
    now = now or utcnow()
    tickets: list[Ticket] = []
    for chain in mine:
        tickets = waiting_tickets(session, chain, kecamatan_code).get(kecamatan_code, [])
        if tickets:
            break
    if not tickets:
        raise HandoverError("Tidak ada berkas yang menunggu berita acara untuk kecamatan ini.")
    try:
        year = office_year(now)
        seq, number = take_number(session, number_format, year)
        berita_acara = BeritaAcara(number=number, year=year, seq=seq, kecamatan_code=kecamatan_code,
                                   document_date=now.astimezone(WIB).date(), created_by_id=actor.id,
                                   created_at=now, updated_at=now)
        session.add(berita_acara)
        session.flush()
        applicants = _applicants(session, tickets)
        for position, ticket in enumerate(tickets, start=1):
            applicant = applicants[ticket.applicant_id]
            session.add(BeritaAcaraItem(
                berita_acara_id=berita_acara.id, ticket_id=ticket.id, position=position,
                ticket_number=ticket.number, applicant_name=applicant.name or "-",
                service=ticket.service, nik_masked=mask_nik(applicant.nik) if applicant.nik else "-",
            ))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HandoverError("Sebagian berkas baru saja dimasukkan ke berita acara lain. Muat ulang halaman.")
    except BaseException:
        session.rollback()
        raise
    log.info("berita acara %s: %d berkas untuk kecamatan %s", berita_acara.number, len(tickets), kecamatan_code)
    return berita_acara


def awaiting_signature(session: Session, account: StaffUser) -> list[BeritaAcara]:
    """Draft berita acara of the SOPs whose berita acara the account signs, oldest first."""
    sops = [c.definition.key for c in handover_chains() if account.has_role(c.signer_role)]
    if not sops:
        return []
    listed = (select(BeritaAcaraItem.berita_acara_id).join(Ticket, col(Ticket.id) == col(BeritaAcaraItem.ticket_id))
              .where(col(Ticket.workflow).in_(sops)))
    return list(session.exec(select(BeritaAcara).where(BeritaAcara.status == BeritaAcaraStatus.DRAFT,
                                                       col(BeritaAcara.id).in_(listed)).order_by(col(BeritaAcara.id))))


def remove_item(session: Session, berita_acara: BeritaAcara, actor: StaffUser, item_id: int) -> None:
    """Take a berkas out of a draft (e.g. its ticket was returned); the rest close up. Commits."""
    _require_role(actor, chain_of(session, berita_acara).creator_role, "mengubah berita acara")
    _require_status(berita_acara, BeritaAcaraStatus.DRAFT, "diubah lagi")
    items = items_of(session, berita_acara)
    target = next((item for item in items if item.id == item_id), None)
    if target is None:
        raise HandoverError("Berkas ini tidak ada dalam berita acara ini. Muat ulang halaman.")
    if len(items) == 1:
        raise HandoverError("Berita acara harus memuat sedikitnya satu berkas.")
    session.delete(target)
    session.flush()
    for item in items:
        if item.position > target.position:  # ascending, so each position is free before it is taken
            item.position -= 1
            session.add(item)
            session.flush()
    berita_acara.updated_at = utcnow()
    session.add(berita_acara)
    session.commit()


def items_of(session: Session, berita_acara: BeritaAcara) -> list[BeritaAcaraItem]:
    """The berita acara's items in printed order."""
    return list(session.exec(select(BeritaAcaraItem).where(BeritaAcaraItem.berita_acara_id == berita_acara.id)
                             .order_by(BeritaAcaraItem.position)))


def totals(items: list[BeritaAcaraItem]) -> list[tuple[str, int]]:
    """Items per document type, in the order the services are listed."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item.service] += 1
    order = list(SHORT_LABELS)
    return [(SHORT_LABELS.get(s, s), counts[s]) for s in sorted(counts, key=lambda s: (s not in order,
            order.index(s) if s in order else 0, s))]


def mark_signed(session: Session, berita_acara: BeritaAcara, actor: StaffUser, signed_pdf: bytes,
                now: datetime) -> None:
    """Store the signed PDF and move the berita acara to signed; commits."""
    _require_role(actor, chain_of(session, berita_acara).signer_role, "menandatangani berita acara")
    _require_status(berita_acara, BeritaAcaraStatus.DRAFT, "ditandatangani")
    berita_acara.status = BeritaAcaraStatus.SIGNED
    berita_acara.signed_by_id = actor.id
    berita_acara.signed_at = now
    berita_acara.signed_pdf = signed_pdf
    berita_acara.updated_at = now
    session.add(berita_acara)
    session.commit()


def dispatch(session: Session, berita_acara: BeritaAcara, actor: StaffUser, courier: StaffUser,
             now: datetime | None = None) -> None:
    """The Kasi Inovasi hands the signed berita acara and its papers to a courier; refused unsigned."""
    chain = chain_of(session, berita_acara)
    _require_role(actor, chain.creator_role, "menyerahkan berkas ke kurir")
    if berita_acara.status == BeritaAcaraStatus.DRAFT:
        raise HandoverError("Berita acara belum ditandatangani Kepala Dinas; berkas belum dapat diserahkan ke kurir.")
    _require_status(berita_acara, BeritaAcaraStatus.SIGNED, "diserahkan ke kurir")
    if not courier.has_role(chain.courier_role) or not courier.active:
        raise HandoverError("Penerima berkas harus akun kurir yang aktif.")
    now = now or utcnow()
    _move_tickets(session, berita_acara, chain, chain.handover, actor, now)
    berita_acara.status = BeritaAcaraStatus.IN_TRANSIT
    berita_acara.courier_id = courier.id
    berita_acara.dispatched_at = now
    berita_acara.updated_at = now
    session.add(berita_acara)
    session.commit()


def record_delivery(session: Session, berita_acara: BeritaAcara, actor: StaffUser,
                    now: datetime | None = None) -> None:
    """The courier records handing the papers to the UPT."""
    chain = chain_of(session, berita_acara)
    _require_role(actor, chain.courier_role, "mencatat penyerahan ke UPT")
    if berita_acara.status in (BeritaAcaraStatus.DRAFT, BeritaAcaraStatus.SIGNED):
        raise HandoverError("Berita acara ini belum diserahkan kepada kurir.")
    _require_status(berita_acara, BeritaAcaraStatus.IN_TRANSIT, "dicatat diserahkan ke UPT")
    # A berita acara dispatched before its steps were the only way carries no courier: any courier may record.
    if berita_acara.courier_id not in (None, actor.id):
        raise HandoverError("Berita acara ini dibawa kurir lain.")
    now = now or utcnow()
    _move_tickets(session, berita_acara, chain, chain.courier, actor, now)
    berita_acara.status = BeritaAcaraStatus.DELIVERED
    berita_acara.courier_id = actor.id
    berita_acara.delivered_at = now
    berita_acara.updated_at = now
    session.add(berita_acara)
    session.commit()


def may_record_delivery(account: StaffUser, berita_acara: BeritaAcara, chain: HandoverStages) -> bool:
    """Whether the account is the courier who may record this berita acara's papers as handed to the UPT."""
    return (berita_acara.status == BeritaAcaraStatus.IN_TRANSIT and account.has_role(chain.courier_role)
            and berita_acara.courier_id in (None, account.id))


def is_receiving_upt(account: StaffUser, berita_acara: BeritaAcara, chain: HandoverStages) -> bool:
    """Whether the account is the UPT officer of the berita acara's kecamatan."""
    return account.has_role(chain.upt_role) and account.kecamatan_code == berita_acara.kecamatan_code


def confirm_receipt(session: Session, berita_acara: BeritaAcara, actor: StaffUser, found: set[int],
                    notes: Mapping[int, str], now: datetime | None = None) -> BeritaAcaraStatus:
    """The UPT checks the papers item by item; found items move on, missing ones need a note."""
    chain = chain_of(session, berita_acara)
    _require_role(actor, chain.upt_role, "memeriksa penerimaan berkas")
    if actor.kecamatan_code != berita_acara.kecamatan_code:
        raise HandoverError("Berita acara ini ditujukan ke UPT kecamatan lain.")
    _require_status(berita_acara, BeritaAcaraStatus.DELIVERED, "diperiksa")
    items = items_of(session, berita_acara)
    unknown = found - {item.id for item in items}
    if unknown:
        raise HandoverError("Daftar berkas yang dicentang tidak sesuai dengan berita acara ini. Muat ulang halaman.")
    unexplained = [item.ticket_number for item in items
                   if item.id not in found and not (notes.get(item.id) or "").strip()]
    if unexplained:
        raise HandoverError("Tulis keterangan untuk setiap berkas yang tidak ada: " + ", ".join(unexplained) + ".")
    now = now or utcnow()
    arrived = [item for item in items if item.id in found]
    _move_tickets(session, berita_acara, chain, chain.upt, actor, now, only={item.ticket_id for item in arrived})
    for item in items:
        item.received = item.id in found
        item.missing_note = None if item.received else notes[item.id].strip()[:300]
        session.add(item)
    complete = len(arrived) == len(items)
    berita_acara.status = (BeritaAcaraStatus.RECEIVED_COMPLETE if complete
                           else BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES)
    berita_acara.received_by_id = actor.id
    berita_acara.received_at = now
    berita_acara.receipt_note = None if complete else f"{len(items) - len(arrived)} berkas tidak diterima."
    berita_acara.updated_at = now
    session.add(berita_acara)
    session.commit()
    return BeritaAcaraStatus(berita_acara.status)


def receive_late(session: Session, berita_acara: BeritaAcara, actor: StaffUser, item_id: int,
                 now: datetime | None = None) -> BeritaAcaraStatus:
    """A berkas noted missing turns up later: the UPT receives it and its ticket moves on."""
    chain = chain_of(session, berita_acara)
    _require_role(actor, chain.upt_role, "memeriksa penerimaan berkas")
    if actor.kecamatan_code != berita_acara.kecamatan_code:
        raise HandoverError("Berita acara ini ditujukan ke UPT kecamatan lain.")
    _require_status(berita_acara, BeritaAcaraStatus.RECEIVED_WITH_DISCREPANCIES, "menerima berkas susulan")
    item = session.get(BeritaAcaraItem, item_id)
    if item is None or item.berita_acara_id != berita_acara.id or item.received is not False:
        raise HandoverError("Berkas ini tidak tercatat hilang pada berita acara ini. Muat ulang halaman.")
    now = now or utcnow()
    _move_tickets(session, berita_acara, chain, chain.upt, actor, now, only={item.ticket_id})
    _received_late(session, berita_acara, item, now)
    session.commit()
    return BeritaAcaraStatus(berita_acara.status)


def _received_late(session: Session, berita_acara: BeritaAcara, item: BeritaAcaraItem, now: datetime) -> None:
    """Record a berkas noted missing as received after all; the berita acara is complete with the last one."""
    item.received = True
    item.missing_note = f"{item.missing_note}; diterima susulan {now.astimezone(WIB):%d/%m/%Y %H:%M} WIB"[:300]
    session.add(item)
    still_missing = [i for i in items_of(session, berita_acara) if i.received is False and i.id != item.id]
    if not still_missing:
        berita_acara.status = BeritaAcaraStatus.RECEIVED_COMPLETE
        berita_acara.receipt_note = "Lengkap setelah berkas susulan diterima."
    else:
        berita_acara.receipt_note = f"{len(still_missing)} berkas tidak diterima."
    berita_acara.updated_at = now
    session.add(berita_acara)


def _move_tickets(session: Session, berita_acara: BeritaAcara, chain: HandoverStages, stage: Stage,
                  actor: StaffUser, now: datetime, only: set[int] | None = None) -> None:
    """Advance the listed tickets out of `stage` as the actor, confirming the stage's checks.

    Idempotent: tickets already past the stage (an earlier attempt got halfway) are left alone.
    Each ticket is its own transaction, as on the ticket page; a ticket someone else holds stops the
    step with its number, and the berita acara keeps its state until every ticket has moved.
    """
    confirmations = stage_confirmations(stage)
    ids = [item.ticket_id for item in items_of(session, berita_acara) if only is None or item.ticket_id in only]
    roles = set(actor.roles)
    stuck: list[str] = []
    later = chain.keys_after(stage)
    session.info[_MOVING] = berita_acara.id
    try:
        for ticket in session.exec(select(Ticket).where(col(Ticket.id).in_(ids)).order_by(col(Ticket.id))):
            if ticket.stage in later:
                continue
            if ticket.stage != stage.key:
                # Returned or rejected since it was listed: the paper and the ticket no longer agree.
                stuck.append(f"{ticket.number} (sekarang di tahap "
                             f"'{workflow(ticket.workflow).stage(ticket.stage).name}')")
                continue
            try:
                if ticket.claimed_by_id != actor.id:
                    ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=actor.id, actor_roles=roles,
                                       expected_version=ticket.version, now=now)
                act(session, ticket, Action.ADVANCE, actor_id=actor.id, actor_roles=roles,
                    expected_version=ticket.version, payload={"outputs": confirmations}, now=now)
            except TransitionError as exc:
                stuck.append(f"{ticket.number} ({exc})")
    finally:
        session.info.pop(_MOVING, None)
    if stuck:
        raise HandoverError("Berkas berikut belum dapat diproses: " + "; ".join(stuck))


def listing(session: Session, ticket: Ticket) -> BeritaAcara | None:
    """The berita acara that lists this ticket, if one does."""
    return session.exec(
        select(BeritaAcara).join(BeritaAcaraItem, col(BeritaAcaraItem.berita_acara_id) == col(BeritaAcara.id))
        .where(BeritaAcaraItem.ticket_id == ticket.id)
    ).first()


def refuse_moves_outside(session: Session, ticket: Ticket, event: StageEvent, transition: Transition) -> None:
    """Refuse advancing a listed ticket out of the berita acara, courier or UPT stage other than by a step
    of its berita acara (hook on "stage left"); the refusal names the berita acara to use."""
    if transition.action is not Action.ADVANCE or session.info.get(_MOVING):
        return
    chain = stages_of(ticket.workflow)
    if chain is None or event.from_stage not in {s.key for s in chain.paper_trail}:
        return
    berita_acara = listing(session, ticket)
    if berita_acara is not None:
        raise InvalidTransition(
            f"Tiket ini tercantum dalam berita acara {berita_acara.number}: penyerahan ke kurir, pengantaran dan "
            "penerimaan di UPT dicatat di halaman berita acara itu, untuk semua berkasnya sekaligus.")


def stage_confirmations(stage: Stage) -> dict[str, Any]:
    """The stage's checkboxes, all ticked: the batch step confirms them for every listed ticket."""
    needed = [o for o in stage.outputs if not o.system_assigned and o.required and o.type is not FieldType.CHECK]
    if needed:
        raise HandoverError(f"Tahap '{stage.name}' meminta isian per berkas; kerjakan lewat halaman tiket.")
    return {o.key: True for o in stage.outputs if not o.system_assigned and o.type is FieldType.CHECK}


def _applicants(session: Session, tickets: list[Ticket]) -> dict[int, Applicant]:
    ids = {t.applicant_id for t in tickets}
    return {a.id: a for a in session.exec(select(Applicant).where(col(Applicant.id).in_(ids)))}  # type: ignore[misc]


def _require_role(actor: StaffUser, role: str, what: str) -> None:
    if not actor.has_role(role):
        raise HandoverError(f"Akun Anda tidak berwenang {what}.")


def _require_status(berita_acara: BeritaAcara, expected: BeritaAcaraStatus, what: str) -> None:
    if berita_acara.status != expected:
        label = BeritaAcaraStatus(berita_acara.status).label
        raise HandoverError(f"Berita acara berstatus '{label}' dan tidak dapat {what}.")
