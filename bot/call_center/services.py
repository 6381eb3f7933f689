"""Logging a call: check what the agent typed, open the ticket the outcome needs, queue the WhatsApp."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.call_center.cdr import link_record
from bot.call_center.jobs import call_followup_gave_up, send_call_followup
from bot.call_center.models import GENERAL_TOPIC, TICKET_OUTCOMES, CallLog, CallSource, Outcome
from bot.conversation import MIN_TEXT_CHARS, clean_name
from bot.kecamatan_match import match_kecamatan
from bot.nik import InvalidNik, parse_nik
from tickets.privacy import mask_nik
from layanan.clock import WIB
from bot import catalogue
from layanan.phone import InvalidPhone, normalize_any_phone, normalize_phone
from layanan.outbox import defer
from tickets.constants import DOCUMENT_SERVICES, Channel, Service
from tickets.kecamatan import BY_CODE
from tickets.villages import match_name
from tickets.models import Ticket
from tickets.services import create_ticket
from routing import workflow_for
from routing.definition import RoleDuty
from layanan.clock import utcnow

log = logging.getLogger(__name__)

MAX_NOTES = 4000
URGENT_WORDS = frozenset({"1", "on", "ya", "true"})
CLOCK_SKEW = timedelta(minutes=5)  # a PBX clock slightly ahead of ours is not an error


@dataclass(frozen=True)
class SiagaCall:
    """A phoned Dukcapil Siaga report's own answers, the same the bot's Siaga flow asks: the caller's relation
    to the resident, the resident, the pekon and the urgency (the condition is the call's notes)."""

    relation: str
    subject_name: str
    pekon: str
    urgent: bool


@dataclass(frozen=True)
class CallDraft:
    """A call as checked input, ready to store."""

    phone: str
    caller_name: str | None
    nik: str | None
    kecamatan_code: str | None
    topic: str
    notes: str | None
    outcome: Outcome
    called_at: datetime | None = None
    client_key: str | None = None
    siaga: SiagaCall | None = None


def topic_choices() -> list[tuple[str, str]]:
    """(value, label) of every topic an agent can pick: the bot's services, a complaint, a Siaga report, or
    general."""
    return ([(s.value, s.label) for s in DOCUMENT_SERVICES]
            + [(s.value, s.label) for s in (Service.PENGADUAN, Service.SIAGA)] + [(GENERAL_TOPIC, "Informasi umum")])


def topic_label(topic: str) -> str:
    """The name of a stored topic."""
    return dict(topic_choices()).get(topic, topic)


def parse_call(raw: Mapping[str, object], today: date | None = None,
               places: Mapping[str, Sequence[str]] | None = None) -> tuple[CallDraft | None, dict[str, str]]:
    """Check a call as typed in the form or sent to the API; errors are keyed by field, in Indonesian. With
    `places` (kecamatan code -> its pekon offered), a Siaga call's pekon must be one of its kecamatan's."""
    errors: dict[str, str] = {}
    text = {key: str(value).strip() if value is not None else "" for key, value in raw.items()}

    outcome: Outcome | None = None
    try:
        outcome = Outcome(text.get("outcome", ""))
    except ValueError:
        errors["outcome"] = "Pilih hasil panggilan."

    phone = ""
    # A ticket reaches its citizen on WhatsApp, so it needs a mobile number; a call answered on the
    # phone may come from a landline.
    normalise = normalize_phone if outcome is None or outcome in TICKET_OUTCOMES else normalize_any_phone
    try:
        phone = normalise(text.get("phone", ""))
    except InvalidPhone as exc:
        errors["phone"] = catalogue.render(exc.key) if text.get("phone") else "Nomor telepon penelepon wajib diisi."

    topic = text.get("topic", "")
    if outcome is Outcome.SIAGA:
        topic = Service.SIAGA.value
    elif topic not in dict(topic_choices()):
        errors["topic"] = "Pilih topik panggilan."
    elif outcome is Outcome.COMPLAINT:
        topic = Service.PENGADUAN.value
    elif outcome is Outcome.NEEDS_FILES and topic not in {s.value for s in DOCUMENT_SERVICES}:
        errors["topic"] = "Untuk kirim berkas lewat WhatsApp, pilih jenis dokumen yang diajukan."

    name = None
    if text.get("caller_name"):
        name = clean_name(text["caller_name"])
        if name is None:
            errors["caller_name"] = "Nama harus 2-100 huruf, tanpa angka."
    elif outcome in TICKET_OUTCOMES:
        errors["caller_name"] = "Nama penelepon wajib diisi untuk panggilan yang menjadi tiket."

    nik = None
    if text.get("nik"):
        try:
            nik = parse_nik(text["nik"], today=today or utcnow().astimezone(WIB).date()).value
        except InvalidNik as exc:
            errors["nik"] = str(exc)

    kecamatan_code = _kecamatan_code(text.get("kecamatan", ""))
    if text.get("kecamatan") and kecamatan_code is None:
        errors["kecamatan"] = "Kecamatan tidak dikenal."
    elif kecamatan_code is None and outcome in TICKET_OUTCOMES:
        errors["kecamatan"] = "Kecamatan wajib diisi untuk panggilan yang menjadi tiket."

    notes = text.get("notes") or None
    if notes and len(notes) > MAX_NOTES:
        errors["notes"] = f"Catatan terlalu panjang (maksimal {MAX_NOTES} karakter)."
    if outcome is Outcome.COMPLAINT and sum(ch.isalnum() for ch in notes or "") < MIN_TEXT_CHARS:
        errors["notes"] = "Tulis isi pengaduan di catatan (minimal 10 huruf)."
    siaga = None
    if outcome is Outcome.SIAGA:
        siaga = _siaga_call(text, errors)
        if siaga is not None and places is not None and kecamatan_code is not None:
            siaga = _listed_pekon(siaga, places.get(kecamatan_code, ()), BY_CODE[kecamatan_code].name, errors)
        if sum(ch.isalnum() for ch in notes or "") < MIN_TEXT_CHARS:
            errors["notes"] = "Tulis kondisi penduduk dan dokumen yang dibutuhkan di catatan (minimal 10 huruf)."

    client_key = text.get("client_key") or None
    if client_key and len(client_key) > 80:
        errors["client_key"] = "Kunci idempotensi terlalu panjang (maksimal 80 karakter)."

    called_at = None
    if text.get("called_at"):
        called_at = _call_time(text["called_at"])
        if called_at is None:
            errors["called_at"] = ("Waktu panggilan tidak terbaca: pakai ISO 8601 dengan zona waktu, "
                                   "contoh 2026-11-23T09:15:00+07:00, dan tidak di masa depan.")

    if errors or outcome is None:
        return None, errors
    return CallDraft(phone=phone, caller_name=name, nik=nik, kecamatan_code=kecamatan_code, topic=topic,
                     notes=notes, outcome=outcome, called_at=called_at, client_key=client_key, siaga=siaga), {}


def _siaga_call(text: Mapping[str, str], errors: dict[str, str]) -> SiagaCall | None:
    """The Siaga fields checked as the bot checks its answers; problems go into errors by field."""
    relation = clean_name(text.get("siaga_relation", ""))
    if relation is None:
        errors["siaga_relation"] = ("Isi hubungan penelepon dengan penduduk dengan huruf, contoh: anak, kepala pekon."
                                    if text.get("siaga_relation") else "Hubungan penelepon dengan penduduk wajib diisi.")
    subject = clean_name(text.get("siaga_subject", ""))
    if subject is None:
        errors["siaga_subject"] = ("Nama penduduk harus 2-100 huruf, tanpa angka." if text.get("siaga_subject")
                                   else "Nama penduduk yang perlu didatangi wajib diisi.")
    pekon = clean_name(text.get("siaga_pekon", ""))
    if pekon is None:
        errors["siaga_pekon"] = ("Tulis nama pekon/kelurahan dengan huruf, contoh: Sukamaju."
                                 if text.get("siaga_pekon") else "Pekon/kelurahan tempat penduduk tinggal wajib diisi.")
    if relation is None or subject is None or pekon is None:
        return None
    return SiagaCall(relation=relation[:80], subject_name=subject, pekon=pekon[:120],
                     urgent=text.get("siaga_urgent", "").lower() in URGENT_WORDS)


def _listed_pekon(siaga: SiagaCall, names: Sequence[str], kecamatan: str,
                  errors: dict[str, str]) -> SiagaCall | None:
    """The call with its pekon as the kecamatan's list names it, or None with the error beside the field."""
    listed = match_name(list(names), siaga.pekon)
    if listed is None:
        errors["siaga_pekon"] = (f"Pekon/kelurahan {siaga.pekon} tidak ada di Kecamatan {kecamatan}: "
                                 "pilih dari daftar kecamatan itu.")
        return None
    return replace(siaga, pekon=listed)


def _call_time(raw: str) -> datetime | None:
    """When the call took place, as an integration reports it; None when unreadable or in the future."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.tzinfo is None or moment > utcnow() + CLOCK_SKEW:
        return None
    return moment


def _kecamatan_code(value: str) -> str | None:
    """A kecamatan given as its Kemendagri code (the form) or its name (the API)."""
    if not value:
        return None
    if value in BY_CODE:
        return value
    found = match_kecamatan(value)
    return found.code if found else None


def log_call(
    session: Session,
    draft: CallDraft,
    *,
    agent_id: int | None,
    source: CallSource = CallSource.FORM,
    api_token_id: int | None = None,
    record_id: int | None = None,
) -> CallLog:
    """Store the call with the ticket its outcome needs and the caller's WhatsApp job; commits.

    A client key seen before returns the call already stored, so a form sent twice logs one call.
    """
    if draft.client_key:
        existing = session.exec(select(CallLog).where(CallLog.client_key == draft.client_key)).first()
        if existing is not None:
            return existing
    now = utcnow()
    call = CallLog(
        agent_id=agent_id, api_token_id=api_token_id, source=source, phone=draft.phone,
        caller_name=draft.caller_name, nik=draft.nik, kecamatan_code=draft.kecamatan_code, topic=draft.topic,
        notes=draft.notes, outcome=draft.outcome, client_key=draft.client_key,
        called_at=draft.called_at or now, created_at=now,
    )
    ticket = None
    if draft.outcome in TICKET_OUTCOMES:
        ticket = create_ticket(
            session, service=Service(draft.topic), channel=Channel.CALL_CENTER, phone=draft.phone, nik=draft.nik,
            name=draft.caller_name, kecamatan_code=draft.kecamatan_code, description=draft.notes,
            actor_id=agent_id, actor_role=agent_role(draft.topic), now=now,
        )
        call.ticket_id = ticket.id
        if draft.outcome is Outcome.SIAGA:
            _record_siaga(session, ticket, draft)
    session.add(call)
    session.flush()
    link_record(session, call, record_id)
    if draft.outcome is Outcome.NEEDS_FILES:
        defer(session, send_call_followup, call.id, job_id=f"call-followup-{call.id}",
              retry_intervals=current_app.config["NOTIFY_RETRY_INTERVALS"], on_failure=call_followup_gave_up)
    try:
        session.commit()
    except IntegrityError:
        # The same client key raced us (a double submit): the other request stored the call.
        session.rollback()
        if draft.client_key:
            existing = session.exec(select(CallLog).where(CallLog.client_key == draft.client_key)).first()
            if existing is not None:
                return existing
        raise
    if ticket is not None and ticket.confidential:
        log.info("call %s logged (%s) from %s, caller withheld (confidential)", call.id, call.outcome, source)
    else:
        log.info("call %s logged (%s) from %s, caller %s, NIK %s", call.id, call.outcome, source,
                 call.phone[-4:], mask_nik(call.nik) if call.nik else "-")
    return call


def _record_siaga(session: Session, ticket: Ticket, draft: CallDraft) -> None:
    """Keep a phoned Siaga report beside its ticket as a WhatsApp one is kept: the caller reports, the resident
    by name and pekon, the notes (the ticket's description) tell the condition, the caller's phone arranges the
    visit."""
    from siaga.services import Report, record_report

    assert draft.siaga is not None  # parse_call requires it for a Siaga call
    record_report(session, ticket, Report(
        reporter_name=draft.caller_name or "", relation=draft.siaga.relation, subject_name=draft.siaga.subject_name,
        pekon=draft.siaga.pekon, contact_phone=draft.phone, urgent=draft.siaga.urgent))


def agent_role(service: str) -> str:
    """The role that takes calls in the workflow a call-center ticket of this service runs on."""
    return workflow_for(Channel.CALL_CENTER, service).role_for(RoleDuty.TAKE_CALLS, "call center")


def recent_calls(session: Session, agent_id: int, limit: int = 15) -> list[CallLog]:
    """The agent's latest calls, newest first."""
    return list(session.exec(
        select(CallLog).where(CallLog.agent_id == agent_id)
        .order_by(col(CallLog.called_at).desc(), col(CallLog.id).desc()).limit(limit)
    ))
