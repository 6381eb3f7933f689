"""The baseline for the webhook benchmark: a bare Flask endpoint that answers a form post with a tiny TwiML.

It does what any webhook must (parse the form, answer XML) and nothing of ours: no signature check, no
database, no Redis. Served by gunicorn with the Procfile's settings, it shows what the server and the
framework alone cost on this machine.
"""

from __future__ import annotations

from flask import Flask, Response, request

REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Terima kasih.</Message></Response>'


def create_app() -> Flask:
    """The bare app (gunicorn: `bench.bare_app:create_app()`)."""
    app = Flask(__name__)

    @app.post("/webhooks/whatsapp")
    def whatsapp() -> Response:
        """Read the form as the real webhook does and answer one message."""
        request.form.get("Body", "")
        return Response(REPLY, mimetype="application/xml")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app
