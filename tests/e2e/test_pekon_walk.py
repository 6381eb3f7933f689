"""The village operator's pages in a real Chromium, on a phone (360 px) and a desk screen (1280 px): the
submission form with a refused scan, the submission with its number, and the list with every state."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from pdf_delivery.documents import upload_document
from pekon import services
from pekon.submission import Draft, submitting_definition, village_steps
from routing.definition import Action, FieldType, OutputSource, RoleDuty
from tests.support.browser import click_and_wait, logged_in_page
from tests.support.documents import document_pdf
from tests.tickets.conftest import make_staff
from tickets.constants import Service
from tickets.models import Ticket
from tickets.staff import StaffUser
from tickets.workflow_service import act

OPERATOR = "aparat-desa"
SCAN_LIMIT = 300_000
WIDTHS = (360, 1280)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "MEDIA_MAX_BYTES": SCAN_LIMIT}


def _photo(text: str, size: tuple[int, int] = (900, 600), quality: int = 80) -> bytes:
    """A real JPEG, as a phone camera or a scanner would make it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (236, 240, 233))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, size[0] - 30, size[1] - 30), outline=(40, 90, 60), width=6)
    for row in range(6):
        draw.text((70, 70 + row * 70), f"{text}  baris {row + 1}", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _noise(size: int) -> bytes:
    """A JPEG too big for the limit (random pixels do not compress)."""
    import os

    from PIL import Image

    side = int((size / 2) ** 0.5) + 200
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG", quality=95)
    assert out.tell() > size
    return out.getvalue()


def _staff(session: Session) -> dict[str, StaffUser]:
    definition = submitting_definition(Service.KK)
    assert definition is not None
    return {role: make_staff(session, role, full_name=f"Demo {definition.role(role).name}")
            for role in dict.fromkeys(s.role for s in definition.chain if s.role)}


def _earlier_submissions(session: Session, app: Any, staff: dict[str, StaffUser]) -> dict[str, str]:
    """Submissions made before the walk: one the Dinas rejected, one finished with its document, one back at
    the village for the hand-over, one the Dinas returned to the village; returns the numbers of the last three."""
    definition = submitting_definition(Service.KK)
    assert definition is not None
    operator = staff[definition.role_for(RoleDuty.SUBMIT_FOR_CITIZEN)]
    steps = {stage.key: {o.key: _value(o) for o in stage.outputs} for stage in village_steps(definition, operator.roles)}

    def submission(name: str, nik: str, service: Service, phone: str | None) -> Ticket:
        draft = Draft(service=service, nik=nik, name=name, phone=phone, kecamatan_code="180620", pekon="Gisting Atas",
                      description=None, step_outputs=steps)
        return services.submit(session, draft, operator, "pekon-" + "x" * 26 + nik[-6:])

    rejected = submission("Bambang Supriyadi", "1806020101850007", Service.AKTA_KELAHIRAN, None)
    holder = staff[str(definition.stage(rejected.stage).role)]
    rejected, _, _ = act(session, rejected, Action.CLAIM, actor_id=holder.id, actor_roles=set(holder.roles),
                         expected_version=rejected.version)
    act(session, rejected, Action.REJECT, actor_id=holder.id, actor_roles=set(holder.roles),
        expected_version=rejected.version,
        payload={"reason": "Surat keterangan lahir dari bidan belum dilampirkan. Mohon dilengkapi lalu ajukan lagi."})

    def work(ticket: Ticket, until: Any) -> Ticket:
        while not until(definition.stage(ticket.stage)):
            stage = definition.stage(ticket.stage)
            holder = staff[str(stage.role)]
            roles = set(holder.roles)
            ticket, _, _ = act(session, ticket, Action.CLAIM, actor_id=holder.id, actor_roles=roles,
                               expected_version=ticket.version)
            if any(o.source is OutputSource.DOCUMENT for o in stage.outputs):
                upload_document(session, app.config, ticket, holder, document_pdf("Kartu Tanda Penduduk Elektronik"))
            outputs = {o.key: _value(o) for o in stage.outputs if not o.system_assigned}
            ticket, _, _ = act(session, ticket, Action.ADVANCE, actor_id=holder.id, actor_roles=roles,
                               expected_version=ticket.version, payload={"outputs": outputs})
        return ticket

    done = work(submission("Sri Wahyuni", "1806014404920002", Service.KTP_EL, "+6281299990001"),
                lambda stage: stage.is_terminal)
    handover = work(submission("Ahmad Fauzi", "1806031203880004", Service.KIA, None),
                    lambda stage: stage.role in operator.roles and stage.key not in steps)
    returned = submission("Dewi Lestari", "1806055006950001", Service.AKTA_KELAHIRAN, "+6281299990002")
    asking = next(s for s in village_steps(definition, operator.roles) if Action.ASK_CITIZEN in s.actions)
    holder = staff[str(definition.stage(returned.stage).role)]
    returned, _, _ = act(session, returned, Action.CLAIM, actor_id=holder.id, actor_roles=set(holder.roles),
                         expected_version=returned.version)
    act(session, returned, Action.RETURN_, actor_id=holder.id, actor_roles=set(holder.roles),
        expected_version=returned.version,
        payload={"to_stage": asking.key, "reason": "Pindaian surat keterangan lahir terpotong; pindai ulang."})
    return {"done": done.number, "handover": handover.number, "returned": returned.number}


def _value(out: Any) -> Any:
    if out.type is FieldType.CHECK:
        return True
    if out.type is FieldType.CHOICE:
        return out.options[0]
    return "GS-2026-0107"


def test_operator_pages_on_a_phone_and_a_desk_screen(browser, live_server, session, app, artifacts: Path,
                                                     tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    staff = _staff(session)
    earlier = _earlier_submissions(session, app, staff)
    files = {"kk-lama.jpg": _photo("KARTU KELUARGA LAMA"), "buku-nikah.pdf": document_pdf("Buku Nikah"),
             "surat-pengantar.pdf": b"Surat pengantar dari kepala pekon\n" * 40, "ktp-besar.jpg": _noise(SCAN_LIMIT)}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)

    for width in WIDTHS:
        page = logged_in_page(browser, live_server.url, OPERATOR, width=width, height=800)
        assert page.url.endswith("/pekon/"), "village staff land on their submissions"
        click_and_wait(page, "text=+ Pengajuan baru")
        page.screenshot(path=str(artifacts / f"pekon-formulir-{width}.png"), full_page=True)

        page.fill("#nik", "1806 0157 0890 0003")
        page.fill("#nama", "Rina Marlina")
        page.fill("#whatsapp", "0812 7777 1234")
        # The pekon choice follows the kecamatan: only its group can be picked.
        page.select_option("#kecamatan", "180601")
        assert page.evaluate(_OPEN_GROUPS) == ["180601"]
        page.select_option("#kecamatan", "180620")
        assert page.evaluate(_OPEN_GROUPS) == ["180620"]
        page.select_option("#pekon", "Gisting Atas")
        page.select_option("#layanan", Service.KK.value)
        page.fill("#keterangan", "KK baru karena menikah")
        for box in page.query_selector_all("form.submission fieldset:last-of-type input[type=checkbox]"):
            box.check()
        for text in page.query_selector_all("form.submission fieldset:last-of-type input[type=text]"):
            text.fill("GS-2026-0108")

        # A scan over the limit is refused in the browser, before a slow line carries it.
        page.set_input_files("#berkas", [str(tmp_path / "ktp-besar.jpg")])
        expect(page.locator("#berkas-periksa")).to_contain_text("ktp-besar.jpg: ukuran file melebihi")
        posts: list[str] = []
        page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
        page.click("button.submit")
        expect(page.locator("#berkas")).to_be_focused()  # the page's check refused the send and says why
        assert "Pengajuan belum terkirim" not in page.content(), "the too-big scan was sent after all"

        # A file that only claims to be a PDF is refused by the server; the rest is kept.
        page.set_input_files("#berkas", [str(tmp_path / n) for n in ("kk-lama.jpg", "buku-nikah.pdf",
                                                                     "surat-pengantar.pdf")])
        expect(page.locator("#berkas-periksa")).to_be_hidden()
        click_and_wait(page, "button.submit")
        assert len(posts) == 1, f"the too-big scan was sent after all: {posts}"
        content = page.content()
        assert "surat-pengantar.pdf</strong>: isi file bukan PDF, JPG atau PNG" in content
        assert "Sudah diterima (2)" in content
        expect(page.locator("#nik")).to_have_value("1806 0157 0890 0003")
        expect(page.locator("#pekon")).to_have_value("Gisting Atas")
        expect(page.locator("#keterangan")).to_have_value("KK baru karena menikah")
        page.screenshot(path=str(artifacts / f"pekon-formulir-ditolak-{width}.png"), full_page=True)

        click_and_wait(page, "button.submit")
        number = page.inner_text(".submission-number")
        assert re.fullmatch(r"PGD-\d{4}-\d{6}", number)
        assert f"Pengajuan tersimpan dengan nomor {number}." in page.content()
        page.screenshot(path=str(artifacts / f"pekon-pengajuan-{width}.png"), full_page=True)

        click_and_wait(page, "text=← Daftar pengajuan")
        listing = page.content()
        assert number in listing and "Ditolak" in listing and "Selesai" in listing and "Diproses" in listing
        assert "Surat keterangan lahir dari bidan belum dilampirkan" in listing
        page.screenshot(path=str(artifacts / f"pekon-daftar-{width}.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=Unduh dokumen (PDF)")
        assert download.value.suggested_filename.endswith("-dokumen.pdf")
        assert _no_sideways_scroll(page), f"{width}px: the list scrolls sideways"

        page.goto(f"{live_server.url}/pekon/{earlier['done']}")
        assert "Unduh dokumen (PDF)" in page.content()
        page.screenshot(path=str(artifacts / f"pekon-selesai-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/pekon/{earlier['handover']}")
        assert "Langkah Anda:" in page.content() and "Unduh dokumen (PDF)" in page.content()
        page.screenshot(path=str(artifacts / f"pekon-serah-dokumen-{width}.png"), full_page=True)
        assert _no_sideways_scroll(page), f"{width}px: the submission page scrolls sideways"
        page.goto(f"{live_server.url}/pekon/{earlier['returned']}")
        assert "Berkas belum lengkap?" in page.content() and "terpotong" in page.content()
        page.screenshot(path=str(artifacts / f"pekon-dikembalikan-{width}.png"), full_page=True)
        page.context.close()


_OPEN_GROUPS = "[...document.querySelectorAll('#pekon optgroup:not([disabled])')].map(g => g.dataset.kecamatan)"


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
