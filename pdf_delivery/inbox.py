"""The signer's inbox items: documents uploaded and waiting for their electronic signature."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, select

from pdf_delivery.documents import signing_stage_keys
from pdf_delivery.models import DocumentStatus, IssuedDocument
from routing import definitions, definitions_with, workflow
from routing.definition import RoleDuty
from tickets.constants import Service
from tickets.inbox import InboxItem, InboxQuery
from tickets.models import Ticket
from tickets.staff import StaffUser

KIND = "document"
LABEL = "Dokumen menunggu tanda tangan (TTE)"


def signing_stages() -> list[str]:
    """Every stage whose tickets wait for a signature: this source reports them, not "work arrived"."""
    return [key for d in definitions() for key in signing_stage_keys(d.key)]


def to_sign(session: Session, account: StaffUser, since: datetime) -> InboxQuery | None:
    """Tickets at a signing stage of an SOP the account signs for, whose uploaded document awaits the signature."""
    branches = [and_(col(Ticket.workflow) == d.key, col(Ticket.stage).in_(signing_stage_keys(d.key)))
                for d in definitions_with(RoleDuty.SIGN)
                if signing_stage_keys(d.key) and account.has_role(d.role_for(RoleDuty.SIGN))]
    if not branches:
        return None
    awaiting = exists().where(col(IssuedDocument.ticket_id) == col(Ticket.id),
                              col(IssuedDocument.status) == DocumentStatus.AWAITING_SIGNATURE)
    statement = select(col(Ticket.id), col(Ticket.number), col(Ticket.workflow), col(Ticket.stage),
                       col(Ticket.service), col(Ticket.stage_entered_at)).where(or_(*branches), awaiting)
    return InboxQuery(statement, col(Ticket.id), col(Ticket.stage_entered_at), _item)


def _item(row: Any) -> InboxItem:
    try:
        service = Service(row.service).label
    except ValueError:
        service = row.service
    return InboxItem(KIND, str(row.id), row.stage_entered_at, f"Dokumen tiket {row.number} menunggu TTE",
                     url_for("signing.queue"), f"{service} · {workflow(row.workflow).stage(row.stage).name}")
