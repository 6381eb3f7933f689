"""The daily digest's choices on the administrator's account forms: refused input said beside its field with
what was typed kept, a good choice stored on the account."""

from __future__ import annotations

from routing import workflow
from routing.definition import RoleDuty
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import csrf_token, login, make_staff
from tickets.accounts import ADMIN_ROLE


def test_admin_sets_the_digest_of_an_account(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, ADMIN_ROLE)
    head = workflow(TANGGAMUS).roles_for(RoleDuty.SUPERVISE)[0]
    chief = make_staff(session, head, username="kepala-seksi", full_name="Yuliana Sari")
    login(http, ADMIN_ROLE)
    path = f"/admin/staf/{chief.id}"
    form = {"full_name": "Yuliana Sari", "roles": [head], "active": "on", "whatsapp": "0812 3456 7890",
            "daily_digest": "on", "digest_time": "25:00"}

    refused = http.post(path, data={"csrf_token": csrf_token(http.get(path).text), **form})
    assert refused.status_code == 422
    assert "Tulis jam seperti 07:30" in refused.text and 'value="0812 3456 7890"' in refused.text
    session.expire_all()
    assert chief.daily_digest is False and chief.whatsapp is None  # nothing stored from a refused form

    saved = http.post(path, data={"csrf_token": csrf_token(refused.text), **form, "digest_time": "06:15"})
    assert saved.status_code == 200
    session.expire_all()
    assert (chief.whatsapp, chief.daily_digest, chief.digest_time) == ("+6281234567890", True, "06:15")
    assert 'value="06:15"' in http.get(path).text


def test_the_digest_needs_a_number(http, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, ADMIN_ROLE)
    head = workflow(TANGGAMUS).roles_for(RoleDuty.SUPERVISE)[0]
    chief = make_staff(session, head, username="kepala-seksi")
    login(http, ADMIN_ROLE)
    path = f"/admin/staf/{chief.id}"
    refused = http.post(path, data={"csrf_token": csrf_token(http.get(path).text), "full_name": "Kepala",
                                    "roles": [head], "active": "on", "daily_digest": "on", "digest_time": "07:30"})
    assert refused.status_code == 422 and "Isi nomor WhatsApp untuk menerima ringkasan harian." in refused.text
