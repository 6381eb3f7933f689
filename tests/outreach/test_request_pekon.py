"""The outreach request form asks the visit's pekon from the kecamatan's list, as every back-office address is."""

from __future__ import annotations

import re

import requests
from sqlmodel import Session, select

from outreach.models import OutreachRequest
from tests.outreach.test_outreach import ask, people  # noqa: F401  (the fixture)
from tests.tickets.conftest import login
from tickets.staff import StaffUser


def test_a_pekon_of_another_kecamatan_is_refused_beside_its_field(
        session: Session, http: requests.Session, people: dict[str, StaffUser]) -> None:  # noqa: F811
    login(http, "operator-pekon")
    form = http.get("/jemput-bola/permintaan/baru").text
    assert re.search(r'<optgroup label="Kec. Gisting" data-kecamatan="180620">.*>Gisting Atas</option>', form, re.S)
    refused = ask(http, pekon="Sukamaju")  # a pekon of Pugung and Ulu Belu, not of Gisting
    assert refused.status_code == 422
    error = re.search(r'<p class="field-error" id="pekon-error">([^<]+)</p>', refused.text)
    assert error and error.group(1) == "Pilih pekon/kelurahan dari daftar Kecamatan Gisting."
    assert re.search(r'<option value="Sukamaju" selected>', refused.text)
    assert session.exec(select(OutreachRequest)).first() is None
    answer = ask(http, pekon="gisting  atas")
    assert "Permintaan jemput bola dikirim" in answer.text, answer.text
    assert session.exec(select(OutreachRequest)).one().pekon == "Gisting Atas"
