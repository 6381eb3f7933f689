"""Sending the signed PDF to the applicant's WhatsApp: the real twilio client against a local Messages
API, real RQ jobs, the real webhooks and download route over HTTP."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlmodel import Session, select

from bot.conversation import Incoming, ResendDocument, State, handle
from pdf_delivery import sending
from pdf_delivery.delivery_models import DeliveryState, DownloadLink, PdfDelivery
from pdf_delivery.download_links import create_link
from pdf_delivery.models import DocumentStatus, IssuedDocument
from routing import workflow
from tests.support.twilio_api import ACCOUNT_SID, Fail, Slow, TwilioApi
from tests.support.whatsapp import Phone
from tests.tickets.conftest import PHONE, csrf_token, login, make_message, make_staff, make_ticket
from tickets.constants import Direction
from tickets.models import StageEvent, Ticket
from tickets.staff import StaffUser
from layanan.clock import utcnow
from tests.support.workflows import TANGGAMUS

DOCUMENT_READY_SID = "HX" + "d" * 32
OFFICE_NUMBER = "+6272200000000"


def pdf_bytes(marker: str = "") -> bytes:
    """A small, well-formed one-page PDF (what the signing step stores)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return out + (f"% {marker}\n".encode() if marker else b"")


@pytest.fixture
def twilio_api(app_config: dict[str, Any]) -> Iterator[TwilioApi]:
    api = TwilioApi(auth_token=app_config["TWILIO_AUTH_TOKEN"]).start()
    yield api
    api.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any], twilio_api: TwilioApi, tmp_path: Path) -> dict[str, Any]:
    """Twilio switched on and pointed at the local Messages API; retries without waiting."""
    return {**app_config, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_WHATSAPP_FROM": f"whatsapp:{OFFICE_NUMBER}",
            "TWILIO_API_BASE": twilio_api.url, "TWILIO_CONTENT_SID_DOCUMENT_READY": DOCUMENT_READY_SID,
            "PDF_SEND_RETRY_INTERVALS": [0, 0, 0, 0], "DOCUMENTS_PATH": str(tmp_path / "documents")}


@pytest.fixture
def sender(session: Session) -> StaffUser:
    return make_staff(session, "pdf_sender")


def sending_stage() -> str:
    return sending.sending_stages(workflow(TANGGAMUS))[0].key


def ready_ticket(session: Session, documents: str, *, last_inbound_hours: float | None = 1,
                 phone: str = PHONE) -> tuple[Ticket, IssuedDocument, bytes]:
    """A ticket at the PDF-sending stage with a signed document stored under DOCUMENTS_PATH."""
    ticket = make_ticket(session, phone=phone, stage=sending_stage())
    content = pdf_bytes(secrets.token_hex(4))
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{digest[:2]}/{digest}.pdf"
    path = Path(documents) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    document = IssuedDocument(
        ticket_id=ticket.id, document_type="ktp-el", original_path=relative, original_sha256=digest,
        original_size=len(content), signed_path=relative, signed_sha256=digest, signed_at=utcnow(),
        verification_code=secrets.token_urlsafe(12), status=DocumentStatus.SIGNED,
    )
    session.add(document)
    session.commit()
    if last_inbound_hours is not None:
        make_message(session, phone=phone, direction=Direction.INBOUND,
                     created_at=utcnow() - timedelta(hours=last_inbound_hours))
    return ticket, document, content


def delivery_of(session: Session, ticket: Ticket) -> PdfDelivery:
    session.expire_all()
    return session.exec(select(PdfDelivery).where(PdfDelivery.ticket_id == ticket.id)
                        .order_by(PdfDelivery.id.desc())).first()  # type: ignore[union-attr]


def stage_of(session: Session, ticket: Ticket) -> str:
    session.expire_all()
    return session.get(Ticket, ticket.id).stage  # type: ignore[union-attr]


def send(session: Session, ticket: Ticket, sender: StaffUser) -> PdfDelivery:
    session.refresh(ticket)
    return sending.request_send(session, ticket, sender)


# --- The PDF sender's queue, the send and the download ------------------------------------------


def test_pdf_sender_sends_from_queue_and_ticket_moves_on_once_delivered(
        app, session, live_server, http, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _document, content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    login(http, "pdf-sender")

    page = http.get("/pengiriman-pdf")
    assert page.status_code == 200 and f'data-number="{ticket.number}"' in page.text
    answer = http.post("/pengiriman-pdf/kirim", data={"csrf_token": csrf_token(page.text), "tiket": str(ticket.id)})
    assert answer.status_code == 200 and "masuk antrean kirim" in answer.text
    run_jobs()

    [pdf] = twilio_api.pdfs()
    assert pdf["to"] == f"whatsapp:{PHONE}" and pdf["from"] == f"whatsapp:{OFFICE_NUMBER}"
    assert ticket.number in pdf["body"]
    assert pdf["status_callback"] == f"{live_server.url}/webhooks/whatsapp/status"
    [media_url] = pdf["media_url"]
    assert media_url.startswith(f"{live_server.url}/unduh/")
    fetched = requests.get(media_url, timeout=10)  # what Twilio does with media_url
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "application/pdf"
    assert f"{ticket.number}.pdf" in fetched.headers["Content-Disposition"]
    assert fetched.content == content
    assert delivery_of(session, ticket).state == DeliveryState.SENT

    assert twilio_api.callback(pdf, "sent").status_code == 204
    assert stage_of(session, ticket) == sending_stage()  # handed to WhatsApp is not on the phone yet
    assert twilio_api.callback(pdf, "delivered").status_code == 204
    assert stage_of(session, ticket) == workflow(TANGGAMUS).next_stage(sending_stage()).key
    event = session.exec(select(StageEvent).where(StageEvent.ticket_id == ticket.id)
                         .order_by(StageEvent.id.desc())).first()  # type: ignore[union-attr]
    assert event.actor_id == sender.id and event.data == {"pdf_terkirim": True}

    detail = http.get(f"/tiket/{ticket.number}")
    assert "Pengiriman PDF ke WhatsApp" in detail.text and "Diterima pemohon" in detail.text


def test_queue_is_for_the_pdf_sender_only(app, session, http, sender) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, "kabid")
    login(http, "kabid")
    assert http.get("/pengiriman-pdf").status_code == 403
    assert http.post("/pengiriman-pdf/kirim", data={"tiket": "1"}).status_code == 400  # no CSRF token


def test_sending_twice_is_refused_while_the_first_is_on_its_way(app, session, run_jobs, twilio_api,
                                                                sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    send(session, ticket, sender)
    with pytest.raises(sending.SendRefused, match="sedang dikirim"):
        send(session, ticket, sender)
    run_jobs()
    run_jobs()
    assert len(twilio_api.pdfs()) == 1


def test_ticket_without_signed_document_cannot_be_sent(app, session, sender) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session, stage=sending_stage())
    with pytest.raises(sending.SendRefused, match="belum memiliki dokumen"):
        sending.request_send(session, ticket, sender)
    assert session.exec(select(PdfDelivery)).first() is None


# --- The 24-hour window ---------------------------------------------------------------------------


def test_outside_window_template_first_then_pdf_when_citizen_answers(
        app, session, live_server, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=25)
    send(session, ticket, sender)
    run_jobs()

    [template] = twilio_api.templates()
    assert template["content_sid"] == DOCUMENT_READY_SID and not template["media_url"]
    assert json.loads(template["content_variables"])["1"] == ticket.number
    assert twilio_api.pdfs() == []
    assert delivery_of(session, ticket).state == DeliveryState.WAITING_FOR_REPLY

    phone = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number=PHONE)
    assert f"*{ticket.number}* segera kami kirim" in phone.say("iya, kirim")
    run_jobs()
    [pdf] = twilio_api.pdfs()
    assert pdf["to"] == f"whatsapp:{PHONE}"
    assert delivery_of(session, ticket).state == DeliveryState.SENT


def test_inside_window_no_template(app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=23)
    send(session, ticket, sender)
    run_jobs()
    assert twilio_api.templates() == [] and len(twilio_api.pdfs()) == 1


def test_error_63016_on_the_free_form_send_takes_the_template_path(
        app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=2)
    twilio_api.script = [Fail(400, 63016)]
    send(session, ticket, sender)
    run_jobs()
    assert len(twilio_api.creates) == 2 and twilio_api.pdfs() == []
    assert len(twilio_api.templates()) == 1
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.WAITING_FOR_REPLY and delivery.error_code == "63016"


def test_63016_reported_by_status_callback_also_takes_the_template_path(
        app, session, live_server, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=2)
    send(session, ticket, sender)
    run_jobs()
    [pdf] = twilio_api.pdfs()
    assert twilio_api.callback(pdf, "failed", "63016").status_code == 204
    run_jobs()
    assert len(twilio_api.templates()) == 1 and len(twilio_api.pdfs()) == 1
    assert delivery_of(session, ticket).state == DeliveryState.WAITING_FOR_REPLY
    assert stage_of(session, ticket) == sending_stage()


# --- Retries --------------------------------------------------------------------------------------


def test_retries_after_500_429_and_a_timeout_send_exactly_once(
        app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    """The third try reaches Twilio but the answer never comes back: the retry finds it there and
    does not send a second PDF."""
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    twilio_api.script = [Fail(500), Fail(429), Slow(12)]
    send(session, ticket, sender)
    run_jobs()

    assert len(twilio_api.creates) == 3
    [pdf] = twilio_api.pdfs()
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.SENT and not delivery.needs_operator
    assert delivery.tries == 3 and delivery.pending_key is None
    assert any(method == "GET" for method, _, _ in twilio_api.requests)
    from tickets.messages import Message
    assert session.get(Message, delivery.message_id).twilio_sid == pdf["sid"]


def test_retries_after_500s_until_accepted(app, session, run_jobs, twilio_api,
                                          sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    twilio_api.script = [Fail(500), Fail(503)]
    send(session, ticket, sender)
    run_jobs()
    assert len(twilio_api.creates) == 3 and len(twilio_api.pdfs()) == 1
    assert delivery_of(session, ticket).state == DeliveryState.SENT


def test_after_the_last_try_the_ticket_is_flagged_for_the_operator(
        app, session, http, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    app.config["PDF_SEND_RETRY_INTERVALS"] = [0, 0]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    twilio_api.script = [Fail(500), Fail(500), Fail(500)]
    send(session, ticket, sender)
    run_jobs()

    assert len(twilio_api.creates) == 3 and twilio_api.messages == []
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.FAILED and delivery.needs_operator
    assert "3 kali percobaan" in (delivery.problem or "")
    login(http, "pdf-sender")
    queue = http.get("/pengiriman-pdf").text
    assert "flagged" in queue and "Perlu tindakan" in queue
    assert "Perlu tindakan operator" in http.get(f"/tiket/{ticket.number}").text

    # Twilio is back: the operator sends again from the queue, and the flag is answered.
    page = http.get("/pengiriman-pdf")
    http.post("/pengiriman-pdf/kirim", data={"csrf_token": csrf_token(page.text), "tiket": str(ticket.id)})
    run_jobs()
    assert len(twilio_api.pdfs()) == 1
    session.expire_all()
    assert not any(d.needs_operator for d in session.exec(select(PdfDelivery)))
    assert "Perlu tindakan" not in http.get("/pengiriman-pdf").text


def test_a_refused_number_is_not_retried(app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    twilio_api.script = [Fail(400, 21211)]
    send(session, ticket, sender)
    run_jobs()
    assert len(twilio_api.creates) == 1
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.FAILED and delivery.needs_operator and delivery.error_code == "21211"


# --- Status callbacks -----------------------------------------------------------------------------


def test_undelivered_callback_flags_and_keeps_the_ticket(app, session, live_server, run_jobs, twilio_api,
                                                         sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    send(session, ticket, sender)
    run_jobs()
    [pdf] = twilio_api.pdfs()
    assert twilio_api.callback(pdf, "undelivered", "63024").status_code == 204
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.FAILED and delivery.needs_operator and delivery.error_code == "63024"
    assert stage_of(session, ticket) == sending_stage()
    # A late "delivered" after the failure does not resurrect the delivery (callbacks only move forward).
    twilio_api.callback(pdf, "delivered")
    assert stage_of(session, ticket) == sending_stage()


def test_unsigned_status_callback_changes_nothing(app, session, live_server, run_jobs, twilio_api,
                                                  sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    send(session, ticket, sender)
    run_jobs()
    [pdf] = twilio_api.pdfs()
    forged = requests.post(pdf["status_callback"], data={"MessageSid": pdf["sid"], "MessageStatus": "delivered"},
                           headers={"X-Twilio-Signature": "AAAA"}, timeout=10)
    assert forged.status_code == 403
    assert delivery_of(session, ticket).state == DeliveryState.SENT
    assert stage_of(session, ticket) == sending_stage()


# --- Download links -------------------------------------------------------------------------------


def test_wrong_and_expired_tokens_are_refused_and_fetches_counted(app, session, http) -> None:  # type: ignore[no-untyped-def]
    _ticket, document, content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    good = create_link(session, document.id, base_url="", ttl_hours=24)
    expired = create_link(session, document.id, base_url="", ttl_hours=24, now=utcnow() - timedelta(hours=25))
    session.commit()

    assert http.get(good).content == content
    wrong = http.get("/unduh/" + secrets.token_urlsafe(32))
    assert wrong.status_code == 404 and "tidak dikenal" in wrong.text and "%PDF" not in wrong.text
    old = http.get(expired)
    assert old.status_code == 410 and "kedaluwarsa" in old.text
    session.expire_all()
    links = session.exec(select(DownloadLink).order_by(DownloadLink.id)).all()  # type: ignore[arg-type]
    assert [link.fetch_count for link in links] == [1, 0]
    token = good.rsplit("/", 1)[1]
    assert all(token not in link.token_sha256 for link in links)  # only the hash is stored


def test_a_link_serves_a_set_number_of_downloads_then_says_so(app, session, http) -> None:  # type: ignore[no-untyped-def]
    app.config["DOWNLOAD_LINK_MAX_USES"] = 2
    _ticket, document, content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    url = create_link(session, document.id, base_url="", ttl_hours=24)
    session.commit()

    assert http.head(url).status_code == 200  # looking costs no download
    assert [http.get(url).content for _ in range(2)] == [content, content]
    used = http.get(url)

    assert used.status_code == 410 and "%PDF" not in used.text
    assert "sudah dipakai 2 kali" in used.text and "kirim ulang" in used.text
    session.expire_all()
    assert session.exec(select(DownloadLink)).one().fetch_count == 2


def test_downloads_at_the_same_moment_never_pass_the_limit(app, session, live_server) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    app.config["DOWNLOAD_LINK_MAX_USES"] = 3
    _ticket, document, _content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    url = live_server.url + create_link(session, document.id, base_url="", ttl_hours=24)
    session.commit()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: requests.get(url, timeout=30).status_code, range(8)))

    assert statuses == [200] * 3 + [410] * 5


def test_altered_signed_file_is_not_served(app, session, http) -> None:  # type: ignore[no-untyped-def]
    _ticket, document, content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    url = create_link(session, document.id, base_url="", ttl_hours=24)
    session.commit()
    path = Path(app.config["DOCUMENTS_PATH"]) / str(document.signed_path)
    path.write_bytes(content.replace(b"595", b"596"))
    assert http.get(url).status_code == 404


# --- kirim ulang ----------------------------------------------------------------------------------


def test_kirim_ulang_from_the_recorded_number_sends_the_same_document_again(
        app, session, live_server, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, content = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    send(session, ticket, sender)
    run_jobs()
    twilio_api.callback(twilio_api.pdfs()[0], "delivered")

    phone = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number=PHONE)
    assert "kami kirim ulang" in phone.say(f"kirim ulang {ticket.number.lower()}")
    run_jobs()
    first, second = twilio_api.pdfs()
    assert second["to"] == first["to"] == f"whatsapp:{PHONE}"
    assert second["media_url"] != first["media_url"]
    assert requests.get(second["media_url"][0], timeout=10).content == content


def test_kirim_ulang_from_another_number_is_refused_without_revealing_anything(
        app, session, live_server, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    send(session, ticket, sender)
    run_jobs()
    other = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number="+6281299998888")
    refusal = other.say(f"kirim ulang {ticket.number}")
    assert "tidak dapat kami proses" in refusal
    unknown = other.say("kirim ulang PGD-2026-999999")
    assert unknown.replace("PGD-2026-999999", ticket.number) == refusal  # same answer as for no ticket at all
    run_jobs()
    assert len(twilio_api.pdfs()) == 1


def test_kirim_ulang_is_a_command() -> None:
    now = utcnow()
    outcome = handle(State(name="start", data={}, misses=0, updated_at=None, needs_human=False),
                     Incoming(body="Kirim ulang PGD-2026-000042", media=(), now=now, key="k"))
    assert outcome.effects == [ResendDocument("PGD-2026-000042")]
    asked = handle(State(name="start", data={}, misses=0, updated_at=None, needs_human=False),
                   Incoming(body="kirim ulang", media=(), now=now, key="k2"))
    assert asked.effects == [] and "contoh: kirim ulang" in asked.replies[0]


def test_a_try_twilio_accepted_before_the_worker_died_is_not_sent_again(
        app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    """The state a crash leaves: the try's key pending, its message row without a SID, the message at Twilio."""
    from bot.messaging import twilio_client
    from tickets.messages import Message

    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    delivery = PdfDelivery(ticket_id=ticket.id, document_id=sending.signed_document(session, ticket.id).id,
                           phone=PHONE, requested_by_id=sender.id, state=DeliveryState.QUEUED, rounds=1, tries=1,
                           pending_key="pdf-1-pdf-1")
    session.add(delivery)
    session.add(Message(direction=Direction.OUTBOUND, phone=PHONE, body="PDF dokumen", idempotency_key="pdf-1-pdf-1",
                        num_media=1, status="accepted", ticket_id=ticket.id))
    session.commit()
    with app.app_context():
        accepted = twilio_client(app.config).messages.create(
            from_=f"whatsapp:{OFFICE_NUMBER}", to=f"whatsapp:{PHONE}", body="PDF dokumen",
            media_url=["https://example.invalid/unduh/x"])
    from layanan.queue import queue
    queue("default", app).enqueue(sending.send_delivery, delivery.id, job_id="pdf-delivery-1-1")
    run_jobs()

    assert len(twilio_api.creates) == 1  # only the one made above
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.SENT and delivery.pending_key is None
    assert session.get(Message, delivery.message_id).twilio_sid == accepted.sid


def test_outside_window_without_configured_template_flags_the_operator(
        app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    app.config["TWILIO_CONTENT_SID_DOCUMENT_READY"] = None
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=30)
    send(session, ticket, sender)
    run_jobs()
    assert twilio_api.creates == []
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.FAILED and delivery.needs_operator
    assert "TWILIO_CONTENT_SID_DOCUMENT_READY" in (delivery.problem or "")


def test_template_try_in_doubt_is_found_on_twilio_and_not_repeated(
        app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=30)
    twilio_api.script = [Slow(12)]
    send(session, ticket, sender)
    run_jobs()
    assert len(twilio_api.creates) == 1 and len(twilio_api.templates()) == 1
    assert delivery_of(session, ticket).state == DeliveryState.WAITING_FOR_REPLY


def test_kirim_ulang_before_anything_was_sent_says_not_ready(app, session, live_server, twilio_api,
                                                             run_jobs) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(session)
    phone = Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"], number=PHONE)
    assert "belum selesai" in phone.say(f"kirim ulang {ticket.number}")
    run_jobs()
    assert twilio_api.creates == []


def test_batch_sends_the_ready_tickets_and_reports_the_others(
        app, session, http, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    first, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    second, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], phone="+6281311112222")
    unsigned = make_ticket(session, stage=sending_stage())
    login(http, "pdf-sender")
    page = http.get("/pengiriman-pdf")
    assert f'data-number="{unsigned.number}"' not in page.text  # nothing to send yet
    answer = http.post("/pengiriman-pdf/kirim", data={
        "csrf_token": csrf_token(page.text), "tiket": [str(first.id), str(second.id), str(unsigned.id), str(first.id)]})
    assert "PDF 2 tiket masuk antrean kirim" in answer.text
    assert f"Tiket {unsigned.number} belum memiliki dokumen" in answer.text
    run_jobs()
    assert sorted(m["to"] for m in twilio_api.pdfs()) == sorted([f"whatsapp:{PHONE}", "whatsapp:+6281311112222"])


def test_the_database_allows_one_delivery_under_way_per_ticket(app, session, sender) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import IntegrityError

    ticket, document, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    for _ in range(2):
        session.add(PdfDelivery(ticket_id=ticket.id, document_id=document.id, active_ticket_id=ticket.id, phone=PHONE))
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_pdf_twilio_fetches_is_the_signed_document_intact(
        app, session, live_server, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    """A document signed with the office's certificate reaches Twilio byte for byte, signature valid."""
    from datetime import datetime

    from pdf_delivery.signing import SignatureStamp, load_office_signer, load_trust_roots, sign_pdf, verify_pdf
    from tests.support.documents import DEMO_PASSPHRASE, document_pdf, install_demo_certificate

    install_demo_certificate(app)
    signed = sign_pdf(document_pdf(), load_office_signer(app.config, DEMO_PASSPHRASE),
                      SignatureStamp(name="Kepala Dinas", nip="197001011990031001", title="Kepala Dinas",
                                     signed_at=datetime.now().astimezone(), qr_url=f"{live_server.url}/verifikasi/x"))
    ticket, document, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    digest = hashlib.sha256(signed).hexdigest()
    (Path(app.config["DOCUMENTS_PATH"]) / f"{digest}.pdf").write_bytes(signed)
    document.signed_path, document.signed_sha256 = f"{digest}.pdf", digest
    session.add(document)
    session.commit()

    send(session, ticket, sender)
    run_jobs()
    fetched = requests.get(twilio_api.pdfs()[0]["media_url"][0], timeout=10).content
    assert fetched == signed
    check = verify_pdf(fetched, load_trust_roots(app.config))
    assert check.intact and check.problem is None


def test_a_template_refused_with_63016_is_flagged_not_repeated(app, session, run_jobs, twilio_api,
                                                               sender) -> None:  # type: ignore[no-untyped-def]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"], last_inbound_hours=30)
    twilio_api.script = [Fail(400, 63016)]
    send(session, ticket, sender)
    run_jobs()
    assert len(twilio_api.creates) == 1
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.FAILED and delivery.needs_operator and delivery.error_code == "63016"


def test_a_last_try_without_answer_is_checked_on_twilio_before_flagging(
        app, session, run_jobs, twilio_api, sender) -> None:  # type: ignore[no-untyped-def]
    app.config["PDF_SEND_RETRY_INTERVALS"] = [0]
    ticket, _, _ = ready_ticket(session, app.config["DOCUMENTS_PATH"])
    twilio_api.script = [Fail(500), Slow(12)]
    send(session, ticket, sender)
    run_jobs()
    assert len(twilio_api.creates) == 2 and len(twilio_api.pdfs()) == 1
    delivery = delivery_of(session, ticket)
    assert delivery.state == DeliveryState.SENT and not delivery.needs_operator
