"""Staff sessions that work the back office at the same time, each a thread with its own login cookie.

A queue session does what an officer does with the queue page, round after round without pausing:
opens page 1 of its role's queue, sorts by newest received, filters on the SLA chip (overdue, then due
today), pages on with the "Berikutnya" keyset link and opens one ticket of page 1. Sorting, filtering
and paging go as htmx requests (the table only), as the browser sends them. A call-center session
searches ticket numbers, NIKs and phone numbers of existing tickets. Every answer must be a 200 that is
not the login page; each request's time goes under its page kind.
"""

from __future__ import annotations

import html
import itertools
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import requests

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_NEXT = re.compile(r'rel="next" href="([^"]+)"')
_TICKET = re.compile(r'href="/tiket/(PGD-\d{4}-\d{6})"')
HTMX = {"HX-Request": "true"}
REQUEST_TIMEOUT = 120

# Page kinds, as the table prints them.
FIRST_PAGE = "antrean halaman 1"
SORTED = "urut diterima terbaru (htmx)"
SLA_FILTER = "filter SLA (htmx)"
NEXT_PAGE = "halaman berikut, keyset (htmx)"
TICKET = "buka tiket"
SEARCH_KINDS = ("cari nomor tiket", "cari NIK", "cari nomor HP")
KINDS = (FIRST_PAGE, SORTED, SLA_FILTER, NEXT_PAGE, TICKET, *SEARCH_KINDS)


@dataclass
class Recorder:
    """Times per page kind, shared by the sessions; only requests started inside the window count."""

    started: float = 0.0
    ends: float = 0.0
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, seconds: float) -> None:
        self.started = time.perf_counter()
        self.ends = self.started + seconds

    def measuring(self) -> bool:
        return self.started > 0 and time.perf_counter() < self.ends

    def add(self, kind: str, started: float, ms: float) -> None:
        if self.started and self.started <= started < self.ends:
            with self.lock:
                self.times[kind].append(ms)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def logged_in(base: str, username: str, password: str) -> requests.Session:
    """A session logged in through the real login form (CSRF token included)."""
    client = requests.Session()
    form = client.get(f"{base}/masuk", timeout=30)
    token = _CSRF.search(form.text)
    if token is None:
        raise RuntimeError("login form without CSRF token")
    answer = client.post(f"{base}/masuk", data={"csrf_token": token.group(1), "username": username,
                                                "password": password}, timeout=30)
    if answer.status_code != 200 or answer.url.rstrip("/").endswith("/masuk"):
        raise RuntimeError(f"login as {username} failed ({answer.status_code})")
    return client


class _Clicker:
    """One session's requests, timed and checked."""

    def __init__(self, client: requests.Session, base: str, recorder: Recorder, who: str) -> None:
        self.client, self.base, self.recorder, self.who = client, base, recorder, who

    def get(self, kind: str, path: str, params: dict[str, str] | None = None, htmx: bool = False) -> str:
        started = time.perf_counter()
        response = self.client.get(self.base + path, params=params, headers=HTMX if htmx else None, timeout=REQUEST_TIMEOUT)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or "/masuk" in response.url:
            self.recorder.fail(f"{self.who} {kind} {path} {params}: {response.status_code} {response.url}")
            return ""
        self.recorder.add(kind, started, elapsed)
        return response.text


def queue_round(clicker: _Clicker, role: str, rng: random.Random, sla: str) -> None:
    """One officer's round on the queue page."""
    page = clicker.get(FIRST_PAGE, "/antrian", {"peran": role})
    clicker.get(SORTED, "/antrian", {"peran": role, "urut": "diterima", "arah": "turun"}, htmx=True)
    clicker.get(SLA_FILTER, "/antrian", {"peran": role, "sla": sla}, htmx=True)
    following = _NEXT.search(page)
    if following:
        clicker.get(NEXT_PAGE, html.unescape(following.group(1)), htmx=True)
    numbers = _TICKET.findall(page)
    if numbers:
        clicker.get(TICKET, f"/tiket/{rng.choice(numbers)}")


def one_of_each(client: requests.Session, base: str, role: str, samples: dict[str, list[str]],
                search_client: requests.Session) -> list[tuple[str, Callable[[], object]]]:
    """One request of every page kind, as calls to repeat (for the server CPU each kind costs)."""
    page = client.get(f"{base}/antrian", params={"peran": role}, timeout=60).text
    following, numbers = _NEXT.search(page), _TICKET.findall(page)
    calls: list[tuple[str, Callable[[], object]]] = [
        (FIRST_PAGE, lambda: client.get(f"{base}/antrian", params={"peran": role}, timeout=60)),
        (SORTED, lambda: client.get(f"{base}/antrian", params={"peran": role, "urut": "diterima", "arah": "turun"},
                                    headers=HTMX, timeout=60)),
        (SLA_FILTER, lambda: client.get(f"{base}/antrian", params={"peran": role, "sla": "overdue"}, headers=HTMX,
                                        timeout=60)),
    ]
    if following:
        calls.append((NEXT_PAGE, lambda: client.get(base + html.unescape(following.group(1)), headers=HTMX,
                                                    timeout=60)))
    if numbers:
        calls.append((TICKET, lambda: client.get(f"{base}/tiket/{numbers[0]}", timeout=60)))
    for kind, values in samples.items():
        calls.append((kind, lambda v=values[0]: search_client.get(f"{base}/antrian", params={"q": v}, timeout=60)))
    return calls


def search_round(clicker: _Clicker, samples: dict[str, list[str]], position: int) -> None:
    """One call-center round: a ticket number, a NIK and a phone number, as typed."""
    for kind, values in samples.items():
        value = values[position % len(values)]
        page = clicker.get(kind, "/antrian", {"q": value})
        if page and "Tidak ada tiket yang cocok" in page:
            clicker.recorder.fail(f"{clicker.who} {kind} {value}: nothing found")


def drive(base: str, password: str, queue_roles: list[str], search_users: list[str],
          samples: dict[str, list[str]], seconds: float, on_start: Callable[[], None] = lambda: None) -> Recorder:
    """Log every session in, let each do one round to warm up, then measure for `seconds` (calling
    `on_start` as the window opens)."""
    recorder = Recorder()
    logins = [(role, logged_in(base, role, password)) for role in queue_roles]
    searchers = [(user, logged_in(base, user, password)) for user in search_users]
    ready = threading.Barrier(len(logins) + len(searchers) + 1)
    go = threading.Event()

    def staff(number: int, role: str, client: requests.Session) -> None:
        rng = random.Random(number)
        clicker = _Clicker(client, base, recorder, f"{role}#{number}")
        slas = itertools.cycle(("overdue", "due-today"))
        _loop(ready, go, recorder, lambda: queue_round(clicker, role, rng, next(slas)))

    def call_center(number: int, user: str, client: requests.Session) -> None:
        clicker = _Clicker(client, base, recorder, f"{user}#{number}")
        positions = itertools.count(number * 7919)
        _loop(ready, go, recorder, lambda: search_round(clicker, samples, next(positions)))

    threads = [threading.Thread(target=staff, args=(n, role, client), daemon=True)
               for n, (role, client) in enumerate(logins)]
    threads += [threading.Thread(target=call_center, args=(n, user, client), daemon=True)
                for n, (user, client) in enumerate(searchers)]
    for thread in threads:
        thread.start()
    ready.wait()
    on_start()
    recorder.open(seconds)
    go.set()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return recorder


def _loop(ready: threading.Barrier, go: threading.Event, recorder: Recorder, one_round: Callable[[], None]) -> None:
    try:
        one_round()  # warm-up: templates compiled, caches and connections filled
    except requests.RequestException as error:
        recorder.fail(f"warm-up: {error}")
    ready.wait()
    go.wait()
    while recorder.measuring():
        try:
            one_round()
        except requests.RequestException as error:  # a timeout: counted, and the session goes on
            recorder.fail(str(error))


def kinds_seen(recorder: Recorder) -> Iterator[tuple[str, list[float]]]:
    """The page kinds in print order, with their times."""
    for kind in KINDS:
        if recorder.times.get(kind):
            yield kind, recorder.times[kind]
