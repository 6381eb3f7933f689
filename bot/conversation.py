"""The citizen's WhatsApp conversation as a pure function: (state, message, what waits) -> (state,
replies, effects).

No Flask, database or clock in here: the caller loads the state and what the office has waiting
on the number (`Pending`), passes the message with its time, stores the returned state, carries
out the effects and sends the replies (its own answers to CreateTicket, QueryStatus, ResendDocument
and the pending matters come after ours; for those we send nothing ourselves).

What waits on the number comes first, in this order:
1. A signed PDF waiting for the 24-hour window: any message re-opens the window, so it always
   goes out (ResumeWaitingPdf). At the menu (START), without files and without a command, the
   PDF's own reply is the whole answer; otherwise the message goes on to the rules below.
2. A ticket waiting for a document the office asked for takes every message but a command
   (DeliverToWaitingTicket).
3. A complaint whose answer went out takes, at the menu, a message that reads as the citizen's
   verdict ("sudah", "selesai", "belum ..."; see read_verdict) (GiveVerdict).
4. A call-center ticket waiting for the caller's files takes the message at the menu, unless it
   is a command (AttachToCallTicket).
5. A satisfaction survey whose question is the last thing said to the number takes any message but a
   command, at any step (AnswerSurvey; it declines what is not an answer).
6. A number that has not accepted the current privacy notice gets the turn's answer and then the notice
   (NoticePrivacy, the last effect); `privasi`, `hapus data` and `survei` are commands for those features.
A pending matter may decline the message (it was not for it); the caller then asks again
without it.

The document request and the complaint are each a list of steps (`REQUEST_FLOW`, `COMPLAINT_FLOW`):
the draft field each fills, how an answer is read and the catalogue text that asks for it. A question
added after conversations were stored is marked `may_be_missing`: a stored draft without its answer
stays valid where it is, and the question is asked as soon as the citizen moves on, always before
anything is sent.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from bot.catalogue import OFFICE_HOURS, format_documents, render
from bot.complaint_category import complaint_categories, match_category
from bot.faq import Knowledge, fill, match_faq, open_now
from bot.kecamatan_match import resolve_kecamatan
from bot.nik import InvalidNik, parse_nik
from bot.office_hours import opening_words
from bot.understanding import (Reading, choice_of, digit_runs, is_english, kecamatan_in, name_in, nik_candidates,
                               normalise, read_intents, strip_symbols)
from layanan.clock import WIB
from layanan.phone import InvalidPhone, normalize_any_phone
from bot.services_catalog import match_service
from tickets.constants import DOCUMENT_SERVICES, Service
from tickets.kecamatan import BY_CODE, KECAMATAN, Kecamatan

ACCEPTED_CONTENT_TYPES: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
IDLE_AFTER = timedelta(hours=24)
MISSES_BEFORE_HELP = 3
MAX_FILES = 10  # per draft; Twilio allows 10 per message, and staff cannot review an album anyway
MIN_TEXT_CHARS = 10  # letters or digits in a complaint or a detail
MAX_TEXT_CHARS = 2000
SUMMARY_CHARS = 200  # of a long text, in the summary the citizen confirms

# Services whose request means nothing without a short text from the citizen.
DETAIL_QUESTIONS: dict[Service, str] = {
    Service.PINDAH: "ask_detail_pindah",
    Service.PERBAIKAN_DATA: "ask_detail_perbaikan_data",
}


class Step(StrEnum):
    """Where a conversation is; the value is stored as State.name."""

    START = "start"
    STATUS_NUMBER = "status_number"
    REQUEST_SERVICE = "request_service"
    REQUEST_NIK = "request_nik"
    REQUEST_NAME = "request_name"
    REQUEST_KECAMATAN = "request_kecamatan"
    REQUEST_DETAIL = "request_detail"
    REQUEST_DOCUMENTS = "request_documents"
    REQUEST_CONFIRM = "request_confirm"
    COMPLAINT_CATEGORY = "complaint_category"
    COMPLAINT_TEXT = "complaint_text"
    COMPLAINT_KECAMATAN = "complaint_kecamatan"
    COMPLAINT_RELATED = "complaint_related"
    COMPLAINT_PHOTOS = "complaint_photos"
    COMPLAINT_CONFIDENTIAL = "complaint_confidential"
    COMPLAINT_CONFIRM = "complaint_confirm"
    SIAGA_REPORTER = "siaga_reporter"
    SIAGA_RELATION = "siaga_relation"
    SIAGA_SUBJECT = "siaga_subject"
    SIAGA_PEKON = "siaga_pekon"
    SIAGA_KECAMATAN = "siaga_kecamatan"
    SIAGA_CONDITION = "siaga_condition"
    SIAGA_PHONE = "siaga_phone"
    SIAGA_LETTERS = "siaga_letters"
    SIAGA_URGENT = "siaga_urgent"
    SIAGA_CONFIRM = "siaga_confirm"


# --- Messages in and out --------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaItem:
    content_type: str
    sticker: bool = False  # a WhatsApp sticker (Twilio marks it): never a document


@dataclass(frozen=True)
class Incoming:
    body: str
    media: tuple[MediaItem, ...]
    now: datetime  # timezone-aware
    key: str  # the MessageSid; becomes the draft id when this message starts a draft
    location: bool = False  # a shared location (Twilio's Latitude/Longitude)
    office_opens: datetime | None = None  # the next opening while the office is closed (bot.office_hours)


@dataclass
class State:
    name: str = Step.START.value
    data: dict[str, Any] = field(default_factory=dict)
    misses: int = 0
    updated_at: datetime | None = None
    needs_human: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready values, the time in ISO 8601."""
        return {
            "name": str(self.name),
            "data": dict(self.data),
            "misses": self.misses,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "needs_human": self.needs_human,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "State":
        """A state from to_dict() output; anything unreadable falls back to the defaults."""
        name, data, misses = raw.get("name"), raw.get("data"), raw.get("misses")
        return cls(
            name=name if isinstance(name, str) else Step.START.value,
            data=dict(data) if isinstance(data, dict) else {},
            misses=misses if isinstance(misses, int) and not isinstance(misses, bool) else 0,
            updated_at=_parse_time(raw.get("updated_at")),
            needs_human=raw.get("needs_human") is True,
        )


@dataclass(frozen=True)
class SiagaDetails:
    """A Dukcapil Siaga report's own answers: the reporter's relation, the resident, where, how to reach them."""

    relation: str
    subject_name: str
    pekon: str
    contact_phone: str | None  # None: the WhatsApp number the report came from
    urgent: bool


@dataclass(frozen=True)
class CreateTicket:
    service: Service
    nik: str | None
    name: str | None
    kecamatan_code: str | None
    description: str | None
    draft_id: str
    # A complaint's: the category the citizen chose (one of the SOP's), the ticket number they named
    # (canonical, not yet looked up) and whether their identity is kept from the handlers.
    category: str | None = None
    related_number: str | None = None
    confidential: bool = False
    siaga: SiagaDetails | None = None


@dataclass(frozen=True)
class KeepMedia:
    draft_id: str
    indexes: tuple[int, ...]  # positions in this message's media that belong to the draft


@dataclass(frozen=True)
class QueryStatus:
    number: str  # canonical, e.g. PGD-2026-000123


@dataclass(frozen=True)
class RequestHuman:
    reason: str  # the Step the citizen was in when they asked


@dataclass(frozen=True)
class ResendDocument:
    number: str  # canonical; "kirim ulang <nomor>": the signed PDF again, to the recorded number only


class Pending(StrEnum):
    """What the office may have waiting on a number; features register each kind (tickets.events)."""

    PDF = "pdf"  # a signed PDF waits for the citizen to re-open the 24-hour window
    DOCUMENT = "document"  # a ticket waits for a document the office asked for
    CALL = "call"  # a call-center ticket waits for the caller's files
    VERDICT = "verdict"  # a complaint's answer went out and waits for the citizen's verdict
    SURVEY = "survey"  # a satisfaction survey's question is the last thing said to the number
    PRIVACY = "privacy"  # the number has not accepted the current privacy notice


@dataclass(frozen=True)
class ResumeWaitingPdf:
    """Send the PDFs that waited for this number's 24-hour window to re-open."""

    answers: bool  # its reply is the whole answer; otherwise it goes out silently and the rest answers
    kind: ClassVar[Pending] = Pending.PDF


@dataclass(frozen=True)
class DeliverToWaitingTicket:
    """The message (and its files) is the citizen's answer to the office's request for a document."""

    answers: ClassVar[bool] = True
    kind: ClassVar[Pending] = Pending.DOCUMENT


@dataclass(frozen=True)
class AttachToCallTicket:
    """The message (and its files) belongs to the call-center ticket opened for this caller."""

    answers: ClassVar[bool] = True
    kind: ClassVar[Pending] = Pending.CALL


@dataclass(frozen=True)
class GiveVerdict:
    """The message is the citizen's verdict on a complaint's answer: solved, or not (with their words)."""

    answers: ClassVar[bool] = True
    kind: ClassVar[Pending] = Pending.VERDICT


@dataclass(frozen=True)
class AnswerSurvey:
    """The message answers the satisfaction survey's question, or is the `survei` command."""

    answers: ClassVar[bool] = True
    kind: ClassVar[Pending] = Pending.SURVEY


@dataclass(frozen=True)
class NoticePrivacy:
    """The privacy notice's turn: shown, accepted by continuing, or the `privasi` / `hapus data` command."""

    answers: ClassVar[bool] = True
    kind: ClassVar[Pending] = Pending.PRIVACY


PendingEffect = (ResumeWaitingPdf | DeliverToWaitingTicket | GiveVerdict | AttachToCallTicket | AnswerSurvey
                 | NoticePrivacy)
Effect = CreateTicket | KeepMedia | QueryStatus | RequestHuman | ResendDocument | PendingEffect


@dataclass
class Outcome:
    state: State
    replies: list[str]
    effects: list[Effect]


# --- What people type -----------------------------------------------------------------------------

CANCEL_WORDS = frozenset({"batal", "batalkan", "cancel", "berhenti", "stop"})
MENU_WORDS = frozenset({"menu", "mulai", "mulai lagi", "ulang", "ulangi", "kembali", "home", "0"})
HELP_WORDS = frozenset({"bantuan", "bantu", "help", "tolong", "petugas", "hubungi petugas", "operator", "cs",
                        "admin", "minta bantuan", "bicara dengan petugas"})
YES_WORDS = frozenset({"ya", "iya", "iyaa", "yaa", "y", "yes", "yup", "ok", "oke", "okay", "okey", "sip",
                       "benar", "betul", "kirim", "setuju", "ya benar", "ya betul", "ya kirim", "iya benar"})
NO_WORDS = frozenset({"tidak", "tdk", "gak", "ga", "nggak", "enggak", "engga", "no", "n", "jangan", "salah"})
DONE_WORDS = frozenset({"selesai", "sudah", "udah", "sdh", "done", "cukup", "beres", "lanjut", "sudah semua"})
SKIP_WORDS = DONE_WORDS | {"lewati", "skip", "tidak", "tidak ada", "tdk ada", "gak ada", "ga ada", "nggak ada",
                           "kosong"}
GREETING_WORDS = frozenset({"halo", "hallo", "helo", "hai", "hay", "hi", "hello", "hey", "p", "ping", "pagi",
                            "siang", "sore", "malam", "selamat", "assalamualaikum", "assalamu", "asalamualaikum",
                            "assalammualaikum", "assalamualaikom", "aslm", "ass", "salam", "permisi", "punten",
                            "min", "tes", "test"})
THANKS_WORDS = frozenset({"terima", "terimakasih", "trimakasih", "makasih", "makasi", "trims", "thanks", "thank",
                          "tq", "ok", "oke", "okay", "siap", "baik", "sip", "mantap", "alhamdulillah"})
REQUEST_WORDS = frozenset({"permohonan", "ajukan", "ajukan permohonan", "mengajukan", "pengajuan", "dokumen"})
COMPLAINT_WORDS = frozenset({"pengaduan", "aduan", "adukan", "mengadu", "komplain", "keluhan"})
SIAGA_WORDS = frozenset({"siaga", "lansia", "jompo", "sakit", "disabilitas", "difabel", "odgj", "panti", "lumpuh",
                         "stroke", "terlantar"})
SIAGA_PHRASES = ("jemput bola", "tidak bisa jalan", "tidak bisa datang")
SAME_NUMBER_WORDS = frozenset({"sama", "nomor ini", "no ini", "ini", "sama dengan ini", "nomor wa ini"})
URGENT_WORDS = frozenset({"mendesak", "darurat", "segera", "penting", "rumah sakit", "rs", "bansos", "berobat"})
RELATIONS = ("Keluarga", "Aparat pekon/kelurahan", "Petugas kecamatan", "Pendamping sosial/Dinsos", "Pengurus panti")
MAX_GREETING_WORDS = 6
MAX_SHORTCUT_WORDS = 8  # longer free text at the menu is too often about something else
MIN_STORY_WORDS = 6  # a complaint opened with this many words already tells what happened
MAX_QUESTION_WORDS = 12  # a question to the FAQ in the middle of a free text answer is short
QUESTION_OPENERS = frozenset({"apa", "apakah", "berapa", "kapan", "mana", "bagaimana", "kenapa", "bisa", "jam",
                              "syarat", "persyaratan", "dimana"})
STATUS_FILLER = frozenset({"nomor", "nomer", "no", "tiket"})
RESEND_WORDS = ["kirim", "ulang"]
PRIVACY_WORDS = frozenset({"privasi", "kebijakan privasi", "pemberitahuan privasi", "hapus data",
                           "hapus data saya", "hapus semua data", "hapus data pribadi"})
SURVEY_WORDS = frozenset({"survei", "survey", "isi survei", "skm"})
SOLVED_WORDS = frozenset({"sudah", "udah", "sdh", "dah", "selesai", "beres", "tuntas", "terselesaikan"})
UNSOLVED_WORDS = frozenset({"belum", "blm", "blum", "belom", "blom"})
NO_NUMBER_WORDS = SKIP_WORDS | {"tidak tahu", "tdk tahu", "gak tau", "ga tau", "nggak tau", "lupa", "belum ada",
                                "tidak punya", "tidak ada nomor", "tidak ada nomornya"}
# "Apakah identitas Anda ingin dirahasiakan?": a reply that opens with a negation says no; "jangan ..." is
# left unread ("jangan sebut nama saya" means yes), and so is anything else unsure: the question comes again.
NEGATIONS = frozenset({"tidak", "tdk", "tak", "gak", "ga", "gk", "nggak", "enggak", "engga", "ndak", "no", "n"})
CONFIDENTIAL_PREFIXES = ("rahasia", "dirahasia")

_CHOICE = re.compile(r"(?:no|nomor|pilih|pilihan|angka)?\s*([0-9]{1,2})", flags=re.ASCII)
_TICKET = re.compile(r"(PGD)?[\s\-_/.:#]*(20[0-9]{2})[\s\-_/.]*([0-9]{1,6})", flags=re.ASCII)


@dataclass(frozen=True)
class _Message:
    raw: str  # the body, trimmed and with runs of whitespace collapsed
    text: str  # lower-case words only, for commands: "status pgd 2026 000123"
    choice: int | None  # "1", "1.", "1)", " 1 ", "1️⃣", "no 1", "satu", "pilih dua"
    media: tuple[MediaItem, ...]
    norm: str = ""  # chat writing made regular, for understanding: "mau bikin ktp" (bot.understanding)

    @classmethod
    def of(cls, body: str, media: tuple[MediaItem, ...] = ()) -> "_Message":
        raw = " ".join(unicodedata.normalize("NFC", body).split())
        text = " ".join(_NOT_WORDS.sub(" ", raw.lower()).split())
        norm = normalise(raw)
        choice = _CHOICE.fullmatch(text)
        number = int(choice.group(1)) if choice else choice_of(norm)
        return cls(raw=raw, text=text, choice=number, media=media, norm=norm)

    @property
    def words(self) -> list[str]:
        return self.text.split()


_NOT_WORDS = re.compile(r"[\W_]+")


def parse_ticket_number(text: str, require_prefix: bool = False) -> str | None:
    """The canonical ticket number (PGD-2026-000123) in loosely typed text, or None."""
    match = _TICKET.fullmatch(text.strip().strip(".,!?").upper())
    if not match or (require_prefix and not match.group(1)) or int(match.group(3)) == 0:
        return None
    return f"PGD-{match.group(2)}-{int(match.group(3)):06d}"


# --- The draft a request or complaint builds up ---------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    draft_id: str | None = None
    service: Service | None = None
    nik: str | None = None
    name: str | None = None
    kecamatan_code: str | None = None
    description: str | None = None
    category: str | None = None  # a complaint's, one of the SOP's categories
    related_number: str | None = None  # a complaint's, the canonical number of the ticket it is about
    confidential: bool | None = None  # a complaint's: whether the citizen's identity is kept from the handlers
    relation: str | None = None  # a Siaga report's: the reporter's relation to the resident
    subject_name: str | None = None  # a Siaga report's: the resident
    pekon: str | None = None  # a Siaga report's: the resident's pekon or kelurahan
    contact_phone: str | None = None  # a Siaga report's: E.164, or SAME_NUMBER for the WhatsApp number itself
    urgent: bool | None = None  # a Siaga report's: needed for hospital care or social aid
    files: int = 0

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in _TEXT_FIELDS}
        data["service"] = self.service.value if self.service else None
        data["confidential"] = self.confidential
        data["urgent"] = self.urgent
        data = {key: value for key, value in data.items() if value is not None}
        if self.files:
            data["files"] = self.files
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "_Draft | None":
        """The draft stored in State.data, or None if it was tampered with or written by other code.
        A category the SOP no longer offers is dropped, to be asked again."""
        texts = {key: data.get(key) for key in _TEXT_FIELDS}
        if any(value is not None and not (isinstance(value, str) and value) for value in texts.values()):
            return None
        service, files, confidential = data.get("service"), data.get("files", 0), data.get("confidential")
        urgent = data.get("urgent")
        if urgent is not None and not isinstance(urgent, bool):
            return None
        if service is not None and (not isinstance(service, str) or service not in _SERVICE_VALUES):
            return None
        if not isinstance(files, int) or isinstance(files, bool) or files < 0:
            return None
        if confidential is not None and not isinstance(confidential, bool):
            return None
        if texts["kecamatan_code"] is not None and texts["kecamatan_code"] not in BY_CODE:
            return None
        related = texts["related_number"]
        if related is not None and parse_ticket_number(related) != related:
            return None
        if texts["category"] is not None and texts["category"] not in complaint_categories():
            texts["category"] = None
        return cls(service=Service(service) if service is not None else None, files=files,
                   confidential=confidential, urgent=urgent, **texts)


_TEXT_FIELDS = tuple(f.name for f in fields(_Draft) if f.name not in ("service", "files", "confidential", "urgent"))
SAME_NUMBER = "sama"
_SERVICE_VALUES = frozenset(s.value for s in Service)
_STEP_VALUES = frozenset(s.value for s in Step)
# What the steps outside the flows build on (the flows' steps: see REQUEST_FLOW and COMPLAINT_FLOW).
_NEEDED: dict[Step, tuple[str, ...]] = {
    Step.START: (),
    Step.STATUS_NUMBER: (),
}


def _consistent(step: Step, draft: _Draft) -> bool:
    """Whether the draft holds what the step builds on, so every handler can rely on it."""
    if step in _POSITION:
        return _flow_consistent(step, draft)
    return all(getattr(draft, name) is not None for name in _NEEDED[step])


def _flow_consistent(step: Step, draft: _Draft) -> bool:
    """A step of a flow needs the draft id, a service of the flow (or none yet), to apply to the draft, and
    the answer of every earlier required step that applies (but those that may be missing)."""
    flow, position = _POSITION[step]
    if draft.draft_id is None:
        return False
    if draft.service is not None and draft.service not in flow.services:
        return False
    if not flow.steps[position].applies(draft):
        return False
    return all(_answered(draft, earlier.field) for earlier in flow.steps[:position]
               if earlier.applies(draft) and not earlier.optional and not earlier.may_be_missing)


def _complete(flow: "Flow", draft: _Draft) -> bool:
    """Whether every required question of the flow that applies has its answer: the draft can be sent."""
    return all(_answered(draft, entry.field) for entry in flow.steps if entry.applies(draft) and not entry.optional)


def _answered(draft: _Draft, name: str | None) -> bool:
    if name is None:
        return True
    value = getattr(draft, name)
    return value >= 1 if name == "files" else value is not None


# --- One turn of the conversation -----------------------------------------------------------------


@dataclass
class _Turn:
    step: Step
    draft: _Draft
    misses: int
    needs_human: bool
    fresh: bool  # a new or restarted conversation: unknown input earns the welcome, not a rebuke
    incoming: Incoming
    replies: list[str] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    knowledge: Knowledge = field(default_factory=Knowledge)

    def go(self, step: Step, *replies: str, draft: _Draft | None = None) -> None:
        """Move on after an answer we understood."""
        self.step, self.misses, self.needs_human = step, 0, False
        if draft is not None:
            self.draft = draft
        self.replies.extend(replies)

    def miss(self, reply: str) -> None:
        """Stay put after an answer we did not understand, offering a person after a few."""
        if self.needs_human:
            self.replies.append(_promise(self, "human_waiting"))
            return
        self.misses += 1
        if self.misses >= MISSES_BEFORE_HELP:
            reply = f"{reply}\n\n{_promise(self, 'offer_human')}"
        self.replies.append(reply)

    def not_understood(self) -> None:
        self.miss(f"{render('not_understood')}\n{_prompt(self)}")


def handle(state: State, incoming: Incoming, waiting: frozenset[Pending] = frozenset(),
           knowledge: Knowledge | None = None) -> Outcome:
    """Answer one WhatsApp message: the next state, the replies to send and the effects to carry out.
    `waiting` is what the office has waiting on the number (see the module docstring for the order);
    `knowledge` the FAQ and what its answers need."""
    if incoming.now.tzinfo is None or incoming.now.utcoffset() is None:
        raise ValueError("Incoming.now must be timezone-aware")
    knowledge = knowledge or Knowledge()
    if Pending.PRIVACY in waiting:
        # The notice follows whatever answers the message, so a first message is never lost.
        outcome = handle(state, incoming, waiting - {Pending.PRIVACY}, knowledge)
        if not any(isinstance(effect, NoticePrivacy) for effect in outcome.effects):
            outcome.effects.append(NoticePrivacy())
        return outcome
    if not waiting:
        return _converse(state, incoming, knowledge)
    command = is_command(incoming.body)
    at_start = state.name == Step.START.value
    before: list[Effect] = []
    if Pending.PDF in waiting:
        if at_start and not incoming.media and not command:
            return Outcome(state=state, replies=[], effects=[ResumeWaitingPdf(answers=True)])
        before.append(ResumeWaitingPdf(answers=False))
    if Pending.DOCUMENT in waiting and not command:
        return Outcome(state=state, replies=[], effects=[*before, DeliverToWaitingTicket()])
    if Pending.SURVEY in waiting and not command:
        return Outcome(state=state, replies=[], effects=[*before, AnswerSurvey()])
    if Pending.VERDICT in waiting and not command and at_start and read_verdict(incoming.body) is not None:
        return Outcome(state=state, replies=[], effects=[*before, GiveVerdict()])
    if Pending.CALL in waiting and not command and at_start:
        return Outcome(state=state, replies=[], effects=[*before, AttachToCallTicket()])
    outcome = _converse(state, incoming, knowledge)
    outcome.effects[:0] = before
    return outcome


def _converse(state: State, incoming: Incoming, knowledge: Knowledge) -> Outcome:
    """One turn of the bot's own conversation."""
    turn = _begin(state, incoming)
    turn.knowledge = knowledge
    message = _Message.of(incoming.body, incoming.media)
    if not _command(turn, message) and not _unusable(turn, message):
        if any(not item.sticker for item in message.media) and turn.step not in _MEDIA_STEPS:
            _unexpected_media(turn)
        else:
            _HANDLERS[turn.step](turn, message)
    new_state = State(name=turn.step.value, data=turn.draft.to_data(), misses=turn.misses,
                      updated_at=incoming.now, needs_human=turn.needs_human)
    return Outcome(state=new_state, replies=turn.replies, effects=turn.effects)


def _begin(state: State, incoming: Incoming) -> _Turn:
    """The turn's starting point: the stored state, unless it is unreadable or has gone stale."""
    step = Step(state.name) if isinstance(state.name, str) and state.name in _STEP_VALUES else None
    draft = _Draft.from_data(state.data) if isinstance(state.data, dict) else None
    misses = state.misses if isinstance(state.misses, int) and state.misses > 0 else 0
    if step is None or draft is None or not _consistent(step, draft):
        return _Turn(Step.START, _Draft(), 0, False, fresh=True, incoming=incoming)
    last = _aware(state.updated_at)
    if last is None:
        return _Turn(step, draft, misses, bool(state.needs_human), fresh=True, incoming=incoming)
    if incoming.now - last >= IDLE_AFTER:
        turn = _Turn(Step.START, _Draft(), 0, False, fresh=True, incoming=incoming)
        if step is not Step.START:
            turn.replies.append(render("restarted_idle"))
        return turn
    return _Turn(step, draft, misses, bool(state.needs_human), fresh=False, incoming=incoming)


def _command(turn: _Turn, message: _Message) -> bool:
    """Carry out a command that works in every step; False if the message is not one."""
    if message.text in CANCEL_WORDS:
        if turn.step is Step.START:
            turn.go(Step.START, render("nothing_to_cancel"))
        else:
            turn.go(Step.START, render("cancelled"), draft=_Draft())
        return True
    if message.text in MENU_WORDS:
        turn.go(Step.START, render("welcome"), draft=_Draft())
        return True
    if message.text in HELP_WORDS:
        _ask_human(turn)
        return True
    if message.words[:2] == RESEND_WORDS:
        _resend_command(turn, message)
        return True
    if message.text in PRIVACY_WORDS | SURVEY_WORDS:
        turn.effects.append(NoticePrivacy() if message.text in PRIVACY_WORDS else AnswerSurvey())
        turn.go(Step.START if turn.step is Step.STATUS_NUMBER else turn.step)
        return True
    return _status_command(turn, message)


def is_command(body: str) -> bool:
    """Whether handle() treats this message as a command that works in every step (status, batal, menu, bantuan)."""
    message = _Message.of(body)
    words = message.words
    return (
        message.text in CANCEL_WORDS | MENU_WORDS | HELP_WORDS | PRIVACY_WORDS | SURVEY_WORDS
        or words[:1] == ["status"]
        or words[:2] == ["cek", "status"]
        or words[:2] == RESEND_WORDS
        or (words[:1] == ["cek"] and parse_ticket_number(" ".join(words[1:])) is not None)
        or parse_ticket_number(message.raw, require_prefix=True) is not None
    )


def read_verdict(body: str) -> bool | None:
    """The citizen's verdict on a complaint's answer: True (solved), False (not solved) or None (not a verdict).
    A message starting with "belum" may explain at any length; "sudah"/"selesai" must come in a short one."""
    words = _Message.of(body).words
    if not words:
        return None
    if words[0] in UNSOLVED_WORDS:
        return False
    if len(words) > MAX_SHORTCUT_WORDS:
        return None
    if any(w in UNSOLVED_WORDS for w in words):
        return False
    if any(w in SOLVED_WORDS for w in words):
        return True
    return None


def _status_command(turn: _Turn, message: _Message) -> bool:
    """'status <nomor>', 'cek status …', 'cek …' or a bare PGD number."""
    words = message.words
    if words[:2] == ["cek", "status"]:
        rest = words[2:]
    elif words[:1] == ["status"] or (words[:1] == ["cek"] and len(words) > 1):
        rest = words[1:]
    elif turn.step in _NUMBER_STEPS:
        return False  # a bare number here is the answer to the question, not a status query
    else:
        number = parse_ticket_number(message.raw, require_prefix=True)
        if number:
            _query(turn, number)
        return number is not None
    while rest and rest[0] in STATUS_FILLER:
        rest = rest[1:]
    if not rest:
        turn.go(Step.STATUS_NUMBER, render("status_ask"), draft=_Draft())
        return True
    number = parse_ticket_number(" ".join(rest))
    if number:
        _query(turn, number)
        return True
    if turn.step in (Step.START, Step.STATUS_NUMBER):
        turn.go(Step.STATUS_NUMBER, render("status_number_invalid"), draft=_Draft())
        return True
    return False  # e.g. a complaint that happens to start with "status"


def _resend_command(turn: _Turn, message: _Message) -> None:
    """'kirim ulang <nomor>': ask for the signed PDF again; the request in progress stays where it was."""
    rest = [w for w in message.words[2:] if w not in STATUS_FILLER]
    number = parse_ticket_number(" ".join(rest)) if rest else None
    if number is None:
        turn.go(turn.step, render("resend_ask"))
        return
    turn.effects.append(ResendDocument(number))
    turn.go(Step.START if turn.step is Step.STATUS_NUMBER else turn.step)


def _query(turn: _Turn, number: str) -> None:
    turn.effects.append(QueryStatus(number))
    # A status check in the middle of a request leaves the request where it was.
    turn.go(Step.START if turn.step is Step.STATUS_NUMBER else turn.step)


def _ask_human(turn: _Turn) -> None:
    turn.effects.append(RequestHuman(reason=turn.step.value))
    turn.go(Step.START, _promise(turn, "human_requested"), draft=_Draft())
    turn.needs_human = True


def _promise(turn: _Turn, key: str) -> str:
    """A reply that promises a person, saying when the office opens next while it is closed."""
    opens = turn.incoming.office_opens
    return f"{render(key)}\n\n{render('office_closed', when=opening_words(opens))}" if opens else render(key)


def _unusable(turn: _Turn, message: _Message) -> bool:
    """A voice note, a shared location or only stickers: said what we can do instead, the step kept and
    no miss counted. False for anything else."""
    media = message.media
    if any(_content_type(item).startswith("audio/") for item in media):
        key = "voice_not_supported"
    elif turn.incoming.location and not message.words:
        key = "location_received"
    elif media and all(item.sticker for item in media) and not message.words:
        key = "sticker_ignored"
    else:
        return False
    turn.replies.append(f"{render(key)}\n\n{_prompt(turn)}")
    return True


def _content_type(item: MediaItem) -> str:
    return item.content_type.split(";")[0].strip().lower()


def _is_question(message: _Message) -> bool:
    """A short message that reads as a question ("jam buka?", "syaratnya apa"), not as a story."""
    words = message.norm.split()
    return 0 < len(words) <= MAX_QUESTION_WORDS and (message.raw.endswith("?") or words[0] in QUESTION_OPENERS)


def _answer_faq(turn: _Turn, message: _Message) -> bool:
    """Answer a question of the FAQ and keep the step (asking its question again); False if none fits."""
    entry = match_faq(message.raw, turn.knowledge.faq)
    if entry is None:
        return False
    answer = fill(entry.answer, _faq_values(turn, message))
    if turn.step is Step.START:
        turn.replies.append(f"{answer}\n\n{render('faq_more')}")
    else:
        turn.replies.append(f"{answer}\n\n{render('faq_resume')}\n{_prompt(turn)}")
    turn.misses = 0
    return True


def _faq_values(turn: _Turn, message: _Message) -> dict[str, str]:
    """What an FAQ answer's placeholders stand for at this moment, for this message and draft."""
    knowledge, draft = turn.knowledge, turn.draft
    values = {"jam_buka": knowledge.hours or OFFICE_HOURS, "buka_sekarang": ""}
    if knowledge.calendar is not None:
        is_open, opens = open_now(knowledge.calendar, turn.incoming.now)
        values["buka_sekarang"] = render("open_now_yes") if is_open else render("open_now_no", deadline=opens)
    place = kecamatan_in(message.raw, loose=True) or resolve_kecamatan(message.raw, exact_only=True)
    code = place.chosen.code if place.chosen is not None else draft.kecamatan_code
    values["pengambilan"] = knowledge.pickup.get(code, "") if code else ""
    values["pengambilan"] = values["pengambilan"] or render("pickup_general")
    service = read_intents(message.norm).service or (draft.service if draft.service in DOCUMENT_SERVICES else None)
    values["persyaratan"] = (render("requirements_of", service_label=service.label,
                                    documents=format_documents(service))
                             if service is not None else render("requirements_general"))
    return values


def _unexpected_media(turn: _Turn) -> None:
    if turn.step is Step.START and turn.fresh and not turn.needs_human:
        turn.go(Step.START, f"{render('media_not_now')}\n\n{render('welcome')}")
    else:
        turn.miss(f"{render('media_not_now')}\n{_prompt(turn)}")


def _prompt(turn: _Turn) -> str:
    """The question of the current step, to ask again after an answer we did not understand."""
    draft = turn.draft
    match turn.step:
        case Step.START:
            return render("menu")
        case Step.STATUS_NUMBER:
            return render("status_ask")
        case Step.REQUEST_CONFIRM | Step.COMPLAINT_CONFIRM | Step.SIAGA_CONFIRM:
            return render("confirm_prompt")  # the summary was shown once; asked again, only the choice
        case step if step in _POSITION:
            flow, position = _POSITION[step]
            return flow.steps[position].ask(draft)
    raise AssertionError(turn.step)


# --- The steps ------------------------------------------------------------------------------------


def _on_start(turn: _Turn, message: _Message) -> None:
    choice = message.choice
    if choice == 1 or message.text in REQUEST_WORDS:
        _ask_next(turn, _Draft(draft_id=turn.incoming.key), REQUEST_FLOW, after=None)
    elif choice == 2:
        turn.go(Step.STATUS_NUMBER, render("status_ask"), draft=_Draft())
    elif choice == 3:
        _start_complaint(turn)
    elif choice == 4:
        _ask_human(turn)
    elif choice == 5:
        _ask_next(turn, _Draft(draft_id=turn.incoming.key, service=Service.SIAGA), SIAGA_FLOW, after=None)
    elif turn.needs_human:
        # Someone waiting for a person is writing to that person, not to the menu (but gets the FAQ's answers).
        if not _answer_faq(turn, message):
            turn.miss(_promise(turn, "human_waiting"))
    elif is_english(message.raw):
        turn.go(Step.START, render("english_note"))
    else:
        _on_start_text(turn, message, read_intents(message.norm))


def _on_start_text(turn: _Turn, message: _Message, reading: Reading) -> None:
    """Free text at the menu: a complaint, a question of the FAQ, a document the menu lacks, a status
    question or a document request (with any slots it carries), in that order; else a greeting or thanks."""
    if reading.complaint or COMPLAINT_WORDS.intersection(message.words):
        _start_complaint(turn, message)
    elif SIAGA_WORDS.intersection(message.words) or any(p in message.text for p in SIAGA_PHRASES):
        draft, _ = _absorb(_Draft(draft_id=turn.incoming.key, service=Service.SIAGA), message, SIAGA_FLOW,
                           turn.incoming.now)
        _ask_next(turn, draft, SIAGA_FLOW, after=None, message=message)
    elif _answer_faq(turn, message):
        pass
    elif reading.unsupported:
        turn.go(Step.START, render(reading.unsupported))
    elif reading.status:
        turn.go(Step.STATUS_NUMBER, render("status_ask"), draft=_Draft())
    elif reading.services:
        _start_request(turn, message, reading)
    elif _opens_with(message, GREETING_WORDS):
        turn.go(Step.START, render("welcome"))
    elif _opens_with(message, THANKS_WORDS):
        # Usually the answer to our ticket number: no need to count it as a miss.
        turn.go(Step.START, render("you_are_welcome"))
    elif turn.fresh:
        # A first message we cannot read: the welcome, but it counts toward offering a person.
        turn.go(Step.START, render("welcome"))
        turn.misses = 1
    else:
        turn.not_understood()


def _start_request(turn: _Turn, message: _Message, reading: Reading) -> None:
    """A request for the service the message names, with every slot it carries; two plausible services:
    ask which, by their numbers in the service list."""
    draft = _Draft(draft_id=turn.incoming.key, service=reading.service)
    draft, note = _absorb(draft, message, REQUEST_FLOW, turn.incoming.now)
    if draft.service is None:
        turn.go(Step.REQUEST_SERVICE, _which_service(reading), draft=draft)
        return
    _ask_next(turn, draft, REQUEST_FLOW, after=Step.REQUEST_SERVICE, note=note, message=message)


def _which_service(reading: Reading) -> str:
    labels = tuple(s.label for s in DOCUMENT_SERVICES)
    return render("service_which", candidates=_numbered(labels, tuple(s.label for s in reading.services)))


def _start_complaint(turn: _Turn, message: _Message | None = None) -> None:
    """A complaint; a message that already tells it (six words or more) is its text, and a kecamatan
    named after "kec" is kept."""
    draft = _Draft(draft_id=turn.incoming.key)
    if message is not None:
        draft, _ = _absorb(draft, message, COMPLAINT_FLOW, turn.incoming.now)
        if len(message.words) >= MIN_STORY_WORDS and _long_enough(message.raw):
            draft = replace(draft, description=message.raw[:MAX_TEXT_CHARS])
    _ask_next(turn, draft, COMPLAINT_FLOW, after=None)


def _opens_with(message: _Message, words: frozenset[str]) -> bool:
    """A short message that opens with one of these words: 'selamat pagi min', 'ok makasih ya'."""
    return bool(message.words) and message.words[0] in words and len(message.words) <= MAX_GREETING_WORDS


def _on_status_number(turn: _Turn, message: _Message) -> None:
    number = parse_ticket_number(message.text)
    if number:
        _query(turn, number)
    else:
        turn.miss(render("status_number_invalid"))


# --- The document request, as data ---------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """An answer understood: the value for the draft, and maybe a note said before the next question."""

    value: Any
    note: str | None = None


@dataclass(frozen=True)
class Miss:
    """An answer not understood: what to say (None: "not understood" and the question again)."""

    reply: str | None = None
    again: bool = False  # follow the reply with the question again


Parser = Callable[[_Message, datetime], Answer | Miss]


@dataclass(frozen=True)
class FlowStep:
    """One question of a flow: the draft field it fills, how a text answer is read (None: the step has a
    handler of its own), the catalogue key of its question and that question's values."""

    step: Step
    field: str | None  # None: the step fills nothing (the confirmation)
    parse: Parser | None
    prompt: str | Callable[[_Draft], str]  # a catalogue key, or the key for this draft
    params: Callable[[_Draft], Mapping[str, object]] = lambda draft: {}
    applies: Callable[[_Draft], bool] = lambda draft: True  # whether this draft is asked this at all
    optional: bool = False  # the citizen may pass (the answer stays None, or no files)
    may_be_missing: bool = False  # added after drafts were stored: asked at the next move when missing

    def ask(self, draft: _Draft) -> str:
        """The question, for this draft."""
        key = self.prompt if isinstance(self.prompt, str) else self.prompt(draft)
        return render(key, **self.params(draft))


@dataclass(frozen=True)
class Flow:
    """Questions in the order they are asked, and the services a draft of the flow may be for."""

    steps: tuple[FlowStep, ...]
    services: frozenset[Service]


def _parse_service(message: _Message, now: datetime) -> Answer | Miss:
    choice = message.choice
    if choice is not None and 1 <= choice <= len(DOCUMENT_SERVICES):
        return Answer(DOCUMENT_SERVICES[choice - 1])
    reading = read_intents(message.norm)
    if reading.service is not None:
        return Answer(reading.service)
    if reading.services:
        return Miss(_which_service(reading))
    if reading.unsupported:
        return Miss(render(reading.unsupported), again=True)
    service = match_service(message.text)
    return Miss() if service is None else Answer(service)


def _parse_nik(message: _Message, now: datetime) -> Answer | Miss:
    """The NIK in the message, also among words ("NIK saya 1806 ..."); what is wrong with it otherwise."""
    runs = digit_runs(message.raw)
    typed = nik_candidates(message.raw) or ([max(runs, key=len)] if runs else [message.raw])
    error: InvalidNik | None = None
    for value in typed:
        try:
            nik = parse_nik(value, today=now.astimezone(WIB).date())
        except InvalidNik as exc:
            error = error or exc
            continue
        return Answer(nik.value, note=None if nik.in_tanggamus else render("nik_outside_tanggamus"))
    return Miss(render("nik_invalid", reason=str(error)))


def _parse_name(message: _Message, now: datetime) -> Answer | Miss:
    """The name, after "nama saya" if the citizen wrote that, up to another slot's word ("…, kec Gisting")."""
    typed = name_in(message.raw) or _NAME_STEP_END.split(message.raw, maxsplit=1)[0]
    name = clean_name(typed)
    return Miss(render("name_invalid")) if name is None else Answer(name)


def _parse_kecamatan(message: _Message, now: datetime) -> Answer | Miss:
    """The kecamatan by number, name or typo; two or three close names are asked back, never guessed."""
    choice = message.choice
    found = resolve_kecamatan(str(choice) if choice is not None else message.raw)
    if found.chosen is None and not found.candidates:
        found = kecamatan_in(message.raw, loose=True) or found
    if found.chosen is not None:
        return Answer(found.chosen.code)
    if found.candidates:
        return Miss(_which_kecamatan(found.candidates))
    return Miss(render("kecamatan_not_found"))


def _which_kecamatan(candidates: tuple[Kecamatan, ...]) -> str:
    """Which of these close kecamatan, by their numbers in the full list (so the answer needs no state)."""
    names = tuple(k.name for k in KECAMATAN)
    return render("kecamatan_which", candidates=_numbered(names, tuple(k.name for k in candidates)))


def _long_text(too_short: str) -> Parser:
    """A parser of a free text of at least MIN_TEXT_CHARS letters or digits; `too_short` says so otherwise."""
    def parse(message: _Message, now: datetime) -> Answer | Miss:
        if not _long_enough(message.raw):
            return Miss(render(too_short), again=True)
        return Answer(message.raw[:MAX_TEXT_CHARS])
    return parse


def _parse_category(message: _Message, now: datetime) -> Answer | Miss:
    options = complaint_categories()
    found = match_category(message.raw, options)
    if found.chosen is not None:
        return Answer(found.chosen)
    if found.candidates:
        # Equally close to more than one: never guess, ask with their numbers in the full list.
        return Miss(render("complaint_category_which", candidates=_numbered(options, found.candidates)))
    return Miss(render("complaint_category_not_found", categories=_numbered(options)))


def _parse_related(message: _Message, now: datetime) -> Answer | Miss:
    """The number of the ticket the complaint is about, or None when the citizen has none."""
    if message.text in NO_NUMBER_WORDS:
        return Answer(None)
    number = parse_ticket_number(" ".join(w for w in message.words if w not in STATUS_FILLER))
    return Miss(render("complaint_related_invalid")) if number is None else Answer(number)


def _parse_confidential(message: _Message, now: datetime) -> Answer | Miss:
    """Yes or no to keeping the citizen's identity from the handlers, in free text; unsure: ask again."""
    words = message.words
    if message.text in YES_WORDS:
        return Answer(True)
    if not words:
        return Miss(render("complaint_confidential_unclear"))
    if words[0] in NEGATIONS or message.text in NO_WORDS - {"jangan", "salah"}:
        return Answer(False)  # "tidak", "tidak perlu", "gak usah dirahasiakan"
    negated = any(w in NEGATIONS or w == "jangan" for w in words)
    asks = words[0] in YES_WORDS or any(w.startswith(CONFIDENTIAL_PREFIXES) for w in words)
    return Answer(True) if asks and not negated else Miss(render("complaint_confidential_unclear"))


def _service_label(draft: _Draft) -> Mapping[str, object]:
    return {"service_label": _service(draft).label}


def _documents_question(draft: _Draft) -> str:
    return "documents_waiting" if draft.files else "ask_documents"


def _documents_params(draft: _Draft) -> Mapping[str, object]:
    if draft.files:
        return {"count": draft.files}
    service = _service(draft)
    return {"service_label": service.label, "documents": format_documents(service)}


def _photos_question(draft: _Draft) -> str:
    return "complaint_photos_waiting" if draft.files else "ask_complaint_photos"


def _categories_params(draft: _Draft) -> Mapping[str, object]:
    return {"categories": _numbered(complaint_categories())}


def _parse_relation(message: _Message, now: datetime) -> Answer | Miss:
    """The reporter's relation to the resident: a number of RELATIONS or a few words ("anak", "kepala pekon")."""
    choice = message.choice
    if choice is not None and 1 <= choice <= len(RELATIONS):
        return Answer(RELATIONS[choice - 1])
    relation = clean_name(message.raw)
    return Answer(relation[:80]) if relation else Miss(render("siaga_relation_invalid"), again=True)


def _parse_pekon(message: _Message, now: datetime) -> Answer | Miss:
    """The pekon or kelurahan, up to a kecamatan named after it ("Sukamaju, kec Gisting")."""
    typed = re.split(r"[,;\n]|\b(?:kec|kecamatan)\b", message.raw, maxsplit=1, flags=re.IGNORECASE)[0]
    typed = re.sub(r"^\s*(?:pekon|desa|kelurahan|kel)\b\.?\s*", "", typed, flags=re.IGNORECASE)
    pekon = clean_name(typed)
    return Answer(pekon[:120]) if pekon else Miss(render("siaga_pekon_invalid"), again=True)


def _parse_contact_phone(message: _Message, now: datetime) -> Answer | Miss:
    """A phone number to arrange the visit, or "sama" for this WhatsApp number."""
    if message.text in SAME_NUMBER_WORDS:
        return Answer(SAME_NUMBER)
    try:
        return Answer(normalize_any_phone(message.raw))
    except InvalidPhone as exc:
        return Miss(f"{render(exc.key)}\n{render('siaga_phone_same')}")


def _parse_urgent(message: _Message, now: datetime) -> Answer | Miss:
    """Yes or no to an urgent report; words like "mendesak" or "rumah sakit" say yes."""
    words = message.words
    if message.text in YES_WORDS or URGENT_WORDS.intersection(words) or "rumah sakit" in message.text:
        return Answer(True)
    if words and (words[0] in NEGATIONS or message.text in NO_WORDS or words[0] in {"biasa", "belum"}):
        return Answer(False)
    return Miss()


def _siaga_summary(draft: _Draft) -> Mapping[str, object]:
    """The values of the Siaga report's summary."""
    phone = draft.contact_phone
    return {
        "name": draft.name or "-", "relation": draft.relation or "-", "subject": draft.subject_name or "-",
        "pekon": draft.pekon or "-", "kecamatan": _kecamatan_name(draft),
        "description": _shorten(draft.description or ""), "files": draft.files,
        "contact": render("siaga_phone_this") if phone == SAME_NUMBER else (phone or "-"),
        "priority": render("siaga_urgent_yes" if draft.urgent else "siaga_urgent_no"),
    }


# In the order they are asked. Adding a question: a Step, a _Draft field, one entry and its catalogue text
# (and, in a flow citizens are already in, may_be_missing=True).
REQUEST_FLOW = Flow(steps=(
    FlowStep(Step.REQUEST_SERVICE, "service", _parse_service, "ask_service"),
    FlowStep(Step.REQUEST_NIK, "nik", _parse_nik, "ask_nik", params=_service_label),
    FlowStep(Step.REQUEST_NAME, "name", _parse_name, "ask_name"),
    FlowStep(Step.REQUEST_KECAMATAN, "kecamatan_code", _parse_kecamatan, "ask_kecamatan"),
    FlowStep(Step.REQUEST_DETAIL, "description", _long_text("detail_too_short"),
             lambda draft: DETAIL_QUESTIONS[_service(draft)],
             applies=lambda draft: draft.service is None or draft.service in DETAIL_QUESTIONS),
    FlowStep(Step.REQUEST_DOCUMENTS, "files", None, _documents_question, params=_documents_params),
    FlowStep(Step.REQUEST_CONFIRM, None, None, "confirm_prompt"),
), services=frozenset(DOCUMENT_SERVICES))

COMPLAINT_FLOW = Flow(steps=(
    FlowStep(Step.COMPLAINT_CATEGORY, "category", _parse_category, "ask_complaint_category",
             params=_categories_params, applies=lambda draft: bool(complaint_categories()), may_be_missing=True),
    FlowStep(Step.COMPLAINT_TEXT, "description", _long_text("complaint_too_short"), "ask_complaint"),
    FlowStep(Step.COMPLAINT_KECAMATAN, "kecamatan_code", _parse_kecamatan, "ask_complaint_kecamatan"),
    FlowStep(Step.COMPLAINT_RELATED, "related_number", _parse_related, "ask_complaint_related", optional=True),
    FlowStep(Step.COMPLAINT_PHOTOS, "files", None, _photos_question,
             params=lambda draft: {"count": draft.files} if draft.files else {}, optional=True),
    FlowStep(Step.COMPLAINT_CONFIDENTIAL, "confidential", _parse_confidential, "ask_complaint_confidential",
             may_be_missing=True),
    FlowStep(Step.COMPLAINT_CONFIRM, None, None, "confirm_complaint", params=lambda draft: _complaint_summary(draft)),
), services=frozenset({Service.PENGADUAN}))

SIAGA_FLOW = Flow(steps=(
    FlowStep(Step.SIAGA_REPORTER, "name", _parse_name, "ask_siaga_reporter"),
    FlowStep(Step.SIAGA_RELATION, "relation", _parse_relation, "ask_siaga_relation",
             params=lambda draft: {"relations": _numbered(RELATIONS)}),
    FlowStep(Step.SIAGA_SUBJECT, "subject_name", _parse_name, "ask_siaga_subject"),
    FlowStep(Step.SIAGA_PEKON, "pekon", _parse_pekon, "ask_siaga_pekon"),
    FlowStep(Step.SIAGA_KECAMATAN, "kecamatan_code", _parse_kecamatan, "ask_siaga_kecamatan"),
    FlowStep(Step.SIAGA_CONDITION, "description", _long_text("siaga_condition_too_short"), "ask_siaga_condition"),
    FlowStep(Step.SIAGA_PHONE, "contact_phone", _parse_contact_phone, "ask_siaga_phone"),
    FlowStep(Step.SIAGA_LETTERS, "files", None, lambda draft: "siaga_letters_waiting" if draft.files
             else "ask_siaga_letters", params=lambda draft: {"count": draft.files} if draft.files else {},
             optional=True),
    FlowStep(Step.SIAGA_URGENT, "urgent", _parse_urgent, "ask_siaga_urgent"),
    FlowStep(Step.SIAGA_CONFIRM, None, None, "confirm_siaga", params=_siaga_summary),
), services=frozenset({Service.SIAGA}))

_FLOWS = (REQUEST_FLOW, COMPLAINT_FLOW, SIAGA_FLOW)
_POSITION: dict[Step, tuple[Flow, int]] = {
    entry.step: (flow, position) for flow in _FLOWS for position, entry in enumerate(flow.steps)
}
# Steps whose answer is a ticket number: a bare number there answers the question, not asks its status.
_NUMBER_STEPS = frozenset({Step.COMPLAINT_RELATED})


def _on_question(turn: _Turn, message: _Message) -> None:
    """A text answer to one of a flow's questions: fill the draft (and every other slot the message
    carries) and ask the next missing one; or answer a question of the FAQ; or ask again."""
    flow, position = _POSITION[turn.step]
    entry = flow.steps[position]
    assert entry.parse is not None and entry.field is not None
    now = turn.incoming.now
    # A name or a free text would take the question itself for the answer: the FAQ is asked first.
    if entry.field == "name" or (entry.field == "description" and _is_question(message)):
        if _answer_faq(turn, message):
            return
    answer = entry.parse(message, now)
    if isinstance(answer, Miss):
        if _answer_faq(turn, message):
            return
        draft, note = _absorb(turn.draft, message, flow, now, skip=entry.field)
        if draft != turn.draft:
            # Other slots came instead of this one: keep them and ask this one again.
            turn.go(turn.step, *([note] if note else []), _prompt(turn), draft=draft)
        elif answer.reply is None:
            turn.not_understood()
        else:
            turn.miss(f"{answer.reply}\n{_prompt(turn)}" if answer.again else answer.reply)
        return
    draft, note = _absorb(replace(turn.draft, **{entry.field: answer.value}), message, flow, now, skip=entry.field)
    _ask_next(turn, draft, flow, after=entry.step, note=answer.note or note, message=message)


def _absorb(draft: _Draft, message: _Message, flow: "Flow", now: datetime,
            skip: str | None = None) -> tuple[_Draft, str | None]:
    """The draft with every empty slot the message fills (a document request: a NIK, a name after "nama",
    a kecamatan; a complaint: a kecamatan after "kec"), and the note on a NIK from outside Tanggamus."""
    updates: dict[str, Any] = {}
    note = None
    if flow is REQUEST_FLOW:
        if draft.nik is None and skip != "nik" and nik_candidates(message.raw):
            answer = _parse_nik(message, now)
            if isinstance(answer, Answer):
                updates["nik"], note = answer.value, answer.note
        typed = name_in(message.raw) if draft.name is None and skip != "name" else None
        if typed and (name := clean_name(typed)) is not None:
            updates["name"] = name
    if draft.kecamatan_code is None and skip != "kecamatan_code":
        found = kecamatan_in(message.raw, loose=flow is REQUEST_FLOW)
        if found is not None and found.chosen is not None:
            updates["kecamatan_code"] = found.chosen.code
    return (replace(draft, **updates) if updates else draft), note


def _ask_next(turn: _Turn, draft: _Draft, flow: Flow, *, after: Step | None, note: str | None = None,
              message: _Message | None = None) -> None:
    """Move to the flow's next question for the draft and ask it; the kecamatan question as the choice
    between the close names the message already gave, if it did."""
    entry = _next_step(flow, draft, -1 if after is None else _POSITION[after][1])
    question = entry.ask(draft)
    if message is not None and entry.field == "kecamatan_code":
        found = kecamatan_in(message.raw, loose=flow is REQUEST_FLOW)
        if found is not None and found.candidates:
            question = _which_kecamatan(found.candidates)
    turn.go(entry.step, f"{note}\n\n{question}" if note else question, draft=draft)


def _next_step(flow: Flow, draft: _Draft, after: int) -> FlowStep:
    """The first step after position `after` that applies and is not answered yet; but first an earlier
    required one still unanswered (a question added after the draft was stored)."""
    for position, entry in enumerate(flow.steps):
        if not entry.applies(draft):
            continue
        if entry.field is None:
            if position > after:
                return entry
        elif not _answered(draft, entry.field) and (position > after or not entry.optional):
            return entry
    raise AssertionError(f"no step after position {after}")


def _on_request_documents(turn: _Turn, message: _Message) -> None:
    if message.media:
        _take_media(turn, message, Step.REQUEST_DOCUMENTS)
        if message.text not in DONE_WORDS:
            return
    elif message.text not in DONE_WORDS:
        if not _answer_faq(turn, message):
            turn.not_understood()
        return
    if turn.draft.files == 0:
        turn.go(Step.REQUEST_DOCUMENTS, render("documents_none"))
        return
    turn.go(Step.REQUEST_CONFIRM, _request_summary(turn.draft))


def _on_request_confirm(turn: _Turn, message: _Message) -> None:
    if message.media:
        # A forgotten document: take it and go back to collecting.
        _take_media(turn, message, Step.REQUEST_DOCUMENTS)
        return
    _confirm(turn, message, lambda draft: CreateTicket(
        service=_service(draft), nik=draft.nik, name=draft.name, kecamatan_code=draft.kecamatan_code,
        description=draft.description, draft_id=draft.draft_id or turn.incoming.key,
    ))


def _on_optional_files(turn: _Turn, message: _Message) -> None:
    """Files a flow may go without (a complaint's photos, a Siaga report's letters): kept until a skip word."""
    flow, _ = _POSITION[turn.step]
    step = turn.step
    if message.media:
        _take_media(turn, message, step)
        if message.text not in SKIP_WORDS:
            return
    elif message.text not in SKIP_WORDS:
        if not _answer_faq(turn, message):
            turn.not_understood()
        return
    _ask_next(turn, turn.draft, flow, after=step)


def _on_siaga_confirm(turn: _Turn, message: _Message) -> None:
    if message.media:
        _take_media(turn, message, Step.SIAGA_LETTERS)
        return
    _confirm(turn, message, lambda draft: CreateTicket(
        service=Service.SIAGA, nik=None, name=draft.name, kecamatan_code=draft.kecamatan_code,
        description=draft.description, draft_id=draft.draft_id or turn.incoming.key,
        siaga=SiagaDetails(relation=draft.relation or "", subject_name=draft.subject_name or "",
                           pekon=draft.pekon or "", urgent=bool(draft.urgent),
                           contact_phone=None if draft.contact_phone == SAME_NUMBER else draft.contact_phone),
    ))


def _on_complaint_confirm(turn: _Turn, message: _Message) -> None:
    if message.media:
        _take_media(turn, message, Step.COMPLAINT_PHOTOS)
        return
    if not _complete(COMPLAINT_FLOW, turn.draft) and message.text not in NO_WORDS:
        # A summary shown before a question was added: ask it before anything is sent.
        _ask_next(turn, turn.draft, COMPLAINT_FLOW, after=Step.COMPLAINT_CONFIRM,
                  note=render("complaint_before_sending"))
        return
    _confirm(turn, message, lambda draft: CreateTicket(
        service=Service.PENGADUAN, nik=None, name=None, kecamatan_code=draft.kecamatan_code,
        description=draft.description, draft_id=draft.draft_id or turn.incoming.key, category=draft.category,
        related_number=draft.related_number, confidential=bool(draft.confidential),
    ))


def _confirm(turn: _Turn, message: _Message, ticket: Callable[[_Draft], CreateTicket]) -> None:
    if message.text in YES_WORDS:
        # The caller answers with 'ticket_created' once it has a number.
        turn.effects.append(ticket(turn.draft))
        turn.go(Step.START, draft=_Draft())
    elif message.text in NO_WORDS:
        turn.go(Step.START, render("cancelled"), draft=_Draft())
    elif not _answer_faq(turn, message):
        turn.not_understood()


_HANDLERS: dict[Step, Callable[[_Turn, _Message], None]] = {
    Step.START: _on_start,
    Step.STATUS_NUMBER: _on_status_number,
    **{entry.step: _on_question for flow in _FLOWS for entry in flow.steps if entry.parse is not None},
    Step.REQUEST_DOCUMENTS: _on_request_documents,
    Step.REQUEST_CONFIRM: _on_request_confirm,
    Step.COMPLAINT_PHOTOS: _on_optional_files,
    Step.COMPLAINT_CONFIRM: _on_complaint_confirm,
    Step.SIAGA_LETTERS: _on_optional_files,
    Step.SIAGA_CONFIRM: _on_siaga_confirm,
}
_MEDIA_STEPS = frozenset({Step.REQUEST_DOCUMENTS, Step.REQUEST_CONFIRM, Step.COMPLAINT_PHOTOS,
                             Step.COMPLAINT_CONFIRM, Step.SIAGA_LETTERS, Step.SIAGA_CONFIRM})


# --- Helpers --------------------------------------------------------------------------------------


def _take_media(turn: _Turn, message: _Message, step: Step) -> None:
    """Keep the accepted files of this message for the draft and say how many there are now."""
    replies: list[str] = []
    kept: list[int] = []
    too_many = False
    for index, item in enumerate(message.media):
        content_type = _content_type(item)
        if item.sticker:
            replies.append(render("sticker_ignored"))
        elif content_type not in ACCEPTED_CONTENT_TYPES:
            replies.append(render("media_refused_type", content_type=content_type or "tidak dikenal"))
        elif turn.draft.files + len(kept) >= MAX_FILES:
            too_many = True
        else:
            kept.append(index)
    if too_many:
        replies.append(render("media_too_many", limit=MAX_FILES))
    draft = turn.draft
    if kept and draft.draft_id is not None:
        turn.effects.append(KeepMedia(draft_id=draft.draft_id, indexes=tuple(kept)))
        draft = replace(draft, files=draft.files + len(kept))
        replies.append(render("media_kept", count=draft.files))
    turn.go(step, *replies, draft=draft)


def _request_summary(draft: _Draft) -> str:
    """The summary the citizen confirms: the NIK they typed in full (4-4-4-4) to check it, and a detail
    line only for a service that asked for one."""
    service = _service(draft)
    detail = render("confirm_request_detail", detail=_shorten(draft.description or "-")) \
        if service in DETAIL_QUESTIONS else ""
    return render(
        "confirm_request", service_label=service.label, nik=group_nik(draft.nik or ""),
        name=draft.name, kecamatan=_kecamatan_name(draft), files=draft.files, detail=detail,
    )


def group_nik(nik: str) -> str:
    """A NIK in groups of four, as printed: 1806 0157 0890 0001."""
    return " ".join(nik[i:i + 4] for i in range(0, len(nik), 4))


def _complaint_summary(draft: _Draft) -> Mapping[str, object]:
    """The values of the complaint's summary."""
    return {
        "category": draft.category or "-", "description": _shorten(draft.description or ""),
        "kecamatan": _kecamatan_name(draft), "related": draft.related_number or "-", "files": draft.files,
        "identity": render("complaint_identity_hidden" if draft.confidential else "complaint_identity_shown"),
    }


def _numbered(options: tuple[str, ...], only: tuple[str, ...] | None = None) -> str:
    """The options as a numbered list ("3. Pungutan liar"), keeping their numbers when only some are shown."""
    return "\n".join(f"{i}. {option}" for i, option in enumerate(options, start=1) if only is None or option in only)


def _service(draft: _Draft) -> Service:
    if draft.service is None:
        raise AssertionError("a request step without a service passed _consistent")
    return draft.service


def _kecamatan_name(draft: _Draft) -> str:
    return BY_CODE[draft.kecamatan_code].name if draft.kecamatan_code else "-"


def _shorten(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def _long_enough(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= MIN_TEXT_CHARS


_NAME_MARKS = frozenset(" '.,-’‘`")
# Where a name typed at the name question ends when more follows: "Siti Aminah, kec Gisting".
_NAME_STEP_END = re.compile(r"[;\n(/]|\b(?:nik|kec|kecamatan|alamat|desa|pekon|hp|wa|tinggal)\b",
                            flags=re.IGNORECASE)


def clean_name(raw: str) -> str | None:
    """A full name as typed, tidied (emoji and symbols dropped), or None if it cannot be a name (2-100
    chars of letters and marks; a digit means it is something else)."""
    text = unicodedata.normalize("NFC", strip_symbols(raw))
    if any(ch.isdigit() for ch in text):
        return None
    kept = "".join(ch if ch.isalpha() or ch in _NAME_MARKS else " " for ch in text)
    name = " ".join(kept.split()).strip(" ,-")
    if not 2 <= len(name) <= 100:
        return None
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value)
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None
