"""The sorter's page: the kecamatan is chosen by name, already set to the ticket's own, and a wrong
value is said beside the field."""

from __future__ import annotations

import re
from html import unescape

import requests
from sqlmodel import Session

from berita_acara.stages import handover_stages
from routing import workflow
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import act_via_form, login, make_staff, make_ticket
from tickets.models import Ticket

CHAIN = handover_stages(workflow(TANGGAMUS))
FIELD = "isian-" + next(o.key for o in CHAIN.sorting.outputs if o.fills)


def select_of(html: str, name: str) -> str:
    found = re.search(rf'<select id="{name}" name="{name}".*?</select>', html, flags=re.S)
    assert found, f"no select {name} on the page"
    return found.group(0)


def test_the_kecamatan_is_chosen_by_name_and_set_from_the_ticket(session: Session, http: requests.Session) -> None:
    make_staff(session, CHAIN.sorting.role)  # type: ignore[arg-type]
    ticket = make_ticket(session, kecamatan_code="180620", stage=CHAIN.sorting.key)
    login(http, str(CHAIN.sorting.role).replace("_", "-"))
    act_via_form(http, ticket.number, "claim")
    select = select_of(http.get(f"/tiket/{ticket.number}").text, FIELD)
    assert re.search(r'<option value="180620"\s+selected>Gisting \(18\.06\.20\)</option>', select)
    assert ">Kota Agung (18.06.01)</option>" in select and select.count("<option") == 21

    done = act_via_form(http, ticket.number, "advance", **{FIELD: "180620"})
    next_name = workflow(TANGGAMUS).stage(str(CHAIN.sorting.next)).name
    assert f'Tiket {ticket.number} diteruskan ke tahap "{next_name}"' in unescape(done.text)
    session.expire_all()
    assert session.get(Ticket, ticket.id).kecamatan_code == "180620"  # type: ignore[union-attr]


def test_a_wrong_kecamatan_is_said_beside_the_field(session: Session, http: requests.Session) -> None:
    make_staff(session, CHAIN.sorting.role)  # type: ignore[arg-type]
    ticket = make_ticket(session, kecamatan_code="180601", stage=CHAIN.sorting.key)
    login(http, str(CHAIN.sorting.role).replace("_", "-"))
    act_via_form(http, ticket.number, "claim")
    for typed, said in (("Kota Agung", "format tidak sesuai"), ("180699", "tidak ada dalam daftar kecamatan")):
        refused = act_via_form(http, ticket.number, "advance", **{FIELD: typed})
        assert refused.history[0].status_code == 303
        page = unescape(refused.text)
        field = page.index(f'<select id="{FIELD}"')
        error = page.index('class="field-error"', field)
        assert said in page[error:error + 300] and error - field < 3000, "the message is not beside the field"
        assert "autofocus" in select_of(page, FIELD)
