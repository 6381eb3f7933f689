"""The web process killed (SIGKILL, gunicorn's whole process group) while a citizen's message is being
handled loses nothing and does nothing twice.

A message is stored with its replies, before they are given, or not at all; until Twilio has an answer it
will deliver the message again. A message that only gets replies is written in one statement, the
conversation's new state with the message, if the conversation is still as the turn read it. Any other
message is handled by a turn that locks the conversation, stores the message, converses, carries out the
effects, writes the reply and the new state, and commits. A kill cannot be timed to land between two
statements, so the test stops the server where it wants with PostgreSQL locks held from a connection of
its own:

- on the conversation row: the one write of a turn that only replies waits for it. Once the test lets go
  the database finishes that statement, the dead server's or not: the turn is stored whole, with the
  replies no one gave, and the redelivery gives them;
- then, for a complaint's confirmation, on the conversation table as well (SHARE, which lets the turn lock
  its row but not write it), released from the row: the turn has stored the message, conversed and
  written the ticket, and waits at the write of its reply and state, a crash before COMMIT. What it wrote,
  the message included, must vanish with it: the dead server's database backend goes on once the test's
  locks are released, finds its client gone before any COMMIT and rolls back, which the test waits for.

Each time the message is then redelivered to a new server (as Twilio's retry would): it is answered once,
with the conversation's right next step, and further redeliveries get the same replies and change nothing.
With the same kind of lock, the last tests show two deliveries for one number serialised: the second waits
for the turn holding the conversation and converses from what it committed, and a delivery whose twin
stored and answered the same message meanwhile gives the twin's replies without a deadlock.
PostgreSQL only: SQLite has no row locks to hold."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from tests.conftest import TEST_DATABASE_URL
from tests.faults.conftest import free_port, worker_env
from tests.support.whatsapp import Phone, parse_twiml

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): the server is held with row locks")

PROJECT = Path(__file__).resolve().parents[2]
# Each citizen has a control number that says the same without a crash: what the citizen must end with.
REQUESTER, REQUESTER_CONTROL = "+6281311110001", "+6281311110002"
COMPLAINANT, COMPLAINANT_CONTROL = "+6281311110003", "+6281311110004"
# A document request up to the choice of service, and a complaint up to its confirmation.
CHOOSING = ("halo", "1")
COMPLAINT = ("halo", "3", "1", "Jalan rusak di depan kantor desa sudah dua bulan", "kota agung", "lewati",
             "lewati", "tidak")


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll check until it returns something truthy; fail with `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return result


class WebProcess:
    """The Procfile's web command (gunicorn, one worker of four threads) in a process group of its own,
    without the control socket gunicorn keeps in the home folder (shared by every gunicorn there)."""

    def __init__(self, app_config: dict[str, Any], folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = worker_env(app_config, app_config["REDIS_URL"])
        self.env.update(PUBLIC_BASE_URL=self.url, PRIVACY_NOTICE_ENABLED="0", HEALTH_WORKER_STALE_SECONDS="0")
        self.log_path = folder / f"web-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "WebProcess":
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                 "--threads", "4", "--no-control-socket", "layanan.wsgi:app"],
                cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def answering() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.process.returncode}):\n{self.log_path.read_text()[-3000:]}")
            try:
                return requests.get(f"{self.url}/healthz", timeout=2).status_code in (200, 503)
            except requests.RequestException:
                return False

        wait_for(answering, 60, "gunicorn answering")
        return self

    def kill(self) -> None:
        """SIGKILL to the whole group: the master and its worker die at once, mid-request."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def phone(self, number: str) -> Phone:
        return Phone(base_url=self.url, auth_token=self.env["TWILIO_AUTH_TOKEN"], number=number)


@pytest.fixture
def web(app_config: dict[str, Any], redis, tmp_path: Path) -> Iterator[Callable[[], WebProcess]]:  # type: ignore[no-untyped-def]
    started: list[WebProcess] = []

    def start() -> WebProcess:
        started.append(WebProcess(app_config, tmp_path).start())
        return started[-1]

    yield start
    for process in started:
        process.kill()


@pytest.fixture
def db(database_url: str) -> Iterator[Callable[[], psycopg.Connection]]:
    """Connections of the test's own to the test database (autocommit unless a test begins)."""
    opened: list[psycopg.Connection] = []

    def connect() -> psycopg.Connection:
        opened.append(psycopg.connect(database_url, autocommit=True))
        return opened[-1]

    yield connect
    for connection in opened:
        connection.close()


def conversation_row(check: psycopg.Connection, phone: str) -> tuple:
    return check.execute("SELECT state, data::text, misses, needs_human, updated_at, human_requested_at "
                         "FROM conversation WHERE phone = %s", (phone,)).fetchone()


def turn(row: tuple) -> tuple[str, dict[str, Any], int, bool]:
    """What the conversation holds after a turn: its state, data, misses and whether it waits for a person."""
    state, data, misses, needs_human, *_ = row
    return state, json.loads(data), misses, needs_human


def message_row(check: psycopg.Connection, sid: str) -> tuple[int, str | None, int | None] | None:
    return check.execute("SELECT id, reply, ticket_id FROM message WHERE twilio_sid = %s", (sid,)).fetchone()


def counts(check: psycopg.Connection) -> tuple[int, int, int]:
    return check.execute("SELECT (SELECT count(*) FROM message), (SELECT count(*) FROM conversation), "
                         "(SELECT count(*) FROM ticket)").fetchone()


def blocked_by(check: psycopg.Connection, holder: psycopg.Connection) -> int | None:
    """The backend waiting for a lock the holder's connection holds, if any."""
    row = check.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                        (holder.info.backend_pid,)).fetchone()
    return row[0] if row else None


def gone(check: psycopg.Connection, pid: int) -> bool:
    return check.execute("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)", (pid,)).fetchone()[0]


def post_in_background(phone: Phone, form: dict[str, str]) -> threading.Thread:
    """The delivery that will never be answered: the server dies holding it."""

    def post() -> None:
        try:
            phone.post(form)
        except requests.RequestException:
            pass  # the connection drops with the server

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def hold_row(connection: psycopg.Connection, sql: str, key: Any) -> None:
    connection.execute("BEGIN")
    assert connection.execute(sql, (key,)).fetchone(), "the row to hold exists"


def delivered_while_held(phone: Phone, text: str, holder: psycopg.Connection, check: psycopg.Connection,
                         what: str) -> tuple[dict[str, str], list[requests.Response], threading.Thread]:
    """Hold the number's conversation from the holder's connection (as another turn would), deliver `text`
    in the background and return once the delivery waits for that lock: its form, where its answer will be,
    and its thread."""
    hold_row(holder, "SELECT state FROM conversation WHERE phone = %s FOR UPDATE", phone.number)
    form, answered = phone.form(text), []
    delivery = threading.Thread(target=lambda: answered.append(phone.post(form)), daemon=True)
    delivery.start()
    wait_for(lambda: blocked_by(check, holder), 20, what)
    return form, answered, delivery


def redelivered_once(server: WebProcess, number: str, form: dict[str, str], check: psycopg.Connection) -> list[str]:
    """Redeliver the lost delivery twice: the first answers it, the second gets the same replies and
    changes nothing (message, conversation and ticket rows, the conversation's state)."""
    phone = server.phone(number)
    replies = phone.send(form["Body"], sid=form["MessageSid"])
    assert replies, "the redelivered message is answered"
    stored = message_row(check, form["MessageSid"])[1]
    assert stored is not None and json.loads(stored) == replies, "the answer is stored on the message"
    settled, conversation = counts(check), conversation_row(check, number)
    assert phone.send(form["Body"], sid=form["MessageSid"]) == replies, "a further redelivery: the same replies"
    assert counts(check) == settled and conversation_row(check, number) == conversation, "and nothing changed"
    return replies


def killed_and_rolled_back(server: WebProcess, delivery: threading.Thread, holder: psycopg.Connection,
                           check: psycopg.Connection, server_pid: int) -> None:
    """Kill the server mid-turn, release the test's lock and wait for the dead turn's rollback."""
    server.kill()
    delivery.join(10)
    holder.execute("ROLLBACK")
    wait_for(lambda: gone(check, server_pid), 20, "the dead server's transaction ended")


def test_a_crash_while_waiting_or_inside_the_turn_loses_nothing_and_does_nothing_twice(web, db) -> None:  # type: ignore[no-untyped-def]
    """Three web processes: the first dies while a message's one write waits for its conversation, the
    second answers its redelivery and then dies inside the turn of another number's message, the third
    answers that one."""
    check, conversation_holder, table_holder = db(), db(), db()

    # Waiting for the conversation: a document request, the service about to be chosen, a turn that only
    # replies and writes its message and the conversation in one statement.
    first = web()
    for text in CHOOSING:
        first.phone(REQUESTER).send(text)
        first.phone(REQUESTER_CONTROL).send(text)
    expected = first.phone(REQUESTER_CONTROL).send("2")
    assert "Ketik NIK" in " ".join(expected)
    before, settled = conversation_row(check, REQUESTER), counts(check)

    hold_row(conversation_holder, "SELECT state FROM conversation WHERE phone = %s FOR UPDATE", REQUESTER)
    form = first.phone(REQUESTER).form("2")
    delivery = post_in_background(first.phone(REQUESTER), form)
    server_pid = wait_for(lambda: blocked_by(check, conversation_holder), 20, "the server waiting for the conversation")
    waiting = check.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", (server_pid,)).fetchone()[0]
    assert "UPDATE conversation" in waiting and "INSERT INTO message" in waiting, "stopped in its one write"
    assert message_row(check, form["MessageSid"]) is None, "nothing visible before that write commits"
    killed_and_rolled_back(first, delivery, conversation_holder, check, server_pid)
    # The statement was the database's to finish: with the lock free, it wrote the turn whole, though no one
    # was left to answer. Only the replies were lost, and the redelivery gives them.
    stored = message_row(check, form["MessageSid"])
    assert stored is not None and json.loads(stored[1]) == expected, "the message stored with its replies"
    assert counts(check) == (settled[0] + 1, *settled[1:]), "the message and nothing else was added"

    second = web()
    assert redelivered_once(second, REQUESTER, form, check) == expected, "answered with the next step"
    # As the control number's, except that the draft is the citizen's own (named after the message that opened it).
    state, data, misses, needs_human = turn(conversation_row(check, REQUESTER_CONTROL))
    draft = {**data, "draft_id": turn(before)[1]["draft_id"]}
    assert turn(conversation_row(check, REQUESTER)) == (state, draft, misses, needs_human), \
        "the conversation moved on exactly once"

    # Inside the turn: a complaint about to be confirmed, stopped after its ticket is written, before COMMIT.
    for text in COMPLAINT:
        second.phone(COMPLAINANT).send(text)
        second.phone(COMPLAINANT_CONTROL).send(text)
    expected = second.phone(COMPLAINANT_CONTROL).send("ya")
    assert any("Pengaduan Anda tercatat" in reply for reply in expected), expected
    before, settled = conversation_row(check, COMPLAINANT), counts(check)

    hold_row(conversation_holder, "SELECT state FROM conversation WHERE phone = %s FOR UPDATE", COMPLAINANT)
    form = second.phone(COMPLAINANT).form("ya")
    delivery = post_in_background(second.phone(COMPLAINANT), form)
    wait_for(lambda: blocked_by(check, conversation_holder), 20, "the server waiting for the conversation")
    # Let the turn run on up to the write of its reply and state, and hold it there.
    table_holder.execute("BEGIN")
    table_holder.execute("LOCK TABLE conversation IN SHARE MODE")
    conversation_holder.execute("COMMIT")
    server_pid = wait_for(lambda: blocked_by(check, table_holder), 20, "the server waiting to write its reply")
    assert counts(check) == settled, "nothing the turn wrote is visible before its COMMIT"
    wrote_ticket = check.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock' "
                                 "AND relation = 'ticket'::regclass)", (server_pid,)).fetchone()[0]
    assert wrote_ticket, "the turn had written the ticket when it was stopped"
    killed_and_rolled_back(second, delivery, table_holder, check, server_pid)
    assert message_row(check, form["MessageSid"]) is None, "not stored: the delivery was never answered"
    assert conversation_row(check, COMPLAINANT) == before, "the conversation did not move"
    assert counts(check) == settled, "nothing was added: the ticket went with the crash"

    third = web()
    replies = redelivered_once(third, COMPLAINANT, form, check)
    assert len([reply for reply in replies if "Pengaduan Anda tercatat" in reply]) == 1, replies
    assert counts(check)[2] == settled[2] + 1, "one ticket, created by the redelivery"
    assert message_row(check, form["MessageSid"])[2] is not None, "the ticket is on the message"
    assert turn(conversation_row(check, COMPLAINANT)) == turn(conversation_row(check, COMPLAINANT_CONTROL)), \
        "the conversation moved on exactly once"


WAITER, AT_THE_START = "+6281311110005", "+6281311110006"


def test_a_message_waits_for_the_turn_holding_its_conversation_and_reads_what_that_turn_left(web, db) -> None:  # type: ignore[no-untyped-def]
    """Two deliveries for one number are serialised: a message arriving while another turn holds the number's
    conversation waits for that turn to commit, then converses from the state it committed, not from the
    state before it. (Its one write waits for the lock, finds the conversation no longer the version it read
    and writes nothing; a turn that holds the lock then takes the message. Written as read, it would answer
    the old state and overwrite the other turn.)"""
    check, holder = db(), db()
    server = web()
    phone = server.phone(WAITER)
    for text in CHOOSING:
        phone.send(text)

    # Another turn holds the conversation and takes the citizen back to the start (as "menu" would).
    _, answered, delivery = delivered_while_held(phone, "2", holder, check,
                                                 "the message waiting for the turn that holds its conversation")
    holder.execute("UPDATE conversation SET state = 'start', data = '{}', misses = 0 WHERE phone = %s", (WAITER,))
    holder.execute("COMMIT")
    delivery.join(20)

    assert answered and answered[0].status_code == 200
    fresh = server.phone(AT_THE_START).send("2")  # a number at the start, where the other turn left this one
    assert "Ketik NIK" not in " ".join(fresh)
    assert parse_twiml(answered[0].text) == fresh, "answered from the state the other turn committed"
    assert conversation_row(check, WAITER)[0] == conversation_row(check, AT_THE_START)[0]


TWIN, TWIN_CONTROL = "+6281311110007", "+6281311110008"


def test_a_delivery_that_waited_for_its_twin_answers_with_the_twins_replies_and_converses_no_more(web, db) -> None:  # type: ignore[no-untyped-def]
    """A message delivered twice at once (Twilio's retry racing the first delivery in another worker). The
    twin's turn holds the conversation and has inserted the message: the delivery waits for the
    conversation, then finds the twin's answer committed and gives the same replies without conversing a
    second time. Every turn locks the conversation before it inserts its message, so the delivery never
    holds what the twin waits for (the other order deadlocks them)."""
    check, holder = db(), db()
    server = web()
    control = server.phone(TWIN_CONTROL)  # the same messages without a race: what the twin's turn left
    for text in CHOOSING:
        control.send(text)
    twin_replies = control.send("2")
    twin_row = conversation_row(check, TWIN_CONTROL)
    phone = server.phone(TWIN)
    for text in CHOOSING:
        phone.send(text)

    # The twin's turn, as it runs: the conversation locked, the message inserted (with the answer its turn
    # will give) ...
    form, answered = phone.form("2"), []
    hold_row(holder, "SELECT state FROM conversation WHERE phone = %s FOR NO KEY UPDATE", TWIN)
    holder.execute("INSERT INTO message (direction, twilio_sid, phone, body, num_media, status, reply, created_at,"
                   " updated_at) VALUES ('inbound', %s, %s, '2', 0, 'received', %s, now(), now())",
                   (form["MessageSid"], TWIN, json.dumps(twin_replies, ensure_ascii=False)))
    delivery = threading.Thread(target=lambda: answered.append(phone.post(form)), daemon=True)
    delivery.start()
    wait_for(lambda: blocked_by(check, holder), 20, "the delivery waiting for its twin's turn")
    # ... then the conversation moved on, and the turn committed.
    holder.execute("UPDATE conversation SET state = %s, data = %s::json, misses = %s WHERE phone = %s",
                   (twin_row[0], twin_row[1], twin_row[2], TWIN))
    holder.execute("COMMIT")
    delivery.join(20)

    assert answered and answered[0].status_code == 200
    assert parse_twiml(answered[0].text) == twin_replies, "the twin's answer, not a second turn's"
    assert turn(conversation_row(check, TWIN)) == turn(twin_row), "the conversation moved on once, by the twin"
    assert check.execute("SELECT count(*) FROM message WHERE twilio_sid = %s", (form["MessageSid"],)).fetchone()[0] == 1
    assert "handed to the app" not in server.log_path.read_text(), "answered by its own turn, not after a failure"


KEPT, KEPT_CONTROL = "+6281311110009", "+6281311110010"


def test_a_write_that_meets_a_twins_kept_message_is_undone_whole_and_the_message_conversed_once(web, db) -> None:  # type: ignore[no-untyped-def]
    """The twin is a delivery whose turn failed and which keeps its message, unanswered, in a transaction of
    its own (holding nothing else). The delivery's one write has moved the conversation and waits on that
    INSERT of the same MessageSid; when the twin commits, the unique index fails the write, which undoes the
    conversation's move with it. A turn that holds the lock then converses the kept message once."""
    check, holder = db(), db()
    server = web()
    control = server.phone(KEPT_CONTROL)
    for text in CHOOSING:
        control.send(text)
    expected = control.send("2")
    phone = server.phone(KEPT)
    for text in CHOOSING:
        phone.send(text)
    before = conversation_row(check, KEPT)

    form, answered = phone.form("2"), []
    holder.execute("BEGIN")
    holder.execute("INSERT INTO message (direction, twilio_sid, phone, body, num_media, status, created_at,"
                   " updated_at) VALUES ('inbound', %s, %s, '2', 0, 'received', now(), now())",
                   (form["MessageSid"], KEPT))
    delivery = threading.Thread(target=lambda: answered.append(phone.post(form)), daemon=True)
    delivery.start()
    server_pid = wait_for(lambda: blocked_by(check, holder), 20, "the delivery's write waiting for the kept message")
    held = check.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND locktype = 'transactionid'"
                         " AND granted = false", (server_pid,)).fetchone()[0]
    assert held == 1, "waiting on the twin's INSERT"
    assert conversation_row(check, KEPT) == before, "its move not visible before the write commits"
    holder.execute("COMMIT")
    delivery.join(20)

    assert answered and answered[0].status_code == 200
    assert parse_twiml(answered[0].text) == expected, "the kept message conversed, as without the race"
    state, data, misses, needs_human = turn(conversation_row(check, KEPT_CONTROL))
    draft = {**data, "draft_id": turn(before)[1]["draft_id"]}  # the citizen's own draft, as in the first test
    assert turn(conversation_row(check, KEPT)) == (state, draft, misses, needs_human), "the conversation moved on once"
    stored = check.execute("SELECT count(*), min(reply) FROM message WHERE twilio_sid = %s",
                           (form["MessageSid"],)).fetchone()
    assert stored[0] == 1 and json.loads(stored[1]) == expected, "one message, with the replies given"
    assert "handed to the app" not in server.log_path.read_text(), "answered by its own turn, not after a failure"
