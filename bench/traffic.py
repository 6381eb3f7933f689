"""The webhook benchmark's inbound traffic: signed Twilio forms from 1,000 citizens, each keeping its order.

Every citizen follows a script the bot really understands (tests/bot/corpus): a greeting, the menu, a
full document request (service, NIK, name, kecamatan, a photo, "selesai", "ya": a ticket is created),
status checks of a ticket of their own, a question, thanks. One delivery in ten is a redelivery of the
one before it (the same MessageSid and signature). MessageSids are random, as Twilio's are.

Lines are signed once, kept per citizen until sent, and written out for each run: wrk gets one file per
connection (a connection owns its citizens, so one citizen's messages never overtake each other), the
open-loop client one file in turn over all citizens.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tickets.kecamatan import KECAMATAN

DUPLICATE_SHARE = 0.10
NAMES = ("Siti Aminah", "Made Wirawan", "Yusuf Maulana", "Rina Marlina", "Andi Saputra", "Dewi Lestari",
         "Budi Santoso", "Nur Aisyah", "Agus Salim", "Lina Wati")
# Document services that ask nothing beyond NIK, name and kecamatan, by their number in the bot's list.
SIMPLE_SERVICE_CHOICES = ("1", "2", "3", "4", "KTP", "bikin kk", "akta lahir")


@dataclass(frozen=True)
class Citizen:
    phone: str  # E.164
    ticket_number: str  # a ticket of their own, for the status checks


def script(citizen: Citizen, rng: random.Random, media_url: str) -> list[tuple[str, str | None]]:
    """One round of a citizen's messages: (body, media URL or None), in the order they are sent."""
    nik = _nik(rng)
    number = citizen.ticket_number
    kecamatan = rng.choice(KECAMATAN).name
    return [
        (rng.choice(("Selamat pagi", "halo min", "Assalamualaikum", "permisi")), None),
        ("1", None),
        (rng.choice(SIMPLE_SERVICE_CHOICES), None),
        (rng.choice((nik, f"NIK saya {nik}")), None),
        (rng.choice(NAMES), None),
        (rng.choice((kecamatan, kecamatan.lower())), None),
        ("", media_url),
        ("selesai", None),
        ("ya", None),
        ("menu", None),
        ("2", None),
        (number, None),
        (rng.choice((f"status {number}", f"cek status {number.lower()}")), None),
        (rng.choice(("jam buka kantor?", "syarat bikin ktp apa aja", "berapa lama bikin ktp")), None),
        (rng.choice(("terima kasih", "makasih min", "ok siap")), None),
    ]


def _nik(rng: random.Random) -> str:
    """A NIK of Tanggamus the bot accepts: kecamatan code, birth date (+40 for women), serial."""
    day = rng.randint(1, 28) + rng.choice((0, 40))
    return f"1806{rng.randint(1, 20):02d}{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}" \
           f"{rng.randint(1, 9999):04d}"


class Traffic:
    """Signed deliveries per citizen, generated on demand and dropped once sent."""

    def __init__(self, citizens: Sequence[Citizen], url: str, auth_token: str, media_url: str, seed: int,
                 stagger: bool = False) -> None:
        """`stagger`: each citizen starts at a random message of its first round, so the mix is the same in
        every part of a run (not everyone greeting first); `preceding` holds what it would have sent before,
        for the caller to store the conversation state those messages lead to."""
        self.citizens, self.url, self.media_url = list(citizens), url, media_url
        self._validator = RequestValidator(auth_token)
        self._rng = random.Random(seed)
        self._queues: list[deque[str]] = [deque() for _ in self.citizens]
        self._planned: list[deque[tuple[str, str | None]]] = [deque() for _ in self.citizens]
        self.preceding: list[list[tuple[str, str | None]]] = [[] for _ in self.citizens]
        if stagger:
            for index, citizen in enumerate(self.citizens):
                first = script(citizen, self._rng, media_url)
                start = self._rng.randrange(len(first))
                self.preceding[index], self._planned[index] = first[:start], deque(first[start:])
        self.sent = 0
        self.turn = 0  # where the open-loop client's round over all citizens goes on

    def _line(self, index: int) -> None:
        """One more delivery (and, one time in nine, its redelivery) at the end of a citizen's queue."""
        planned = self._planned[index]
        if not planned:
            planned.extend(script(self.citizens[index], self._rng, self.media_url))
        body, media = planned.popleft()
        phone = self.citizens[index].phone
        sid = f"SM{self._rng.getrandbits(128):032x}"
        form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "1" * 32, "From": f"whatsapp:{phone}",
                "To": "whatsapp:+6272200000000", "Body": body, "NumMedia": "1" if media else "0",
                "ProfileName": "Warga", "WaId": phone.lstrip("+")}
        if media:
            form |= {"MediaUrl0": f"{media}/MM{self._rng.getrandbits(128):032x}/Media/ME{self._rng.getrandbits(128):032x}",
                     "MediaContentType0": "image/jpeg"}
        line = f"{self._validator.compute_signature(self.url, form)}\t{urlencode(form)}"
        copies = 2 if self._rng.random() < DUPLICATE_SHARE / (1 - DUPLICATE_SHARE) else 1
        self._queues[index].extend([line] * copies)

    def _peek(self, index: int, position: int) -> str:
        queue = self._queues[index]
        while len(queue) <= position:
            self._line(index)
        return queue[position]

    def _take(self, index: int, count: int) -> None:
        queue = self._queues[index]
        for _ in range(min(count, len(queue))):
            queue.popleft()
        self.sent += count

    def write_wrk_files(self, stem: Path, threads: int, per_thread: int) -> list[Path]:
        """One file per wrk thread (one connection each): its own citizens in turn, each in order."""
        paths = []
        for thread in range(threads):
            owned = list(range(thread, len(self.citizens), threads))
            path = stem.with_name(f"{stem.name}-{thread}.tsv")
            with path.open("w") as out:
                for j in range(per_thread):
                    out.write(self._peek(owned[j % len(owned)], j // len(owned)) + "\n")
            paths.append(path)
        return paths

    def sent_by_wrk(self, threads: int, positions: Sequence[int]) -> None:
        """Drop what each wrk thread sent, but its last request: it may have been cut off, so the next run
        sends it again (a redelivery if it was answered)."""
        for thread, position in enumerate(positions):
            owned = list(range(thread, len(self.citizens), threads))
            done = max(0, position - 1)
            for k, index in enumerate(owned):
                self._take(index, done // len(owned) + (1 if k < done % len(owned) else 0))

    def write_open_loop_file(self, path: Path, count: int) -> Path:
        """`count` deliveries, one citizen after another, taken as sent."""
        with path.open("w") as out:
            for _ in range(count):
                index = self.turn % len(self.citizens)
                out.write(self._peek(index, 0) + "\n")
                self._take(index, 1)
                self.turn += 1
        return path
