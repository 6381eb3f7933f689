"""The FAQ page: the questions the WhatsApp bot answers by itself, each with the ways citizens ask it and its
answer, kept by admins and the staff who answer citizens (the SOP's answer_citizens duty)."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from bot import faq_store
from bot.faq import PLACEHOLDERS
from bot.faq_store import MAX_ANSWER_CHARS, MAX_VARIANT_CHARS, MAX_VARIANTS, FaqAnswer, entries, split_variants
from layanan import db
from layanan.clock import utcnow
from routing.definition import RoleDuty
from tickets.access import duty_required, user
from tickets.staff_pages import guard

log = logging.getLogger(__name__)
bp = Blueprint("faq", __name__, url_prefix="/faq")
guard(bp)
TITLE_CHARS = 120


@bp.get("")
@duty_required(RoleDuty.ANSWER_CITIZENS, admin=True)
def index() -> str:
    """Every question of the FAQ with its phrases and answer."""
    return render_template("bot/faq_list.html", rows=entries(db.session()), split=split_variants)


@bp.route("/baru", methods=["GET", "POST"], defaults={"faq_id": None})
@bp.route("/<id:faq_id>", methods=["GET", "POST"])
@duty_required(RoleDuty.ANSWER_CITIZENS, admin=True)
def edit(faq_id: int | None) -> Response | str | tuple[str, int]:
    """Add a question or change one: its phrases, its answer, whether the bot uses it."""
    session = db.session()
    row = session.get(FaqAnswer, faq_id) if faq_id is not None else FaqAnswer(title="", variants="", answer="")
    if row is None:
        abort(404)
    if request.method == "GET":
        return _form(row, None, {})
    values, errors = read_form(request.form)
    if errors:
        return _form(row, values, errors), 422
    row.title, row.variants, row.answer = values["title"], values["variants"], values["answer"]
    row.position, row.active = int(values["position"]), values["active"] == "1"
    row.updated_by_id, row.updated_at = user().id, utcnow()
    session.add(row)
    session.commit()
    faq_store.forget()
    log.info("%s saved FAQ question %s", user().username, row.id)
    flash(f"Pertanyaan \u201c{row.title}\u201d disimpan.")
    return redirect(url_for("faq.index"), code=303)


def _form(row: FaqAnswer, values: dict[str, str] | None, errors: dict[str, str]) -> str:
    return render_template("bot/faq_edit.html", row=row, values=values, errors=errors, placeholders=PLACEHOLDERS,
                           limits={"title": TITLE_CHARS, "variant": MAX_VARIANT_CHARS, "variants": MAX_VARIANTS,
                                   "answer": MAX_ANSWER_CHARS})


def read_form(form: MultiDict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The submitted question, tidied, and what is wrong with each field."""
    values = {
        "title": " ".join((form.get("title") or "").split()),
        "variants": "\n".join(split_variants(form.get("variants") or "")),
        "answer": (form.get("answer") or "").strip().replace("\r\n", "\n"),
        "position": (form.get("position") or "0").strip(),
        "active": "1" if form.get("active") else "0",
    }
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = "Wajib diisi."
    elif len(values["title"]) > TITLE_CHARS:
        errors["title"] = f"Terlalu panjang (maksimal {TITLE_CHARS} karakter)."
    phrases = split_variants(values["variants"])
    if not phrases:
        errors["variants"] = "Tulis minimal satu cara warga bertanya."
    elif len(phrases) > MAX_VARIANTS or any(len(p) > MAX_VARIANT_CHARS for p in phrases):
        errors["variants"] = f"Maksimal {MAX_VARIANTS} baris, masing-masing {MAX_VARIANT_CHARS} karakter."
    unknown = sorted(set(re.findall(r"\{(\w*)\}", values["answer"])) - set(PLACEHOLDERS))
    if not values["answer"]:
        errors["answer"] = "Wajib diisi."
    elif len(values["answer"]) > MAX_ANSWER_CHARS:
        errors["answer"] = f"Terlalu panjang (maksimal {MAX_ANSWER_CHARS} karakter)."
    elif unknown:
        errors["answer"] = "Isian yang tidak dikenal: " + ", ".join("{" + name + "}" for name in unknown)
    if not values["position"].isdigit() or len(values["position"]) > 4:
        errors["position"] = "Isi angka 0-9999."
    return values, errors
