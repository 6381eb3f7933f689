"""How the berita acara plugs into the ticket core."""

from __future__ import annotations

from flask import Flask

from berita_acara.outputs import berita_acara_output
from routing.definition import OutputSource
from tickets import events


def init_app(app: Flask) -> None:
    """Fill the `berita_acara` output with the number of the signed berita acara listing the ticket."""
    events.provide_output(app, OutputSource.BERITA_ACARA, lambda session, ticket, spec: berita_acara_output(session, ticket))
