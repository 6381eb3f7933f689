"""How the berita acara plugs into the ticket core, and what it needs of the SOPs that use it."""

from __future__ import annotations

from flask import Flask

from berita_acara import field_pages, pickup_page
from berita_acara import inbox as berita_acara_inbox
from berita_acara.handover import refuse_moves_outside
from berita_acara.outputs import berita_acara_output
from berita_acara.register_views import bp as register_book_bp
from berita_acara.retention import LABELS, purge_reports
from berita_acara.stages import check_definition
from berita_acara.views import step_on_berita_acara
from routing import definitions
from routing.definition import Definition, OutputSource, StageDuty
from tickets import events, inbox, retention


def init_app(app: Flask) -> None:
    """Refuse at start an SOP whose berita acara could not work; fill the `berita_acara` output with the
    number of the signed berita acara listing the ticket; keep listed tickets from leaving the handover,
    courier and UPT stages other than with their berita acara, and point their ticket pages to it;
    remove its PDFs with the purge of finished tickets; add the buku registrasi's pages and the phone pages,
    where the courier, the UPT and the pick-up counter land when that is all they do."""
    for definition in definitions():
        require_duties(definition)
    events.provide_output(app, OutputSource.BERITA_ACARA,
                          lambda session, ticket, spec: berita_acara_output(session, ticket))
    events.on(app, events.TicketEvent.STAGE_LEFT, refuse_moves_outside)
    events.take_advance_elsewhere(app, step_on_berita_acara)
    retention.add_purger(app, purge_reports, LABELS)
    app.register_blueprint(register_book_bp)  # the buku registrasi, one of the SOP's papers like the berita acara
    inbox.register_inbox_source(app, berita_acara_inbox.KIND, berita_acara_inbox.LABEL, berita_acara_inbox.to_sign)
    app.register_blueprint(field_pages.bp)  # phone pages of the courier and the UPT
    app.register_blueprint(pickup_page.bp)  # the pick-up counter's phone page
    events.choose_home(app, field_pages.field_home)


def require_duties(definition: Definition) -> None:
    """Raise DefinitionError, naming what is missing, for an SOP that uses the berita acara without the
    duties it needs; an SOP without a berita acara passes."""
    uses = definition.has_duty(StageDuty.HANDOVER) or any(
        o.source is OutputSource.BERITA_ACARA for s in definition.chain for o in s.outputs)
    if uses:
        check_definition(definition)
