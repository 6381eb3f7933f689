"""PAdES signatures of the office: load the certificate, sign with a visible stamp, verify.

Plain Python (no Flask): the signing queue, the berita acara and the public verification page all call
these functions with the application's configuration. The work itself is pyHanko's, in pdf_delivery.pades,
which each function imports when it is called: pyHanko is heavy, and web processes rarely sign or verify.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layanan.clock import WIB
from pdf_delivery.signature_terms import SignatureCheck, SignatureStamp, SigningError
from tickets.staff import StaffUser

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign import signers


def signer_stamp(signer: StaffUser, config: Mapping[str, Any], signed_at: datetime, qr_url: str) -> SignatureStamp:
    """The stamp of a signature the account makes, the same on every paper: its name and NIP from the staff
    profile (SIGNER_NIP when the profile has none), the office title (SIGNER_TITLE), the moment in WIB."""
    configured = str(config.get("SIGNER_NIP") or "").strip()
    nip = (signer.nip or "").strip() or (configured if configured != "-" else "")
    return SignatureStamp(name=signer.full_name, nip=nip, title=str(config["SIGNER_TITLE"]),
                          signed_at=signed_at.astimezone(WIB), qr_url=qr_url)


@dataclass(frozen=True)
class OfficeSigner:
    """The office's key and certificate, unlocked with the passphrase the Kepala Dinas typed."""

    signer: signers.SimpleSigner

    @property
    def certificate(self) -> x509.Certificate:
        """The signing certificate (asn1crypto form, as pyHanko uses it)."""
        return self.signer.signing_cert

    @property
    def subject_name(self) -> str:
        """The certificate holder's common name."""
        return self.certificate.subject.native.get("common_name", "")


def pkcs12_path(config: Mapping[str, Any]) -> Path:
    """Where the office's PKCS#12 file is expected."""
    return Path(config.get("SIGNING_PKCS12_PATH") or Path(config["INSTANCE_PATH"]) / "tte" / "kepala_dinas.p12")


def trust_roots_path(config: Mapping[str, Any]) -> Path:
    """Where the certificates signatures are validated against (PEM) are expected."""
    return Path(config.get("SIGNING_TRUST_ROOTS_PATH")
                or Path(config["INSTANCE_PATH"]) / "tte" / "trust_roots.pem")


def load_office_signer(config: Mapping[str, Any], passphrase: str) -> OfficeSigner:
    """Unlock the office's PKCS#12 file with the passphrase; refuse in Indonesian when that fails."""
    path = pkcs12_path(config)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningError("Sertifikat TTE kantor tidak ditemukan. Hubungi admin untuk memasang sertifikat.")
    except OSError:
        raise SigningError("Sertifikat TTE kantor tidak dapat dibaca. Hubungi admin.")
    from pdf_delivery import pades

    try:
        signer = pades.load_pkcs12(data, passphrase)
    except ValueError:
        # cryptography cannot tell a wrong passphrase from a damaged file; the passphrase is far likelier
        raise SigningError("Passphrase TTE salah. Tidak ada dokumen yang ditandatangani.")
    return OfficeSigner(signer=signer)


def load_trust_roots(config: Mapping[str, Any]) -> list[x509.Certificate]:
    """The configured trust anchors (the demo certificate itself, or the BSrE root and intermediates)."""
    path = trust_roots_path(config)
    if not path.exists():
        return []
    from pdf_delivery import pades

    return pades.load_certificates(path)


def sign_pdf(pdf: bytes, signer: OfficeSigner, stamp: SignatureStamp) -> bytes:
    """Sign the PDF (PAdES baseline) with a visible stamp: name, NIP, title, date and a QR code."""
    from pdf_delivery import pades

    return pades.sign(pdf, signer.signer, stamp)


def verify_pdf(data: bytes, trust_roots: Sequence[x509.Certificate] = ()) -> SignatureCheck:
    """Check the document's last signature: integrity, whole-file coverage and trust in the signer."""
    from pdf_delivery import pades

    return pades.verify(data, trust_roots)
