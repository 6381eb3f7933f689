"""The satisfaction survey (SKM, PermenPANRB 14/2017) over WhatsApp: one per finished ticket.

The invitation and the first question go out when the case ends: in the closing message of the milestone
`completed` (a closing note), or on their own when a ticket reaches a done stage that carries no closing message
(a complaint closed by the citizen's verdict or by the clock). Then the survey is a pending matter of the number:
while its question is the last thing said there (no conversation turn since it was asked, and asked within
SURVEY_OPEN_DAYS) it takes every message but a command. An answer is 1-4 or words ("sangat baik", "kurang", typos
forgiven); after the nine elements an optional suggestion. "lewati"/"nanti" sets it aside, any command leaves it
(the conversation moves on), `survei` asks the open question again; a ticket's survey is filled once.
"""

from __future__ import annotations

import difflib
import logging
import re
from datetime import datetime, timedelta
from enum import StrEnum

from flask import Flask, current_app
from sqlalchemy import ColumnElement, UniqueConstraint, bindparam, exists
from sqlmodel import Field, Session, SQLModel, col, select

from bot import catalogue
from bot.conversation import SURVEY_WORDS, Pending, parse_ticket_number
from bot.milestones import add_closing_note
from bot.outbound import SendRefused, send_once
from bot.skm import ELEMENTS, Element
from layanan.clock import utcnow
from layanan.db import job_session
from layanan.jobs import job_app
from layanan.outbox import defer
from routing import workflow
from routing.definition import Milestone
from tickets import events
from tickets.messages import Attachment, Conversation, Message
from tickets.models import StageEvent, Ticket
from tickets.privacy import mask_niks_in_text
from tickets.services import applicant_of
from tickets.types import UTCDateTime

log = logging.getLogger(__name__)

SURVEY_OPEN_DAYS = 3  # after this, an unanswered question no longer takes the number's messages
MAX_SUGGESTION = 1000
SKIP_WORDS = frozenset({"lewati", "lewat", "skip", "nanti", "nanti saja", "lain kali", "tidak mau", "gak mau",
                        "ga mau", "tidak usah", "gak usah", "stop survei"})
NO_SUGGESTION = frozenset({"tidak ada", "tdk ada", "gak ada", "ga ada", "nggak ada", "tidak", "tdk", "gak", "ga",
                           "cukup", "sudah", "tidak ada saran", "-", "no"})
MAX_ANSWER_WORDS = 5  # a longer message that is not a score is about something else: declined
_DIGIT = re.compile(r"^\D*([1-4])(?:\D|$)")
_KEYCAP = {"1\ufe0f\u20e3": "1", "2\ufe0f\u20e3": "2", "3\ufe0f\u20e3": "3", "4\ufe0f\u20e3": "4"}
# "sangat baik" 4, "baik" 3, "kurang (baik)" 2, "tidak baik" 1, with the regulation's other words for each element
POSITIVE = frozenset({"baik", "sesuai", "mudah", "cepat", "murah", "wajar", "kompeten", "sopan", "ramah", "jelas",
                      "puas", "bagus", "memuaskan", "berkualitas", "lengkap", "memadai", "nyaman", "mantap"})
NEGATIVE = frozenset({"buruk", "jelek", "lambat", "mahal", "lama", "sulit", "susah", "kecewa"})
STRONG = frozenset({"sangat", "amat", "sekali", "banget", "paling"})
WEAK = frozenset({"kurang", "cukup", "agak", "lumayan"})
NOT = frozenset({"tidak", "tdk", "gak", "ga", "nggak", "enggak", "tak", "kagak", "belum"})
FREE = frozenset({"gratis", "free", "nol"})  # the cost element: nothing paid is the best answer
_VOCABULARY = sorted(POSITIVE | NEGATIVE | STRONG | WEAK | NOT | FREE)


class SurveyStatus(StrEnum):
    ASKING = "asking"  # a question went out (or is about to) and waits for its answer
    SKIPPED = "skipped"  # set aside by the citizen; `survei` takes it up again
    COMPLETE = "complete"


class SurveyResponse(SQLModel, table=True):
    """One finished ticket's survey: where it stands, the nine answers (1-4) and the suggestion."""

    __tablename__ = "skm_response"
    __table_args__ = (UniqueConstraint("ticket_id"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    phone: str | None = Field(default=None, max_length=20, index=True)  # emptied by an approved deletion request
    workflow: str = Field(max_length=64)
    service: str = Field(max_length=40)
    kecamatan_code: str | None = Field(default=None, max_length=6)
    status: str = Field(default=SurveyStatus.ASKING, max_length=12)
    position: int = Field(default=0)  # the element asked now (0-8), 9: the suggestion
    asked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # when the open question went out
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    u_persyaratan: int | None = None
    u_prosedur: int | None = None
    u_waktu: int | None = None
    u_biaya: int | None = None
    u_produk: int | None = None
    u_kompetensi: int | None = None
    u_perilaku: int | None = None
    u_pengaduan: int | None = None
    u_sarana: int | None = None
    suggestion: str | None = Field(default=None, max_length=MAX_SUGGESTION)

    def answers(self) -> tuple[int | None, ...]:
        """The nine answers in the regulation's order."""
        return tuple(getattr(self, column(element)) for element in ELEMENTS)


def column(element: Element) -> str:
    """The response column of an element."""
    return f"u_{element.value}"


def init_app(app: Flask) -> None:
    """Invite to the survey in the closing message, or on its own when a ticket ends without one; take the
    number's answers while the survey's question is the last thing said."""
    add_closing_note(app, closing_note)
    events.on(app, events.TicketEvent.STAGE_ENTERED, _ticket_finished)
    events.add_pending(app, events.PendingMatter(Pending.SURVEY, waits_for, take_message))


# --- The invitation -------------------------------------------------------------------------------


def _open_for(session: Session, ticket: Ticket) -> SurveyResponse | None:
    """The ticket's survey, made now for a finished ticket of a WhatsApp number; None once it is filled."""
    found = session.exec(select(SurveyResponse).where(SurveyResponse.ticket_id == ticket.id)).first()
    if found is not None:
        return None if found.status == SurveyStatus.COMPLETE else found
    phone = applicant_of(session, ticket).phone
    if phone is None:
        return None
    survey = SurveyResponse(ticket_id=int(ticket.id or 0), phone=phone, workflow=ticket.workflow,
                            service=str(ticket.service), kecamatan_code=ticket.kecamatan_code)
    session.add(survey)
    session.flush()
    return survey


def invitation(survey: SurveyResponse, number: str) -> str:
    """The invitation and the survey's first question (asked from now)."""
    survey.status, survey.position, survey.asked_at = SurveyStatus.ASKING, 0, utcnow()
    return f"{catalogue.render('skm_invite', number=number)}\n\n{question(0)}"


def closing_note(session: Session, ticket: Ticket) -> str | None:
    """The closing message's paragraph: the invitation and the first question (nothing once it is filled)."""
    survey = _open_for(session, ticket)
    if survey is None:
        return None
    text = invitation(survey, ticket.number)
    session.add(survey)  # committed with the message's intent (send_once)
    return text


def _ticket_finished(session: Session, ticket: Ticket, event: StageEvent, transition: object) -> None:
    """A ticket reached its SOP's done stage without a closing message (a complaint): invite on its own."""
    definition = workflow(ticket.workflow)
    done = definition.done_stage
    if event.to_stage != done.key or done.milestone is Milestone.COMPLETED:
        return
    if applicant_of(session, ticket).phone is None:
        return
    defer(session, invite, int(ticket.id or 0), job_id=f"skm-invite-{ticket.id}",
          retry_intervals=current_app.config["NOTIFY_RETRY_INTERVALS"])


def invite(ticket_id: int) -> str:
    """Job: send the survey's invitation for a finished ticket, at most once."""
    app = job_app()
    with app.app_context(), job_session(app) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return "no ticket"
        survey = _open_for(session, ticket)
        if survey is None:
            return "filled already or no WhatsApp number"
        body = invitation(survey, ticket.number)
        session.add(survey)
        session.commit()
        try:
            message = send_once(session, phone=str(survey.phone), key=f"skm-invite-{ticket_id}", body=body,
                                ticket_id=ticket.id)
        except SendRefused as exc:  # flagged for staff; no retry can change Twilio's mind
            return f"refused by Twilio: {exc.status} {exc.code}"
        return f"sent ({message.twilio_sid})"


# --- The answers ----------------------------------------------------------------------------------


def question(position: int) -> str:
    """The text asking element `position` (0-8), or the suggestion (9)."""
    if position >= len(ELEMENTS):
        return catalogue.render("skm_ask_suggestion")
    return catalogue.render("skm_question", position=position + 1,
                            question=catalogue.render(f"skm_q_{ELEMENTS[position].value}"))


def _asked_since() -> datetime:
    return utcnow() - timedelta(days=SURVEY_OPEN_DAYS)


def waits_for(phone: object) -> ColumnElement[bool]:
    """SQL test: a survey question to this number is the last thing said there, and recent."""
    since = bindparam("skm_asked_since", type_=UTCDateTime, callable_=_asked_since)
    moved_on = exists().where(col(Conversation.phone) == phone,
                              col(Conversation.updated_at) > col(SurveyResponse.asked_at))
    return exists().where(col(SurveyResponse.phone) == phone, col(SurveyResponse.status) == SurveyStatus.ASKING,
                          col(SurveyResponse.asked_at) >= since, ~moved_on)


def read_score(body: str) -> int | None:
    """An answer 1-4 in digits or words ("4", "4. sangat baik", "sangat baik", "kurang", "tdk baik",
    "sangaat baek"); None when the message is no score."""
    text = body.strip()
    for keycap, digit in _KEYCAP.items():
        text = text.replace(keycap, digit)
    found = _DIGIT.match(text)
    if found and not re.search(r"[0-9]", text[found.end():]) and len(text) <= 40:
        return int(found.group(1))
    words = [_known(w) for w in re.sub(r"[^a-z ]+", " ", text.lower()).split()]
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    if any(w in FREE for w in words):
        return 4
    good = any(w in POSITIVE for w in words)
    bad = any(w in NEGATIVE for w in words)
    negated = any(w in NOT for w in words)
    if not good and not bad:
        return 2 if words == ["kurang"] else None
    if bad or (good and negated):
        return 2 if any(w in WEAK for w in words) and not negated else 1
    if any(w in WEAK for w in words):
        return 2 if "kurang" in words else 3  # "cukup baik" is still good; "kurang baik" is not
    return 4 if any(w in STRONG for w in words) else 3


def _known(word: str) -> str:
    """The vocabulary word a typed word most likely is ("sanggat" -> "sangat"), or the word itself."""
    if word in _VOCABULARY or len(word) < 3:
        return word
    close = difflib.get_close_matches(word, _VOCABULARY, n=1, cutoff=0.75)
    return close[0] if close else word


def take_message(session: Session, message: Message, attachments: list[Attachment]) -> list[str] | None:
    """The pending matter's handler: the answer to the open question, the `survei` command, or (declined)
    something else."""
    words = " ".join(re.sub(r"[\W_]+", " ", message.body.lower()).split())
    command = words in SURVEY_WORDS or words.split()[:1] in (["survei"], ["survey"])
    survey = _latest(session, message.phone, command)
    if command:
        return [_resume(session, survey, message.body)]
    if survey is None:
        return None
    if words in SKIP_WORDS:
        survey.status = SurveyStatus.SKIPPED
        session.add(survey)
        return [catalogue.render("skm_skipped")]
    number = _number(session, survey)
    if survey.position >= len(ELEMENTS):
        text = " ".join(message.body.split())
        if not text or attachments:
            return None
        survey.suggestion = None if words in NO_SUGGESTION else mask_niks_in_text(text)[:MAX_SUGGESTION]
        survey.status, survey.completed_at = SurveyStatus.COMPLETE, utcnow()
        session.add(survey)
        return [catalogue.render("skm_thanks", number=number)]
    score = read_score(message.body)
    if score is None:
        if attachments or len(words.split()) > MAX_ANSWER_WORDS or survey.position == 0:
            # Something else (or no answer yet, perhaps to a closing message that went out as a template
            # without the survey): the conversation answers, and the survey steps aside.
            return None
        survey.asked_at = utcnow()
        session.add(survey)
        return [f"{catalogue.render('skm_not_understood')}\n\n{question(survey.position)}"]
    setattr(survey, column(ELEMENTS[survey.position]), score)
    survey.position += 1
    survey.asked_at = utcnow()
    session.add(survey)
    return [question(survey.position)]


def _latest(session: Session, phone: str, any_status: bool) -> SurveyResponse | None:
    """The number's survey waiting for an answer (for the command: its latest survey of any status)."""
    query = select(SurveyResponse).where(SurveyResponse.phone == phone)
    if not any_status:
        query = query.where(SurveyResponse.status == SurveyStatus.ASKING)
    return session.exec(query.order_by(col(SurveyResponse.created_at).desc(), col(SurveyResponse.id).desc())).first()


def _resume(session: Session, survey: SurveyResponse | None, body: str) -> str:
    """`survei` (or `survei <nomor>`): ask the open question again; a filled survey is refused politely."""
    named = parse_ticket_number(" ".join(body.split()[1:])) if len(body.split()) > 1 else None
    if named is not None and survey is not None:
        ticket = session.exec(select(Ticket).where(Ticket.number == named)).first()
        chosen = session.exec(select(SurveyResponse).where(
            SurveyResponse.ticket_id == (ticket.id if ticket else -1),
            SurveyResponse.phone == survey.phone)).first()
        survey = chosen
    if survey is None:
        return catalogue.render("skm_none")
    number = _number(session, survey)
    if survey.status == SurveyStatus.COMPLETE:
        return catalogue.render("skm_already_done", number=number)
    survey.status, survey.asked_at = SurveyStatus.ASKING, utcnow()
    session.add(survey)
    if survey.position == 0:
        return f"{catalogue.render('skm_invite', number=number)}\n\n{question(0)}"
    return question(survey.position)


def _number(session: Session, survey: SurveyResponse) -> str:
    ticket = session.get(Ticket, survey.ticket_id)
    return ticket.number if ticket else "-"


def answered_between(session: Session, first: datetime, last: datetime) -> list[SurveyResponse]:
    """The complete surveys filled in [first, last)."""
    return list(session.exec(select(SurveyResponse).where(
        SurveyResponse.status == SurveyStatus.COMPLETE, col(SurveyResponse.completed_at) >= first,
        col(SurveyResponse.completed_at) < last).order_by(col(SurveyResponse.completed_at))).all())


def forget_number(session: Session, phone: str) -> int:
    """Drop the number from its surveys (the answers stay, anonymous); returns how many."""
    rows = list(session.exec(select(SurveyResponse).where(SurveyResponse.phone == phone)).all())
    for row in rows:
        row.phone = None
        session.add(row)
    return len(rows)
