"""What a signature of the office is made of, shared by the signing functions and the pyHanko work behind
them (pdf_delivery.pades): the field, the visible stamp, the outcome of a check. Nothing heavy is imported
here, so the web process can name these without loading pyHanko."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SIGNATURE_FIELD = "TTE_Kepala_Dinas"
STAMP_WIDTH, STAMP_HEIGHT, STAMP_MARGIN = 250, 80, 36
STAMP_TEXT = (
    "Ditandatangani secara elektronik oleh\n%(signer)s\nNIP. %(nip)s\n%(title)s\nTanggal: %(tanggal)s"
)
STAMP_TEXT_WITHOUT_NIP = "Ditandatangani secara elektronik oleh\n%(signer)s\n%(title)s\nTanggal: %(tanggal)s"
# Room for the CMS signature; a fixed size spares pyHanko a trial signature to measure it. The office
# certificate with a BSrE chain of two or three CA certificates needs well under half of it.
SIGNATURE_BYTES_RESERVED = 16 * 1024


class SigningError(Exception):
    """Signing or loading the certificate failed; the message is Indonesian and safe to show to staff."""


@dataclass(frozen=True)
class SignatureStamp:
    """What the visible stamp shows: the signer, the moment and the verification URL in the QR code."""

    name: str
    nip: str  # empty when unknown: the stamp then has no NIP line
    title: str
    signed_at: datetime
    qr_url: str
    page: int = -1  # last page, where a letter's signature block sits


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking a signed PDF."""

    intact: bool  # the signature is cryptographically sound and covers the whole file
    signer_name: str | None
    signed_at: datetime | None
    problem: str | None  # Indonesian, for the verification page; None when everything holds
    trusted: bool = False  # the certificate chains to one of the given trust roots

    @property
    def valid(self) -> bool:
        """Intact and issued by a trusted certificate: what a reader of the document relies on."""
        return self.intact and self.trusted and self.problem is None
