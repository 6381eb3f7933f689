"""The stage output this package supplies to the workflow service: the berita acara number.
Called inside the transition's transaction; raising cancels the transition."""

from __future__ import annotations

from sqlmodel import Session, select

from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from routing.engine import InvalidTransition
from tickets.models import Ticket


def berita_acara_output(session: Session, ticket: Ticket) -> str:
    """The number of the signed berita acara that lists this ticket; refused while there is none."""
    berita_acara = session.exec(
        select(BeritaAcara).join(BeritaAcaraItem).where(BeritaAcaraItem.ticket_id == ticket.id)
    ).first()
    if berita_acara is None:
        raise InvalidTransition("Tiket ini belum tercantum dalam berita acara pengiriman ke UPT.")
    if berita_acara.status == BeritaAcaraStatus.DRAFT:
        raise InvalidTransition(
            f"Berita acara {berita_acara.number} belum ditandatangani Kepala Dinas; "
            "berkas belum dapat diserahkan ke kurir."
        )
    return berita_acara.number
