"""Canned answers: the texts admins keep for the unit to start an answer from, checked like the answer itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import case
from sqlmodel import Session, col, select

from complaints.definitions import answer_max_length, options_of
from complaints.models import CannedAnswer
from layanan.clock import utcnow
from routing.definition import OutputMeaning

TITLE_MAX = int(CannedAnswer.__table__.c.title.type.length)  # type: ignore[attr-defined]
_BODY_COLUMN = int(CannedAnswer.__table__.c.body.type.length)  # type: ignore[attr-defined]


def body_max() -> int:
    """The longest body: what the SOPs' answer field takes (the column never less)."""
    return answer_max_length(_BODY_COLUMN)


@dataclass(frozen=True)
class CannedForm:
    """The submitted fields; `errors` maps a field to an error code the template explains."""

    title: str
    body: str
    category: str | None
    errors: dict[str, str] = field(default_factory=dict)


def read_form(form: Mapping[str, str]) -> CannedForm:
    """The canned answer form's fields, with what is wrong with them."""
    title = (form.get("title") or "").strip()
    body = (form.get("body") or "").strip().replace("\r\n", "\n")
    category = (form.get("category") or "").strip() or None
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "missing"
    elif len(title) > TITLE_MAX:
        errors["title"] = "too_long"
    if not body:
        errors["body"] = "missing"
    elif len(body) > body_max():
        errors["body"] = "too_long"
    if category is not None and category not in options_of(OutputMeaning.CATEGORY):
        errors["category"] = "unknown"
    return CannedForm(title, body, category, errors)


def save(session: Session, answer: CannedAnswer | None, form: CannedForm, editor_id: int | None) -> CannedAnswer:
    """Create the canned answer, or change it, from a checked form; commits."""
    answer = answer or CannedAnswer(title="", body="")
    answer.title, answer.body, answer.category = form.title, form.body, form.category
    answer.updated_by_id, answer.updated_at = editor_id, utcnow()
    session.add(answer)
    session.commit()
    return answer


def set_active(session: Session, answer: CannedAnswer, active: bool, editor_id: int | None) -> None:
    """Offer the canned answer again, or stop offering it (it stays listed for the editors); commits."""
    answer.active, answer.updated_by_id, answer.updated_at = active, editor_id, utcnow()
    session.add(answer)
    session.commit()


def every_answer(session: Session) -> list[CannedAnswer]:
    """Every canned answer for the editors: the active ones first, by title."""
    return list(session.exec(
        select(CannedAnswer).order_by(col(CannedAnswer.active).desc(), col(CannedAnswer.title), col(CannedAnswer.id))
    ).all())


def offered(session: Session, category: str | None) -> list[CannedAnswer]:
    """The active canned answers for a complaint: those of its category first, then those for any category,
    then the rest."""
    rank = case((col(CannedAnswer.category) == category, 0), (col(CannedAnswer.category).is_(None), 1), else_=2)
    return list(session.exec(
        select(CannedAnswer).where(col(CannedAnswer.active).is_(True))
        .order_by(rank, col(CannedAnswer.title), col(CannedAnswer.id))
    ).all())
