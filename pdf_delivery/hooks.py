"""How document signing and PDF delivery plug into the ticket core, and what they need of the SOPs."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session

from bot import catalogue
from bot.conversation import Pending
from pdf_delivery import inbox as document_inbox
from pdf_delivery.documents import document_output
from pdf_delivery.signing_views import sign_on_the_tte_page, upload_and_advance
from pdf_delivery.sending import FEATURE as SENDING, resume_waiting, sending_stages, waiting_for_reply
from routing import definitions
from routing.definition import Definition, DefinitionError, OutputSource, RoleDuty
from tickets import events, inbox
from tickets.messages import Attachment, Message

SIGNING = "tanda tangan elektronik dokumen"


def init_app(app: Flask) -> None:
    """Refuse at start an SOP that signs or sends documents without the duties that takes; fill the
    `document` and `signed_document` outputs from the uploaded and signed PDFs; on the ticket page, advance
    a document's stage from the upload form, and send a document waiting for its signature to the signing page."""
    for definition in definitions():
        require_duties(definition)
    events.provide_output(app, OutputSource.DOCUMENT, document_output)
    events.provide_output(app, OutputSource.SIGNED_DOCUMENT, document_output)
    events.add_pending(app, events.PendingMatter(Pending.PDF, waiting_for_reply, _resume_waiting_pdf))
    events.take_advance_elsewhere(app, upload_and_advance)
    events.take_advance_elsewhere(app, sign_on_the_tte_page)
    inbox.register_inbox_source(app, document_inbox.KIND, document_inbox.LABEL, document_inbox.to_sign,
                                takes_stages=document_inbox.signing_stages)


def require_duties(definition: Definition) -> None:
    """Raise DefinitionError, naming what is missing: a document to sign needs a signer (`sign`); sending
    PDFs (`send_pdf`) needs a signed document, so a signer, and a stage of the sender to send from.
    An SOP that only uploads documents needs neither."""
    if any(o.source is OutputSource.SIGNED_DOCUMENT for s in definition.chain for o in s.outputs):
        definition.require(SIGNING, [RoleDuty.SIGN])
    if not definition.has_duty(RoleDuty.SEND_PDF):
        return
    definition.require(SENDING, [RoleDuty.SIGN])
    if not sending_stages(definition):
        raise DefinitionError(definition.source_file, [
            f"{SENDING}: the role {definition.role_for(RoleDuty.SEND_PDF)!r} with the duty "
            f"{RoleDuty.SEND_PDF.value!r} owns no stage to send the PDF from"])


def _resume_waiting_pdf(session: Session, message: Message, attachments: list[Attachment]) -> list[str] | None:
    """The citizen wrote, so the 24-hour window is open again: the PDFs that waited for it go out now."""
    numbers = resume_waiting(session, message.phone)
    return [catalogue.render("document_ready_reply", number=number) for number in numbers] or None
