"""1150 webhook deliveries from 50 numbers at once, 300 of them Twilio's redeliveries arriving out
of order (some while the first delivery is still being handled): every number ends with exactly the
tickets it asked for, every message is stored once, every redelivery gets the first answer."""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from queue import Queue

import pytest
from sqlalchemy import func
from sqlmodel import select

from tickets.messages import Attachment, Message
from werkzeug.serving import make_server

from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.servers import SERVE_POLL
from tests.support.whatsapp import Phone, parse_twiml
from tickets.constants import Direction, Service
from tickets.models import Applicant, Ticket

NUMBERS = 50
SERVER_THREADS = 8  # as the Procfile's gunicorn: 2 workers x 4 threads; more would only queue for the pool
DUPLICATES = 300  # of 1150 deliveries
SCRIPT = ["halo", "1", "2", "1806014505900001", "Siti Aminah", "kota agung", None, "selesai", "ya",
          "3", "1", "Jalan rusak di depan kantor desa sudah dua bulan", "kota agung", "lewati", "lewati", "tidak",
          "ya"]  # None: a photo


class BoundedServer:
    """The app over real HTTP with at most SERVER_THREADS requests inside it at once (every other
    connection waits, as with gunicorn's fixed threads), so 50 clients at once cannot exhaust the
    database pool the way an unbounded development server would."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        slots = threading.BoundedSemaphore(SERVER_THREADS)

        def bounded(environ, start_response):  # type: ignore[no-untyped-def]
            with slots:
                return list(app(environ, start_response))

        self._server = make_server("127.0.0.1", 0, bounded, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        app.config["PUBLIC_BASE_URL"] = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[BoundedServer]:  # type: ignore[no-untyped-def]
    server = BoundedServer(app)
    yield server
    server.stop()


def test_a_storm_of_concurrent_and_repeated_deliveries(app, live_server, session, media_server: MediaServer,
                                                       run_jobs) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    phones = [Phone(base_url=live_server.url, auth_token=app.config["TWILIO_AUTH_TOKEN"],
                    number=f"+6281300000{i:03d}") for i in range(NUMBERS)]
    forms = {p.number: [] for p in phones}
    for i, phone in enumerate(phones):
        for step, text in enumerate(SCRIPT):
            if text is None:
                url = media_server.add(f"ktp-{i}.jpg", jpeg_bytes(2000 + i), "image/jpeg")
                forms[phone.number].append(phone.form("", media=[(url, "image/jpeg")]))
            else:
                forms[phone.number].append(phone.form(text))
    # Which deliveries Twilio repeats: 300 picks over all 700 messages, some picked twice.
    repeats: dict[str, list[int]] = defaultdict(list)
    for _ in range(DUPLICATES):
        number = rng.choice(phones).number
        repeats[number].append(rng.randrange(len(SCRIPT)))

    first_replies: dict[tuple[str, int], list[str]] = {}
    repeat_replies: list[tuple[str, int, list[str]]] = []
    failures: list[str] = []
    redeliveries: Queue = Queue()
    lock = threading.Lock()

    def deliver(phone: Phone, form: dict[str, str]) -> list[str] | None:
        response = phone.post(form)
        if response.status_code != 200:
            with lock:
                failures.append(f"{phone.number} {form['Body']!r}: {response.status_code} {response.text[:200]}")
            return None
        return parse_twiml(response.text)

    def citizen(phone: Phone) -> None:
        pending = sorted(repeats[phone.number])
        for step, form in enumerate(forms[phone.number]):
            # Twilio redelivers a message it thinks went unanswered: put the copy in flight right now,
            # racing the original, or later, after other messages of the same number.
            while pending and pending[0] <= step:
                index = pending.pop(0)
                redeliveries.put((phone, index, rng.random() < 0.5))
            replies = deliver(phone, form)
            with lock:
                first_replies[(phone.number, step)] = replies or []

    def redeliverer() -> None:
        while True:
            item = redeliveries.get()
            if item is None:
                return
            phone, index, delay = item
            if delay:
                threading.Event().wait(rng.random() * 0.5)
            replies = deliver(phone, forms[phone.number][index])
            with lock:
                repeat_replies.append((phone.number, index, replies or []))

    retry_threads = [threading.Thread(target=redeliverer) for _ in range(10)]
    for thread in retry_threads:
        thread.start()
    with ThreadPoolExecutor(max_workers=NUMBERS) as pool:
        list(pool.map(citizen, phones))
    for _ in retry_threads:
        redeliveries.put(None)
    for thread in retry_threads:
        thread.join(timeout=120)

    assert not failures, failures[:5]
    assert len(first_replies) + len(repeat_replies) == NUMBERS * len(SCRIPT) + DUPLICATES == 1150

    # Every redelivery got exactly the answer of the first delivery (whichever of the two came first).
    for number, index, replies in repeat_replies:
        assert replies == first_replies[(number, index)], f"{number} message {index}: {replies} != first"

    session.expire_all()
    inbound = session.exec(select(func.count()).select_from(Message).where(Message.direction == Direction.INBOUND)).one()
    assert inbound == NUMBERS * len(SCRIPT), "each message stored once"
    per_number = Counter()
    for ticket, applicant in session.exec(select(Ticket, Applicant).join(Applicant, Applicant.id == Ticket.applicant_id)):
        per_number[(applicant.phone, Service(ticket.service))] += 1
    expected = {(p.number, s): 1 for p in phones for s in (Service.KTP_EL, Service.PENGADUAN)}
    assert dict(per_number) == expected, "exactly one KTP-el request and one complaint per number"
    for phone in phones:
        last = len(SCRIPT) - 1
        created = [r for r in first_replies[(phone.number, 8)] + first_replies[(phone.number, last)] if "PGD-" in r]
        assert len(created) == 2, f"{phone.number} was told both ticket numbers"

    assert session.exec(select(func.count()).select_from(Attachment)).one() == NUMBERS
    run_jobs()
    fetched = Counter(path for method, path, _ in media_server.requests if method == "GET")
    assert len(fetched) == NUMBERS and set(fetched.values()) == {1}, "each photo downloaded exactly once"
