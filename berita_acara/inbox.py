"""The signer's inbox items: berita acara drawn up and waiting for their signature."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import exists
from sqlmodel import Session, col, select

from berita_acara.models import BeritaAcara, BeritaAcaraItem, BeritaAcaraStatus
from berita_acara.stages import handover_chains
from tickets.inbox import InboxItem, InboxQuery
from tickets.kecamatan import BY_CODE
from tickets.models import Ticket
from tickets.staff import StaffUser

KIND = "berita_acara"
LABEL = "Berita acara menunggu tanda tangan Anda"


def to_sign(session: Session, account: StaffUser, since: datetime) -> InboxQuery | None:
    """Draft berita acara of the SOPs whose berita acara the account signs (as `handover.awaiting_signature`)."""
    sops = [c.definition.key for c in handover_chains() if account.has_role(c.signer_role)]
    if not sops:
        return None
    # Correlated, so only the few drafts are looked into, not every berita acara item ever listed.
    listed = exists().where(col(BeritaAcaraItem.berita_acara_id) == col(BeritaAcara.id),
                            col(Ticket.id) == col(BeritaAcaraItem.ticket_id), col(Ticket.workflow).in_(sops))
    statement = select(col(BeritaAcara.id), col(BeritaAcara.number), col(BeritaAcara.kecamatan_code),
                       col(BeritaAcara.created_at)).where(col(BeritaAcara.status) == BeritaAcaraStatus.DRAFT, listed)
    return InboxQuery(statement, col(BeritaAcara.id), col(BeritaAcara.created_at), _item)


def _item(row: Any) -> InboxItem:
    kecamatan = BY_CODE.get(row.kecamatan_code)
    return InboxItem(KIND, str(row.id), row.created_at, f"Berita acara {row.number} menunggu tanda tangan",
                     url_for("berita_acara.detail", ba_id=row.id),
                     f"Penyerahan berkas ke UPT Kecamatan {kecamatan.name if kecamatan else row.kecamatan_code}")
