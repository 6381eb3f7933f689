"""How document signing and PDF delivery plug into the ticket core, and what they need of the SOPs."""

from __future__ import annotations

from flask import Flask

from pdf_delivery.documents import document_output
from pdf_delivery.sending import FEATURE as SENDING, sending_stages
from routing import definitions
from routing.definition import Definition, DefinitionError, OutputSource, RoleDuty
from tickets import events

SIGNING = "tanda tangan elektronik dokumen"


def init_app(app: Flask) -> None:
    """Refuse at start an SOP that signs or sends documents without the duties that takes; fill the
    `document` and `signed_document` outputs from the uploaded and signed PDFs."""
    for definition in definitions():
        require_duties(definition)
    events.provide_output(app, OutputSource.DOCUMENT, document_output)
    events.provide_output(app, OutputSource.SIGNED_DOCUMENT, document_output)


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
