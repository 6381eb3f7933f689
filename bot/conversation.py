"""The citizen's WhatsApp conversation as a pure function: (state, message) -> (state, replies, effects).

No Flask, database or clock in here: the caller loads the state, passes the message with its time,
stores the returned state, carries out the effects and sends the replies (its own answers to
CreateTicket and QueryStatus come after ours; for those two we send nothing ourselves).
"""

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.catalogue import format_documents, render
from bot.kecamatan_match import match_kecamatan
from bot.nik import InvalidNik, parse_nik
from tickets.privacy import mask_nik
from layanan.clock import WIB
from bot.services_catalog import match_service
from tickets.constants import DOCUMENT_SERVICES, Service
from tickets.kecamatan import BY_CODE

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
    COMPLAINT_TEXT = "complaint_text"
    COMPLAINT_KECAMATAN = "complaint_kecamatan"
    COMPLAINT_PHOTOS = "complaint_photos"
    COMPLAINT_CONFIRM = "complaint_confirm"


# --- Messages in and out --------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaItem:
    content_type: str


@dataclass(frozen=True)
class Incoming:
    body: str
    media: tuple[MediaItem, ...]
    now: datetime  # timezone-aware
    key: str  # the MessageSid; becomes the draft id when this message starts a draft


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
class CreateTicket:
    service: Service
    nik: str | None
    name: str | None
    kecamatan_code: str | None
    description: str | None
    draft_id: str


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


Effect = CreateTicket | KeepMedia | QueryStatus | RequestHuman | ResendDocument


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
MAX_GREETING_WORDS = 6
MAX_SHORTCUT_WORDS = 8  # longer free text at the menu is too often about something else
STATUS_FILLER = frozenset({"nomor", "nomer", "no", "tiket"})
RESEND_WORDS = ["kirim", "ulang"]

_CHOICE = re.compile(r"(?:no|nomor|pilih|pilihan|angka)?\s*([0-9]{1,2})", flags=re.ASCII)
_TICKET = re.compile(r"(PGD)?[\s\-_/.:#]*(20[0-9]{2})[\s\-_/.]*([0-9]{1,6})", flags=re.ASCII)


@dataclass(frozen=True)
class _Message:
    raw: str  # the body, trimmed and with runs of whitespace collapsed
    text: str  # lower-case words only, for commands: "status pgd 2026 000123"
    choice: int | None  # "1", "1.", "1)", " 1 ", "1️⃣", "no 1"
    media: tuple[MediaItem, ...]

    @classmethod
    def of(cls, body: str, media: tuple[MediaItem, ...] = ()) -> "_Message":
        raw = " ".join(unicodedata.normalize("NFC", body).split())
        text = " ".join(re.sub(r"[\W_]+", " ", raw.lower()).split())
        choice = _CHOICE.fullmatch(text)
        return cls(raw=raw, text=text, choice=int(choice.group(1)) if choice else None, media=media)

    @property
    def words(self) -> list[str]:
        return self.text.split()


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
    files: int = 0

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "draft_id": self.draft_id, "service": self.service.value if self.service else None,
            "nik": self.nik, "name": self.name, "kecamatan_code": self.kecamatan_code,
            "description": self.description,
        }
        data = {key: value for key, value in data.items() if value is not None}
        if self.files:
            data["files"] = self.files
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "_Draft | None":
        """The draft stored in State.data, or None if it was tampered with or written by other code."""
        texts = {key: data.get(key) for key in ("draft_id", "nik", "name", "kecamatan_code", "description")}
        if any(value is not None and not (isinstance(value, str) and value) for value in texts.values()):
            return None
        service, files = data.get("service"), data.get("files", 0)
        if service is not None and (not isinstance(service, str) or service not in _SERVICE_VALUES):
            return None
        if not isinstance(files, int) or isinstance(files, bool) or files < 0:
            return None
        if texts["kecamatan_code"] is not None and texts["kecamatan_code"] not in BY_CODE:
            return None
        return cls(service=Service(service) if service is not None else None, files=files, **texts)


_SERVICE_VALUES = frozenset(s.value for s in Service)
_STEP_VALUES = frozenset(s.value for s in Step)
_REQUEST_STEPS = frozenset(s for s in Step if s.value.startswith("request_"))
_REQUEST_FIELDS = ("draft_id", "service", "nik", "name", "kecamatan_code")
_NEEDED: dict[Step, tuple[str, ...]] = {
    Step.START: (),
    Step.STATUS_NUMBER: (),
    Step.REQUEST_SERVICE: ("draft_id",),
    Step.REQUEST_NIK: _REQUEST_FIELDS[:2],
    Step.REQUEST_NAME: _REQUEST_FIELDS[:3],
    Step.REQUEST_KECAMATAN: _REQUEST_FIELDS[:4],
    Step.REQUEST_DETAIL: _REQUEST_FIELDS,
    Step.REQUEST_DOCUMENTS: _REQUEST_FIELDS,
    Step.REQUEST_CONFIRM: _REQUEST_FIELDS,
    Step.COMPLAINT_TEXT: ("draft_id",),
    Step.COMPLAINT_KECAMATAN: ("draft_id", "description"),
    Step.COMPLAINT_PHOTOS: ("draft_id", "description", "kecamatan_code"),
    Step.COMPLAINT_CONFIRM: ("draft_id", "description", "kecamatan_code"),
}


def _consistent(step: Step, draft: _Draft) -> bool:
    """Whether the draft holds what the step builds on, so every handler can rely on it."""
    if any(getattr(draft, name) is None for name in _NEEDED[step]):
        return False
    if step in _REQUEST_STEPS and draft.service is not None:
        if draft.service not in DOCUMENT_SERVICES:
            return False
        needs_detail = draft.service in DETAIL_QUESTIONS
        if step is Step.REQUEST_DETAIL and not needs_detail:
            return False
        if step in (Step.REQUEST_DOCUMENTS, Step.REQUEST_CONFIRM) and needs_detail and draft.description is None:
            return False
    return step is not Step.REQUEST_CONFIRM or draft.files >= 1


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

    def go(self, step: Step, *replies: str, draft: _Draft | None = None) -> None:
        """Move on after an answer we understood."""
        self.step, self.misses, self.needs_human = step, 0, False
        if draft is not None:
            self.draft = draft
        self.replies.extend(replies)

    def miss(self, reply: str) -> None:
        """Stay put after an answer we did not understand, offering a person after a few."""
        if self.needs_human:
            self.replies.append(render("human_waiting"))
            return
        self.misses += 1
        if self.misses >= MISSES_BEFORE_HELP:
            reply = f"{reply}\n\n{render('offer_human')}"
        self.replies.append(reply)

    def not_understood(self) -> None:
        self.miss(f"{render('not_understood')}\n{_prompt(self)}")


def handle(state: State, incoming: Incoming) -> Outcome:
    """Answer one WhatsApp message: the next state, the replies to send and the effects to carry out."""
    if incoming.now.tzinfo is None or incoming.now.utcoffset() is None:
        raise ValueError("Incoming.now must be timezone-aware")
    turn = _begin(state, incoming)
    message = _Message.of(incoming.body, incoming.media)
    if not _command(turn, message):
        if message.media and turn.step not in _MEDIA_STEPS:
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
    return _status_command(turn, message)


def is_command(body: str) -> bool:
    """Whether handle() treats this message as a command that works in every step (status, batal, menu, bantuan)."""
    message = _Message.of(body)
    words = message.words
    return (
        message.text in CANCEL_WORDS | MENU_WORDS | HELP_WORDS
        or words[:1] == ["status"]
        or words[:2] == ["cek", "status"]
        or words[:2] == RESEND_WORDS
        or (words[:1] == ["cek"] and parse_ticket_number(" ".join(words[1:])) is not None)
        or parse_ticket_number(message.raw, require_prefix=True) is not None
    )


def _status_command(turn: _Turn, message: _Message) -> bool:
    """'status <nomor>', 'cek status …', 'cek …' or a bare PGD number."""
    words = message.words
    if words[:2] == ["cek", "status"]:
        rest = words[2:]
    elif words[:1] == ["status"] or (words[:1] == ["cek"] and len(words) > 1):
        rest = words[1:]
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
    turn.go(Step.START, render("human_requested"), draft=_Draft())
    turn.needs_human = True


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
        case Step.REQUEST_SERVICE:
            return render("ask_service")
        case Step.REQUEST_NIK:
            return render("ask_nik", service_label=_service(draft).label)
        case Step.REQUEST_NAME:
            return render("ask_name")
        case Step.REQUEST_KECAMATAN:
            return render("ask_kecamatan")
        case Step.REQUEST_DETAIL:
            return render(DETAIL_QUESTIONS[_service(draft)])
        case Step.REQUEST_DOCUMENTS:
            return render("documents_waiting", count=draft.files) if draft.files else _ask_documents(draft)
        case Step.COMPLAINT_TEXT:
            return render("ask_complaint")
        case Step.COMPLAINT_KECAMATAN:
            return render("ask_complaint_kecamatan")
        case Step.COMPLAINT_PHOTOS:
            if draft.files:
                return render("complaint_photos_waiting", count=draft.files)
            return render("ask_complaint_photos")
        case Step.REQUEST_CONFIRM | Step.COMPLAINT_CONFIRM:
            return render("confirm_prompt")
    raise AssertionError(turn.step)


# --- The steps ------------------------------------------------------------------------------------


def _on_start(turn: _Turn, message: _Message) -> None:
    choice = message.choice
    if choice == 1 or message.text in REQUEST_WORDS:
        turn.go(Step.REQUEST_SERVICE, render("ask_service"), draft=_Draft(draft_id=turn.incoming.key))
    elif choice == 2:
        turn.go(Step.STATUS_NUMBER, render("status_ask"), draft=_Draft())
    elif choice == 3:
        _start_complaint(turn)
    elif choice == 4:
        _ask_human(turn)
    elif turn.needs_human:
        # Someone waiting for a person is writing to that person, not to the menu.
        turn.miss(render("human_waiting"))
    elif COMPLAINT_WORDS.intersection(message.words):
        _start_complaint(turn)
    elif len(message.words) <= MAX_SHORTCUT_WORDS and (service := match_service(message.text)):
        draft = _Draft(draft_id=turn.incoming.key, service=service)
        turn.go(Step.REQUEST_NIK, render("ask_nik", service_label=service.label), draft=draft)
    elif turn.fresh or _opens_with(message, GREETING_WORDS):
        turn.go(Step.START, render("welcome"))
    elif _opens_with(message, THANKS_WORDS):
        # Usually the answer to our ticket number: no need to count it as a miss.
        turn.go(Step.START, render("you_are_welcome"))
    else:
        turn.not_understood()


def _start_complaint(turn: _Turn) -> None:
    turn.go(Step.COMPLAINT_TEXT, render("ask_complaint"), draft=_Draft(draft_id=turn.incoming.key))


def _opens_with(message: _Message, words: frozenset[str]) -> bool:
    """A short message that opens with one of these words: 'selamat pagi min', 'ok makasih ya'."""
    return bool(message.words) and message.words[0] in words and len(message.words) <= MAX_GREETING_WORDS


def _on_status_number(turn: _Turn, message: _Message) -> None:
    number = parse_ticket_number(message.text)
    if number:
        _query(turn, number)
    else:
        turn.miss(render("status_number_invalid"))


def _on_request_service(turn: _Turn, message: _Message) -> None:
    choice = message.choice
    if choice is not None and 1 <= choice <= len(DOCUMENT_SERVICES):
        service: Service | None = DOCUMENT_SERVICES[choice - 1]
    else:
        service = match_service(message.text)
    if service is None:
        turn.not_understood()
        return
    turn.go(Step.REQUEST_NIK, render("ask_nik", service_label=service.label),
            draft=replace(turn.draft, service=service))


def _on_request_nik(turn: _Turn, message: _Message) -> None:
    try:
        nik = parse_nik(message.raw, today=turn.incoming.now.astimezone(WIB).date())
    except InvalidNik as exc:
        turn.miss(render("nik_invalid", reason=str(exc)))
        return
    reply = render("ask_name")
    if not nik.in_tanggamus:
        reply = f"{render('nik_outside_tanggamus')}\n\n{reply}"
    turn.go(Step.REQUEST_NAME, reply, draft=replace(turn.draft, nik=nik.value))


def _on_request_name(turn: _Turn, message: _Message) -> None:
    name = clean_name(message.raw)
    if name is None:
        turn.miss(render("name_invalid"))
        return
    turn.go(Step.REQUEST_KECAMATAN, render("ask_kecamatan"), draft=replace(turn.draft, name=name))


def _on_request_kecamatan(turn: _Turn, message: _Message) -> None:
    kecamatan = match_kecamatan(message.raw)
    if kecamatan is None:
        turn.miss(render("kecamatan_not_found"))
        return
    draft = replace(turn.draft, kecamatan_code=kecamatan.code)
    question = DETAIL_QUESTIONS.get(_service(draft))
    if question:
        turn.go(Step.REQUEST_DETAIL, render(question), draft=draft)
    else:
        turn.go(Step.REQUEST_DOCUMENTS, _ask_documents(draft), draft=draft)


def _on_request_detail(turn: _Turn, message: _Message) -> None:
    if not _long_enough(message.raw):
        turn.miss(f"{render('detail_too_short')}\n{_prompt(turn)}")
        return
    draft = replace(turn.draft, description=message.raw[:MAX_TEXT_CHARS])
    turn.go(Step.REQUEST_DOCUMENTS, _ask_documents(draft), draft=draft)


def _on_request_documents(turn: _Turn, message: _Message) -> None:
    if message.media:
        _take_media(turn, message, Step.REQUEST_DOCUMENTS)
        if message.text not in DONE_WORDS:
            return
    elif message.text not in DONE_WORDS:
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


def _on_complaint_text(turn: _Turn, message: _Message) -> None:
    if not _long_enough(message.raw):
        turn.miss(f"{render('complaint_too_short')}\n{render('ask_complaint')}")
        return
    draft = replace(turn.draft, description=message.raw[:MAX_TEXT_CHARS])
    turn.go(Step.COMPLAINT_KECAMATAN, render("ask_complaint_kecamatan"), draft=draft)


def _on_complaint_kecamatan(turn: _Turn, message: _Message) -> None:
    kecamatan = match_kecamatan(message.raw)
    if kecamatan is None:
        turn.miss(render("kecamatan_not_found"))
        return
    turn.go(Step.COMPLAINT_PHOTOS, render("ask_complaint_photos"),
            draft=replace(turn.draft, kecamatan_code=kecamatan.code))


def _on_complaint_photos(turn: _Turn, message: _Message) -> None:
    if message.media:
        _take_media(turn, message, Step.COMPLAINT_PHOTOS)
        if message.text not in SKIP_WORDS:
            return
    elif message.text not in SKIP_WORDS:
        turn.not_understood()
        return
    turn.go(Step.COMPLAINT_CONFIRM, _complaint_summary(turn.draft))


def _on_complaint_confirm(turn: _Turn, message: _Message) -> None:
    if message.media:
        _take_media(turn, message, Step.COMPLAINT_PHOTOS)
        return
    _confirm(turn, message, lambda draft: CreateTicket(
        service=Service.PENGADUAN, nik=None, name=None, kecamatan_code=draft.kecamatan_code,
        description=draft.description, draft_id=draft.draft_id or turn.incoming.key,
    ))


def _confirm(turn: _Turn, message: _Message, ticket: Callable[[_Draft], CreateTicket]) -> None:
    if message.text in YES_WORDS:
        # The caller answers with 'ticket_created' once it has a number.
        turn.effects.append(ticket(turn.draft))
        turn.go(Step.START, draft=_Draft())
    elif message.text in NO_WORDS:
        turn.go(Step.START, render("cancelled"), draft=_Draft())
    else:
        turn.not_understood()


_HANDLERS: dict[Step, Callable[[_Turn, _Message], None]] = {
    Step.START: _on_start,
    Step.STATUS_NUMBER: _on_status_number,
    Step.REQUEST_SERVICE: _on_request_service,
    Step.REQUEST_NIK: _on_request_nik,
    Step.REQUEST_NAME: _on_request_name,
    Step.REQUEST_KECAMATAN: _on_request_kecamatan,
    Step.REQUEST_DETAIL: _on_request_detail,
    Step.REQUEST_DOCUMENTS: _on_request_documents,
    Step.REQUEST_CONFIRM: _on_request_confirm,
    Step.COMPLAINT_TEXT: _on_complaint_text,
    Step.COMPLAINT_KECAMATAN: _on_complaint_kecamatan,
    Step.COMPLAINT_PHOTOS: _on_complaint_photos,
    Step.COMPLAINT_CONFIRM: _on_complaint_confirm,
}
_MEDIA_STEPS = frozenset({Step.REQUEST_DOCUMENTS, Step.REQUEST_CONFIRM, Step.COMPLAINT_PHOTOS,
                             Step.COMPLAINT_CONFIRM})


# --- Helpers --------------------------------------------------------------------------------------


def _take_media(turn: _Turn, message: _Message, step: Step) -> None:
    """Keep the accepted files of this message for the draft and say how many there are now."""
    replies: list[str] = []
    kept: list[int] = []
    too_many = False
    for index, item in enumerate(message.media):
        content_type = item.content_type.split(";")[0].strip().lower()
        if content_type not in ACCEPTED_CONTENT_TYPES:
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


def _ask_documents(draft: _Draft) -> str:
    service = _service(draft)
    return render("ask_documents", service_label=service.label, documents=format_documents(service))


def _request_summary(draft: _Draft) -> str:
    return render(
        "confirm_request", service_label=_service(draft).label, nik=mask_nik(draft.nik or ""),
        name=draft.name, kecamatan=_kecamatan_name(draft), files=draft.files,
        detail=_shorten(draft.description) if draft.description else "-",
    )


def _complaint_summary(draft: _Draft) -> str:
    return render("confirm_complaint", description=_shorten(draft.description or ""),
                  kecamatan=_kecamatan_name(draft), files=draft.files)


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


def clean_name(raw: str) -> str | None:
    """A full name as typed, tidied, or None if it cannot be a name (2-100 chars, letters and marks)."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not 2 <= len(name) <= 100:
        return None
    if not all(ch.isalpha() or ch in _NAME_MARKS for ch in name):
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
