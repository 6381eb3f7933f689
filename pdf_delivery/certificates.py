"""The self-signed demo certificate, so the embedded default can sign without the office's BSrE one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from pdf_delivery.signing import pkcs12_path, trust_roots_path

DEMO_VALIDITY = timedelta(days=3 * 365)


def _demo_certificate(key: rsa.RSAPrivateKey, name: str, nip: str) -> x509.Certificate:
    """A self-signed signing certificate for the Kepala Dinas, with the key usages PAdES readers expect."""
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Lampung"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                           "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO - bukan sertifikat BSrE"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, nip or "-"),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    now = datetime.now(timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + DEMO_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def create_demo_certificate(config: Mapping[str, Any], passphrase: str, *, overwrite: bool = False) -> Path:
    """Write a self-signed PKCS#12 for the configured signer and add its certificate to the trust roots."""
    target = pkcs12_path(config)
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    name = config.get("SIGNER_NAME") or "Kepala Dinas"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _demo_certificate(key, name, config.get("SIGNER_NIP") or "")
    data = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(passphrase.encode())
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.chmod(0o600)
    # The demo certificate is its own root: validation trusts exactly it, nothing from the system store.
    roots = trust_roots_path(config)
    roots.parent.mkdir(parents=True, exist_ok=True)
    roots.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return target
