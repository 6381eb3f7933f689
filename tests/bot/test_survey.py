"""The satisfaction survey (SKM): asked in the closing message, answered over the signed webhook in numbers and
words (typos forgiven), set aside by a command or 'lewati', filled once per ticket; the SKM index as
PermenPANRB 14/2017 computes it, checked against a hand computation; the dashboard panel, the PDF report and the
suggestions list for those who supervise."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import requests
from flask import Flask
from sqlmodel import Session, select

from bot.skm import grade_of, index_of
from bot.survey import SurveyResponse, SurveyStatus, read_score
from routing import workflow
from routing.definition import RoleDuty
from tests.bot.test_milestones_end import advance, wrote_to_the_office
from tests.call_center.conftest import outbox_records
from tests.support.whatsapp import Phone
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import NIK, login, make_staff, make_ticket
from tickets.models import Ticket


def finish(app: Flask, session: Session, run_jobs) -> Ticket:  # type: ignore[no-untyped-def]
    """A ticket of the citizen's number archived (the closing milestone), its closing message sent."""
    definition = workflow(TANGGAMUS)
    archive = next(s for s in definition.chain if definition.next_stage(s.key) == definition.done_stage)
    ticket = make_ticket(session, kecamatan_code="180620", stage=archive.key)
    wrote_to_the_office(session, timedelta(hours=1))
    advance(session, ticket, make_staff(session, str(archive.role)), archive)
    run_jobs()
    return ticket


def survey_of(session: Session, ticket: Ticket) -> SurveyResponse:
    session.expire_all()
    return session.exec(select(SurveyResponse).where(SurveyResponse.ticket_id == ticket.id)).one()


def test_survey_after_completion_answered_in_numbers_and_words(
        app: Flask, session: Session, phone: Phone, run_jobs) -> None:  # type: ignore[no-untyped-def]
    ticket = finish(app, session, run_jobs)
    [closing] = outbox_records(app)
    assert "sudah selesai" in closing["body"] and "Survei Kepuasan Masyarakat" in closing["body"]
    assert "Pertanyaan 1 dari 9" in closing["body"]

    assert "Pertanyaan 2 dari 9" in phone.say("4")
    assert "Pertanyaan 3 dari 9" in phone.say("sangat baik")
    # A command leaves the survey: the menu answers, and the next number is the menu's choice.
    assert "Balas dengan angka" in phone.say("menu")
    assert "nomor tiket" in phone.say("2").lower()
    # 'survei' takes it up again where it stopped.
    assert "Pertanyaan 3 dari 9" in phone.say("survei")
    reply = phone.say("lumayan")  # not a score the bot is sure of: asked again
    assert "Maaf, jawab dengan angka 1-4" in reply and "Pertanyaan 3 dari 9" in reply
    for answer, following in (("3", 4), ("baik", 5), ("2", 6), ("kurang", 7), ("tdk baik", 8), ("sangaat baek", 9)):
        assert f"Pertanyaan {following} dari 9" in phone.say(answer)
    assert "saran atau masukan" in phone.say("1️⃣")
    assert "sudah kami terima" in phone.say(f"Antrean di UPT lama sekali. NIK saya {NIK}")

    survey = survey_of(session, ticket)
    assert survey.status == SurveyStatus.COMPLETE and survey.answers() == (4, 4, 3, 3, 2, 2, 1, 4, 1)
    assert survey.suggestion is not None and NIK not in survey.suggestion and "Antrean di UPT" in survey.suggestion
    # A second survey for the same ticket is refused politely, and the next message is the bot's again.
    assert "sudah Anda isi sebelumnya" in phone.say("survei")
    assert "Balas dengan angka" in phone.say("menu")


def test_skipping_sets_the_survey_aside(app: Flask, session: Session, phone: Phone, run_jobs) -> None:  # type: ignore[no-untyped-def]
    ticket = finish(app, session, run_jobs)
    assert "Pertanyaan 2 dari 9" in phone.say("3")
    assert "survei dilewati" in phone.say("lewati")
    assert survey_of(session, ticket).status == SurveyStatus.SKIPPED
    assert "Pilih dokumen" in phone.say("1")  # the menu's choice again, not an answer


def test_words_and_typos_read_as_scores() -> None:
    expected = {"4": 4, "4. sangat baik": 4, "Sangat Baik": 4, "sanggat baik": 4, "baik": 3, "baek": 3,
                "cukup baik": 3, "kurang": 2, "kurang baik": 2, "krang baik": 2, "tidak baik": 1, "tdk baik": 1,
                "buruk": 1, "gratis": 4, "1": 1, "ktp saya hilang di jalan kemarin sore": None, "halo": None}
    assert {text: read_score(text) for text in expected} == expected


def test_skm_index_against_a_hand_computation() -> None:
    # Three respondents, nine elements each:
    #   r1: 4 4 4 4 4 4 4 4 4
    #   r2: 3 3 3 3 3 3 3 3 3
    #   r3: 4 3 2 4 3 2 4 3 1
    # Sums per element: 11 10 9 11 10 9 11 10 8 (total 89), so the NRRs are 11/3 = 3,67; 10/3 = 3,33; 3,00; ...
    # NRR tertimbang of U1 = 11/3 x 1/9 = 11/27 = 0,4074. IKM = 89/27 = 3,2963; SKM = 89/27 x 25 = 82,41: B (Baik).
    index = index_of([(4,) * 9, (3,) * 9, (4, 3, 2, 4, 3, 2, 4, 3, 1)])
    assert index is not None and index.respondents == 3
    assert [e.total for e in index.elements] == [11, 10, 9, 11, 10, 9, 11, 10, 8]
    assert index.elements[0].nrr == Fraction(11, 3) and index.elements[0].weighted == Fraction(11, 27)
    assert index.ikm == Fraction(89, 27) and f"{float(index.skm):.2f}" == "82.41"
    assert (index.grade.letter, index.grade.label) == ("B", "Baik")
    assert index_of([]) is None


def test_grades_follow_the_regulations_intervals() -> None:
    cases = {100: "A", Fraction("88.31"): "A", Fraction("88.30"): "B", Fraction("76.61"): "B",
             Fraction("76.605"): "B", Fraction("76.60"): "C", 65: "C", Fraction("64.99"): "D", 25: "D"}
    assert {value: grade_of(value).letter for value in cases} == cases


def test_supervisors_see_the_index_the_report_and_the_suggestions(
        app: Flask, session: Session, phone: Phone, http: requests.Session, run_jobs,  # type: ignore[no-untyped-def]
        tmp_path: Path) -> None:
    finish(app, session, run_jobs)
    for answer in ("4", "4", "3", "3", "4", "4", "4", "3", "3"):
        phone.send(answer)
    phone.send(f"Petugas ramah, NIK {NIK} tolong dipercepat")
    role = workflow(TANGGAMUS).roles_for(RoleDuty.SUPERVISE)[0]
    make_staff(session, role)
    login(http, role.replace("_", "-"))

    page = http.get("/dasbor/", params={"alur": TANGGAMUS})
    assert page.status_code == 200 and "Indeks Kepuasan Masyarakat (SKM)" in page.text
    # (4+4+3+3+4+4+4+3+3) / 9 = 32/9 = 3,5556 x 25 = 88,89: A
    assert "88,89 (A, 1 responden)" in page.text
    report = http.get("/skm/laporan")
    assert report.status_code == 200 and report.headers["Content-Type"] == "application/pdf"
    pdf = tmp_path / "skm-laporan.pdf"
    pdf.write_bytes(report.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "LAPORAN SURVEI KEPUASAN MASYARAKAT" in text and "88,89" in text and "Sangat Baik" in text
    listing = http.get("/skm/saran")
    assert listing.status_code == 200 and "Petugas ramah" in listing.text and NIK not in listing.text
    assert http.get("/skm/laporan", params={"dari": "kemarin"}).status_code == 400
    # The suggestions and the citizens' deletion requests are in the menu of those who decide on them.
    menu = http.get("/antrian").text
    assert 'href="/skm/saran"' in menu and 'href="/hapus-data/"' in menu
