"""How document signing and PDF delivery plug into the ticket core."""

from __future__ import annotations

from flask import Flask

from pdf_delivery.documents import document_output
from routing.definition import OutputSource
from tickets import events


def init_app(app: Flask) -> None:
    """Fill the `document` and `signed_document` outputs from the uploaded and signed PDFs."""
    events.provide_output(app, OutputSource.DOCUMENT, document_output)
    events.provide_output(app, OutputSource.SIGNED_DOCUMENT, document_output)
