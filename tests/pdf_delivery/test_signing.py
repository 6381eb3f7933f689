"""pdf_delivery.signing on its own: a real PKCS#12, a real WeasyPrint PDF, pyHanko's own validator."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from pdf_delivery.certificates import create_demo_certificate
from pdf_delivery.signing import (
    SignatureStamp,
    SigningError,
    load_office_signer,
    load_trust_roots,
    sign_pdf,
    verify_pdf,
)
from tests.support.documents import DEMO_PASSPHRASE, document_pdf, pyhanko_validate, signer_config, stream_texts

WIB = ZoneInfo("Asia/Jakarta")
QR_URL = "https://layanan.example.go.id/verifikasi/Xk2-abcdefghijklmnopqr"


@pytest.fixture
def config(tmp_path: Path) -> dict[str, str]:
    cfg = signer_config(INSTANCE_PATH=str(tmp_path))
    create_demo_certificate(cfg, DEMO_PASSPHRASE)
    return cfg


def _stamp(**overrides: object) -> SignatureStamp:
    values: dict[str, object] = dict(name="Drs. Budi Santoso, M.Si.", nip="197001011990031001",
                                     title="Kepala Dinas Dukcapil", signed_at=datetime(2026, 3, 2, 10, 15, tzinfo=WIB),
                                     qr_url=QR_URL)
    values.update(overrides)
    return SignatureStamp(**values)  # type: ignore[arg-type]


def test_signed_pdf_validates_with_pyhanko_against_the_office_certificate(config: dict[str, str]) -> None:
    signed = sign_pdf(document_pdf(pages=2), load_office_signer(config, DEMO_PASSPHRASE), _stamp())

    reader = PdfFileReader(BytesIO(signed))
    assert len(reader.embedded_signatures) == 1
    context = ValidationContext(trust_roots=load_trust_roots(config), allow_fetching=False)
    status = pyhanko_validate(reader.embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Drs. Budi Santoso, M.Si."
    # PAdES baseline, not the older adbe.pkcs7.detached
    assert reader.embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_stamp_shows_name_nip_title_date_and_a_qr_code_linking_to_the_verification_url(
        config: dict[str, str]) -> None:
    signed = sign_pdf(document_pdf(pages=2), load_office_signer(config, DEMO_PASSPHRASE), _stamp())

    text = stream_texts(signed)
    for shown in (b"Drs. Budi Santoso, M.Si.", b"NIP. 197001011990031001", b"Kepala Dinas Dukcapil",
                  b"02/03/2026 10:15 WIB"):
        assert shown in text, shown
    assert _qr_modules(text) == _expected_modules(QR_URL)
    reader = PdfFileReader(BytesIO(signed))
    last_page = reader.root["/Pages"]["/Kids"][-1].get_object()
    annotations = [a.get_object() for a in last_page["/Annots"]]
    assert [a["/A"]["/URI"] for a in annotations if a["/Subtype"] == "/Link"] == [QR_URL]
    field = next(a.get_object() for a in last_page["/Annots"] if a.get_object().get("/FT") == "/Sig")
    llx, lly, urx, ury = (float(v) for v in field["/Rect"])
    assert urx - llx > 200 and ury - lly > 60  # visible, not a zero-size field


def _qr_modules(text: bytes) -> set[tuple[int, int]]:
    """The dark squares the stamp drew, as (x, y) in QR canvas units."""
    return {(int(x), int(y)) for x, y in re.findall(rb"(?m)^(\d+) (\d+) 1 1 re$", text)}


def _expected_modules(url: str) -> set[tuple[int, int]]:
    """Where the dark modules of a QR code for url lie, drawn the same way (2 modules of quiet zone)."""
    matrix = segno.make(url, error="m", micro=False).matrix
    size = len(matrix) + 4
    return {(col + 2, size - 3 - row) for row, line in enumerate(matrix) for col, dark in enumerate(line) if dark}


def test_verify_pdf_reports_intact_signer_and_time(config: dict[str, str]) -> None:
    signed = sign_pdf(document_pdf(), load_office_signer(config, DEMO_PASSPHRASE), _stamp())

    check = verify_pdf(signed, load_trust_roots(config))
    assert check.valid and check.intact and check.trusted and check.problem is None
    assert check.signer_name == "Drs. Budi Santoso, M.Si."
    assert check.signed_at is not None


def test_one_changed_byte_anywhere_makes_the_signature_invalid(config: dict[str, str]) -> None:
    signed = sign_pdf(document_pdf(), load_office_signer(config, DEMO_PASSPHRASE), _stamp())
    roots = load_trust_roots(config)
    # Every 1/40th of the file: the signed ranges, the signature container and its zero padding.
    for position in range(0, len(signed), len(signed) // 40):
        tampered = bytearray(signed)
        tampered[position] ^= 0x01
        check = verify_pdf(bytes(tampered), roots)
        assert not check.intact and not check.valid, f"byte {position} of {len(signed)} changed unnoticed"
        assert check.problem


def test_a_certificate_the_office_does_not_trust_is_not_valid(config: dict[str, str], tmp_path: Path) -> None:
    stranger = signer_config(INSTANCE_PATH=str(tmp_path / "lain"), SIGNER_NAME="Orang Lain")
    create_demo_certificate(stranger, "lain12345")
    signed = sign_pdf(document_pdf(), load_office_signer(stranger, "lain12345"), _stamp())

    check = verify_pdf(signed, load_trust_roots(config))
    assert check.intact and not check.trusted and not check.valid
    assert check.problem == "Sertifikat penanda tangan tidak dikenal oleh kantor ini."


def test_an_unsigned_pdf_is_not_valid() -> None:
    check = verify_pdf(document_pdf())
    assert not check.valid
    assert check.problem == "Dokumen tidak memiliki tanda tangan elektronik."


def test_wrong_passphrase_is_refused_in_indonesian(config: dict[str, str]) -> None:
    with pytest.raises(SigningError, match="Passphrase TTE salah"):
        load_office_signer(config, "bukan-passphrase")


def test_missing_certificate_is_refused_in_indonesian(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="Sertifikat TTE kantor tidak ditemukan"):
        load_office_signer({"INSTANCE_PATH": str(tmp_path / "kosong")}, DEMO_PASSPHRASE)


def test_a_document_can_carry_two_office_signatures(config: dict[str, str]) -> None:
    signer = load_office_signer(config, DEMO_PASSPHRASE)
    twice = sign_pdf(sign_pdf(document_pdf(), signer, _stamp()), signer, _stamp(qr_url=QR_URL + "2"))

    assert len(PdfFileReader(BytesIO(twice)).embedded_signatures) == 2
    assert verify_pdf(twice, load_trust_roots(config)).valid


def test_an_encrypted_pdf_cannot_be_signed(config: dict[str, str]) -> None:
    from tests.support.documents import encrypted_pdf

    with pytest.raises(SigningError, match="terenkripsi"):
        sign_pdf(encrypted_pdf(), load_office_signer(config, DEMO_PASSPHRASE), _stamp())


def test_signing_and_checking_work_where_an_event_loop_is_running(config: dict[str, str]) -> None:
    # e.g. a browser-driven test or an async caller: pyHanko's own asyncio.run would refuse there
    async def inside_a_loop() -> bool:
        signed = sign_pdf(document_pdf(), load_office_signer(config, DEMO_PASSPHRASE), _stamp())
        return verify_pdf(signed, load_trust_roots(config)).valid

    # A thread of its own: the test thread may already run the browser tests' loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result()
