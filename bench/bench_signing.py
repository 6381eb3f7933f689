"""Signing benchmark: what one document costs when the Kepala Dinas presses "Tandatangani".

Measured with the demo certificate (RSA 2048) on a WeasyPrint PDF of `pages` pages: unlocking the
PKCS#12 (once per batch), signing with the visible stamp and QR code (per document), and the public
page's check (hash + pyHanko validation, per visit). A batch is signed inside the request, so the
per-document time bounds the batch size the page can take. Run: `.venv/bin/python -m bench.bench_signing
[--quick]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.report import Row, Say, percentile, table

SIGN_TARGET_MS = 500.0  # p95: a batch of 20 stays within a ~10 s page request
VERIFY_TARGET_MS = 300.0  # p95: the citizen scanning the QR code waits for the page


@dataclass(frozen=True)
class Settings:
    documents: int
    pages: int


FULL = Settings(documents=60, pages=3)
QUICK = Settings(documents=10, pages=1)


def _document(pages: int) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<section style='page-break-after: always'><h1>Kartu Keluarga</h1><p>{n}</p></section>"
                   for n in range(pages))
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def run(settings: Settings, say: Say) -> list[Row]:
    """Sign and verify `documents` PDFs one by one, timing each step."""
    from pdf_delivery.certificates import create_demo_certificate
    from pdf_delivery.signing import SignatureStamp, load_office_signer, load_trust_roots, sign_pdf, verify_pdf

    config = {"INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-tte-"), "SIGNER_NAME": "Kepala Dinas"}
    create_demo_certificate(config, "bench12345")
    pdf = _document(settings.pages)
    say(f"dokumen {len(pdf) // 1024} KB, {settings.pages} halaman; {settings.documents} kali")

    started = time.perf_counter()
    signer = load_office_signer(config, "bench12345")
    unlock_ms = (time.perf_counter() - started) * 1000
    roots = load_trust_roots(config)

    sign_ms: list[float] = []
    verify_ms: list[float] = []
    for n in range(settings.documents):
        stamp = SignatureStamp(name="Kepala Dinas", nip="197001011990031001", title="Kepala Dinas",
                               signed_at=datetime.now(UTC), qr_url=f"https://contoh.go.id/verifikasi/{n:022d}")
        started = time.perf_counter()
        signed = sign_pdf(pdf, signer, stamp)
        sign_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert verify_pdf(signed, roots).valid
        verify_ms.append((time.perf_counter() - started) * 1000)

    sign_p95, verify_p95 = percentile(sign_ms, 95), percentile(verify_ms, 95)
    return [
        Row("tte", "buka PKCS#12 (sekali per batch)", f"{unlock_ms:.0f} ms"),
        Row("tte", "tanda tangan per dokumen p50", f"{percentile(sign_ms, 50):.0f} ms"),
        Row("tte", "tanda tangan per dokumen p95", f"{sign_p95:.0f} ms", f"≤ {SIGN_TARGET_MS:.0f} ms",
            sign_p95 <= SIGN_TARGET_MS),
        Row("tte", "verifikasi per dokumen p95", f"{verify_p95:.0f} ms", f"≤ {VERIFY_TARGET_MS:.0f} ms",
            verify_p95 <= VERIFY_TARGET_MS),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_signing", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sedikit dokumen, untuk melihat sekilas")
    args = parser.parse_args()
    rows = run(QUICK if args.quick else FULL, lambda text: print(text, flush=True))
    print(table(rows))


if __name__ == "__main__":
    main()
