"""The pyHanko side of the office's signatures: unlock the PKCS#12 file, sign with the visible stamp, verify.

Only pdf_delivery.signing imports this module, inside the functions that sign or verify: pyHanko and its
certificate validator take about half a second and tens of MB to import, which a web process should not pay
at start for the few requests that sign (the RQ worker imports it once before forking jobs: layanan/worker.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

import segno
from asn1crypto import x509
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter, init_xobject_dictionary
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.stamp import QRStamp, QRStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleTrustManager

from layanan.clock import format_wib
from pdf_delivery.signature_terms import (
    SIGNATURE_BYTES_RESERVED,
    SIGNATURE_FIELD,
    STAMP_HEIGHT,
    STAMP_MARGIN,
    STAMP_TEXT,
    STAMP_TEXT_WITHOUT_NIP,
    STAMP_WIDTH,
    SignatureCheck,
    SignatureStamp,
    SigningError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

QR_BORDER = 2  # modules of quiet zone; the stamp's own padding adds the rest


def load_pkcs12(data: bytes, passphrase: str) -> signers.SimpleSigner:
    """The key and certificate in a PKCS#12 file; ValueError for a wrong passphrase or a damaged file."""
    return signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase.encode())


def load_certificates(path: Path) -> list[x509.Certificate]:
    """The certificates of a PEM or DER file."""
    return list(load_certs_from_pemder([str(path)]))


class _SegnoQRStamp(QRStamp):
    """pyHanko's QR stamp, with the code drawn from segno's module matrix as filled squares."""

    def _qr_xobject(self) -> tuple[Any, int]:
        qr = segno.make(self.url, error="m", micro=False)
        size = len(qr.matrix) + 2 * QR_BORDER
        squares = [
            b"%d %d 1 1 re" % (col + QR_BORDER, size - QR_BORDER - row - 1)
            for row, line in enumerate(qr.matrix)
            for col, dark in enumerate(line)
            if dark
        ]
        stream = b"0 g\n" + b"\n".join(squares) + b"\nf"
        xobject = init_xobject_dictionary(stream, size, size)
        xobject.compress()
        return self.writer.add_object(xobject), size


class _SegnoQRStampStyle(QRStampStyle):
    """A QR stamp style whose code comes from segno (pyHanko's own QR support needs another library)."""

    def create_stamp(self, writer: BasePdfFileWriter, box: BoxConstraints, text_params: dict) -> QRStamp:
        url = text_params.pop("url")
        return _SegnoQRStamp(writer, style=self, url=url, text_params=text_params, box=box)


def _stamp_box(writer: IncrementalPdfFileWriter, page: int) -> tuple[int, int, int, int]:
    """The stamp rectangle: bottom right of the page, inside the margins."""
    page_ref, _ = writer.find_page_for_modification(page)
    llx, lly, urx, ury = (float(v) for v in page_ref.get_object()[pdf_name("/MediaBox")])
    right = int(urx) - STAMP_MARGIN
    bottom = int(lly) + STAMP_MARGIN
    return right - STAMP_WIDTH, bottom, right, bottom + STAMP_HEIGHT


def sign(pdf: bytes, signer: signers.SimpleSigner, stamp: SignatureStamp) -> bytes:
    """Sign the PDF (PAdES baseline) with a visible stamp: name, NIP, title, date and a QR code."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:  # pyHanko raises several types for unreadable files
        raise SigningError("File PDF rusak atau tidak dapat dibaca; tidak ditandatangani.") from exc
    if writer.prev.encrypted:
        raise SigningError("File PDF terenkripsi; tidak dapat ditandatangani.")
    field_name = _free_field_name(writer)
    box = _stamp_box(writer, stamp.page)
    _link_stamp_to_url(writer, stamp, box)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Tanda tangan elektronik Kepala Dinas",
        location="Kabupaten Tanggamus",
        name=stamp.name,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=_SegnoQRStampStyle(stamp_text=STAMP_TEXT if stamp.nip else STAMP_TEXT_WITHOUT_NIP, border_width=1),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=stamp.page, box=box),
    )
    out = BytesIO()
    _outside_event_loop(
        pdf_signer.sign_pdf,
        writer,
        bytes_reserved=SIGNATURE_BYTES_RESERVED,
        output=out,
        appearance_text_params={
            "url": stamp.qr_url,
            "signer": stamp.name,
            "nip": stamp.nip,
            "title": stamp.title,
            "tanggal": f"{format_wib(stamp.signed_at)} WIB",
        },
    )
    return out.getvalue()


def _link_stamp_to_url(writer: IncrementalPdfFileWriter, stamp: SignatureStamp, box: tuple[int, ...]) -> None:
    """Make the stamp clickable too: on a phone the reader taps the QR code rather than scanning it.
    Added in the same revision as the signature, so the signature covers it."""
    page_ref, _ = writer.find_page_for_modification(stamp.page)
    link = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Link"),
        pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in box]),
        pdf_name("/Border"): generic.ArrayObject([generic.NumberObject(0)] * 3),
        pdf_name("/A"): generic.DictionaryObject({
            pdf_name("/S"): pdf_name("/URI"),
            pdf_name("/URI"): generic.TextStringObject(stamp.qr_url),
        }),
    })
    writer.register_annotation(page_ref, writer.add_object(link))


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    """A signature field name not yet used in the document (a berita acara may carry several)."""
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev, filled_status=None)}
    name, n = SIGNATURE_FIELD, 1
    while name in taken:
        n += 1
        name = f"{SIGNATURE_FIELD}_{n}"
    return name


def verify(data: bytes, trust_roots: Sequence[x509.Certificate]) -> SignatureCheck:
    """Check the document's last signature: integrity, whole-file coverage and trust in the signer."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # a damaged file is an answer here, not an error
        return SignatureCheck(False, None, None, "File tidak dapat dibaca sebagai PDF.")
    if not embedded:
        return SignatureCheck(False, None, None, "Dokumen tidak memiliki tanda tangan elektronik.")
    context = ValidationContext(
        trust_manager=SimpleTrustManager.build(trust_roots=list(trust_roots)),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = _outside_event_loop(validate_pdf_signature, embedded[-1], context)
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        log.info("signature validation failed: %s", exc)
        return SignatureCheck(False, None, None, "Tanda tangan elektronik rusak atau tidak sah.")
    signer_name = status.signing_cert.subject.native.get("common_name")
    signed_at = status.signer_reported_dt
    intact = bool(status.intact and status.valid)
    if not intact:
        problem = "Isi dokumen telah berubah setelah ditandatangani."
    elif not _padding_untouched(embedded[-1].sig_object.get("/Contents")):
        # /Contents lies outside the signed byte range; its zero padding must stay zero.
        intact, problem = False, "Dokumen telah diubah setelah ditandatangani."
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        intact = False
        problem = "Dokumen telah diubah setelah ditandatangani."
    elif not status.trusted:
        problem = "Sertifikat penanda tangan tidak dikenal oleh kantor ini."
    else:
        problem = None
    return SignatureCheck(intact, signer_name, signed_at, problem, trusted=bool(status.trusted))


def _padding_untouched(contents: Any) -> bool:
    """Whether everything after the DER-encoded signature container in /Contents is zero bytes."""
    raw = bytes(contents or b"")
    if len(raw) < 2:
        return False
    if raw[1] < 0x80:
        end = 2 + raw[1]
    else:
        size = raw[1] & 0x7F
        end = 2 + size + int.from_bytes(raw[2:2 + size], "big")
    return end <= len(raw) and not any(raw[end:])


def _outside_event_loop(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call one of pyHanko's synchronous functions. They use asyncio.run, which refuses to start in
    a thread whose event loop is running (an async caller, a Playwright session): use a fresh thread then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()
